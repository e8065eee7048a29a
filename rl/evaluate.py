"""Closed-loop evaluation in the real highway-env: the data stage's roads, traffic, dashcam renderer and takeover
supervisor, with a policy driving from camera frames (frame -> VQVAE tokens -> policy -> action).

  drivegpt evaluate --vqvae RUNDIR --policy bc=RUNDIR --policy rl=RUNDIR [--episodes 20] [--seconds 20] [--seed 5000000]
                    [--density 1.0] [--road curved|straight|mixed] [--radius 250,900] [--recovery 20]

For each driver (scripted and scripted_no_noise unless --no-scripted, then each --policy) it drives the same episodes
(seeds seed, seed+1, ...: road, scene, traffic and supervisor; at another --seconds a seed is another episode, its road's
length drawn first), and prints one JSON line per driver: km driven by the system,
takeovers (by cause), km per takeover, crashes, and the recovery test: episodes started 0.5 m off the lane centre
(alternating sides) that settle within 0.2 m of it inside 3 s (and stay there to the episode's end, 2 s later, moving
sideways under 0.1 m in the last second) without a takeover.

The scripted driver is the data stage's (data/driver.py: IDM car following and lane keeping with steering noise) reading
the simulator's state, without the faults the recorder injects; scripted_no_noise is the same without its steering noise
(a privileged upper reference). After a takeover a human (the recorder's calm driver)
drives 2-4 s and hands back; a crash ends the episode. The learned policies act every `stride` frames (their training
stride) and hold the action in between; the supervisor judges every frame, with one rule more than the recorder's: a car
standing still for 3 s with no car within 30 m ahead is taken over (a policy that stopped drove no takeovers). The
policies have no blinker: a lane change is a lane departure, as an unsignalled one is for a human."""
from __future__ import annotations
import argparse, json, os, sys, tempfile, time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Optional
import numpy as np
from drivegpt.cli import HelpFormatter, at_least, json_line, path_arg

FPS = 20
NOMINAL_LIMITS = dict(ttc=2.0, time_gap=0.6, lane_margin=0.4, heading=15.0, brake=-4.0, lateral_accel=4.0)  # data/driver.py's centres
RECOVERY_OFFSET, RECOVERY_WITHIN, RECOVERY_SECONDS, RECOVERY_HOLD = 0.5, 0.2, 3.0, 2.0
STANDSTILL = (1.0, 3.0, 30.0)  # a takeover: under 1 m/s for 3 s with no car within 30 m ahead
MAX_SECONDS = 3600.0
MIN_RADIUS = 50.0  # m: the tightest --radius (at 0.5-1 m the lanes' geometry folded on itself; the recorder's tightest is 90 m)

@dataclass
class EpisodeSpec:
  seed: int
  seconds: float
  density: float
  road: str                  # "curved", "straight" or "mixed"
  radius: tuple              # m, range of curve radii
  offset: float = 0.0        # m, lateral offset from the lane centre at the start (+ = right)

class ClosedLoop:
  """One episode: highway-env traffic on a data-stage road, our car driven by a policy or (after a takeover) the human."""
  def __init__(self, spec: EpisodeSpec, noise: bool = True):
    os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    from highway_env.road.road import Road as SimRoad
    from data.driver import SupervisorThresholds, sample_driver
    from data.render import sample_scene
    from data.road import SCENARIOS, LANE_WIDTH, car_classes, sample_road, spawn_traffic
    # frames draw from their own stream: traffic, driver and supervisor go the same whether or not a policy renders frames
    self.spec, self.rng, self.render_rng = spec, np.random.default_rng(spec.seed), np.random.default_rng([spec.seed, 1])
    # the camera pitches and rolls with the body and the road's bumps, as in the recordings the policies learned from
    self.bumps, self.pitch, self.roll = (self.render_rng.uniform(0.001, 0.005), self.render_rng.uniform(0, 2 * np.pi, 4)), 0.0, 0.0
    lanes, traffic_speed, speed_range, _, _ = SCENARIOS["highway"]
    self.style, _ = sample_driver(self.rng, speed_range)
    if not noise: self.style.steer_noise = 0.0
    self.limits = SupervisorThresholds(**NOMINAL_LIMITS)
    self.n_lanes = 3
    curved = {"curved": 1.0, "straight": 0.0, "mixed": 0.5}[spec.road]
    # within 90 degrees of the start's direction: curves in a row brought the road back across itself (radius 50-100 m:
    # a third of the 20 s roads; 250-900 m: a quarter of the 10-minute ones), the car's lane position read off the other
    # piece (off road at once) and the lanes overlapping there
    self.road = sample_road(self.rng, 150 + spec.seconds * 40 + 500, self.n_lanes, spec.radius, curved, max_heading=np.pi / 2)
    if folds(self.road): raise RuntimeError(f"episode seed {spec.seed}: the road comes back within 30 m of itself")  # (can't: a check)
    self.scene = sample_scene(self.rng, self.road)
    self.sim = SimRoad(network=self.road.network(), np_random=np.random.RandomState(spec.seed % 2 ** 32), neighbour_vehicles_connected_lanes=True)
    s0, self.lane = 150.0, int(self.rng.integers(self.n_lanes))
    self.traffic_speed = traffic_speed
    self.sim.vehicles = spawn_traffic(self.road, self.sim, self.rng, s0, self.lane, traffic_speed, spec.density)
    x, y, h, _ = self.road.at(s0, self.lane * LANE_WIDTH + spec.offset)
    # at most the speed the driver takes the curves ahead at (28 m/s into a 90 m curve was a lateral-acceleration takeover
    # at t = 0, charged to the driver, and a warm-up that missed the recovery test's 0.5 m)
    v0 = min(np.mean(traffic_speed), self.style.target_speed, np.sqrt(self.style.curve_accel / max(np.abs(self.road.at(np.linspace(s0, s0 + 100, 41))[3]).max(), 1e-4)))
    self.ego = car_classes()[1](self.sim, np.array([x[0], y[0]]), float(h[0]), float(v0))
    self.sim.vehicles.append(self.ego)
    self.colours = {id(v): int(self.rng.integers(1 << 16)) for v in self.sim.vehicles}
    self.t, self.human_until, self.steer_noise, self.clear, self.still = 0.0, -1.0, 0.0, 0, 0.0
    self.km, self.km_human, self.takeovers, self.crashed, self.crashed_human, self.done = 0.0, 0.0, [], False, False, False
    self.prev_speed, self.prev_heading = self.ego.speed, self.ego.heading
    self.offsets: list = []    # (t, lane offset, human) per frame
    self.hold = (0.0, 0.0)
    self.warming = False       # in drive()'s warm-up: not yet the episode's seconds
    self.void = ""             # "crash" in the warm-up, or a recovery "start" off its offset: left out of the scores
    self._observe()

  # *** the state, as the supervisor and the scripted driver see it ***

  def _observe(self) -> None:
    from data.driver import Observation
    from data.record import _lead, body_tilt
    from data.road import LANE_WIDTH
    ego, road = self.ego, self.road
    x, y, heading, speed = float(ego.position[0]), float(ego.position[1]), float(ego.heading), float(ego.speed)
    s, lat = (float(v[0]) for v in road.frenet(np.array([x]), np.array([y]), (0, road.length)))
    _, _, road_h, curv = (float(v[0]) for v in road.at(s))
    psi = float(np.angle(np.exp(1j * (heading - road_h))))
    others = [v for v in self.sim.vehicles if v is not ego]
    lead, clearance = _lead(road, ego, others, s, lat, speed * np.cos(psi), self.lane * LANE_WIDTH)
    edge = min(lat + LANE_WIDTH / 2, LANE_WIDTH * (self.n_lanes - 0.5) - lat)
    dt = 1 / FPS
    self.obs = Observation(speed=speed, accel=(speed - self.prev_speed) / dt, lateral_accel=speed * (heading - self.prev_heading) / dt,
                           lane_offset=lat - self.lane * LANE_WIDTH, heading_error=psi, road_margin=edge, blinker=0,
                           gap=lead[1] if lead[0] else None, closing=lead[2], clearance=clearance, crashed=bool(ego.crashed))
    self.s, self.lat, self.curv, self.others = s, lat, curv, others
    self.prev_speed, self.prev_heading = speed, heading
    self.pitch, self.roll = body_tilt(self.pitch, self.roll, self.obs, dt)

  @property
  def human(self) -> bool: return self.t < self.human_until

  def frame(self) -> np.ndarray:
    """The dashcam frame (128, 256, 3) uint8 now."""
    from data.render import render_dashcam
    from data.record import camera_tilt
    cars = [(float(v.position[0]), float(v.position[1]), float(v.heading), self.colours.get(id(v), 0)) for v in self.others]
    ego = (float(self.ego.position[0]), float(self.ego.position[1]), float(self.ego.heading), *camera_tilt(self.pitch, self.roll, self.s, self.bumps))
    return render_dashcam(ego, cars, self.road, self.scene, rng=self.render_rng)

  def scripted(self, calm: bool = False, target_offset: float = 0.0, noise: bool = True) -> tuple[float, float]:
    """The data stage's driver (calm: the human after a takeover; noise=False: without its steering noise) ->
    (acceleration, front-wheel angle + = right, sim)."""
    from data.driver import idm_accel, lane_keep_steer
    from data.record import AUTOPILOT_BRAKE
    o, st = self.obs, self.style
    ahead = self.road.at(np.linspace(self.s, self.s + 3 * o.speed + 20, 6))[3]
    target = min(st.target_speed, np.sqrt(st.curve_accel / max(np.abs(ahead).max(), 1e-4)))
    gap, closing = (o.gap, o.closing) if o.gap is not None else (None, 0.0)
    if calm: return max(idm_accel(o.speed, min(o.speed + 1, target), 2.0, gap, closing), -6.0), lane_keep_steer(o.lane_offset, o.heading_error, self.curv, o.speed)
    if noise: self.steer_noise = 0.9 * self.steer_noise + st.steer_noise * self.rng.standard_normal()
    accel = max(idm_accel(o.speed, target, st.headway, gap, closing), AUTOPILOT_BRAKE) + 0.1 * self.rng.standard_normal()
    return accel, lane_keep_steer(o.lane_offset - target_offset, o.heading_error, self.curv, o.speed) + (self.steer_noise if noise else 0.0)

  # *** one frame ***

  def tick(self, accel: float, steer: float) -> None:
    """Apply (acceleration m/s^2, front-wheel angle rad + = right) for one frame (the human's command while it drives),
    advance the traffic, and let the supervisor judge the new state."""
    from data.driver import takeover_cause
    from data.record import ACCEL_RANGE, STEER_LIMIT
    from data.road import LANE_WIDTH
    if self.done: return
    if self.human: accel, steer = self.scripted(calm=True)
    dt = 1 / FPS
    accel = float(np.clip(max(accel, -self.obs.speed / dt), *ACCEL_RANGE))
    steer = float(np.clip(steer, -STEER_LIMIT, STEER_LIMIT))
    before, human = self.ego.position.copy(), self.human
    self.ego.act({"acceleration": accel, "steering": steer})
    for v in self.others: v.act()
    self.sim.step(dt)
    self.t += dt
    self._observe()
    # the distance the car moved (an odometer's): along lane 0's centre line, a car in lane 1 of a 250 m curve was 1.6% off
    step = float(np.hypot(*(self.ego.position - before))) / 1000
    if human: self.km_human += step
    else: self.km += step
    self.offsets.append((self.t, self.obs.lane_offset, human))
    cause, _ = takeover_cause(self.limits, self.obs)
    free = self.obs.gap is None or self.obs.gap > STANDSTILL[2]   # (in a jam, the car ahead holds ours: no rule broken)
    self.still = self.still + dt if self.obs.speed < STANDSTILL[0] and free and not human else 0.0
    cause = cause if cause is not None or self.still < STANDSTILL[1] - 1e-9 else "standstill"
    self.clear = 0 if cause is not None else self.clear + 1
    if not self.human:
      # the human hands back only a car that has broken no rule for 0.5 s: the state it left (still out of the lane) was
      # charged to the policy as a second takeover, before it drove; after one clear frame, a stopped car's flickering
      # time-to-collision (the lead car's jitter) was too
      if human and self.clear < round(0.5 * FPS):
        self.human_until = self.t + dt
      elif cause is not None:
        self.takeovers.append(cause)
        self.human_until = self.t + self.rng.uniform(2.0, 4.0)
        self.lane = int(np.clip(np.round(self.lat / LANE_WIDTH), 0, self.n_lanes - 1))
    if self.obs.crashed:  # (counted in crashes whoever drove; crashes_human counts those in the human's seconds)
      self.crashed, self.crashed_human, self.done = True, human, True
    if self.t >= self.spec.seconds - 1e-9 and not self.warming: self.done = True  # (a warm-up longer than the episode,
    # a policy's long context, ended it there: the car stood still for the context's last frames)

# *** policies ***

class LearnedDriver:
  """A trained policy driving from camera frames: frame -> VQVAE tokens -> policy mean -> (acceleration, steer)."""
  def __init__(self, name: str, run: str, vqvae, vq_run: str = "--vqvae"):
    from rl.policy import load_policy, check_tokenizer
    self.name, self.vqvae = name, vqvae
    self.policy, cfg = load_policy(run)
    from drivegpt.nn.state import checkpoint_info
    from train.stage import ckpt_file, run_path
    own = checkpoint_info(str(ckpt_file(run)))[1]  # a PPO run's: its episodes' tokens
    # the recordings it learnt from: BC's tokens, and a PPO run's own (its world-model episodes' seeds; only BC's were
    # checked), and those of the world model it trained in and of the disengagement model that gave its reward
    ppo = [run_path(run, own.get("tokens"))] + [t for k in ("world", "disengage") if own.get(k) for t in recordings(run_path(run, own[k]))] if "bc" in own else []
    self.K, self.stride, self.tokens = self.policy.config.frames, cfg.stride, sorted({t for t in (cfg.tokens, *ppo) if t})  # (a BC run's own is cfg's, read once)
    check_tokenizer(vqvae, self.policy, run, vq_run)  # (vq_run: the path, named in the error)

  def actions(self, tokens: np.ndarray, speed: np.ndarray) -> np.ndarray:
    """tokens (B, K, N), speed (B,) -> (B, 2) [acceleration m/s^2, front-wheel angle rad + = right (sim)]."""
    from drivegpt import Tensor
    from drivegpt.models.policy import to_units
    from rl.data import steer_from_curvature
    # no dropout, whatever the caller's flag: a train-policy run in the same process left it on (BC's 0.3 drove at random)
    prev, Tensor.no_grad, Tensor.training = (Tensor.no_grad, Tensor.training), True, False
    try: a = to_units(self.policy.mean({"tokens": tokens, "speed": speed}).numpy())
    finally: Tensor.no_grad, Tensor.training = prev
    if not np.isfinite(a).all():  # (highway-env failed on it: "unsupported operand type(s) for *: 'float' and 'NoneType'")
      raise FloatingPointError(f"policy {self.name}: its action is not finite ({a[~np.isfinite(a).all(1)][0].tolist()}): a diverged run?")
    return np.stack([a[:, 0], -steer_from_curvature(a[:, 1])], 1)   # curvature + = left; the sim steers + = right

def recordings(run: str) -> list[str]:
  """The data a training run trained on (a world run's data.tokens, a VQVAE run's data.shards and data.val_shards, an
  RL stage's tokens), moved with it; a run that is not there: itself, so that it is said as not checked."""
  from drivegpt.nn.state import checkpoint_info
  from train.stage import ckpt_file, run_path
  try: conf = checkpoint_info(str(ckpt_file(run)))[1] or {}
  except (OSError, ValueError): return [run]
  data = conf.get("data") if isinstance(conf.get("data"), dict) else {}
  return [run_path(run, t) for t in (data.get("tokens"), data.get("shards"), data.get("val_shards"), conf.get("tokens")) if isinstance(t, str) and t]

def encode(vqvae, frames: list) -> np.ndarray:
  """Frames [(H, W, 3) uint8] -> tokens (B, N)."""
  from rl.data import encode_frames
  return encode_frames(vqvae, np.stack(frames))

def folds(road, clear: float = 30.0) -> bool:
  """Does the road come back within clear m of itself (points over 5 clear apart along it)?"""
  s = np.arange(0.0, road.length, clear / 3)
  x, y = road.at(s)[:2]
  for lo in range(0, len(s), 256):  # (in blocks: an hour's road is 14,000 points)
    d, apart = np.hypot(x[lo:lo + 256, None] - x, y[lo:lo + 256, None] - y), np.abs(s[lo:lo + 256, None] - s) > 5 * clear
    if (d[apart] < clear).any(): return True
  return False

def drive(specs: list[EpisodeSpec], driver: Optional[LearnedDriver], vqvae=None, warmup: float = 1.0, noise: bool = True, desc: Optional[str] = None) -> list[ClosedLoop]:
  """Run the episodes of specs together (lockstep, frames encoded in one batch) with driver (None: the scripted driver,
  with its steering noise or without); desc: a progress bar's label (None: no bar)."""
  if not specs: return []  # (--recovery 0: encoding no frames raised after the main episodes had run)
  eps = [ClosedLoop(s, noise) for s in specs]
  stride = driver.stride if driver else 1
  history = [[] for _ in eps]       # token frames, one per policy step
  n_warm = max(int(round(warmup * FPS)), stride * (driver.K - 1) + 1 if driver else 0)  # a long context: full at t = 0
  # (frames before it were driven with (0, 0), counted as the policy's)
  # traffic settles while our car keeps its (offset) line under the scripted driver without steering noise, so every
  # driver starts from the same state (the recovery test's 0.5 m off the centre); the policy's context gets the K-1
  # frames before t = 0 (t = 0's own is its first step's)
  for e in eps: e.warming = True
  for i in range(n_warm):
    for e in eps: e.tick(*e.scripted(target_offset=e.spec.offset, noise=False)) if not e.done else None
    if driver and n_warm - 1 - stride * (driver.K - 1) <= i < n_warm - 1 and (n_warm - 1 - i) % stride == 0:
      toks = encode(vqvae, [e.frame() for e in eps])
      for h, tk in zip(history, toks): h.append(tk)
  # (a takeover in the warm-up handed the first seconds to the human, uncounted: human_until is cleared too)
  for e in eps:
    if e.crashed:  # (the car stays wrecked: its first frame was a crash charged to the driver)
      print(f"warning: episode seed {e.spec.seed}: the car crashed in the warm-up, before the driver drove; the episode "
            "is left out (warmup_crashes)", file=sys.stderr)
    # a recovery episode starts 0.5 m off the centre, or is no test of recovery (a warm-up takeover's human steered it
    # back to the centre; a curve took it to 0.2 or 0.6 m)
    start = e.spec.offset and (e.takeovers or abs(e.obs.lane_offset - e.spec.offset) > 0.15)
    if start and not e.crashed:
      print(f"warning: recovery episode seed {e.spec.seed}: the warm-up left the car {e.obs.lane_offset:+.2f} m off the lane centre, "
            f"not {e.spec.offset:+.2f}; the episode is left out (recovery_starts_missed)", file=sys.stderr)
    e.void = "crash" if e.crashed else "start" if start else ""
    e.t, e.km, e.km_human, e.takeovers, e.offsets, e.crashed, e.crashed_human, e.done, e.human_until, e.warming, e.still = 0.0, 0.0, 0.0, [], [], False, False, e.crashed, -1.0, False, 0.0
  step, bar = 0, None
  if desc is not None:
    from tqdm import tqdm
    bar = tqdm(total=round(max(s.seconds for s in specs) * FPS), desc=desc, unit="frame", dynamic_ncols=True, file=sys.stderr)
  while not all(e.done for e in eps):
    if driver:
      fresh = step % stride == 0   # frames enter the context at the policy's stride
      if fresh and (need := [j for j, e in enumerate(eps) if not e.done and (not e.human or e.human_until - e.t <= stride * driver.K / FPS)]):
        for j, tk in zip(need, encode(vqvae, [eps[j].frame() for j in need])): history[j] = (history[j] + [tk])[-driver.K:]
      # a policy acts at its stride, and at once when the human hands back between two (it held its action from before
      # the takeover, the one that may have caused it, for up to stride - 1 frames); that first action reads the context
      # of the last stride frame, up to stride - 1 frames old, as a held action does, so the context stays evenly spaced
      act = [j for j, e in enumerate(eps) if not e.done and not e.human and len(history[j]) == driver.K and (fresh or e.hold is None)]
      if act:
        a = driver.actions(np.stack([np.stack(history[j]) for j in act]), np.array([eps[j].obs.speed for j in act], np.float32))
        for j, aj in zip(act, a): eps[j].hold = (float(aj[0]), float(aj[1]))
    for e in eps:
      if driver and e.human: e.hold = None   # the human drives; the policy acts again when it hands back
      if not e.done: e.tick(*((e.hold or (0.0, 0.0)) if driver else e.scripted()))
    step += 1
    if bar is not None: bar.update(1)
  if bar is not None: bar.close()
  return eps

def recovered(e: ClosedLoop) -> bool:
  """Settled within RECOVERY_WITHIN m of the lane centre inside RECOVERY_SECONDS: from a frame by then on, within it to
  the episode's end, and moving sideways under half the band in its last second; no takeover and no crash. (Counted
  when it first came within 0.2 m, a car drifting through the centre on its way out of the lane passed: doing nothing
  scored 4/20, a steady 0.4 m/s drift 6/6; with the band held 1 s, a 0.15 m/s drift still did.)"""
  if e.takeovers or getattr(e, "crashed", False) or any(h for *_, h in e.offsets): return False
  out = [i for i, (_, off, _) in enumerate(e.offsets) if abs(off) >= RECOVERY_WITHIN]
  settled = out[-1] + 1 if out else 0   # the first frame of the last run inside
  if settled >= len(e.offsets) or e.offsets[settled][0] > RECOVERY_SECONDS + 1e-9: return False
  end, last = e.offsets[-1], [off for t, off, _ in e.offsets if t >= e.offsets[-1][0] - 1.0 - 1e-9]
  return abs(end[1] - last[0]) < RECOVERY_WITHIN / 2

def summarize(name: str, eps: list[ClosedLoop], rec: list[ClosedLoop], seconds: float) -> dict:
  # an episode whose car crashed in the warm-up (drive() said it) is no one's to score (it failed the recovery test)
  void = Counter({"start": "start"}.get(getattr(e, "void", ""), "crash") for e in eps + rec if getattr(e, "void", ""))   # (True: an old record's crash)
  eps, rec = [e for e in eps if not getattr(e, "void", "")], [e for e in rec if not getattr(e, "void", "")]
  km, n = sum(e.km for e in eps), sum(len(e.takeovers) for e in eps)
  return {"policy": name, "episodes": len(eps), "warmup_crashes": void["crash"], "recovery_starts_missed": void["start"], "seconds": seconds, "km": round(km, 3), "km_human": round(sum(e.km_human for e in eps), 3),
          # (km per takeover to 4 figures: 4 decimals left 2 of 0.0011)
          "takeovers": n, "km_per_takeover": float(f"{km / n:.4g}") if n else None, "km_per_takeover_lower_bound": round(km, 4) if not n and eps else None,
          "crashes": sum(e.crashed for e in eps), "crashes_human": sum(e.crashed_human for e in eps), "takeover_causes": dict(Counter(c for e in eps for c in e.takeovers)),
          "recovery": f"{sum(map(recovered, rec))}/{len(rec)}", "recovery_rate": round(sum(map(recovered, rec)) / len(rec), 3) if rec else None,  # (null with no recovery episodes)
          "mean_abs_lane_offset": round(float(np.mean([abs(o) for e in eps for _, o, h in e.offsets if not h] or [np.nan])), 3)}

def recorded_seeds(paths: list[str], what: str = "--check-seeds") -> set:
  """Every recorder seed in driver.json files (segment folders) or shard attributes under paths (what: for errors).
  Logs that were not recorded here (their driver attribute is empty) have none."""
  from data.layout import files_under, not_being_written
  def seed_of(text):
    try: return int(json.loads(text).get("seed", -1))
    except (ValueError, AttributeError, TypeError, RecursionError): return -1  # (a real log's "": a JSONDecodeError naming no file)
  seeds = set()
  for p in map(Path, paths):
    if not p.exists(): raise FileNotFoundError(f"{what}: {p} does not exist")  # (a mistyped folder checked nothing)
    not_being_written(p)  # (a record still going passed the seeds of the segments it had finished)
    if p.is_file() and p.name != "driver.json" and p.suffix != ".h5":  # (a shard given was read as a driver.json: UnicodeDecodeError)
      raise ValueError(f"{what}: {p}: not a folder of recordings or shards, a shard (.h5) or a driver.json")
    for f in files_under(p, name="driver.json") if p.suffix != ".h5" else []: seeds.add(seed_of(f.read_text()))
    for f in files_under(p, (".h5",)) if p.name != "driver.json" else []:
      import h5py
      try:
        with h5py.File(f, "r") as h:
          if "driver" in h.attrs: seeds.add(seed_of(h.attrs["driver"]))
      except OSError as e: raise ValueError(f"{what}: {f}: not a readable shard ({e})") from None
  return seeds - {-1}

def main(argv: Optional[list[str]] = None) -> list[dict]:
  ap = argparse.ArgumentParser(prog="drivegpt evaluate", description=__doc__, formatter_class=HelpFormatter)
  ap.add_argument("--vqvae", type=path_arg, help="VQVAE run that tokenizes the camera (needed with --policy)")
  ap.add_argument("--policy", action="append", default=[], metavar="NAME=RUNDIR", help="a train-policy run (bc or ppo) to evaluate; repeatable")
  ap.add_argument("--episodes", type=int, default=20, help="evaluation episodes per driver")
  ap.add_argument("--seconds", type=float, default=20.0, help=f"length of each episode, s (more than 3, at most {MAX_SECONDS:g})")
  ap.add_argument("--seed", type=at_least(0, int), default=5_000_000, help="first episode seed (episodes use seed, seed+1, ...)")
  ap.add_argument("--density", type=float, default=1.0, help="traffic density (data.road.spawn_traffic; the 24 cars nearest ours are simulated: "
                  "above about 2.5 more density packs them closer, it adds none)")
  ap.add_argument("--road", choices=["curved", "straight", "mixed"], default="mixed", help="road shape: arcs only after the straight start, straights only, or mixed (each piece an arc or a straight, half and half)")
  ap.add_argument("--radius", default=None, help="curve radius range m, 'lo,hi' (default 250,900; not with --road straight)")
  ap.add_argument("--recovery", type=int, default=20, help="recovery-test episodes")
  ap.add_argument("--no-scripted", action="store_true", help="skip the scripted drivers (scripted and scripted_no_noise)")
  ap.add_argument("--check-seeds", nargs="+", default=[], type=path_arg, metavar="DIR", help="refuse seeds used by the recordings under these folders")
  ap.add_argument("--out", type=path_arg, help="also write the JSON lines to this file once every driver is done (replaced, not appended to; a file that is not an earlier evaluation's rows is refused)")
  args = ap.parse_args(argv)
  if args.no_scripted and not args.policy: ap.error("nothing to evaluate: --no-scripted and no --policy")
  if args.recovery < 0 or not (np.isfinite(args.density) and args.density > 0) or not np.isfinite(args.seconds):
    ap.error("--recovery must be >= 0, --density > 0 and --seconds finite")
  if args.radius is not None and args.road == "straight": ap.error("--radius sets the curves' radii: --road straight has none")  # (ignored)
  args.radius = "250,900" if args.radius is None else args.radius
  try: radius = tuple(float(v) for v in args.radius.split(","))
  except ValueError: ap.error(f"--radius {args.radius!r}: expected 'lo,hi' in metres")
  if len(radius) != 2 or not 0 < radius[0] <= radius[1] < np.inf: ap.error(f"--radius {args.radius!r}: expected 0 < lo <= hi, finite")
  if radius[0] < MIN_RADIUS:  # (0.5,1 ran: the lanes' geometry folded on itself, every row off road or crashed, exit 0)
    ap.error(f"--radius {args.radius!r}: give curves of {MIN_RADIUS:g} m or wider (tighter ones fold the lanes' geometry; the recorded roads' tightest is 90 m)")
  if args.episodes < 1 or not RECOVERY_SECONDS < args.seconds <= MAX_SECONDS: ap.error(f"--episodes must be >= 1 and --seconds > 3 and <= {MAX_SECONDS:g}")
  if args.density > 2.5:
    print(f"note: --density {args.density:g}: only the 24 cars nearest ours are simulated; above about 2.5 they are packed closer, no more of them", file=sys.stderr)
  policies = []
  for p in args.policy:
    name, eq, run = p.partition("=")
    if not eq or not name or not run.strip(): ap.error(f"--policy {p!r}: expected NAME=RUNDIR")
    if name in ("scripted", "scripted_no_noise") or name in dict(policies):  # two rows of one name: which was which?
      ap.error(f"--policy {p!r}: the name {name!r} is {'a built-in driver' if name.startswith('scripted') else 'given twice'}: name each policy once")
    policies.append((name, os.path.expanduser(run)))  # (the shell leaves bc=~/runs/bc alone)
  if policies and not args.vqvae: ap.error("--vqvae is required to drive a learned --policy from camera frames")
  if args.vqvae and not policies: ap.error("--vqvae tokenizes the camera for a learned --policy: give --policy NAME=RUNDIR too")  # (loaded, then ignored)
  if args.out:  # before driving: a bad one was found after the first driver's minutes of work, and no other driver ran
    try:
      if (o := Path(args.out)).is_dir(): raise IsADirectoryError(21, "a folder, not a file")
      if any(q.exists() and not q.is_dir() for q in o.parents): raise NotADirectoryError(20, "a folder above it is a file")
      o.parent.mkdir(parents=True, exist_ok=True)
      tempfile.TemporaryFile(dir=o.parent).close()
    except OSError as e: ap.error(f"--out {args.out}: can't write it ({e.strerror or e})")
    if o.is_file() and not _evaluation_rows(o):  # (it replaced any file: a run's ckpt.safetensors became 913 bytes of rows)
      ap.error(f"--out {args.out}: exists and is not an earlier evaluation's output (JSON lines, one per driver): it would be "
               "replaced; name another file")
  seeds = list(range(args.seed, args.seed + args.episodes))
  rec_seeds = list(range(args.seed + 100_000, args.seed + 100_000 + args.recovery))
  checked = {d: recorded_seeds([d]) for d in args.check_seeds}
  if empty := [d for d, s in checked.items() if not s]:  # (a folder of no recordings checked nothing, exit 0)
    ap.error(f"--check-seeds {empty[0]}: no recorder's seeds there (segments' driver.json, shards of recordings): nothing to check")
  if used := set().union(*checked.values()) & set(seeds + rec_seeds): ap.error(f"seeds {sorted(used)[:5]} were used in recording")
  specs = [EpisodeSpec(s, args.seconds, args.density, args.road, radius) for s in seeds]
  rec = [EpisodeSpec(s, RECOVERY_SECONDS + RECOVERY_HOLD, args.density, args.road, radius, RECOVERY_OFFSET * (1 if i % 2 else -1)) for i, s in enumerate(rec_seeds)]
  vqvae = None
  if args.vqvae:
    from train.vqvae import load_tokenizer
    vqvae, _ = load_tokenizer(args.vqvae)
  drivers = ([] if args.no_scripted else [("scripted", None, True), ("scripted_no_noise", None, False)]) + \
            [(n, LearnedDriver(n, r, vqvae, f"--vqvae {args.vqvae}"), True) for n, r in policies]
  # the recordings each policy learnt from, checked without --check-seeds too: an episode of a recording's seed repeats its
  # driver and traffic draws (said only when asked before)
  # (and the frames the VQVAE encoding the policies' camera trained on: a seed's scene it reconstructs by heart)
  trained_on = sorted({t for _, d, _ in drivers if d is not None for t in d.tokens} | (set(recordings(args.vqvae)) if args.vqvae and policies else set()))
  for t in (t for t in trained_on if not Path(t).exists()):
    print(f"note: {t} (the data a --policy or its models were trained on) is not here: its recordings' seeds are not checked", file=sys.stderr)
  if used := recorded_seeds([t for t in trained_on if Path(t).exists()], "the data a --policy or its models were trained on") & set(seeds + rec_seeds):
    ap.error(f"seeds {sorted(used)[:5]} were used in recording the data a --policy or its models were trained on: pick another --seed")
  # one warm-up for all, as long as the longest context needs: each driver starts from the same state (a policy's
  # context of 8 frames at stride 4 warmed up 1.6 s, the others 1 s: 12 m further on, at another speed)
  warmup = max([1.0] + [(d.stride * (d.K - 1) + 1) / FPS for _, d, _ in drivers if d is not None])
  out = []
  for name, d, noise in drivers:
    t0 = time.perf_counter()
    res = summarize(name, drive(specs, d, vqvae, warmup, noise, desc=name), drive(rec, d, vqvae, warmup, noise, desc=f"{name} recovery"), args.seconds)
    res.update({"road": args.road, "density": args.density, **({"radius": list(radius)} if args.road != "straight" else {}),
                "seeds": [seeds[0], seeds[-1]], "wall_seconds": round(time.perf_counter() - t0, 1)})
    print(json_line(res), flush=True)
    out.append(res)
  if args.out:  # this run's rows, whole, once all drivers are done (a re-run, the demo resumed, appended a second set; one
    from train.stage import write_atomic  # that failed half-way left half of them in place of an earlier run's, unsaid)
    write_atomic(Path(args.out), "".join(json_line(r) + "\n" for r in out).encode())
  return out

def _evaluation_rows(path: Path) -> bool:
  """Whether the file at path is empty or holds an evaluation's rows (JSON objects with a policy each): one evaluate may replace."""
  try: rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
  except (OSError, UnicodeDecodeError, ValueError): return False
  return all(isinstance(r, dict) and "policy" in r for r in rows)

if __name__ == "__main__":
  main()
