"""Configuration lives in one public place, is immutable once built, and is checked at start."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import attrs
import pytest
from attrs import frozen

import walletcare.config as config
from walletcare import Actor, ConfigurationError, Event, Settings, Walletcare, hookimpl
from walletcare.errors import ValidationError
from walletcare.ports import Commit, NewEvent


def test_config_classes_are_hashable_and_hold_no_mutable_containers() -> None:
    """Every frozen config class hashes, and none of its defaults is a dict or a list."""
    built = [
        config.Settings(),
        config.Oversight(),
        config.Ladder(),
        config.CaseSettings(),
        config.ComplaintPolicy(),
        config.Regulation(),
        *config.PROFILES.values(),
        *config.JURISDICTIONS.values(),
        *config.DEFAULT_CHOICES,
    ]
    for value in built:
        hash(value)
        for name in attrs.fields_dict(type(value)):
            assert not isinstance(getattr(value, name), dict | list), (type(value), name)


def test_compiled_config_cannot_be_changed_afterwards() -> None:
    """Jurisdiction tables and tier SLAs refuse item assignment; lists become tuples."""
    oversight = config.Oversight(rules=[])
    regulation = config.Regulation().compile()
    with pytest.raises(TypeError):
        regulation.jurisdictions["XX"] = regulation.jurisdictions["DE"]  # type: ignore[index]
    with pytest.raises(TypeError):
        config.Ladder(tier_sla={"agent": "x"}).tier_sla["agent"] = "y"  # type: ignore[index]
    assert oversight.rules == ()
    assert config.Ladder(tiers=["agent", "senior_agent"]).tiers == ("agent", "senior_agent")


def test_no_public_name_means_two_things() -> None:
    """The time source, SLA clocks, resolution outcomes and rule notices have distinct names."""
    import walletcare
    import walletcare.domain.oversight as oversight
    import walletcare.domain.sla as sla
    import walletcare.ports as ports

    assert not hasattr(sla, "Clock") and hasattr(ports, "Clock")
    assert not hasattr(oversight, "Outcome") and hasattr(walletcare, "Outcome")
    assert not hasattr(oversight, "Notice")


def test_a_misspelled_hook_is_refused_at_start() -> None:
    """A plugin implementing walletcare_delivr (no such hook) is a ConfigurationError."""

    class Typo:
        @hookimpl
        def walletcare_delivr(self, message: object) -> None:
            return None

    with pytest.raises(ConfigurationError, match="walletcare_delivr"):
        Walletcare(Settings(storage_url="memory://", load_entry_points=False), plugins=[Typo()])


@frozen(kw_only=True)
class Renamed(Event):
    """A host event at schema version 2: version 1 called the field ``customer``."""

    kind = "host.renamed"
    schema_version = 2
    customer_id: str


def _upcast(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    data["customer_id"] = data.pop("customer")
    return data


def test_upcasters_come_from_settings() -> None:
    """A stored v1 event is read through the upcaster the host put in Settings."""
    settings = Settings(storage_url="memory://", upcasters={("host.renamed", 1): _upcast})
    app = Walletcare(settings, events=[Renamed])
    at = datetime(2026, 1, 1, tzinfo=UTC)
    old = {"by": {"role": "system", "id": "x"}, "customer": "c-9", "at": at.isoformat()}
    app.storage.append(
        Commit(
            stream_id="s-1",
            expected_version=0,
            events=[NewEvent(kind="host.renamed", schema_version=1, at=at, data=json.dumps(old))],
        )
    )
    (event,) = app.events("s-1")
    assert isinstance(event, Renamed) and event.customer_id == "c-9"
    without = Walletcare(Settings(storage_url="memory://"), events=[Renamed])
    with pytest.raises(ValidationError, match="upcaster"):
        without.converter.load_event({"kind": "host.renamed", "schema_version": 1, **old})


def test_event_kinds_are_registered_per_instance() -> None:
    """An event class defined elsewhere joins no converter it was not given to."""
    app = Walletcare(Settings(storage_url="memory://"))
    event = Renamed(at=datetime(2026, 1, 1, tzinfo=UTC), by=Actor.staff("a"), customer_id="c")
    with pytest.raises(ConfigurationError, match="no registered event kind"):
        app.converter.dump_event(event)
    assert "host.renamed" not in app.converter.event_types
    assert "complaint.received" in app.converter.event_types


def test_a_wrong_policy_type_is_refused_at_start() -> None:
    """The complaint kind's policy must be a ComplaintPolicy (or data for one)."""
    settings = Settings(
        storage_url="memory://", cases={"complaint": config.CaseSettings(policy="strict")}
    )
    with pytest.raises(ConfigurationError, match=r"cases\.complaint\.policy"):
        Walletcare(settings)
