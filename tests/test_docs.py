"""What the docs tell users is true of the repository: the names they run, the paths they point to."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
USER_PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
"""What users read. docs/adding-a-backend.md is for contributors, who work in components/."""
DOCS = [*USER_PAGES, ROOT / "CONTRIBUTING.md"]
"""CHANGELOG.md is history: it names files that later releases removed."""
_RUNS_SOURCE_NAME = re.compile(r"python[0-9.]* -m components\b|\bfrom components\b|\bimport components\b")
# A path of this repository; one followed by a placeholder (`docs/backend-<name>.md`) is a pattern.
_PATH = re.compile(
    r"(?<![\w/.-])((?:components|offline|tests|policy|provider|bench|examples|docs|\.ci|\.github)/[\w./-]*\w)(?![-\w./]*[<*{])"
)
# Paths that exist only once made (the plugins' virtualenvs), and Go files, which are Gitpod's or a
# provider's sources cited by path (components/registry-facade/cmd/run.go), never this repository's.
_MADE_AT_RUN_TIME = ("provider/venv", "policy/venv", "policy/.venv")


@pytest.mark.parametrize("page", [p for p in USER_PAGES if p.name != "adding-a-backend.md"], ids=lambda p: p.name)
def test_user_pages_use_the_installed_names(page):
    found = _RUNS_SOURCE_NAME.findall(page.read_text())
    assert not found, f"{page.name}: {found}: users run `gitpod-registry` and import `gitpod_registry`"


def test_error_hints_and_the_console_script_use_the_installed_names():
    import tomllib

    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert all(target.startswith("gitpod_registry.") for target in scripts.values()), scripts
    for source in (ROOT / "components").rglob("*.py"):
        for line in source.read_text().splitlines():
            if not line.lstrip().startswith("#"):
                assert not _RUNS_SOURCE_NAME.search(line), f"{source.relative_to(ROOT)}: {line.strip()}"


@pytest.mark.parametrize("page", DOCS, ids=lambda p: p.name)
def test_every_repository_path_a_doc_names_exists(page):
    missing = sorted(
        {
            path
            for path in _PATH.findall(page.read_text())
            if not path.startswith(_MADE_AT_RUN_TIME) and not path.endswith(".go") and not (ROOT / path).exists()
        }
    )
    assert not missing, f"{page.name} names paths that do not exist: {missing}"


def test_contributing_lists_every_example_stack():
    from offline.engine import shipped_stacks

    text = (ROOT / "CONTRIBUTING.md").read_text()
    missing = [stack for stack in shipped_stacks() if f"`Pulumi.{stack}.yaml`" not in text]
    assert not missing, f"CONTRIBUTING.md's layout leaves out {missing}"


def test_a_backend_is_named_only_in_its_module_and_the_registry():
    """A new backend is one module plus its line in BACKENDS and its export: no other module under the
    package refers to a backend by name (docs/adding-a-backend.md)."""
    from components.workspace_images import BACKENDS

    package = ROOT / "components"
    registry = {package / "workspace_images" / name for name in ("__init__.py", "config_args.py")}
    for name, backend in BACKENDS.items():
        own = Path(sys.modules[backend.check.__module__].__file__ or "")
        named = re.compile(rf"backend[\s'\"`]{{1,3}}{re.escape(name)}\b(?![-.])", re.IGNORECASE)
        for source in package.rglob("*.py"):
            if source not in registry and source != own:
                found = named.search(source.read_text())
                assert not found, f"{source.relative_to(ROOT)} names backend {name}: {found.group(0)!r}"
