"""Docs and examples are executable: every python block and every example script runs."""

from __future__ import annotations

import inspect
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

from walletcare import hookspecs

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted((ROOT / "docs").rglob("*.md"))
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


@pytest.mark.parametrize("page", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_doc_code_blocks_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The python blocks of a page run top to bottom in one namespace without error."""
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__doc__"}
    for block in BLOCK.findall(page.read_text(encoding="utf-8")):
        exec(compile(block, str(page), "exec"), namespace)


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_examples_run_as_scripts(script: Path, tmp_path: Path) -> None:
    """Each example runs as a script, in a fresh directory, and exits 0."""
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_every_hook_is_documented() -> None:
    """docs/plugins/hooks.md has a section with the exact signature of every hookspec."""
    text = (ROOT / "docs" / "plugins" / "hooks.md").read_text(encoding="utf-8")
    hooks = [
        name
        for name, fn in vars(hookspecs).items()
        if name.startswith("walletcare_") and callable(fn)
    ]
    assert hooks
    for name in hooks:
        signature = f"def {name}{inspect.signature(getattr(hookspecs, name))}"
        assert f"### `{name}`" in text, f"{name} has no section"
        assert signature.replace("'", "") in text.replace("'", ""), (
            f"{name}'s signature is not shown as {signature}"
        )


def test_readme_test_command_is_what_ci_runs() -> None:
    """The README's test command is the one .ci/run runs."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"^```sh\n(.*?)\n```", readme, re.MULTILINE | re.DOTALL)
    assert len(commands) == 2, "the quick start has exactly two commands"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1].strip() in ci


def test_changelog_has_unreleased_section() -> None:
    """CHANGELOG.md follows Keep a Changelog with an Unreleased section on top."""
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(r"^## \[Unreleased\]", text, re.MULTILINE)


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_main_runs_in_process(
    script: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each example's ``main()`` runs in this process, from another directory, as
    ``python example.py`` would run it (so its code counts for coverage and mutation tests)."""
    monkeypatch.chdir(tmp_path)
    namespace = runpy.run_path(str(script), run_name="__main__")
    assert callable(namespace.get("main")), f"{script.name} has no main()"
    assert capsys.readouterr().out.strip(), f"{script.name} printed nothing"
