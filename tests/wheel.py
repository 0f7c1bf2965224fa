"""The package's wheel, built as a release is: `uv build` of a copy of what the package is made of,
so the build leaves nothing in the repository and the package cannot lean on any other file here."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from required_tools import uv
from shared_setup import run_folder

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
    """The wheel, built once per test run and shared by the workers."""
    with run_folder(tmp_path_factory, "package-wheel") as folder:
        built = sorted((folder / "dist").glob("gitpod_registry-*.whl"))
        return built[0] if built else build_wheel(folder)
