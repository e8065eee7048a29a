"""Driver memory and throughput of ingestion on Ray over many tiny segments: does the driver stay flat?

    python bench/ingest_stream.py                          # 100 and 2,000 segments, the default in-flight limit
    python bench/ingest_stream.py --sizes 100 2000 --all-at-once   # also every task submitted at once (the old way)

Each size runs `data.ingest.ingest` in a fresh process on a local Ray (all cores) over that many copies of one tiny
segment (3 frames of 16x32 HEVC with its pose files, the recorder's layout); the driver's resident memory (VmRSS from
/proc) is read before the run and its peak (VmHWM) after. Flat means the peak's growth over the start does not grow
with the segment count: data.ray_tasks.as_completed keeps at most --max-in-flight tasks (and results) alive. Throughput
is given per run (Ray's start-up included) and between the smallest and largest run (without it).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from anywhere without an install


def rss_mib(field: str = "VmRSS") -> float:
    """This process's resident memory (VmRSS) or its peak so far (VmHWM), MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"/proc/self/status has no {field}")


def child(src: str, out: str, limit: int | None) -> None:
    """One measured run (in its own process, so VmHWM is this run's peak); prints a JSON line."""
    import h5py, hdf5plugin, ray  # noqa: F401, E401  (imported before the baseline: their code is not the driver's data)
    from data.ingest import ingest
    start, load, t0 = rss_mib(), os.getloadavg()[0], time.perf_counter()
    results = ingest(src, out, height=16, width=32, progress=False, max_in_flight=limit)
    seconds = time.perf_counter() - t0
    counts = {s: sum(r["status"] == s for r in results) for s in ("done", "skipped", "error")}
    print(json.dumps({"segments": len(results), **counts, "seconds": seconds, "rss_start_mib": start,
                      "rss_peak_mib": rss_mib("VmHWM"), "rss_end_mib": rss_mib(), "load_before": load,
                      "load_after": os.getloadavg()[0]}), flush=True)


def make_sources(tmp: Path, sizes: list[int]) -> dict[int, Path]:
    """A folder of n copies of one tiny segment for each size (copies: encoding 2,000 videos would dominate the bench)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from test_data_ingest import write_tiny_segment
    template = tmp / "template"
    write_tiny_segment(template, n=3, size=(16, 32))
    sources = {}
    for n in sizes:
        sources[n] = tmp / f"src{n}"
        for k in range(n):  # route/segment folders, 100 segments a route like the recorder's
            shutil.copytree(template, sources[n] / f"route{k // 100}" / str(k % 100))
    return sources


def positive(text: str) -> int:
    """An argparse type=: a whole number >= 1 (drivegpt.cli's at_least would load the engine into the measured child)."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {text!r}")
    return int(text)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=positive, nargs="+", default=[100, 2000], help="segment counts to ingest (default: 100 2000)")
    ap.add_argument("--max-in-flight", type=positive, default=None, help="ingest's limit (default: twice the CPUs)")
    ap.add_argument("--all-at-once", action="store_true", help="also run the largest size with every task in flight")
    ap.add_argument("--child", nargs=3, metavar=("SRC", "OUT", "LIMIT"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        return child(a.child[0], a.child[1], int(a.child[2]) or None)
    with tempfile.TemporaryDirectory() as tmp:
        sources = make_sources(Path(tmp), a.sizes)
        runs = [(n, a.max_in_flight or 0) for n in a.sizes] + ([(max(a.sizes), max(a.sizes))] if a.all_at_once else [])
        seconds = {}
        for i, (n, limit) in enumerate(runs):
            cmd = [sys.executable, __file__, "--child", str(sources[n]), f"{tmp}/out{i}", str(limit)]
            r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
            if r.returncode:
                raise RuntimeError(r.stderr[-3000:])
            m = json.loads(r.stdout.strip().splitlines()[-1])
            assert m["done"] == n and m["error"] == 0, m
            print(f"{n:5d} segments, in flight {'default (2 x CPUs)' if not limit else limit:>18}: "
                  f"driver RSS {m['rss_start_mib']:6.1f} MiB before, peak {m['rss_peak_mib']:6.1f} MiB "
                  f"(+{m['rss_peak_mib'] - m['rss_start_mib']:5.1f}), end {m['rss_end_mib']:6.1f} MiB; "
                  f"{m['seconds']:6.1f} s, {n / m['seconds']:5.1f} segments/s; load {m['load_before']:.1f} -> "
                  f"{m['load_after']:.1f} on {os.cpu_count()} cores", flush=True)
            seconds.setdefault(n, m["seconds"])
    if len(seconds) > 1:  # the difference between two sizes leaves out Ray's start-up
        (n0, t0), (n1, t1) = min(seconds.items()), max(seconds.items())
        print(f"throughput without start-up: {(n1 - n0) / (t1 - t0):.1f} segments/s ({n1 - n0} segments in {t1 - t0:.1f} s)")


if __name__ == "__main__":
    main()
