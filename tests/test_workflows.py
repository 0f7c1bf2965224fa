"""The GitHub workflows: valid against GitHub's schema, clean under zizmor, and fork-safe by construction."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from offline.engine import PROJECT_DIR

WORKFLOWS = PROJECT_DIR / ".github" / "workflows"
FILES = sorted(WORKFLOWS.glob("*.yml"))
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")


def tool(name: str) -> str:
    """The tool from this venv or PATH; skipped locally when missing, a failure under CI=true."""
    found = Path(sys.executable).with_name(name)
    path = str(found) if found.exists() else shutil.which(name)
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} is not installed; it is in the dev group of pyproject.toml")
        pytest.skip(f"{name} is not installed (uv sync --group dev)")
    return path


def load(name: str) -> dict:
    workflow = yaml.safe_load((WORKFLOWS / name).read_text())
    workflow["on"] = workflow.pop(True, workflow.get("on"))  # YAML 1.1 reads the key `on` as true
    return workflow


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def test_workflows_match_githubs_schema():
    assert {p.name for p in FILES} >= {"test.yml", "plan-diff.yml", "plan-diff-comment.yml", "preview.yml"}
    result = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *map(str, FILES)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing():
    result = subprocess.run(
        [tool("zizmor"), "--offline", "--no-progress", str(WORKFLOWS)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_action_is_pinned_by_commit_and_checkouts_keep_no_token(path):
    for step in steps(load(path.name)):
        if "uses" in step:
            assert PINNED.match(step["uses"]), f"{path.name}: {step['uses']} is not pinned to a commit SHA"
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step.get("with", {}).get("persist-credentials") is False, f"{path.name}: checkout keeps the token"


def test_the_pr_side_of_the_plan_diff_is_read_only_and_writes_the_comment_as_an_artifact():
    workflow = load("plan-diff.yml")
    assert list(workflow["on"]) == ["pull_request"]
    assert workflow["permissions"] == {"contents": "read"}
    assert all("permissions" not in job for job in workflow["jobs"].values())
    runs = " ".join(step.get("run", "") for step in steps(workflow))
    assert "offline.plan --all --diff" in runs and "--format markdown" in runs
    (upload,) = [step for step in steps(workflow) if step.get("uses", "").startswith("actions/upload-artifact@")]
    # A failing plan fails the job after the comment is written: it is uploaded and posted all the same.
    assert upload.get("if") == "${{ !cancelled() }}"
    assert "|| status=$?" in runs and 'exit "$status"' in runs
    comment = load("plan-diff-comment.yml")
    (job,) = comment["jobs"].values()
    assert "conclusion == 'failure'" in job["if"]


def test_the_privileged_comment_job_runs_no_pull_request_code():
    workflow = load("plan-diff-comment.yml")
    assert workflow["on"]["workflow_run"]["workflows"] == ["plan-diff"]
    assert workflow["permissions"] == {}
    (job,) = workflow["jobs"].values()
    assert job["permissions"] == {"actions": "read", "pull-requests": "write"}
    uses = [step["uses"].split("@")[0] for step in job["steps"] if "uses" in step]
    assert uses == ["actions/download-artifact"], "only the artifact comes from the pull request"
    script = " ".join(step.get("run", "") for step in job["steps"])
    assert ".head.sha" in script and "HEAD_SHA" in script, "the PR number must be checked against the tested commit"
    assert "${{" not in script, "no expression is interpolated into the script"


def test_previews_use_pulumi_actions_with_oidc_and_skip_without_credentials():
    workflow = load("preview.yml")
    preview = workflow["jobs"]["preview"]
    assert preview["if"] == "needs.stacks.outputs.configured == 'true'"
    assert preview["permissions"]["id-token"] == "write"
    (pulumi,) = [s for s in preview["steps"] if s.get("uses", "").startswith("pulumi/actions@")]
    assert pulumi["with"]["command"] == "preview" and pulumi["with"]["comment-on-pr"] is True
    assert "matrix.stack" in pulumi["with"]["stack-name"]
