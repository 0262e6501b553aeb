"""Fee disclosures in the customer's language: the schedule, a quote, a remittance disclosure
(Reg E style, with "Total to Recipient") and a currency-conversion mark-up statement (CBPR).

Numbers, currencies, percentages and dates are formatted by Babel for the locale (CLDR
symbols, grouping and order), always showing the ISO 4217 minor units walletcare computes
in, even where CLDR would show fewer. Texts exist in English and Chinese; any other
locale's numbers are formatted in it, with English words.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Final
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import NumberPattern, format_decimal, format_percent, parse_pattern

from walletcare.domain.fees import (
    ANY,
    CompiledSchedule,
    FeeCharging,
    FeeRule,
    LineKind,
    Quote,
    ScheduleVersion,
    TierMode,
    quote,
)
from walletcare.domain.money import Money, minor_units
from walletcare.errors import ValidationError

__all__ = [
    "Disclosure",
    "locale_of",
    "format_money",
    "disclose_schedule",
    "disclose_quote",
    "remittance_disclosure",
    "markup_statement",
]

Disclosure = str
"""A rendered disclosure: plain text, one item per line."""

_HUNDRED = Decimal(100)

_TEXT: Final[Mapping[str, Mapping[str, str]]] = {
    "en": {
        "top_up": "Top-up",
        "withdrawal": "Withdrawal",
        "transfer": "Transfer",
        "p2p": "Payment to a person",
        "merchant_payment": "Payment to a merchant",
        "cross_border": "Cross-border payment",
        "fx_conversion": "Currency conversion",
        "any_channel": "any channel",
        "any_segment": "all customers",
        "channel": "channel {name}",
        "segment": "customers {name}",
        "title": "Fee schedule {name}, version {version}: in force from {effective} "
        "(announced {announced})",
        "free_rule": "no fee",
        "fixed": "{amount} per transaction",
        "percent": "{percent} of the amount",
        "tier": "{percent} up to {bound}",
        "tier_last": "{percent} above",
        "tiers_graduated": "each part of the amount at its band's rate: {bands}",
        "tiers_whole": "the whole amount at its band's rate: {bands}",
        "minimum": "minimum {amount}",
        "maximum": "maximum {amount}",
        "free": "the first {count} each calendar month are free",
        "tax": "plus {name} of {percent} on the fee",
        "markup": "currency conversion: {percent} over the reference rate",
        "deducted": "taken out of the amount",
        "no_other": "No other fees are charged.",
        "examples": "Worked examples",
        "example": "{type}, {amount}: fee {fee}",
        "example_after_free": " (after the free ones)",
        "example_markup": "; converting costs {markup} more ({percent} mark-up)",
        "colon": ": ",
        "comma": ", ",
        "quote_title": "{type}: {amount}",
        "line_fixed": "Fixed fee",
        "line_percentage": "{percent} of the amount",
        "line_tiered": "Tiered fee",
        "line_minimum": "Raised to the minimum fee",
        "line_maximum": "Capped at the maximum fee",
        "line_allowance": "Free this month ({left} free left after this one)",
        "line_tax": "{name} ({percent})",
        "line_fx_markup": "Currency conversion mark-up ({percent} over the reference rate)",
        "no_fee": "No fee",
        "fees_total": "Fees",
        "you_pay": "You pay",
        "recipient_gets": "Recipient gets",
        "rate": "Exchange rate: {one} = {rate} (reference {reference}{source})",
        "re_transfer_amount": "Transfer Amount",
        "re_fees": "Transfer Fees",
        "re_taxes": "Transfer Taxes",
        "re_total": "Total",
        "re_rate": "Exchange Rate",
        "re_other_fees": "Other Fees",
        "re_to_recipient": "Total to Recipient",
        "re_disclaimer": "Recipient may receive less due to fees charged by the recipient's "
        "bank and foreign taxes.",
        "cb_statement": "{amount} converted at the reference rate {reference}{source} is "
        "{converted}. Our currency conversion charges are {markup}, a mark-up of {percent} "
        "over that rate. Total: {total}.",
    },
    "zh": {
        "top_up": "充值",
        "withdrawal": "提现",
        "transfer": "转账",
        "p2p": "向个人付款",
        "merchant_payment": "向商户付款",
        "cross_border": "跨境支付",
        "fx_conversion": "货币兑换",
        "any_channel": "所有渠道",
        "any_segment": "所有客户",
        "channel": "渠道 {name}",
        "segment": "客户类别 {name}",
        "title": "收费标准 {name}（版本 {version}）：自{effective}起施行（{announced}公告）",
        "free_rule": "免费",
        "fixed": "每笔{amount}",
        "percent": "按金额的{percent}收取",
        "tier": "{bound}以内{percent}",
        "tier_last": "超出部分{percent}",
        "tiers_graduated": "分段累进计费：{bands}",
        "tiers_whole": "按金额所在档位的费率全额计费：{bands}",
        "minimum": "最低{amount}",
        "maximum": "最高{amount}",
        "free": "每个自然月前{count}笔免费",
        "tax": "另按手续费的{percent}收取{name}",
        "markup": "货币转换：在参考汇率基础上加价{percent}",
        "deducted": "从金额中扣除",
        "no_other": "除上述费用外，不收取任何其他费用。",
        "examples": "计费示例",
        "example": "{type}，{amount}：手续费{fee}",
        "example_after_free": "（免费笔数用完后）",
        "example_markup": "；货币转换另收{markup}（加价{percent}）",
        "colon": "：",
        "comma": "，",
        "quote_title": "{type}：{amount}",
        "line_fixed": "固定费用",
        "line_percentage": "金额的{percent}",
        "line_tiered": "分档费用",
        "line_minimum": "按最低收费补足",
        "line_maximum": "按最高收费封顶",
        "line_allowance": "本月免费（此笔之后还剩{left}笔免费）",
        "line_tax": "{name}（{percent}）",
        "line_fx_markup": "货币转换加价（高于参考汇率{percent}）",
        "no_fee": "无手续费",
        "fees_total": "费用合计",
        "you_pay": "您需支付",
        "recipient_gets": "收款方收到",
        "rate": "汇率：{one} = {rate}（参考汇率 {reference}{source}）",
        "re_transfer_amount": "汇款金额",
        "re_fees": "汇款手续费",
        "re_taxes": "汇款税费",
        "re_total": "合计",
        "re_rate": "汇率",
        "re_other_fees": "其他费用",
        "re_to_recipient": "收款人实收金额",
        "re_disclaimer": "收款人可能因收款银行收取的费用及境外税费而实收较少。",
        "cb_statement": "{amount}按参考汇率 {reference}{source} 折合{converted}。"
        "我们的货币转换费用为{markup}，即在该汇率基础上加价{percent}。合计：{total}。",
    },
}


def locale_of(locale: str) -> Locale:
    """The Babel locale for a tag such as ``en``, ``zh_CN`` or ``zh-CN``."""
    try:
        return Locale.parse(str(locale).replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        raise ValidationError.of("locale", f"{locale!r} is not a known locale") from None


def _words(loc: Locale) -> Mapping[str, str]:
    return _TEXT.get(loc.language, _TEXT["en"])


def _pattern(loc: Locale, digits: int) -> NumberPattern:
    pattern = copy.copy(parse_pattern(loc.currency_formats["standard"]))
    pattern.frac_prec = (digits, digits)
    return pattern


def format_money(money: Money, locale: str | Locale) -> str:
    """``money`` as the locale writes currency, with the currency's ISO 4217 minor units."""
    loc = locale if isinstance(locale, Locale) else locale_of(locale)
    digits = minor_units(money.currency)
    text: str = _pattern(loc, digits).apply(
        money.amount, loc, currency=money.currency, currency_digits=False
    )
    return text


def _percent(value: Decimal, loc: Locale) -> str:
    return format_percent(value / _HUNDRED, locale=loc, decimal_quantization=False)


def _rate(value: Decimal, loc: Locale) -> str:
    return format_decimal(value, format="#,##0.0000", locale=loc)


def _date(moment: datetime, zone: ZoneInfo, loc: Locale) -> str:
    return format_date(moment.astimezone(zone).date(), format="long", locale=loc)


def _rule_parts(rule: FeeRule, loc: Locale) -> list[str]:
    w = _words(loc)

    def money(amount: Decimal) -> str:
        return format_money(Money(amount, rule.currency), loc)

    parts: list[str] = []
    if rule.fixed:
        parts.append(w["fixed"].format(amount=money(rule.fixed)))
    if rule.tiers:
        bands = [
            w["tier_last"].format(percent=_percent(tier.percent, loc))
            if tier.up_to is None
            else w["tier"].format(percent=_percent(tier.percent, loc), bound=money(tier.up_to))
            for tier in rule.tiers
        ]
        key = "tiers_whole" if rule.tier_mode is TierMode.WHOLE else "tiers_graduated"
        parts.append(w[key].format(bands=w["comma"].join(bands)))
    elif rule.percent:
        parts.append(w["percent"].format(percent=_percent(rule.percent, loc)))
    for name, limit in (("minimum", rule.minimum), ("maximum", rule.maximum)):
        if limit is not None:
            parts.append(w[name].format(amount=money(limit)))
    if rule.free_per_month:
        parts.append(w["free"].format(count=rule.free_per_month))
    parts.extend(
        w["tax"].format(name=tax.name, percent=_percent(tax.percent, loc)) for tax in rule.taxes
    )
    if rule.fx_markup_percent is not None:
        parts.append(w["markup"].format(percent=_percent(rule.fx_markup_percent, loc)))
    if rule.charging is FeeCharging.DEDUCTED:
        parts.append(w["deducted"])
    return parts


def _rule_text(rule: FeeRule, loc: Locale) -> str:
    w = _words(loc)
    where = [
        w["any_channel"] if rule.channel == ANY else w["channel"].format(name=rule.channel),
        w["any_segment"] if rule.segment == ANY else w["segment"].format(name=rule.segment),
    ]
    kind = w[rule.transaction_type.value]
    parts = _rule_parts(rule, loc)
    if loc.language == "zh":
        head, sep, colon = f"{kind}（{'，'.join(where)}）", "，", "："
    else:
        head, sep, colon = f"{kind} ({', '.join(where)})", ", ", ": "
    return f"- [{rule.id}] {head}{colon}{sep.join(parts) or w['free_rule']}"


def disclose_schedule(
    schedule: CompiledSchedule,
    locale: str,
    *,
    version: ScheduleVersion | None = None,
    examples: Sequence[int | str | Decimal] = ("100", "1000", "10000"),
) -> Disclosure:
    """The published schedule (the latest version unless ``version`` is given), every rule in
    words, then worked examples: each rule's service fee for each amount in ``examples``."""
    loc = locale_of(locale)
    w = _words(loc)
    chosen = version or schedule.schedule.versions[-1]
    compiled = schedule.version(chosen.id)
    zone = schedule.zone
    lines = [
        w["title"].format(
            name=schedule.name,
            version=chosen.id,
            effective=_date(chosen.effective_from, zone, loc),
            announced=_date(chosen.announced_at, zone, loc),
        )
    ]
    lines.extend(_rule_text(rule, loc) for rule in chosen.rules)
    lines.append(w["no_other"])
    lines.append(f"{w['examples']}{w['colon'].strip()}")
    for rule in chosen.rules:
        for raw in examples:
            amount = Money.of(raw, rule.currency).quantize()
            try:
                priced = quote(
                    compiled,
                    transaction_type=rule.transaction_type,
                    amount=amount,
                    channel=rule.channel,
                    segment=rule.segment,
                    used_this_month=rule.free_per_month,
                )
            except ValidationError:
                continue  # a deducted fee larger than the amount: no example to give
            text = w["example"].format(
                type=w[rule.transaction_type.value],
                amount=format_money(amount, loc),
                fee=format_money(priced.fees, loc),
            )
            if rule.free_per_month:
                text += w["example_after_free"]
            if rule.fx_markup_percent:
                markup = (amount * (rule.fx_markup_percent / _HUNDRED)).quantize()
                text += w["example_markup"].format(
                    markup=format_money(markup, loc),
                    percent=_percent(rule.fx_markup_percent, loc),
                )
            lines.append(f"- [{rule.id}] {text}")
    return "\n".join(lines)


def _line_label(kind: LineKind, percent: Decimal | None, label: str, left: int, loc: Locale) -> str:
    w = _words(loc)
    pct = _percent(percent, loc) if percent is not None else ""
    return w[f"line_{kind.value}"].format(percent=pct, name=label, left=left)


def disclose_quote(priced: Quote, locale: str) -> Disclosure:
    """A quote before payment: each fee line, the total, what the payer pays and the
    recipient gets, and the exchange rate if there is a conversion."""
    loc = locale_of(locale)
    w = _words(loc)
    lines = [
        w["quote_title"].format(
            type=w[priced.transaction_type.value], amount=format_money(priced.amount, loc)
        )
    ]
    for line in priced.lines:
        label = _line_label(line.kind, line.percent, line.label, priced.free_left, loc)
        lines.append(f"- {label}{w['colon']}{format_money(line.amount, loc)}")
    if not priced.lines:
        lines.append(f"- {w['no_fee']}")
    for key, money in (
        ("fees_total", priced.fees),
        ("you_pay", priced.total_paid),
        ("recipient_gets", priced.recipient_gets),
    ):
        lines.append(f"{w[key]}{w['colon']}{format_money(money, loc)}")
    conversion = priced.conversion
    if conversion is not None:
        one = format_money(Money.of(1, conversion.payer_currency).quantize(), loc)
        rate = conversion.applied_rate
        lines.append(
            w["rate"].format(
                one=one,
                rate=f"{_rate(rate, loc)} {conversion.recipient_currency}",
                reference=_rate(conversion.reference_rate, loc),
                source=_source(conversion.reference.source),
            )
        )
    return "\n".join(lines)


def _source(source: str) -> str:
    return f", {source}" if source else ""


def remittance_disclosure(priced: Quote, locale: str = "en") -> Disclosure:
    """A pre-payment remittance disclosure in the order of Reg E 1005.31(b)(1): amount, fees,
    taxes, total, exchange rate, amount in the recipient's currency, other fees, Total to
    Recipient, and the notice that the recipient may receive less."""
    loc = locale_of(locale)
    w = _words(loc)
    conversion = priced.conversion
    if conversion is not None and conversion.payer_currency != priced.amount.currency:
        raise ValidationError.of(
            "quote", "a remittance disclosure needs the amount sent fixed (quote with pay_out)"
        )
    currency = priced.amount.currency
    taxes = sum((x.amount.amount for x in priced.lines if x.kind is LineKind.TAX), Decimal(0))
    fees = priced.fees.amount - taxes
    rows = [
        (w["re_transfer_amount"], format_money(priced.amount, loc)),
        (w["re_fees"], "+" + format_money(Money(fees, currency).quantize(), loc)),
        (w["re_taxes"], "+" + format_money(Money(taxes, currency).quantize(), loc)),
        (w["re_total"], format_money(priced.total_paid, loc)),
    ]
    received = priced.recipient_gets
    if conversion is not None:
        one = format_money(Money.of(1, currency).quantize(), loc)
        applied = _rate(conversion.applied_rate, loc)
        rows.append((w["re_rate"], f"{one} = {applied} {conversion.recipient_currency}"))
        rows.append((w["re_transfer_amount"], format_money(received, loc)))
    zero = Money.zero(received.currency)
    rows.append((w["re_other_fees"], "-" + format_money(zero, loc)))
    rows.append((w["re_to_recipient"], format_money(received, loc)))
    width = max(len(label) for label, _ in rows)
    lines = [f"{label.ljust(width)}  {value}" for label, value in rows]
    lines.append(w["re_disclaimer"])
    return "\n".join(lines)


def markup_statement(priced: Quote, locale: str = "en") -> Disclosure:
    """The currency-conversion charges as a percentage mark-up over the reference rate, as
    the EU Cross-border Payments Regulation asks of card payments in another currency."""
    loc = locale_of(locale)
    conversion = priced.conversion
    if conversion is None or conversion.payer_currency == priced.amount.currency:
        raise ValidationError.of(
            "quote", "a mark-up statement needs a payment abroad (quote with pay_in)"
        )
    reference = conversion.reference
    return _words(loc)["cb_statement"].format(
        amount=format_money(priced.amount, loc),
        reference=f"{_rate(reference.rate, loc)} {reference.quote}/{reference.base}",
        source=_source(reference.source),
        converted=format_money(conversion.at_reference, loc),
        markup=format_money(conversion.markup, loc),
        percent=_percent(conversion.markup_percent, loc),
        total=format_money(priced.total_paid, loc),
    )
