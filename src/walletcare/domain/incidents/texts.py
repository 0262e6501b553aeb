"""Every text an incident sends or shows, in English and Chinese, in one place.

Texts carry a case reference and no personal data, and never ask for a password or code.
"""

from __future__ import annotations

from typing import Final

__all__ = ["TEMPLATES", "WORDS"]

TEMPLATES: Final = {
    "incident.update": {
        "en": (
            "Update on the problem you reported ({ref})",
            "{title}: {status} You reported this problem; we are answering everyone it "
            "affected at once. We will never ask for your password or codes.",
        ),
        "zh": (
            "关于您反映问题的最新进展（{ref}）",
            "{title}：{status} 您曾反映此问题，我们正在统一答复所有受影响的用户。"
            "我们绝不会向您索要密码或验证码。",
        ),
    },
    "incident.status_page": {
        "en": (
            "{title} ({ref})",
            "{state}. {status} Complaints linked: {complaints}; customers affected: {customers}.",
        ),
        "zh": (
            "{title}（{ref}）",
            "{state}。{status} 关联投诉：{complaints} 件；受影响用户：{customers} 位。",
        ),
    },
    "incident.notice": {
        "en": (
            "Update on incident {ref}",
            "{summary} We will never ask for your password or codes.",
        ),
        "zh": (
            "事件 {ref} 的最新进展",
            "{summary} 我们绝不会向您索要密码或验证码。",
        ),
    },
    "incident.remedy": {
        "en": (
            "{remedy} of {amount} for incident {ref}",
            "Pay {amount} as a {remedy} to customer {customer}: {reason} (incident {ref}).",
        ),
        "zh": (
            "事件 {ref} 的{remedy} {amount}",
            "向用户 {customer} 支付{remedy} {amount}：{reason}（事件 {ref}）。",
        ),
    },
}
"""Templates by name and language: ``(subject, body)``."""

WORDS: Final = {
    "en": {"open": "Being handled", "solved": "Solved", "refund": "refund", "credit": "credit"},
    "zh": {"open": "处理中", "solved": "已解决", "refund": "退款", "credit": "补偿金"},
}
"""Single words the templates fill in, by language."""
