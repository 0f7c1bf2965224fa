"""Property values as they cross the wire (protobuf Structs with Pulumi's signature keys), and back.

The signatures are the SDK's own constants (`pulumi.runtime.rpc`), the encoding that of
`sdk/go/common/resource/plugin/rpc.go`: a secret is {sig: secret, value}; an output value is
{sig: outputValue, value?, secret?, dependencies?}; a resource reference is {sig: resource, urn, id?}.
Every number is a double, so an integer from any language arrives as 2.0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from google.protobuf import json_format, struct_pb2
from pulumi.runtime import rpc

SIG = rpc._special_sig_key
SECRET_SIG = rpc._special_secret_sig
OUTPUT_SIG = rpc._special_output_value_sig
RESOURCE_SIG = rpc._special_resource_sig
UNKNOWN = rpc.UNKNOWN


@dataclass(frozen=True)
class Secret:
    value: Any

    def __repr__(self) -> str:
        return "[secret]"


@dataclass(frozen=True)
class OutputValue:
    """An output as the engine forwards it to Construct: known or not, secret or not, with dependencies."""

    value: Any = None
    secret: bool = False
    dependencies: tuple[str, ...] = ()
    known: bool = True

    def __repr__(self) -> str:
        shown = "[secret]" if self.secret else repr(self.value) if self.known else "[unknown]"
        return f"OutputValue({shown}, deps={list(self.dependencies)})"


@dataclass(frozen=True)
class ResourceRef:
    urn: str
    id: str | None = None
    package_version: str = field(default="")


def encode(value: Any) -> Any:
    """A Python value (with Secret/OutputValue/ResourceRef markers) as Struct-ready JSON."""
    if isinstance(value, Secret):
        return {SIG: SECRET_SIG, "value": encode(value.value)}
    if isinstance(value, OutputValue):
        out: dict[str, Any] = {SIG: OUTPUT_SIG}
        if value.known:
            out["value"] = encode(value.value)
        if value.secret:
            out["secret"] = True
        if value.dependencies:
            out["dependencies"] = list(value.dependencies)
        return out
    if isinstance(value, ResourceRef):
        ref: dict[str, Any] = {SIG: RESOURCE_SIG, "urn": value.urn}
        if value.id is not None:
            ref["id"] = value.id
        if value.package_version:
            ref["packageVersion"] = value.package_version
        return ref
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)  # what a Struct holds anyway; explicit so the intent is visible
    return value


def to_struct(properties: dict[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(encode(properties))
    return struct


def decode(value: Any) -> Any:
    """Struct JSON back into Python values with markers; the inverse of `encode` (numbers stay floats)."""
    if isinstance(value, dict):
        sig = value.get(SIG)
        if sig == SECRET_SIG:
            return Secret(decode(value.get("value")))
        if sig == OUTPUT_SIG:
            return OutputValue(
                decode(value.get("value")),
                bool(value.get("secret", False)),
                tuple(value.get("dependencies", ())),
                "value" in value,
            )
        if sig == RESOURCE_SIG:
            return ResourceRef(value["urn"], value.get("id"), value.get("packageVersion", ""))
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def from_struct(struct: struct_pb2.Struct) -> dict[str, Any]:
    return decode(json_format.MessageToDict(struct))


def reveal(value: Any) -> Any:
    """The plain value under any markers (for handing inputs to the mocks)."""
    if isinstance(value, (Secret, OutputValue)):
        return reveal(value.value)
    if isinstance(value, dict):
        return {k: reveal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [reveal(v) for v in value]
    return value


def is_secret(value: Any) -> bool:
    return isinstance(value, Secret) or (isinstance(value, OutputValue) and value.secret)


def plain_strings(value: Any) -> list[str]:
    """Every string in a value that is NOT under a secret: what a viewer of the state would see."""
    if is_secret(value):
        return []
    if isinstance(value, OutputValue):
        return plain_strings(value.value)
    if isinstance(value, dict):
        return [k for k in value if isinstance(k, str)] + [s for v in value.values() for s in plain_strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in plain_strings(v)]
    return [value] if isinstance(value, str) else []


def upgrade_secrets(value: Any) -> Any:
    """Secrets become secret output values, as the engine's RegisterResource unmarshalling does for a
    remote component (`UpgradeToOutputValues`, sdk/go/common/resource/plugin/rpc.go)."""
    if isinstance(value, Secret):
        return OutputValue(upgrade_secrets(value.value), secret=True)
    if isinstance(value, dict):
        return {k: upgrade_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [upgrade_secrets(v) for v in value]
    return value
