"""Where a Parley server spends its time under conversation load, sampled with py-spy.

``python -m bench.profile --rate 200 --seconds 15`` starts Parley on SQLite, drives the
conversation scenario at that rate from the load generator and samples the server with
``py-spy record`` (``pip install py-spy``; it needs ptrace, which root has). Prints the
functions with the most samples, inclusive and self, and keeps the collapsed stacks (for a
flame graph) under ``bench/results/``.
"""

from __future__ import annotations

import argparse
import collections
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from bench.run import RESULTS, loadgen, parley_target


def summarise(collapsed: Path, top: int) -> str:
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        count = int(count_text)
        frames = stack.split(";")
        total += count
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    lines = [f"{total} samples"]
    for title, counter in (("inclusive", inclusive), ("self", own)):
        lines.append(f"-- {title}")
        for frame, count in counter.most_common(top):
            lines.append(f"{100 * count / max(total, 1):5.1f}%  {frame}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench.profile", description=__doc__)
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--pairs", type=int, default=100)
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    work = Path(tempfile.mkdtemp(prefix="parley-profile-"))
    RESULTS.mkdir(parents=True, exist_ok=True)
    collapsed = RESULTS / "profile-collapsed.txt"
    spec = {
        "scenario": "conversation",
        "pairs": args.pairs,
        "agents": (args.pairs + 4) // 5,
        "rates": [args.rate],
        "seconds": args.seconds,
    }
    try:
        with parley_target(work, spec["agents"], 5) as target:
            figures: dict[str, object] = {}
            runner = threading.Thread(target=lambda: figures.update(loadgen({**spec, **target})))
            runner.start()
            subprocess.run(
                [py_spy, "record", "--pid", str(target["pids"][0]), "--format", "raw",
                 "--duration", str(int(args.seconds + 8)), "--rate", "200", "--nonblocking",
                 "--output", str(collapsed)],
                check=True, capture_output=True,
            )  # fmt: skip
            runner.join()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(figures.get("steps"))
    print(summarise(collapsed, args.top))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
