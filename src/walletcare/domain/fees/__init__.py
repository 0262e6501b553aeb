"""Fee schedules: versions with notice, quotes before paying, and audits of what was charged."""

from walletcare.domain.fees.audit import *  # noqa: F403
from walletcare.domain.fees.audit import __all__ as _audit
from walletcare.domain.fees.compiled import *  # noqa: F403
from walletcare.domain.fees.compiled import __all__ as _compiled
from walletcare.domain.fees.events import *  # noqa: F403
from walletcare.domain.fees.events import __all__ as _events
from walletcare.domain.fees.exchange import *  # noqa: F403
from walletcare.domain.fees.exchange import __all__ as _exchange
from walletcare.domain.fees.quote import *  # noqa: F403
from walletcare.domain.fees.quote import __all__ as _quote
from walletcare.domain.fees.remediation import *  # noqa: F403
from walletcare.domain.fees.remediation import __all__ as _remediation
from walletcare.domain.fees.schedule import *  # noqa: F403
from walletcare.domain.fees.schedule import __all__ as _schedule

__all__ = [*_schedule, *_exchange, *_compiled, *_quote, *_audit, *_events, *_remediation]  # noqa: PLE0604
