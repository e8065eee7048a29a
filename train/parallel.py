"""Data-parallel training on Ray: `workers` replicas of a stage's model, each computing its shard of every batch; the
driver combines their contributions and every replica applies the same update, so the replicas stay identical.

A stage supplies make(config, rank, world) -> a Replica (see the Protocol). Each step the driver asks every replica for
contribute(step): a dict whose "mean/..." arrays are averaged over the replicas (gradients of the replica's mean loss),
"sum/..." arrays summed (statistics such as a codebook's counts) and "cat/..." arrays concatenated in rank order (a
batch's samples, e.g. for codebook restarts); the combined dict goes back to every replica's apply(step, combined).
Communication goes through Ray's object store: each replica sends its contribution once and fetches the combined one
once, so a step moves about 2 x workers x (parameters + statistics) x 4 bytes.

Faults: rank 0 writes an atomic checkpoint every ckpt_every steps. A replica that dies (a killed process, a lost node)
is restarted by Ray (max_restarts), every replica reloads the last checkpoint and the steps since run again on the same
batches (batches are a function of (seed, step)), so the run ends with the weights an uninterrupted run reaches. A
killed driver is recovered by running the same command again: it resumes from the checkpoint like any stage."""
from __future__ import annotations
import os, sys, time
from typing import Callable, Optional, Protocol
import numpy as np

class Replica(Protocol):
  """What a stage implements for data-parallel training (one per Ray worker)."""
  def load(self) -> int: """Load the run's checkpoint (train_parallel writes one at step 0 first); returns its step."""
  def contribute(self, step: int) -> dict: """This rank's share of the step: forward and backward on its shard."""
  def apply(self, step: int, combined: dict) -> dict: """Apply the combined update; returns metrics (rank 0's are logged)."""
  def save(self, step: int, extra: dict) -> None: """Write the run's checkpoint with extra values (called on rank 0)."""

def combine(parts: list[dict]) -> dict:
  """Average "mean/" entries, sum "sum/" entries, concatenate "cat/" entries (rank order) of every rank's contribution."""
  out = {}
  for key in parts[0]:
    kind = key.split("/", 1)[0]
    vals = [p[key] for p in parts]
    if kind == "mean": out[key] = np.mean(np.stack(vals), axis=0, dtype=np.float64).astype(vals[0].dtype)
    elif kind == "sum": out[key] = sum(vals[1:], vals[0].copy())
    elif kind == "cat": out[key] = np.concatenate(vals)
    else: raise ValueError(f"contribution key {key!r}: expected a 'mean/', 'sum/' or 'cat/' prefix")
  return out

def _worker_class():
  import ray
  @ray.remote(max_restarts=-1, max_task_retries=0)
  class Worker:
    """One replica in its own process; Ray restarts the process (and so this constructor) when it dies."""
    def __init__(self, make: Callable, config, rank: int, world: int):
      # a replica that cannot be made (a node without the data) fails its first call, with its error: raised here, the
      # actor would die for good and the driver wait out _load_all's timeout for a restart that never comes
      try: self.replica, self.error = make(config, rank, world), None
      except Exception as e: self.replica, self.error = None, e
    def pid(self) -> int: return os.getpid()
    def load(self) -> int:
      if self.error is not None: raise self.error
      return self.replica.load()
    def contribute(self, step: int) -> dict: return self.replica.contribute(step)
    def apply(self, step: int, combined) -> dict: return self.replica.apply(step, combined)
    def save(self, step: int, extra: dict) -> None: self.replica.save(step, extra)
  return Worker

def train_parallel(make: Callable, config, workers: int, steps: int, ckpt_every: int, log: Callable[[int, dict], None],
                   ray_address: Optional[str] = None, on_step: Optional[Callable] = None, max_failures: int = 10,
                   extra: Callable[[], dict] = dict, saved: Callable[[int], None] = lambda step: None) -> dict:
  """Run steps on `workers` replicas from the last checkpoint; returns rank 0's last metrics. log(step, metrics) is called
  after every step, and log(step, None) whenever the replicas (re)start from the checkpoint of step: what was logged after
  it runs again (a replay logged its steps twice). At a checkpoint step, log runs before rank 0 saves, so extra(), which
  gives the checkpoint's extra values (the training time, the tokenizer, the driver's log window), holds what log kept:
  killed in between, the run resumes from the checkpoint before and logs the step again. saved(step) runs after the
  save (held-out rows of the saved weights). on_step(step, actors) (tests) runs before each step. A replica's
  death restarts the step loop from the last checkpoint, at most max_failures times."""
  import ray
  from ray.exceptions import RayActorError, RayTaskError
  from data.ray_tasks import ray_session
  with ray_session(ray_address, num_cpus=workers, need_cpus=workers, option="ray_address="):  # a local Ray of `workers` CPUs, or the cluster
    Worker = _worker_class()
    # one core per replica (a user's DRIVEGPT_THREADS reaches them through ray_session): set in the actor's constructor it
    # came too late, the engine having read it when Ray unpickled `make` (each replica ran a thread per core of its node)
    one = {} if "DRIVEGPT_THREADS" in os.environ else {"runtime_env": {"env_vars": {"DRIVEGPT_THREADS": "1"}}}
    actors = [Worker.options(num_cpus=1, **one).remote(make, config, r, workers) for r in range(workers)]
    failures, metrics = 0, {}
    step = _load_all(actors)
    # a new run checkpoints its initial state: a replica lost before the first checkpoint restarts at the initial
    # weights, which the others have left behind (they kept their updates, and rank 0 saved its own weights)
    if step == 0: ray.get(actors[0].save.remote(0, extra()))
    log(step, None)
    while step < steps:
      try:
        if on_step is not None: on_step(step, actors)
        combined = ray.put(combine(ray.get([a.contribute.remote(step) for a in actors])))
        metrics = ray.get([a.apply.remote(step, combined) for a in actors])[0]
        step += 1
        log(step, metrics)
        if step % ckpt_every == 0 or step == steps:
          ray.get(actors[0].save.remote(step, extra()))
          saved(step)
      except (RayActorError, RayTaskError) as e:
        if isinstance(e, RayTaskError) and not isinstance(e.cause, RayActorError): raise e.cause from e  # the replica's own error
        failures += 1
        if failures > max_failures: raise RuntimeError(f"data-parallel training: {failures} replica failures, giving up") from e
        print(f"replica lost at step {step} ({type(e).__name__}); Ray restarts it and every replica reloads the last checkpoint",
              file=sys.stderr)
        step = _load_all(actors)
        log(step, None)
        print(f"resumed all {workers} replicas at step {step}", file=sys.stderr)
    return metrics

def _load_all(actors: list, timeout: float = 300.0) -> int:
  """Every replica loads the last checkpoint (waiting for restarted ones to come back); their common step. A replica
  that could not be made raises its own error (a missing file, a bad config value)."""
  import ray
  from ray.exceptions import RayActorError, RayTaskError
  t0 = time.time()
  while True:
    try: steps = ray.get([a.load.remote() for a in actors])
    except (RayActorError, RayTaskError) as e:
      if isinstance(e, RayTaskError) and not isinstance(e.cause, RayActorError): raise e.cause from e
      if time.time() - t0 > timeout: raise
      time.sleep(0.5)
      continue
    if len(set(steps)) != 1: raise RuntimeError(f"replicas loaded different checkpoints: steps {steps}")
    return steps[0]
