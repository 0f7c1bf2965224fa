"""One input, declared once: its type, default, allowed values, bounds, secrecy, description and own rule.

The tree of all config keys is in config_spec.py; backends declare their fields, and their components'
other inputs, with this class. From it come the component's Args TypedDict (generated into the module by
`python -m offline.docs`, offline/backend_args.py), the stack-config reader's parsing, the docs' tables,
and `checked_values`, the one check of required, type, allowed values, bounds and default.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi

from .kubernetes.dockerconfig import check_password
from .validation import INT32_MAX, InvalidInput, at, camel, describe, require_one_of, require_type

Kind = Literal["string", "integer", "boolean", "object", "array"]


@dataclass(frozen=True)
class Field:
    """One config key (or one field of an object-valued key), or one component input."""

    name: str
    """The argument name, snake_case; the config key is its camelCase."""
    kind: Kind
    default: Any = None
    """Used when the key is unset; None means no default."""
    default_text: str | None = None
    """The default as the docs should say it, when it is not a plain value (e.g. the stack name)."""
    alternative_to: str | None = None
    """The key this one is the alternative to, e.g. airGap: exactly one of the two is given (checked by the owner)."""
    allowed: tuple[str, ...] = ()
    secret: bool = False
    """Holds a credential: read as a secret, never echoed."""
    fallback: str | None = None
    """A provider config key read when this one is unset, e.g. aws:region."""
    fallback_applies: Callable[[Mapping[str, Any]], bool] | None = None
    """Whether the fallback applies, given the object's other fields (default: always)."""
    backends: tuple[str, ...] = ()
    """For workspaceImages fields: the backends that take this field (empty: all)."""
    fields: tuple[Field, ...] = ()
    """For an object, or an array of objects: the fields of each object."""
    schema_type: str | None = None
    """For an object, or an array of objects: the Args type whose docstrings document its fields."""
    required: bool = False
    minimum: int | None = None
    """For an integer: the smallest allowed (1 unless given)."""
    maximum: int | None = None
    """For an integer: the largest allowed (INT32_MAX unless given, what every language's SDK can carry)."""
    bounds_why: str = ""
    """Why the bounds are what they are, appended to the bounds in an error, e.g. ' (ten years)'."""
    what: str | None = None
    """The expected value in a type error, e.g. 'a resource group name such as gitpod' (default: from kind)."""
    takes_output: bool = False
    """The component also takes a value known only at deployment (pulumi.Input); checked when known."""
    # Prose and a backend's own rule do not make two declarations different fields (config_spec merges by these).
    description: str = field(default="", compare=False)
    """What the input is and a sample value; its allowed values and default are added from the declaration."""
    check: Callable[[str, Any], Any] | None = field(default=None, compare=False)
    """(path, value) -> the checked value: the input's own rule, if any (a name's grammar, a list of logins). For
    a string or a list it gets the value as given and checks its type itself, naming what it expects; for a number
    or a flag, a value of the declared type within the bounds."""

    @property
    def key(self) -> str:
        return camel(self.name)

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def fields_for(self, backend: str | None) -> tuple[Field, ...]:
        """The fields an object takes; for workspaceImages, those of one backend."""
        return tuple(f for f in self.fields if not f.backends or backend in f.backends)

    @property
    def bounds(self) -> tuple[int, int]:
        return (1 if self.minimum is None else self.minimum, INT32_MAX if self.maximum is None else self.maximum)

    def expected(self) -> str:
        if self.what is not None:
            return self.what
        if self.kind == "integer":
            low, high = self.bounds
            return f"a whole number from {low} to {high}"
        return {"boolean": "true or false", "array": "a list", "object": "an object"}.get(self.kind, "a string")

    def docstring(self) -> str:
        """The description with the allowed values and the default: the Args docstring, and so the schema's."""
        text = self.description
        if self.allowed:
            *others, last = self.allowed
            text += f" One of {', '.join(others)} or {last}." if others else f" Only {last}."
        if self.default is not None:
            shown = ("true" if self.default else "false") if isinstance(self.default, bool) else self.default
            text += f" Default {shown}."
        elif self.default_text is not None:
            text += f" Default: {self.default_text}."
        if self.alternative_to is not None:
            text += f" Give this or {self.alternative_to}, not both."
        return text

    def checked(self, path: str, value: Any, owner: str = "") -> Any:
        """`value` checked against this declaration, or the default when it is unset; raises InvalidInput."""
        # "" is missing only where a value is required (the shared name checks refuse it where one is optional).
        if value is None and self.secret and self.required:
            return check_password(path, value)  # its refusal says how to set a secret
        if value is None or (value == "" and self.required and not self.secret):
            if self.required:
                whom = f" for {owner}" if owner else ""
                text = self.description
                # "The name." reads "the name." mid-sentence; an acronym ("AWS region ...") keeps its case.
                what = f"; {text if text[1:2].isupper() else text[:1].lower() + text[1:]}" if text else ""
                raise InvalidInput(path, f"required{whom}{what}")
            return self.default
        if self.takes_output and isinstance(value, pulumi.Output):
            return value  # known at deployment; the component checks it then
        if self.secret:
            return check_password(path, value)
        if self.check is not None and self.kind in ("string", "array"):
            # A name's or a list's own rule checks its type too, saying what it expects (a resource group name).
            return self.check(path, require_one_of(path, value, self.allowed) if self.allowed else value)
        if self.kind == "integer":
            value = require_type(path, value, int, self.expected())
            low, high = self.bounds
            if not low <= value <= high:
                raise InvalidInput(
                    path, f"expected a whole number from {low} to {high}{self.bounds_why}, got {describe(value)}"
                )
        else:
            python = {"string": str, "boolean": bool, "array": list, "object": dict}[self.kind]
            value = require_type(path, value, python, self.expected())
        if self.allowed:
            value = require_one_of(path, value, self.allowed)
        return self.check(path, value) if self.check is not None else value


def checked_values(fields: tuple[Field, ...], args: Mapping[str, Any], path: str, owner: str = "") -> dict[str, Any]:
    """Each declared input at `path` checked (`Field.checked`), by name; `owner` says who requires one."""
    return {f.name: f.checked(at(path, f.name), args.get(f.name), owner) for f in fields}
