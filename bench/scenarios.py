"""What the benchmark evaluates: name -> size -> (stack, config or None for the stack file, program or None)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from offline.engine import example_stacks

HERE = Path(__file__).resolve().parent
Scenario = Callable[[int], tuple[str, dict[str, Any] | None, Path | None]]

SCENARIOS: dict[str, Scenario] = {
    f"stack:{stack}": (lambda _size, s=stack: (s, None, None)) for stack in example_stacks()
}

# Scaling: N whole registry compositions (about 12 resources each) in one bench-only program.
SCENARIOS["clusters"] = lambda size: ("bench", {"bench:clusters": size}, HERE / "scale_program.py")


def _registries(size: int) -> tuple[str, dict[str, Any], None]:
    # N private base-image registries merged into one push secret (backend external: s3 refuses them).
    registries = [
        {"server": f"registry{i}.example.com", "username": f"user{i}", "password": f"password-{i}"} for i in range(size)
    ]
    push = {"backend": "external", "url": "push.example.com/gitpod", "username": "push", "password": "push-token"}
    return (
        "dev",
        {"gitpod-registry:workspaceImages": push, "gitpod-registry:baseImages": {"registries": registries}},
        None,
    )


SCENARIOS["registries"] = _registries
