"""Whether a stack built by an earlier release survives `pulumi up` with this tree's program.

A user pins a release and upgrades months later: the state holds what that release's program
registered, and the new program runs with the same stack file. For each release on record
(releases.json), each of its stacks is evaluated with that release's stack file twice, by this
tree's engine: under the release's code (an export of its commit) and under this tree's program.
The engine matches the two by URN and aliases and asks the provider to diff each pair; the
problems below are what would replace data, cut Gitpod off or stop the upgrade:

- a resource of the release's plan that this plan lacks, under its URN or an alias: the engine
  deletes it (and creates whatever now stands in its place);
- a changed input that makes the provider replace a resource (offline/replacements.py);
- a Kubernetes Secret whose name, namespace, type or key names change: Gitpod reads the name from its
  installer config, and the key names are the installer's contract;
- a protected resource that loses its protection;
- a secret reference of the installer config, the `workspaceImagesSecret` output, or where workspace
  images live (`containerRegistry`'s url, bucket, region, endpoint) that moves;
- the release's stack file refused, unless the refusal names the key and CHANGELOG.md records it under
  "Changed" in a later entry;
- an input or output of the component package (other languages' schema) that disappears, changes
  type or becomes required.

python -m offline.upgrade [VERSION...]      check the given releases (default: every one on record)
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import command, revision
from . import releases as release_records
from .changes import ABSENT
from .diff import diff_stack
from .engine import all_stacks, evaluate
from .replacements import DATA_BEARING_TYPES
from .snapshot import Snapshot, new_fingerprint_key, snapshot

SECRET_TYPE = "kubernetes:core/v1:Secret"
IMAGE_LOCATION = (
    "containerRegistry.inCluster",
    "containerRegistry.external.url",
    "containerRegistry.s3storage.bucket",
    "containerRegistry.s3storage.region",
    "containerRegistry.s3storage.endpoint",
)
"""Where workspace images live: moved, every image built so far is gone from Gitpod's view."""
_CONFIG_KEY = re.compile(r"gitpod-registry:([A-Za-z][\w.\[\]-]*)")


@dataclass(frozen=True)
class Problem:
    stack: str
    resource: str
    """The URN (or `(outputs)`, `(stack file)`, `(schema)`) the problem is about."""
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.stack}: {self.resource}: {self.field}: {self.message}"


def _at(value: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return ABSENT
        value = value[part]
    return value


def _secret_refs(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(path, name) of every `{kind: secret, name}` object in the installer config."""
    if isinstance(value, dict):
        if value.get("kind") == "secret" and isinstance(value.get("name"), str):
            yield path, value["name"]
        for key, sub in value.items():
            yield from _secret_refs(sub, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            yield from _secret_refs(sub, f"{path}[{i}]")


def _secret_shape(inputs: dict[str, Any]) -> dict[str, Any]:
    metadata = inputs.get("metadata") or {}
    keys = sorted(
        {key for part in (inputs.get("data"), inputs.get("stringData")) if isinstance(part, dict) for key in part}
    )
    return {
        "metadata.name": metadata.get("name", ABSENT),
        "metadata.namespace": metadata.get("namespace", ABSENT),
        "type": inputs.get("type", ABSENT),
        "key names": keys,
    }


def compare(stack: str, before: Snapshot, after: Snapshot) -> list[Problem]:
    """What would replace data, cut Gitpod off, or delete a resource when plan `after` follows `before`."""
    found: dict[tuple[str, str], Problem] = {}

    def add(resource: str, field: str, message: str) -> None:
        found.setdefault((resource, field), Problem(stack, resource, field, message))

    diff = diff_stack(stack, before, after)
    old, new = before["resources"], after["resources"]
    for r in diff.removed:
        add(r.urn, "(urn)", f"{_kind(r.type, r.protect)}{r.type} is gone: the engine deletes it (no alias)")
    for r in diff.replaced:
        old_urn = r.old_urn or r.urn
        if not r.forcing:
            add(old_urn, "(urn)", f"{_kind(r.type, r.protect)}{r.type} is deleted and created again ({r.reason})")
        for change in r.changes:
            if change.path in r.forcing:
                add(
                    old_urn,
                    change.path,
                    f"{_show(change.before)} -> {_show(change.after)} makes the provider replace this "
                    f"{_kind(r.type, r.protect)}{r.type}",
                )
    kept = diff.changed + diff.renamed + [r for r in diff.replaced if r.forcing]
    for r in kept:
        if old[r.old_urn or r.urn]["protect"] and not new[r.urn]["protect"]:
            add(r.old_urn or r.urn, "(protect)", f"{r.type} loses its protection against deletion")
        if r.type == SECRET_TYPE:
            old_urn = r.old_urn or r.urn
            was, now = _secret_shape(old[old_urn]["inputs"]), _secret_shape(new[r.urn]["inputs"])
            for field, value in was.items():
                if now[field] != value:
                    add(old_urn, field, f"{_show(value)} -> {_show(now[field])}: Gitpod reads it")
    return list(found.values()) + _output_problems(stack, before.get("outputs", {}), after.get("outputs", {}))


def _kind(type_token: str, protect: bool) -> str:
    return "data-bearing " if type_token in DATA_BEARING_TYPES or protect else ""


def _output_problems(stack: str, before: dict[str, Any], after: dict[str, Any]) -> list[Problem]:
    problems = []
    old_config, new_config = before.get("installerConfig") or {}, after.get("installerConfig") or {}
    new_refs = dict(_secret_refs(new_config))
    for path, name in _secret_refs(old_config):
        if new_refs.get(path) != name:
            problems.append(
                Problem(stack, "(outputs)", f"installerConfig.{path}", f"{name} -> {_show(new_refs.get(path, ABSENT))}")
            )
    for path in IMAGE_LOCATION:
        if _at(old_config, path) != _at(new_config, path):
            problems.append(
                Problem(
                    stack,
                    "(outputs)",
                    f"installerConfig.{path}",
                    f"{_show(_at(old_config, path))} -> {_show(_at(new_config, path))}: workspace images move",
                )
            )
    if "workspaceImagesSecret" in before and before["workspaceImagesSecret"] != after.get("workspaceImagesSecret"):
        problems.append(
            Problem(
                stack,
                "(outputs)",
                "workspaceImagesSecret",
                f"{_show(before['workspaceImagesSecret'])} -> {_show(after.get('workspaceImagesSecret', ABSENT))}",
            )
        )
    return problems


def _show(value: Any) -> str:
    return ABSENT if value == ABSENT else json.dumps(value, sort_keys=True)


def refusal_problem(stack: str, error: str, since_version: str, changelog: str | None = None) -> Problem | None:
    """None when this tree's refusal of a release's stack file is a recorded change: the message names the
    key and a "Changed" section of CHANGELOG.md since that release mentions it."""
    keys = _CONFIG_KEY.findall(error)
    recorded = release_records.changed_since(since_version, changelog)
    if keys and any(f"`{key.split('.')[0]}" in recorded or f"`{key}" in recorded for key in keys):
        return None
    return Problem(
        stack,
        "(stack file)",
        keys[0] if keys else "(config)",
        f"the stack file of {since_version} is refused: {error}. Keep the key working (a deprecated alias), "
        "or refuse it naming what it became and record that under ### Changed in CHANGELOG.md",
    )


@dataclass(frozen=True)
class ReleasePlans:
    """What a release registers for each of its stacks, its stack files and its component schema."""

    release: release_records.Release
    plans: dict[str, Snapshot | None]
    stack_files: dict[str, bytes]
    schema: dict[str, Any]
    key: bytes
    """The fingerprint key its plans were made with: plans of this tree made with it show changed secrets."""


def read_release(release: release_records.Release) -> ReleasePlans:
    """Evaluates every stack of `release` under its own code (raises RevisionError if git cannot give it)."""
    key = new_fingerprint_key()
    with revision.exported(release.commit) as project:
        stacks = all_stacks(project)
        result = revision.run_module(project, "offline.release_side", *stacks, key=key)
        if result.returncode != 0:
            # Not its output: a failing program's traceback may quote config values.
            raise revision.RevisionError(f"`python -m offline.release_side` failed in an export of {release.commit}")
        side = json.loads(result.stdout)
        stack_files = {stack: (project / f"Pulumi.{stack}.yaml").read_bytes() for stack in stacks}
    return ReleasePlans(release, side["plans"], stack_files, side["schema"], key)


def plans_with_stack_files(old: ReleasePlans) -> dict[str, Snapshot]:
    """This tree's program with each of `old`'s stack files, as a user who upgrades runs it."""
    with tempfile.TemporaryDirectory(prefix="stacks-") as tmp:
        for stack, text in old.stack_files.items():
            (Path(tmp) / f"Pulumi.{stack}.yaml").write_bytes(text)
        return {stack: snapshot(evaluate(stack, stack_dir=Path(tmp)), old.key) for stack in old.stack_files}


def check(old: ReleasePlans, new: dict[str, Snapshot], new_schema: dict[str, Any] | None) -> list[Problem]:
    """Every problem of upgrading `old`'s stacks to the plans `new` (this tree's, with `old`'s stack files),
    and, given `new_schema`, of a consumer's program moving from `old`'s component schema to it."""
    problems: list[Problem] = []
    version = old.release.version
    for stack, before in old.plans.items():
        after = new[stack]
        if before is None or "error" in before:
            reason = before["error"] if before else "no stack file"
            problems.append(Problem(stack, "(stack file)", "(plan)", f"{version}'s own plan fails: {reason}"))
        elif "error" in after:
            problem = refusal_problem(stack, after["error"], version)
            problems += [problem] if problem else []
        else:
            problems += compare(stack, before, after)
    return problems + (schema_problems(old.schema, new_schema) if new_schema is not None else [])


def check_release(release: release_records.Release) -> list[Problem]:
    """Every problem of upgrading each of `release`'s stacks to this tree's program.

    The component schema is compared with the newest release only: each release was held to the one
    before it, so an input that survives every step survives them all (0.2.0 reshaped 0.1.0's
    arguments, recorded in its CHANGELOG entry, before this check existed).
    """
    try:
        old = read_release(release)
    except revision.RevisionError as error:
        return [Problem("(all)", "(history)", release.commit, f"{release.version} cannot be read: {error}")]
    newest = release == release_records.releases()[0]
    return check(old, plans_with_stack_files(old), current_schema() if newest else None)


def current_schema() -> dict[str, Any]:
    """This tree's component schema, as its provider serves it."""
    from components.package import provider

    return json.loads(provider().schema or "{}")


def _resolve(schema: dict[str, Any], prop: dict[str, Any]) -> dict[str, Any]:
    ref = prop.get("$ref") or (prop.get("items") or {}).get("$ref")
    if ref and ref.startswith("#/types/"):
        return schema.get("types", {}).get(ref[len("#/types/") :], {})
    return {}


def schema_problems(before: dict[str, Any], after: dict[str, Any]) -> list[Problem]:
    """Inputs and outputs of the component package that a consumer's program of the release would miss."""
    problems: list[Problem] = []

    def walk(where: str, old: dict[str, Any], new: dict[str, Any], sections: tuple[str, ...], depth: int = 0) -> None:
        for section in sections:
            old_props, new_props = old.get(section, {}), new.get(section, {})
            for name, prop in old_props.items():
                path = f"{where}.{name}"
                if name not in new_props:
                    problems.append(Problem("(schema)", path, section, "removed or renamed without an alias"))
                    continue
                if prop.get("type") != new_props[name].get("type"):
                    problems.append(
                        Problem("(schema)", path, section, f"type {prop.get('type')} -> {new_props[name].get('type')}")
                    )
                old_type, new_type = _resolve(before, prop), _resolve(after, new_props[name])
                if old_type and depth < 8:
                    walk(path, old_type, new_type, ("properties",), depth + 1)
        newly_required = set(new.get("requiredInputs", new.get("required", []))) - set(
            old.get("requiredInputs", old.get("required", []))
        )
        for name in sorted(newly_required):
            problems.append(Problem("(schema)", f"{where}.{name}", "required", "newly required"))

    for token, resource in before.get("resources", {}).items():
        if token not in after.get("resources", {}):
            problems.append(Problem("(schema)", token, "(resource)", "removed or renamed"))
            continue
        walk(token, resource, after["resources"][token], ("inputProperties", "properties"))
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m offline.upgrade", description=__doc__.splitlines()[0])
    parser.add_argument(
        "versions", nargs="*", help="releases to check, 0.2.0 or v0.2.0 (default: every one in releases.json)"
    )
    options = parser.parse_args(argv)
    records = release_records.releases()
    chosen = records
    if options.versions:
        named = [release_records.release_named(v) for v in options.versions]
        unknown = [v for v, release in zip(options.versions, named, strict=True) if release is None]
        if unknown:
            known = ", ".join(f"v{r.version}" for r in records)
            parser.error(f"no release on record for {', '.join(unknown)} (releases.json: {known})")
        chosen = [r for r in records if r in named]
    failed = False
    for release in chosen:
        problems = check_release(release)
        print(f"{release.version} ({release.commit[:12]}) -> working tree: {len(problems) or 'no'} problems")
        for problem in problems:
            print(f"  {problem}")
        failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    command.run(main)
