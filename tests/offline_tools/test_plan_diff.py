"""The plan diff on real evaluations: what it calls added, removed, replaced, renamed and changed."""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap

import pytest
from forked_python import run_module

from conftest import AWS, reveal, run
from offline.diff import diff_stack
from offline.engine import PROJECT_DIR, evaluate
from offline.render import COMMENT_MARKER, render_diff_markdown, render_diff_text
from offline.snapshot import snapshot

pytestmark = pytest.mark.heavy(7)

S3 = "gitpod-registry:workspaceImages"


def diff(before, after):
    return diff_stack("dev", snapshot(before), snapshot(after))


def names(changes):
    return [(r.type, r.name) for r in changes]


def test_same_config_gives_an_empty_diff():
    base = run("dev", AWS)
    result = diff(base, run("dev", AWS))
    assert result.empty and result.unchanged == len(base.resources), render_diff_text([result])


def test_key_rotation_is_a_replacement_by_name_and_keeping_the_old_key_an_addition():
    base = run("dev", AWS)
    rotated = diff(base, run("dev", {**AWS, S3: {"backend": "s3", "keyGeneration": 2}}))
    (replaced,) = rotated.replaced
    assert (replaced.type, replaced.reason) == ("aws:iam/accessKey:AccessKey", "name changed")
    assert replaced.old_urn.endswith("::gitpod-workspace-images-access-key-1") and replaced.name.endswith("-key-2")
    assert not rotated.added and not rotated.removed

    keeping = diff(base, run("dev", {**AWS, S3: {"backend": "s3", "keyGeneration": 2, "keepPreviousKey": True}}))
    assert names(keeping.added) == [("aws:iam/accessKey:AccessKey", "gitpod-workspace-images-access-key-2")]
    assert not keeping.replaced and not keeping.removed


def test_changed_inputs_and_options_are_listed_by_path():
    result = diff(run("dev", AWS), run("dev", {**AWS, "gitpod-registry:protectData": False, "aws:region": "us-west-2"}))
    by_name = {r.name: {c.path: (c.before, c.after) for c in r.changes} for r in result.changed + result.replaced}
    assert by_name["gitpod-workspace-images-bucket"]["(protect)"] == (True, False)
    assert by_name["gitpod-workspace-images-user"]["name"] == (
        "gitpod-registry-dev-eu-west-1",
        "gitpod-registry-dev-us-west-2",
    )
    policy = by_name["gitpod-workspace-images-storage-policy"]
    assert "policy.Statement[0].Resource" in policy, policy  # the JSON policy is compared as data
    assert any(c.path.startswith("installerConfigYaml (line") for c in result.outputs), result.outputs


def test_an_input_that_forces_replacement_is_a_replacement_and_stops_at_protection():
    """Another cluster name renames the bucket: AWS replaces a bucket whose name changes (ForceNew), so the
    diff says replaced, not changed, and that `pulumi up` stops at the protected bucket."""
    result = diff(run("dev", AWS), run("dev", {**AWS, "gitpod-registry:clusterName": "prod"}))
    replaced = {r.name: r for r in result.replaced}
    bucket = replaced["gitpod-workspace-images-bucket"]
    assert bucket.forcing == ["bucket"] and bucket.protect and bucket.old_urn == bucket.urn
    assert names(result.deletes_protected) == [("aws:s3/bucket:Bucket", "gitpod-workspace-images-bucket")]
    # Its sub-resources follow the bucket's name; the IAM user is renamed in place.
    assert {"gitpod-workspace-images-encryption", "gitpod-workspace-images-tls-only"} <= set(replaced)
    assert "gitpod-workspace-images-user" in {r.name for r in result.changed}
    text = render_diff_text([result])
    assert f"{len(result.replaced)} replaced" in text and "`pulumi up` stops here" in text
    assert "[bucket forces replacement: deleted and created again]" in text
    markdown = render_diff_markdown([result])
    assert "bucket forces replacement" in markdown and "stops here" in markdown


def test_setting_an_input_to_what_the_provider_computed_is_no_replacement():
    """0.2.0 gave the bucket an explicit `region`; state already held the provider's region, so nothing changes."""
    before, after = snapshot(run("dev", AWS)), snapshot(run("dev", AWS))
    for resource in before["resources"].values():
        resource["inputs"].pop("region", None)
    result = diff_stack("dev", before, after)
    assert not result.replaced and {r.name for r in result.changed} >= {"gitpod-workspace-images-bucket"}
    moved = json.loads(json.dumps(before))
    moved["providerConfig"]["aws:region"] = "us-east-1"
    assert "gitpod-workspace-images-bucket" in {r.name for r in diff_stack("dev", moved, after).replaced}


def test_reusing_a_bucket_removes_the_protected_one_and_says_so():
    result = diff(run("dev", AWS), run("dev", {**AWS, S3: {"backend": "s3", "bucket": "acme-gitpod"}}))
    assert ("aws:s3/bucket:Bucket", "gitpod-workspace-images-bucket") in names(result.removed)
    assert names(result.deletes_protected) == [("aws:s3/bucket:Bucket", "gitpod-workspace-images-bucket")]
    assert "refuses to delete" in render_diff_text([result])
    assert "deletes protected" in render_diff_markdown([result])


def test_no_secret_reaches_a_rendered_diff():
    before, after = run("dev", AWS), run("dev", {**AWS, S3: {"backend": "s3", "keyGeneration": 3}})
    credentials = [
        value
        for e in (before, after)
        for value in reveal(e.one("kubernetes:core/v1:Secret").inputs["stringData"]).values()
    ]
    result = diff(before, after)
    text = render_diff_text([result]) + render_diff_markdown([result]) + json.dumps(result.to_json())
    assert credentials and not any(credential in text for credential in credentials)


def test_markdown_is_a_marked_comment_that_fits_github():
    result = diff(run("dev", AWS), run("dev", {**AWS, "aws:region": "us-west-2"}))
    full = render_diff_markdown([result])
    assert full.startswith(COMMENT_MARKER) and f"| <code>dev</code> | 0 | 0 | {len(result.replaced)} | 0 |" in full
    short = render_diff_markdown([result], limit=2000)
    assert len(short) <= 2000 and short.startswith(COMMENT_MARKER)


ALIAS_PROGRAM = """
import pulumi

class Box(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("{box_type}", name, None, opts)
        pulumi.CustomResource("aws:s3/bucket:Bucket", f"{{name}}-bucket", {{"bucket": "b"}},
                              pulumi.ResourceOptions(parent=self, protect=True))
        self.register_outputs({{}})

Box("{name}", pulumi.ResourceOptions(aliases={aliases}))
"""


def evaluate_program(tmp_path, label, **fields):
    program = tmp_path / label / "__main__.py"
    program.parent.mkdir()
    program.write_text(textwrap.dedent(ALIAS_PROGRAM.format(**fields)))
    evaluation = evaluate("dev", use_stack_file=False, program=program)
    assert evaluation.error is None, evaluation.error
    return evaluation


def test_an_alias_turns_a_type_change_into_a_rename_children_included(tmp_path):
    base = evaluate_program(tmp_path, "base", box_type="acme:index:Box", name="box", aliases="[]")
    unaliased = evaluate_program(tmp_path, "plain", box_type="acme:index:Crate", name="box", aliases="[]")
    aliased = evaluate_program(
        tmp_path, "aliased", box_type="acme:index:Crate", name="box", aliases='[pulumi.Alias(type_="acme:index:Box")]'
    )
    replaced = diff(base, unaliased)
    assert {r.reason for r in replaced.replaced} == {"type changed", "parent changed"}
    assert names(replaced.deletes_protected) == [("aws:s3/bucket:Bucket", "box-bucket")]

    renamed = diff(base, aliased)
    assert not renamed.replaced and not renamed.added and not renamed.removed, render_diff_text([renamed])
    assert sorted(r.name for r in renamed.renamed) == ["box", "box-bucket"]


def git(cwd, *args):
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=cwd, check=True, capture_output=True
    )


def test_diff_against_a_git_revision_evaluates_that_revisions_own_components(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(PROJECT_DIR, repo, ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", "*_cache"))
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    component = repo / "components" / "workspace_images" / "s3.py"
    component.write_text(component.read_text().replace('f"{name}-user"', 'f"{name}-iam-user"'))
    (repo / "Pulumi.extra.yaml").write_text((repo / "Pulumi.dev.yaml").read_text())

    result = run_module("offline.plan", "--all", "--diff", "--format", "json", cwd=repo)
    assert result.returncode == 0, result.stderr
    by_stack = {d["stack"]: d for d in json.loads(result.stdout)}
    (user,) = by_stack["dev"]["replaced"]
    assert (user["name"], user["reason"]) == ("gitpod-workspace-images-iam-user", "name changed")
    assert user["old_urn"].endswith("::gitpod-workspace-images-user")
    dev_count = len(run("dev", AWS).resources)
    assert by_stack["extra"]["base_missing"] and len(by_stack["extra"]["added"]) == dev_count


def test_diff_exits_non_zero_when_the_working_tree_fails_for_a_stack_and_still_shows_every_stack(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(PROJECT_DIR, repo, ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", "*_cache"))
    (repo / "Pulumi.extra.yaml").write_text((repo / "Pulumi.dev.yaml").read_text())
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    (repo / "Pulumi.extra.yaml").write_text("config:\n  gitpod-registry:workspaceImages:\n    backend: nosuch\n")

    command = ["dev", "extra", "--diff", "--base", "main", "--format", "markdown"]
    result = run_module("offline.plan", *command, cwd=repo)
    assert result.returncode == 1, result.stderr
    from offline.render import _stack

    assert _stack("dev") in result.stdout and _stack("extra") in result.stdout, result.stdout
    assert "the new plan fails" in result.stdout
    assert "fails for extra" in result.stderr

    # Broken only on the base revision: the pull request that fixes it passes.
    git(repo, "commit", "-qam", "break extra")
    (repo / "Pulumi.extra.yaml").write_text((repo / "Pulumi.dev.yaml").read_text())
    fixed = run_module("offline.plan", *command, cwd=repo)
    assert fixed.returncode == 0, fixed.stderr
