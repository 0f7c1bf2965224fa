"""Prints what `pulumi up` would create for a stack, evaluated offline (no CLI, no credentials).

python -m offline.plan dev                              the plan as text
python -m offline.plan dev --format json                the plan as a snapshot (JSON, secrets masked)
python -m offline.plan --all --format markdown          every stack file here, as Markdown
python -m offline.plan --all --diff [--base REV]        the working tree's plans against REV's; exits 1
                                                        when the working tree's plan fails for a stack
                                                        (a git revision, or a release such as v0.2.0:
                                                        its commit in releases.json; default: the
                                                        merge base with main)
python -m offline.plan --update-snapshots               rewrites tests/snapshots/<stack>.json (shipped stacks)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import command, revision
from .diff import StackDiff, diff_plans
from .engine import Evaluation, all_stacks, evaluate, shipped_stacks
from .render import render_diff_markdown, render_diff_text, render_markdown
from .render import render_text as _render_snapshot_text
from .snapshot import SNAPSHOT_DIR, Snapshot, dumps, new_fingerprint_key, plan, snapshot, snapshot_path

__all__ = ["main", "render_text", "update_snapshots", "working_tree_plans"]

UPDATE_COMMAND = "python -m offline.plan --update-snapshots"


def render_text(evaluation: Evaluation) -> str:
    """The text plan of an evaluation (kept for callers that hold an Evaluation)."""
    return _render_snapshot_text(snapshot(evaluation))


def working_tree_plans(stacks: list[str], key: bytes | None = None) -> dict[str, Snapshot | None]:
    return {stack: plan(stack, key) for stack in stacks}


def update_snapshots(stacks: list[str] | None = None, directory: Path = SNAPSHOT_DIR) -> list[Path]:
    """Writes the snapshot of each stack (default: every shipped example stack, dropping snapshots of others)."""
    directory.mkdir(parents=True, exist_ok=True)
    names = stacks or shipped_stacks()
    written = []
    for stack in names:
        data = snapshot(evaluate(stack))
        if "error" in data:
            raise SystemExit(f"error: stack {stack} does not evaluate, no snapshot written: {data['error']}")
        path = snapshot_path(stack, directory)
        path.write_text(dumps(data), encoding="utf-8")
        written.append(path)
    if not stacks:
        for stale in set(directory.glob("*.json")) - set(written):
            stale.unlink()
    return written


def _diff(stacks: list[str] | None, base: str | None) -> tuple[list[StackDiff], str]:
    """Diffs of `stacks` (None: every stack either side has) between `base` and the working tree."""
    base = base or revision.default_base()
    key = new_fingerprint_key()
    base_plans = revision.plans_at(revision.resolve(base), stacks, key)
    head_plans = working_tree_plans(stacks or all_stacks(), key)
    return diff_plans(base_plans, head_plans), f"Plan diff: {revision.describe(base)} → working tree"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m offline.plan",
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[2:]),
    )
    parser.add_argument("stacks", nargs="*", metavar="stack", help=f"stack names; here: {', '.join(all_stacks())}")
    parser.add_argument("--all", action="store_true", help="every stack file here (Pulumi.<stack>.yaml), yours too")
    parser.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    parser.add_argument("--diff", action="store_true", help="compare with the plans of another git revision")
    parser.add_argument(
        "--base",
        metavar="REV",
        help="revision or release (v0.2.0, from releases.json) to compare with; default: merge base with main",
    )
    parser.add_argument("--update-snapshots", action="store_true", help="rewrite tests/snapshots/<stack>.json")
    options = parser.parse_args(argv)
    if options.all and options.stacks:
        parser.error("give stack names or --all, not both")

    if options.update_snapshots:
        for path in update_snapshots(options.stacks or None):
            print(f"wrote {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
        return 0

    stacks = all_stacks() if options.all else options.stacks or ["dev"]
    if options.diff:
        try:
            # With --all, stacks the base revision has but the working tree lost belong in the diff too.
            diffs, title = _diff(None if options.all else stacks, options.base)
        except revision.RevisionError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        if options.format == "json":
            sys.stdout.write(dumps([d.to_json() for d in diffs]))
        elif options.format == "markdown":
            sys.stdout.write(render_diff_markdown(diffs, title))
        else:
            sys.stdout.write(render_diff_text(diffs, title))
        # Every stack is shown first; then a stack the working tree (the pull request) fails for fails
        # the command, so the check goes red as well as the comment. A base revision's failure does not:
        # the pull request that fixes it must pass.
        failing = [d.stack for d in diffs if d.head_error]
        if failing:
            print(f"error: the working tree's plan fails for {', '.join(failing)} (shown above)", file=sys.stderr)
            return 1
        return 0

    plans = working_tree_plans(stacks)
    failed = False
    for stack, data in plans.items():
        for warning in (data or {}).get("warnings", []):
            print(f"warning: {stack}: {warning}", file=sys.stderr)
        if data is None or "error" in data:
            reason = data["error"] if data else f"no Pulumi.{stack}.yaml"
            print(f"error: {stack}: {reason}", file=sys.stderr)
            failed = True
    good = {stack: data for stack, data in plans.items() if data and "error" not in data}
    if options.format == "json":
        sys.stdout.write(dumps(good))
    elif good:
        render = render_markdown if options.format == "markdown" else _render_snapshot_text
        print("\n\n".join(render(data) for data in good.values()))
    return 1 if failed else 0


if __name__ == "__main__":
    command.run(main)
