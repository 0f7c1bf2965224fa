"""The package's wheel, built as a release is: `uv build` of a copy of what the package is made of,
so the build leaves nothing in the repository and the package cannot lean on any other file here."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

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
