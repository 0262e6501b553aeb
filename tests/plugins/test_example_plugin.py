"""The example plugin package installs, is discovered through its entry point, and is used."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Callable
from pathlib import Path

import attrs
import pytest

from walletcare import DeliveryReceipt, OutboundMessage, hookimpl
from walletcare.testing.contract import DeliverContract
from walletcare.testing.records import message_for

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "walletcare-postcard"


@pytest.mark.slow
def test_installed_plugin_is_discovered_and_delivers(tmp_path: Path) -> None:
    """pip-installing the example makes walletcare deliver 'postcard' messages through it."""
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--target",
            str(site),
            str(EXAMPLE),
        ],
        check=True,
    )
    script = textwrap.dedent(
        """
        from datetime import datetime, timezone
        from walletcare import Settings, Walletcare
        from walletcare.ports import Commit, OutboundMessage

        now = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
        app = Walletcare(Settings(storage_url="memory://"))
        card = OutboundMessage(id="card-1", stream_id="case-1", channel="postcard",
                               recipient="Alice", template="hello", body="Greetings", due_at=now)
        app.storage.append(Commit(stream_id="case-1", expected_version=0, messages=[card]))
        report = app.tick(now)
        print(report.messages_delivered, app.plugins.pm.has_plugin("postcard"))
        """
    )
    cards = tmp_path / "cards.jsonl"
    env = {**os.environ, "PYTHONPATH": str(site), "WALLETCARE_POSTCARD_FILE": str(cards)}
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["1", "True"]
    assert [json.loads(line)["id"] for line in cards.read_text().splitlines()] == ["card-1"]


def test_without_the_plugin_postcards_are_parked() -> None:
    """With entry points off, the same message is dead-lettered naming the missing channel."""
    from datetime import UTC, datetime

    from walletcare import Settings, Walletcare
    from walletcare.ports import Commit, OutboundMessage

    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    app = Walletcare(Settings(storage_url="memory://", load_entry_points=False))
    card = OutboundMessage(
        id="card-1",
        stream_id="case-1",
        channel="postcard",
        recipient="A",
        template="t",
        body="b",
        due_at=now,
    )
    app.storage.append(Commit(stream_id="case-1", expected_version=0, messages=[card]))
    assert app.tick(now).messages_dead == 1
    assert "postcard" in app.dead_letters()[0].last_error


class TestPostcardContract(DeliverContract):
    """The example channel passes the shipped DeliverContract."""

    @pytest.fixture
    def channel_plugin(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> object:
        monkeypatch.setenv("WALLETCARE_POSTCARD_FILE", str(tmp_path / "cards.jsonl"))
        monkeypatch.syspath_prepend(str(EXAMPLE))
        import walletcare_postcard

        return walletcare_postcard

    @pytest.fixture
    def channel(self) -> str:
        return "postcard"

    @pytest.fixture
    def deliveries(self, tmp_path: Path) -> Callable[[str], int]:
        def cards_with(message_id: str) -> int:
            lines = (tmp_path / "cards.jsonl").read_text(encoding="utf-8").splitlines()
            return sum(1 for line in lines if json.loads(line)["id"] == message_id)

        return cards_with


class _Careless:
    """A channel that sends every offer again and names each send anew."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    @hookimpl
    def walletcare_deliver(self, message: OutboundMessage) -> DeliveryReceipt | None:
        if message.channel != "sms":
            return None
        self.sent.append(message.id)
        return DeliveryReceipt(
            message_id=message.id, channel="sms", provider_ref=uuid.uuid4().hex
        )


@pytest.mark.parametrize("observed", [True, False], ids=["counted", "by-receipt"])
def test_the_deliver_contract_catches_a_channel_that_sends_a_repeat(observed: bool) -> None:
    """A channel delivering one id twice fails the contract, whether the contract counts its
    deliveries or reads its receipts."""
    careless = _Careless()
    message = attrs.evolve(message_for("case-1"), channel="sms")
    count = careless.sent.count if observed else None
    with pytest.raises(AssertionError, match="repeated id"):
        DeliverContract().test_same_id_twice_is_delivered_once(careless, message, count)


class TestRecordingNotifierContract(DeliverContract):
    """The shipped RecordingNotifier passes the DeliverContract too."""

    @pytest.fixture
    def channel_plugin(self) -> object:
        from walletcare.testing import RecordingNotifier

        return RecordingNotifier(channels=["sms"])

    @pytest.fixture
    def channel(self) -> str:
        return "sms"
