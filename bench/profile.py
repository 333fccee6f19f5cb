"""Where a Parley server spends its time under load, sampled with py-spy.

``python -m bench.profile --rate 200 --seconds 15`` starts Parley on SQLite, drives the
conversation scenario at that rate from the load generator and samples the server with
``py-spy record`` (``pip install py-spy``; it needs ptrace, which root has). ``--scenario idle``
(``--sockets``) or ``storm`` (``--visitors``) samples only the measured phase of those: the
sockets connecting, or the visitors coming back and resuming. Prints the functions with the
most samples, inclusive and self, and keeps the collapsed stacks (for a flame graph) under
``bench/results/``.
"""

from __future__ import annotations

import argparse
import collections
import json
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from bench.run import RESULTS, ROOT, _agents_for, conversation_spec, loadgen, parley_target


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


def _spec(args: argparse.Namespace) -> tuple[dict[str, Any], int]:
    """The load generator's spec, and the chats an agent takes."""
    if args.scenario == "idle":
        return {"scenario": "idle", "sockets": args.sockets}, 1
    if args.scenario == "storm":
        agents = _agents_for(args.visitors, 50)
        return {"scenario": "storm", "visitors": args.visitors, "agents": agents}, 50
    return conversation_spec(args.pairs, [args.rate], args.seconds), 5


def _sample(py_spy: list[str], spec: dict[str, Any], phased: bool) -> dict[str, Any]:
    """Runs the load generator and samples the server: only between its ``phase`` lines (the
    measured phase) when ``phased``, else from its start to its end."""
    spy: subprocess.Popen[bytes] | None = None

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen(py_spy, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(process: subprocess.Popen[bytes]) -> None:
        process.send_signal(signal.SIGINT)  # py-spy writes its output and exits
        process.wait(timeout=120)

    if not phased:
        figures: dict[str, Any] = {}
        runner = threading.Thread(target=lambda: figures.update(loadgen(spec)))
        spy = start()
        runner.start()
        runner.join()
        stop(spy)
        return figures
    generator = subprocess.Popen(
        [sys.executable, "-m", "bench.loadgen", json.dumps(spec)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert generator.stderr is not None
    assert generator.stdout is not None
    for line in generator.stderr:
        if line.startswith(b"phase ") and spy is None and line.strip() != b"phase end":
            spy = start()
        elif line.strip() == b"phase end" and spy is not None:
            stop(spy)
    out = generator.stdout.read()
    if generator.wait() != 0:
        raise RuntimeError("load generator failed")
    result: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench.profile", description=__doc__)
    parser.add_argument(
        "--scenario", choices=("conversation", "idle", "storm"), default="conversation"
    )
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--pairs", type=int, default=100)
    parser.add_argument("--sockets", type=int, default=2000, help="idle: visitor sockets")
    parser.add_argument("--visitors", type=int, default=1000, help="storm: visitors")
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
    spec, per_agent = _spec(args)
    try:
        with parley_target(work, spec.get("agents", 0), per_agent) as target:
            form, out = ("flamegraph", args.svg) if args.svg else ("raw", collapsed)
            # Conversation: sampled until the load generator is done (set-up and the measured
            # window both: on a loaded machine set-up takes long, and a fixed duration missed
            # the window). Idle and storm: their measured phase only.
            record = [py_spy, "record", "--pid", str(target["pids"][0]), "--format", form,
                      "--rate", "200", "--nonblocking", *gil, "--output", str(out)]  # fmt: skip
            figures = _sample(record, {**spec, **target}, args.scenario != "conversation")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(figures.get("steps") or {k: v for k, v in figures.items() if not isinstance(v, list)})
    if not args.svg:
        print(summarise(collapsed, args.top))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
