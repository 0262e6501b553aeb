"""Staff text that asks for secrets or links elsewhere is spotted, in Chinese and English."""

from __future__ import annotations

import pytest

from walletcare.domain.messages import foreign_links, phishing_reasons

ALLOWED = ["wallet.example"]


@pytest.mark.parametrize(
    "text",
    [
        "Please send us your SMS code so we can finish the refund.",
        "To verify, reply with your full card number and expiry date.",
        "Tell us the one-time password you just received.",
        "We need your PIN to unblock the account.",
        "Kindly confirm your password in your reply.",
        "请提供您收到的短信验证码以便核实。",
        "请回复您的银行卡密码，我们将为您退款。",
        "为完成退款，请告知完整卡号及有效期。",
        "请把动态码发给我们。",
    ],
)
def test_requests_for_secrets_are_caught(text: str) -> None:
    """Asking for a password, code, PIN or full card number is phishing-shaped."""
    reasons = phishing_reasons(text, ALLOWED)
    assert len(reasons) == 1 and reasons[0].startswith("asks for a secret")


@pytest.mark.parametrize(
    "text",
    [
        "We will never ask for your password or SMS code.",
        "Do not share your PIN with anyone, including us.",
        "我们绝不会向您索要密码或验证码。",
        "请勿向任何人透露短信验证码。",
        "Your refund of CNY 35.00 is on its way; see https://help.wallet.example/refunds.",
        "Please send us a photo of the receipt and the last four digits of the card.",
        "请在应用内上传交易截图。",
    ],
)
def test_warnings_and_ordinary_requests_pass(text: str) -> None:
    """Denials, links to the host's own domains and ordinary questions are not phishing."""
    assert phishing_reasons(text, ALLOWED) == []


def test_links_outside_the_allowed_domains_are_caught() -> None:
    """A link elsewhere (even one that starts like the host's) is named; subdomains pass."""
    text = "See https://wallet.example.evil.test/login or www.secure-pay.example.com and app.wallet.example/x"
    assert foreign_links(text, ALLOWED) == [
        "https://wallet.example.evil.test/login",
        "www.secure-pay.example.com",
    ]
