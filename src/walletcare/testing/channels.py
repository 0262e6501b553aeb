"""``DeliverContract``: the behaviour every channel plugin shows."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import attrs
import pytest

from walletcare.ports import (
    DeliveryReceipt,
    OutboundMessage,
)
from walletcare.testing.records import message_for

__all__ = ["DeliverContract"]


class DeliverContract:
    """Behaviour every channel plugin must show. Provide ``channel_plugin`` and ``channel``,
    and ``deliveries`` if you can see what the channel really sent."""

    @pytest.fixture
    def channel_plugin(self) -> object:
        """Return the plugin object under test. Override this."""
        raise NotImplementedError("a DeliverContract subclass must provide channel_plugin")

    @pytest.fixture
    def channel(self) -> str:
        """Return a channel the plugin serves. Override this."""
        raise NotImplementedError("a DeliverContract subclass must provide channel")

    @pytest.fixture
    def deliveries(self) -> Callable[[str], int] | None:
        """Return a callable counting how often the channel really delivered a message id
        (rows in your sandbox, calls your fake gateway saw). Override this if you can.

        None (the default): the contract checks the receipts instead, so a channel must
        answer a repeated id with the first delivery's ``provider_ref``.
        """
        return None

    @pytest.fixture
    def message(self, channel: str) -> OutboundMessage:
        """A message on the plugin's channel."""
        return attrs.evolve(message_for("case-1"), channel=channel)

    def _deliver(self, plugin: object, message: OutboundMessage) -> DeliveryReceipt | None:
        result: DeliveryReceipt | None = plugin.walletcare_deliver(message=message)  # type: ignore[attr-defined]
        return result

    def test_receipt_names_the_message(
        self, channel_plugin: object, message: OutboundMessage
    ) -> None:
        """A delivered message's receipt carries its id and channel."""
        receipt = self._deliver(channel_plugin, message)
        assert isinstance(receipt, DeliveryReceipt)
        assert receipt.message_id == message.id
        assert receipt.channel == message.channel

    def test_other_channels_are_declined_with_none(
        self, channel_plugin: object, message: OutboundMessage
    ) -> None:
        """A channel the plugin does not serve gets None, not an error."""
        foreign = attrs.evolve(message, channel=f"not-{message.channel}-{uuid.uuid4().hex[:6]}")
        assert self._deliver(channel_plugin, foreign) is None

    def test_same_id_twice_is_delivered_once(
        self,
        channel_plugin: object,
        message: OutboundMessage,
        deliveries: Callable[[str], int] | None,
    ) -> None:
        """Offering one message id twice (a retry after a lost answer) is answered both times
        and delivered once; another id is another delivery."""
        first = self._deliver(channel_plugin, message)
        second = self._deliver(channel_plugin, message)
        assert first is not None and second is not None
        assert second.message_id == message.id
        other = attrs.evolve(message, id=uuid.uuid4().hex)
        third = self._deliver(channel_plugin, other)
        assert third is not None and third.message_id == other.id
        if deliveries is not None:
            assert deliveries(message.id) == 1, "a repeated id was delivered again"
            assert deliveries(other.id) == 1
            return
        assert first.provider_ref, "a receipt names the delivery (provider_ref) it stands for"
        assert second.provider_ref == first.provider_ref, (
            "a repeated id must be recognised: answer it with the first delivery's provider_ref"
        )
        assert third.provider_ref != first.provider_ref, "two messages are two deliveries"
