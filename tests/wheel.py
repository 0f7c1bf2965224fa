"""The package's wheel, built as a release is: `uv build` of a copy of what the package is made of,
so the build leaves nothing in the repository and the package cannot lean on any other file here."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from required_tools import uv

ROOT = Path(__file__).resolve().parents[1]


def build_wheel(tmp: Path) -> Path:
    source = tmp / "source"
    shutil.copytree(ROOT / "components", source / "components", ignore=shutil.ignore_patterns("__pycache__"))
    (source / "docs").mkdir()
    for name in ("pyproject.toml", "docs/package.md"):
        shutil.copy(ROOT / name, source / name)
    subprocess.run([uv(), "build", "-q", "--wheel", "--out-dir", str(tmp / "dist"), str(source)], check=True, cwd=tmp)
    (wheel,) = (tmp / "dist").glob("gitpod_registry-*.whl")
    return wheel


def session_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built once per test run: pytest-xdist's workers share their base folder's parent, and
    the first worker to ask builds it there while the others wait on a lock."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = shared / "package-wheel"
    folder.mkdir(exist_ok=True)
    with open(folder / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        built = sorted((folder / "dist").glob("gitpod_registry-*.whl"))
        return built[0] if built else build_wheel(folder)
