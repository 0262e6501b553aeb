"""Incidents: many customers' complaints about one root cause, detected, answered and
remedied once for all; pure domain rules."""

from walletcare.domain.incidents.commands import *  # noqa: F403
from walletcare.domain.incidents.commands import __all__ as _commands
from walletcare.domain.incidents.detection import *  # noqa: F403
from walletcare.domain.incidents.detection import __all__ as _detection
from walletcare.domain.incidents.events import *  # noqa: F403
from walletcare.domain.incidents.events import __all__ as _events
from walletcare.domain.incidents.report import *  # noqa: F403
from walletcare.domain.incidents.report import __all__ as _report
from walletcare.domain.incidents.similarity import *  # noqa: F403
from walletcare.domain.incidents.similarity import __all__ as _similarity
from walletcare.domain.incidents.state import *  # noqa: F403
from walletcare.domain.incidents.state import __all__ as _state
from walletcare.domain.incidents.values import *  # noqa: F403
from walletcare.domain.incidents.values import __all__ as _values

__all__ = [  # noqa: PLE0604
    *_values,
    *_events,
    *_state,
    *_commands,
    *_detection,
    *_similarity,
    *_report,
]
