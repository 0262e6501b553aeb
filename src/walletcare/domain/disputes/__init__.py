"""Disputes and negotiation: transactions disputed between customer, merchant and wallet,
with evidence, offers, provisional credit, stages and explicit outcomes; pure domain rules."""

from walletcare.domain.disputes.credit import *  # noqa: F403
from walletcare.domain.disputes.credit import __all__ as _credit
from walletcare.domain.disputes.events import *  # noqa: F403
from walletcare.domain.disputes.events import __all__ as _events
from walletcare.domain.disputes.intake import *  # noqa: F403
from walletcare.domain.disputes.intake import __all__ as _intake
from walletcare.domain.disputes.negotiation import *  # noqa: F403
from walletcare.domain.disputes.negotiation import __all__ as _negotiation
from walletcare.domain.disputes.profiles import *  # noqa: F403
from walletcare.domain.disputes.profiles import __all__ as _profiles
from walletcare.domain.disputes.schedule import *  # noqa: F403
from walletcare.domain.disputes.schedule import __all__ as _schedule
from walletcare.domain.disputes.settlement import *  # noqa: F403
from walletcare.domain.disputes.settlement import __all__ as _settlement
from walletcare.domain.disputes.stages import *  # noqa: F403
from walletcare.domain.disputes.stages import __all__ as _stages
from walletcare.domain.disputes.state import *  # noqa: F403
from walletcare.domain.disputes.state import __all__ as _state
from walletcare.domain.disputes.values import *  # noqa: F403
from walletcare.domain.disputes.values import __all__ as _values

__all__ = [  # noqa: PLE0604
    *_values,
    *_events,
    *_profiles,
    *_state,
    *_intake,
    *_stages,
    *_negotiation,
    *_credit,
    *_settlement,
    *_schedule,
]
