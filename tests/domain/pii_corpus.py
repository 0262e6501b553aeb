"""A labelled corpus of zh/en customer and staff texts, generated from a fixed seed.

Each text carries the personal data it holds (kind and value), or none. Values are made
the way the real ones are: card numbers with a Luhn check digit, PRC resident ids with
their MOD 11-2 check character and a real birth date, IBANs with their MOD 97 check.
Texts without personal data are full of what looks like it: amounts, dates, times, case
and order references, transaction ids, percentages, counts.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable

from attrs import frozen

from walletcare.domain.messages import PiiKind

SEED = 20260302


@frozen
class Sample:
    """One labelled text: the kinds of personal data in it, in order (empty: none)."""

    text: str
    kinds: tuple[PiiKind, ...]
    language: str


def _luhn_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str((10 - total % 10) % 10)


def card(rng: random.Random) -> str:
    prefix = rng.choice(["4", "51", "52", "55", "62", "37"])
    length = 15 if prefix == "37" else 16
    body = prefix + "".join(rng.choice(string.digits) for _ in range(length - 1 - len(prefix)))
    number = body + _luhn_digit(body)
    if rng.random() < 0.5 and length == 16:
        return " ".join(number[i : i + 4] for i in range(0, 16, 4))
    return number


def resident_id(rng: random.Random) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    area = rng.choice(["110105", "310104", "440305", "510107", "330106"])
    born = f"{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body = area + born + f"{rng.randint(0, 999):03d}"
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]
    return body + check


def iban(rng: random.Random) -> str:
    country, length = rng.choice([("DE", 18), ("GB", 18), ("FR", 23), ("NL", 14)])
    if country == "GB":
        bban = "NWBK" + "".join(rng.choice(string.digits) for _ in range(14))
    elif country == "NL":
        bban = "ABNA" + "".join(rng.choice(string.digits) for _ in range(10))
    else:
        bban = "".join(rng.choice(string.digits) for _ in range(length))
    moved = bban + country + "00"
    check = 98 - int("".join(str(int(ch, 36)) for ch in moved)) % 97
    compact = f"{country}{check:02d}{bban}"
    if rng.random() < 0.5:
        return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
    return compact


def phone(rng: random.Random) -> str:
    mobile = f"1{rng.choice('3456789')}{rng.randint(0, 999_999_999):09d}"
    return rng.choice(
        [
            mobile,
            f"+86 {mobile[:3]} {mobile[3:7]} {mobile[7:]}",
            f"+86-{mobile}",
            f"+44 20 {rng.randint(7000, 8999)} {rng.randint(1000, 9999)}",
            f"({rng.randint(201, 989)}) {rng.randint(200, 999)}-{rng.randint(1000, 9999)}",
            f"0{rng.randint(10, 99)}-{rng.randint(1000_0000, 9999_9999)}",
        ]
    )


def email(rng: random.Random) -> str:
    user = rng.choice(["zhang.wei", "li_na", "alice", "bob.smith", "wang+pay", "chen88"])
    domain = rng.choice(["example.com", "mail.example.cn", "qq.example", "corp.example.co.uk"])
    return f"{user}@{domain}"


def account(rng: random.Random) -> tuple[str, str]:
    number = "".join(rng.choice(string.digits) for _ in range(rng.randint(8, 12)))
    return number, rng.choice(["en", "zh"])


PII: dict[PiiKind, Callable[[random.Random], str]] = {
    PiiKind.PHONE: phone,
    PiiKind.CARD: card,
    PiiKind.RESIDENT_ID: resident_id,
    PiiKind.EMAIL: email,
    PiiKind.IBAN: iban,
}

EN_WITH = [
    "Please note the customer's {label} is {value}, as given on the call.",
    "Customer said their {label} {value} was used without consent.",
    "We have your {label} on file as {value}; nothing else is needed.",
    "Refund of CNY 35.00 will go back to {label} {value} within 3 days.",
    "Case cmp_4471: the {label} {value} was checked on 2026-03-02 at 14:05.",
]
ZH_WITH = [
    "客户在电话中提供的{label}为{value}，已记录。",
    "客户称其{label}{value}在未经授权的情况下被使用。",
    "退款 CNY 35.00 将在3个工作日内退回至{label}{value}。",
    "投诉 cmp_4471：已于2026-03-02 14:05核对{label} {value}。",
    "我们已登记您的{label}：{value}，无需再提供其他信息。",
]
LABELS = {
    PiiKind.PHONE: ("phone number", "手机号"),
    PiiKind.CARD: ("card", "银行卡"),
    PiiKind.RESIDENT_ID: ("ID number", "身份证号"),
    PiiKind.EMAIL: ("e-mail", "邮箱"),
    PiiKind.IBAN: ("IBAN", "IBAN"),
}
NEGATIVE_EN = [
    "We refunded CNY {amount} on {date} at {time}; your balance is now CNY {amount2}.",
    "Your complaint {ref} about transaction {tx} is being handled by team {team}.",
    "The fee of {pct}% on a withdrawal of EUR {amount} has been waived for {n} months.",
    "Order {order} was placed on {date} and delivered on {date2} at {time}.",
    "Please reply by {date} {time} (Asia/Shanghai); we will answer within {n} business days.",
    "Version {ver} of the fee schedule applies from {date}; {n} customers are affected.",
    "Withdrawal {tx} of JPY {big} failed at {time} and was reversed on {date}.",
    "Reference {ref}: {n} transfers totalling USD {amount} were checked, {n2} were late.",
]
NEGATIVE_ZH = [
    "我们已于{date} {time}退还 CNY {amount}，您的余额现为 CNY {amount2}。",
    "您关于交易 {tx} 的投诉 {ref} 正由{team}团队处理。",
    "提现 EUR {amount} 的 {pct}% 手续费已免除，为期{n}个月。",
    "订单 {order} 于{date}下单，于{date2} {time}送达。",
    "请在{date} {time}（北京时间）前回复，我们将在{n}个工作日内答复。",
    "费率表第 {ver} 版自{date}起适用，涉及{n}位客户。",
    "提现 {tx}（JPY {big}）于{time}失败，已于{date}冲正。",
    "编号 {ref}：共核查{n}笔转账，合计 USD {amount}，其中{n2}笔延迟。",
]


def _negative_values(rng: random.Random) -> dict[str, str]:
    day = f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    return {
        "amount": f"{rng.randint(1, 99_999):,}.{rng.randint(0, 99):02d}",
        "amount2": f"{rng.randint(1, 9_999)}.{rng.randint(0, 99):02d}",
        "big": f"{rng.randint(1_000_000, 99_999_999):,}",
        "date": day,
        "date2": f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.2026",
        "time": f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
        "ref": f"cmp_{rng.randint(1000, 99_999)}",
        "tx": f"wd-2026{rng.randint(101, 1231):04d}-{rng.randint(1, 9999):04d}",
        "team": rng.choice(["withdrawals", "fees", "security"]),
        "pct": f"{rng.randint(1, 9)}.{rng.randint(0, 9)}",
        "n": str(rng.randint(1, 30)),
        "n2": str(rng.randint(0, 9)),
        "order": f"{rng.randint(10_000_000, 99_999_999)}",
        "ver": f"{rng.randint(1, 9)}.{rng.randint(0, 20)}",
    }


def corpus(size_per_kind: int = 24, negatives: int = 150) -> list[Sample]:
    """``size_per_kind`` texts per kind of personal data (half en, half zh), plus an
    account-number set, plus ``negatives`` texts without any."""
    rng = random.Random(SEED)
    samples: list[Sample] = []
    for kind, make in PII.items():
        for i in range(size_per_kind):
            zh = i % 2 == 1
            template = rng.choice(ZH_WITH if zh else EN_WITH)
            label = LABELS[kind][1 if zh else 0]
            text = template.format(label=label, value=make(rng))
            samples.append(Sample(text=text, kinds=(kind,), language="zh" if zh else "en"))
    for i in range(size_per_kind):
        number, _ = account(rng)
        zh = i % 2 == 1
        text = (
            rng.choice(["请核对账号：{n}。", "客户账户 {n} 已冻结。", "退款将转入账号{n}。"])
            if zh
            else rng.choice(
                ["Please check account no. {n}.", "Account {n} was frozen.", "Refund to acct #{n}."]
            )
        ).format(n=number)
        samples.append(Sample(text=text, kinds=(PiiKind.ACCOUNT,), language="zh" if zh else "en"))
    for i in range(negatives):
        zh = i % 2 == 1
        template = rng.choice(NEGATIVE_ZH if zh else NEGATIVE_EN)
        samples.append(
            Sample(
                text=template.format(**_negative_values(rng)),
                kinds=(),
                language="zh" if zh else "en",
            )
        )
    return samples
