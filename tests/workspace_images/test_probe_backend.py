"""A probe backend, added to a copy of the project by the steps of docs/adding-a-backend.md and nothing else,
passes the backend-generic tests: a new backend is one module, its registry line, its export, its docs page
and its example stack. The test fails when anything else would need editing (a test's hard-coded list of
backends or stacks, a module that names a backend, a table written by hand)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from forked_python import run_module

from offline.engine import PROJECT_DIR

pytestmark = pytest.mark.heavy(10)

PROBE = "probe"
# What the copy needs: the package, the offline tools, the docs and project files the generic tests read.
COPIED = ("components", "offline", "policy", "docs", "tests/snapshots", "tests/schemas", "tests/esotemplate")
COPIED_FILES = (
    "__main__.py",
    "README.md",
    "CONTRIBUTING.md",
    "CHANGELOG.md",
    "pyproject.toml",
    "pytest.ini",
    "uv.lock",
)
HELPERS = (
    "tests/conftest.py",
    "tests/forked_python.py",
    "tests/gitpod_runtime.py",
    "tests/required_tools.py",
    "tests/shared_setup.py",
    "tests/wheel.py",
    "tests/test_policy_pack.py",
)
# The tests that hold for every backend and every example stack: each takes its lists from the code.
GENERIC = (
    "tests/test_docs.py",
    "tests/test_config_spec.py",
    "tests/workspace_images/test_secret_writer.py",
    "tests/roles/test_base_images.py",
    "tests/roles/test_component_images.py",
    "tests/offline_tools/test_plan_snapshots.py",
    "tests/offline_tools/test_plan_isolation.py::test_snapshots_cover_only_shipped_stacks",
    "tests/test_package.py::test_component_reference_tables_are_current",
    "tests/test_package.py::test_requirements_txt_is_the_lock_for_pip",
    "tests/test_package.py::test_components_are_built_through_their_constructors_only",
    "tests/test_package.py::test_every_exported_component_is_in_the_schema",
    "tests/test_runtime_pulls.py",
)
# Not about backends: the copy leaves out the files those pages name (provider/, bench/, .github/, ...) and
# the repository's history, which the documented installs are pinned to; verify is the same for any backend.
NOT_COPIED = (
    "tests/test_docs.py::test_the_checkout_runs_verify_as_the_docs_say",
    "tests/test_docs.py::test_every_repository_path_a_doc_names_exists",
    "tests/test_docs.py::test_every_documented_install_pins_the_newest_release_or_a_tag_that_exists",
    "tests/test_docs.py::test_the_documented_git_install_installs_that_release_with_its_command",
)
PROBE_STACK = f"""# Example stack: the probe backend (tests/workspace_images/test_probe_backend.py).
config:
  gitpod-registry:workspaceImages:
    backend: {PROBE}
    url: registry.example.com/probe
    username: probe-robot
    password:
      secure: v1:NOT-CIPHERTEXT-probe
"""
PROBE_PAGE = f"""# Probe backend

`workspaceImages.backend: {PROBE}`. A copy of the external backend, added by the steps of
[Adding a backend](adding-a-backend.md) to prove that they are all a backend needs.
"""


def _edit(path: Path, old: str, new: str) -> None:
    """Replaces `old`, which must occur exactly once: a step that no longer fits the file fails loudly."""
    text = path.read_text()
    assert text.count(old) == 1, f"{path.name}: expected {old!r} once; the documented step no longer fits"
    path.write_text(text.replace(old, new))


def _copy(root: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*_cache")
    for name in COPIED:
        shutil.copytree(PROJECT_DIR / name, root / name, ignore=ignore)
    for name in (*COPIED_FILES, *HELPERS, *{test.split("::")[0] for test in GENERIC}):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(PROJECT_DIR / name, root / name)
    for stack in PROJECT_DIR.glob("Pulumi*.yaml"):
        shutil.copy2(stack, root / stack.name)


def add_probe_backend(root: Path) -> None:
    """docs/adding-a-backend.md, step by step: the module (a copy of external.py), its line in BACKENDS, its
    export, its docs page and README row, its example stack (named in CONTRIBUTING's layout), a CHANGELOG
    entry; then the generated files: `python -m offline.docs` and the stack's snapshot."""
    package = root / "components"
    source = (package / "workspace_images" / "external.py").read_text()
    source = re.sub(r"\bExternal(?=WorkspaceImages)|(?<=Checked)External\b", "Probe", source)
    source = source.replace('name="external"', f'name="{PROBE}"')
    assert f'name="{PROBE}"' in source and "ProbeWorkspaceImages(" in source, "external.py changed shape"
    (package / "workspace_images" / f"{PROBE}.py").write_text(source)

    registry = package / "workspace_images" / "__init__.py"
    _edit(registry, "from . import ", f"from . import {PROBE}, ")
    _edit(registry, "        in_cluster.BACKEND,\n", f"        in_cluster.BACKEND,\n        {PROBE}.BACKEND,\n")
    exports = package / "__init__.py"
    _edit(
        exports,
        "from .validation import InvalidInput\n",
        "from .validation import InvalidInput\n"
        f"from .workspace_images.{PROBE} import ProbeWorkspaceImages, ProbeWorkspaceImagesArgs\n",
    )
    _edit(exports, "__all__ = [\n", '__all__ = [\n    "ProbeWorkspaceImages",\n    "ProbeWorkspaceImagesArgs",\n')

    (root / "docs" / f"backend-{PROBE}.md").write_text(PROBE_PAGE)
    readme = root / "README.md"
    readme.write_text(readme.read_text() + f"\n| [`{PROBE}`](docs/backend-{PROBE}.md) | a probe | a secret | `url` |\n")
    (root / f"Pulumi.{PROBE}.yaml").write_text(PROBE_STACK)
    contributing = root / "CONTRIBUTING.md"
    _edit(contributing, "`Pulumi.airgap.yaml` |", f"`Pulumi.airgap.yaml`, `Pulumi.{PROBE}.yaml` |")
    _edit(root / "CHANGELOG.md", "## [Unreleased]\n", f"## [Unreleased]\n\n- The {PROBE} backend.\n")

    for command in (["offline.docs"], ["offline.plan", PROBE, "--update-snapshots"]):
        made = run_module(*command, cwd=root)
        assert made.returncode == 0, f"{' '.join(command)}:\n{made.stdout}{made.stderr}"


def test_a_backend_added_by_the_documented_steps_passes_the_generic_tests(tmp_path):
    root = tmp_path / "project"
    _copy(root)
    add_probe_backend(root)
    assert (root / "tests" / "snapshots" / f"{PROBE}.json").exists()
    result = run_module(
        *("pytest", "-n0", "-v", "-p", "no:cacheprovider"),
        *(f"--deselect={test}" for test in NOT_COPIED),
        *GENERIC,
        cwd=root,
    )
    assert result.returncode == 0, f"the probe backend needs more than the documented steps:\n{result.stdout[-6000:]}"
    # The probe reached the generic tests: they parametrize over the backends and stacks it added.
    assert f"test_plan_matches_its_committed_snapshot[{PROBE}] PASSED" in result.stdout, result.stdout[-3000:]
    assert f"test_every_pull_meets_the_intended_login_in_the_secret_its_reader_reads[stack-{PROBE}] PASSED" in (
        result.stdout
    ), result.stdout[-3000:]
