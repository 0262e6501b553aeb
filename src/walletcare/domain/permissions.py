"""Who may do what to a case: a role policy checked before a command decides anything.

A policy grants each command to roles. Customers act on their own cases only (the case's
customer is the actor); staff act as their role allows; the system acts for timers. A
command nobody was granted, or an actor without the grant, is a ``PermissionDenied`` and
nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from attrs import field, frozen

from walletcare.domain.events import Actor, ActorRole
from walletcare.domain.frozenmap import FrozenMap
from walletcare.errors import PermissionDenied, ValidationError

__all__ = ["PermissionPolicy", "authorise", "grants"]


def _grants(value: Any) -> FrozenMap[str, frozenset[ActorRole]]:
    if not isinstance(value, Mapping):
        raise ValidationError.of("grants", "must map command names to roles")
    table: dict[str, frozenset[ActorRole]] = {}
    for command, roles in value.items():
        if not isinstance(command, str) or not command.isidentifier():
            raise ValidationError.of("grants", f"{command!r} is not a command name")
        if isinstance(roles, str | bytes):
            raise ValidationError.of(f"grants.{command}", "must be a collection of roles")
        try:
            table[command] = frozenset(ActorRole(r) for r in roles)
        except (TypeError, ValueError):
            known = ", ".join(r.value for r in ActorRole)
            raise ValidationError.of(
                f"grants.{command}", f"{roles!r} is not a collection of: {known}"
            ) from None
    return FrozenMap(table)


def grants(table: Mapping[str, Iterable[ActorRole | str]]) -> FrozenMap[str, frozenset[ActorRole]]:
    """A grants table from plain names (``{"resolve": ["staff"]}``), checked."""
    return _grants(table)


@frozen(kw_only=True)
class PermissionPolicy:
    """Which roles may run which command of one kind of case.

    ``grants`` maps each command to the roles that may run it; a command missing from it is
    refused to everyone. ``customers_own_cases_only`` (on by default) lets a customer act
    only on a case whose customer they are.
    """

    grants: FrozenMap[str, frozenset[ActorRole]] = field(factory=FrozenMap, converter=_grants)
    customers_own_cases_only: bool = True

    def with_grants(self, **changes: Iterable[ActorRole | str]) -> PermissionPolicy:
        """This policy with the roles of some commands replaced."""
        table = {**self.grants, **_grants(changes)}
        return PermissionPolicy(
            grants=table, customers_own_cases_only=self.customers_own_cases_only
        )


def authorise(policy: PermissionPolicy, command: str, actor: Actor, owner: str) -> None:
    """Refuse ``actor`` running ``command`` on a case whose customer is ``owner``."""
    if not isinstance(actor, Actor):
        raise ValidationError.of("by", f"must be an Actor, got {type(actor).__name__}")
    allowed = policy.grants.get(command)
    if allowed is None:
        raise PermissionDenied(command, actor, "no role may run it")
    if actor.role not in allowed:
        roles = ", ".join(sorted(r.value for r in allowed)) or "nobody"
        raise PermissionDenied(command, actor, f"only {roles} may")
    if actor.role is ActorRole.CUSTOMER and policy.customers_own_cases_only and actor.id != owner:
        raise PermissionDenied(command, actor, "customers act on their own cases only")
