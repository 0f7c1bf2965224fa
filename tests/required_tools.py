"""Tools the real-software tests need: skip locally with the reason, fail under CI so CI never passes by skipping."""

from __future__ import annotations

import importlib.util
import os
import shutil

import pytest


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must install it (.ci/run)", pytrace=False)
    pytest.skip(reason)


def uv() -> str:
    """uv's executable, from the `uv` package of the dev group; skips (locally) or fails (CI=true) without it."""
    require_module("uv", "uv")
    from uv import find_uv_bin

    return find_uv_bin()


DEBIAN_PACKAGES = {"node": "nodejs", "go": "golang-go"}
"""Executables whose Debian package has another name (Debian's `node` package is something else)."""


def require_tool(name: str) -> str:
    """The path of executable `name`; skips (locally) or fails (CI=true) when it is not installed."""
    path = shutil.which(name)
    if path is None:
        _missing(f"{name} is not installed (apt-get install {DEBIAN_PACKAGES.get(name, name)})")
    return path


def require_module(name: str, package: str) -> None:
    """Python module `name` from PyPI `package`; skips locally or fails under CI when missing."""
    if importlib.util.find_spec(name) is None:
        _missing(f"Python module {name} is not installed (pip install '{package}')")


def missing(reason: str) -> None:
    """Any other requirement not met (a tool too old): skips locally, fails under CI=true."""
    _missing(reason)
