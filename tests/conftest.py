"""Shared helpers: every test evaluates the real program, fresh, under the mock engine."""

from __future__ import annotations

import base64
import gc
import json
import os
import sys
from typing import Any

import pytest

# Python caches compiled modules in __pycache__ unless PYTHONDONTWRITEBYTECODE is set, as it is on
# this project's machines. uv installs without bytecode, and the suite starts dozens of Python
# processes (two workers, plans, the plugins, the wheel's consumer), each of which would compile the
# SDK modules it imports again, about 2 s a time: so the suite lets Python cache them, as it does on a
# developer's machine. Set before the imports below, so this process caches the SDK modules before
# pytest-xdist starts its workers, which inherit the setting.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False

from components.stack_config import InvalidConfig, load  # noqa: E402
from offline.engine import Evaluation, Resource, Secret, evaluate, program_config  # noqa: E402

AWS = {"aws:region": "eu-west-1", "gitpod-registry:workspaceImages": {"backend": "s3"}}
# artifact-registry with its keyless login (workload identity), on a GKE cluster in the same project.
GCP_KEYLESS = {
    "gcp:project": "acme-gitpod",
    "gcp:region": "europe-west1",
    "gitpod-registry:workspaceImages": {
        "backend": "artifact-registry",
        "gkeClusterName": "gitpod",
        "gkeClusterLocation": "europe-west1",
    },
}


def run(stack: str = "test", config: dict[str, Any] | None = None, **kwargs) -> Evaluation:
    """Evaluates the program for `stack` with `config` only (no stack file); fails on a program error."""
    evaluation = evaluate(stack, config, use_stack_file=False, **kwargs)
    if evaluation.error is not None:
        raise AssertionError(f"program failed: {evaluation.error}") from evaluation.error
    return evaluation


def run_invalid(config: dict[str, Any], stack: str = "test") -> str:
    """Checks a config that must be refused, the way the program reads it, without evaluating the program
    (test_stack_config.py shows that a refused config registers nothing); returns the program's message."""
    values, _ = program_config(stack, config, use_stack_file=False)
    with pytest.raises(InvalidConfig) as refused:
        load(values, stack)
    return f"invalid configuration: {refused.value}"


def policy(resource: Resource) -> dict:
    return json.loads(resource.inputs["policy"])


def reveal(value: Any) -> Any:
    """Unwraps a Secret, asserting it is one."""
    assert isinstance(value, Secret), f"expected a secret, got a plain {type(value).__name__}"
    return value.value


def plain_strings(value: Any) -> list[str]:
    """Every string in a value that is NOT inside a Secret (what a viewer would see)."""
    if isinstance(value, Secret):
        return []
    if isinstance(value, dict):
        return [s for v in value.values() for s in plain_strings(v)] + [k for k in value if isinstance(k, str)]
    if isinstance(value, list):
        return [s for v in value for s in plain_strings(v)]
    return [value] if isinstance(value, str) else []


@pytest.fixture
def aws_stack() -> Evaluation:
    return run("dev", AWS)


def docker_config(secret: Resource) -> dict:
    """The decoded `.dockerconfigjson` of a dockerconfigjson secret, asserting it is a secret of that type."""
    assert secret.inputs["type"] == "kubernetes.io/dockerconfigjson", secret.urn
    data = reveal(secret.inputs["stringData"])
    assert sorted(data) == [".dockerconfigjson"], secret.urn
    document = json.loads(data[".dockerconfigjson"])
    assert list(document["auths"]) == sorted(document["auths"]), f"{secret.urn}: hosts not in a stable order"
    return document


def login(username: str, password: str) -> dict:
    """A `.dockerconfigjson` entry as Gitpod reads it; auth is base64 of user:password, no newline."""
    return {
        "username": username,
        "password": password,
        "auth": base64.b64encode(f"{username}:{password}".encode()).decode(),
    }


def secret_named(evaluation: Evaluation, name: str) -> Resource:
    found = [r for r in evaluation.of_type("kubernetes:core/v1:Secret") if r.inputs["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one secret {name}, found {[r.urn for r in found]}"
    return found[0]


def assert_never_plain(evaluation: Evaluation, *secrets: str) -> None:
    """No resource input or stack output shows any of `secrets` outside a Secret."""
    visible = plain_strings(evaluation.outputs)
    for resource in evaluation.resources:
        visible += plain_strings(resource.inputs)
    for secret in secrets:
        assert not any(secret in text for text in visible), "a password is visible in plain text"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The heaviest modules first (marker `heavy`): pytest-xdist hands whole modules to its workers in
    this order (`--dist loadscope --no-loadscope-reorder`, pytest.ini), so the two finish together."""

    def weight(item: pytest.Item) -> float:
        marker = item.get_closest_marker("heavy")
        return -marker.args[0] if marker else 0

    items.sort(key=weight)


def pytest_collection_finish(session: pytest.Session) -> None:
    """What collection imported (the SDKs, moto, hypothesis) lives as long as the worker: after one last
    full collection, the garbage collector leaves it out of the full collections the tests trigger, as
    the offline commands do (offline/command.py). With them, about 30 s of the suite's CPU."""
    gc.collect()
    gc.freeze()


def pytest_unconfigure(config: pytest.Config) -> None:
    # And out of the collection at exit, with the modules the tests imported since (about 1 s a worker).
    gc.freeze()
