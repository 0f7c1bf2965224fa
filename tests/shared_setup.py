"""Set-up made once per test run and shared by pytest-xdist's workers: the package's wheel (tests/wheel.py),
the component provider's and the policy pack's plugin checkout with their virtualenvs (tests/wire)."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def run_folder(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[Path]:
    """The folder `name` that every worker of this run shares (the workers' base folders have one parent),
    held under a lock: the first worker to ask fills it while the others wait, then find it filled."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = shared / name
    folder.mkdir(exist_ok=True)
    with open(folder / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield folder
