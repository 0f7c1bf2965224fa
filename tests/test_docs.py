"""What the docs tell users is true of the repository: the names they run, the paths they point to."""

from __future__ import annotations

import ast
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


def _imported_modules(source: Path) -> set[str]:
    """Every module `source` imports from, absolute (`components.workspace_images.external`), and each name
    imported from a package as a module of it (`from .workspace_images import external`)."""
    package = ".".join(source.relative_to(ROOT).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found |= {module} | {f"{module}.{alias.name}" for alias in node.names}
    return found


def _backend_names(backend) -> re.Pattern:
    """How code and prose name a backend: `backend 's3'`, "the s3 backend", "S3Compatible backend" is not
    s3's; its component's class name too (ExternalWorkspaceImages)."""
    spellings = {backend.name, backend.name.replace("-", " "), backend.name.replace("-", "_")}
    name = "|".join(re.escape(s) for s in sorted(spellings, key=len, reverse=True))
    component = getattr(backend.build, "__name__", "") if isinstance(backend.build, type) else ""
    return re.compile(
        rf"backends?[\s'\"`]{{1,3}}(?:{name})\b(?![-.])"
        rf"|(?<![-\w.])(?:{name})[`'\"]?\s+backends?\b" + (rf"|\b{re.escape(component)}\b" if component else ""),
        re.IGNORECASE,
    )


def test_a_backend_is_named_only_in_its_module_and_the_registry():
    """A new backend is one module plus its line in BACKENDS and its export: no other module under the
    package refers to a backend by name, in code or prose, or imports its module (docs/adding-a-backend.md)."""
    from components.workspace_images import BACKENDS

    package = ROOT / "components"
    registry = {package / "workspace_images" / name for name in ("__init__.py", "config_args.py")}
    exports = package / "__init__.py"
    for name, backend in BACKENDS.items():
        module = backend.check.__module__
        own = Path(sys.modules[module].__file__ or "")
        named = _backend_names(backend)
        for source in package.rglob("*.py"):
            if source in registry or source == own:
                continue
            where = source.relative_to(ROOT)
            if source != exports:  # the package exports each backend's component and its Args
                found = named.search(source.read_text())
                assert not found, f"{where} names backend {name}: {found.group(0)!r}"
                assert module not in _imported_modules(source), f"{where} imports {module}"


def test_the_backend_names_check_can_fail():
    """The patterns above catch what they are meant to (a pattern that matches nothing passes every module)."""
    from components.workspace_images import BACKENDS

    s3, external = _backend_names(BACKENDS["s3"]), _backend_names(BACKENDS["external"])
    for text in ("required for the s3 backend", "backend 's3'", "with backend `s3`", "an S3 backend"):
        assert s3.search(text), text
    for text in ("the s3-compatible backend", "backend 's3-compatible'", "s3.amazonaws.com", "aws:s3/bucket"):
        assert not s3.search(text), text
    assert external.search("ExternalWorkspaceImages for an air gap") and not external.search("external.url")
