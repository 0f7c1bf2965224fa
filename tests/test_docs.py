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
# The checkout runs verify from its source (`.venv/bin/python -m components.verify`: it installs no package).
_RUNS_SOURCE_NAME = re.compile(
    r"(?<!\.venv/bin/)python[0-9.]* -m components\b|\bfrom components\b|\bimport components\b"
)
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
    # Each module read and parsed once, then searched for every backend.
    sources = {
        source: (source.read_text(), _imported_modules(source))
        for source in package.rglob("*.py")
        if source not in registry and source != exports  # the package exports each backend's component and Args
    }
    for name, backend in BACKENDS.items():
        module = backend.check.__module__
        own = Path(sys.modules[module].__file__ or "")
        named = _backend_names(backend)
        for source, (text, imported) in sources.items():
            if source == own:
                continue
            where = source.relative_to(ROOT)
            found = named.search(text)
            assert not found, f"{where} names backend {name}: {found.group(0)!r}"
            assert module not in imported, f"{where} imports {module}"


def test_the_backend_names_check_can_fail():
    """The patterns above catch what they are meant to (a pattern that matches nothing passes every module)."""
    from components.workspace_images import BACKENDS

    s3, external = _backend_names(BACKENDS["s3"]), _backend_names(BACKENDS["external"])
    for text in ("required for the s3 backend", "backend 's3'", "with backend `s3`", "an S3 backend"):
        assert s3.search(text), text
    for text in ("the s3-compatible backend", "backend 's3-compatible'", "s3.amazonaws.com", "aws:s3/bucket"):
        assert not s3.search(text), text
    assert external.search("ExternalWorkspaceImages for an air gap") and not external.search("external.url")


# Install commands: the package is not on PyPI, and the repository may carry no tags.
_GIT_INSTALL = re.compile(r"gitpod-registry(?:\[\w+\])? @ git\+(\S+?)@(\w+)")
_PACKAGE_ADD = re.compile(r"pulumi package add (\S+\.git/provider)@([\w.]+)")
_FROM_INDEX = re.compile(r"pip install ['\"]?gitpod-registry(?:\[\w+\])?(?:['\"]|\s|$)(?!\s*@)")
INSTALL_PAGES = [*USER_PAGES, ROOT / "examples" / "consumer" / "requirements.txt"]


def _pins(text: str) -> list[str]:
    return [ref for _, ref in _GIT_INSTALL.findall(text) + _PACKAGE_ADD.findall(text)]


@pytest.mark.parametrize("page", INSTALL_PAGES, ids=lambda p: p.name)
def test_every_documented_install_pins_the_newest_release_or_a_tag_that_exists(page):
    import subprocess

    from offline.releases import releases

    text = page.read_text()
    assert not _FROM_INDEX.findall(text), f"{page.name}: gitpod-registry is not on PyPI; install it from git"
    newest = releases()[0].commit
    for ref in _pins(text):
        tag = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"refs/tags/{ref}"], cwd=ROOT)
        assert ref == newest or tag.returncode == 0, f"{page.name}: @{ref} is neither releases.json's newest nor a tag"


def test_the_documented_git_install_installs_that_release_with_its_command(tmp_path):
    """The README's command as written, with this clone standing in for OWNER's repository."""
    import subprocess

    from required_tools import uv

    from offline.releases import releases

    (command,) = [line for line in (ROOT / "README.md").read_text().splitlines() if "git+" in line]
    requirement = command.split('"')[1]
    url, ref = _GIT_INSTALL.search(requirement).groups()
    assert url == "https://github.com/OWNER/gitpod-registry"
    subprocess.run([uv(), "venv", "-q", str(tmp_path / "venv")], check=True)
    python = tmp_path / "venv" / "bin" / "python"
    here = requirement.replace(url, ROOT.as_uri())
    # Without dependencies: what is checked is the source and pin, not the index.
    subprocess.run([uv(), "pip", "install", "-q", "--no-deps", "--python", str(python), here], check=True)
    shown = subprocess.run(
        [str(python), "-c", "from importlib.metadata import version; print(version('gitpod-registry'))"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.strip() == next(r.version for r in releases() if r.commit == ref)
    assert (tmp_path / "venv" / "bin" / "gitpod-registry").exists()


@pytest.mark.parametrize("page", [ROOT / "README.md", ROOT / "docs" / "verify.md"], ids=lambda p: p.name)
def test_verify_is_given_the_secret_the_stack_reports(page):
    import json

    fetched = re.findall(r"kubectl -n \S+ get secret (\"[^\"]*\"|\S+)", page.read_text())
    assert fetched and set(fetched) == {'"$(pulumi stack output workspaceImagesSecret)"'}, fetched
    # Each example stack reports one, and they differ: no fixed name would do.
    reported = {
        json.loads(path.read_text())["outputs"]["workspaceImagesSecret"]
        for path in (ROOT / "tests" / "snapshots").glob("*.json")
    }
    assert len(reported) > 1, reported


def test_the_checkout_runs_verify_as_the_docs_say():
    import shlex

    from forked_python import run_module

    for page in (ROOT / "README.md", ROOT / "docs" / "verify.md"):
        (line,) = [ln for ln in page.read_text().splitlines() if ln.startswith(".venv/bin/python -m components.verify")]
        argv = shlex.split(line)
        assert argv[3:5] == ["verify", "--config"], line
    # The same command from the checkout's root, as the quick start leaves it (its .venv's interpreter).
    assert argv[1] == "-m", line
    shown = run_module(*argv[2:4], "--help", cwd=ROOT)
    assert shown.returncode == 0 and "--secret FILE" in shown.stdout, shown.stderr
