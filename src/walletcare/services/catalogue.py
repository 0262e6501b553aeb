"""The message catalogue: gettext catalogues per locale, layered, with host overrides.

walletcare ships ``en`` and ``zh_CN`` catalogues (``walletcare/locales/<locale>/LC_MESSAGES/
walletcare.po``), compiled to gettext's binary form with Babel when first loaded, so a plain
``pip install`` needs no build step. Each text has an id: ``<template>.subject`` and
``<template>.body`` for a template, or a single word or notice (``outcome.upheld``,
``notice.psd2``). A text is looked up in, first to last:

1. the host's own catalogues (directories laid out like walletcare's, ``.po`` or ``.mo``;
   a later directory overrides an earlier one), in the customer's locale;
2. walletcare's shipped catalogues;
3. the templates case kinds declare in code (``CaseKind.templates``, by language);

then the same again in English. A host therefore overrides any text, and adds a locale,
from its own files.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from string import Formatter

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from walletcare.domain.cases import Templates
from walletcare.errors import ConfigurationError

__all__ = ["Catalogue", "DOMAIN", "SHIPPED", "STAFF_FLAG", "placeholders"]

DOMAIN = "walletcare"
"""The gettext domain: catalogue files are named ``walletcare.po`` (or ``.mo``)."""
SHIPPED = Path(__file__).resolve().parents[1] / "locales"
"""Where walletcare's own catalogues live inside the package."""
STAFF_FLAG = "walletcare-staff"
"""The ``.po`` flag that marks a staff template (never rendered for a customer)."""
FALLBACK = "en"

_MISSING = "\x00walletcare-missing\x00"
_LOCALES_KEPT = 1024
"""How many distinct language tags ``locale_for`` remembers the locale of."""


class _Missing(gettext.NullTranslations):
    """The end of every gettext fallback chain: a sentinel, so a miss is told from a text."""

    def gettext(self, message: str) -> str:
        return _MISSING


def placeholders(text: str, where: str) -> frozenset[str]:
    """The ``{fields}`` ``text`` uses; a malformed one is a ``ConfigurationError``."""
    try:
        return frozenset(f for _, f, _, _ in Formatter().parse(text) if f)
    except ValueError as exc:
        raise ConfigurationError(f"{where}: {exc}") from None


def _compiled(path: Path) -> tuple[gettext.GNUTranslations, frozenset[str]]:
    """A catalogue file as gettext translations, and the ids it flags as staff templates."""
    try:
        if path.suffix == ".mo":
            with path.open("rb") as mo:
                return gettext.GNUTranslations(mo), frozenset()
        with path.open("rb") as po:
            catalog = read_po(po, domain=DOMAIN)
        binary = io.BytesIO()
        write_mo(binary, catalog, use_fuzzy=False)
        binary.seek(0)
        staff = frozenset(str(m.id) for m in catalog if m.id and STAFF_FLAG in m.flags)
        return gettext.GNUTranslations(binary), staff
    except (OSError, ValueError, SyntaxError) as exc:
        raise ConfigurationError(f"message catalogue {path}: {exc}") from None


def _files(directory: Path) -> dict[str, Path]:
    """``<locale>/LC_MESSAGES/walletcare.(po|mo)`` under ``directory``, by locale."""
    if not directory.is_dir():
        raise ConfigurationError(f"message catalogue directory {directory} does not exist")
    found: dict[str, Path] = {}
    for folder in sorted(p for p in directory.iterdir() if p.is_dir()):
        for suffix in (".mo", ".po"):  # the .po wins: it is the source
            candidate = folder / "LC_MESSAGES" / f"{DOMAIN}{suffix}"
            if candidate.is_file():
                found[_normal(folder.name, str(candidate))] = candidate
    return found


def _normal(tag: str, where: str) -> str:
    """A locale tag in Babel's form (``zh-cn`` -> ``zh_CN``)."""
    try:
        locale = Locale.parse(tag.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        raise ConfigurationError(f"{where}: {tag!r} is not a locale") from None
    parts = [locale.language, locale.territory] if locale.territory else [locale.language]
    return "_".join(p for p in parts if p)


class Catalogue:
    """Every text walletcare sends, by id and locale, from gettext catalogues and kinds.

    ``directories`` are the host's catalogue directories; ``kinds`` the templates case
    kinds declare in code (``{name: {language: (subject, body)}}``); ``texts`` single texts
    declared in code (``{id: {language: text}}``, host profiles' notices). Problems (a missing
    directory, a bad file, a kind redefining another's template, a host text using a
    placeholder its template does not have, a text without English) are refused as
    ``ConfigurationError`` when the catalogue is built.
    """

    def __init__(
        self,
        *,
        directories: Sequence[str | Path] = (),
        kinds: Iterable[Templates] = (),
        texts: Mapping[str, Mapping[str, str]] | None = None,
        staff_templates: Iterable[str] = (),
    ) -> None:
        self._chains: dict[str, gettext.NullTranslations] = {}
        self._layers: dict[str, list[gettext.NullTranslations]] = {}
        self._staff: set[str] = set(staff_templates)
        self._kind_texts: dict[str, dict[str, str]] = {}
        self._reference: dict[str, frozenset[str]] = {}
        self._kind_names: set[str] = set()
        # A customer's language tag -> its catalogue locale, found once per tag (a bounded
        # memo: tags come from hosts' customers).
        self._locale_of: dict[str, str] = {}
        for templates in kinds:
            self._add_kind(templates)
        for key, by_language in (texts or {}).items():
            if "en" not in by_language:
                raise ConfigurationError(f"message {key!r} needs an 'en' text")
            for language, text in by_language.items():
                lang = _normal(language, f"message {key!r}")
                self._kind_texts.setdefault(lang, {})[key] = str(text)
        for path in _files(SHIPPED).items():
            self._add_file(*path, host=False)
        for name in sorted(self._kind_names):
            if any(_get(layer, f"{name}.body") is not None for layer in self._shipped()):
                raise ConfigurationError(
                    f"message template {name!r} is defined twice (walletcare ships it)"
                )
        for directory in directories:
            for path in _files(Path(directory)).items():
                self._add_file(*path, host=True)
        if FALLBACK not in self._layers:
            self._layers[FALLBACK] = []
        self._check()

    # -- building --------------------------------------------------------------------------
    def _add_kind(self, templates: Templates) -> None:
        for name, texts in templates.items():
            if name in self._kind_names:
                raise ConfigurationError(f"message template {name!r} is defined twice")
            self._kind_names.add(name)
            if "en" not in texts:
                raise ConfigurationError(f"message template {name!r} needs an 'en' text")
            for language, pair in texts.items():
                if (
                    not isinstance(pair, tuple)
                    or len(pair) != 2
                    or not all(isinstance(p, str) for p in pair)
                ):
                    raise ConfigurationError(
                        f"message template {name!r} in {language!r} must be a (subject, body) "
                        "pair of text"
                    )
                lang = _normal(language, f"message template {name!r}")
                for part, text in zip(("subject", "body"), pair, strict=True):
                    self._kind_texts.setdefault(lang, {})[f"{name}.{part}"] = text

    def _add_file(self, locale: str, path: Path, *, host: bool) -> None:
        translations, staff = _compiled(path)
        translations.add_fallback(_Missing())
        self._staff |= staff
        layers = self._layers.setdefault(locale, [])
        # Host layers go first (a later directory before an earlier one): they win.
        if host:
            layers.insert(0, translations)
        else:
            layers.append(translations)

    def _check(self) -> None:
        """Every id has an English text, and no text uses a placeholder English lacks."""
        self._check_texts()
        self._check_kind_templates()

    def _check_texts(self) -> None:
        ids: dict[str, set[str]] = {}
        for locale, layers in self._layers.items():
            for layer in layers:
                for key in _catalog_ids(layer):
                    ids.setdefault(key, set()).add(locale)
        for lang, texts in self._kind_texts.items():
            for key in texts:
                ids.setdefault(key, set()).add(lang)
        for key in ids:
            english = self._lookup(key, FALLBACK)
            if english is None:
                raise ConfigurationError(f"message {key!r} has no English text")
            self._reference[key] = placeholders(english, f"message {key!r} in 'en'")
        for key, locales in ids.items():
            for locale in locales:
                text = self._lookup(key, locale)
                if text is None:
                    continue
                used = placeholders(text, f"message {key!r} in {locale!r}")
                extra = used - self._reference[key]
                if extra:
                    raise ConfigurationError(
                        f"message {key!r} in {locale!r} uses {sorted(extra)}, which its "
                        f"English text does not offer ({sorted(self._reference[key])})"
                    )

    def _check_kind_templates(self) -> None:
        """A kind's template uses the same placeholders in every language it gives."""
        for name in self._kind_names:
            for part in ("subject", "body"):
                key = f"{name}.{part}"
                kind_text = self._kind_texts.get(FALLBACK, {}).get(key, "")
                wanted = placeholders(kind_text, f"message template {name!r}")
                for lang, texts in self._kind_texts.items():
                    if key in texts and placeholders(texts[key], name) != wanted:
                        raise ConfigurationError(
                            f"message template {name!r} in {lang!r} uses "
                            f"{sorted(placeholders(texts[key], name))}, but in 'en' "
                            f"{sorted(wanted)}"
                        )

    def _shipped(self) -> list[gettext.NullTranslations]:
        return [layer for layers in self._layers.values() for layer in layers]

    # -- reading ---------------------------------------------------------------------------
    @property
    def locales(self) -> tuple[str, ...]:
        """The locales some catalogue has texts for (a kind's bare ``zh`` folds into a
        catalogue's ``zh_CN``: kinds' texts are found by language)."""
        files = set(self._layers)
        languages = {loc.split("_", 1)[0] for loc in files}
        return tuple(sorted(files | {loc for loc in self._kind_texts if loc not in languages}))

    def locale_for(self, language: str) -> str:
        """The catalogue locale for a customer's language tag: exact, else the same language
        (the bare language first, then the first locale of it by name), else English."""
        found = self._locale_of.get(language) if type(language) is str else None
        if found is None:
            found = self._find_locale(language)
            if type(language) is str and len(self._locale_of) < _LOCALES_KEPT:
                self._locale_of[language] = found
        return found

    def _find_locale(self, language: str) -> str:
        tag = str(language).replace("-", "_")
        available = self.locales
        try:
            wanted = _normal(tag, "language")
        except ConfigurationError:
            wanted = tag.split("_", 1)[0].lower()
        if wanted in available:
            return wanted
        primary = wanted.split("_", 1)[0]
        same = [loc for loc in available if loc.split("_", 1)[0] == primary]
        if not same:
            return FALLBACK
        return primary if primary in same else same[0]

    def _lookup(self, key: str, locale: str) -> str | None:
        for layer in self._layers.get(locale, ()):
            text = _get(layer, key)
            if text is not None:
                return text
        for lang in (locale, locale.split("_", 1)[0]):
            text = self._kind_texts.get(lang, {}).get(key)
            if text is not None:
                return text
        return None

    def has(self, key: str) -> bool:
        """Tell whether the catalogue has a text (or, for a template name, its body) ``key``."""
        return key in self._reference or f"{key}.body" in self._reference

    def text(self, key: str, locale: str) -> str:
        """The text ``key`` in ``locale``, else in English; a missing id is a
        ``ConfigurationError``."""
        found = self._lookup(key, locale)
        if found is None:
            found = self._lookup(key, FALLBACK)
        if found is None:
            raise ConfigurationError(f"no message {key!r} in the catalogue")
        return found

    def is_staff(self, template: str) -> bool:
        """Tell whether ``template`` is a staff template (never rendered for a customer)."""
        return template in self._staff or f"{template}.body" in self._staff

    def mark_staff(self, template: str) -> None:
        """Mark ``template`` as a staff template (a kind's staff alert)."""
        self._staff.add(template)

    def fields(self, template: str) -> frozenset[str]:
        """The placeholders ``template`` offers (its English subject and body together)."""
        if not self.has(template):
            raise ConfigurationError(f"no message template {template!r}")
        return self._reference.get(f"{template}.subject", frozenset()) | self._reference.get(
            f"{template}.body", frozenset()
        )

    def templates(self) -> tuple[str, ...]:
        """The names of every template (ids with a ``.body``)."""
        return tuple(sorted(k[: -len(".body")] for k in self._reference if k.endswith(".body")))

    def render(self, template: str, locale: str, values: Mapping[str, str]) -> tuple[str, str]:
        """The ``(subject, body)`` of ``template`` in ``locale`` filled with ``values``."""
        if not self.has(template):
            raise ConfigurationError(f"no message template {template!r}")
        subject = self.text(f"{template}.subject", locale) if self._has_subject(template) else ""
        body = self.text(f"{template}.body", locale)
        try:
            return subject.format_map(values), body.format_map(values)
        except KeyError as missing:
            raise ConfigurationError(
                f"message template {template!r} needs a value for {missing}; given {sorted(values)}"
            ) from None

    def _has_subject(self, template: str) -> bool:
        return f"{template}.subject" in self._reference


def _get(layer: gettext.NullTranslations, key: str) -> str | None:
    text = layer.gettext(key)
    return None if text == _MISSING else text


def _catalog_ids(layer: gettext.NullTranslations) -> list[str]:
    catalog = getattr(layer, "_catalog", {})
    return [k for k in catalog if isinstance(k, str) and k]
