"""A missing tool skips a real-software test locally and fails it under CI, so CI never passes by skipping."""

from __future__ import annotations

import pytest
from _pytest.outcomes import Failed, Skipped
from required_tools import require_module, require_tool

MISSING = "gitpod-registry-no-such-tool"


def test_missing_tool_skips_locally_with_the_reason(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(Skipped, match=f"{MISSING} is not installed"):
        require_tool(MISSING)
    with pytest.raises(Skipped, match="pip install 'no-such-package'"):
        require_module("gitpod_registry_no_such_module", "no-such-package")


def test_missing_tool_fails_under_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(Failed, match=r"CI must install it"):
        require_tool(MISSING)
    with pytest.raises(Failed, match=r"CI must install it"):
        require_module("gitpod_registry_no_such_module", "no-such-package")


def test_a_present_tool_is_found():
    assert require_tool("python3").endswith("python3")
