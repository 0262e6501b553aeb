"""Complaints: intake, lifecycle, contacts, resolution; pure domain rules."""

from walletcare.domain.complaints.events import *  # noqa: F403
from walletcare.domain.complaints.events import __all__ as _events
from walletcare.domain.complaints.intake import *  # noqa: F403
from walletcare.domain.complaints.intake import __all__ as _intake
from walletcare.domain.complaints.investigation import *  # noqa: F403
from walletcare.domain.complaints.investigation import __all__ as _investigation
from walletcare.domain.complaints.lifecycle import *  # noqa: F403
from walletcare.domain.complaints.lifecycle import __all__ as _lifecycle
from walletcare.domain.complaints.linking import *  # noqa: F403
from walletcare.domain.complaints.linking import __all__ as _linking
from walletcare.domain.complaints.merging import *  # noqa: F403
from walletcare.domain.complaints.merging import __all__ as _merging
from walletcare.domain.complaints.severity import *  # noqa: F403
from walletcare.domain.complaints.severity import __all__ as _severity
from walletcare.domain.complaints.state import *  # noqa: F403
from walletcare.domain.complaints.state import __all__ as _state
from walletcare.domain.complaints.values import *  # noqa: F403
from walletcare.domain.complaints.values import __all__ as _values

__all__ = [  # noqa: PLE0604
    *_values,
    *_events,
    *_severity,
    *_intake,
    *_state,
    *_lifecycle,
    *_investigation,
    *_merging,
    *_linking,
]
