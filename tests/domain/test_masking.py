"""Personal data in outbound text: found by shape and check digits, masked, measured."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.domain.pii_corpus import corpus
from walletcare.domain.messages import (
    PiiKind,
    find_pii,
    iban_valid,
    luhn_valid,
    mask_pii,
    resident_id_valid,
)

CORPUS = corpus()


def test_corpus_catches_every_kind_with_at_most_one_percent_false_positives() -> None:
    """Every labelled piece of personal data is found as its kind; texts without any are
    left alone in at least 99 of 100 cases (the figures are printed)."""
    caught: Counter[PiiKind] = Counter()
    total: Counter[PiiKind] = Counter()
    missed = []
    false_positives = []
    for sample in CORPUS:
        found = tuple(f.kind for f in find_pii(sample.text))
        if sample.kinds:
            for kind in sample.kinds:
                total[kind] += 1
                if kind in found:
                    caught[kind] += 1
                else:
                    missed.append((sample.text, found))
            if set(found) - set(sample.kinds):
                false_positives.append((sample.text, found))
        elif found:
            false_positives.append((sample.text, found))
    negatives = sum(1 for s in CORPUS if not s.kinds)
    languages = Counter(s.language for s in CORPUS)
    rate = len(false_positives) / len(CORPUS)
    print(
        f"\nPII corpus: {len(CORPUS)} texts ({languages['en']} en, {languages['zh']} zh), "
        f"{negatives} without personal data"
    )
    for kind in PiiKind:
        print(f"  {kind.value:<12} caught {caught[kind]}/{total[kind]}")
    print(f"  false positives: {len(false_positives)}/{len(CORPUS)} = {rate:.2%}")
    assert len(CORPUS) >= 200 and languages["en"] >= 100 and languages["zh"] >= 100
    assert set(total) == set(PiiKind)
    assert missed == []
    assert rate <= 0.01, false_positives


def test_masking_keeps_only_the_last_digits() -> None:
    """A masked card keeps its last four digits; the rest of the text is untouched."""
    text, kinds = mask_pii("Card 4111 1111 1111 1111 was charged CNY 17.50 on 2026-03-02.")
    assert text == "Card ************1111 was charged CNY 17.50 on 2026-03-02."
    assert kinds == (PiiKind.CARD,)


def test_masking_follows_the_kinds_asked_for() -> None:
    """Kinds the policy leaves out are not masked."""
    text, kinds = mask_pii("mail a.b@example.com, call 13800138000", [PiiKind.EMAIL])
    assert text == "mail a***@example.com, call 13800138000" and kinds == (PiiKind.EMAIL,)


@pytest.mark.parametrize(
    ("number", "valid"),
    [("4111111111111111", True), ("4111111111111112", False), ("79927398713", True)],
)
def test_luhn(number: str, valid: bool) -> None:
    """The Luhn check accepts real card numbers and refuses one digit off."""
    assert luhn_valid(number) is valid


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("11010519491231002X", True),
        ("110105194912310021", False),  # wrong check character
        ("110105194913310025", False),  # month 13
    ],
)
def test_resident_id(number: str, valid: bool) -> None:
    """A PRC resident id needs its MOD 11-2 check character and a real birth date."""
    assert resident_id_valid(number) is valid


def test_iban_check() -> None:
    """An IBAN passes MOD 97; one digit changed does not, and is not masked as one."""
    assert iban_valid("DE89 3704 0044 0532 0130 00")
    assert not iban_valid("DE89 3704 0044 0532 0130 01")
    assert PiiKind.IBAN not in {f.kind for f in find_pii("IBAN DE89 3704 0044 0532 0130 01")}
