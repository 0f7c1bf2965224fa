"""One measurement process: evaluates a scenario once cold and `warm` times warm; prints JSON.

python -m bench.worker program|floor|none SCENARIO SIZE WARM [--emit DIR] [--cold-only]

`--cold-only` exits right after the cold evaluation, and `none` before it (what every process pays
to start), for counting instructions (python -m bench --instructions).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

from offline.engine import PROJECT_DIR, evaluate
from offline.snapshot import dumps, snapshot

from .scenarios import SCENARIOS

FLOOR = Path(__file__).resolve().with_name("floor_program.py")


def bench_plan(evaluation) -> dict:
    """The snapshot of an evaluation, each resource also with what it waits on, for the floor."""
    plan = snapshot(evaluation, shapes=False)  # the floor replays inputs: a secret is one opaque value
    for registered in evaluation.resources:
        entry = plan["resources"][registered.urn]
        entry["inputDependencies"] = registered.input_dependencies
        entry["dependencies"] = registered.dependencies
    return plan


def registrations(evaluation) -> dict[str, str]:
    """URN -> what was registered under it (parent, options, inputs with secrets masked, what it
    waits on), so the bench can check that the floor registered exactly what the program did."""
    plan = bench_plan(evaluation)
    return {urn: json.dumps(entry, sort_keys=True) for urn, entry in plan["resources"].items()}


def main() -> None:
    kind, scenario, size, warm = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    emit = Path(sys.argv[sys.argv.index("--emit") + 1]) if "--emit" in sys.argv else None
    cold_only = "--cold-only" in sys.argv
    stack, config, program = SCENARIOS[scenario](size)
    kwargs = {"config": config, "use_stack_file": config is None}
    if kind == "floor":
        kwargs = {"use_stack_file": False, "program": FLOOR}
    elif program is not None:
        kwargs["program"] = program
    before = set(sys.modules)

    def run():
        evaluation = evaluate(stack, **kwargs)
        if evaluation.error is not None:
            raise SystemExit(f"{kind} {scenario} {size}: {evaluation.error}")
        return evaluation

    if kind == "none":
        os._exit(0)
    start = time.perf_counter()
    evaluation = run()
    cold = time.perf_counter() - start
    if cold_only:
        os._exit(0)
    maxrss_after_cold = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    warm_times = []
    for _ in range(warm):
        start = time.perf_counter()
        run()
        warm_times.append(time.perf_counter() - start)
    tracemalloc.start()
    run()
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    if emit is not None:
        modules = sorted(m for m in set(sys.modules) - before if m.startswith("pulumi_"))
        (emit / "modules.json").write_text(json.dumps(modules))
        (emit / "plan.json").write_text(dumps(bench_plan(evaluation)))
    result = {
        "resources": len(evaluation.resources),
        "registrations": registrations(evaluation),
        "cold_s": cold,
        "warm_s": statistics.median(warm_times) if warm_times else None,
        "maxrss_kib": maxrss_after_cold,
        "traced_peak_kib": traced_peak / 1024,
    }
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
    os._exit(0)  # skip interpreter teardown: the SDK leaves an event loop whose finaliser is noisy


if __name__ == "__main__":
    os.chdir(PROJECT_DIR)
    main()
