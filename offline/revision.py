"""The plans of another git revision, evaluated in a subprocess inside an export of that revision.

Its `components` and `__main__.py` may differ from the working tree's, and Python caches
imported modules, so they must not share this interpreter. The export gets the
working tree's `offline/` package (engine and mocks), so both sides of a diff are
evaluated by the same engine and differ only in the program and its stack files.
The export uses this interpreter's installed packages (uv.lock of the working tree).
When the revision's program is byte for byte the working tree's (a pull request that
changes stack files only), its stack files are evaluated in this interpreter instead:
the same code, without a second interpreter importing the SDKs.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Generator
from pathlib import Path

from . import releases
from .engine import PROJECT_DIR, all_stacks
from .snapshot import FINGERPRINT_KEY_ENV, Snapshot, plan

OFFLINE_DIR = Path(__file__).resolve().parent
BASE_BRANCHES = ("main", "origin/main")
PROGRAM = ("__main__.py", "Pulumi.yaml", "pyproject.toml", "components")
"""What an evaluation imports or reads from the project, besides stack files and the engine (`offline/`, which
an export takes from the working tree): `components.package` reads pyproject.toml's version."""


class RevisionError(Exception):
    """git could not resolve or export a revision, or its plans could not be produced."""


def _git(*args: str, cwd: Path = PROJECT_DIR) -> bytes:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True)
    if result.returncode != 0:
        raise RevisionError(f"git {' '.join(args)}: {result.stderr.decode(errors='replace').strip()}")
    return result.stdout


def default_base() -> str:
    """The merge base of HEAD with main (or origin/main): what a pull request is compared with."""
    for branch in BASE_BRANCHES:
        probe = subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", f"{branch}^{{commit}}"], cwd=PROJECT_DIR, capture_output=True
        )
        if probe.returncode == 0:
            return _git("merge-base", "HEAD", branch).decode().strip()
    raise RevisionError(f"none of {', '.join(BASE_BRANCHES)} exists here; name the revision with --base REV")


def resolve(revision: str) -> str:
    """The commit to compare with for a revision argument: a released version (`v0.2.0`, `0.2.0`) is the
    commit releases.json records for it, tagged or not (the repository need not carry tags); anything
    else is left to git. A version on no record is refused, naming the releases there are."""
    release = releases.release_named(revision)
    if release:
        return release.commit
    if (
        releases.looks_like_version(revision)
        and subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], cwd=PROJECT_DIR, capture_output=True
        ).returncode
    ):
        known = ", ".join(f"v{r.version}" for r in releases.releases())
        raise RevisionError(f"{revision} is no release on record (releases.json: {known}) and no git revision here")
    return revision


def describe(revision: str) -> str:
    """How a diff's title names the base: `v0.2.0 (94abcba)` for a release, else the short commit."""
    release = releases.release_named(revision)
    return f"v{release.version} ({short(release.commit)})" if release else short(revision)


def short(revision: str) -> str:
    try:
        return _git("rev-parse", "--short", f"{revision}^{{commit}}").decode().strip()
    except RevisionError:
        return revision


def export(revision: str, destination: Path) -> Path:
    """Writes the tree of `revision` to `destination`; returns the project directory inside it."""
    top = Path(_git("rev-parse", "--show-toplevel").decode().strip())
    prefix = _git("rev-parse", "--show-prefix").decode().strip()
    archive = _git("archive", "--format=tar", f"{revision}^{{tree}}", cwd=top)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        try:
            tar.extractall(destination, filter="data")
        except TypeError:  # Python before 3.11.4 has no extraction filters; git archive writes no links out of the tree
            tar.extractall(destination)
    project = destination / prefix
    if not (project / "Pulumi.yaml").exists():
        raise RevisionError(f"revision {revision} has no Pulumi.yaml in {prefix or 'the repository root'}")
    shutil.rmtree(project / "offline", ignore_errors=True)
    shutil.copytree(OFFLINE_DIR, project / "offline", ignore=shutil.ignore_patterns("__pycache__"))
    return project


@contextlib.contextmanager
def exported(revision: str) -> Generator[Path, None, None]:
    """The project directory of an export of `revision` (this tree's engine inside), removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="plan-base-") as tmp:
        yield export(revision, Path(tmp))


def run_module(project: Path, module: str, *args: str, key: bytes | None = None) -> subprocess.CompletedProcess:
    """`python -m module args` inside an export: its `components`, this tree's `offline`."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", FINGERPRINT_KEY_ENV)}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    if key:
        env[FINGERPRINT_KEY_ENV] = key.hex()
    # -m puts the export first on sys.path: its components, this engine.
    return subprocess.run([sys.executable, "-m", module, *args], cwd=project, env=env, capture_output=True, text=True)


def plans_in(
    project: Path, revision: str, stacks: list[str] | None = None, key: bytes | None = None
) -> dict[str, Snapshot | None]:
    """{stack: snapshot, or None where the export has no Pulumi.<stack>.yaml}; default: its own stacks.

    Each stack is planned on its own (a broken stack file is that stack's error); `key` is the diff
    run's fingerprint key, so both sides fingerprint secrets alike.
    """
    result = run_module(project, "offline.snapshot", *(stacks or []), key=key)
    names = stacks or all_stacks(project)
    if result.returncode == 0:
        return json.loads(result.stdout)
    # The whole evaluation failed (not one stack): say so for each stack, without the subprocess's
    # output, which may quote config values.
    problem = f"evaluating revision {revision} failed as a whole (run `python -m offline.snapshot` in an export of it)"
    present = set(all_stacks(project))
    return {name: ({"format": 1, "stack": name, "error": problem} if name in present else None) for name in names}


def program_files(project: Path) -> dict[str, bytes]:
    """{path: content} of the program's files in `project` (PROGRAM), untracked ones included; bytecode caches are
    Python's own and left out."""
    found = {}
    for name in PROGRAM:
        top = project / name
        paths = sorted(top.rglob("*")) if top.is_dir() else [top] if top.is_file() else []
        for path in paths:
            relative = path.relative_to(project)
            if path.is_file() and "__pycache__" not in relative.parts:
                found[relative.as_posix()] = path.read_bytes()
    return found


def plans_at(revision: str, stacks: list[str] | None = None, key: bytes | None = None) -> dict[str, Snapshot | None]:
    """The plans of `revision`'s stack files (default: every one it has): in this interpreter when its program is
    the working tree's, else `plans_in` a subprocess in an export."""
    with exported(revision) as project:
        if program_files(project) == program_files(PROJECT_DIR):
            return {stack: plan(stack, key, stack_dir=project) for stack in stacks or all_stacks(project)}
        return plans_in(project, revision, stacks, key)
