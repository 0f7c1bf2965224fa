"""Time and peak memory of evaluating each example stack, against the floor, and how they scale.

python -m bench [--processes 3] [--warm 20] [--sizes 1,10,100] [--scale-scenario clusters]
python -m bench --instructions

For every scenario, `--processes` fresh processes of the program and of the floor run
alternately. The floor (bench/floor_program.py) is a bare script under the same mock monitor
that imports the same SDK modules and registers the same resources through their typed SDK
classes, with the same inputs, options and dependencies (checked resource by resource). Also
measured, for reference: the bare registrations (the same script through the generic
`pulumi.CustomResource`, which skips the typed classes' argument handling and source positions).
Each process measures (time.perf_counter):
  cold   its first evaluation, imports of the SDK and of the components included;
  warm   the median of `--warm` further evaluations in the same process;
and its peak resident memory after the cold evaluation (getrusage) and the peak of Python
allocations during one warm evaluation (tracemalloc). Reported: the program / floor ratios of
medians over processes, except cold time, which is reported as the fastest process of each side
(noise from other work on the machine only ever adds to a cold start, so the fastest run is the
best estimate of its own cost; the ratio of medians is printed beside it). Figures only: nothing
here passes or fails on time.

Wall-clock time on a shared 2-core machine varies by far more than the differences measured here
(the same floor process takes 410 to 775 ms). `--instructions` counts instead, with valgrind's
callgrind (`apt-get install valgrind`), the instructions of each example stack's cold evaluation,
program and floor, one process each (the counts repeat exactly): every count less that of a process
that starts the same way and exits before evaluating.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from offline.engine import PROJECT_DIR, example_stacks

COLD_TARGET = 1.15
KINDS = ("program", "floor", "bare")


def _floor_env(emit: Path, classes: str) -> dict[str, str]:
    """What the floor replays: the plan and the SDK modules the program's first run wrote to `emit`."""
    return {
        "BENCH_FLOOR_PLAN": str(emit / "plan.json"),
        "BENCH_FLOOR_MODULES": (emit / "modules.json").read_text(),
        "BENCH_FLOOR_CLASSES": classes,
    }


def _worker(kind: str, scenario: str, size: int, warm: int, emit: Path | None = None) -> dict:
    command = [sys.executable, "-m", "bench.worker", kind, scenario, str(size), str(warm)]
    if emit is not None:
        command += ["--emit", str(emit)]
    env = {"BENCH_FLOOR_PLAN": str(emit / "plan.json") if emit else "", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(command, cwd=PROJECT_DIR, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise RuntimeError(result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "worker failed")
    return json.loads(result.stdout)


def measure(scenario: str, size: int, processes: int, warm: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        emit = Path(tmp)
        first = _worker("program", scenario, size, 0, emit)
        runs: dict[str, list[dict]] = {kind: [] for kind in KINDS}
        for _ in range(processes):
            runs["program"].append(_worker("program", scenario, size, warm))
            for kind, classes in (("floor", "typed"), ("bare", "generic")):
                runs[kind].append(_floor(scenario, size, warm, _floor_env(emit, classes)))
    for kind in ("floor", "bare"):
        _check_same_registrations(scenario, first["registrations"], runs[kind][0]["registrations"], kind == "bare")

    def median(kind: str, key: str) -> float:
        return statistics.median(run[key] for run in runs[kind])

    def fastest(kind: str, key: str) -> float:
        return min(run[key] for run in runs[kind])

    figures = {"scenario": scenario, "size": size, "resources": first["resources"]}
    for key in ("cold_s", "warm_s", "maxrss_kib", "traced_peak_kib"):
        statistic = fastest if key == "cold_s" else median
        program, floor = statistic("program", key), statistic("floor", key)
        figures[key] = {"program": program, "floor": floor, "ratio": program / floor}
    figures["cold_s"]["median_ratio"] = median("program", "cold_s") / median("floor", "cold_s")
    figures["warm_s"]["bare"] = median("bare", "warm_s")
    figures["warm_s"]["ratio_to_bare"] = figures["warm_s"]["program"] / figures["warm_s"]["bare"]
    return figures


def _check_same_registrations(scenario: str, program: dict, floor: dict, ignore_aliases: bool) -> None:
    """The floor must have registered exactly what the program did (generic classes add no type aliases)."""

    def comparable(entry: str | None) -> dict | None:
        if entry is None:
            return None
        data = json.loads(entry)
        return {k: v for k, v in data.items() if k != "aliases"} if ignore_aliases else data

    differing = sorted(
        urn for urn in set(program) | set(floor) if comparable(program.get(urn)) != comparable(floor.get(urn))
    )
    if differing:
        raise RuntimeError(f"{scenario}: the floor registered {differing[0]} differently from the program")


def _floor(scenario: str, size: int, warm: int, floor_env: dict) -> dict:
    command = [sys.executable, "-m", "bench.worker", "floor", scenario, str(size), str(warm)]
    result = subprocess.run(
        command, cwd=PROJECT_DIR, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", **floor_env}
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr.strip().splitlines()[-1])
    return json.loads(result.stdout)


def _instructions(kind: str, scenario: str, env: dict[str, str]) -> int:
    command = [sys.executable, "-m", "bench.worker", kind, scenario, "1", "0", "--cold-only"]
    result = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", **env},
    )
    counted = re.search(r"refs:\s+([\d,]+)", result.stderr)
    if result.returncode != 0 or counted is None:
        raise RuntimeError(f"{kind} {scenario}: valgrind failed: {result.stderr.strip()[-300:]}")
    return int(counted.group(1).replace(",", ""))


def count_instructions() -> int:
    """Prints, for each example stack, the instructions of its cold evaluation: program / floor."""
    if shutil.which("valgrind") is None:
        print("--instructions needs valgrind (apt-get install valgrind)", file=sys.stderr)
        return 2
    print("| stack | cold evaluation, instructions: program / floor |\n|---|---|", flush=True)
    start = _instructions("none", "stack:dev", {})
    for stack in example_stacks():
        scenario = f"stack:{stack}"
        with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
            _worker("program", scenario, 1, 0, Path(tmp))
            program = _instructions("program", scenario, {}) - start
            floor = _instructions("floor", scenario, _floor_env(Path(tmp), "typed")) - start
        print(f"| {stack} | {program / 1e6:,.0f}M / {floor / 1e6:,.0f}M ({program / floor:.3f}x) |", flush=True)
    print(f"target: program <= {COLD_TARGET}x floor")
    return 0


def _row(f: dict) -> str:
    def cell(key: str, scale: float, unit: str) -> str:
        v = f[key]
        return f"{v['program'] * scale:.1f} / {v['floor'] * scale:.1f} {unit} ({v['ratio']:.2f}x)"

    bare = f"{f['warm_s']['bare'] * 1000:.1f} ms ({f['warm_s']['ratio_to_bare']:.2f}x)"
    cold = f"{cell('cold_s', 1000, 'ms')}; medians {f['cold_s']['median_ratio']:.2f}x"
    return (
        f"| {f['scenario']} | {f['size']} | {f['resources']} | {cold} | "
        f"{cell('warm_s', 1000, 'ms')} | {bare} | {cell('maxrss_kib', 1 / 1024, 'MiB')} | "
        f"{cell('traced_peak_kib', 1 / 1024, 'MiB')} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--warm", type=int, default=20)
    parser.add_argument("--sizes", default="1,10,100")
    parser.add_argument(
        "--scale-scenario",
        default="clusters",
        help="clusters (N whole compositions) or registries (N private base-image registries)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--instructions", action="store_true", help="count instructions of each stack's cold evaluation (valgrind)"
    )
    options = parser.parse_args(argv)
    if options.instructions:
        return count_instructions()

    header = [
        "| scenario | size | resources | cold (fastest): program / floor | warm (median) | warm, bare registrations "
        "| peak RSS | peak Python allocations |",
        "|---|---|---|---|---|---|---|---|",
    ]
    print("\n".join(header), flush=True)
    results = []
    plan = [(f"stack:{s}", 1) for s in example_stacks()]
    plan += [(options.scale_scenario, int(n)) for n in options.sizes.split(",")]
    for scenario, size in plan:
        warm = options.warm if size <= 10 else max(3, options.warm // 3)
        try:
            figures = measure(scenario, size, options.processes, warm)
        except RuntimeError as error:
            print(f"| {scenario} | {size} | not measured: {error} ||||||", flush=True)
            continue
        results.append(figures)
        print(_row(figures), flush=True)
    scaled = [f for f in results if f["scenario"] == options.scale_scenario]
    for small, large in zip(scaled, scaled[1:], strict=False):
        growth = {
            kind: (large["warm_s"][kind] / small["warm_s"][kind]) / (large["size"] / small["size"])
            for kind in ("program", "floor")
        }
        print(
            f"warm time per unit of work, size {small['size']} -> {large['size']}: program {growth['program']:.2f}x, "
            f"floor {growth['floor']:.2f}x (1.00 = linear)"
        )
    print(f"target: cold (fastest) program <= {COLD_TARGET}x floor")
    if options.json:
        options.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
