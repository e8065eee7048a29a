"""Ray for the distributed steps: start a local Ray or join a cluster, and stream tasks through it with back-pressure.

`ray_session(address)` joins the cluster at address (or $RAY_ADDRESS), or starts a local Ray of its own; it shuts down
what it started on exit, and a local Ray gets data.reaper, so a SIGKILLed driver does not leave Ray processes behind.

`as_completed(submit, items, max_in_flight)` calls submit(item) (which returns a Ray ObjectRef) for each item but keeps
at most max_in_flight unfinished: it draws the next item only when a result has come back, and yields (item, result)
in the order they finish. The caller writes or counts each result and drops it, so neither the driver nor the object
store holds more than max_in_flight results, be there ten items or a million (docs/cluster.md, bench/ingest_stream.py).

    with ray_session(address):
        task = ray.remote(num_cpus=1)(ingest_segment)
        for seg, result in as_completed(lambda seg: task.remote(seg, out), segments):
            ...
"""

import contextlib
import functools
import io
import itertools
import os
import re
import socket
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, NamedTuple, Optional

REPO = str(Path(__file__).resolve().parents[1])  # the folder holding the pipeline packages


class Said(NamedTuple):
    result: Any
    stderr: str


def _speaks_grpc(host: str, port: int, timeout: float = 10.0) -> bool:
    """Does host:port answer an HTTP/2 connection preface with a SETTINGS frame, as a Ray head's GCS (gRPC) does? A
    cluster with TLS (RAY_USE_TLS) is not probed. OSError: nothing there."""
    with socket.create_connection((host, port), timeout=timeout) as s:
        if os.environ.get("RAY_USE_TLS", "0") not in ("0", ""): return True
        s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes([0, 0, 0, 4, 0, 0, 0, 0, 0]))   # the preface, an empty SETTINGS
        got = b""
        with contextlib.suppress(OSError):
            while len(got) < 9 and (more := s.recv(9 - len(got))): got += more
        return len(got) == 9 and got[3] == 4   # a frame header: 3 bytes of length, then its type (4: SETTINGS)


def said(fn: Callable) -> Callable:
    """fn for a Ray task whose stderr comes back with its result (Said): a worker's output never reaches the driver's
    terminal here (log_to_driver=False keeps Ray's own noise off), so the warnings a task printed (a gap in frame_times,
    a takeover left out) were lost on Ray, said without it. The driver prints them: show(). An error fn raises comes back
    as the result, with what it said before it (raised, that was lost: the warning that explains the error, say)."""
    @functools.wraps(fn)
    def run(*args, **kwargs):
        with contextlib.redirect_stderr(io.StringIO()) as err:
            try:
                result = fn(*args, **kwargs)
            except Exception as e:  # the callers take an Exception result as the task's failure
                result = e
        return Said(result, err.getvalue())
    return run


def show(r: Any) -> Any:
    """A said() task's result (an error it raised, too), what it printed on stderr printed here; anything else (a task
    whose worker died) as it is."""
    if isinstance(r, Said):
        print(r.stderr, end="", file=sys.stderr)
        return r.result
    return r


@contextmanager
def ray_session(address: Optional[str] = None, num_cpus: Optional[int] = None, need_cpus: int = 0, option: str = "--ray-address") -> Iterator[None]:
    """Join the Ray at address (default $RAY_ADDRESS; "local": a local one, as Ray reads it) or start a local one with
    num_cpus (default: all); inside a running Ray session it does nothing. What it started it shuts down on exit, freeing
    the workers' cores. need_cpus: the one-CPU actors the caller will start at once, refused up front if the Ray has
    fewer CPUs (they waited for a CPU forever, without a word: Ray's own message is not shown). option: how the caller's
    user gave address (a training stage's is the key ray_address=), for errors."""
    import ray
    from drivegpt.nn.state import held_folders
    if ray.is_initialized():  # (the caller's own Ray: its CPUs checked too, or the actors waited forever)
        _enough_cpus(need_cpus, "the Ray this process joined")
        yield
        return
    source = option if address else "$RAY_ADDRESS"
    address = address or os.environ.get("RAY_ADDRESS") or None
    address = None if address == "local" else address  # (taken for a cluster's: the CPU count dropped, and no reaper)
    # an unreachable one retried for 10 minutes and more (an IPv6 one, [::1]:6379, too: it went unchecked)
    if address and (hp := re.fullmatch(r"\[([^\]/]+)\]:(\d+)|([^/:\[\]]+):(\d+)", address)):
        try: grpc = _speaks_grpc(hp[1] or hp[3], int(hp[2] or hp[4]))
        except OSError as e: raise ConnectionError(f"Ray at {address} ({source}) can't be reached: {e}") from None
        if not grpc:  # (a web server's port, the dashboard's 8265 say: ray.init retried it for good, saying nothing)
            raise ConnectionError(f"{address} ({source}) answers, but not as a Ray head (its GCS port, 6379 by default; "
                                  "8265 is the dashboard's)")
    # workers import data/, train/, sim/ and rl/ even when the repository is not pip-installed
    path = os.pathsep.join(p for p in (REPO, os.environ.get("PYTHONPATH", "")) if p)
    # "local", not None: without an address Ray would join whatever cluster `ray start` last left on this machine
    token = os.path.exists(os.path.expanduser("~/.ray/auth_token")) and os.environ.get("RAY_AUTH_MODE") != "token"
    try: ray.init(address=address or "local", num_cpus=None if address else num_cpus, include_dashboard=False,
             log_to_driver=False, configure_logging=False,  # (and the engine's settings: a cluster's workers used their own device)
             runtime_env={"env_vars": {**{k: v for k, v in os.environ.items() if k.startswith("DRIVEGPT_")}, "PYTHONPATH": path,
                                       # the folders this process holds are its workers' too (a replica refused the run's
                                       # own data, inside its out folder, naming the driver)
                                       "DRIVEGPT_HELD_FOLDERS": held_folders(),
                                       # (a cluster node's workers import numpy before drivegpt, which then can't set it: idle
                                       # BLAS threads spun through each step, drivegpt/blas_env.py)
                                       "OPENBLAS_THREAD_TIMEOUT": os.environ.get("OPENBLAS_THREAD_TIMEOUT", "4")}})
    except ConnectionError as e:  # (a token-authenticated cluster's refusal read as an unreachable one: a review)
        if not (address and token): raise
        raise ConnectionError(f"{e} (~/.ray/auth_token is here but RAY_AUTH_MODE is not 'token': a cluster started with token "
                              "authentication refuses this process; see docs/cluster.md)") from None
    reaper = None if address else _start_reaper()  # a cluster's processes are the cluster's, not ours to end
    try:
        _enough_cpus(need_cpus, f"the Ray {'at ' + address if address else 'started here'}", free=bool(address))
        yield
    finally:
        ray.shutdown()
        if reaper is not None:
            reaper.terminate()
            reaper.wait()


def _enough_cpus(need: int, which: str, free: bool = False) -> None:
    """Refuse need one-CPU actors on a Ray with fewer CPUs; with free (a cluster joined), fewer free now."""
    import ray
    if need > (have := int(ray.cluster_resources().get("CPU", 0))):
        raise ValueError(f"{which} has {have} CPUs and {need} actors need one each: ask for fewer (workers=, --actors), or use a "
                         "bigger cluster")
    # held by another job on the cluster: the actors waited for them without a word, for as long as that job ran (not
    # checked in this process's own Ray: its earlier actors may still be going away)
    if free and need > (left := int(ray.available_resources().get("CPU", 0))):
        raise ValueError(f"{which} has {have} CPUs but {left} free now (another job holds the rest) and {need} actors need one each: "
                         "run this when that job ends, or ask for fewer (workers=, --actors)")


def as_completed(submit: Callable[[Any], Any], items: Iterable, max_in_flight: Optional[int] = None,
                 keep_going: bool = False) -> Iterator[tuple]:
    """submit(item) -> ObjectRef for every item, at most max_in_flight unfinished at a time (default: twice the
    cluster's CPUs, so a worker that finishes finds its next task queued); yields (item, result) as each finishes.
    keep_going: a task that failed (its worker died past Ray's retries) yields its RayError as the result, and the other
    items go on (else it is raised, ending the loop)."""
    import ray
    limit = 2 * max(1, int(ray.cluster_resources().get("CPU", 1))) if max_in_flight is None else max_in_flight
    if limit < 1:
        raise ValueError(f"max_in_flight: expected at least 1, got {limit}")
    items, pending = iter(items), {}  # ObjectRef -> its item
    while True:
        for item in itertools.islice(items, limit - len(pending)):  # the next items are drawn only now
            pending[submit(item)] = item
        if not pending:
            return
        [ready], _ = ray.wait(list(pending), num_returns=1)
        item = pending.pop(ready)
        try:
            result = ray.get(ready)
        except ray.exceptions.RayError as e:
            if not keep_going:
                raise
            result = e
        yield item, result


def _start_reaper() -> subprocess.Popen | None:
    """Watch this process from outside, so a SIGKILL here does not leave the local Ray's processes running. None (said on
    stderr) where this Ray does not tell its session folder: its private call may go in any release."""
    import ray
    try:
        session = ray._private.worker._global_node.get_session_dir_path()
    except AttributeError as e:
        print(f"warning: this Ray ({ray.__version__}) does not say its session folder ({e}): a kill -9 of this process may "
              "leave the local Ray's processes running (`ray stop` ends them)", file=sys.stderr)
        return None
    return subprocess.Popen([sys.executable, "-m", "data.reaper", str(os.getpid()), session], cwd=REPO,
                            start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
