"""One config key, declared: its type, default, allowed values, and the backend it belongs to.

The tree of all keys is in config_spec.py; backends declare their own fields with this class.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .validation import camel

Kind = Literal["string", "integer", "boolean", "object", "array"]


@dataclass(frozen=True)
class Field:
    """One config key (or one field of an object-valued key)."""

    name: str
    """The argument name, snake_case; the config key is its camelCase."""
    kind: Kind
    default: Any = None
    """Used when the key is unset; None means no default."""
    default_text: str | None = None
    """The default as the docs should say it, when it is not a plain value (e.g. the stack name)."""
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

    @property
    def key(self) -> str:
        return camel(self.name)

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def fields_for(self, backend: str | None) -> tuple[Field, ...]:
        """The fields an object takes; for workspaceImages, those of one backend."""
        return tuple(f for f in self.fields if not f.backends or backend in f.backends)
