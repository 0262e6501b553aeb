"""Customer messages: the catalogue, host overrides, Babel formatting, the verification hint."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.complaints_fixtures import EXPLANATION
from tests.services.messages_fixtures import STAFF, investigating, make_app, opened
from walletcare import ContactPoint, Money
from walletcare.config import Action, ActionKind, CaseSettings, Condition, Oversight, Rule
from walletcare.errors import ConfigurationError
from walletcare.services.catalogue import Catalogue
from walletcare.settings import MessageSettings

HINT_EN = "We will never ask for your password"
HINT_ZH = "我们绝不会向您索要密码"
LATER_DAYS = timedelta(days=20)


def _po(directory: Path, locale: str, entries: dict[str, str]) -> None:
    folder = directory / locale / "LC_MESSAGES"
    folder.mkdir(parents=True)
    body = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    body += "".join(f'msgid "{k}"\nmsgstr "{v}"\n\n' for k, v in entries.items())
    (folder / "walletcare.po").write_text(body, encoding="utf-8")


def test_a_host_adds_a_locale_and_overrides_a_text(tmp_path: Path) -> None:
    """A German catalogue from the host's own directory is used for a German customer, and
    the host's English hint replaces walletcare's for everyone."""
    _po(
        tmp_path,
        "de",
        {
            "complaint.acknowledged.subject": "Wir haben Ihre Beschwerde {ref} erhalten",
            "complaint.acknowledged.body": "Ihre Beschwerde {ref} zu {category} ist eingegangen.",
            "category.transaction_failure": "einer fehlgeschlagenen Zahlung",
        },
    )
    _po(tmp_path, "en", {"hint.verification": "Acme Pay never asks for codes. Check in the app."})
    app, notifier, _ = make_app(messages=MessageSettings(catalogues=(str(tmp_path),)))
    german = opened(app, language="de-DE")
    english = opened(app, customer_id="cust-2", transactions=("tx-2",))
    app.tick()
    (de,) = [m for m in notifier.sent if m.stream_id == german]
    assert de.locale == "de"
    assert de.subject == f"Wir haben Ihre Beschwerde {german} erhalten"
    assert "zu einer fehlgeschlagenen Zahlung" in de.body
    assert de.body.endswith("Acme Pay never asks for codes. Check in the app.")
    en = next(m for m in notifier.sent if m.stream_id == english)
    assert en.body.endswith("Acme Pay never asks for codes. Check in the app.")


def test_a_host_text_with_an_unknown_placeholder_is_refused_at_start(tmp_path: Path) -> None:
    """A host text that uses a value its template never offers fails start-up, naming it."""
    _po(tmp_path, "en", {"complaint.acknowledged.body": "Hello {first_name}"})
    with pytest.raises(ConfigurationError, match="first_name"):
        make_app(messages=MessageSettings(catalogues=(str(tmp_path),)))


def test_an_unknown_urgent_template_is_refused_at_start() -> None:
    """Urgent templates the policy names must be in the catalogue."""
    from walletcare.domain.messages import MessagePolicy

    policy = MessagePolicy(urgent_templates={"complaint.security_alrt"})
    with pytest.raises(ConfigurationError, match="security_alrt"):
        make_app(messages=MessageSettings(policy=policy))


def test_a_missing_catalogue_directory_is_refused_at_start(tmp_path: Path) -> None:
    """A catalogue directory that does not exist fails start-up."""
    with pytest.raises(ConfigurationError, match="does not exist"):
        make_app(messages=MessageSettings(catalogues=(str(tmp_path / "nope"),)))


@pytest.mark.parametrize(
    ("action", "match"),
    [
        (Action(kind=ActionKind.NOTIFY, customer=True, channel="sms", template="nope"), "nope"),
        (
            Action(
                kind=ActionKind.NOTIFY, customer=True, channel="sms", template="case.staff_alert"
            ),
            "staff template",
        ),
        (
            Action(
                kind=ActionKind.NOTIFY,
                customer=True,
                channel="sms",
                template="complaint.acknowledged",
            ),
            "offers only",
        ),
    ],
)
def test_templates_rules_name_are_checked_at_start(action: Action, match: str) -> None:
    """A rule naming a template the catalogue lacks, a staff template for a customer, or a
    customer template needing more than a notice offers."""
    rule = Rule(id="r", when=Condition(fact="status", op="eq", value="received"), then=(action,))
    with pytest.raises(ConfigurationError, match=match):
        make_app(cases={"complaint": CaseSettings(oversight=Oversight(rules=(rule,)))})


def test_money_and_times_are_formatted_for_the_customer_with_the_zone() -> None:
    """A Chinese customer reads ¥ amounts and a deadline in China Standard Time; an English
    customer in Berlin reads CN¥ and Central European time."""
    app, notifier, _ = make_app()
    zh = investigating(
        app, language="zh", customer_zone="Asia/Shanghai", amount_lost=Money.of("17.50", "CNY")
    )
    en = investigating(
        app,
        customer_id="cust-2",
        transactions=("tx-2",),
        customer_zone="Europe/Berlin",
        amount_lost=Money.of("17.50", "CNY"),
    )
    for cid in (zh, en):
        app.complaints.resolve(
            cid,
            by=STAFF,
            outcome="upheld",
            explanation=EXPLANATION,
            remedy=Money.of("17.50", "CNY"),
        )
    app.tick()
    zh_body = [m for m in notifier.sent if m.stream_id == zh][-1].body
    en_body = [m for m in notifier.sent if m.stream_id == en][-1].body
    assert "补救措施：¥17.50" in zh_body and "(中国标准时间)" in zh_body
    assert "Remedy: CN¥17.50" in en_body and "(Central European Standard Time)" in en_body
    assert "CNY 17.50" not in zh_body + en_body


def test_every_customer_message_ends_with_the_verification_hint() -> None:
    """Acknowledgement, question, holding reply, resolution: each ends with the hint, in
    the customer's language."""
    app, notifier, clock = make_app()
    for language, hint in (("en", HINT_EN), ("zh", HINT_ZH)):
        cid = investigating(app, language=language, customer_id=f"c-{language}")
        app.complaints.request_information(cid, by=STAFF, questions="the receipt")
        app.complaints.provide_information(cid, by=STAFF, summary="sent")
        app.complaints.send_holding_reply(
            cid, by=STAFF, reasons="the bank has not answered", expected_by=clock.now() + LATER_DAYS
        )
        app.complaints.resolve(cid, by=STAFF, outcome="upheld", explanation=EXPLANATION)
        app.tick()
        bodies = [m.body for m in notifier.sent if m.stream_id == cid]
        assert len(bodies) == 4
        assert all(hint in body.rsplit("\n\n", 1)[-1] for body in bodies)


def test_a_staff_template_is_never_rendered_for_a_customer() -> None:
    """Every staff template in the catalogue is refused as a customer message."""
    app, _, _ = make_app()
    cid = opened(app)
    case = app.complaints.get(cid)
    staff = [t for t in app.catalogue.templates() if app.catalogue.is_staff(t)]
    assert {"case.staff_alert", "escalation.staff_alert", "case.message_held"} <= set(staff)
    for template in staff:
        with pytest.raises(ConfigurationError, match="staff template"):
            app.complaints.cases.message(case, template, {}, 1, app.now())


def test_the_shipped_catalogues_agree() -> None:
    """en and zh_CN have the same ids, with the same placeholders."""
    catalogue = Catalogue()
    assert catalogue.locales == ("en", "zh_CN")
    for template in catalogue.templates():
        for part in ("subject", "body"):
            en = catalogue.text(f"{template}.{part}", "en")
            zh = catalogue.text(f"{template}.{part}", "zh_CN")
            assert en != zh
            assert set(_fields(en)) == set(_fields(zh)), template


def _fields(text: str) -> list[str]:
    from string import Formatter

    return [f for _, f, _, _ in Formatter().parse(text) if f]


def test_a_channel_any_plugin_serves_can_be_a_contact() -> None:
    """WeChat is a contact channel as soon as a plugin serves it."""
    app, notifier, _ = make_app()
    cid = opened(app, contact=ContactPoint(channel="wechat", address="wx-alice"))
    app.tick()
    (message,) = notifier.to("wx-alice")
    assert message.channel == "wechat" and message.stream_id == cid


def test_a_delivering_plugin_must_name_its_channels() -> None:
    """A plugin with walletcare_deliver but no walletcare_channels fails start-up."""
    from walletcare import DeliveryReceipt, OutboundMessage, hookimpl

    class Mute:
        @hookimpl
        def walletcare_deliver(self, message: OutboundMessage) -> DeliveryReceipt | None:
            return None

    with pytest.raises(ConfigurationError, match="walletcare_channels"):
        make_app(plugins=[Mute()])
