"""Every text a dispute sends its customer, in English and Chinese, in one place.

Templates are ``(subject, body)`` pairs with ``{placeholders}``; ``WORDS`` are the reason,
offer and party names the bodies use. Texts carry a case reference, never an account number,
and never ask for a password or code (every customer message ends with the host's
verification hint, which says so).
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["TEMPLATES", "WORDS", "word"]

TEMPLATES: Mapping[str, Mapping[str, tuple[str, str]]] = {
    "dispute.opened": {
        "en": (
            "We opened dispute {ref}",
            "We opened your dispute {ref} about {reason} for {amount}. {next_step}",
        ),
        "zh": (
            "我们已受理争议 {ref}",
            "我们已受理您关于{reason}的争议 {ref}，争议金额 {amount}。{next_step}",
        ),
    },
    "dispute.evidence_requested": {
        "en": (
            "Dispute {ref}: your evidence is due by {due_by}",
            "Please send what supports your dispute {ref} (receipts, messages, tracking) in the "
            "app by {due_by}. You can submit once.",
        ),
        "zh": (
            "争议 {ref}：请于 {due_by} 前提交证据",
            "请于 {due_by} 前在应用内提交支持您争议 {ref} 的材料（收据、聊天记录、物流单号），"
            "仅可提交一次。",
        ),
    },
    "dispute.offer": {
        "en": (
            "Dispute {ref}: an offer from the {party}",
            "The {party} offers {offer}{amount}. {reasons} You can accept, decline or counter it "
            "in the app until {expires_at}.",
        ),
        "zh": (
            "争议 {ref}：{party}提出了方案",
            "{party}提出：{offer}{amount}。{reasons} 您可在 {expires_at} 前在应用内接受、拒绝或还价。",
        ),
    },
    "dispute.credit_notice": {
        "en": (
            "Dispute {ref}: we credited {amount} provisionally",
            "While we investigate dispute {ref} we credited {amount} to your account on {date}. "
            "If we find there was no error we may take it back; we will tell you first and honour "
            "payments for {honour} business days.",
        ),
        "zh": (
            "争议 {ref}：已临时入账 {amount}",
            "在调查争议 {ref} 期间，我们已于 {date} 向您的账户临时入账 {amount}。如调查认定不存在差错，"
            "我们可能收回该款项，并会事先通知您，且在 {honour} 个工作日内照常兑付。",
        ),
    },
    "dispute.credit_reversal": {
        "en": (
            "Dispute {ref}: provisional credit of {amount} will be taken back",
            "Our finding on dispute {ref}: {explanation} We will take back {amount} of the "
            "provisional credit on {reverse_at}; until then payments are honoured.",
        ),
        "zh": (
            "争议 {ref}：将收回临时入账 {amount}",
            "争议 {ref} 的调查结论：{explanation} 我们将于 {reverse_at} 收回临时入账 {amount}，"
            "在此之前照常兑付。",
        ),
    },
    "dispute.outcome": {
        "en": (
            "Dispute {ref}: the outcome",
            "Outcome ({basis}): {explanation} You receive {award}{account}; {paid_by}. "
            "{next_step}",
        ),
        "zh": (
            "争议 {ref}：处理结果",
            "处理结果（{basis}）：{explanation} 您将获得 {award}{account}，{paid_by}。{next_step}",
        ),
    },
    "dispute.closed": {
        "en": ("Dispute {ref} is closed", "Your dispute {ref} is closed: {reason}."),
        "zh": ("争议 {ref} 已关闭", "您的争议 {ref} 已关闭：{reason}。"),
    },
    "dispute.update": {
        "en": ("An update on dispute {ref}", "{summary}"),
        "zh": ("争议 {ref} 进展", "{summary}"),
    },
}
"""The dispute kind's message templates (``CaseKind.templates``)."""

WORDS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "unauthorized": "a payment you did not authorise",
        "failed_but_debited": "a failed payment that was debited",
        "duplicate": "a duplicate charge",
        "refund_not_received": "a refund you did not receive",
        "not_received": "goods or a service not received",
        "not_as_described": "goods or a service not as described",
        "incorrect_amount": "an incorrect amount",
        "records_wrong": "a wrong record",
        "subscription_cancelled": "a cancelled subscription still charged",
        "other": "a transaction",
        "full_refund": "a full refund",
        "partial_refund": "a partial refund",
        "refund_with_return": "a refund once the item is returned",
        "replacement": "a replacement",
        "credit": "a credit",
        "rejection": "no refund",
        "customer": "customer",
        "merchant": "merchant",
        "wallet": "wallet",
        "agreement": "agreed",
        "decision": "decided",
        "third_party": "decided by a third party",
        "ignored_offer": "offer not answered",
        "lapsed": "inquiry lapsed",
        "withdrawn": "withdrawn",
        "paid_by": "paid by the {payer}",
        "no_payment": "nothing is to be paid",
        "inquiry": "If it is not settled, you can escalate it to a formal dispute until {until}.",
        "dispute": "Each party may send evidence until {until}.",
        "appealable": "You may appeal or refer this decision until {until}.",
        "final": "This outcome is final.",
    },
    "zh": {
        "unauthorized": "未经授权的支付",
        "failed_but_debited": "交易失败但已扣款",
        "duplicate": "重复扣款",
        "refund_not_received": "未收到退款",
        "not_received": "未收到商品或服务",
        "not_as_described": "商品或服务与描述不符",
        "incorrect_amount": "扣款金额有误",
        "records_wrong": "交易记录有误",
        "subscription_cancelled": "已取消的订阅仍被扣费",
        "other": "一笔交易",
        "full_refund": "全额退款",
        "partial_refund": "部分退款",
        "refund_with_return": "退货后退款",
        "replacement": "换货",
        "credit": "补偿额度",
        "rejection": "不予退款",
        "customer": "客户",
        "merchant": "商户",
        "wallet": "钱包",
        "agreement": "双方达成一致",
        "decision": "平台裁决",
        "third_party": "第三方裁决",
        "ignored_offer": "方案未获答复",
        "lapsed": "咨询已过期",
        "withdrawn": "已撤回",
        "paid_by": "由{payer}支付",
        "no_payment": "无需支付",
        "inquiry": "如未能协商解决，您可在 {until} 前将其升级为正式争议。",
        "dispute": "各方可在 {until} 前提交证据。",
        "appealable": "您可在 {until} 前对本裁决提出申诉或提交第三方处理。",
        "final": "本结果为最终结果。",
    },
}
"""The words dispute texts use, by language."""


def word(language: str, key: str) -> str:
    """A dispute word in the customer's language (its primary subtag), else English."""
    primary = language.replace("_", "-").split("-", 1)[0].lower()
    return WORDS.get(primary, WORDS["en"]).get(key, key)
