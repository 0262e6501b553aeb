"""The plugin manager: built-ins first, then entry-point plugins, then the host's own.

This is the only module that calls ``pm.hook.*``; everything else asks ``Plugins``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

import pluggy

from walletcare import hookspecs
from walletcare.adapters import memory, postgres, sqlite
from walletcare.errors import ConfigurationError
from walletcare.ports import DeliveryReceipt, OutboundMessage, Storage, StoredEvent
from walletcare.settings import Settings

__all__ = ["Plugins", "make_plugin_manager", "ENTRY_POINT_GROUP"]

ENTRY_POINT_GROUP = "walletcare"
log = logging.getLogger("walletcare.plugins")


def make_plugin_manager(
    plugins: Iterable[object] = (), *, load_entry_points: bool = True
) -> pluggy.PluginManager:
    """A fresh plugin manager with walletcare's hooks, built-ins, entry points and ``plugins``."""
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    # Built-ins are registered under their entry-point names, so discovery skips them.
    pm.register(memory, name="memory")
    pm.register(sqlite, name="sqlite")
    pm.register(postgres, name="postgres")
    if load_entry_points:
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    for plugin in plugins:
        pm.register(plugin)
    try:
        # A hook implementation whose name matches no hookspec (``walletcare_delivr``) is
        # a mistake to refuse now, not a plugin to ignore forever.
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise ConfigurationError(f"plugin {exc.plugin!r}: {exc}") from None
    return pm


class Plugins:
    """Typed calls into the hooks, with walletcare's rules for answers and failures."""

    def __init__(self, pm: pluggy.PluginManager) -> None:
        self.pm = pm
        self.observer_failures = 0
        self._observers: list[tuple[str, Any]] | None = None

    def register(self, plugin: object, name: str | None = None) -> None:
        """Register one more plugin object or module (its hooks are checked at once)."""
        self.pm.register(plugin, name=name)
        self._observers = None
        try:
            self.pm.check_pending()
        except pluggy.PluginValidationError as exc:
            self.pm.unregister(plugin)
            raise ConfigurationError(f"plugin {exc.plugin!r}: {exc}") from None

    def _observer_callers(self) -> list[tuple[str, Any]]:
        """One pluggy caller per observer plugin, so each is called (and fails) on its own."""
        if self._observers is None:
            plugins = self.pm.list_name_plugin()
            self._observers = [
                (
                    impl.plugin_name,
                    self.pm.subset_hook_caller(
                        "walletcare_events_committed",
                        remove_plugins=[p for n, p in plugins if n != impl.plugin_name],
                    ),
                )
                for impl in self.pm.hook.walletcare_events_committed.get_hookimpls()
            ]
        return self._observers

    def channels(self) -> frozenset[str]:
        """Every channel a registered plugin says it serves."""
        served: set[str] = set()
        for answer in self.pm.hook.walletcare_channels():
            if answer is None:
                continue
            if isinstance(answer, str | bytes):
                raise ConfigurationError(
                    f"walletcare_channels returned {answer!r}; return a list of channel names"
                )
            served.update(str(channel) for channel in answer)
        return frozenset(served)

    def check_channel_plugins(self) -> None:
        """Refuse a plugin that delivers without saying which channels it serves."""
        naming = {impl.plugin_name for impl in self.pm.hook.walletcare_channels.get_hookimpls()}
        for impl in self.pm.hook.walletcare_deliver.get_hookimpls():
            if impl.plugin_name not in naming:
                raise ConfigurationError(
                    f"plugin {impl.plugin_name!r} implements walletcare_deliver but not "
                    "walletcare_channels: name the channels it serves"
                )

    def open_storage(self, settings: Settings) -> Storage:
        """The storage for ``settings.storage_url``; ``ConfigurationError`` if no plugin has it."""
        storage = self.pm.hook.walletcare_storage(settings=settings)
        if storage is None:
            scheme = settings.storage_url.split("://", 1)[0]
            raise ConfigurationError(
                f"no storage plugin opens {scheme!r} URLs (storage_url={settings.storage_url!r}); "
                "install or register one"
            )
        if not isinstance(storage, Storage):
            raise ConfigurationError(
                f"the storage plugin returned {type(storage).__name__}, not a Storage"
            )
        return storage

    def deliver(self, message: OutboundMessage) -> DeliveryReceipt | None:
        """Offer ``message`` to the channel plugins; None if none serves its channel."""
        result: DeliveryReceipt | None = self.pm.hook.walletcare_deliver(message=message)
        return result

    def notify_committed(self, events: Sequence[StoredEvent]) -> int:
        """Call every observer on its own; return how many failed (each is logged)."""
        if not events:
            return 0
        failed = 0
        for name, caller in self._observer_callers():
            try:
                caller(events=events)
            except Exception:
                failed += 1
                log.exception(
                    "observer %s failed on %d events; the commit stands", name, len(events)
                )
        self.observer_failures += failed
        return failed
