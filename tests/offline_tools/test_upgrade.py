"""Upgrades: a stack built by any earlier release, run by this tree's program, keeps its data and Gitpod's
secrets (offline/upgrade.py says what counts). `pytest -k upgrade` runs these.

Each release's stacks are evaluated from the commit releases.json names, straight from git history, so a
shallow clone fails here by design: `git fetch --unshallow`.
"""

from __future__ import annotations

import json
import re
import subprocess
import tomllib

import pytest

from offline import releases, upgrade
from offline.engine import PROJECT_DIR, evaluate, shipped_stacks, stack_config
from offline.replacements import DATA_BEARING_TYPES, FORCES_REPLACEMENT
from offline.snapshot import new_fingerprint_key, snapshot

pytestmark = pytest.mark.heavy(4)

RELEASES = releases.releases()


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=PROJECT_DIR, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def release_plans() -> dict[str, upgrade.ReleasePlans]:
    """Each release's own plans, evaluated once for the module (about 4 s a release)."""
    return {release.version: upgrade.read_release(release) for release in RELEASES}


@pytest.fixture(scope="module")
def previous(release_plans) -> upgrade.ReleasePlans:
    return release_plans[RELEASES[0].version]


def _problems(found: list[upgrade.Problem]) -> str:
    return "\n".join(str(p) for p in found)


def test_upgrade_every_changelog_release_is_on_record_with_its_commit():
    headings = re.findall(r"^## \[([^\]]+)\]", (PROJECT_DIR / "CHANGELOG.md").read_text(), re.MULTILINE)
    assert [r.version for r in RELEASES] == [h for h in headings if h != "Unreleased"]
    assert _git("rev-parse", "--is-shallow-repository").strip() == "false", "shallow clone: git fetch --unshallow"
    for release in RELEASES:
        assert re.fullmatch(r"[0-9a-f]{40}", release.commit), f"{release.version}: name the full commit hash"
        pyproject = tomllib.loads(_git("show", f"{release.commit}:pyproject.toml"))
        assert pyproject["project"]["version"] == release.version, f"{release.version}: {release.commit}"
        assert _git("log", "-1", "--format=%ad", "--date=short", release.commit).strip() == release.date
        # Cut from main's history, so a clone of main has it.
        _git("merge-base", "--is-ancestor", release.commit, "HEAD")


@pytest.mark.parametrize("version", [r.version for r in RELEASES])
def test_upgrade_from_release_replaces_nothing_and_keeps_gitpods_secrets(release_plans, version):
    old = release_plans[version]
    assert old.plans, f"{version} has no example stacks"
    newest = version == RELEASES[0].version
    found = upgrade.check(old, upgrade.plans_with_stack_files(old), upgrade.current_schema() if newest else None)
    assert not found, f"upgrading from {version}:\n{_problems(found)}"


def test_upgrade_check_names_the_bucket_when_its_name_format_changes(previous, monkeypatch):
    from components.workspace_images import s3

    monkeypatch.setattr(s3, "bucket_name_for", lambda cluster, account, region: f"gitpod-{cluster}-{account}")
    found = upgrade.check(previous, upgrade.plans_with_stack_files(previous), None)
    bucket = [p for p in found if p.resource.endswith("::gitpod-workspace-images-bucket")]
    assert [(p.stack, p.field) for p in bucket] == [("dev", "bucket")], _problems(found)
    assert "data-bearing aws:s3/bucket:Bucket" in bucket[0].message
    assert any(p.field == "installerConfig.containerRegistry.s3storage.bucket" for p in found), _problems(found)


def test_upgrade_check_names_the_secret_when_its_default_name_changes(previous, monkeypatch):
    from components.workspace_images import s3

    original = s3.s3_storage_secret
    monkeypatch.setattr(s3, "s3_storage_secret", lambda *a, **kw: original(*a, **{**kw, "secret_name": "renamed"}))
    found = upgrade.check(previous, upgrade.plans_with_stack_files(previous), None)
    fields = {(p.stack, p.field) for p in found}
    assert ("dev", "metadata.name") in fields, _problems(found)
    assert ("dev", "installerConfig.containerRegistry.s3storage.certificate") in fields, _problems(found)
    assert ("dev", "workspaceImagesSecret") in fields, _problems(found)


def test_upgrade_check_names_a_resource_that_loses_its_urn(previous, monkeypatch):
    from components.workspace_images import s3

    original = s3.aws.iam.User
    monkeypatch.setattr(
        s3.aws.iam, "User", lambda resource_name, **kw: original(resource_name.replace("-user", "-iam-user"), **kw)
    )
    found = upgrade.check(previous, upgrade.plans_with_stack_files(previous), None)
    assert any(p.resource.endswith("::gitpod-workspace-images-user") and p.field == "(urn)" for p in found), _problems(
        found
    )


def test_upgrade_refused_stack_file_fails_unless_the_changelog_records_the_key(previous):
    error = "invalid configuration: gitpod-registry:workspaceImages.bucketName: unknown field"
    assert upgrade.refusal_problem("dev", error, previous.release.version, "## [Unreleased]\n") is not None
    recorded = "## [Unreleased]\n\n### Changed\n\n- `workspaceImages.bucketName` is now `workspaceImages.bucket`.\n"
    assert upgrade.refusal_problem("dev", error, previous.release.version, recorded) is None
    # Recorded under Added, or before the release, it does not count.
    elsewhere = recorded.replace("Changed", "Added") + f"## [{previous.release.version}]\n### Changed\n`workspaceImages"
    assert upgrade.refusal_problem("dev", error, previous.release.version, elsewhere) is not None


def test_upgrade_schema_check_names_removed_renamed_retyped_and_newly_required_inputs(previous):
    current = upgrade.current_schema()
    assert not upgrade.schema_problems(previous.schema, current)
    token = "gitpod-registry:index:GitpodImageRegistries"
    changed = json.loads(json.dumps(current))
    inputs = changed["resources"][token]["inputProperties"]
    inputs["clusterId"] = inputs.pop("clusterName")
    inputs["protectData"]["type"] = "string"
    changed["resources"][token].setdefault("requiredInputs", []).append("namespace")
    nested = inputs["workspaceImages"]["$ref"].split("/")[-1]
    changed["types"][nested]["properties"].pop("backend")
    found = {(p.resource, p.field) for p in upgrade.schema_problems(previous.schema, changed)}
    assert found >= {
        (f"{token}.clusterName", "inputProperties"),
        (f"{token}.protectData", "inputProperties"),
        (f"{token}.namespace", "required"),
        (f"{token}.workspaceImages.backend", "properties"),
    }, found


def _rotating_stacks() -> list[str]:
    from components.push_secret import SecretWriter
    from components.stack_config import load
    from components.workspace_images import BACKENDS

    found = []
    for stack in shipped_stacks():
        config = stack_config(stack)[0]
        workspace_images = json.loads(config.get("gitpod-registry:workspaceImages", "{}"))
        backend = BACKENDS.get(workspace_images.get("backend"))
        # A login a controller renews has no generation to rotate (artifact-registry's keyless one refuses it).
        if (
            backend
            and any(f.name == "key_generation" for f in backend.fields)
            and load(config, stack).secret_writer is not SecretWriter.CONTROLLER
        ):
            found.append(stack)
    return found


def _with_fields(stack: str, fields: dict) -> dict:
    """The stack's config with `fields` set in its workspaceImages."""
    workspace_images = json.loads(stack_config(stack)[0]["gitpod-registry:workspaceImages"])
    return {"gitpod-registry:workspaceImages": {**workspace_images, **fields}}


def _with_rotation(stack: str, generation: int, keep: bool) -> dict:
    return _with_fields(stack, {"keyGeneration": generation, "keepPreviousKey": keep})


def test_upgrade_rotation_covers_every_backend_that_rotates():
    assert set(_rotating_stacks()) >= {"dev", "gcp", "azure"}


@pytest.mark.parametrize("stack", _rotating_stacks())
def test_upgrade_rotation_keeps_the_credential_gitpod_uses(stack):
    """keyGeneration + 1 with keepPreviousKey: the key in use now is neither replaced nor deleted in that
    `pulumi up`; the secret is rewritten in place, under its name, with the new key."""
    key = new_fingerprint_key()
    now = snapshot(evaluate(stack, _with_rotation(stack, 1, False)), key)
    rotated = snapshot(evaluate(stack, _with_rotation(stack, 2, True)), key)
    assert not upgrade.compare(stack, now, rotated), _problems(upgrade.compare(stack, now, rotated))
    added = set(rotated["resources"]) - set(now["resources"])
    assert added, f"{stack}: rotation added no credential"
    secrets = [u for u, r in now["resources"].items() if r["type"] == upgrade.SECRET_TYPE]
    assert any(now["resources"][u]["inputs"] != rotated["resources"][u]["inputs"] for u in secrets), (
        f"{stack}: no secret carries the new credential"
    )
    # Without keepPreviousKey the old credential goes in the same run: the check sees it.
    dropped = snapshot(evaluate(stack, _with_rotation(stack, 2, False)), key)
    assert any(p.field == "(urn)" for p in upgrade.compare(stack, now, dropped))
    # Without Pulumi.yaml's kubernetes:enableSecretMutable the provider deletes the secret and creates it again.
    immutable = {**_with_rotation(stack, 2, True), "kubernetes:enableSecretMutable": None}
    found = upgrade.compare(stack, now, snapshot(evaluate(stack, immutable), key))
    assert found and all(p.field.startswith("stringData.") for p in found), _problems(found)


# Resources that no example stack registers, each turned on by the option that makes it.
OPTIONAL_RESOURCES = {"gcp": {"allowKeyCreation": True}}


def test_upgrade_replacement_table_covers_every_type_the_program_registers():
    evaluations = [evaluate(stack) for stack in shipped_stacks()]
    evaluations += [evaluate(stack, _with_fields(stack, fields)) for stack, fields in OPTIONAL_RESOURCES.items()]
    resources = [r for e in evaluations for r in e.resources if r.custom]
    registered = {r.type for r in resources}
    assert "gcp:orgpolicy/policy:Policy" in registered, "OPTIONAL_RESOURCES no longer turns the policy on"
    missing = sorted(registered - set(FORCES_REPLACEMENT))
    assert not missing, f"offline/replacements.py has no entry for {missing}: read the provider and add one"
    protected = {r.type for r in resources if r.protect}
    assert protected <= DATA_BEARING_TYPES, f"protected but not data-bearing: {sorted(protected - DATA_BEARING_TYPES)}"


def test_upgrade_check_names_data_that_loses_its_protection(previous, monkeypatch):
    from components.workspace_images import s3

    original = s3.S3WorkspaceImages._create_bucket
    monkeypatch.setattr(s3.S3WorkspaceImages, "_create_bucket", lambda self, *a: original(self, *a[:-1], False))
    found = upgrade.check(previous, upgrade.plans_with_stack_files(previous), None)
    assert [(p.stack, p.resource.rsplit("::", 1)[1]) for p in found if p.field == "(protect)"] == [
        ("dev", "gitpod-workspace-images-bucket")
    ], _problems(found)
