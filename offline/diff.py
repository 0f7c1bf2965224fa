"""What changes between two plans (snapshots): resources added, removed, replaced, renamed, changed.

The Pulumi engine matches the resources of two deployments by URN
(`urn:pulumi:STACK::PROJECT::PARENT-TYPES$TYPE::NAME`) and by the aliases a
resource declares. From that it follows, and this module reports as certain:

- added: a URN that only the new plan has, matched by no alias: `pulumi up` creates it.
- removed: a URN that only the old plan has: `pulumi up` deletes it (refused while protected).
- renamed: a new URN whose aliases name an old one: the engine moves the state, nothing is replaced.
- changed: the same URN with different inputs or options, updated in place by the provider.
- replaced, input forces it: the same URN (or an alias) with a changed input that the provider
  replaces the resource for (the upstream Terraform provider's `ForceNew`, pulumi-kubernetes' own
  rules: offline/replacements.py). The engine deletes and creates it; a protected resource stops
  `pulumi up` there (pulumi/pulumi pkg/resource/deploy/step_generator.go refuses to replace it while both
  the state and the program protect it).

"replaced" for a URN that changes is an inference about intent, not something the engine does: a URN that disappears
while one with the same logical role appears. The engine simply creates the new resource and
deletes the old one. Pairs are made, in this order, when the two share
  1. name and type, but not parent types ("parent changed"), or
  2. name and parent, but not type ("type changed"), or
  3. type and (matched) parent, but not name ("name changed"); several candidates are paired by
     how many inputs they share, so a pairing among look-alike siblings is a best guess.
Anything unpaired is reported as added or removed.

Values come from snapshots, so secrets are compared masked. A diff run gives both sides one fresh
fingerprint key (offline/snapshot.py), so a secret whose value changed (a mirror's new password, a
rotated key) shows as a change of fingerprint, and a `.dockerconfigjson` shows its hosts and users.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import asdict, dataclass, field
from typing import Any

from .changes import Change, value_changes
from .engine import STACK_TYPE
from .replacements import replacing_changes
from .snapshot import Snapshot

PairKey = Callable[[dict[str, Any], str], Hashable]
"""What pairs a removed resource with an added one: a key of its snapshot record and URN."""


@dataclass
class ResourceChange:
    urn: str
    """The URN in the new plan (in the old one for a removal)."""
    type: str
    name: str
    protect: bool
    """In the new plan; for removals and replacements, in the old one (deletion is refused while true)."""
    old_urn: str | None = None
    """For replacements and renames: the URN in the old plan."""
    reason: str | None = None
    """For replacements and renames: what differs, e.g. "name changed", "aliased"."""
    changes: list[Change] = field(default_factory=list)
    """Inputs and options that differ (for changed, renamed and replaced resources)."""
    forcing: list[str] = field(default_factory=list)
    """For replacements an input forces: the paths of those inputs (`bucket`, `metadata.name`)."""

    @property
    def previous_urn(self) -> str:
        """The URN in the old plan: `old_urn` for replacements and renames, else the same URN."""
        return self.old_urn or self.urn


@dataclass
class StackDiff:
    stack: str
    base_error: str | None = None
    head_error: str | None = None
    base_missing: bool = False
    """The old revision has no Pulumi.<stack>.yaml."""
    head_missing: bool = False
    """The new revision has no Pulumi.<stack>.yaml."""
    added: list[ResourceChange] = field(default_factory=list)
    removed: list[ResourceChange] = field(default_factory=list)
    replaced: list[ResourceChange] = field(default_factory=list)
    renamed: list[ResourceChange] = field(default_factory=list)
    changed: list[ResourceChange] = field(default_factory=list)
    unchanged: int = 0
    outputs: list[Change] = field(default_factory=list)
    provider_config: list[Change] = field(default_factory=list)
    """Changes of the provider settings a plan records (`providerConfig`): the providers update, nothing else."""

    @property
    def empty(self) -> bool:
        return not (
            self.added
            or self.removed
            or self.replaced
            or self.renamed
            or self.changed
            or self.outputs
            or self.provider_config
        ) and not (self.base_error or self.head_error or self.base_missing != self.head_missing)

    @property
    def deletes_protected(self) -> list[ResourceChange]:
        """Removed or replaced resources that are protected: `pulumi up` refuses until unprotected."""
        return [r for r in self.removed + self.replaced if r.protect]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["empty"] = self.empty
        return data


def _qualified_type(urn: str) -> str:
    return urn.split("::")[2]


def _urn_with_type(urn: str, qualified_type: str) -> str:
    head, project, _, name = urn.split("::", 3)
    return f"{head}::{project}::{qualified_type}::{name}"


def _resource_changes(old: dict, new: dict) -> list[Change]:
    changes = value_changes(old["inputs"], new["inputs"])
    for option in ("protect", "deleteBeforeReplace", "parent"):
        if old.get(option) != new.get(option):
            changes.append(Change(f"({option})", old.get(option), new.get(option)))
    return changes


def _effective_aliases(urn: str, resources: dict[str, dict], memo: dict[str, set[str]]) -> set[str]:
    """A resource's own aliases, plus the URNs it had under each of its parent's former URNs."""
    if urn in memo:
        return memo[urn]
    resource = resources[urn]
    aliases = set(resource.get("aliases", []))
    parent = resource.get("parent")
    if parent in resources:
        for parent_alias in _effective_aliases(parent, resources, memo):
            parent_type = _qualified_type(parent_alias)
            qualified = resource["type"] if parent_type == STACK_TYPE else f"{parent_type}${resource['type']}"
            aliases.add(_urn_with_type(urn, qualified))
    memo[urn] = aliases
    return aliases


def _shared_inputs(old: dict, new: dict) -> int:
    old_inputs, new_inputs = old["inputs"], new["inputs"]
    return sum(1 for key in old_inputs if key in new_inputs and old_inputs[key] == new_inputs[key])


def diff_stack(stack: str, base: Snapshot | None, head: Snapshot | None) -> StackDiff:
    """The diff from plan `base` to plan `head`; None stands for a revision without this stack."""
    result = StackDiff(stack, base_missing=base is None, head_missing=head is None)
    if base is not None and "error" in base:
        result.base_error = base["error"]
    if head is not None and "error" in head:
        result.head_error = head["error"]
    if result.base_error or result.head_error:
        return result
    old = (base or {}).get("resources", {})
    new = (head or {}).get("resources", {})
    matched: dict[str, str] = {}  # old URN -> new URN

    for urn in sorted(old.keys() & new.keys()):
        matched[urn] = urn
        changes = _resource_changes(old[urn], new[urn])
        if changes:
            result.changed.append(
                ResourceChange(urn, new[urn]["type"], new[urn]["name"], new[urn]["protect"], changes=changes)
            )
        else:
            result.unchanged += 1

    memo: dict[str, set[str]] = {}
    for urn in sorted(new.keys() - old.keys()):
        for alias in sorted(_effective_aliases(urn, new, memo)):
            if alias in old and alias not in matched:
                matched[alias] = urn
                r = new[urn]
                changes = [c for c in _resource_changes(old[alias], r) if c.path != "(parent)"]
                result.renamed.append(
                    ResourceChange(urn, r["type"], r["name"], r["protect"], alias, "aliased", changes)
                )
                break

    def pair(reason: str, key_old: PairKey, key_new: PairKey, by_similarity: bool = False) -> None:
        gone = [u for u in sorted(old) if u not in matched]
        taken = set(matched.values())
        for old_urn in gone:
            candidates = [
                u for u in sorted(new) if u not in taken and key_new(new[u], u) == key_old(old[old_urn], old_urn)
            ]
            if not candidates or (len(candidates) > 1 and not by_similarity):
                continue
            new_urn = max(candidates, key=lambda u: _shared_inputs(old[old_urn], new[u]))
            matched[old_urn] = new_urn
            taken.add(new_urn)
            r = new[new_urn]
            changes = [c for c in _resource_changes(old[old_urn], r) if c.path != "(parent)"]
            result.replaced.append(
                ResourceChange(new_urn, r["type"], r["name"], old[old_urn]["protect"], old_urn, reason, changes)
            )

    def _matched_parent(parent: str | None) -> str | None:
        return parent if parent is None else matched.get(parent, parent)

    pair("parent changed", lambda r, u: (r["type"], r["name"]), lambda r, u: (r["type"], r["name"]))
    pair("type changed", lambda r, u: (r["name"], r.get("parent")), lambda r, u: (r["name"], r.get("parent")))
    # A parent matched above counts as the same parent, so renamed children of a moved component pair up.
    pair(
        "name changed",
        lambda r, u: (r["type"], _matched_parent(r.get("parent"))),
        lambda r, u: (r["type"], r.get("parent")),
        by_similarity=True,
    )

    taken = set(matched.values())
    for urn in sorted(old.keys() - matched.keys()):
        r = old[urn]
        result.removed.append(ResourceChange(urn, r["type"], r["name"], r["protect"]))
    for urn in sorted(new.keys() - taken):
        r = new[urn]
        result.added.append(ResourceChange(urn, r["type"], r["name"], r["protect"]))
    _mark_forced_replacements(
        result, old, (base or {}).get("providerConfig", {}), (head or {}).get("providerConfig", {})
    )
    result.replaced.sort(key=lambda r: r.urn)
    result.renamed.sort(key=lambda r: r.urn)
    result.outputs = value_changes((base or {}).get("outputs", {}), (head or {}).get("outputs", {}))
    result.provider_config = value_changes(
        (base or {}).get("providerConfig", {}), (head or {}).get("providerConfig", {})
    )
    return result


def _mark_forced_replacements(
    result: StackDiff, old: dict[str, dict], base_config: dict[str, Any], head_config: dict[str, Any]
) -> None:
    """Moves changed and renamed resources whose changed inputs make the provider replace them to `replaced`."""
    for group in (result.changed, result.renamed):
        for r in list(group):
            forcing = [c.path for c in replacing_changes(r.type, r.changes, base_config, head_config)]
            if forcing:
                group.remove(r)
                r.old_urn, r.forcing = r.old_urn or r.urn, forcing
                # pulumi/pulumi pkg/resource/deploy/step_generator.go refuses the replacement when the old and
                # the new plan both protect it (unprotecting and replacing in one run is allowed).
                r.protect = r.protect and old[r.old_urn]["protect"]
                r.reason = f"{', '.join(forcing)} forces replacement"
                result.replaced.append(r)


def diff_plans(base: dict[str, Snapshot | None], head: dict[str, Snapshot | None]) -> list[StackDiff]:
    """Diffs of {stack: snapshot} maps, one per stack that either side has."""
    stacks = sorted(set(base) | set(head))
    return [diff_stack(stack, base.get(stack), head.get(stack)) for stack in stacks]
