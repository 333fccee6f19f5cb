"""CPU per message, Parley next to the relay, in alternating rounds.

``python -m bench.cpu --rate 500 --rounds 3`` runs the conversation scenario at one rate
against a fresh Parley (SQLite) and then the relay, ``rounds`` times, and prints the server's
CPU per message for each and their ratio. Alternating rounds put both under the same background
load, so a change to the hot path is judged by a ratio measured in one run, not by raw
milliseconds from another day.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from bench.run import conversation_spec, loadgen, parley_target, relay_target


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench.cpu", description=__doc__)
    parser.add_argument("--rate", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--pairs", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    spec = conversation_spec(args.pairs, [args.rate], args.seconds)
    ratios: list[float] = []
    for n in range(args.rounds):
        work = Path(tempfile.mkdtemp(prefix="parley-cpu-"))
        with parley_target(work / "parley", spec["agents"], 5) as target:
            parley = loadgen({**spec, **target})["steps"][0]
        with relay_target(work / "relay") as target:
            relay = loadgen({**spec, **target})["steps"][0]
        p, r = parley["server_cpu_ms_per_message"], relay["server_cpu_ms_per_message"]
        ratios.append(p / r)
        print(
            f"round {n + 1}: Parley {p:.3f} ms/msg (p50 {parley['p50_ms']} / p99 "
            f"{parley['p99_ms']} ms, lost {parley['lost']}), relay {r:.3f} ms/msg "
            f"(p99 {relay['p99_ms']} ms): {p / r:.2f} x",
            flush=True,
        )
    print(f"median Parley / relay: {statistics.median(ratios):.2f} x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
