"""The case kernel's domain side: what a kind of case declares to the kernel."""

from walletcare.domain.cases.kind import *  # noqa: F403
from walletcare.domain.cases.kind import __all__ as _kind

__all__ = [*_kind]  # noqa: PLE0604
