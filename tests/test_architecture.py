"""Imports point one way, and the domain stays pure (no I/O, clock, randomness, pluggy, cattrs)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "walletcare"

# What a pure domain module may import: value types, data libraries, and itself.
DOMAIN_ALLOWED = {
    "__future__",
    "collections",
    "collections.abc",
    "datetime",
    "decimal",
    "enum",
    "functools",
    "itertools",
    "math",
    "re",
    "typing",
    "zoneinfo",
    "bisect",
    "operator",
    "zlib",  # crc32 only: a hash that is the same in every process (str hashes are salted)
    "attrs",
    "attrs.validators",
    "iso4217",
    "holidays",
    "walletcare.errors",
}
CLOCK_AND_RANDOM = {
    "now",
    "utcnow",
    "today",
    "time_ns",
    "monotonic",
    "uuid1",
    "uuid4",
    "random",
    "randint",
    "choice",
    "urandom",
    "token_hex",
}

# module prefix -> prefixes it must never import
LAYERS = {
    "walletcare.domain": (
        "walletcare.serialization",
        "walletcare.ports",
        "walletcare.services",
        "walletcare.adapters",
        "walletcare.plugins",
        "walletcare.app",
    ),
    "walletcare.ports": (
        "walletcare.services",
        "walletcare.adapters",
        "walletcare.plugins",
        "walletcare.app",
    ),
    "walletcare.serialization": (
        "walletcare.services",
        "walletcare.adapters",
        "walletcare.plugins",
        "walletcare.app",
    ),
    "walletcare.services": ("walletcare.adapters", "walletcare.app", "walletcare.plugins"),
    "walletcare.adapters": (
        "walletcare.domain",
        "walletcare.services",
        "walletcare.serialization",
        "walletcare.app",
    ),
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


MODULES = sorted(SRC.rglob("*.py"))
DOMAIN = [p for p in MODULES if _module_name(p).startswith("walletcare.domain")]


@pytest.mark.parametrize("path", DOMAIN, ids=lambda p: _module_name(p))
def test_domain_imports_only_pure_modules(path: Path) -> None:
    """A domain module imports the stdlib's value types, attrs, data libraries and itself only."""
    bad = {
        name
        for name in _imports(path)
        if name not in DOMAIN_ALLOWED and not name.startswith("walletcare.domain")
    }
    assert not bad, f"{_module_name(path)} imports {sorted(bad)}"


@pytest.mark.parametrize("path", DOMAIN, ids=lambda p: _module_name(p))
def test_domain_never_reads_the_clock_or_draws_random_ids(path: Path) -> None:
    """No datetime.now(), time.time(), uuid4() or random in the domain: they come in as arguments."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = {
        node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
    }
    calls |= {
        "time.time"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr == "time"
        and getattr(node.value, "id", "") == "time"
    }
    CLOCK_AND_RANDOM.add("time.time")
    assert not calls & CLOCK_AND_RANDOM, (
        f"{_module_name(path)} calls {sorted(calls & CLOCK_AND_RANDOM)}"
    )


@pytest.mark.parametrize("path", MODULES, ids=lambda p: _module_name(p))
def test_imports_point_one_way(path: Path) -> None:
    """domain <- serialization, ports <- services <- adapters, plugins; adapters see records only."""
    name = _module_name(path)
    for layer, forbidden in LAYERS.items():
        if name.startswith(layer):
            bad = {i for i in _imports(path) if i.startswith(forbidden)}
            assert not bad, f"{name} imports {sorted(bad)}"


def test_only_plugins_module_calls_hooks() -> None:
    """pm.hook.* is called from walletcare.plugins alone."""
    callers = [
        _module_name(p)
        for p in MODULES
        if ".hook.walletcare_" in p.read_text(encoding="utf-8")
        and _module_name(p) != "walletcare.plugins"
    ]
    assert callers == []


def test_nothing_connects_on_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Importing walletcare opens no database file."""
    import importlib
    import sys

    monkeypatch.chdir(tmp_path)
    for mod in [m for m in sys.modules if m.startswith("walletcare")]:
        monkeypatch.delitem(sys.modules, mod)
    importlib.import_module("walletcare")
    assert list(tmp_path.iterdir()) == []


# The kernel is every module that serves all kinds of case; a kind's domain package is its own.
KIND_PACKAGES = ("walletcare.domain.complaints",)
KERNEL = (
    "walletcare.settings",
    "walletcare.ports",
    "walletcare.serialization",
    "walletcare.domain.cases",
    "walletcare.domain.oversight",
    "walletcare.domain.rules",
    "walletcare.domain.rulebook",
    "walletcare.domain.sla",
    "walletcare.domain.escalation",
    "walletcare.services.cases",
    "walletcare.services.commands",
    "walletcare.services.timers",
    "walletcare.services.outbox",
    "walletcare.services.catalogue",
    "walletcare.services.messages",
    "walletcare.services.case_messages",
    "walletcare.services.presentation",
    "walletcare.domain.messages",
    "walletcare.domain.permissions",
)


@pytest.mark.parametrize(
    "path", [p for p in MODULES if _module_name(p).startswith(KERNEL)], ids=_module_name
)
def test_kernel_imports_no_kind(path: Path) -> None:
    """Settings, ports and the case kernel import no kind's domain: kinds plug into them."""
    bad = {i for i in _imports(path) if i.startswith(KIND_PACKAGES)}
    assert not bad, f"{_module_name(path)} imports {sorted(bad)}"


def test_module_sizes_stay_readable() -> None:
    """No module grows far past ~400 lines; one that does is split by concept."""
    sizes = {_module_name(p): len(p.read_text(encoding="utf-8").splitlines()) for p in MODULES}
    assert {name: n for name, n in sizes.items() if n > 450} == {}
