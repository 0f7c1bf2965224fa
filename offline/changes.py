"""The leaves that differ between two JSON values (plan inputs and outputs), with their paths."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from typing import Any

ABSENT = "(absent)"
"""Stands for a value that one side does not have."""


@dataclass(frozen=True)
class Change:
    path: str
    """Where the value sits, e.g. `tags.gitpod-cluster`, `policy.Statement[0].Action`, `(protect)`."""
    before: Any
    after: Any


def _decoded(value: Any) -> Any:
    # Policy documents travel as JSON strings; compared as data, a diff names the statement that changed.
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def value_changes(before: Any, after: Any, path: str = "") -> list[Change]:
    """The leaves that differ between two JSON values, with their paths."""
    before, after = _decoded(before), _decoded(after)
    if isinstance(before, dict) and isinstance(after, dict):
        changes = []
        for key in sorted(set(before) | set(after)):
            sub = f"{path}.{key}" if path else str(key)
            changes += value_changes(before.get(key, ABSENT), after.get(key, ABSENT), sub)
        return changes
    if isinstance(before, str) and isinstance(after, str) and "\n" in before + after and before != after:
        return _line_changes(before, after, path or "(value)")
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [
            c for i, (b, a) in enumerate(zip(before, after, strict=True)) for c in value_changes(b, a, f"{path}[{i}]")
        ]
    return [] if before == after else [Change(path or "(value)", before, after)]


def _line_changes(before: str, after: str, path: str) -> list[Change]:
    # Multi-line text (the installer config as YAML): the lines that differ, not two whole documents.
    old, new = before.splitlines(), after.splitlines()
    changes = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag != "equal":
            where = f"{path} (line {i1 + 1})" if i2 - i1 <= 1 else f"{path} (lines {i1 + 1}-{i2})"
            changes.append(Change(where, "\n".join(old[i1:i2]) or ABSENT, "\n".join(new[j1:j2]) or ABSENT))
    return changes
