"""A walletcare channel plugin: delivers ``postcard`` messages by appending them to a file.

The file is named by the ``WALLETCARE_POSTCARD_FILE`` environment variable (default
``postcards.jsonl``). A message id already in the file is not written again: the id is the
idempotency key walletcare promises, so a retry after a crash cannot send a second card.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from walletcare import DeliveryReceipt, OutboundMessage, hookimpl
from walletcare.errors import DeliveryFailed

CHANNEL = "postcard"


def _outbox() -> Path:
    return Path(os.environ.get("WALLETCARE_POSTCARD_FILE", "postcards.jsonl"))


def _already_sent(path: Path, message_id: str) -> bool:
    if not path.exists():
        return False
    with path.open(encoding="utf-8") as cards:
        return any(json.loads(line)["id"] == message_id for line in cards if line.strip())


@hookimpl
def walletcare_channels() -> list[str]:
    """The one channel this plugin serves."""
    return [CHANNEL]


@hookimpl
def walletcare_deliver(message: OutboundMessage) -> DeliveryReceipt | None:
    """Write one postcard; decline other channels with None."""
    if message.channel != CHANNEL:
        return None
    path = _outbox()
    try:
        if not _already_sent(path, message.id):
            with path.open("a", encoding="utf-8") as cards:
                card = {"id": message.id, "to": message.recipient, "text": message.body}
                cards.write(json.dumps(card, ensure_ascii=False) + "\n")
    except OSError as exc:
        raise DeliveryFailed(f"cannot write postcards to {path}: {exc}") from exc
    return DeliveryReceipt(message_id=message.id, channel=CHANNEL, provider_ref=str(path))
