"""What a follow-up says, per language: what it asks, how the answer is used, how to stop.

Every text carries only a reference (never an account number), never asks for a password or
code, and says how the answer is used and how to opt out. The customer-message layer closes
each with the host's verification hint (that walletcare never asks for passwords or codes).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

__all__ = ["TEMPLATES"]

TEMPLATES: Final[Mapping[str, Mapping[str, tuple[str, str]]]] = {
    "followup.csat": {
        "en": (
            "How did we do? ({ref})",
            "How satisfied are you with how we handled {ref}? Reply with a number from 1 (not "
            "at all) to 5 (very). Your answer is used only to improve our service, and a low "
            "score reopens your case. Reply {stop} to stop surveys.",
        ),
        "zh": (
            "服务评价（{ref}）",
            "您对我们处理 {ref} 的结果满意吗？请回复 1（很不满意）到 5（非常满意）。您的回答仅用于改进服务，"
            "低分将重新开启您的案件。回复 {stop} 退订调查。",
        ),
    },
    "followup.nps": {
        "en": (
            "Would you recommend us? ({ref})",
            "How likely are you to recommend us to a friend, from 0 (not at all) to 10 "
            "(extremely)? Your answer is used only to improve our service, and a low score "
            "reopens your case. Reply {stop} to stop surveys.",
        ),
        "zh": (
            "您会推荐我们吗？（{ref}）",
            "您向朋友推荐我们的可能性有多大？请回复 0（完全不会）到 10（非常愿意）。您的回答仅用于改进服务，"
            "低分将重新开启您的案件。回复 {stop} 退订调查。",
        ),
    },
    "followup.confirmation": {
        "en": (
            "Was this you? ({ref})",
            "A payment of {amount} (transaction {transaction}) was made from your wallet. "
            "Reply 1 if it was you, 0 if it was not: we then open a security case at once. "
            "Your answer is used only to protect your account. Reply {stop} to stop these "
            "checks.",
        ),
        "zh": (
            "是您本人操作吗？（{ref}）",
            "您的钱包完成了一笔 {amount} 的支付（交易 {transaction}）。如是本人操作请回复 1，"
            "如不是请回复 0，我们将立即为您开立安全案件。您的回答仅用于保护您的账户。回复 {stop} 退订此类确认。"
        ),
    },
    "followup.staff_alert": {
        "en": (
            "Follow-up {ref}: {summary}",
            "Follow-up {ref}: {summary}. Case {case}. Answer: {answer}.",
        ),
    },
}
"""What a follow-up says, per language: what it asks, how the answer is used, how to stop."""
