"""Plans per stack: one broken stack file never hides the others; a user's own stacks are planned, never tested;
credential changes show in diffs without their values."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from forked_python import run_module

from conftest import AWS, run
from offline.diff import diff_stack
from offline.engine import PROJECT_DIR, shipped_stacks
from offline.render import render_diff_markdown, render_diff_text
from offline.snapshot import new_fingerprint_key, snapshot

pytestmark = pytest.mark.heavy(7)

WORKSPACE = "gitpod-registry:workspaceImages"
HARBOR = {
    "backend": "external",
    "url": "harbor.example.com/gitpod",
    "username": "robot$push",
    "password": "Old-pa55word",
}
BROKEN = "config:\n  aws:region: eu-west-1\n  aws:region: eu-west-2\n  password: Leaky-pa55word\n"


def git(cwd, *args):
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=cwd, check=True, capture_output=True
    )


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    """A copy of the project as a git repository on main, with the shipped stacks committed."""
    repo = tmp_path_factory.mktemp("isolation") / "repo"
    shutil.copytree(PROJECT_DIR, repo, ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", "*_cache"))
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    return repo


def plan(repo, *args):
    return run_module("offline.plan", *args, cwd=repo)


def test_all_plans_every_other_stack_and_reports_the_broken_one_in_one_line(repo):
    (repo / "Pulumi.mine.yaml").write_text(BROKEN)
    try:
        result = plan(repo, "--all", "--format", "json")
    finally:
        (repo / "Pulumi.mine.yaml").unlink()
    assert result.returncode == 1
    assert sorted(json.loads(result.stdout)) == shipped_stacks(repo)
    assert result.stderr.strip() == (
        "error: mine: Pulumi.mine.yaml: line 3: a mapping key is defined twice (first at line 2)"
    )
    assert "Leaky" not in result.stdout + result.stderr


def test_a_user_stack_is_planned_and_diffed_but_not_shipped(repo):
    shipped = shipped_stacks(repo)
    (repo / "Pulumi.prod.yaml").write_text((repo / "Pulumi.dev.yaml").read_text())
    try:
        assert shipped_stacks(repo) == shipped and "prod" not in shipped
        diff = plan(repo, "--all", "--diff", "--base", "main", "--format", "json")
    finally:
        (repo / "Pulumi.prod.yaml").unlink()
    assert diff.returncode == 0, diff.stderr
    by_stack = {d["stack"]: d for d in json.loads(diff.stdout)}
    assert by_stack["prod"]["base_missing"] and by_stack["prod"]["added"]


def test_the_diff_that_fixes_a_stack_broken_on_the_base_still_diffs_every_stack(repo):
    good = (repo / "Pulumi.dev.yaml").read_text()
    (repo / "Pulumi.dev.yaml").write_text(BROKEN)
    git(repo, "commit", "-qam", "break dev")
    (repo / "Pulumi.dev.yaml").write_text(good)
    try:
        result = plan(repo, "--all", "--diff", "--base", "HEAD", "--format", "json")
        markdown = plan(repo, "--all", "--diff", "--base", "HEAD", "--format", "markdown").stdout
    finally:
        git(repo, "reset", "-q", "--hard", "HEAD~1")
    assert result.returncode == 0, result.stderr
    by_stack = {d["stack"]: d for d in json.loads(result.stdout)}
    assert by_stack["dev"]["base_error"] == (
        "Pulumi.dev.yaml: line 3: a mapping key is defined twice (first at line 2)"
    )
    assert [stack for stack in shipped_stacks(repo) if stack != "dev" and not by_stack[stack]["empty"]] == []
    assert "Leaky" not in result.stdout + markdown


def test_snapshots_cover_only_shipped_stacks():
    assert shipped_stacks() == sorted(p.stem for p in (PROJECT_DIR / "tests" / "snapshots").glob("*.json"))


def test_a_changed_password_shows_as_a_changed_fingerprint_never_as_the_password():
    before = run("dev", {WORKSPACE: HARBOR})
    after = run("dev", {WORKSPACE: {**HARBOR, "password": "New-pa55word"}})
    key = new_fingerprint_key()
    result = diff_stack("dev", snapshot(before, key), snapshot(after, key))
    (secret,) = result.changed
    paths = {c.path: (c.before, c.after) for c in secret.changes}
    password = paths["stringData..dockerconfigjson.auths.harbor.example.com.password"]
    assert password[0] != password[1] and all(p.startswith("[secret ") for p in password)
    assert "stringData..dockerconfigjson.auths.harbor.example.com.username" not in paths  # unchanged, shown
    text = render_diff_text([result]) + render_diff_markdown([result]) + json.dumps(result.to_json())
    assert "harbor.example.com" in text
    assert not any(word in text for word in ("Old-pa55word", "New-pa55word", "Pa55"))
    assert "robot$push" in json.dumps(snapshot(after, key))


def test_a_rotated_key_changes_the_secret_that_carries_it():
    key = new_fingerprint_key()
    before = snapshot(run("dev", AWS), key)
    after = snapshot(run("dev", {**AWS, WORKSPACE: {"backend": "s3", "keyGeneration": 2}}), key)
    result = diff_stack("dev", before, after)
    changed = {c.path for r in result.changed for c in r.changes}
    assert {"stringData.s3AccessKey", "stringData.s3SecretKey"} <= changed


def test_fingerprints_are_fresh_for_each_run_and_absent_from_committed_snapshots():
    evaluation = run("dev", {WORKSPACE: HARBOR})
    first, second = (json.dumps(snapshot(evaluation, new_fingerprint_key())) for _ in range(2))
    assert first != second
    assert json.dumps(snapshot(evaluation, None)).count('"[secret]"') == 2  # password and auth
