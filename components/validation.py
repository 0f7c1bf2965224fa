"""Input checks shared by the stack configuration and the components.

Each check raises InvalidInput naming the field (a config key such as
`gitpod-registry:namespace`, or a component argument) and what is allowed. The
checks run in plain Python, before any resource is registered, so a bad input
creates nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any


class InvalidInput(ValueError):
    """A configuration value or component argument that the program cannot use."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field


_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_CLUSTER_NAME = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_IPV4 = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")

CLUSTER_NAME_MAX = 32


def describe(value: Any) -> str:
    """A short, safe rendering of a value for an error message (never used for secrets)."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def kind_of(value: Any) -> str:
    """What sort of value this is, without showing it (for values that may hold a secret)."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def require_type(field: str, value: Any, expected: type | tuple[type, ...], what: str) -> Any:
    # bool is an int in Python; a flag must not pass as a number or the other way round.
    if isinstance(value, bool) and bool not in (expected if isinstance(expected, tuple) else (expected,)):
        raise InvalidInput(field, f"expected {what}, got {describe(value)}")
    if not isinstance(value, expected):
        raise InvalidInput(field, f"expected {what}, got {describe(value)}")
    return value


def require_one_of(field: str, value: Any, allowed: Iterable[str]) -> str:
    allowed = list(allowed)
    if value not in allowed:
        raise InvalidInput(field, f"{describe(value)} is not allowed; allowed values: {', '.join(allowed)}")
    return value


def require_known_fields(field: str, given: dict, allowed: Iterable[str]) -> None:
    """Rejects unknown keys in an object, so a typo is an error rather than a silent default."""
    allowed = sorted(allowed)
    unknown = sorted(set(given) - set(allowed))
    if unknown:
        raise InvalidInput(
            f"{field}.{unknown[0]}",
            f"unknown field; allowed fields here: {', '.join(allowed) or '(none)'}",
        )


def namespace(field: str, value: Any) -> str:
    require_type(field, value, str, "a string")
    if len(value) > 63 or not _DNS_LABEL.match(value):
        raise InvalidInput(
            field,
            f"{describe(value)} is not a Kubernetes namespace name; use 1-63 lowercase letters, "
            "digits and '-', starting and ending with a letter or digit",
        )
    return value


def cluster_name(field: str, value: Any) -> str:
    require_type(field, value, str, "a string")
    if len(value) > CLUSTER_NAME_MAX or not _CLUSTER_NAME.match(value):
        raise InvalidInput(
            field,
            f"{describe(value)} is not a valid cluster name; use 1-{CLUSTER_NAME_MAX} lowercase letters, "
            "digits and '-', starting with a letter and ending with a letter or digit "
            "(it becomes part of cloud resource names)",
        )
    return value


def bucket_name(field: str, value: Any) -> str:
    """S3 general-purpose bucket naming rules."""
    require_type(field, value, str, "a string")
    if (
        not _BUCKET_NAME.match(value)
        or ".." in value
        or _IPV4.match(value)
        or value.startswith(("xn--", "sthree-", "amzn-s3-demo-"))
        or value.endswith(("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"))
    ):
        raise InvalidInput(
            field,
            f"{describe(value)} is not a valid S3 bucket name; use 3-63 lowercase letters, digits, "
            "'.' and '-', starting and ending with a letter or digit, not an IP address "
            "(see the S3 bucket naming rules)",
        )
    return value


def positive_int(field: str, value: Any) -> int:
    require_type(field, value, int, "a whole number of 1 or more")
    if value < 1:
        raise InvalidInput(field, f"expected a whole number of 1 or more, got {value}")
    return value


def flag(field: str, value: Any) -> bool:
    return require_type(field, value, bool, "true or false")


FieldNamer = Callable[[str], str]
"""Maps an argument's name to the name an error should show (a config key, a nested path)."""


def same_name(arg: str) -> str:
    return arg


_IMAGE_REFERENCE = re.compile(r"^[a-z0-9][a-z0-9._:/@-]*[a-zA-Z0-9_.-]*$")


def image_reference(field: str, value: Any) -> str:
    """A container image or repository reference without a scheme, e.g. gitpod/workspace-full:latest."""
    require_type(field, value, str, "an image reference such as gitpod/workspace-full:latest")
    if "://" in value:
        raise InvalidInput(
            field, f"{describe(value)} has a scheme; give the reference without it, e.g. registry.example.com/gitpod"
        )
    if not value or any(c.isspace() for c in value) or not _IMAGE_REFERENCE.match(value):
        raise InvalidInput(
            field, f"{describe(value)} is not an image reference; expected e.g. registry.example.com/team/image:tag"
        )
    return value
