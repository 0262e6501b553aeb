"""Opening a dispute: what intake checks (every problem at once), and the deadlines it starts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from attrs import field, frozen

from walletcare.domain.disputes.events import DisputeOpened, DueBy, EvidenceRequested
from walletcare.domain.disputes.profiles import CompiledDisputePolicy, CreditRules, DisputeProfile
from walletcare.domain.disputes.state import Dispute, apply_all
from walletcare.domain.disputes.values import (
    DisputedTransaction,
    Participant,
    Party,
    Reason,
    Stage,
    convert,
)
from walletcare.domain.events import Actor, ActorRole, Event
from walletcare.domain.fees.exchange import ExchangeRate
from walletcare.domain.fieldtypes import text_problem
from walletcare.domain.money import is_currency
from walletcare.domain.regulatory import deadlines
from walletcare.errors import PermissionDenied, ValidationError

__all__ = [
    "NewDispute",
    "check_intake",
    "open_dispute",
    "evidence_windows",
    "credit_due",
]


def _tuple(value: Any) -> tuple[Any, ...]:
    return tuple(value) if isinstance(value, list | tuple) else value


@frozen(kw_only=True)
class NewDispute:
    """What a host passes to open a dispute; ``check_intake`` lists everything wrong with it.

    ``transactions`` are in one currency; ``account_currency`` is the customer's account's
    (the transactions' if empty) and, when it differs, ``rate`` converts between the two and
    is fixed for the life of the dispute. ``identity_verified``: whether the customer's
    identity is verified (wallets and prepaid accounts get provisional credit only then).
    """

    customer: Participant
    merchant: Participant
    wallet: Participant
    transactions: tuple[DisputedTransaction, ...] = field(converter=_tuple)
    reason: Reason | str
    description: str
    contact_channel: str
    contact_address: str
    profile: str = ""
    account_currency: str = ""
    rate: ExchangeRate | None = None
    language: str = "en"
    customer_zone: str = "UTC"
    product: str = "wallet"
    flags: tuple[str, ...] = field(default=(), converter=_tuple)
    identity_verified: bool = True
    complaint_id: str = ""


def _text(value: object, name: str, problems: dict[str, str], what: str = "is required") -> None:
    if not isinstance(value, str) or not value.strip():
        problems[name] = what
    elif (problem := text_problem(value)) is not None:
        problems[name] = problem


def check_intake(
    new: NewDispute, now: datetime, rules: CompiledDisputePolicy
) -> tuple[Reason, DisputeProfile]:
    """Raise one ``ValidationError`` listing every missing or wrong field; else the reason and
    profile the dispute opens under."""
    problems: dict[str, str] = {}
    for name, party in (
        ("customer", Party.CUSTOMER),
        ("merchant", Party.MERCHANT),
        ("wallet", Party.WALLET),
    ):
        who = getattr(new, name)
        if not isinstance(who, Participant):
            problems[name] = "must be a Participant"
        elif who.party is not party:
            problems[f"{name}.party"] = f"must be {party.value}, got {who.party.value}"
        else:
            try:
                rules.regulation.admit(who.jurisdiction)
            except ValidationError as exc:
                problems[f"{name}.jurisdiction"] = exc.problems["jurisdiction"]
    reason: Reason | None = None
    try:
        reason = Reason(new.reason)
    except ValueError:
        problems["reason"] = f"{new.reason!r} is not one of {', '.join(r.value for r in Reason)}"
    name = new.profile or rules.policy.default_profile
    profile = rules.profiles.get(name)
    if profile is None:
        problems["profile"] = f"{name!r} is not a dispute profile ({', '.join(rules.profiles)})"
    _text(new.description, "description", problems, "is required: say what went wrong")
    _text(new.contact_channel, "contact_channel", problems)
    _text(new.contact_address, "contact_address", problems)
    for flag_name in ("language", "customer_zone", "product", "complaint_id"):
        if not isinstance(getattr(new, flag_name), str):
            problems[flag_name] = "must be a string"
    if not isinstance(new.identity_verified, bool):
        problems["identity_verified"] = "must be true or false"
    if not isinstance(new.flags, tuple) or not all(isinstance(f, str) for f in new.flags):
        problems["flags"] = "must be a list of words"
    currency = _check_transactions(new, now, reason, profile, problems)
    _check_account(new, currency, problems)
    if problems:
        raise ValidationError(problems)
    assert reason is not None and profile is not None
    return reason, profile


def _check_transactions(
    new: NewDispute,
    now: datetime,
    reason: Reason | None,
    profile: DisputeProfile | None,
    problems: dict[str, str],
) -> str:
    txs = new.transactions
    if not isinstance(txs, tuple) or not txs:
        problems["transactions"] = "name at least one transaction"
        return ""
    currency = ""
    seen: set[str] = set()
    for i, tx in enumerate(txs):
        if not isinstance(tx, DisputedTransaction):
            problems[f"transactions[{i}]"] = "must be a DisputedTransaction"
            continue
        currency = currency or tx.amount.currency
        if tx.amount.currency != currency:
            problems[f"transactions[{i}].amount"] = f"must be in {currency}, like the first"
        if tx.id in seen:
            problems[f"transactions[{i}].id"] = f"{tx.id!r} is named twice"
        seen.add(tx.id)
        if tx.occurred_at > now:
            problems[f"transactions[{i}].occurred_at"] = "is in the future"
        elif reason is not None and profile is not None:
            window = profile.filing_window(reason)
            if now - tx.occurred_at > timedelta(days=window):
                problems[f"transactions[{i}].occurred_at"] = (
                    f"is {(now - tx.occurred_at).days} days ago; {profile.name} allows "
                    f"{window} days to file for {reason.value}"
                )
    return currency


def _check_account(new: NewDispute, currency: str, problems: dict[str, str]) -> None:
    account = new.account_currency or currency
    if new.account_currency and not is_currency(new.account_currency):
        problems["account_currency"] = f"{new.account_currency!r} is not an ISO 4217 currency"
        return
    if new.rate is not None and not isinstance(new.rate, ExchangeRate):
        problems["rate"] = "must be an ExchangeRate"
        return
    if currency and account != currency:
        if new.rate is None:
            problems["rate"] = f"is required to keep {currency} amounts in {account} as well"
        elif not new.rate.converts(currency, account):
            problems["rate"] = (
                f"converts {new.rate.base}/{new.rate.quote}, not {currency}/{account}"
            )


def evidence_windows(
    dispute: Dispute, stage: Stage, days: int, at: datetime, rules: CompiledDisputePolicy
) -> list[Event]:
    """An evidence window for each party, counted on its own jurisdiction's calendar: the
    customer and the merchant while the wallet decides, all three before a third party."""
    warn = rules.policy.evidence_warning
    third = stage in (Stage.MEDIATION, Stage.ARBITRATION)
    parties = dispute.parties if third else (dispute.customer, dispute.merchant)
    return [
        EvidenceRequested(
            at=at,
            by=_SYSTEM,
            dispute_id=dispute.id,
            party=p.party,
            stage=stage,
            due_by=rules.end_of_days(p.jurisdiction, at, days),
            source=f"{dispute.profile}:{stage.value} {days} days ({p.jurisdiction})",
            warn_before=warn,
        )
        for p in parties
    ]


_SYSTEM = Actor("system", "walletcare")


def _resolution_due(  # noqa: PLR0917 (private: the case's own parts)
    parties: Sequence[Participant],
    product: str,
    flags: tuple[str, ...],
    now: datetime,
    occurred: datetime,
    rules: CompiledDisputePolicy,
) -> tuple[DueBy, ...]:
    """Each party's jurisdiction's regulatory deadline for an answer (the stricter holds)."""
    found: list[DueBy] = []
    for code in dict.fromkeys(rules.regulation.code(p.jurisdiction) for p in parties):
        profile = rules.regulation.profile(code, product, rules.choices)
        if profile is None:
            continue
        due = deadlines(
            profile,
            flags=flags,
            received_at=now,
            occurred_at=occurred,
            calendar=rules.calendar(code),
            product=product,
        ).get("resolution")
        if due is not None:
            found.append(DueBy(source=f"{profile.name}@{code}:resolution", at=due.due_at))
    return tuple(sorted(found, key=lambda d: (d.at, d.source)))


def credit_due(
    credit: CreditRules,
    flags: tuple[str, ...],
    at: datetime,
    jurisdiction: str,
    rules: CompiledDisputePolicy,
) -> DueBy:
    """When provisional credit is due, counted from ``at`` (opening, or verification)."""
    new = "new_account" in flags
    days = credit.credit_business_days_new if new else credit.credit_business_days
    return DueBy(
        source=f"{credit.name}:provisional_credit {days} business days",
        at=rules.end_of_business_days(jurisdiction, at, days),
    )


def _may_open(by: object, new: NewDispute) -> None:
    if not isinstance(by, Actor):
        raise ValidationError.of("by", f"must be an Actor, got {type(by).__name__}")
    if by.role in (ActorRole.MERCHANT, ActorRole.REGULATOR):
        raise PermissionDenied("open a dispute", by, "customers, staff and the system may")
    if by.role is ActorRole.CUSTOMER and by.id != new.customer.id:
        raise PermissionDenied("open a dispute", by, "customers open their own disputes only")


def open_dispute(
    dispute_id: str, new: NewDispute, *, by: Actor, at: datetime, rules: CompiledDisputePolicy
) -> list[Event]:
    """Open a dispute: as an inquiry if the profile has one, else straight into the dispute stage
    with every party's evidence window. A customer opens their own disputes only; staff and
    the system open any; merchants and regulators none (``PermissionDenied``)."""
    _may_open(by, new)
    reason, profile = check_intake(new, at, rules)
    code = rules.regulation.code
    customer, merchant, wallet = (
        Participant(party=p.party, id=p.id, jurisdiction=code(p.jurisdiction))
        for p in (new.customer, new.merchant, new.wallet)
    )
    txs = new.transactions
    disputed = sum((t.disputed for t in txs[1:]), txs[0].disputed)
    account = new.account_currency or disputed.currency
    rate = new.rate if account != disputed.currency else None
    occurred = min(t.occurred_at for t in txs)
    credit = rules.credit_rules(customer.jurisdiction)
    if credit is not None and reason not in credit.reasons:
        credit = None
    flags = tuple(sorted(set(new.flags)))
    verified = new.identity_verified or new.product not in (
        credit.verify_products if credit else ()
    )
    investigation = None
    if credit is not None:
        extended = bool(credit.extended_flags & set(flags))
        days = credit.investigation_days_extended if extended else credit.investigation_days
        investigation = DueBy(
            source=f"{credit.name}:investigation {days} days",
            at=rules.end_of_days(customer.jurisdiction, at, days),
        )
    stage = Stage.INQUIRY if profile.inquiry_days else Stage.DISPUTE
    opened = DisputeOpened(
        at=at,
        by=by,
        dispute_id=dispute_id,
        customer=customer,
        merchant=merchant,
        wallet=wallet,
        transactions=txs,
        reason=reason,
        profile=profile.name,
        description=new.description.strip(),
        stage=stage,
        disputed=disputed,
        account_currency=account,
        disputed_account=convert(disputed, rate, account),
        rate=rate,
        contact_channel=new.contact_channel.strip(),
        contact_address=new.contact_address.strip(),
        language=new.language,
        customer_zone=new.customer_zone,
        product=new.product,
        flags=flags,
        complaint_id=new.complaint_id,
        identity_verified=verified,
        inquiry_until=rules.end_of_days(customer.jurisdiction, at, profile.inquiry_days)
        if profile.inquiry_days
        else None,
        resolution_due=_resolution_due(
            (customer, merchant, wallet), new.product, flags, at, occurred, rules
        ),
        credit_rules=credit.name if credit is not None else "",
        credit_due=credit_due(credit, flags, at, customer.jurisdiction, rules)
        if credit is not None and verified
        else None,
        investigation_due=investigation,
    )
    events: list[Event] = [opened]
    if stage is Stage.DISPUTE:
        events += evidence_windows(
            apply_all(None, events), Stage.DISPUTE, profile.respond_days, at, rules
        )
    return events
