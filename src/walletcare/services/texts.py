"""The texts walletcare sends customers, per language, with fallback to English.

Texts carry as little personal data as possible: a case reference, never an account number,
and never a request for a password or code (fake "support" messages are a known phishing
route, and a genuine one must not look like them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from string import Formatter

from walletcare.domain.cases import Templates
from walletcare.domain.rules import Rule
from walletcare.errors import ConfigurationError, ValidationError

__all__ = ["CATALOG", "Texts", "render", "locale_for", "word"]

CATALOG: Mapping[str, Mapping[str, tuple[str, str]]] = {
    "complaint.acknowledged": {
        "en": (
            "We received your complaint {ref}",
            "We received your complaint {ref} about {category}. We will keep you informed and "
            "reply in full as soon as we can. We will never ask for your password or codes.",
        ),
        "zh": (
            "我们已收到您的投诉 {ref}",
            "我们已收到您关于{category}的投诉 {ref}，将及时告知处理进展并尽快给予完整答复。"
            "我们绝不会向您索要密码或验证码。",
        ),
    },
    "complaint.information_requested": {
        "en": (
            "We need more information for complaint {ref}",
            "To continue with complaint {ref} we need: {questions}. Please reply in the app. "
            "We will never ask for your password or codes.",
        ),
        "zh": (
            "投诉 {ref} 需要您补充信息",
            "为继续处理投诉 {ref}，请补充：{questions}。请在应用内回复。我们绝不会向您索要密码或验证码。",
        ),
    },
    "complaint.resolved": {
        "en": (
            "Your complaint {ref} has been resolved",
            "Outcome: {outcome}. {explanation} Remedy: {remedy}. If you are not satisfied you can "
            "reopen the complaint until {reopen_until}. We will never ask for your password or codes.",
        ),
        "zh": (
            "您的投诉 {ref} 已处理完毕",
            "处理结果：{outcome}。{explanation} 补救措施：{remedy}。如不满意，您可在 {reopen_until} "
            "之前重新开启投诉。我们绝不会向您索要密码或验证码。",
        ),
    },
    "complaint.holding_reply": {
        "en": (
            "Your complaint {ref}: our final reply will take longer",
            "We cannot give our final reply to complaint {ref} yet because {reasons}. "
            "You will have it by {expected_by} at the latest. We will never ask for your password or codes.",
        ),
        "zh": (
            "您的投诉 {ref}：最终答复需要更长时间",
            "由于{reasons}，我们暂时无法对投诉 {ref} 作出最终答复，最迟将于 {expected_by} 前答复您。"
            "我们绝不会向您索要密码或验证码。",
        ),
    },
    "complaint.update": {
        "en": (
            "An update on your complaint {ref}",
            "We are still working on your complaint {ref}. {summary} We will never ask for your password or codes.",
        ),
        "zh": (
            "您的投诉 {ref} 处理进展",
            "我们仍在处理您的投诉 {ref}。{summary} 我们绝不会向您索要密码或验证码。",
        ),
    },
    "case.staff_alert": {
        "en": (
            "Case {ref}: {summary}",
            "Case {ref} (tier {tier}): {summary}. Rule {rule} matched: {matched}.",
        ),
        "zh": (
            "案件 {ref}：{summary}",
            "案件 {ref}（层级 {tier}）：{summary}。规则 {rule} 命中：{matched}。",
        ),
    },
    "escalation.staff_alert": {
        "en": (
            "Complaint {ref}: {summary}",
            "Complaint {ref} ({severity}, tier {tier}): {summary}. Rule {rule} matched: {matched}.",
        ),
        "zh": (
            "投诉 {ref}：{summary}",
            "投诉 {ref}（{severity}，层级 {tier}）：{summary}。规则 {rule} 命中：{matched}。",
        ),
    },
}

_WORDS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "upheld": "upheld",
        "partly_upheld": "partly upheld",
        "rejected": "not upheld",
        "none": "none",
        "security": "account security",
        "transaction_failure": "a failed transaction",
        "fees": "fees",
        "service": "our service",
        "usability": "using the app",
        "privacy": "privacy",
        "records": "your records",
        "other": "your concern",
    },
    "zh": {
        "upheld": "支持您的诉求",
        "partly_upheld": "部分支持您的诉求",
        "rejected": "未予支持",
        "none": "无",
        "security": "账户安全",
        "transaction_failure": "交易失败",
        "fees": "费用",
        "service": "服务",
        "usability": "使用体验",
        "privacy": "隐私",
        "records": "交易记录",
        "other": "其他问题",
    },
}


def locale_for(language: str) -> str:
    """The catalog language for a customer's tag: exact, then its primary subtag, then en."""
    tag = language.replace("_", "-").lower()
    if tag in _WORDS:
        return tag
    primary = tag.split("-", 1)[0]
    return primary if primary in _WORDS else "en"


def word(language: str, key: str) -> str:
    """A catalog word (outcome, category) in the customer's language."""
    return _WORDS[locale_for(language)].get(key, key)


def render(template: str, language: str, values: Mapping[str, str]) -> tuple[str, str, str]:
    """The ``(locale, subject, body)`` of ``template`` in the customer's language."""
    locale = locale_for(language)
    texts = CATALOG[template]
    subject, body = texts.get(locale) or texts["en"]
    return locale, subject.format_map(values), body.format_map(values)


def _placeholders(text: object, name: str, language: str) -> frozenset[str]:
    """The ``{fields}`` a ``(subject, body)`` pair uses."""
    if (
        not isinstance(text, tuple)
        or len(text) != 2
        or not all(isinstance(part, str) for part in text)
    ):
        raise ConfigurationError(
            f"message template {name!r} in {language!r} must be a (subject, body) pair of text"
        )
    try:
        return frozenset(
            field for part in text for _, field, _, _ in Formatter().parse(part) if field
        )
    except ValueError as exc:
        raise ConfigurationError(f"message template {name!r} in {language!r}: {exc}") from None


class Texts:
    """The message catalogue one ``Walletcare`` renders from: the built-in texts and each
    registered kind's own templates (a kind may not redefine a template another defines)."""

    def __init__(self, extra: Iterable[Templates] = ()) -> None:
        self.catalog: dict[str, Mapping[str, tuple[str, str]]] = dict(CATALOG)
        for templates in extra:
            self.add(templates)

    def add(self, templates: Templates) -> None:
        """Add a kind's templates; a name already taken, a template without English, or one
        whose languages do not use the same ``{placeholders}`` is a ``ConfigurationError``."""
        for name, texts in templates.items():
            if name in self.catalog and self.catalog[name] != texts:
                raise ConfigurationError(f"message template {name!r} is defined twice")
            if "en" not in texts:
                raise ConfigurationError(f"message template {name!r} needs an 'en' text")
            wanted = _placeholders(texts["en"], name, "en")
            for language, text in texts.items():
                found = _placeholders(text, name, language)
                if found != wanted:
                    raise ConfigurationError(
                        f"message template {name!r} in {language!r} uses "
                        f"{sorted(found)}, but in 'en' {sorted(wanted)}"
                    )
            self.catalog[name] = texts

    def check_rules(self, rules: Iterable[Rule]) -> None:
        """Refuse a rule's notice naming a template no kind defines, before a case needs it."""
        for i, rule in enumerate(rules):
            for j, action in enumerate(rule.then):
                if action.template and not self.has(action.template):
                    raise ValidationError.of(
                        f"rules[{i}].then[{j}].template",
                        f"no message template {action.template!r}",
                    )

    def has(self, template: str) -> bool:
        """Tell whether ``template`` is in the catalogue."""
        return template in self.catalog

    def render(
        self, template: str, language: str, values: Mapping[str, str]
    ) -> tuple[str, str, str]:
        """The ``(locale, subject, body)`` of ``template`` in the customer's language."""
        if template not in self.catalog:
            raise ConfigurationError(f"no message template {template!r}")
        locale = locale_for(language)
        texts = self.catalog[template]
        subject, body = texts.get(locale) or texts["en"]
        try:
            return locale, subject.format_map(values), body.format_map(values)
        except KeyError as missing:
            raise ConfigurationError(
                f"message template {template!r} needs a value for {missing}; given "
                f"{sorted(values)}"
            ) from None

    def word(self, language: str, key: str) -> str:
        """A catalogue word (outcome, category) in the customer's language."""
        return word(language, key)
