"""A base revision whose program is the working tree's is planned in this interpreter, exactly as an export's
subprocess would plan it; any other program, untracked files included, goes to the subprocess."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import pytest

from offline import revision
from offline.engine import PROJECT_DIR, all_stacks
from offline.snapshot import new_fingerprint_key

pytestmark = pytest.mark.heavy(2)


def copy_of_program(tmp_path: Path) -> Path:
    """The working tree's program, stack files and engine: what an export of an unchanged revision holds."""
    project = tmp_path / "project"
    ignore = shutil.ignore_patterns("__pycache__")
    for name in (*revision.PROGRAM, "offline"):
        source = PROJECT_DIR / name
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=ignore)
        else:
            project.mkdir(exist_ok=True)
            shutil.copy2(source, project / name)
    for stack in all_stacks():
        shutil.copy2(PROJECT_DIR / f"Pulumi.{stack}.yaml", project)
    return project


def test_the_program_is_every_file_it_imports_or_reads_and_nothing_else(tmp_path):
    project = copy_of_program(tmp_path)
    same = revision.program_files(PROJECT_DIR)
    assert revision.program_files(project) == same
    assert {"__main__.py", "Pulumi.yaml", "components/__init__.py"} <= set(same)

    (project / "Pulumi.other.yaml").write_text("config: {}\n")
    (project / "components" / "__pycache__").mkdir()
    (project / "components" / "__pycache__" / "stale.cpython-311.pyc").write_bytes(b"\0")
    assert revision.program_files(project) == same

    for changed in ("components/untracked.py", "Pulumi.yaml", "__main__.py", "pyproject.toml"):
        path = project / changed
        before = path.read_bytes() if path.exists() else None
        path.write_bytes((before or b"") + b"\n# changed\n")
        assert revision.program_files(project) != same, changed
        path.unlink() if before is None else path.write_bytes(before)


def test_a_base_with_the_working_trees_program_is_planned_in_process_as_its_export_would_be(tmp_path, monkeypatch):
    project = copy_of_program(tmp_path)
    monkeypatch.setattr(revision, "exported", lambda _: contextlib.nullcontext(project))
    subprocesses = []
    plans_in = revision.plans_in
    monkeypatch.setattr(revision, "plans_in", lambda *args: subprocesses.append(args) or plans_in(*args))
    key = new_fingerprint_key()

    in_process = revision.plans_at("base", None, key)
    assert subprocesses == []
    (project / "components" / "untracked.py").write_text('"""Not in the working tree."""\n')
    in_export = revision.plans_at("base", None, key)
    assert len(subprocesses) == 1

    assert sorted(in_process) == all_stacks()
    assert all(plan and "error" not in plan for plan in in_process.values())
    assert in_process == in_export
