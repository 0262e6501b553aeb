"""Shipped for integrators' test suites: clocks, a recording channel, and contract suites.

``StorageContract`` and ``DeliverContract`` need pytest (and hypothesis), which are test
dependencies of the host, not of walletcare itself; import them from their modules.
"""

from walletcare.testing.clock import FixedClock
from walletcare.testing.notifier import FlakyNotifier, RecordingNotifier

__all__ = ["FixedClock", "RecordingNotifier", "FlakyNotifier"]
