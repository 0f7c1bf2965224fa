"""Renders plans (snapshots) and plan diffs as terminal text and as Markdown for pull-request comments.

Everything here works on snapshots, which are already secret-masked, so no renderer
can print a secret.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .changes import ABSENT, Change
from .diff import ResourceChange, StackDiff
from .snapshot import Snapshot

COMMENT_MARKER = "<!-- gitpod-registry-plan-diff -->"
"""First line of the pull-request comment; the workflow updates the comment that carries it."""
COMMENT_LIMIT = 60_000
"""GitHub refuses comments over 65,536 characters; stay clear of it."""
OFFLINE_NOTE = (
    "evaluated offline under Pulumi's mock engine: IDs, account numbers and keys are stand-ins; secrets are masked"
)


def _render(value: Any) -> str:
    if isinstance(value, str):
        try:  # policy documents arrive as JSON strings; show them as data
            parsed = json.loads(value)
            if isinstance(parsed, (dict, list)):
                return json.dumps(parsed, sort_keys=True)
        except ValueError:
            pass
        return value
    return json.dumps(value, sort_keys=True)


def _children(resources: dict[str, dict]) -> dict[str | None, list[tuple[str, dict]]]:
    tree: dict[str | None, list[tuple[str, dict]]] = {}
    for urn, resource in resources.items():
        parent = resource["parent"] if resource["parent"] in resources else None
        tree.setdefault(parent, []).append((urn, resource))
    for siblings in tree.values():
        siblings.sort(key=lambda item: (item[1]["custom"], item[1]["name"]))
    return tree


def render_text(plan: Snapshot) -> str:
    """The plan as an indented tree of resources with their inputs, then the outputs."""
    resources = plan["resources"]
    lines = [f"Plan for stack '{plan['stack']}': {len(resources)} resources to create", f"({OFFLINE_NOTE})", ""]
    tree = _children(resources)

    def walk(parent: str | None, depth: int) -> None:
        for urn, resource in tree.get(parent, []):
            indent = "    " * depth
            flags = " [protected]" if resource["protect"] else ""
            lines.append(f"{indent}+ {resource['type']}  {resource['name']}{flags}")
            for key, value in resource["inputs"].items():
                lines.append(f"{indent}      {key}: {_render(value)}")
            walk(urn, depth + 1)

    walk(None, 0)
    outputs = plan["outputs"]
    lines += ["", "Outputs:"]
    for key, value in outputs.items():
        if key != "installerConfigYaml":
            lines.append(f"    {key}: {_render(value)}")
    if "installerConfigYaml" in outputs:
        lines += ["", "Gitpod installer config (merge into gitpod.config.yaml):", "", outputs["installerConfigYaml"]]
    return "\n".join(lines)


_MARKDOWN = set("&<>\"'`*_~[]()!|\\@:")
"""Characters GitHub's Markdown reads as syntax inline: HTML, code spans, emphasis, links and images, table
cells, escapes, @mentions and e-mail autolinks, and the `:` of scheme autolinks (https://...)."""


EMPTY_COMMENT = "<!---->"
"""Ends a text node for GitHub's renderer, shows nothing."""


def _inert(text: str) -> str:
    """Text that whoever opens a pull request may control (config keys, values, certificate names, stack
    names), made inert for GitHub's Markdown. html.escape is not enough: `[a](https://x)`, `![a](x)`,
    `https://x`, `www.x`, `a@x.com` and `@user` are Markdown, autolinks and mentions, not HTML. Each such
    character becomes a numeric character reference, which CommonMark never reads as syntax (spec: entity
    and numeric character references), and so does the dot of `www.`; characters that are not printable
    are spelt as escapes. Wrap the result in <code> (`_code`): GitHub looks for @mentions outside code only."""
    shown = "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)
    escaped = "".join(f"&#{ord(c)};" if c in _MARKDOWN else c for c in shown)
    # cmark-gfm's e-mail autolinks read the decoded text of one text node, references included, so an
    # empty comment before the `@` ends that node: `a@x.com` stays text (GitHub drops the comment).
    escaped = escaped.replace("&#64;", f"{EMPTY_COMMENT}&#64;")
    return re.sub(r"(?i)(www)\.", r"\1&#46;", escaped)


def _code(value: Any, limit: int = 300) -> str:
    """A value as inline code that is safe in a Markdown table cell and shows no live link or mention."""
    text = value if isinstance(value, str) and value != ABSENT else json.dumps(value, sort_keys=True)
    if value == ABSENT:
        return "<i>absent</i>"
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return "<code>" + _inert(text) + "</code>"


def _stack(name: str) -> str:
    """A stack name, inert like every other quoted text: a name Pulumi allows can still read as a link
    (`www.evil.example`), and the checks hold every planted text to <code> with references."""
    return _code(name)


def _fence(text: str) -> str:
    """A code fence longer than any run of backticks in `text`, so the text cannot close it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def render_markdown(plan: Snapshot) -> str:
    """The plan as Markdown: a table of resources, inputs folded, and the installer config."""
    resources = plan["resources"]
    lines = [
        f"### Plan for stack {_stack(plan['stack'])}: {len(resources)} resources",
        "",
        f"_{OFFLINE_NOTE}_",
        "",
        "| type | name | protected |",
        "|---|---|---|",
    ]
    for resource in sorted(resources.values(), key=lambda r: (r["type"], r["name"])):
        lines.append(
            f"| {_code(resource['type'])} | {_code(resource['name'])} | {'yes' if resource['protect'] else ''} |"
        )
    for resource in sorted(resources.values(), key=lambda r: (r["type"], r["name"])):
        if resource["inputs"]:
            lines += ["", f"<details><summary>{_code(resource['type'])} {_code(resource['name'])}</summary>", ""]
            lines += ["| input | value |", "|---|---|"]
            lines += [f"| {_code(k)} | {_code(v, 1000)} |" for k, v in resource["inputs"].items()]
            lines += ["", "</details>"]
    outputs = plan["outputs"]
    if "installerConfigYaml" in outputs:
        config = outputs["installerConfigYaml"].rstrip("\n")
        lines += ["", "Gitpod installer config:", "", f"{_fence(config)}yaml", config, _fence(config)]
    return "\n".join(lines) + "\n"


def _counts(stack: StackDiff) -> str:
    return (
        f"{len(stack.added)} added, {len(stack.removed)} removed, {len(stack.replaced)} replaced, "
        f"{len(stack.renamed)} renamed, {len(stack.changed)} changed, {stack.unchanged} unchanged"
    )


def _status(stack: StackDiff) -> str | None:
    if stack.head_error:
        return f"the new plan fails: {stack.head_error}"
    if stack.base_error:
        return f"the old plan fails, nothing to compare with: {stack.base_error}"
    if stack.head_missing:
        return "stack file removed: every resource below would be deleted if the stack were updated"
    if stack.base_missing:
        return "new stack: every resource is added"
    return None


def _value(value: Any) -> str:
    return ABSENT if value == ABSENT else json.dumps(value, sort_keys=True)


def _change_lines(changes: list[Change], indent: str) -> list[str]:
    return [f"{indent}{c.path}: {_value(c.before)} -> {_value(c.after)}" for c in changes]


def _replacement(r: ResourceChange) -> str:
    if r.forcing:
        return f"{r.type}  {r.name}"
    old_type, old_name = r.previous_urn.split("::")[2].split("$")[-1], r.previous_urn.split("::")[3]
    if r.reason == "type changed":
        return f"{old_type} -> {r.type}  {r.name}"
    if r.reason == "name changed":
        return f"{r.type}  {old_name} -> {r.name}"
    old_parents = r.previous_urn.split("::")[2].rsplit("$", 1)[0] if "$" in r.previous_urn.split("::")[2] else "(stack)"
    new_parents = r.urn.split("::")[2].rsplit("$", 1)[0] if "$" in r.urn.split("::")[2] else "(stack)"
    return f"{r.type}  {r.name}  (parent types {old_parents} -> {new_parents})"


def render_diff_text(diffs: list[StackDiff], title: str = "Plan diff") -> str:
    """Terminal text: per stack, one line per resource (+ added, - removed, -/+ replaced, > renamed, ~ changed)."""
    lines = [f"{title} ({OFFLINE_NOTE})"]
    for stack in diffs:
        lines += ["", f"Stack {stack.stack}: {_counts(stack)}"]
        status = _status(stack)
        if status:
            lines.append(f"  {status}")
        for r in stack.deletes_protected:
            lines.append(f"  ! protected: `pulumi up` stops here, it refuses to delete {r.type} {r.old_urn or r.urn}")
        for r in stack.replaced:
            lines.append(f"  -/+ {_replacement(r)}  [{r.reason}: deleted and created again]")
            lines += _change_lines(r.changes, "        ")
        for r in stack.renamed:
            lines.append(f"  >   {r.type}  {r.name}  (aliased from {r.old_urn}: moved, not replaced)")
            lines += _change_lines(r.changes, "        ")
        lines += [f"  -   {r.type}  {r.name}{' [protected]' if r.protect else ''}" for r in stack.removed]
        lines += [f"  +   {r.type}  {r.name}{' [protected]' if r.protect else ''}" for r in stack.added]
        for r in stack.changed:
            lines.append(f"  ~   {r.type}  {r.name}")
            lines += _change_lines(r.changes, "        ")
        if stack.outputs:
            lines.append("  outputs:")
            lines += _change_lines(stack.outputs, "  ~     ")
        if stack.provider_config:
            lines.append("  provider config (the provider is updated):")
            lines += _change_lines(stack.provider_config, "  ~     ")
    return "\n".join(lines) + "\n"


def _change_table(changes: list[Change]) -> list[str]:
    if not changes:
        return []
    rows = [f"| {_code(c.path)} | {_code(c.before)} | {_code(c.after)} |" for c in changes]
    return ["", "| input | before | after |", "|---|---|---|", *rows, ""]


def _folded(summary: str, body: list[str], detailed: bool) -> list[str]:
    if not detailed or not body:
        return [f"- {summary}"]
    return [f"<details><summary>{summary}</summary>", *body, "</details>", ""]


def _markdown_stack(stack: StackDiff, detailed: bool) -> list[str]:
    lines = [f"### {_stack(stack.stack)}: {_counts(stack)}", ""]
    status = _status(stack)
    if status:
        lines += [f"> **{_code(status, 2000)}**", ""]
    for r in stack.deletes_protected:
        lines += [
            f"> :warning: **deletes protected {_code(r.type)} {_code((r.old_urn or r.urn).split('::')[-1])}**: "
            "`pulumi up` stops here: it refuses to delete it until it is unprotected. If this is a rename, add an "
            "alias instead; if an input forces the replacement, keep its old value.",
            "",
        ]
    if stack.replaced:
        lines += [
            "**Replaced** (deleted and created again: a changed input the provider cannot update in place, "
            "or a new URN for the same role):",
            "",
        ]
        for r in stack.replaced:
            old_name = r.previous_urn.split("::")[-1]
            names = _code(r.name) if old_name == r.name else f"{_code(old_name)} → {_code(r.name)}"
            summary = f"{_code(r.type)} {names} ({_code(r.reason or '')})"
            lines += _folded(summary, _change_table(r.changes), detailed)
        lines.append("")
    if stack.renamed:
        lines += ["**Renamed** (an alias keeps the resource; nothing is replaced):", ""]
        for r in stack.renamed:
            summary = f"{_code(r.type)} {_code(r.name)} (was {_code(r.previous_urn.split('::', 2)[2])})"
            lines += _folded(summary, _change_table(r.changes), detailed)
        lines.append("")
    for title, group in (("Removed", stack.removed), ("Added", stack.added)):
        if group:
            lines += [f"**{title}**:", ""]
            lines += [f"- {_code(r.type)} {_code(r.name)}{' (protected)' if r.protect else ''}" for r in group]
            lines.append("")
    if stack.changed:
        lines += ["**Changed** (updated in place):", ""]
        for r in stack.changed:
            paths = ", ".join(c.path for c in r.changes[:6]) + (", …" if len(r.changes) > 6 else "")
            lines += _folded(f"{_code(r.type)} {_code(r.name)}: {_code(paths)}", _change_table(r.changes), detailed)
        lines.append("")
    if stack.outputs:
        lines += ["**Outputs**:", *_change_table(stack.outputs)]
    if stack.provider_config:
        lines += ["**Provider config** (the provider is updated):", *_change_table(stack.provider_config)]
    return lines


def render_diff_markdown(diffs: list[StackDiff], title: str = "Plan diff", limit: int = COMMENT_LIMIT) -> str:
    """A pull-request comment: a summary table, then per changed stack what changes; within `limit` characters."""
    changed = [s for s in diffs if not s.empty]
    head = [
        COMMENT_MARKER,
        f"## {title}",
        "",
        f"_{OFFLINE_NOTE}. Replacements come from the providers' replace-on-change inputs and from URNs that "
        "change; see docs/reviewing-changes.md._",
        "",
    ]
    if not changed:
        stacks = ", ".join(_stack(s.stack) for s in diffs) or "none"
        return "\n".join([*head, f"No changes in any stack ({stacks})."]) + "\n"
    table = ["| stack | added | removed | replaced | renamed | changed | unchanged |", "|---|---|---|---|---|---|---|"]
    table += [
        f"| {_stack(s.stack)} | {len(s.added)} | {len(s.removed)} | {len(s.replaced)} | {len(s.renamed)} | "
        f"{len(s.changed)} | {s.unchanged} |"
        for s in diffs
    ]
    for detailed in (True, False):
        lines = [*head, *table, ""]
        for stack in changed:
            lines += _markdown_stack(stack, detailed)
        text = "\n".join(lines) + "\n"
        if len(text) <= limit:
            return text
    note = "\n\n_Cut to fit a comment; run `python -m offline.plan --all --diff` for the whole diff._\n"
    # Cut at a line's end: a row, a tag or a character reference cut in half would render as stray text.
    return text[: limit - len(note)].rsplit("\n", 1)[0] + note
