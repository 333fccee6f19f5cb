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
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from bench.run import RESULTS, conversation_spec, loadgen, parley_target


def summarise(collapsed: Path, top: int) -> str:
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not count_text.isdigit():
            continue  # a frame name py-spy could not print on one line
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
    parser.add_argument(
        "--svg", type=Path, help="write py-spy's flame graph (SVG) here instead of the summary"
    )
    parser.add_argument(
        "--gil",
        action="store_true",
        help="only samples holding the GIL: Python's own work, without threads that wait or "
        "run SQL with the GIL released (py-spy --nonblocking cannot tell waiting from working)",
    )
    args = parser.parse_args()
    gil = ["--gil"] if args.gil else []
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    work = Path(tempfile.mkdtemp(prefix="parley-profile-"))
    RESULTS.mkdir(parents=True, exist_ok=True)
    collapsed = RESULTS / "profile-collapsed.txt"
    spec = conversation_spec(args.pairs, [args.rate], args.seconds)
    try:
        with parley_target(work, spec["agents"], 5) as target:
            figures: dict[str, object] = {}
            runner = threading.Thread(target=lambda: figures.update(loadgen({**spec, **target})))
            form, out = ("flamegraph", args.svg) if args.svg else ("raw", collapsed)
            # Sampled until the load generator is done (set-up and the measured window both):
            # on a loaded machine set-up takes long, and a fixed duration missed the window.
            spy = subprocess.Popen(
                [py_spy, "record", "--pid", str(target["pids"][0]), "--format", form,
                 "--rate", "200", "--nonblocking", *gil, "--output", str(out)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            runner.start()
            runner.join()
            spy.send_signal(signal.SIGINT)  # py-spy writes its output and exits
            spy.wait(timeout=120)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(figures.get("steps"))
    if not args.svg:
        print(summarise(collapsed, args.top))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
