"""A released version is a revision to every tool that takes one: `--diff --base v0.2.0`, `offline.upgrade v0.2.0`."""

from __future__ import annotations

import pytest
from forked_python import run_module

from offline import releases, revision, upgrade
from offline.engine import PROJECT_DIR

NEWEST = releases.releases()[0]


@pytest.mark.parametrize("name", [f"v{NEWEST.version}", NEWEST.version])
def test_a_release_version_is_its_recorded_commit(name):
    assert revision.resolve(name) == NEWEST.commit
    assert revision.describe(name) == f"v{NEWEST.version} ({NEWEST.commit[:7]})"


def test_a_version_on_no_record_is_refused_naming_the_releases():
    with pytest.raises(revision.RevisionError, match=rf"v1\.2\.0 is no release on record .*v{NEWEST.version}"):
        revision.resolve("v1.2.0")


def test_other_revisions_are_left_to_git():
    assert revision.resolve("HEAD~1") == "HEAD~1"


def test_the_upgrade_check_refuses_an_unknown_version(capsys):
    with pytest.raises(SystemExit) as exit:
        upgrade.main(["v1.2.0"])
    assert exit.value.code == 2
    assert f"no release on record for v1.2.0 (releases.json: v{NEWEST.version}" in capsys.readouterr().err


def test_the_documented_diff_against_a_release_runs():
    """docs/reviewing-changes.md's command, with the release named as it documents it."""
    command = next(
        line.split("#")[0].split()
        for line in (PROJECT_DIR / "docs" / "reviewing-changes.md").read_text().splitlines()
        if "--diff --base v" in line
    )
    assert command[:2] == [".venv/bin/python", "-m"], command
    result = run_module(*command[2:], cwd=PROJECT_DIR)
    assert result.returncode == 0, result.stderr
    assert f"v{NEWEST.version} ({NEWEST.commit[:7]})" in result.stdout
