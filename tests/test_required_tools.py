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


def test_the_skip_reason_names_the_debian_package_of_the_tool(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr("shutil.which", lambda name: None)
    with pytest.raises(Skipped, match=r"node is not installed \(apt-get install nodejs\)"):
        require_tool("node")
    with pytest.raises(Skipped, match=r"npm is not installed \(apt-get install npm\)"):
        require_tool("npm")


def test_the_readme_names_every_package_ci_installs_for_the_tests():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    installed = {
        package
        for line in (root / ".ci" / "run").read_text().replace("\\\n", " ").splitlines()
        if "apt-get install" in line
        for package in line.split("apt-get install", 1)[1].split(">")[0].split()
        if not package.startswith("-")
    }
    assert {"nodejs", "golang-gopkg-yaml.v3-dev"} <= installed, installed
    (readme,) = re.findall(r"^apt-get install (.*)$", (root / "README.md").read_text(), re.MULTILINE)
    assert installed <= set(readme.split()), f"README's test tools leave out {installed - set(readme.split())}"


def test_a_present_tool_is_found():
    assert require_tool("python3").endswith("python3")
