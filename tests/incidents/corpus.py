"""A labelled synthetic corpus of zh/en complaints: bursts about shared root causes among
one-off complaints, for measuring how well text similarity finds the clusters."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from attrs import frozen

from walletcare.domain.frozenmap import FrozenMap
from walletcare.domain.incidents import Signal

MERCHANTS = ["FreshMart", "CityCafe", "BookNook", "QuickRide", "SunnyShop", "MegaStore"]
ZH_MERCHANTS = ["鲜果超市", "城市咖啡", "书香书店", "快滴出行", "阳光商店", "万家商场"]
PHONES = ["Pixel 7", "Galaxy S23", "Redmi Note 12", "Xperia 5"]
EN_OPEN = ["", "Hi, ", "Hello support, ", "Urgent: ", "Dear team, ", "Help! "]
EN_CLOSE = [
    "",
    " Please fix this.",
    " This is unacceptable.",
    " I want my money back.",
    " Third time this week.",
    " Please call me.",
]
ZH_OPEN = ["", "你好，", "客服你好，", "紧急：", "请帮忙，"]
ZH_CLOSE = ["", "请尽快处理。", "太让人失望了。", "请退还我的钱。", "这已经是第三次了。"]

# Each root cause in English and in Chinese: several ways customers put it.
TOPICS: dict[str, tuple[list[str], list[str]]] = {
    "double_fee": (
        [
            "I was charged the withdrawal fee twice for one withdrawal of {amount}.",
            "The withdrawal fee was charged twice on my {amount} withdrawal.",
            "Withdrawal of {amount}: the fee was taken twice from my wallet.",
        ],
        [
            "我提现{amount}元，手续费被扣了两次。",
            "提现{amount}元时手续费被重复扣除了两次。",
            "一次提现{amount}元，钱包被扣了两次提现手续费。",
        ],
    ),
    "android_crash": (
        [
            "The app crashes every time I open the transfer page on my {phone}.",
            "On my {phone} the app crashes whenever I open the transfer page.",
            "Opening the transfer page crashes the app on {phone} every time.",
        ],
        [
            "我的{phone}每次打开转账页面应用就闪退。",
            "在{phone}上一打开转账页面应用就闪退。",
            "每次打开转账页面，{phone}上的应用都会闪退。",
        ],
    ),
    "qr_debited": (
        [
            "QR payment at {merchant} failed but my wallet was still debited {amount}.",
            "Paid {merchant} by QR code, payment failed, yet {amount} was debited from my wallet.",
            "My QR code payment of {amount} at {merchant} failed but the wallet was debited.",
        ],
        [
            "在{zh_merchant}扫码付款失败，但钱包还是被扣了{amount}元。",
            "扫码支付{zh_merchant}{amount}元显示失败，钱包却被扣款了。",
            "在{zh_merchant}扫码付款{amount}元失败了，可是钱包已经扣款。",
        ],
    ),
    "no_code": (
        [
            "After the update I cannot log in because the verification code SMS never arrives.",
            "Since updating the app the login verification code never arrives by SMS.",
            "I cannot log in after the update: no verification code SMS arrives.",
        ],
        [
            "更新后无法登录，一直收不到短信验证码。",
            "应用更新以后登录收不到验证码短信，无法登录。",
            "自从更新应用就收不到登录验证码短信，登录不了。",
        ],
    ),
    "fx_rate": (
        [
            "The exchange rate on my cross-border payment of {amount} was far worse than quoted.",
            "My cross-border payment of {amount} used a much worse exchange rate than the quote.",
            "Cross-border payment {amount}: exchange rate applied was worse than quoted.",
        ],
        [
            "跨境支付{amount}元使用的汇率比报价差很多。",
            "我的跨境付款{amount}元，实际汇率远差于报价汇率。",
            "跨境支付{amount}元时，汇率比页面显示的报价差。",
        ],
    ),
    "refund_missing": (
        [
            "{merchant} refunded my order seven days ago but the refund of {amount} never reached my wallet.",
            "The {amount} refund from {merchant} has not arrived in my wallet after seven days.",
            "Seven days since {merchant} issued a refund of {amount} and my wallet has not received it.",
        ],
        [
            "{zh_merchant}七天前已退款{amount}元，但退款一直没有到我的钱包。",
            "{zh_merchant}的{amount}元退款七天了还没有到账钱包。",
            "{zh_merchant}已经退款七天，{amount}元退款还没到我的钱包。",
        ],
    ),
    "frozen": (
        [
            "My account was frozen without any reason or notice and I cannot pay anything.",
            "Account frozen with no reason given and no notice; I cannot make any payment.",
            "You froze my account without notice or reason, now I cannot pay.",
        ],
        [
            "我的账户在没有任何通知和理由的情况下被冻结，无法付款。",
            "账户被无故冻结，没有任何通知，现在无法支付。",
            "没有通知也没有理由，我的账户就被冻结了，不能付款。",
        ],
    ),
    "topup_pending": (
        [
            "Top-up of {amount} from my bank card has been stuck pending since yesterday.",
            "My bank card top-up of {amount} is still pending since yesterday.",
            "Since yesterday my {amount} top-up from bank card shows pending.",
        ],
        [
            "从银行卡充值{amount}元，从昨天起一直显示处理中。",
            "银行卡充值{amount}元，昨天到现在还是处理中。",
            "昨天用银行卡充值{amount}元，到现在一直处理中没有到账。",
        ],
    ),
}

NOISE_WORDS = ["account", "balance", "card", "bank", "transfer", "payment", "wallet", "merchant", "refund", "fee", "limit", "verify", "identity", "address", "phone", "email", "password", "reset", "screen", "button", "menu", "statement", "history", "record", "receipt", "invoice", "coupon", "reward", "points", "cashback", "loan", "credit", "interest", "tax", "salary", "rent", "bill", "utility", "electricity", "water", "gas", "internet", "insurance", "ticket", "train", "flight", "hotel", "taxi", "delivery", "parcel", "food", "grocery", "pharmacy", "school", "tuition", "donation", "charity", "friend", "family", "gift", "birthday", "holiday", "travel", "currency", "dollar", "euro", "yuan", "pound", "savings", "goal", "budget", "report", "chart", "notification", "setting", "language", "theme", "font", "dark", "light", "slow", "fast", "error", "message", "support", "chat", "agent", "hours", "weekend", "night", "morning", "branch", "office", "manager", "complaint", "review", "rating", "feedback", "survey", "contract", "terms", "privacy", "data", "consent", "marketing", "call", "spam", "fraud", "scam", "phishing", "link", "device", "tablet", "laptop"]
NOISE_CHARS = "账户余额银行卡转账支付钱包商户退款费用限额验证身份地址手机邮箱密码页面按钮菜单账单记录发票优惠积分贷款信用利息工资房租水电燃气网络保险车票航班酒店快递外卖药店学费捐款朋友家人礼物假期旅行货币储蓄预算通知设置语言字体客服周末夜间早上网点经理评价问卷合同隐私数据营销电话诈骗链接设备平板电脑"


@frozen(kw_only=True)
class Labelled:
    """A complaint of the corpus: its signal, and the cluster it truly belongs to ("" if none)."""

    signal: Signal
    truth: str


def _signal(n: int, at: datetime, text: str) -> Signal:
    return Signal(
        complaint_id=f"c{n:05d}",
        customer_id=f"u{n:05d}",
        at=at,
        fields=FrozenMap({"category": "other"}),
        text=text,
    )


def build(start: datetime, seed: int = 7, noise: int = 800) -> list[Labelled]:
    """Bursts of 60-110 complaints per root cause and language, over six hours, among ``noise``
    one-off complaints, in arrival order."""
    rnd = random.Random(seed)
    items: list[tuple[datetime, str, str]] = []
    for topic, (english, chinese) in TOPICS.items():
        for language, forms in (("en", english), ("zh", chinese)):
            burst_at = start + timedelta(minutes=rnd.randint(0, 300))
            for _ in range(rnd.randint(60, 110)):
                slots = {
                    "amount": str(rnd.choice([50, 88, 120, 200, 350, 500, 999, 1200])),
                    "merchant": rnd.choice(MERCHANTS),
                    "zh_merchant": rnd.choice(ZH_MERCHANTS),
                    "phone": rnd.choice(PHONES),
                }
                body = rnd.choice(forms).format(**slots)
                if language == "en":
                    text = rnd.choice(EN_OPEN) + body + rnd.choice(EN_CLOSE)
                else:
                    text = rnd.choice(ZH_OPEN) + body + rnd.choice(ZH_CLOSE)
                at = burst_at + timedelta(seconds=rnd.randint(0, 3600))
                items.append((at, text, f"{topic}/{language}"))
    for _ in range(noise):
        at = start + timedelta(seconds=rnd.randint(0, 6 * 3600))
        if rnd.random() < 0.5:
            text = " ".join(rnd.sample(NOISE_WORDS, rnd.randint(8, 14)))
        else:
            text = "".join(rnd.sample(NOISE_CHARS, rnd.randint(12, 22)))
        items.append((at, text, ""))
    items.sort(key=lambda item: item[0])
    return [
        Labelled(signal=_signal(n, at, text), truth=truth)
        for n, (at, text, truth) in enumerate(items)
    ]
