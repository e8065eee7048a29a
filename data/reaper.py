"""Ends a local Ray's processes once the process that started it has died, even by SIGKILL.

Ray fate-shares its raylet with the driver, but the agents the raylet started (and busy workers)
outlive a killed driver for minutes. `data.ingest` starts this watcher next to a local Ray:

    python -m data.reaper <driver pid> <ray session dir>

It polls the driver; when the driver is gone it kills every process holding a file open in
that session's folder (only that session's processes do), then exits.
"""

import os
import signal
import sys
import time
from pathlib import Path

from data.layout import _alive


def session_processes(session_dir: str) -> list[int]:
    """Ids of processes with a file open under session_dir (Linux /proc)."""
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            if any(os.readlink(fd).startswith(session_dir) for fd in (proc / "fd").iterdir()):
                pids.append(int(proc.name))
        except OSError:  # gone, or not ours to look at
            continue
    return pids


def main(argv: list[str]) -> int:
    driver, session_dir = int(argv[0]), os.path.realpath(argv[1])
    while _alive(driver):
        time.sleep(0.5)
    time.sleep(1.0)  # let Ray's own fate-sharing go first
    for pid in session_processes(session_dir):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
