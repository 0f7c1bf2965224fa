"""What the test engine records: registrations and invocations, as the monitor received them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from pulumi.runtime.proto import provider_pb2

STACK_TYPE = "pulumi:pulumi:Stack"


class Constructor(Protocol):
    """What the engine needs of a started, configured component plugin."""

    def construct(self, request: provider_pb2.ConstructRequest) -> provider_pb2.ConstructResponse: ...


@dataclass
class Registration:
    """One RegisterResource call, as the monitor received it and as it answered."""

    type: str
    name: str
    urn: str
    parent: str | None
    custom: bool
    remote: bool
    provider: str | None
    providers: dict[str, str]
    inputs: dict[str, Any]
    property_dependencies: dict[str, list[str]]
    dependencies: list[str]
    protect: bool
    additional_secret_outputs: list[str]
    id: str = ""
    outputs: dict[str, Any] = field(default_factory=dict)


@dataclass
class Invocation:
    token: str
    args: dict[str, Any]
    provider: str
