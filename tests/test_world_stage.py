"""train-world / eval-world / the simulator on tiny synthetic token shards: config errors, exact resume, eval output,
no-pose data, the vehicle model, gymnasium's env checker, and a rollout written as an MP4."""
import contextlib, errno, json, os, re
import yaml
from pathlib import Path
from fractions import Fraction
import numpy as np
import pytest
import h5py
from drivegpt import Tensor
from drivegpt.nn.state import read_safetensors, save_checkpoint
from train.stage import ConfigError, build, load_config, to_dict
from drivegpt.nn.optim import warmup_cosine
from train import world as tw
from train.world_data import Segment, Windows, load_segments

V, GRID = 32, (2, 4)   # vocab and token grid of the tiny model (and of the tiny VQVAE that decodes it)

def make_tokens(folder, n_seg=4, n=40, seed=0, pose=True):
  """Segments whose tokens scroll through a texture by the (integer) forward motion in pose[:, 0]."""
  os.makedirs(folder, exist_ok=True)
  rng = np.random.default_rng(seed)
  for s in range(n_seg):
    tex, pos = rng.integers(0, V, 512), np.cumsum(rng.integers(1, 4, n))
    tokens = np.stack([tex[(np.arange(8) + p) % 512] for p in pos]).reshape(n, *GRID).astype(np.int16)
    with h5py.File(f"{folder}/seg{s}.h5", "w") as f:
      f["tokens"] = tokens
      if pose:
        p6 = np.zeros((n, 6), np.float32)
        p6[:-1, 0], p6[-1, 0] = np.diff(pos), 1
        f["pose"] = p6
      f.attrs["has_pose"] = pose
  return str(folder)

def tiny_args(tokens, out, *extra):
  return [f"data.tokens={tokens}", f"out={out}", f"model.vocab_size={V}", "model.tokens_per_frame=8", "model.frames=3",
          "model.n_layer=1", "model.n_head=2", "model.d_model=16", "data.frame_stride=2", "data.val_fraction=0.25",
          "batch_size=4", "warmup=2", "eval_every=3", "eval_windows=8", "ckpt_every=3", "log_every=1", *extra]

def test_bad_config_rejected(tmp_path):
  toks = make_tokens(tmp_path / "tok")
  with pytest.raises(ConfigError, match="bogus"): tw.main(tiny_args(toks, tmp_path / "r", "bogus=1"))
  with pytest.raises(ConfigError, match="model.*n_layr"): tw.main(tiny_args(toks, tmp_path / "r", "model.n_layr=1"))
  with pytest.raises(ConfigError, match="pose"): tw.main(tiny_args(toks, tmp_path / "r", "model.pose=tokens"))
  with pytest.raises(ConfigError, match="context_noise"): tw.main(tiny_args(toks, tmp_path / "r", "context_noise=2"))
  with pytest.raises(ConfigError, match="steps"): tw.main(tiny_args(toks, tmp_path / "r", "steps=abc"))
  with pytest.raises(ConfigError, match="frames must be >= 2"): tw.main(tiny_args(toks, tmp_path / "r", "model.frames=1"))  # no context
  with pytest.raises(ConfigError, match="seed: must be >= 0, got -3"): tw.main(tiny_args(toks, tmp_path / "r", "seed=-3"))
  with pytest.raises(ConfigError, match="split_seed: must be >= 0"): tw.main(tiny_args(toks, tmp_path / "r", "data.split_seed=-1"))
  with pytest.raises(ConfigError, match="eval_windows must be >= 2 for a pose-conditioned"): tw.main(tiny_args(toks, tmp_path / "r", "eval_windows=1"))
  (tmp_path / "vq").mkdir(); (tmp_path / "vq" / "ckpt.safetensors").write_bytes(b"")  # a train-vqvae run's folder: it named a key
  (tmp_path / "vq" / "config.yaml").write_text("model:\n  n_codes: 1024\nsteps: 10\n")
  with pytest.raises(ConfigError, match="vq: holds a train-vqvae run, not a train-world one"): tw.main(tiny_args(toks, tmp_path / "vq"))
  with pytest.raises(FileNotFoundError, match="nowhere"): tw.main(tiny_args(tmp_path / "nowhere", tmp_path / "r"))
  # session 44: weight_decay 1e6 exited 0 at 6.6e10 bits per token (lr x weight_decay >= 1 wipes or flips the weights;
  # 900, a factor 0.1 a step, still runs: it ends at 5.0 bits, uniform guessing, which the run's numbers show)
  for wd in ("1e6", "1000"):
    with pytest.raises(ConfigError, match=rf"weight_decay: {float(wd)} x lr 0.001 >= 1: AdamW's decay"): tw.main(tiny_args(toks, tmp_path / "r", f"weight_decay={wd}", "lr=1e-3"))

def test_one_drive_holds_nothing_out_and_says_so(tmp_path, capsys):
  """Session 44 (a review of edge settings): one drive with data.val_fraction 0.25 trained on all of it, no val_*
  metrics, nothing said (train-disengage and BC refuse it)."""
  toks = make_tokens(tmp_path / "tok", n_seg=1)
  res = tw.main(tiny_args(toks, tmp_path / "r", "steps=2"))
  assert not any(k.startswith("val_") for k in res)
  assert "note: train-world: data.tokens" in (err := capsys.readouterr().err) and "is one drive: nothing held out (data.val_fraction=0.25" in err

def test_exact_resume_and_eval(tmp_path, monkeypatch, capsys):
  """A run that crashes after its step-3 checkpoint and is run again ends with the weights of one that never stopped."""
  toks = make_tokens(tmp_path / "tok")
  full = tw.main(tiny_args(toks, tmp_path / "a", "steps=6"))
  assert full["step"] == 6 and full["pose_conditioning"] and (tmp_path / "a" / "loss.png").stat().st_size > 1000
  assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["step"] == 6   # one JSON line on stdout
  real_batch = Windows.batch
  def crash(self, i, b):
    if i == 4: raise KeyboardInterrupt
    return real_batch(self, i, b)
  monkeypatch.setattr(Windows, "batch", crash)
  with pytest.raises(KeyboardInterrupt): tw.main(tiny_args(toks, tmp_path / "b", "steps=6"))
  monkeypatch.setattr(Windows, "batch", real_batch)
  tw.main(tiny_args(toks, tmp_path / "b", "steps=6"))
  a, _ = read_safetensors(str(tmp_path / "a" / "ckpt.safetensors"))
  b, _ = read_safetensors(str(tmp_path / "b" / "ckpt.safetensors"))
  for k in a: np.testing.assert_array_equal(a[k], b[k], err_msg=k)
  steps = [json.loads(l)["step"] for l in (tmp_path / "b" / "metrics.jsonl").read_text().splitlines() if "loss_bits" in l]
  assert steps == list(range(1, 7))                 # the crashed run's step-4 line was dropped, not doubled
  # each step's learning rate is the warmup-cosine schedule's down to min_lr (the defaults: 1e-3 to 1e-4), not to 0
  lrs = [(r["step"], r["lr"]) for r in map(json.loads, (tmp_path / "a" / "metrics.jsonl").read_text().splitlines()) if "loss_bits" in r]
  assert lrs == [(s, pytest.approx(warmup_cosine(s - 1, 1e-3, 2, 6, 1e-4), rel=1e-6)) for s in range(1, 7)]
  # a row two steps long across the step-3 checkpoint: the resumed run's averaged only the step after it
  rows = {}
  for d in ("c", "d"):
    monkeypatch.setattr(Windows, "batch", crash if d == "d" else real_batch)
    with pytest.raises(KeyboardInterrupt) if d == "d" else contextlib.nullcontext(): tw.main(tiny_args(toks, tmp_path / d, "steps=6", "log_every=2"))
    monkeypatch.setattr(Windows, "batch", real_batch)
    if d == "d": tw.main(tiny_args(toks, tmp_path / d, "steps=6", "log_every=2"))
    rows[d] = [(r["step"], r["loss_bits"]) for r in map(json.loads, (tmp_path / d / "metrics.jsonl").read_text().splitlines()) if "loss_bits" in r]
  assert rows["c"] == rows["d"] and [s for s, _ in rows["d"]] == [2, 4, 6]
  p = np.random.default_rng(3).standard_normal((4, 3, 6))  # shuffled: each window gets another window's poses, in order
  assert all(np.array_equal(tw.shuffled(p)[i], p[(i - 2) % 4]) for i in range(4))
  with pytest.raises(ValueError, match="batch size 1: poses are shuffled across a batch"):  # only a last pair was shuffled
    tw.eval_world(str(tmp_path / "a"), toks, split="all", windows=16, batch_size=1)
  capsys.readouterr()
  ev = tw.eval_world(str(tmp_path / "a"), toks, split="all", windows=16, batch_size=4)
  assert ev["pose_conditioning"] and ev["segments"] == 4 and ev["windows"] == 16
  assert 0 < ev["trained_segments"] < 4 and f"{ev['trained_segments']} of the 4 segments are of drives" in capsys.readouterr().err
  assert np.isfinite(ev["bits_per_token"]) and np.isfinite(ev["bits_per_token_shuffled_pose"]) and 0 < ev["lzma_bits_per_token"] < 16
  assert np.isfinite(ev["last_frame_bits_per_token"]) and np.isfinite(ev["last_frame_bits_per_token_shuffled_pose"])
  assert 0 < ev["lzma_bits_per_token_model_rate"] < 16

def test_no_pose_data(tmp_path):
  """commaVQ-style .npy files have no pose: the model trains unconditioned and says so."""
  os.makedirs(tmp_path / "npy")
  rng = np.random.default_rng(0)
  for i in range(3): np.save(tmp_path / "npy" / f"{i}.npy", rng.integers(0, V, (30, *GRID)).astype(np.int16))
  assert all(s.pose is None for s in load_segments(str(tmp_path / "npy")))
  out = tw.main(tiny_args(tmp_path / "npy", tmp_path / "r", "steps=2", "data.val_fraction=0.34"))
  assert out["pose_conditioning"] is False and "val_bits_per_token_shuffled_pose" not in out
  with pytest.raises(ValueError, match="integer tokens"):
    np.save(tmp_path / "bad.npy", np.zeros((4, 3), np.float32))
    load_segments(str(tmp_path / "bad.npy"))

def test_a_model_without_pose_conditioning_reports_no_shuffled_poses(tmp_path, capsys):
  """model.pose=none on segments with poses: train-world's final line (and metrics.jsonl) gave a "shuffled poses"
  bits/token equal to the unshuffled one (the model reads no pose), which read as "the poses don't help". As eval-world
  on such a model: the shuffled numbers are left out and pose_conditioning is false."""
  toks = make_tokens(tmp_path / "tok")
  out = tw.main(tiny_args(toks, tmp_path / "r", "steps=3", "model.pose=none"))
  assert out["pose_conditioning"] is False and np.isfinite(out["val_bits_per_token"])
  assert not [k for k in out if "shuffled" in k], out
  rows = [json.loads(l) for l in (tmp_path / "r" / "metrics.jsonl").read_text().splitlines() if "val_bits_per_token" in l]
  assert rows and not [k for r in rows for k in r if "shuffled" in k], rows
  ev = tw.eval_world(str(tmp_path / "r"), toks, split="val", windows=8, batch_size=4)
  assert ev["pose_conditioning"] is False and not [k for k in ev if "shuffled" in k], ev

def test_the_same_video_twice_is_loaded_once(tmp_path, capsys):
  """A source ingested again from another folder gets a second shard (its id hashes the path): both copies were loaded,
  and one could land in train, the other in val. Token shards of one video checksum count once, the copy named."""
  from train.tokenize import write_token_shard
  rng = np.random.default_rng(4)
  toks = [rng.integers(0, V, (12, *GRID)).astype(np.int16) for _ in range(2)]
  for name, t, ck in (("a-1111.h5", toks[0], "sha256:aa"), ("b.h5", toks[1], "sha256:bb"), ("a-2222.h5", toks[0], "sha256:aa")):
    write_token_shard(tmp_path / name, t, {}, {"checksum": ck, "has_pose": False})
  segs = load_segments(str(tmp_path))
  assert [s.name for s in segs] == ["a-1111.h5", "b.h5"]
  assert "a-2222.h5: the same video as" in capsys.readouterr().err

def test_token_shards_of_two_grids_are_refused(tmp_path):
  """A folder of 8x16 token shards and a 16x8 one: both flattened to rows of 128 and trained as one layout, silently."""
  from train.tokenize import write_token_shard
  rng = np.random.default_rng(14)
  write_token_shard(tmp_path / "a.h5", rng.integers(0, V, (12, 8, 16)).astype(np.int16), {}, {"checksum": "sha256:a", "has_pose": False})
  write_token_shard(tmp_path / "b.h5", rng.integers(0, V, (12, 16, 8)).astype(np.int16), {}, {"checksum": "sha256:b", "has_pose": False})
  with pytest.raises(ValueError, match=r"b\.h5: a 16x8 token grid, \S*a\.h5 a 8x16 one"): load_segments(str(tmp_path))
  (tmp_path / "b.h5").unlink()
  write_token_shard(tmp_path / "c.h5", rng.integers(0, V, (12, 8, 16)).astype(np.int16), {}, {"checksum": "sha256:c", "has_pose": False})
  assert len(load_segments(str(tmp_path))) == 2
  (tmp_path / "n").mkdir()   # a commaVQ-layout .npy (8x16) beside a 16x8 token shard
  np.save(tmp_path / "n" / "a.npy", rng.integers(0, V, (12, 8, 16)).astype(np.int16))
  write_token_shard(tmp_path / "n" / "b.h5", rng.integers(0, V, (12, 16, 8)).astype(np.int16), {}, {"checksum": "sha256:b", "has_pose": False})
  with pytest.raises(ValueError, match=r"a 16x8 token grid, \S*a\.npy a 8x16 one|a 8x16 token grid, \S*b\.h5 a 16x8 one"): load_segments(str(tmp_path / "n"))

def test_token_ids_outside_the_vocabulary_and_other_frame_rates_are_refused(tmp_path):
  """eval-world on a shard with an id past the model's vocabulary printed NaN bits/token (the JIT's recorded one-hot read
  it as nothing), exit 0; a 30 fps shard was trained on with the 20 fps ones (its strided motions 2/3 as long)."""
  from train.world import eval_world
  toks = make_tokens(tmp_path / "tok")
  tw.main(tiny_args(toks, tmp_path / "w", "steps=1"))
  with h5py.File(tmp_path / "tok" / "seg3.h5", "r+") as f: f["tokens"][30, 0, 0] = V
  with pytest.raises(ValueError, match=rf"seg3.h5: token ids 0..{V} are outside the model's vocabulary \[0, {V}\)"):
    eval_world(str(tmp_path / "w"), toks, "all")
  with h5py.File(tmp_path / "tok" / "seg3.h5", "r+") as f:
    f["tokens"][30, 0, 0] = 0
    f.attrs["fps"] = 30.0
  with pytest.raises(ValueError, match="seg3.h5: recorded at 30 fps"): tw.main(tiny_args(toks, tmp_path / "w2", "steps=1"))

def test_a_token_grid_other_than_the_models_is_named(tmp_path):
  """Token shards of 8 tokens a frame with model.tokens_per_frame=6 failed inside the model, naming neither the file nor
  the key: "WorldModel: tokens (4, 3, 8) must be (B, <= 3, 6)"."""
  toks = make_tokens(tmp_path / "tok")
  with pytest.raises(ValueError, match=r"seg0\.h5: 8 tokens a frame .* model\.tokens_per_frame is 6"):
    tw.main(tiny_args(toks, tmp_path / "r", "model.tokens_per_frame=6", "steps=1"))

def test_metrics_lines_and_final_json_are_strict_json(tmp_path, capsys):
  """A value that isn't finite was written as NaN or Infinity (metrics.jsonl, final.json, the final line), which JSON.parse
  and other strict parsers refuse: now null, and the loss curve skips it."""
  from train.stage import Run
  strict = lambda s: json.loads(s, parse_constant=lambda c: pytest.fail(f"{c} in {s}"))  # noqa: E731
  run = Run(str(tmp_path / "r"), tw.TrainConfig())
  with pytest.raises(FloatingPointError): run.log(1, loss_bits=2.0, val_bits_per_token=float("inf"))  # (written, then the run stops)
  run.log(2, loss_bits=1.0, val_bits_per_token=3.0)
  run.finish({"step": 2, "val_bits_per_token": float("nan")})
  rows = [strict(l) for l in (tmp_path / "r" / "metrics.jsonl").read_text().splitlines()]
  assert rows[0]["val_bits_per_token"] is None and rows[1]["val_bits_per_token"] == 3.0
  assert strict((tmp_path / "r" / "final.json").read_text()) == strict(capsys.readouterr().out) == {"step": 2, "val_bits_per_token": None}
  tw.write_curves(run)
  assert (tmp_path / "r" / "loss.png").stat().st_size > 1000
  from drivegpt.cli import json_line  # what every command's final line is written with
  assert json_line({"a": float("nan"), "b": [float("inf"), 1.5, (2, float("-inf"))]}) == '{"a": null, "b": [null, 1.5, [2, null]]}'

def test_a_metrics_line_that_cannot_be_written_names_the_file(tmp_path):
  """Session 40: a full disk at metrics.jsonl said only "[Errno 28] No space left on device" (/dev/full: its writes fail)."""
  from train.stage import Run
  run = Run(str(tmp_path / "r"), tw.TrainConfig())
  (tmp_path / "r" / "metrics.jsonl").symlink_to("/dev/full")
  with pytest.raises(OSError, match=r"can't write it \(No space left on device\): '.*r/metrics\.jsonl'"): run.log(1, loss_bits=2.0)

def test_help_examples_name_real_config_keys(capsys):
  """Every stage's key=value help said `e.g. steps=100 data.shards=DIR`: train-world reads data.tokens, the RL stages
  tokens, and PPO has no steps."""
  from drivegpt.cli import main as cli
  for argv in (["train-vqvae"], ["train-world"], ["train-disengage"], ["train-policy", "--algo", "bc"], ["train-policy", "--algo", "ppo"]):
    with pytest.raises(SystemExit): cli(argv + ["--help"])
    out = capsys.readouterr().out
    keys = set(re.findall(r"^  (\S+) = ", out, re.M))
    example = re.search(r"e\.g\. ((?:\S+=\S+ )+)", " ".join(out.split())).group(1).split()
    assert example and all(k.split("=")[0] in keys for k in example), (argv, example)

def test_eval_scores_every_window_asked_for():
  """A lone last window of the evaluation (eval_windows=1, or one more than a multiple of the batch) was dropped: 5
  windows asked, 4 scored; 1 asked, none (and no val metrics at all)."""
  from train.world import evaluate
  from train.world_data import Windows
  rng = np.random.default_rng(2)
  segs = [Segment(f"s{i}", rng.integers(0, V, (20, 8)).astype(np.int16), rng.normal(0, 1, (20, 6)).astype(np.float32)) for i in range(2)]
  w = Windows(segs, 3, 1)
  seen = []
  def scorer(tok, pose):
    seen.append(len(tok))
    return tok.astype(np.float64).mean(-1)  # (B, F): any function of the tokens
  for n, batch, sizes in ((5, 2, [2, 2, 3, 3]), (1, 4, [1]), (8, 4, [4, 4, 4, 4])):  # each batch: true poses, then shuffled
    seen.clear()
    r = evaluate(scorer, w, n, batch)
    assert r["windows"] == n and seen == sizes, (n, r, seen)
    assert ("bits_per_token_shuffled_pose" in r) == (n > 1)
    want = np.mean([w.window(k)[0].astype(np.float64).mean() for k in np.linspace(0, len(w) - 1, n).astype(int)])
    assert r["bits_per_token"] == pytest.approx(want)

def test_noise_context_spares_last_frame():
  rng = np.random.default_rng(0)
  tok = rng.integers(0, V, (64, 3, 8))
  noised = tw.noise_context(tok, 0.5, V, rng)
  np.testing.assert_array_equal(noised[:, -1], tok[:, -1])
  frac = (noised[:, :-1] != tok[:, :-1]).mean()
  assert 0.15 < frac < 0.3   # p ~ U(0, 0.5), and a random token equals the old one 1/32 of the time

# *** simulator ***

def test_motion_from_control_is_the_recorders_bicycle():
  """Against highway-env's own Vehicle, stepped once a frame as the recorder steps it (the recorder's car: curvature =
  tan(delta) / L, + = left, the sim's steering + = right). An exact integration of the same bicycle slid 7-30% further
  sideways than the recorded poses; a point on an arc 2.4-4.2x less."""
  from highway_env.vehicle.kinematics import Vehicle
  from sim.world_sim import FPS, motion_from_control, WHEELBASE
  from train.world_data import rot_from_axis_angle
  from data.road import CAR_LENGTH
  assert WHEELBASE == CAR_LENGTH == Vehicle.LENGTH
  rng = np.random.default_rng(0)
  v, a, k = rng.uniform(5, 30, 6), rng.uniform(-3, 3, 6), rng.uniform(-0.05, 0.05, 6)
  k[0] = 0.0
  for stride in (1, 2, 3):
    m, v1 = motion_from_control(v, a, k, stride / FPS)
    for b in range(6):
      h0 = rng.uniform(-3, 3)
      car = Vehicle(None, np.array([10.0, -4.0]), h0, v[b])
      for _ in range(stride):
        car.act({"acceleration": a[b], "steering": -np.arctan(k[b] * CAR_LENGTH)})
        car.step(1 / FPS)
      d = car.position - [10.0, -4.0]
      fwd, right = d[0] * np.cos(h0) + d[1] * np.sin(h0), -d[0] * np.sin(h0) + d[1] * np.cos(h0)   # the sim's y: right
      np.testing.assert_allclose(m[b, [0, 1, 5]], [fwd, right, car.heading - h0], atol=1e-5)
      np.testing.assert_allclose(v1[b], car.speed, rtol=1e-6)
    np.testing.assert_allclose(m[:, 2:5], 0)
  # left turn: the new forward axis, seen from the old frame, points left (negative right), a negative yaw about down
  fwd = rot_from_axis_angle(m[1, 3:]) @ [1, 0, 0]
  assert np.sign(fwd[1]) == -np.sign(k[1]) and abs(np.arctan2(fwd[1], fwd[0]) - m[1, 5]) < 1e-6

def test_the_simulator_takes_the_recorded_cars_limits():
  """The world simulator clipped acceleration to +-4 m/s^2 and curvature to 0.05 1/m while the recorder's car, and the
  evaluation in highway-env, brake to -8 m/s^2 and steer to tan(0.5)/5 = 0.109 1/m: the same action did more in
  evaluation than it ever did in training. A -7 m/s^2, 0.09 1/m command moves the simulated car as the bicycle does."""
  from data.record import ACCEL_RANGE, STEER_LIMIT
  from data.road import CAR_LENGTH
  from sim.world_sim import MAX_CURVATURE, WorldRollouts, motion_from_control
  assert MAX_CURVATURE == pytest.approx(np.tan(STEER_LIMIT) / CAR_LENGTH)
  sim = WorldRollouts.__new__(WorldRollouts)
  sim.speed, sim.dt = np.array([20.0, 20.0]), 0.1
  got = sim.control(np.array([[-7.0, 0.09], [-20.0, 0.5]]))
  want, _ = motion_from_control(np.array([20.0, 20.0]), np.array([-7.0, ACCEL_RANGE[0]]), np.array([0.09, MAX_CURVATURE]), 0.1)
  np.testing.assert_allclose(got, want, rtol=1e-6)

def test_a_rollout_starts_at_the_speed_of_its_last_context_frame(tmp_path_factory, capsys):
  """reset took the stride's mean speed into the last context frame (0.3 m/s off braking at 4 m/s^2, so the first
  observation and bicycle step of every rollout started too fast); now the speed at that frame: the recorded one where
  the segment carries it, else the frame's own forward motion (made at its speed). A drive of random accelerations."""
  from drivegpt.models.world import WorldModel, WorldConfig
  from sim.world_sim import FPS, WorldRollouts, motion_from_control
  rng = np.random.default_rng(7)
  n, v = 40, 12.0
  accel, curv = rng.uniform(-6, 4, n), rng.uniform(-0.03, 0.03, n)
  pose, speed = np.zeros((n, 6), np.float32), np.zeros(n)
  for i in range(n):
    speed[i] = v
    m, v1 = motion_from_control(np.array([v]), accel[i:i+1], curv[i:i+1], 1 / FPS)
    pose[i], v = m[0], float(v1[0])
  Tensor.manual_seed(0)
  model = WorldModel(WorldConfig(vocab_size=8, tokens_per_frame=4, frames=3, n_layer=1, n_head=1, d_model=8))
  class Recorded(Segment): pass
  plain, rec = Segment("p", np.zeros((n, 4), np.int16), pose), Recorded("r", np.zeros((n, 4), np.int16), pose)
  rec.speed = speed + 0.5  # carried speeds win (offset, to tell them apart)
  for stride in (1, 2, 4):
    for seg, want in ((plain, speed), (rec, speed + 0.5)):
      sim = WorldRollouts(model, [seg], stride)
      start = rng.integers(0, n - 1 - 2*stride, 3)
      sim.reset(np.zeros(3, int), start, rng)
      last = start + 2*stride
      np.testing.assert_allclose(sim.speed, want[last] * np.cos(np.arctan(curv[last] * 2.5)) if seg is plain else want[last], rtol=1e-5)
  sim = WorldRollouts(model, [plain], 2)
  sim.reset(np.zeros(1, int), np.array([n - 5]), rng)  # the last frame of the segment: its motion in, at the speed before
  np.testing.assert_allclose(sim.speed, speed[n - 2] * np.cos(np.arctan(curv[n - 2] * 2.5)), rtol=1e-5)
  # a token shard's recorded speed is read (load_segments dropped it: rollout, probe and WorldSim started at the pose's
  # forward motion, up to 8% under the car's speed), and a damaged one is named
  from train.world_data import load_segments
  (d := tmp_path_factory.mktemp("speed")).mkdir(exist_ok=True)
  with h5py.File(d / "s.h5", "w") as f:
    f["tokens"], f["pose"], f["speed"] = np.zeros((n, 2, 2), np.int16), pose, (speed + 0.5)[:, None].astype(np.float32)
    f.attrs["has_pose"], f.attrs["has_can"] = True, True
  [seg] = load_segments(str(d))
  sim = WorldRollouts(model, [seg], 2)
  sim.reset(np.zeros(1, int), np.array([3]), rng)
  np.testing.assert_allclose(sim.speed, speed[7] + 0.5, rtol=1e-6)
  with h5py.File(d / "s.h5", "a") as f: f["speed"][4] = np.nan   # damaged: said and left out (train-world reads none)
  assert load_segments(str(d))[0].speed is None
  assert "s.h5: speed at frame 4 is nan m/s (not finite, or over 100): not used" in capsys.readouterr().err
  with h5py.File(d / "s.h5", "a") as f: del f["pose"]   # said to have poses, but none: loaded as pose-less, unsaid (a review)
  with pytest.raises(ValueError, match=r"s\.h5: has_pose is set but the shard has no 'pose' dataset"): load_segments(str(d))
  # commaVQ tokens carry neither poses nor speeds: a pose-less model's rollouts start at 0 m/s, which is said
  bare = WorldModel(WorldConfig(vocab_size=8, tokens_per_frame=4, frames=3, n_layer=1, n_head=1, d_model=8, pose="none"))
  with pytest.warns(UserWarning, match="segment c has no poses or speeds .*start at 0 m/s"):
    sim = WorldRollouts(bare, [Segment("c", np.zeros((n, 4), np.int16), None)], 2)
  sim.reset(np.zeros(1, int), np.array([3]), rng)
  assert sim.speed.tolist() == [0.0]

@pytest.fixture(scope="module")
def sim_parts(tmp_path_factory):
  """A tiny trained-shape world model (random weights, the previous frame's tokens as an input) and segments to seed it."""
  from drivegpt.models.world import WorldModel, WorldConfig
  Tensor.manual_seed(0)
  m = WorldModel(WorldConfig(vocab_size=V, tokens_per_frame=8, frames=3, n_layer=1, n_head=2, d_model=16, prev_frame=True))
  rng = np.random.default_rng(0)
  segs = [Segment(f"s{i}", rng.integers(0, V, (30, 8)).astype(np.int16), rng.normal(0, 1, (30, 6)).astype(np.float32)) for i in range(3)]
  return m, segs

def test_a_stepped_env_pickles_and_its_copy_steps_as_it_does(sim_parts):
  """A review's finding: a WorldSim or WorldVecEnv pickled before its first step, but not after one (its sampler's
  recorded kernels, '_numpy_runner.<locals>.runner'), as gymnasium's AsyncVectorEnv needs; a copy now records its own
  kernels and steps on exactly as the original."""
  import copy, pickle
  from drivegpt.nn.state import get_state_dict, load_state_dict
  from sim.world_sim import WorldSim, WorldVecEnv
  m, segs = sim_parts
  env, venv = WorldSim(m, segs, 2, max_steps=20), WorldVecEnv(m, segs, 3, 2, max_steps=20)
  env.reset(seed=3); venv.reset(seed=1)
  for i in range(4): env.step([0.5, 0.01 * i]); venv.step(np.full((3, 2), 0.1 * i))
  copies = [pickle.loads(pickle.dumps(env)), copy.deepcopy(env)]
  vcopy = pickle.loads(pickle.dumps(venv))
  for i in range(5):
    a = np.array([0.3 * (i % 3), -0.01 * i])
    want = env.step(a)[0]
    for got in [c.step(a)[0] for c in copies]: assert all(np.array_equal(want[k], got[k]) for k in want), i
    vwant, vgot = venv.step(np.full((3, 2), -0.1 * i))[0], vcopy.step(np.full((3, 2), -0.1 * i))[0]
    assert all(np.array_equal(vwant[k], vgot[k]) for k in vwant), i

def test_env_refuses_a_decoder_of_another_grid_or_codebook(sim_parts):
  """A VQVAE decoder with a 2x2 grid on a world model of 8 tokens per frame decoded each frame's first 4 tokens (and
  WorldVecEnv handed out 4 frames for 2 envs); ids past its 16 codes decoded as the zero code. All without an error."""
  from drivegpt.models.vqvae import VQVAE, VQVAEConfig
  from sim.world_sim import WorldSim, WorldVecEnv
  from sim.rollout import TokenDecoder
  m, segs = sim_parts
  tiny = dict(patch=8, width=8, mults=(1, 2), enc_blocks=0, dec_blocks=1, attention=False, groups=4, code_dim=4)
  for size, codes in (((32, 32), 64), ((32, 64), 16)):  # a 2x2 grid; the right 2x4 grid with too few codes
    dec = TokenDecoder(VQVAE(VQVAEConfig(image_size=size, n_codes=codes, **tiny)))
    with pytest.raises(ValueError, match="can't decode the world model's frames of 8 tokens"): WorldSim(m, segs, 2, decoder=dec)
    with pytest.raises(ValueError, match="can't decode"): WorldVecEnv(m, segs, 2, 2, decoder=dec)
  dec = TokenDecoder(VQVAE(VQVAEConfig(image_size=(32, 64), n_codes=V, **tiny)))
  import gymnasium
  with pytest.raises(gymnasium.error.ResetNeeded, match="render\\(\\) before reset"): WorldSim(m, segs, 2, decoder=dec).render()  # (an AttributeError)
  o, _ = WorldSim(m, segs, 2, decoder=dec, max_steps=3).reset(seed=0)
  assert o["frame"].shape == (32, 64, 3)
  with pytest.raises(ValueError, match="4 tokens per frame, the VQVAE's \\[2, 4\\] grid holds 8"): dec(np.zeros((2, 4), np.int16))
  with pytest.raises(ValueError, match=f"token ids 0..{V} outside the VQVAE's {V} codes"): dec(np.eye(1, 8, 5, dtype=np.int16) * V)
  # segments tokenized by another VQVAE (their shards name its codebook) were decoded with this one's codes: drivegpt
  # rollout refuses that combination, the envs took it
  import dataclasses
  from train.tokenize import codebook_hash
  ours = f"codebook {codebook_hash(dec.vqvae.quantizer.codebook.numpy())}"
  WorldSim(m, [dataclasses.replace(s, tokenizer=ours) for s in segs], 2, decoder=dec)
  other = [dataclasses.replace(s, tokenizer="codebook f00d") for s in segs]
  for make in (lambda: WorldSim(m, other, 2, decoder=dec), lambda: WorldVecEnv(m, other, 2, 2, decoder=dec)):
    with pytest.raises(ValueError, match=f"WorldSim decoder: s0 was tokenized with another codebook \\(codebook f00d\\) than vqvae=decoder's \\({ours}\\)"): make()

def test_env_checker(sim_parts):
  from gymnasium.utils.env_checker import check_env
  from sim.world_sim import WorldSim
  m, segs = sim_parts
  check_env(WorldSim(m, segs, frame_stride=2, max_steps=4), skip_render_check=True)
  check_env(WorldSim(m, segs, 1, action="pose", max_steps=4), skip_render_check=True)

def test_a_pose_model_seeded_without_poses_is_refused(sim_parts):
  """Seeded from segments without poses (commaVQ's), a pose-conditioned model's context motions were zeros and its speed
  0: every --steer command moved nothing, without a word."""
  from sim.world_sim import WorldSim
  m, segs = sim_parts
  bare = [Segment("commavq.npy", segs[0].tokens, None)]
  with pytest.raises(ValueError, match="segment commavq.npy has no poses; the world model is pose-conditioned"): WorldSim(m, bare, 2)

def test_seed_segments_the_model_cant_read_are_refused_naming_them(sim_parts):
  """Ids past the vocab or a wrong width came back from reset as an observation outside the space (failing only at the
  first step, naming no segment); a NaN pose as a NaN speed; a pose shorter than the tokens as a bare IndexError."""
  from sim.world_sim import WorldSim
  m, segs = sim_parts
  tok, pose = segs[0].tokens, segs[0].pose
  bad = {"ids": (Segment("ids", tok + V, pose), r"token ids \d+\.\.\d+ must be in \[0, 32\)"),
         "width": (Segment("width", tok[:, :5], pose), r"tokens \(30, 5\) int16 must be whole-number ids \(frames, 8\)"),
         "float": (Segment("float", tok.astype(np.float32), pose), "tokens .* float32 must be whole-number ids"),
         "short": (Segment("short", tok, pose[:12]), r"pose \(12, 6\) must be finite, \(30, 6\)"),
         "nan": (Segment("nan", tok, np.where(np.arange(30)[:, None] == 7, np.nan, pose)), "pose .* must be finite")}
  for name, (seg, msg) in bad.items():
    with pytest.raises(ValueError, match=f"segment {name}: {msg}"): WorldSim(m, segs[1:] + [seg], 2)
  seg = Segment("speed", tok, pose); seg.speed = np.full(30, np.inf)
  with pytest.raises(ValueError, match=r"segment speed: speed \(30,\) must be finite"): WorldSim(m, [seg], 2)
  WorldSim(m, segs, 2).reset(seed=0)  # the good ones still seed

def test_nan_actions_raise_and_pose_actions_are_clipped(sim_parts):
  """A NaN action made the speed NaN and every later frame token 0, silently; a pose action far outside its space went
  to the model as it was."""
  from sim.world_sim import WorldSim, WorldVecEnv, MAX_MOTION
  m, segs = sim_parts
  env = WorldSim(m, segs, 1, max_steps=4)
  env.reset(seed=0)
  with pytest.raises(ValueError, match="not finite"): env.step([np.nan, 0.0])
  with pytest.raises(ValueError, match="not finite"): env.step([np.inf, 0.0])   # (clipped to the limit, silently: session 28)
  venv = WorldVecEnv(m, segs, num_envs=2, frame_stride=1, max_steps=4)
  venv.reset(seed=0)
  with pytest.raises(ValueError, match="not finite"): venv.step(np.array([[0.0, 0.0], [0.0, np.nan]]))
  with pytest.raises(ValueError, match="not finite"): venv.step(np.array([[0.0, -np.inf], [0.0, 0.0]]))
  # gymnasium's vector infos carry a `_key` mask beside each key (its wrappers and users read them to know which envs have one)
  _, info = venv.reset(seed=1)
  assert set(info) == {"segment", "start", "_segment", "_start"} and info["_segment"].dtype == bool and info["_start"].all()
  info = venv.step(np.zeros((2, 2), np.float32))[-1]
  assert info["motion"].shape == (2, 6) and info["_motion"].tolist() == [True, True]
  penv = WorldSim(m, segs, 1, action="pose", max_steps=4)
  penv.reset(seed=0)
  env.reset(seed=0)
  assert [env.step([0.0, 0.0])[3] for _ in range(4)] == [False, False, False, True]
  import gymnasium as gym
  with pytest.raises(gym.error.ResetNeeded): env.step([0.0, 0.0])   # (a truncated episode ran on, t 5, 6, ...)
  _, _, _, _, info = penv.step(np.array([1e6, -1e6, 0, 50, 0, 0], np.float32))
  np.testing.assert_array_equal(info["motion"], [MAX_MOTION[0], -MAX_MOTION[1], 0, MAX_MOTION[3], 0, 0])

def test_pose_action_limit_scales_with_the_frame_stride():
  """A pose action was clipped to 10 m a step whatever the stride: at stride 8 the recorded 12 m of a car at 30 m/s
  became 10 m and the speed 25 m/s, without a word (control actions gave the full 12 m)."""
  from drivegpt.models.world import WorldModel, WorldConfig
  from train.world_data import Segment, strided_motion
  from sim.world_sim import WorldSim, motion_from_control
  Tensor.manual_seed(0)
  m = WorldModel(WorldConfig(vocab_size=16, tokens_per_frame=8, frames=3, n_layer=1, n_head=2, d_model=16))
  speed = np.random.default_rng(0).uniform(26, 39)
  pose = np.zeros((60, 6), np.float32)
  pose[:, 0] = speed / 20
  rec = strided_motion(pose, 8)[30]
  assert np.isclose(rec[0], speed * 0.4, rtol=1e-5) and np.isclose(motion_from_control(np.array([speed]), np.zeros(1), np.zeros(1), 0.4)[0][0, 0], rec[0], rtol=1e-5)
  env = WorldSim(m, [Segment("s", np.zeros((60, 8), np.int16), pose)], 8, action="pose", max_steps=3)
  env.reset(seed=0)
  obs, _, _, _, info = env.step(rec)
  np.testing.assert_array_equal(info["motion"], rec)
  assert np.isclose(obs["speed"][0], speed, rtol=1e-5) and env.action_space.contains(rec)

def test_bad_actions_indices_and_tokens_raise(sim_parts):
  """Each of these ran without an error: a (2, 3) action array for 3 envs split its rows across the envs; a negative
  segment or start seeded from the end; a token id >= vocab became NaN logits and a frame of token 0 once the step was
  recorded; a pose action left the observed speed where it was."""
  from sim.world_sim import WorldSim, WorldVecEnv, MAX_SPEED
  from drivegpt.models.world import FrameSampler, sample_logits
  m, segs = sim_parts
  venv = WorldVecEnv(m, segs, num_envs=3, frame_stride=1, max_steps=4)
  venv.reset(seed=0)
  with pytest.raises(ValueError, match=r"actions of shape \(2, 3\): 3 rollouts take \(3, 2\)"): venv.step(np.array([[1, 2, 3], [.01, .02, .03]]))
  with pytest.raises(ValueError, match=r"actions of shape \(6,\)"): venv.step(np.zeros(6))
  with pytest.raises(ValueError, match="segment -1"): venv.reset(options={"segment": np.array([-1, 0, 0]), "start": np.zeros(3, int)})
  env = WorldSim(m, segs, 1, max_steps=4)
  with pytest.raises(ValueError, match="start -5"): env.reset(options={"segment": 0, "start": -5})
  env.reset(seed=0)
  with pytest.raises(ValueError, match=r"action of shape \(3,\)"): env.step([0.0, 0.0, 0.0])
  penv = WorldSim(m, segs, 1, action="pose", max_steps=4)
  penv.reset(seed=0)
  env.reset(seed=0)
  assert [env.step([0.0, 0.0])[3] for _ in range(4)] == [False, False, False, True]
  import gymnasium as gym
  with pytest.raises(gym.error.ResetNeeded): env.step([0.0, 0.0])   # (a truncated episode ran on, t 5, 6, ...)
  for fwd in (0.5, 2.0, 0.0):
    obs = penv.step(np.array([fwd, 0, 0, 0, 0, 0], np.float32))[0]
    assert obs["speed"][0] == pytest.approx(min(fwd * 20, MAX_SPEED))  # 20 Hz, stride 1
  sampler, rng = FrameSampler(m), np.random.default_rng(0)
  ctx, pose = rng.integers(0, V, (2, 2, 8)).astype(np.int32), rng.normal(0, 1, (2, 3, 6)).astype(np.float32)
  for _ in range(3): sampler.generate(ctx, pose)  # recorded by the third call
  for bad in (V, -1):
    c = ctx.copy(); c[1, 0, 3] = bad
    with pytest.raises(ValueError, match=r"token ids must be in \[0, 32\)"): sampler.generate(c, pose)
  with pytest.raises(ValueError, match="pose is not finite"): sampler.generate(ctx, np.where(pose > 1, np.nan, pose))
  with pytest.raises(FloatingPointError, match="not finite"): sample_logits(np.array([[0.0, np.nan]]), 1.0, 0, rng)

def test_env_arguments_are_checked_when_made(sim_parts):
  """A hostile user's findings (session 27): frame_stride=-2 seeded a rollout from the segment's last frames, silently;
  0 or 2.5 strides, num_envs=0, a float seed, a scalar segment option, step() before reset() and a negative temperature
  raised errors that named nothing (ZeroDivisionError, AttributeError, 'need at least one array to stack') or only at the
  first step; max_steps=0 truncated every step and render_mode='human' was taken."""
  import gymnasium as gym
  from sim.world_sim import WorldSim, WorldVecEnv
  m, segs = sim_parts
  for stride in (-2, 0, 2.5, True):
    with pytest.raises(ValueError, match=f"frame_stride must be a whole number >= 1, got {stride!r}"): WorldSim(m, segs, stride)
  with pytest.raises(ValueError, match="max_steps must be a whole number >= 1, got 0"): WorldSim(m, segs, 2, max_steps=0)
  with pytest.raises(ValueError, match="temperature must be a finite number >= 0"): WorldSim(m, segs, 2, temperature=-1)
  with pytest.raises(ValueError, match="top_k must be a whole number >= 0"): WorldSim(m, segs, 2, top_k=-1)
  with pytest.raises(ValueError, match="render_mode must be None or one of"): WorldSim(m, segs, 2, render_mode="human")
  with pytest.raises(ValueError, match="num_envs must be a whole number >= 1, got 0"): WorldVecEnv(m, segs, 0, 2)
  with pytest.raises(gym.error.ResetNeeded): WorldSim(m, segs, 2).step(np.zeros(2))
  venv = WorldVecEnv(m, segs, 2, 2)
  with pytest.raises(gym.error.ResetNeeded): venv.step(np.zeros((2, 2)))
  with pytest.raises(ValueError, match="seed must be an int or 2 ints"): venv.reset(seed=1.5)
  with pytest.raises(ValueError, match=r"segment must be \(2,\), got shape \(\)"): venv.reset(seed=0, options={"segment": 1})
  WorldSim(m, segs, 2, temperature=0, top_k=0).reset(seed=0)  # greedy sampling is fine
  given = {"segment": np.array([1, 0]), "start": np.array([0, 1])}   # session 46: the info held the caller's own arrays
  _, info = venv.reset(seed=0, options=given)
  given["segment"][0], given["start"][0] = 0, 5
  assert info["segment"].tolist() == [1, 0] and info["start"].tolist() == [0, 1]

def test_short_segments_float_options_and_render_copies(sim_parts):
  """From a review of sim/: a segment too short for a seed, among long ones, was drawn by reset for some seeds, which
  then failed (a vector env's autoreset too, mid-training); reset(options={"start": 2.5}) seeded from frame 2 and said
  2.5; a float or out-of-range segment raised a bare TypeError/IndexError; render() handed out the observation's own
  frame, so drawing on it changed what the agent held."""
  from drivegpt.models.vqvae import VQVAE, VQVAEConfig
  from sim.world_sim import WorldSim, WorldVecEnv
  from sim.rollout import TokenDecoder
  m, segs = sim_parts
  mixed = segs[:2] + [Segment("short", segs[2].tokens[:4], segs[2].pose[:4])]   # a seed at stride 2 needs 5 frames
  env = WorldSim(m, mixed, 2, max_steps=2)
  assert {env.reset(seed=s)[1]["segment"] for s in range(16)} == {0, 1}
  venv = WorldVecEnv(m, mixed, 4, 2, max_steps=1)
  for s in range(6):
    venv.reset(seed=s)
    venv.step(np.zeros((4, 2), np.float32)); venv.step(np.zeros((4, 2), np.float32))   # the autoreset draws again
  with pytest.raises(ValueError, match="short has 4 frames, a seed at 0 needs 5"): env.reset(options={"segment": 2})
  with pytest.raises(ValueError, match="no segment has the 5 frames a seed needs"): WorldSim(m, mixed[2:], 2)
  for opt, bad in (({"segment": 0, "start": 2.5}, "2.5"), ({"segment": 1.0}, "1.0"), ({"segment": 3}, "3"), ({"segment": True}, "True")):
    with pytest.raises(ValueError, match=f"segment .* and start .*must be whole numbers"): env.reset(options=opt)
  with pytest.raises(ValueError, match="must be whole numbers"): venv.reset(options={"segment": np.zeros(4, int), "start": np.full(4, 1.5)})
  tiny = dict(patch=8, width=8, mults=(1, 2), enc_blocks=0, dec_blocks=1, attention=False, groups=4, code_dim=4)
  renv = WorldSim(m, segs, 2, decoder=TokenDecoder(VQVAE(VQVAEConfig(image_size=(32, 64), n_codes=V, **tiny))), max_steps=3, render_mode="rgb_array")
  obs, _ = renv.reset(seed=0)
  held = obs["frame"].copy()
  renv.render()[:] = 0
  np.testing.assert_array_equal(obs["frame"], held)
  obs["frame"][:] = 0   # and the other way (session 30): an agent drawing on its observation changed what render() showed
  np.testing.assert_array_equal(renv.render(), held)
  with pytest.raises(ValueError): renv.reset(options={"segment": 0, "start": len(segs[0].tokens)})
  import gymnasium
  with pytest.raises(gymnasium.error.ResetNeeded, match="after a failed reset"): renv.render()   # (the old episode's last frame)

def test_a_failed_reset_needs_another_and_the_vector_env_reports_its_seed(sim_parts):
  """A reset refused (a start past the segment's room) left the old, truncated episode stepping on for another max_steps
  with its count at 0 (the vector env skipped its autoreset too); WorldVecEnv.np_random_seed was a random number, not
  the seed it was reset with; the simulator's car reached 60 m/s where highway-env's (the recorder's and the
  evaluation's) stops at 40."""
  import gymnasium as gym
  from highway_env.vehicle.kinematics import Vehicle
  from sim.world_sim import WorldSim, WorldVecEnv, MAX_SPEED
  m, segs = sim_parts
  env = WorldSim(m, segs, 2, max_steps=2)
  env.reset(seed=0); env.step([0.0, 0.0]); env.step([0.0, 0.0])
  with pytest.raises(ValueError): env.reset(options={"segment": 0, "start": len(segs[0].tokens)})
  with pytest.raises(gym.error.ResetNeeded, match="after a failed reset"): env.step([0.0, 0.0])
  env.reset(seed=1)
  assert env.step([0.0, 0.0])[3] is False
  venv = WorldVecEnv(m, segs, 2, 2, max_steps=2)
  venv.reset(seed=5)
  assert venv.np_random_seed == 5
  venv.reset(seed=[3, 8])  # a seed per env: those, as SyncVectorEnv's (a review: it still said 5)
  assert venv.np_random_seed == (3, 8)
  venv.step(np.zeros((2, 2))); venv.step(np.zeros((2, 2)))
  with pytest.raises(ValueError): venv.reset(options={"segment": [0, 0], "start": [len(segs[0].tokens), 0]})
  with pytest.raises(gym.error.ResetNeeded, match="after a failed reset"): venv.step(np.zeros((2, 2)))
  assert venv.reset(seed=6)[0]["tokens"].shape[0] == 2 and not venv.step(np.zeros((2, 2)))[3].any()
  assert MAX_SPEED == Vehicle.MAX_SPEED
  # above it, highway-env holds an acceleration to (MAX_SPEED - speed) per s (a hard clip at 40 cut a real drive's 45 m/s
  # seed to 40 at once): the same speeds and path as its own Vehicle from 45 m/s, speeding up, then braking
  from highway_env.road.road import Road, RoadNetwork
  from sim.world_sim import motion_from_control
  car = Vehicle(Road(RoadNetwork.straight_road_network(1, length=10000)), [0, 0], heading=0, speed=45.0)
  speed, x = np.array([45.0]), 0.0
  for i in range(60):
    a = 4.0 if i < 30 else -1.0
    car.act({"acceleration": a, "steering": 0.0}); car.step(1 / 20)
    mo, speed = motion_from_control(speed, np.array([a]), np.array([0.0]), 1 / 20)
    x += mo[0, 0]
    assert speed[0] == pytest.approx(car.speed, rel=1e-9) and x == pytest.approx(car.position[0], rel=1e-5)
  # a seed of a real drive at 45 m/s keeps its speed (a clip at 40 cut it), and a pose action reports the speed it moves at
  fast = [Segment(g.name, g.tokens, np.tile(np.float32([45 / 20, 0, 0, 0, 0, 0]), (len(g.tokens), 1))) for g in segs]
  env = WorldSim(m, fast, 2, max_steps=3)
  assert env.reset(seed=0)[0]["speed"][0] == pytest.approx(45.0)
  penv = WorldSim(m, fast, 1, action="pose", max_steps=3)
  penv.reset(seed=0)
  assert penv.step(np.float32([2.5, 0, 0, 0, 0, 0]))[0]["speed"][0] == pytest.approx(50.0)

def test_vector_env_rows_are_single_envs_of_seed_plus_index(sim_parts):
  """Env i of WorldVecEnv(seed=s) is WorldSim(seed=s + i), token for token: the vector env drew its starts another way,
  seeded the batch from s alone (a list of seeds became one seed), sampled every row from one stream (a row's tokens
  changed with the rows beside it), and ignored options such as reset_mask."""
  from sim.world_sim import WorldSim, WorldVecEnv
  m, segs = sim_parts
  act = np.array([0.3, 0.004], np.float32)
  def single(seed):
    env = WorldSim(m, segs, 2, max_steps=3)
    obs, info = env.reset(seed=seed)
    return [obs["tokens"]] + [env.step(act)[0]["tokens"] for _ in range(2)], (info["segment"], info["start"])
  venv = WorldVecEnv(m, segs, num_envs=3, frame_stride=2, max_steps=3)
  for seed in (5, [5, 6, 7]):
    obs, info = venv.reset(seed=seed)
    toks = [obs["tokens"]] + [venv.step(np.tile(act, (3, 1)))[0]["tokens"] for _ in range(2)]
    for i in range(3):
      t, where = single(5 + i)
      assert (info["segment"][i], info["start"][i]) == where
      for a, b in zip(toks, t): np.testing.assert_array_equal(a[i], b)
  with pytest.raises(ValueError, match="reset_mask"): venv.reset(options={"reset_mask": np.array([True, False, False])})
  with pytest.raises(ValueError, match=r"seed must be an int or 3 ints \(one per env\), got \[1, 2\]"): venv.reset(seed=[1, 2])

def test_vector_env(sim_parts):
  from sim.world_sim import WorldVecEnv
  m, segs = sim_parts
  env = WorldVecEnv(m, segs, num_envs=4, frame_stride=2, max_steps=2)
  obs, info = env.reset(seed=1)
  assert obs["tokens"].shape == (4, 8) and env.observation_space.contains(obs)
  # the seed frame is the real segment's frame
  for i in range(4): np.testing.assert_array_equal(obs["tokens"][i], segs[info["segment"][i]].tokens[info["start"][i] + 2 * 2])
  truncs = []
  for _ in range(3):
    obs, r, term, trunc, info = env.step(env.action_space.sample())
    assert env.observation_space.contains(obs)
    truncs.append(trunc.all())
  assert truncs == [False, True, False]   # the third call is the autoreset

def test_rollouts_draw_one_stream_each_whatever_the_batching(tmp_path):
  """Each rollout samples from its own stream ([--seed, index]): two rollouts from one start in batches of the same
  seeds were byte-identical, --seed changed nothing, and a rollout depended on the rollouts batched with it (--actors)."""
  from sim.rollout import Rollouts, pick_seeds
  toks = make_tokens(tmp_path / "tok")
  tw.main(tiny_args(toks, tmp_path / "w", "steps=1"))
  R = Rollouts(str(tmp_path / "w"), None, toks, "all", temperature=1.0)
  seeds, steps, _ = pick_seeds(toks, str(tmp_path / "w"), 2, 0.3, "all", 0)
  same = [seeds[0], seeds[0]]
  r = R.run(same, steps, "left", 0.01, [[0, 0], [0, 1]])
  both = r["generated"]
  # (rollouts.json names them: the first context frame is a stride after the seed's start, as WorldRollouts.reset reads)
  assert r["seeds"] == [{"segment": R.segs[seeds[0][0]].name, "first_context_frame": seeds[0][1] + R.cfg.data.frame_stride}] * 2
  # the real continuation starts K frames on from the first context frame: its first real frame is that one's + K strides
  st, K = R.cfg.data.frame_stride, R.model.config.frames
  np.testing.assert_array_equal(R.run(same[:1], 1, "left", 0.01, [[0, 0]])["real"][0, 0], R.segs[seeds[0][0]].tokens[seeds[0][1] + K * st])
  assert not np.array_equal(both[0], both[1])                                                   # one start, two rollouts
  np.testing.assert_array_equal(R.run(same[1:], steps, "left", 0.01, [[0, 1]])["generated"][0], both[1])  # batched or not
  assert not np.array_equal(R.run(same[:1], steps, "left", 0.01, [[7, 0]])["generated"][0], both[0])    # another --seed

def test_rollout_with_a_vqvae_of_too_few_codes_is_one_error(tmp_path, capsys):
  """The check runs on the Ray actor: it killed the actor and the command ended in Ray's ActorDiedError traceback, exit 1."""
  from drivegpt.cli import main as cli
  from drivegpt.models.vqvae import VQVAE
  from train.vqvae import TrainConfig as VQConfig
  toks = make_tokens(tmp_path / "tok")
  tw.main(tiny_args(toks, tmp_path / "w", "steps=1"))
  vq = build(VQConfig, {"out": str(tmp_path / "vq"), "model": {"image_size": [32, 64], "patch": 4, "width": 8, "mults": [1, 2, 4], "enc_blocks": 0,
                                                              "dec_blocks": 0, "attention": False, "groups": 4, "code_dim": 8, "n_codes": V // 2}})
  os.makedirs(tmp_path / "vq")
  save_checkpoint(str(tmp_path / "vq" / "ckpt.safetensors"), VQVAE(vq.model), None, 0, to_dict(vq))
  (tmp_path / "o").mkdir()
  (tmp_path / "o" / ".rollout_3.mp4.tmp.mp4").write_bytes(b"a killed run's half video")   # left by a kill in write_mp4
  for name in ("rollout_0.mp4", "rollout_0_tokens.npy", "rollout_0_tokens.tokenizer.json", "rollouts.json", "rollout_best.mp4"): (tmp_path / "o" / name).write_bytes(b"an earlier run's")
  code = cli(["rollout", "--world", str(tmp_path / "w"), "--vqvae", str(tmp_path / "vq"), "--shards", toks, "--out", str(tmp_path / "o"),
              "--n", "1", "--seconds", "0.3", "--split", "all", "--actors", "1"])
  assert code == 2 and f"{V // 2} codes, but --world" in capsys.readouterr().err.splitlines()[-1]
  from drivegpt.nn import state   # a failed rollout lets go of --out (session 51: a shell's rollout there was told "a run is already going on")
  assert os.path.realpath(tmp_path / "o") not in state._LOCKS
  assert not (tmp_path / "o" / ".rollout_3.mp4.tmp.mp4").exists()   # a re-run with a smaller --n kept it (the report showed it)
  # an earlier run's rollouts and its rollouts.json: a run cut short left them beside its own, the report describing them;
  # since session 52 a failed run puts the earlier finished run's back as they were, and none of its own
  assert sorted(p.name for p in (tmp_path / "o").iterdir() if p.name != ".lock") == ["rollout_0.mp4", "rollout_0_tokens.npy", "rollout_0_tokens.tokenizer.json", "rollout_best.mp4", "rollouts.json"]
  assert all(p.read_bytes() == b"an earlier run's" for p in (tmp_path / "o").iterdir() if p.name != ".lock")

def test_steering_a_world_model_without_pose_input_is_refused(tmp_path, capsys):
  """rollout --steer left on a model trained on tokens without poses: exit 0, the left rollouts the unsteered ones; the
  warning was given in the Ray actors only, never shown. Refused before any Ray starts; replay still runs."""
  from drivegpt.cli import main as cli
  toks = make_tokens(tmp_path / "tok", pose=False)
  tw.main(tiny_args(toks, tmp_path / "w", "steps=1"))
  capsys.readouterr()
  args = ["rollout", "--world", str(tmp_path / "w"), "--vqvae", str(tmp_path / "vq"), "--shards", toks, "--n", "1", "--seconds", "0.3", "--split", "all", "--actors", "1"]
  for steer in ("left", "right", "straight"):
    with pytest.raises(SystemExit, match="2"): cli(args + ["--out", str(tmp_path / "o"), "--steer", steer])
    assert f"--steer {steer}: --world {tmp_path / 'w'} has no pose input" in capsys.readouterr().err
  assert not (tmp_path / "o").exists()
  # an empty folder is named by the option that gave it (it said data.tokens, a key of train-world's)
  from sim.rollout import pick_seeds
  (tmp_path / "empty").mkdir()
  with pytest.raises(ValueError, match=f"--shards: no token files .* under {tmp_path / 'empty'}"): pick_seeds(str(tmp_path / "empty"), str(tmp_path / "w"), 1, 0.3, "all", 0)
  with pytest.raises(ValueError, match=f"--tokens: no token files .* under {tmp_path / 'empty'}"): tw.eval_world(str(tmp_path / "w"), str(tmp_path / "empty"))

def test_rollout_refuses_a_curvature_it_would_not_read(capsys):
  """Session 40: --curvature under --steer replay or straight was ignored (the same tokens, exit 0)."""
  from sim.rollout import main as rollout_main
  for steer in ("replay", "straight"):
    with pytest.raises(SystemExit) as e:
      rollout_main(["--world", "w", "--vqvae", "v", "--shards", "t", "--out", "o", "--steer", steer, "--curvature", "0.02"])
    assert e.value.code == 2 and f"--steer {steer} doesn't read it" in capsys.readouterr().err
  # (session 40) --out inside --shards: the rollouts' token files were then read as recorded drives
  with pytest.raises(SystemExit) as e:
    rollout_main(["--world", "w", "--vqvae", "v", "--shards", "toks", "--out", "toks/rollouts"])
  assert e.value.code == 2 and "is inside --shards toks" in capsys.readouterr().err

def test_a_second_rollout_into_a_folder_in_use_is_refused(tmp_path):
  """Two rollouts into one --out: the second deleted the first's files past its --n and wrote over the rest, and both
  exited 0 (rollouts.json the second's). A folder in use is refused, naming the process, before anything is touched."""
  import subprocess, sys, time
  from sim.rollout import main as rollout_main
  toks = make_tokens(tmp_path / "tok")
  tw.main(tiny_args(toks, tmp_path / "w", "steps=1"))
  (out := tmp_path / "ro").mkdir()
  (out / "rollout_5.mp4").write_bytes(b"the first run's")
  holder = subprocess.Popen([sys.executable, "-c", f"from pathlib import Path; from train.stage import lock_folder; lock_folder(Path({str(out)!r})); "
                             "print('held', flush=True); import time; time.sleep(60)"], cwd=Path(__file__).resolve().parents[1], stdout=subprocess.PIPE, text=True)
  try:
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(ValueError, match=f"{out}: a run is already going on in this folder \\(pid {holder.pid}\\)"):
      rollout_main(["--world", str(tmp_path / "w"), "--vqvae", str(tmp_path / "vq"), "--shards", toks, "--n", "2", "--seconds", "0.3",
                    "--split", "all", "--out", str(out)])
    assert (out / "rollout_5.mp4").read_bytes() == b"the first run's"
  finally: holder.kill(); holder.wait()

def test_rollout_writes_mp4(tmp_path, capfd):
  """run_rollouts (what each Ray actor runs) with a tiny VQVAE, then the side-by-side MP4."""
  import av
  from drivegpt.models.vqvae import VQVAE
  from train.vqvae import TrainConfig as VQConfig
  from sim.rollout import run_rollouts, write_mp4, side_by_side, pick_seeds, sharpness
  toks = make_tokens(tmp_path / "tok")
  tw.main(tiny_args(toks, tmp_path / "w", "steps=1"))
  vq = build(VQConfig, {"out": str(tmp_path / "vq"), "model": {"image_size": [32, 64], "patch": 4, "width": 8, "mults": [1, 2, 4], "enc_blocks": 0,
                                                              "dec_blocks": 0, "attention": False, "groups": 4, "code_dim": 8, "n_codes": V}})
  Tensor.manual_seed(0)
  os.makedirs(tmp_path / "vq")
  save_checkpoint(str(tmp_path / "vq" / "ckpt.safetensors"), VQVAE(vq.model), None, 0, to_dict(vq))
  seeds, steps, fps = pick_seeds(toks, str(tmp_path / "w"), 2, 0.3, "all", 0)
  assert steps == 3 and fps == 10
  capfd.readouterr()
  assert pick_seeds(toks, str(tmp_path / "w"), 2, 0.25, "all", 0)[1] == 2   # rounded to model frames, said (it wasn't)
  assert "note: --seconds 0.25 is 2 model frames of 0.1 s: 0.2 s" in capfd.readouterr().err
  r = run_rollouts(str(tmp_path / "w"), str(tmp_path / "vq"), toks, seeds, steps, "left", 0.01, 1.0, 0, "all")
  assert r["generated"].shape == (2, 3, 8) and r["generated_frames"].shape == (2, 3, 32, 64, 3) and r["real_frames"].dtype == np.uint8
  # the frame the rollout started from: the last context frame, the one before the real continuation's first
  from sim.rollout import Rollouts
  R = Rollouts(str(tmp_path / "w"), str(tmp_path / "vq"), toks, "all")
  K, st = R.model.config.frames, R.cfg.data.frame_stride
  last_ctx = np.stack([R.segs[i].tokens[b + st * (K - 1)] for i, b in seeds]).astype(np.int32)
  np.testing.assert_array_equal(r["context_frame"], R.decoder(last_ctx))
  np.testing.assert_array_equal(r["real"][:, 0], np.stack([R.segs[i].tokens[b + st * K] for i, b in seeds]))
  write_mp4(tmp_path / "r.mp4", side_by_side(r["generated_frames"][0], r["real_frames"][0]), 10)
  with av.open(str(tmp_path / "r.mp4")) as f:
    frames = [fr.to_ndarray(format="rgb24") for fr in f.decode(video=0)]
  assert len(frames) == 3 and frames[0].shape == (32, 132, 3)
  write_mp4(tmp_path / "r3.mp4", side_by_side(r["generated_frames"][0], r["real_frames"][0]), 20 / 3)  # frame stride 3
  with av.open(str(tmp_path / "r3.mp4")) as f:  # it played at 7 fps (rounded): 5% fast
    assert f.streams.video[0].average_rate == Fraction(20, 3) and len(list(f.decode(video=0))) == 3
  flat, edge = np.full((1, 8, 8, 3), 100, np.uint8), np.zeros((1, 8, 8, 3), np.uint8)
  edge[:, :, 4:] = 255
  assert sharpness(flat)[0] == 0 and sharpness(edge)[0] > 0
  # the one-frame steering check: both yaw sizes, in the training data's stds, each with a finite shift
  from sim.probe import open_loop
  from train.world import load_run
  ol, std = open_loop(str(tmp_path / "w"), str(tmp_path / "vq"), toks, 2), load_run(str(tmp_path / "w"))[1].model.pose_std[5]
  assert sorted(ol) == ["yaw_10std", "yaw_3std"] and ol["yaw_3std"]["yaw_rad"] == pytest.approx(3 * std)
  assert all(np.isfinite(r["right_minus_left_px"]) and abs(r["right_minus_left_px"]) <= 48 for r in ol.values())
  # more seeds than held-out windows: each window once (a window read twice, greedily the same, shrank the stderr)
  capfd.readouterr()
  assert open_loop(str(tmp_path / "w"), str(tmp_path / "vq"), toks, 1000) == open_loop(str(tmp_path / "w"), str(tmp_path / "vq"), toks, 10**6)
  assert "note: --open-loop 1000: only " in capfd.readouterr().err
  # a yaw-augmented copy (tokenize --yaw-copies) is no recording to seed from, on any split (session 51, a review: it
  # became a seed with --split train or all)
  import h5py, shutil
  before = open_loop(str(tmp_path / "w"), str(tmp_path / "vq"), toks, 1000, split="all")
  src = sorted(Path(toks).glob("*.h5"))[0]
  shutil.copy(src, Path(toks) / f"{src.stem}-yaw0.h5")
  with h5py.File(Path(toks) / f"{src.stem}-yaw0.h5", "r+") as h:
    h.attrs["augment"] = json.dumps({"yaw_copy": 0, "amp_px": 5.0})
    h["tokens"][...] = (h["tokens"][...] + 1) % 8   # other tokens: read, they would change the numbers
  assert open_loop(str(tmp_path / "w"), str(tmp_path / "vq"), toks, 1000, split="all") == before
  (Path(toks) / f"{src.stem}-yaw0.h5").unlink()
  # a rollout's token ids and the sidecar rollout writes beside them: import-commavq took them for commaVQ's at 20 fps
  import h5py
  from sim.rollout import tokenizer_side
  from train.tokenize import import_commavq, write_commavq
  from train.world_data import tokenizer_of
  (tmp_path / "ro").mkdir()
  for f in Path(toks).glob("*.h5"):
    with h5py.File(f, "r+") as h: h.attrs["tokenizer"] = json.dumps({"codebook": "f00d"})  # as tokenize writes it
  (tmp_path / "ro" / "rollout_0_tokens.tokenizer.json").write_bytes(tokenizer_side(toks, fps))
  write_commavq(tmp_path / "ro" / "rollout_0_tokens.npy", np.zeros((3, 8, 16), np.int16), flat=True)
  import_commavq(str(tmp_path / "ro"), str(tmp_path / "ro_imp"))
  with h5py.File(tmp_path / "ro_imp" / "rollout_0_tokens.h5") as f, h5py.File(next(Path(toks).glob("*.h5"))) as g:
    assert f.attrs["fps"] == 10 and tokenizer_of(f.attrs) == tokenizer_of(g.attrs) == "codebook f00d", dict(f.attrs)
  # no segment long enough: named, not a frozen real side scored as if it moved
  with pytest.raises(ValueError, match=r"no segment of --split all has the \d+ frames a 1000 s rollout .* use --seconds"):
    pick_seeds(toks, str(tmp_path / "w"), 2, 1000, "all", 0)
  # 17 model frames after 3 of context at stride 2 read frames start .. start + 38 of the 40: starts 0 and 1 (the last
  # was never drawn: the rollout asked for (3 + 17) x 2 frames, stride - 1 more than it reads; a review of span())
  assert sorted({s for _, s in pick_seeds(toks, str(tmp_path / "w"), 60, 1.7, "all", 0)[0]}) == [0, 1]
  with pytest.raises(ValueError, match="no segment of --split all has the 41 frames a 1.8 s rollout .* use --seconds 1.70 or less"):
    pick_seeds(toks, str(tmp_path / "w"), 2, 1.8, "all", 0)

def test_marking_shift_probe():
  """A frame whose content is moved k pixels right reads as a shift of k."""
  from sim.probe import marking_shift
  rng = np.random.default_rng(0)
  base = rng.integers(0, 255, (1, 64, 256, 3)).astype(np.uint8)
  for k in (-17, 0, 9, 30):
    moved = np.roll(base, k, axis=2)
    assert marking_shift(base, moved)[0] == k
  flat = np.full_like(base, 90)  # no texture: no reading (it read as a full -48 px slide)
  assert np.isnan(marking_shift(base, flat)[0]) and np.isnan(marking_shift(flat, flat)[0])
  for k in (48, -48):  # the best match on the search's edge: a slide of 48 px or more, no reading (60 and 80 px on a road read
    assert np.isnan(marking_shift(base, np.roll(base, k, axis=2))[0])  # 48, averaged in as if measured)
  assert marking_shift(base, np.roll(base, 47, axis=2))[0] == 47

def test_held_out_means_never_trained_on_whatever_folder_is_scored(tmp_path, capsys):
  """The split was recomputed on the folder given: with one drive more than the run trained on, `eval-world --split val`
  (and rollout, probe) scored a drive the run had trained on as held out, and re-running train-world on that folder
  resumed and did the same. The run's checkpoint lists the drives it trained on."""
  from train.world_data import split_segments
  make_tokens(tmp_path / "tok", n_seg=10, seed=1, pose=False)   # (with poses, the pose statistics moved too: refused)
  make_tokens(tmp_path / "more", n_seg=11, seed=1, pose=False)  # the same 10 drives and one recorded later
  args = lambda toks: [a for a in tiny_args(toks, tmp_path / "run", "steps=3") if not a.startswith("data.val_fraction")] + ["data.val_fraction=0.1"]  # noqa: E731
  tw.main(args(tmp_path / "tok"))
  trained = {s.name for s in split_segments(load_segments(str(tmp_path / "tok")), "train", 0.1)}
  recomputed = {s.name for s in split_segments(load_segments(str(tmp_path / "more")), "val", 0.1)}
  assert recomputed & trained, "the fixture must move a trained drive into the recomputed held-out split"
  capsys.readouterr()
  ev = tw.eval_world(str(tmp_path / "run"), str(tmp_path / "more"), windows=8, batch_size=4)
  assert ev["segments"] == len(recomputed - trained) and "trained on" in capsys.readouterr().err
  with pytest.raises(ConfigError, match="holds out 1 drive"): tw.main(args(tmp_path / "more"))
  assert tw.main(args(tmp_path / "tok"))["step"] == 3   # the data it trained on: fine
  # resumed on fewer drives: refused too (it went on, its batches and held-out numbers moved), the checkpoint still listing
  # the drives it trained on (a resume on fewer dropped them from the list before that)
  from drivegpt.nn.state import checkpoint_info
  (tmp_path / "fewer").mkdir()
  for f in sorted((tmp_path / "tok").glob("*.h5"))[1:]: os.link(f, tmp_path / "fewer" / f.name)
  with pytest.raises(ConfigError, match="data.tokens holds other segments than this run trained on"):
    tw.main([a for a in args(tmp_path / "fewer") if a != "steps=3"] + ["steps=5"])
  listed = set(checkpoint_info(str(tmp_path / "run" / "ckpt.safetensors"))[2]["train_routes"])
  assert listed >= {s.route or s.name for s in split_segments(load_segments(str(tmp_path / "tok")), "train", 0.1)}

def test_lzma_at_the_model_rate_does_not_see_the_frames_between():
  """Every frame shown twice at 20 Hz: at the model's 10 Hz no frame repeats, so lzma at that rate must cost what the
  10 Hz stream alone costs. Both phases in one lzma input came out at half that (each found its twin in the other)."""
  rng = np.random.default_rng(3)
  segs = []
  for i in range(3):
    once = rng.integers(0, V, (30, 8)).astype(np.int16)
    segs.append(Segment(f"s{i}", np.repeat(once, 2, axis=0), None, f"s{i}"))
  at10 = tw.lzma_bits(segs, 2)
  alone = tw.lzma_bits([Segment(s.name, s.tokens[::2], None, s.route) for s in segs], 1)
  assert abs(at10 / alone - 1) < 0.15 and tw.lzma_bits(segs, 1) < 0.7 * at10, (at10, alone)

def test_lzma_compresses_a_spread_subset_past_its_budget(monkeypatch):
  """eval-world compressed every held-out token twice whatever --windows scored (~0.45 s a commaVQ file: hours for a
  tenth of commaVQ). Past LZMA_BYTES the segments at evenly spaced byte offsets are compressed, each capped at the
  budget: the figure of that subset, exactly; a long segment is as likely as its size (every k-th by count took a tiny
  clip for a folder holding a long drive, a review)."""
  rng = np.random.default_rng(53)
  segs = [Segment(f"s{i}", rng.integers(0, 4 + i, (40, 8)).astype(np.int16), None, f"s{i}") for i in range(9)]
  whole = tw.lzma_bits(segs)
  monkeypatch.setattr(tw, "LZMA_BYTES", 3 * 40 * 8 * 2)   # three segments' bytes: those at offsets 1.5, 4.5, 7.5 segments
  assert tw.lzma_bits(segs) == tw.lzma_bits(segs[1::3]) != whole
  tiny, long = Segment("t", rng.integers(0, 2, (5, 8)).astype(np.int16), None, "t"), Segment("l", rng.integers(0, 16, (1000, 8)).astype(np.int16), None, "l")
  monkeypatch.setattr(tw, "LZMA_BYTES", 100 * 8 * 2)
  assert tw.lzma_bits([tiny, long]) == tw.lzma_bits([Segment("l", long.tokens[:100], None, "l")])   # the long one's first 100 frames

def test_probe_calibration_skips_frames_it_cannot_read(tmp_path):
  """One uniform frame among 60 made the whole calibration (px per rad, correlation) NaN."""
  import hdf5plugin  # noqa: F401
  from sim.probe import calibrate
  rng = np.random.default_rng(0)
  tex, yaw = rng.integers(0, 255, 400), rng.normal(0, 0.01, 60)
  off = np.cumsum(-200 * yaw).round().astype(int)            # the road slides left on a right turn
  fr = np.stack([np.broadcast_to(tex[100 + o:100 + o + 64][None, :, None], (32, 64, 3)) for o in np.r_[0, off[:-1]]]).astype(np.uint8)
  pose = np.zeros((60, 6), np.float32)
  pose[:, 5] = yaw
  for name, blank in (("clean", False), ("blank", True)):
    (tmp_path / name).mkdir()
    frames = fr.copy()
    if blank: frames[30] = 128
    with h5py.File(tmp_path / name / "a.h5", "w") as f:
      f["frames"], f["pose"] = frames, pose
      f.attrs["has_pose"] = True
  clean, blank = calibrate(str(tmp_path / "clean")), calibrate(str(tmp_path / "blank"))
  assert clean["corr"] > 0.5 and clean["pairs_unreadable"] <= 1   # (a pair slid past the search has no reading)
  assert np.isfinite(blank["px_per_rad"]) and blank["pairs_unreadable"] == clean["pairs_unreadable"] + 2 and abs(blank["px_per_rad"] / clean["px_per_rad"] - 1) < 0.2
  # held-out pairs are scored by the training fit (a fresh fit on them, all it did, checked nothing of it)
  assert 0.3 < calibrate(str(tmp_path / "blank"), clean)["r2_of_fit"] <= blank["corr"] ** 2 + 1e-9   # (its own fit's is corr^2)
  assert calibrate(str(tmp_path / "blank"), {**clean, "px_per_rad": -clean["px_per_rad"]})["r2_of_fit"] < 0
  # a review: held-out pairs where the road never slides gave a numpy divide warning and a null R^2, unexplained; a
  # shard without has_pose or poses a bare KeyError; one said to have poses, without them, is named
  (tmp_path / "still").mkdir()
  with h5py.File(tmp_path / "still" / "a.h5", "w") as f: f["frames"], f["pose"] = np.broadcast_to(fr[:1], fr.shape), pose * 0
  import warnings, sim.probe as probe
  with warnings.catch_warnings():
    warnings.simplefilter("error")
    assert calibrate(str(tmp_path / "still"), clean)["r2_of_fit"] is None
  with h5py.File(tmp_path / "still" / "b.h5", "w") as f: f["frames"] = fr
  assert calibrate(str(tmp_path / "still"), clean)["pairs"] == 50   # b.h5, no poses: left out
  with h5py.File(tmp_path / "still" / "b.h5", "a") as f: f.attrs["has_pose"] = True
  with pytest.raises(ValueError, match=r"b\.h5: has_pose is set but the shard has no 'pose' dataset"): calibrate(str(tmp_path / "still"))
  # held-out frames of the training frames' video (a copy under another name) scored the fit on its own pairs
  for name in ("clean", "blank"):
    with h5py.File(tmp_path / name / "a.h5", "a") as f: f.attrs["checksum"] = "sha256:same"
  assert list(probe.videos(str(tmp_path / "clean"))) == ["sha256:same"]

def test_run_split_reads_an_old_checkpoints_routes_as_drives(tmp_path):
  """A checkpoint saved before the 29th session lists a `dongle_time` drive's segments as routes of their own; its
  segments now read as the drive's, so none matched and --split val (eval-world, rollout, probe) scored trained ones."""
  from types import SimpleNamespace as NS
  from train.world import run_split
  from train.world_data import split_segments
  drive = "0123456789abcdef|2018-07-27--06-03-57"
  segs = [Segment(f"s{k}", np.zeros((4, 8), np.int16), None, drive) for k in range(3)] + \
         [Segment(f"o{k}", np.zeros((4, 8), np.int16), None, f"other{k}") for k in range(5)]
  os.makedirs(tmp_path / "run")
  save_checkpoint(str(tmp_path / "run" / "ckpt.safetensors"), NS(), None, 1, {}, extra={"train_routes": ["Chunk_1/0123456789abcdef_2018-07-27--06-03-57/1"]})
  cfg = NS(data=NS(val_fraction=0.5, split_seed=3))   # a split that holds the drive out
  assert {s.name for s in split_segments(segs, "val", 0.5, 3)} >= {"s0", "s1", "s2"}
  assert {s.name for s in run_split(str(tmp_path / "run"), segs, "val", cfg)} == {"o2", "o4"}

def test_held_out_by_drive_like_the_vqvae():
  """World and RL stages split by segment name, so each drive's segments fell on both sides (and into the VQVAE's
  training frames); now by route, with the data loader's rule: the same held-out drives."""
  from train.world_data import split_segments
  from data.dataset import split_segments as loader_split
  rng = np.random.default_rng(6)
  routes = [f"drv{i}|2018-01-0{i}--00-00-00" for i in range(5)]
  segs = [Segment(f"{r}/{k}", rng.integers(0, V, (10, 8)).astype(np.int16), None, r) for r in routes for k in range(3)]
  val, train = split_segments(segs, "val", 0.4, 3), split_segments(segs, "train", 0.4, 3)
  assert {s.route for s in val}.isdisjoint(s.route for s in train) and len(val) + len(train) == len(segs)
  assert {s.route for s in val} == set(loader_split(routes, "val", 0.4, 3, routes)) and len({s.route for s in val}) == 2

def test_world_stage_imports_with_bench_on_the_path():
  """bench/ has a data.py of its own and a bench script puts bench/ first on sys.path: a top-level `from data...` in
  the world stage's modules found that file (bench/sim.py died with ModuleNotFoundError: 'data' is not a package)."""
  import subprocess, sys
  root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
  code = f"import sys; sys.path.insert(0, {os.path.join(root, 'bench')!r}); import train.world, rl.data"
  r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root, timeout=120)
  assert r.returncode == 0, r.stderr[-1000:]

@pytest.mark.parametrize("argv", [["scaling.py", "--batch", "0"], ["data.py", "--height", "-1"], ["ingest_stream.py", "--sizes", "-5"],
                                  ["export.py", "--ckpt", "/nonexistent"]])
def test_bench_scripts_name_a_bad_argument(argv):
  """Session 46 (a CLI review): a bad bench argument was a traceback from deep inside (negative dimensions, a reshape)."""
  import subprocess, sys
  root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
  r = subprocess.run([sys.executable, os.path.join(root, "bench", argv[0]), *argv[1:]], capture_output=True, text=True, cwd=root, timeout=120)
  assert r.returncode == 2 and "error: " in r.stderr and argv[-2] in r.stderr and "Traceback" not in r.stderr, r.stderr[-1000:]

def test_a_diverged_run_stops_with_one_line(tmp_path, capsys):
  """lr=inf passed every range check and a run trained on to NaN weights, exit 0 (then exported a NaN policy): inf is
  refused by name, a loss that is not finite stops the run, and the CLI says either in one line, as it does an output
  path that is a file (a FileExistsError traceback)."""
  from drivegpt.cli import main as cli
  from train.stage import Run
  toks = make_tokens(tmp_path / "tok")
  assert cli(["train-world", *tiny_args(toks, tmp_path / "w", "steps=1", "lr=inf")]) == 2
  assert "lr: must be a finite number, got inf" in capsys.readouterr().err
  run = Run(str(tmp_path / "r"), load_config(tw.TrainConfig, overrides=[f"data.tokens={toks}"]))
  run.log(1, loss_bits=2.5)
  with pytest.raises(FloatingPointError, match=r"loss_bits is nan at step 2: training diverged"): run.log(2, loss_bits=float("nan"))
  # (session 34) the held-out bits per token too: a last update to 1e30 weights exited 0 with "val_bits_per_token": null
  with pytest.raises(FloatingPointError, match=r"val_bits_per_token is inf at step 3"): run.log(3, val_bits_per_token=float("inf"))
  (tmp_path / "afile").write_text("")
  assert cli(["train-world", *tiny_args(toks, tmp_path / "afile" / "sub", "steps=1")]) == 2
  assert "a folder above it is a file, not a folder" in capsys.readouterr().err  # (it said "Not a directory")

def test_sampling_and_window_arguments_are_checked(capsys):
  """--temperature nan sampled token 0 everywhere, -1 was greedy, --top-k -5 meant all; --windows 0 printed no bits:
  each is now the parser's error (exit 2), before any model or data is read."""
  from drivegpt.cli import main as cli
  for argv in (["rollout", "--world", "w", "--vqvae", "v", "--shards", "t", "--out", "o", "--temperature", "nan"], ["rollout", "--world", "w", "--vqvae", "v", "--shards", "t", "--out", "o", "--top-k", "-5"],
               ["rollout", "--world", "w", "--vqvae", "v", "--shards", "t", "--out", "o", "--seconds", "inf"],
               ["rollout", "--world", "w", "--vqvae", "v", "--shards", "t", "--out", "o", "--n", "0"], ["eval-world", "--ckpt", "w", "--tokens", "t", "--windows", "0"],
               ["eval-world", "--ckpt", "w", "--tokens", "t", "--batch-size", "-1"]):   # (it printed "windows": 0 and no bits)
    with pytest.raises(SystemExit) as e: cli(argv)
    assert e.value.code == 2, argv
  err = capsys.readouterr().err
  assert "--temperature must be >= 0" in err and "--top-k must be >= 0" in err and "--seconds must be positive" in err and "--windows: must be an integer >= 2, got '0'" in err
  assert "--batch-size: must be an integer >= 1, got '-1'" in err
  from drivegpt.models.world import sample_logits
  with pytest.raises(ValueError, match="temperature must be >= 0"): sample_logits(np.zeros((1, 4)), float("nan"), 0, np.random.default_rng(0))

def test_a_new_run_drops_the_rows_of_an_attempt_killed_before_its_first_checkpoint(tmp_path):
  """They stayed in metrics.jsonl (and loss.png) beside the new run's, even when it ran with another lr."""
  toks = make_tokens(tmp_path / "tok")
  out = tmp_path / "w"
  out.mkdir()
  (out / "metrics.jsonl").write_text("".join(json.dumps({"step": s, "loss_bits": 99.0}) + "\n" for s in (1, 2, 3)))
  tw.main(tiny_args(toks, out, "steps=2", "ckpt_every=5"))
  rows = [json.loads(l) for l in (out / "metrics.jsonl").read_text().splitlines()]
  assert rows and all(r.get("loss_bits") != 99.0 for r in rows)

def test_a_run_folder_is_used_by_one_process_at_a_time(tmp_path):
  """A second process given the same out= wrote the same checkpoint and metrics as the first (each overwriting the
  other's, the rows interleaved): it is refused, naming the holder; a killed run's temp files are removed on resume."""
  import subprocess, sys, textwrap
  from train.stage import Run
  out = tmp_path / "r"
  out.mkdir()
  (out / ".ckpt.safetensors.0a1b2c.tmp").write_bytes(b"half a checkpoint")   # a kill -9 mid-save left these
  (out / ".metrics.jsonl.3d4e.tmp").write_text("")
  holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
    import sys, time
    from train.stage import Run
    from train.world import TrainConfig
    Run({str(out)!r}, TrainConfig())
    print("holding", flush=True)
    time.sleep(60)""")], stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[1])
  try:
    assert holder.stdout.readline().strip() == "holding"
    assert not list(out.glob(".*.tmp"))
    with pytest.raises(ValueError, match=rf"{out}: a run is already going on in this folder \(pid {holder.pid}\)"):
      Run(str(out), tw.TrainConfig())
  finally:
    holder.kill(); holder.wait()
  run = Run(str(out), tw.TrainConfig())   # its holder gone, the folder is free
  run.log(1, loss_bits=1.0)
  assert Run(str(out), tw.TrainConfig()).dir == out   # one process may open its own folder again (a resume in-process)

def test_a_tokens_folder_mixing_tokenizers_or_poses_is_refused(tmp_path):
  """Token shards of two VQVAEs (other codebooks: an id means another code) in one folder trained a world model without a
  word, and a folder where some segments had no poses scored a pose-conditioned model without them."""
  from train.world_data import load_segments
  toks = make_tokens(tmp_path / "tok")
  for i, cb in enumerate(["aaaa", "aaaa", "bbbb", "aaaa"]):
    with h5py.File(f"{toks}/seg{i}.h5", "a") as f: f.attrs["tokenizer"] = json.dumps({"ckpt": "/x", "model": {}, "codebook": cb})
  with pytest.raises(ValueError, match=r"mixes tokenizers: seg0\.h5 was made by codebook aaaa, seg2\.h5 by codebook bbbb"): load_segments(toks)
  # the folder's fault is said before a segment's ids or grid (which would send the user to change vocab= first)
  with pytest.raises(ValueError, match="mixes tokenizers"): load_segments(toks, vocab=2, tokens_per_frame=999)
  with pytest.raises(ValueError, match="mixes tokenizers"): tw.main(tiny_args(toks, tmp_path / "r", "steps=1"))
  with h5py.File(f"{toks}/seg2.h5", "a") as f: f.attrs["tokenizer"] = json.dumps({"ckpt": "/x", "model": {}})  # from before the hash:
  assert len(load_segments(toks)) == 4                                                                        # not comparable, kept
  np.save(tmp_path / "tok2.npy", np.zeros((5, 8), np.int16))
  toks2 = make_tokens(tmp_path / "tok2")
  os.replace(tmp_path / "tok2.npy", tmp_path / "tok2" / "commavq.npy")  # commaVQ's tokens beside ours (no tokenizer said: fine)
  with pytest.raises(ValueError, match=r"mixes segments with poses and without \(commavq\.npy has none\)"): load_segments(toks2)
  with pytest.raises(ValueError, match=r"mixes segments with poses and without"): load_segments(toks2, tokens_per_frame=999)
  with h5py.File(f"{toks2}/seg0.h5", "a") as f: f.attrs["tokenizer"] = json.dumps({"ckpt": "/x", "model": {}, "codebook": "cccc"})
  with pytest.raises(ValueError, match=r"mixes tokenizers: commavq\.npy was made by commaVQ, seg0\.h5 by codebook cccc"): load_segments(toks2)

def test_empty_token_files_are_left_out_not_a_traceback(tmp_path, capsys):
  """An empty commaVQ .npy raised IndexError (a traceback), an empty token shard (import-commavq writes them) 'cannot
  reshape array of size 0' naming no file; a user's 2048-code commaVQ-shaped tokens were refused for 1024 codes."""
  from train.world_data import load_segments
  toks = make_tokens(tmp_path / "tok", pose=False)
  np.save(tmp_path / "tok" / "empty.npy", np.zeros((0, *GRID), np.int16))
  with h5py.File(tmp_path / "tok" / "empty.h5", "w") as f: f["tokens"] = np.zeros((0, *GRID), np.int16)
  segs = load_segments(toks)
  assert sorted(len(s.tokens) for s in segs) == [0, 0, 40, 40, 40, 40]
  out = tw.main(tiny_args(toks, tmp_path / "r", "steps=1"))
  assert out["step"] == 1
  np.save(tmp_path / "big.npy", np.random.default_rng(0).integers(0, 2048, (30, 8, 16)).astype(np.int16))
  assert load_segments(str(tmp_path / "big.npy"), vocab=2048)[0].tokens.max() >= 1024
  with pytest.raises(ValueError, match=r"token ids must be in \[0, 1024\)"): load_segments(str(tmp_path / "big.npy"), vocab=1024)

def test_a_short_held_out_segment_or_an_empty_split_is_named(tmp_path, capsys):
  """Five long training segments and one short held-out one: 'no segment has the 4 frames a window needs' (there were
  five); eval-world --split val on a run that held nothing out said the same."""
  from train.world_data import load_segments, split_segments
  toks = make_tokens(tmp_path / "tok", n_seg=6)
  [held] = [s.name for s in split_segments(load_segments(toks), "val", 0.1, 4)]
  with h5py.File(tmp_path / "tok" / held, "a") as f:   # the held-out one, cut to 3 frames
    del f["tokens"], f["pose"]
    f["tokens"], f["pose"] = np.zeros((3, *GRID), np.int16), np.zeros((3, 6), np.float32)
  with pytest.raises(ValueError, match=rf"held-out split \(data.val_fraction=0.1.*none of the 1 segments \(the longest 3 frames, {held}"):
    tw.main(tiny_args(toks, tmp_path / "r", "steps=1", "data.val_fraction=0.1", "data.split_seed=4"))
  capsys.readouterr()
  tw.main(tiny_args(toks, tmp_path / "r0", "steps=1", "data.val_fraction=0"))   # the short one left out, and said
  err = capsys.readouterr().err
  assert f"training split: 1 of 6 segments have fewer than the 7 frames a window of 3 frames, stride 2, needs, and are left out: {held}" in err, err
  from drivegpt.nn.state import checkpoint_info
  assert held.split("-")[0] not in str(checkpoint_info(str(tmp_path / "r0" / "ckpt.safetensors"))[2]["train_routes"])
  with pytest.raises(ValueError, match=r"--split val \(the run held none out: data.val_fraction=0; --split all scores every segment\): no segments"):
    tw.eval_world(str(tmp_path / "r0"), toks, split="val", windows=4, batch_size=2)
  from sim.rollout import pick_seeds  # rollout's seeds: "max() arg is an empty sequence"
  with pytest.raises(ValueError, match=r"no segment for --split val \(the world model .*r0 trained on all of them\): use --split train"):
    pick_seeds(toks, str(tmp_path / "r0"), 1, 0.3, "val", 0)

def test_the_same_commavq_file_in_two_folders_is_one_drive(tmp_path, capsys):
  """Copies of one .npy in two folders were two routes: one could be held out while its copy trained."""
  from train.world_data import load_segments, split_segments
  rng = np.random.default_rng(2)
  for i in range(4):
    a = rng.integers(0, V, (30, *GRID)).astype(np.int16)
    for d in ("a", "b"):
      (tmp_path / d).mkdir(exist_ok=True)
      np.save(tmp_path / d / f"seg{i}.npy", a)
  segs = load_segments(str(tmp_path))
  assert sorted(s.name for s in segs) == [f"a/seg{i}.npy" for i in range(4)] and capsys.readouterr().err.count("the same video as") == 4
  val = split_segments(segs, "val", 0.5, 2)
  assert 0 < len(val) < 4

def test_a_run_without_its_config_yaml_is_checked_against_its_checkpoint(tmp_path):
  """config.yaml deleted (or never copied with the checkpoint): the run resumed under any config, lr=0.5 included."""
  toks = make_tokens(tmp_path / "tok")
  tw.main(tiny_args(toks, tmp_path / "r", "steps=3"))
  (tmp_path / "r" / "config.yaml").unlink()
  with pytest.raises(ConfigError, match=r"run was started with lr=0\.001, now 0\.5"): tw.main(tiny_args(toks, tmp_path / "r", "steps=6", "lr=0.5"))
  assert tw.main(tiny_args(toks, tmp_path / "r", "steps=6"))["step"] == 6

def test_data_parallel_replicas_get_the_run_folder_absolute(tmp_path, monkeypatch):
  """A relative out= went to the replicas as typed: each runs in its node's folder (a cluster's `ray start` one), where
  rank 0 wrote the checkpoint the others then failed to read ("No such file or directory: 'runs/vq/ckpt.safetensors'")."""
  import train.parallel as tp
  toks = make_tokens(tmp_path / "tok")
  seen = []
  def fake(make, cfg, *args, **kwargs):
    seen.append(cfg.out)
    raise KeyboardInterrupt
  monkeypatch.setattr(tp, "train_parallel", fake)
  monkeypatch.chdir(tmp_path)
  with pytest.raises(KeyboardInterrupt): tw.main(tiny_args(toks, "rel", "steps=2", "workers=2"))
  assert seen == [str(tmp_path / "rel")]

def test_a_data_parallel_run_restarted_between_rows_logs_the_rows_of_an_unbroken_one(tmp_path, monkeypatch):
  """workers > 1: the driver logs the rows; restarted from a checkpoint between two rows (a replica lost), the next row
  averaged only the steps since the restart; held-out rows come at the checkpoints (eval_every was ignored). train_parallel is faked: it calls log as the real one does, once without
  and once with a restart from the step-3 checkpoint (log_every 2)."""
  import train.parallel as tp
  from drivegpt.models.world import WorldModel
  from drivegpt.nn.state import save_checkpoint
  toks = make_tokens(tmp_path / "tok")
  def fake(restart):
    def train_parallel(make, cfg, workers, steps, ckpt_every, log, ray_address=None, extra=dict, saved=lambda step: None):
      save = lambda step: save_checkpoint(f"{cfg.out}/ckpt.safetensors", WorldModel(cfg.model), None, step=step, config={}, extra=extra())  # noqa: E731
      m = lambda step: {"loss_bits": 5.0 - 0.1 * step * step, "lr": 1e-3}  # noqa: E731
      def run(step):  # as the real one: the driver's log, then rank 0's checkpoint (its extra() from what log kept)
        log(step, m(step))
        if step % ckpt_every == 0 or step == steps: save(step); saved(step)
      save(0)
      log(0, None)
      for step in range(1, 5): run(step)
      if restart:   # a replica lost after step 4: all restart from the checkpoint of step 3, and run step 4 again
        log(3, None)
        run(4)
      for step in (5, 6): run(step)
    return train_parallel
  for i in range(4):  # the run records whose tokens it trained on (a workers > 1 run did not: rollout could not check)
    with h5py.File(f"{toks}/seg{i}.h5", "a") as f: f.attrs["tokenizer"] = json.dumps({"ckpt": "/x", "model": {}, "codebook": "abcd"})
  rows = {}
  for name, restart in (("a", False), ("b", True)):
    monkeypatch.setattr(tp, "train_parallel", fake(restart))
    tw.main(tiny_args(toks, tmp_path / name, "steps=6", "log_every=2", "ckpt_every=3", "workers=2", "eval_every=2"))
    rows[name] = [(r["step"], r["loss_bits"]) for r in map(json.loads, (tmp_path / name / "metrics.jsonl").read_text().splitlines()) if "loss_bits" in r]
    # held-out rows from the first checkpoint at or after each eval_every step (only the final one was logged before)
    val = [r["step"] for r in map(json.loads, (tmp_path / name / "metrics.jsonl").read_text().splitlines()) if "val_bits_per_token" in r]
    assert val == [3, 6], (name, val)
  assert rows["a"] == rows["b"] and [s for s, _ in rows["b"]] == [2, 4, 6]
  assert "abcd" in tw.world_tokenizer(str(tmp_path / "b"))

def test_a_resumed_runs_time_goes_on(tmp_path, monkeypatch):
  """The `time` column and train_seconds of a run resumed after a kill restarted at 0, as if every step had taken only
  the last process's time. Each clock reading here is 10 s after the one before."""
  import types, train.stage
  from drivegpt.nn.state import checkpoint_info
  clock = iter(range(0, 10**6, 10))
  monkeypatch.setattr(train.stage, "time", types.SimpleNamespace(perf_counter=lambda: float(next(clock))))
  toks, real_batch = make_tokens(tmp_path / "tok"), Windows.batch
  def crash(self, i, b):
    if i == 4: raise KeyboardInterrupt
    return real_batch(self, i, b)
  monkeypatch.setattr(Windows, "batch", crash)
  with pytest.raises(KeyboardInterrupt): tw.main(tiny_args(toks, tmp_path / "r", "steps=6"))
  at3 = checkpoint_info(str(tmp_path / "r" / "ckpt.safetensors"))[2]["train_seconds"]
  monkeypatch.setattr(Windows, "batch", real_batch)
  final = tw.main(tiny_args(toks, tmp_path / "r", "steps=6"))
  times = [r["time"] for r in map(json.loads, (tmp_path / "r" / "metrics.jsonl").read_text().splitlines()) if "time" in r]
  assert len(times) == 6 and all(b > a for a, b in zip(times, times[1:])) and times[2] <= at3 < times[3], times
  saved = checkpoint_info(str(tmp_path / "r" / "ckpt.safetensors"))[2]["train_seconds"]
  assert final["train_seconds"] >= round(saved, 1) and saved >= times[-1]
  # run again, finished: nothing trained, nothing added (a re-run's scoring and saving were added each time)
  assert tw.main(tiny_args(toks, tmp_path / "r", "steps=6"))["train_seconds"] == round(saved, 1)
  from train.stage import Run
  from drivegpt.models.world import WorldModel
  from drivegpt.nn.optim import AdamW
  from drivegpt.nn import get_parameters
  cfg = tw.load_config(tw.TrainConfig, str(tmp_path / "r" / "config.yaml"))
  run, model = Run(cfg.out, cfg, may_change=("steps",)), WorldModel(cfg.model)
  assert run.resume(model, AdamW(get_parameters(model))) == 6
  run.progress(6, 6, "test").close()
  run.save(model, None, 6)   # what train-disengage and BC do after their loop: the same time kept
  assert checkpoint_info(str(tmp_path / "r" / "ckpt.safetensors"))[2]["train_seconds"] == saved

def test_resume_and_eval_refuse_tokens_of_another_vqvae(tmp_path):
  """A run resumed on tokens made by another VQVAE (the same drives re-tokenized, so the held-out split check passed)
  went on training on ids of another codebook and relabelled its checkpoint with it; eval-world scored such tokens
  without a word. Both now refuse; tokens whose tokenizer is not recorded are still taken."""
  import shutil
  toks = make_tokens(tmp_path / "tok")
  for name, cb in (("A", "aaaa"), ("B", "bbbb")):
    shutil.copytree(toks, tmp_path / name)
    for i in range(4):
      with h5py.File(tmp_path / name / f"seg{i}.h5", "a") as f: f.attrs["tokenizer"] = json.dumps({"codebook": cb})
  tw.main(tiny_args(tmp_path / "A", tmp_path / "w", "steps=3"))
  assert tw.world_tokenizer(str(tmp_path / "w")) == "codebook aaaa"
  with pytest.raises(ConfigError, match=r"seg\d\.h5 was tokenized by another VQVAE \(codebook bbbb\)"):
    tw.main(tiny_args(tmp_path / "B", tmp_path / "w", "steps=6"))
  assert tw.world_tokenizer(str(tmp_path / "w")) == "codebook aaaa"
  with pytest.raises(ConfigError, match="eval-world --tokens .* another VQVAE"):
    tw.eval_world(str(tmp_path / "w"), str(tmp_path / "B"), split="all", windows=8, batch_size=4)
  assert tw.eval_world(str(tmp_path / "w"), str(tmp_path / "A"), split="all", windows=8, batch_size=4)["segments"] == 4
  # session 44: the envs (WorldSim, WorldVecEnv, the rollouts run_rollouts and the RL env step) seeded a model from
  # load_run with another VQVAE's token ids without a word
  from sim.world_sim import WorldSim, WorldVecEnv
  from train.world_data import load_segments
  model, _ = tw.load_run(str(tmp_path / "w"))
  for name, ok in (("B", False), ("A", True)):
    segs = load_segments(str(tmp_path / name), augmented=False, vocab=V)
    for make in (lambda: WorldSim(model, segs, 2), lambda: WorldVecEnv(model, segs, 2, 2)):
      if ok: make()
      else:
        with pytest.raises(ValueError, match=r"segment seg\d\.h5 was tokenized by another VQVAE \(codebook bbbb\) than the tokens the world model trained on \(codebook aaaa\)"): make()
  # the refused resume left config.yaml naming B and steps 6 (the next resume warned that steps had run on B): it is
  # rewritten with the run's checkpoints only
  assert yaml.safe_load((tmp_path / "w" / "config.yaml").read_text())["data"]["tokens"] == str(tmp_path / "A")
  assert tw.main(tiny_args(tmp_path / "A", tmp_path / "w", "steps=2"))["step"] == 3  # nothing to train (config.yaml said 2)
  assert yaml.safe_load((tmp_path / "w" / "config.yaml").read_text())["steps"] == 3
  # nothing left to train, scored on other settings: stdout and final.json gave numbers metrics.jsonl did not hold
  rows = lambda: [json.loads(l) for l in (tmp_path / "w" / "metrics.jsonl").read_text().splitlines() if "val_bits_per_token" in l]
  n = len(rows())
  tw.main(tiny_args(tmp_path / "A", tmp_path / "w", "steps=3"))
  assert len(rows()) == n  # the same: not logged again
  tw.main(tiny_args(tmp_path / "A", tmp_path / "w", "steps=3", "eval_windows=4"))
  final = json.loads((tmp_path / "w" / "final.json").read_text())
  assert len(rows()) == n + 1 and rows()[-1]["step"] == 3 and rows()[-1]["val_windows"] == final["val_windows"] == 4 \
      and rows()[-1]["val_bits_per_token"] == final["val_bits_per_token"]
  tw.main(tiny_args(toks, tmp_path / "w", "steps=6"))  # tokens that don't say: taken, and the run keeps its label
  assert tw.world_tokenizer(str(tmp_path / "w")) == "codebook aaaa"

def test_a_warmup_as_long_as_the_run_is_reported(tmp_path, capsys):
  """steps=20 under the default warmup of 100: the learning rate ended at a fifth of lr and never decayed, silently."""
  toks = make_tokens(tmp_path / "tok")
  tw.main(tiny_args(toks, tmp_path / "w", "steps=3", "warmup=6"))
  assert "train-world: warmup=6 is not below steps=3: the learning rate ramps only up to 0.0005 (lr=0.001)" in capsys.readouterr().err
  tw.main(tiny_args(toks, tmp_path / "v", "steps=3"))
  assert "warmup=" not in capsys.readouterr().err

def test_paths_to_runs_and_data_are_saved_absolute(tmp_path, monkeypatch):
  """A PPO run saved bc=, disengage=, world= as typed, and later commands read them from *their* working directory:
  export-driving run from another experiment's folder packed that folder's disengagement model. They are absolute now;
  a run saved before (relative paths) resumes, its paths read from the working directory as before, then saved absolute."""
  from rl.train import PPOTrainConfig
  from train.stage import Run
  monkeypatch.chdir(tmp_path)
  cfg = load_config(PPOTrainConfig, None, ["world=runs/w", "tokens=./tok", "disengage=../d", "bc=~/bc", "out=runs/ppo"])
  assert (cfg.world, cfg.tokens, cfg.disengage, cfg.bc, cfg.out) == (str(tmp_path / "runs/w"), str(tmp_path / "tok"), str(tmp_path.parent / "d"),
                                                                       os.path.expanduser("~/bc"), "runs/ppo")
  vq = load_config(VQConfigOf(), None, ["data.shards=sh", "data.val_shards=v"])
  assert (vq.data.shards, vq.data.val_shards) == (str(tmp_path / "sh"), str(tmp_path / "v"))
  old = build(PPOTrainConfig, {"world": "runs/w", "tokens": "tok", "disengage": "d", "bc": "bc", "out": "runs/ppo"})  # as saved before
  Run("runs/ppo", old)
  (tmp_path / "runs/ppo/ckpt.safetensors").write_bytes(b"")
  run = Run("runs/ppo", load_config(PPOTrainConfig, None, ["world=runs/w", "tokens=tok", "disengage=d", "bc=bc", "out=runs/ppo"]))
  assert run.config["bc"] == str(tmp_path / "bc")  # what its checkpoints and config.yaml are written with from here on
  run.write_config()                              # (as its next checkpoint does)
  # the project moved (or mounted elsewhere): its runs resume, their paths at the same places relative to the run folder
  class Nothing: pass
  (tmp_path / "projA").mkdir()
  monkeypatch.chdir(tmp_path / "projA")
  words = ["world=runs/w", "tokens=tok", "disengage=d", "bc=bc", "out=runs/ppo"]
  moving = Run("runs/ppo", load_config(PPOTrainConfig, None, words))
  save_checkpoint(str(moving.ckpt), Nothing(), None, 1, moving.config, extra=moving.extra())
  (tmp_path / "projA").rename(tmp_path / "projB")
  from drivegpt.nn import state
  for f in state._LOCKS.values(): f.close()  # a new process resumes it: this one's locks go
  state._LOCKS.clear()
  monkeypatch.chdir(tmp_path / "projB")
  Run("runs/ppo", load_config(PPOTrainConfig, None, words))
  monkeypatch.chdir(tmp_path)
  # (the resume above saved nothing: config.yaml still says where the run was when it saved, projA)
  with pytest.raises(ConfigError, match=f"run was started with bc='{tmp_path}/projA/bc', now '{tmp_path}/bc'"):
    Run("projB/runs/ppo", load_config(PPOTrainConfig, None, words))  # the same words from another folder: other runs
  (tmp_path / "x").mkdir()
  monkeypatch.chdir(tmp_path / "x")  # the same words from another folder name other runs: refused now
  with pytest.raises(ConfigError, match=f"run was started with bc='{tmp_path}/bc', now '{tmp_path}/x/bc'"):
    Run(str(tmp_path / "runs/ppo"), load_config(PPOTrainConfig, None, ["world=runs/w", "tokens=tok", "disengage=d", "bc=bc", "out=runs/ppo"]))

def VQConfigOf():
  from train.vqvae import TrainConfig
  return TrainConfig

def test_a_run_of_another_kind_is_named_not_an_unknown_key(tmp_path):
  """evaluate --vqvae WORLD_RUN, tokenize --ckpt WORLD_RUN, rollout --world VQVAE_RUN said only "unknown config key ..."."""
  from drivegpt.models.vqvae import VQVAE
  from train.vqvae import TrainConfig as VQConfig, load_tokenizer
  toks = make_tokens(tmp_path / "tok")
  tw.main(tiny_args(toks, tmp_path / "w", "steps=1"))
  vq = build(VQConfig, {"out": str(tmp_path / "vq"), "model": {"image_size": [32, 64], "patch": 4, "width": 8, "mults": [1, 2, 4], "enc_blocks": 0,
                                                              "dec_blocks": 0, "attention": False, "groups": 4, "code_dim": 8, "n_codes": V}})
  os.makedirs(tmp_path / "vq")
  save_checkpoint(str(tmp_path / "vq" / "ckpt.safetensors"), VQVAE(vq.model), None, 0, to_dict(vq))
  assert load_tokenizer(str(tmp_path / "vq"))[1].model.n_codes == V
  with pytest.raises(ConfigError, match=r"w: a train-vqvae run is needed here; it looks like a train-world run \(unknown config key"):
    load_tokenizer(str(tmp_path / "w"))
  with pytest.raises(ConfigError, match=r"vq: a train-world run is needed here; it looks like a train-vqvae run"): tw.load_run(str(tmp_path / "vq"))
  # the simulator at another stride than the run trained at (2): motions of another length, fps said wrong (session 28)
  from sim.world_sim import WorldSim
  from train.world_data import load_segments
  model, segs = tw.load_run(str(tmp_path / "w"))[0], load_segments(str(toks))
  with pytest.raises(ValueError, match="frame_stride 1: the world model was trained at frame stride 2"): WorldSim(model, segs, 1)
  assert WorldSim(model, segs, 2).reset(seed=0)[0]["tokens"].shape[-1] == 8
  conf = yaml.safe_load((tmp_path / "w" / "config.yaml").read_text())  # a run of the right kind that fails to load: its own error
  save_checkpoint(str(tmp_path / "w" / "ckpt.safetensors"), tw.load_run(str(tmp_path / "w"))[0], None, 1, {**conf, "model": {**conf["model"], "bogus": 1}})
  with pytest.raises(ConfigError, match=r"w: model.bogus|w: .*bogus") as e: tw.load_run(str(tmp_path / "w"))
  assert "is needed here" not in str(e.value)

def test_overrides_keep_paths_whole_and_numbers_decimal():
  """key=value overrides are YAML: `out=/runs/a #2` became /runs/a (a comment: another finished run was reused), and
  YAML 1.1 read steps=010 as 8, lr=1:30 as 90, 0x10 as 16, all without a word; a str key given a number crashed."""
  over = [f"data.tokens=/t"]
  cfg = load_config(tw.TrainConfig, None, over + ["out=/runs/a #2", "steps=12", "lr=3e-4", "seed=0"])
  assert (cfg.out, cfg.steps, cfg.lr, cfg.seed) == ("/runs/a #2", 12, 3e-4, 0)
  for q in ('"', "'"):   # quoted, as json.dumps writes a path: YAML's string, without its quotes (a run went into a folder `"`)
    assert load_config(tw.TrainConfig, None, [f"data.tokens={q}/t #1/x{q}", f"out={q}/runs/q #1/w{q}"]).out == "/runs/q #1/w"
    assert load_config(tw.TrainConfig, None, [f"data.tokens={q}/t #1/x{q}", "out=/o"]).data.tokens == "/t #1/x"
  for bad in ("steps=010", "seed=017", "lr=1:30", "lr=0x10", "steps=1_000"):
    with pytest.raises(ConfigError, match="write the number in plain decimal digits"): load_config(tw.TrainConfig, None, over + [bad])
  with pytest.raises(ConfigError, match="ray_address: expected str, got 5"): load_config(tw.TrainConfig, None, over + ["ray_address=5"])
  for word in ("off", "no", "Yes"):  # (said "expected str, got False": YAML 1.1's booleans, unsaid)
    with pytest.raises(ConfigError, match=r"model.pose: expected text, got (True|False) \(YAML reads yes/no/on/off as true or false"):
      load_config(tw.TrainConfig, None, over + [f"model.pose={word}"])
  # (session 35) a cluster address with the default workers=1 trained in one process, never contacting it, exit 0
  with pytest.raises(ConfigError, match=r"ray_address=10\.0\.0\.1:6379: only a data-parallel run \(workers > 1\)"):
    load_config(tw.TrainConfig, None, over + ["ray_address=10.0.0.1:6379"])
  from train.stage import build, to_dict  # (a review of the fix: a saved run's config is rebuilt, not refused: tokenize, the sim)
  assert build(tw.TrainConfig, {**to_dict(load_config(tw.TrainConfig, None, over)), "ray_address": "10.0.0.1:6379"}).ray_address == "10.0.0.1:6379"


def test_config_files_take_numbers_in_decimal_and_merge_keys(tmp_path):
  """A --config file took YAML 1.1's other integers (`steps: 010` trained 8 steps, `ckpt_every: 1:30` saved every 90,
  `seed: 0x10` seeded 16) where the same key=value was refused; a text key keeps such a value as written (`out:
  2024_01`); a `<<: *anchor` merge said "could not determine a constructor", and keys beside it override it."""
  f = tmp_path / "c.yaml"
  for bad, key in (("steps: 010", "steps"), ("ckpt_every: 1:30", "ckpt_every"), ("seed: 0x10", "seed"), ("lr: 1_0.5", "lr"),
                   ("model:\n  d_model: 0x40", "model.d_model")):
    f.write_text(f"data:\n  tokens: /t\n{bad}\n")
    with pytest.raises(ConfigError, match=f"c.yaml: {key}: '.*': write the number in plain decimal digits"): load_config(tw.TrainConfig, str(f))
  f.write_text("data:\n  tokens: /t\nsteps: 12\nlr: 0.0003\nseed: -0\nweight_decay: .5\nout: 2024_01\nmodel: &m\n  d_model: 64\n  n_head: 4\n")
  cfg = load_config(tw.TrainConfig, str(f))
  assert (cfg.steps, cfg.lr, cfg.seed, cfg.weight_decay, cfg.model.d_model, cfg.out) == (12, 3e-4, 0, 0.5, 64, "2024_01")
  f.write_text("data:\n  tokens: /t\nmodel:\n  <<: {d_model: 32, n_head: 2, n_layer: 3}\n  n_layer: 1\n")
  cfg = load_config(tw.TrainConfig, str(f))
  assert (cfg.model.d_model, cfg.model.n_head, cfg.model.n_layer) == (32, 2, 1)
  f.write_text("data:\n  tokens: /t\nmodel:\n  <<: {d_model: 32}\n  n_layer: 1\n  n_layer: 2\n")
  with pytest.raises(ConfigError, match=r"key 'n_layer' appears twice \(line 6\)"): load_config(tw.TrainConfig, str(f))  # (the repeat's line)
  # an override as a file: a text key takes such a value as written (a path 2024_01 was refused as a number)
  cfg = load_config(tw.TrainConfig, None, ["data.tokens=/t", "out=2024_01"])
  assert cfg.out == "2024_01"
  with pytest.raises(ConfigError, match=r"override 'model=\{n_layer: 2, n_layer: 3\}': key 'n_layer' appears twice$"):
    load_config(tw.TrainConfig, None, ["data.tokens=/t", "model={n_layer: 2, n_layer: 3}"])

def test_review_35_empty_paths_tildes_and_keys_given_twice_on_the_command_line(tmp_path, monkeypatch, capsys):
  """Session 35 (a review of hostile paths): steps=2 steps=3 took the last without a word (now said, as argparse's
  last option counts); data.shards= (an unset $SHARDS) and --out "" were the working folder, read or written (a resume from another
  folder trained on that folder's data); --out=~/x made ./~/x (the shell expands ~ only after a space)."""
  from drivegpt.cli import main as cli
  assert load_config(tw.TrainConfig, None, ["data.tokens=/t", "steps=2", "steps=3"]).steps == 3   # the last, said
  assert "note: steps is given twice ('steps=2', then 'steps=3'): the last one counts" in capsys.readouterr().err
  from train.vqvae import TrainConfig as VQConfig
  for key in ("data.shards", "data.val_shards"):
    with pytest.raises(ConfigError, match=f"{key}: empty: give a folder"): load_config(VQConfig, None, [f"{key}="])
  monkeypatch.chdir(tmp_path)
  monkeypatch.setenv("HOME", str(tmp_path / "home"))
  for argv in (["ingest", "raw", "--out", ""], ["export-commavq", "x", "--out", " "], ["eval-vqvae", "--ckpt", "r", "--shards", ""],
               ["tokenize", "--ckpt", "r", "--shards", "s", "--out", ""], ["evaluate", "--check-seeds", ""]):
    with pytest.raises(SystemExit): cli(argv)
    assert "empty: give a file or folder" in capsys.readouterr().err, argv
  assert list(tmp_path.iterdir()) == []   # nothing written into the working folder
  from drivegpt.cli import path_arg
  assert path_arg("~/x") == str(tmp_path / "home" / "x")
  # an allocation numpy can't make (a huge batch_size) was a traceback: named as out of memory
  monkeypatch.setattr("train.world.main", lambda argv: np.empty(1 << 38, np.float32))  # (1 TiB)
  assert cli(["train-world"]) == 2 and "error: out of memory (Unable to allocate" in capsys.readouterr().err
  from drivegpt.demo import load_steps, DEFAULT_CONFIG
  vq = dict(load_steps(DEFAULT_CONFIG, "o", ["vqvae.steps=7"]))["vqvae"]
  assert [a for a in vq if a.startswith("steps=")] == ["steps=7"]   # in place of the config's own (the step refuses two)
  vq = dict(load_steps(DEFAULT_CONFIG, "o", ["vqvae.steps=7", "vqvae.steps=8"]))["vqvae"]
  assert [a for a in vq if a.startswith("steps=")] == ["steps=8"] and "vqvae.steps is given twice" in capsys.readouterr().err

def test_review_43_a_config_or_key_given_twice_and_out_in_demo_overrides(tmp_path, capsys):
  """Session 43 (a review of configs): --config a.yaml --config b.yaml read b.yaml alone (a.yaml's keys dropped without
  a word); model.width=96 'model={width: 48}' took 48 without the note a plain repeat gets; the demo's vqvae.out={out}/v2
  made a folder named {out}; a range check an override failed was blamed on the config file."""
  from drivegpt.cli import main as cli
  (a := tmp_path / "a.yaml").write_text("steps: 7\n")
  (b := tmp_path / "b.yaml").write_text("lr: 0.002\n")
  for argv in (["train-world", "--config", str(a), "--config", str(b), "data.tokens=/t"], ["demo", "--config", str(a), "--config", str(b)]):
    with pytest.raises(SystemExit): cli(argv)
    assert f"--config is given twice ({a}, then {b})" in capsys.readouterr().err
  for over, last in ((["model.n_layer=3", "model={n_layer: 2}"], 2), (["model={n_layer: 2}", "model.n_layer=3"], 3)):
    assert load_config(tw.TrainConfig, None, ["data.tokens=/t", *over]).model.n_layer == last
    assert "note: model.n_layer is given twice" in capsys.readouterr().err
  load_config(tw.TrainConfig, None, ["data.tokens=/t", "model.n_layer=3", "model={d_model: 64}"])
  assert "given twice" not in capsys.readouterr().err   # other keys of the section: no note
  from drivegpt.demo import load_steps, DEFAULT_CONFIG
  vq = dict(load_steps(DEFAULT_CONFIG, "/o", ["vqvae.out={out}/v2"]))["vqvae"]
  assert [a for a in vq if a.startswith("out=")] == ["out=/o/v2"]
  with pytest.raises(ConfigError, match=r"^steps must be >= 1, got 0$"):   # the override's, not the file's
    load_config(tw.TrainConfig, str(Path(__file__).parents[1] / "configs/world-small.yaml"), ["data.tokens=/t", "steps=0"])

def test_a_damaged_config_yaml_falls_back_to_the_checkpoints_copy(tmp_path, capsys):
  """A run folder's config.yaml made invalid YAML was a traceback; a list an AttributeError; empty or cut short "holds a
  unknown run". The checkpoint holds its own copy of the config: the resume uses it, saying so, and ends where an
  unbroken run does."""
  from drivegpt.nn.state import read_safetensors
  a = make_tokens(tmp_path / "a", seed=1)
  tw.main(tiny_args(a, tmp_path / "ref", "steps=4"))
  tw.main(tiny_args(a, tmp_path / "r", "steps=2"))
  good = (tmp_path / "r" / "config.yaml").read_text()
  for text, said in (("model: [unclosed\n", "not valid YAML"), ("- 1\n", "not a mapping"), ("", "empty"), ("".join(good.splitlines(True)[:6]), "cut short?")):
    (tmp_path / "r" / "config.yaml").write_text(text)
    tw.main(tiny_args(a, tmp_path / "r", "steps=2"))
    assert said in capsys.readouterr().err
  tw.main(tiny_args(a, tmp_path / "r", "steps=4"))
  for k, v in read_safetensors(str(tmp_path / "ref" / "ckpt.safetensors"))[0].items():
    np.testing.assert_array_equal(read_safetensors(str(tmp_path / "r" / "ckpt.safetensors"))[0][k], v)

def test_recordings_ingested_from_another_folder_are_known_by_their_videos(tmp_path, capsys):
  """A segment folder's route is its path under the folder ingest was given: the same recordings ingested from ds/ ("rec/7")
  and from ds/rec/ ("7") are other routes, and eval-world, rollout and probe seeds took the trained ones as held out
  (trained_segments 0). Their shards' video checksums tell them."""
  import shutil
  from train.stage import trained_on
  from train.world import run_split
  from train.world_data import load_segments
  a = make_tokens(tmp_path / "a", n_seg=6, seed=2)
  for i, f in enumerate(sorted((tmp_path / "a").glob("*.h5"))):
    with h5py.File(f, "a") as h: h.attrs["route"], h.attrs["checksum"] = f"rec/{i}", f"sha256:{i}"
  tw.main(tiny_args(a, tmp_path / "w", "steps=1", "data.val_fraction=0.5"))
  shutil.copytree(tmp_path / "a", tmp_path / "b")
  for i, f in enumerate(sorted((tmp_path / "b").glob("*.h5"))):
    with h5py.File(f, "a") as h: h.attrs["route"] = str(i)     # as ingested from ds/rec/
  cfg = tw.load_run(str(tmp_path / "w"))[1]
  held = [s.name for s in run_split(str(tmp_path / "w"), load_segments(a), "val", cfg)]   # the run's own held-out segments
  capsys.readouterr()
  got = [s.name for s in run_split(str(tmp_path / "w"), load_segments(str(tmp_path / "b")), "val", cfg)]
  from train.world_data import split_segments
  picked = [s.name for s in split_segments(load_segments(str(tmp_path / "b")), "val", cfg.data.val_fraction, cfg.data.split_seed)]
  assert set(picked) - set(held), (picked, held)    # (the case: b's own split holds out a segment the run trained on)
  assert set(got) <= set(held) and set(got) == set(picked) & set(held), (got, held)   # (before: that segment was "held out")
  segs = load_segments(str(tmp_path / "b"))
  assert trained_on(str(tmp_path / "w"), [s.route for s in segs], [s.video for s in segs]) == 6 - len(held)
  assert trained_on(str(tmp_path / "w"), [s.route for s in segs]) == 0   # (routes alone can't tell)
  from train.stage import trained_videos   # a training shard rewritten since is read again (a cache kept the old checksums)
  before = trained_videos(str(tmp_path / "w"))
  f = sorted((tmp_path / "a").glob("*.h5"))[next(i for i in range(6) if ("v", f"sha256:{i}") in before)]
  with h5py.File(f, "a") as h: h.attrs["checksum"] = "sha256:new"
  assert ("v", "sha256:new") in trained_videos(str(tmp_path / "w")) and len(trained_videos(str(tmp_path / "w"))) == len(before)

def test_commavq_files_renamed_are_known_by_their_tokens_and_nested_ones_keep_the_import_order(tmp_path, capsys):
  """A run trained on commaVQ .npy files: the same files renamed were all "held out" (trained_segments 0: a .npy segment
  carried no checksum, and the training folder's .npy files were not read for theirs). And a nested folder's .npy files
  (p/x.npy, p0/y.npy) were read in another order than their imports (p0_y.h5, p_x.h5): other eval-world numbers."""
  import shutil
  from train.stage import trained_on
  from train.tokenize import import_commavq, export_commavq
  from train.world import run_split
  from train.world_data import load_segments, split_segments
  from train.world_data import token_sum
  rng = np.random.default_rng(5)
  for d in ("a", "b"): (tmp_path / d).mkdir()
  for i in range(6):
    a = rng.integers(0, V, (30, 128)).astype(np.int16)   # (commaVQ's 128 tokens a frame, flat: import-commavq takes them)
    np.save(tmp_path / "a" / f"seg{i}.npy", a)         # a: as export-commavq writes them, with sidecars
    (tmp_path / "a" / f"seg{i}.tokenizer.json").write_text(json.dumps({"route": f"drive{i}", "checksum": f"sha256:video{i}"}))
    np.save(tmp_path / "b" / f"copy{5 - i}.npy", a)    # b: the same files renamed, without them
  import_commavq(str(tmp_path / "b"), str(tmp_path / "ib"))   # ib: b imported (bare: its shards keep the tokens' checksum)
  for train, other in (("a", "b"), ("b", "a"), ("a", "ib"), ("ib", "a"), ("ib", "b")):   # (reviews of the fix: keyed by the
    run = tmp_path / f"w{train}"      # sidecar's checksum alone, a's renamed copies without it were "held out"; an import of
    # a bare .npy was taken for a video of its own)
    if not run.exists(): tw.main(tiny_args(str(tmp_path / train), run, "steps=1", "data.val_fraction=0.5", "model.pose=none", "model.tokens_per_frame=128"))
    cfg = tw.load_run(str(run))[1]
    held = {token_sum(s.tokens) for s in run_split(str(run), load_segments(str(tmp_path / train)), "val", cfg)}
    segs = load_segments(str(tmp_path / other))
    assert trained_on(str(run), [s.route for s in segs], [s.video for s in segs], [s.tokens for s in segs]) == 6 - len(held) > 0
    got = {token_sum(s.tokens) for s in run_split(str(run), segs, "val", cfg)}
    assert got <= held, (got, held)   # (before: trained drives "held out")
  # (a review of the fix: tokens alone matched two drives, each with its video, of the same (covered camera's) tokens)
  (tmp_path / "c").mkdir()
  np.save(tmp_path / "c" / "x.npy", np.load(tmp_path / "a" / "seg0.npy"))
  (tmp_path / "c" / "x.tokenizer.json").write_text(json.dumps({"route": "other", "checksum": "sha256:another video"}))
  segs = load_segments(str(tmp_path / "c"))
  assert trained_on(str(tmp_path / "wa"), [s.route for s in segs], [s.video for s in segs], [s.tokens for s in segs]) == 0
  # ... while a run trained on the bare copies knows the drive by its tokens alone, where it trained on it
  held_b = {token_sum(s.tokens) for s in run_split(str(tmp_path / "wb"), load_segments(str(tmp_path / "b")), "val", tw.load_run(str(tmp_path / "wb"))[1])}
  assert trained_on(str(tmp_path / "wb"), [s.route for s in segs], [s.video for s in segs], [s.tokens for s in segs]) == int(token_sum(segs[0].tokens) not in held_b)
  # the nested order
  for d, n in (("p", 2), ("p0", 2)):
    (tmp_path / "nest" / d).mkdir(parents=True)
    for i in range(n): np.save(tmp_path / "nest" / d / f"x{i}.npy", rng.integers(0, 1024, (20, 128)).astype(np.int16))
  import_commavq(str(tmp_path / "nest"), str(tmp_path / "imp"))
  a, b = load_segments(str(tmp_path / "nest")), load_segments(str(tmp_path / "imp"))
  assert [s.name for s in b] == ["p0_x0.h5", "p0_x1.h5", "p_x0.h5", "p_x1.h5"]
  np.save(tmp_path / "nest" / "p" / "caf\udce9.npy", np.zeros((20, 128), np.int16))   # (a name not UTF-8: a traceback)
  assert "p/caf\udce9.npy" in [s.name for s in load_segments(str(tmp_path / "nest"))]
  for x, y in zip(a, b): np.testing.assert_array_equal(x.tokens, y.tokens)
  # a shard named like a commaVQ pose file: its .npy was left out of every later read
  make_tokens(tmp_path / "t", n_seg=1)
  (tmp_path / "t" / "seg0.h5").rename(tmp_path / "t" / "drive.pose.h5")
  with pytest.raises(ValueError, match=r"drive\.pose\.h5: drive\.pose\.npy would be read as a commaVQ pose file"):
    export_commavq(str(tmp_path / "t"), str(tmp_path / "e"))
  assert not (tmp_path / "e").exists()
  (tmp_path / "afile").write_bytes(b"")   # (session 46: "--out afile holds token shards (afile)")
  with pytest.raises(ValueError, match="--out .*afile: a file, not a folder"): export_commavq(str(make_tokens(tmp_path / "t2", n_seg=1) or tmp_path / "t2"), str(tmp_path / "afile"))

def test_steps_equal_to_those_done_is_nothing_to_train(tmp_path, capsys):
  """A run killed at step 2 of 4, run again with steps=2: the note spoke of a new schedule ("steps 4 -> 2: ... follows the
  new length") though nothing trains, and config.yaml then said steps 4 while final.json said 2."""
  import yaml
  from drivegpt.models.world import WorldModel
  from drivegpt.nn.state import save_checkpoint
  from train.stage import Run
  cfg = load_config(tw.TrainConfig, None, ["data.tokens=/t", f"out={tmp_path / 'r'}", "steps=4", "model.n_layer=1", "model.d_model=16", "model.n_head=2"])
  (tmp_path / "r").mkdir()
  (tmp_path / "r" / "config.yaml").write_text(yaml.safe_dump(to_dict(cfg)))
  save_checkpoint(str(tmp_path / "r" / "ckpt.safetensors"), WorldModel(cfg.model), None, 2, to_dict(cfg))
  cfg.steps = 2
  run = Run(str(tmp_path / "r"), cfg, may_change=("steps",))
  err = capsys.readouterr().err
  assert "steps=2 is not above the 2 it has trained: nothing to train" in err and "follows the new length" not in err
  assert run.config["steps"] == 4

def test_a_run_handed_to_the_other_token_stage_is_named_by_its_weights(tmp_path):
  """BC given a train-disengage folder said "run was started with model.dropout=0.5, now 0.3" (BC's lane_weight, added
  for runs saved before it, made the disengage run look like a BC one); a BC run saved before lane_weight is still BC."""
  from drivegpt.models.policy import DisengageModel, DrivingNetConfig, PolicyNet
  from drivegpt.nn.state import save_checkpoint
  from rl.disengage import DisengageConfig
  from rl.policy import BCConfig, BC_ADDED
  from train.stage import Run
  c = DrivingNetConfig(vocab_size=16, code_dim=4, tokens_per_frame=6, frames=2, embed=2, hidden=8, motions=3, grid=[2, 3], pool=[1, 3])
  cb = np.random.default_rng(1).standard_normal((16, 4)).astype(np.float32)
  (tmp_path / "dis").mkdir(); (tmp_path / "oldbc").mkdir()
  save_checkpoint(str(tmp_path / "dis" / "ckpt.safetensors"), DisengageModel(c, cb), None, 5, to_dict(DisengageConfig(model=c, tokens="t", vqvae="v")))
  old = {k: v for k, v in to_dict(BCConfig(model=c, tokens="t", vqvae="v")).items() if k != "lane_weight"}
  save_checkpoint(str(tmp_path / "oldbc" / "ckpt.safetensors"), PolicyNet(c, cb), None, 5, old)
  bc = BCConfig(model=c, tokens="t", vqvae="v", lr=0.5)
  with pytest.raises(ConfigError, match="holds a train-disengage run, not a train-policy --algo bc one"): Run(str(tmp_path / "dis"), bc, added=BC_ADDED)
  with pytest.raises(ConfigError, match="run was started with lr=.*, now 0.5"): Run(str(tmp_path / "oldbc"), bc, added=BC_ADDED)

def test_overrides_go_on_both_sides_of_config():
  """`train-vqvae steps=1 --config FILE model.width=8` said "unrecognized arguments: model.width=8" (argparse's
  parse_args takes one run of positionals); so did the demo's step.key=value after --out."""
  from train.stage import stage_args
  args = stage_args("x", "", ["steps=1", "--config", "c.yaml", "model.width=8", "out=r"])
  assert args.config == "c.yaml" and args.overrides == ["steps=1", "model.width=8", "out=r"]
  import drivegpt.demo as demo
  seen = []
  demo.run = lambda config, out, overrides, fresh: seen.append((out, overrides))
  try: assert demo.main(["vqvae.steps=2", "--out", "o", "world.steps=3"]) in (0, None)
  finally:
    import importlib; importlib.reload(demo)
  assert seen == [("o", ["vqvae.steps=2", "world.steps=3"])]

def test_a_resume_on_tokens_of_other_poses_names_where_the_key_comes_from(tmp_path):
  """train-world resumed with data.tokens holding other drives was refused over model.pose_mean=[...], a key the user
  never set: the message now says it is the training poses' statistics."""
  a, b = make_tokens(tmp_path / "a", seed=1), make_tokens(tmp_path / "b", seed=2)
  tw.main(tiny_args(a, tmp_path / "r", "steps=1"))
  with pytest.raises(ConfigError, match=r"model\.pose_(mean|std)=.*\n\(model\.pose_mean and model\.pose_std are the training poses' statistics: "
                     f"data.tokens={tmp_path / 'b'} holds other poses"):
    tw.main(tiny_args(b, tmp_path / "r", "steps=2"))

def test_a_resume_on_a_tokens_folder_that_changed_is_refused(tmp_path):
  """A resumed run on a token folder grown by segments without poses (commaVQ files: the pose statistics can't tell) went
  on without a word, its held-out split and batches moved (BC, PPO and train-disengage refused that). And one replaced in
  place by other tokens of the same length."""
  a = make_tokens(tmp_path / "a", pose=False)
  tw.main(tiny_args(a, tmp_path / "r", "steps=3"))
  make_tokens(tmp_path / "more", n_seg=3, seed=5, pose=False)
  for k in range(3): os.replace(tmp_path / "more" / f"seg{k}.h5", tmp_path / "a" / f"new{k}.h5")
  with pytest.raises(ConfigError, match="data.tokens holds other segments than this run trained on|the data now holds out"):
    tw.main(tiny_args(a, tmp_path / "r", "steps=6"))  # (here a drive trained on moved into the held-out split too)
  for k in range(3): os.remove(tmp_path / "a" / f"new{k}.h5")
  tw.main(tiny_args(a, tmp_path / "r", "steps=6"))  # the data as it was: goes on
  make_tokens(tmp_path / "a", seed=9, pose=False)  # the same names and lengths, other tokens
  with pytest.raises(ConfigError, match=f"data.tokens holds other segments than this run trained on"):
    tw.main(tiny_args(a, tmp_path / "r", "steps=9"))

def test_one_held_out_window_says_there_is_no_shuffled_pose_score(tmp_path, capsys):
  """A held-out split of one window: the pose-conditioned run's and eval-world's shuffled-pose scores were left out of
  their JSON without a word (a shuffle swaps poses between windows)."""
  from train.world_data import split_segments
  a = make_tokens(tmp_path / "a")
  (val,) = split_segments(load_segments(a), "val", 0.25)
  with h5py.File(tmp_path / "a" / val.name, "a") as f:  # 7 frames: one window of 3 frames at stride 2
    t, p = f["tokens"][:7], f["pose"][:7]
    del f["tokens"], f["pose"]
    f["tokens"], f["pose"] = t, p
  res = tw.main(tiny_args(a, tmp_path / "r", "steps=1"))
  assert res["val_windows"] == 1 and "val_bits_per_token_shuffled_pose" not in res
  want = "holds 1 window: no shuffled-pose score (poses are swapped between windows)"
  assert f"warning: the held-out split of data.tokens {a} {want}" in capsys.readouterr().err
  tw.eval_world(str(tmp_path / "r"), a, windows=8, batch_size=4)
  assert f"warning: --tokens {a} --split val {want}" in capsys.readouterr().err

def test_pose_statistics_given_on_the_command_are_said_to_be_replaced(tmp_path, capsys):
  """model.pose_mean / pose_std given by a command were replaced by the training poses' statistics without a word; a run's
  own config.yaml handed back (the fitted values) says nothing."""
  import yaml
  a = make_tokens(tmp_path / "a", seed=1)
  tw.main(tiny_args(a, tmp_path / "r", "steps=1", "model.pose_mean=[1,1,1,1,1,1]"))
  err = capsys.readouterr().err
  assert "model.pose_mean and model.pose_std are set from the training poses" in err and "the values given are not used" in err
  saved = yaml.safe_load((tmp_path / "r" / "config.yaml").read_text())["model"]
  assert saved["pose_mean"] != [1.0]*6 and len(saved["pose_mean"]) == 6
  tw.main(tiny_args(a, tmp_path / "r2", "steps=1", f"--config={tmp_path / 'r' / 'config.yaml'}"))
  assert "are set from the training poses" not in capsys.readouterr().err

def test_damaged_token_shards_and_pose_free_tokens_are_named(tmp_path):
  """A flipped byte in a token shard's tokens was read as another token id by eval-world, rollout, BC and PPO without a
  word (frame shards are checksummed, token shards were not); a pose-conditioned model scored commaVQ files (no poses)
  with its pose input left out and printed bits/token; a .npy beside its own imported shard was two drives."""
  from train.tokenize import write_token_shard, import_commavq
  rng = np.random.default_rng(5)
  (tmp_path / "t").mkdir()
  for i in range(3):
    write_token_shard(tmp_path / "t" / f"s{i}.h5", rng.integers(0, V, (40, *GRID)).astype(np.int16),
                      {"pose": rng.normal(0, 1, (40, 6)).astype(np.float32), "speed": rng.uniform(0, 30, 40).astype(np.float32),
                       "action": rng.normal(0, 1, (40, 2)).astype(np.float32), "disengage": np.zeros(40, np.uint8),
                       "disengage_cause": np.zeros(40, np.uint8)}, {"has_pose": True, "route": f"r{i}", "fps": 20.0})
  from rl.data import load_driving_segments
  assert len(load_driving_segments(str(tmp_path / "t"))) == 3
  assert len(load_segments(str(tmp_path / "t"))) == 3
  with h5py.File(tmp_path / "t" / "s1.h5", "r") as f:
    offset = f["tokens"].id.get_chunk_info(0).byte_offset
  with open(tmp_path / "t" / "s1.h5", "r+b") as f:
    f.seek(offset); b = f.read(1); f.seek(offset); f.write(bytes([b[0] ^ 1]))
  with pytest.raises(ValueError, match=r"s1\.h5: not a readable token shard"): load_segments(str(tmp_path / "t"))
  with pytest.raises(ValueError, match=r"s1\.h5: not a readable token shard"): load_driving_segments(str(tmp_path / "t"))
  # a pose-conditioned model, commaVQ files: refused, as rollout and PPO refuse them
  toks = make_tokens(tmp_path / "tok")
  tw.main(tiny_args(toks, tmp_path / "w", "steps=3"))
  (tmp_path / "npy").mkdir()
  for f in sorted(Path(toks).glob("*.h5")):
    with h5py.File(f, "r") as h: np.save(tmp_path / "npy" / f"{f.stem}.npy", h["tokens"][()])
  with pytest.raises(ValueError, match=r"pose-conditioned \(model.pose=.*\) but the segments under .*npy have no poses"):
    tw.eval_world(str(tmp_path / "w"), str(tmp_path / "npy"), split="all", windows=4, batch_size=2)
  # commaVQ files imported into their own folder: each drive once, not twice
  (tmp_path / "cv").mkdir()
  for i in range(2): np.save(tmp_path / "cv" / f"seg{i}.npy", rng.integers(0, 1024, (30, 8, 16)).astype(np.int16))
  import_commavq(str(tmp_path / "cv"), str(tmp_path / "cv"))
  assert len(load_segments(str(tmp_path / "cv"))) == 2

def test_export_commavq_finds_shards_in_subfolders_and_rollout_names_a_wrong_run(tmp_path):
  """export-commavq exported only the top folder's shards (the loaders search recursively); rollout handed a VQVAE run
  as --world said only "unknown config key 'eval_frames'"; import-commavq --fps 20 refused a crash-shortened segment's
  19.999... fps after writing half the folder."""
  from train.tokenize import write_token_shard, export_commavq, import_commavq
  rng = np.random.default_rng(6)
  for rel in ("a.h5", "sub/b.h5", "sub/deeper/c.h5"):
    (tmp_path / "nest" / rel).parent.mkdir(parents=True, exist_ok=True)
    write_token_shard(tmp_path / "nest" / rel, rng.integers(0, 1024, (12, 8, 16)).astype(np.int16), {}, {"route": rel, "fps": 20.0})
  out = export_commavq(str(tmp_path / "nest"), str(tmp_path / "npy"))
  assert sorted(Path(p).name for p in out) == ["a.npy", "sub_b.npy", "sub_deeper_c.npy"]
  write_token_shard(tmp_path / "nest" / "sub_b.h5", rng.integers(0, 1024, (12, 8, 16)).astype(np.int16), {}, {"route": "x", "fps": 20.0})
  with pytest.raises(ValueError, match=r"would both be sub_b\.npy"): export_commavq(str(tmp_path / "nest"), str(tmp_path / "npy2"))
  side = json.loads((tmp_path / "npy" / "a.tokenizer.json").read_text())
  (tmp_path / "npy" / "a.tokenizer.json").write_text(json.dumps({**side, "fps": 19.999999999999996}))
  assert len(import_commavq(str(tmp_path / "npy"), str(tmp_path / "imp"), fps=20)) == 3
  (tmp_path / "npy" / "sub_deeper_c.tokenizer.json").write_text(json.dumps({**side, "fps": 10.0}))
  with pytest.raises(ValueError, match=r"sub_deeper_c\.npy: its \.tokenizer\.json says 10 fps, --fps gives 20"):
    import_commavq(str(tmp_path / "npy"), str(tmp_path / "imp2"), fps=20)
  assert not list((tmp_path / "imp2").glob("*.h5"))  # checked before any was written
  (tmp_path / "npy" / "sub_deeper_c.tokenizer.json").write_text(json.dumps({**side, "fps": "20"}))  # (a TypeError traceback)
  with pytest.raises(ValueError, match=r"sub_deeper_c\.tokenizer\.json: fps must be a positive number, got '20'"):
    import_commavq(str(tmp_path / "npy"), str(tmp_path / "imp3"), fps=20)
  from drivegpt.models.vqvae import VQVAE, VQVAEConfig
  from train.stage import Run
  from sim.rollout import pick_seeds
  from train.vqvae import TrainConfig as VQConfig
  (tmp_path / "vq").mkdir()
  vcfg = build(VQConfig, {"data": {"shards": "x"}, "model": {"image_size": [32, 64], "patch": 8, "width": 8, "mults": [1, 2], "n_codes": V}})
  save_checkpoint(str(tmp_path / "vq" / Run.CKPT), VQVAE(vcfg.model), None, 0, to_dict(vcfg))
  with pytest.raises(ConfigError, match=r"a train-world run is needed here; it looks like a train-vqvae run"):
    pick_seeds(str(tmp_path / "imp"), str(tmp_path / "vq"), 1, 0.3, "all", 0)

def test_check_seeds_refuses_a_folder_that_does_not_exist(tmp_path):
  from rl.evaluate import recorded_seeds
  with pytest.raises(FileNotFoundError, match=r"--check-seeds: .*nowhere does not exist"): recorded_seeds([str(tmp_path / "nowhere")])
  (tmp_path / "d").mkdir(); (tmp_path / "d" / "x.h5").write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 20)
  with pytest.raises(ValueError, match=r"--check-seeds: .*x\.h5: not a readable shard"): recorded_seeds([str(tmp_path / "d")])
  # a real log's shard (no driver.json: its driver attribute is "") has no seed: a JSONDecodeError naming no file (session 28)
  import h5py
  (tmp_path / "e").mkdir()
  for name, driver in (("real.h5", ""), ("rec.h5", '{"seed": 7, "seconds": 1.0}')):
    with h5py.File(tmp_path / "e" / name, "w") as h: h.attrs["driver"] = driver
  assert recorded_seeds([str(tmp_path / "e")], "the tokens") == {7}
  # evaluate --check-seeds on a folder of no recordings (an empty one, real logs), or with no folder: nothing was checked, exit 0
  import rl.evaluate as ev
  (tmp_path / "empty").mkdir()
  for bad in ([str(tmp_path / "empty")], [str(tmp_path / "e"), str(tmp_path / "empty")], []):
    with pytest.raises(SystemExit): ev.main(["--episodes", "1", "--recovery", "0", "--check-seeds", *bad])

def test_a_finished_run_without_its_checkpoint_is_refused_and_changed_steps_are_said(tmp_path, capsys):
  """A finished run whose checkpoint was deleted started again from step 0 and deleted its metrics without a word; a
  finished run given more steps went on, its learning-rate schedule stretched, without a word either."""
  toks = make_tokens(tmp_path / "tok")
  tw.main(tiny_args(toks, tmp_path / "r", "steps=3"))
  capsys.readouterr()
  tw.main(tiny_args(toks, tmp_path / "r", "steps=6"))
  assert "steps 3 -> 6: a learning-rate schedule over steps follows the new length" in capsys.readouterr().err
  (tmp_path / "r" / "ckpt.safetensors").unlink()
  rows = (tmp_path / "r" / "metrics.jsonl").read_text()
  conf = (tmp_path / "r" / "config.yaml").read_text()
  with pytest.raises(ConfigError, match=r"final.json says this run finished, but its checkpoint .*ckpt.safetensors is missing"):
    tw.main(tiny_args(toks, tmp_path / "r", "steps=6", "lr=0.01"))
  assert (tmp_path / "r" / "metrics.jsonl").read_text() == rows and (tmp_path / "r" / "config.yaml").read_text() == conf  # (lr=0.01 was
  # written into it, so the checkpoint put back resumed under the refused command's config)
  (tmp_path / "r" / "final.json").unlink()
  tw.main(tiny_args(toks, tmp_path / "r", "steps=3"))
  assert re.search(r"no checkpoint: training from step 0; the \d+ rows metrics.jsonl held \(to step 6\) are dropped", capsys.readouterr().err)
  (tmp_path / "r" / "metrics.jsonl").unlink()   # the other way: a checkpoint without its rows (resumed without a word)
  tw.main(tiny_args(toks, tmp_path / "r", "steps=6"))
  assert "metrics.jsonl is missing: the rows to step 3 are lost; new ones are written from there" in capsys.readouterr().err

def test_windows_and_pose_stats_against_absolute_poses():
  """Window k's frame f is recorded frame stride + k + f*stride (each window's first frame has a motion into it), its
  pose the motion from the frame stride before it, composed here from absolute poses in float64; pose_stats are over
  those motions only; context noise draws every token id. Gaps a mutation test found: windows without the stride
  offset (every window wrong, the first pose 'standing still'), stats with each segment's zero first motions, noise
  that never drew the last id."""
  from train.world_data import rot_from_axis_angle, axis_angle_from_rot
  rng = np.random.default_rng(0)
  n, stride, F = 30, 2, 3
  pose = np.concatenate([rng.normal([1.0, 0, 0], 0.1, (n, 3)), rng.normal(0, 0.01, (n, 3))], 1).astype(np.float32)
  w = Windows([Segment("s", np.arange(n, dtype=np.int16)[:, None].repeat(4, 1), pose)], F, stride)
  R, t, Rs, ts = np.eye(3), np.zeros(3), [], []
  for i in range(n):   # T_{i+1} = T_i @ step_i
    Rs.append(R); ts.append(t)
    t, R = t + R @ pose[i, :3].astype(np.float64), R @ rot_from_axis_angle(pose[i, 3:])
  def motion(a, b): return np.concatenate([Rs[a].T @ (ts[b] - ts[a]), axis_angle_from_rot(Rs[a].T @ Rs[b])])
  assert len(w) == n - stride * F
  for k in range(len(w)):
    tok, p = w.window(k)
    frames = stride + k + stride * np.arange(F)
    np.testing.assert_array_equal(tok[:, 0], frames)
    np.testing.assert_allclose(p, np.stack([motion(f - stride, f) for f in frames]), atol=1e-5)
  allm = np.stack([motion(f - stride, f) for f in range(stride, n)])
  mean, std = w.pose_stats()
  np.testing.assert_allclose(mean, allm.mean(0), rtol=1e-4, atol=1e-6)
  np.testing.assert_allclose(std, allm.std(0), rtol=1e-3, atol=1e-6)
  noised = tw.noise_context(np.zeros((400, 3, 8), np.int16), 1.0, 4, np.random.default_rng(1))
  assert set(np.unique(noised[:, :-1])) == {0, 1, 2, 3}

def test_probe_calibration_on_frames_that_slide_a_known_amount(tmp_path):
  """sim.probe.calibrate on synthetic frames whose texture slides exactly 400 px per radian of yaw (pose[i] is the
  motion i -> i+1, so frame i has slid by the yaw of poses 0..i-1): 400 px/rad, correlation 1. A yaw sum one frame off
  (a mutation test's survivor) gave 364.5 at 0.91."""
  from sim.probe import calibrate
  rng = np.random.default_rng(0)
  N, H, W, k = 200, 32, 256, 400.0
  d = rng.integers(-2, 3, N)
  pose = np.zeros((N, 6), np.float32); pose[:, 5] = d / k
  cum = np.concatenate([[0], np.cumsum(d)[:-1]])
  base = np.convolve(rng.uniform(0, 255, W + 4), np.ones(3) / 3, "valid")[:W]
  frames = np.stack([np.roll(base, c) for c in cum])[:, None, :, None].repeat(H, 1).repeat(3, 3).astype(np.uint8)
  with h5py.File(tmp_path / "a.h5", "w") as f:
    f["frames"], f["pose"] = frames, pose
    f.attrs["has_pose"] = True
  r = calibrate(str(tmp_path))
  assert abs(abs(r["px_per_rad"]) - k) < 2 and abs(r["corr"]) > 0.99, r
  # session 45: frames of another size than the VQVAE's gave pixels per radian in their own pixels, unsaid
  assert calibrate(str(tmp_path), size=(H, W)) == r
  with pytest.raises(ValueError, match=rf"a\.h5: frames of {H}x{W}, but the VQVAE's are 128x256"): calibrate(str(tmp_path), size=(128, 256))
  # session 41: a shard shorter than the lag (a recording a crash ended) crashed the fit (numpy's "valid" convolution
  # swapped its inputs: one yaw more than shifts); it has no pair and is left out. One yaw for every pair: said
  with h5py.File(tmp_path / "b.h5", "w") as f:
    f["frames"], f["pose"] = frames[:7], pose[:7]
    f.attrs["has_pose"] = True
  assert calibrate(str(tmp_path)) == r
  (tmp_path / "a.h5").unlink(); (tmp_path / "b.h5").unlink()
  with h5py.File(tmp_path / "c.h5", "w") as f:
    f["frames"], f["pose"] = frames, np.full_like(pose, 0.001)
    f.attrs["has_pose"] = True
  with pytest.raises(ValueError, match="every frame pair turns by the same yaw"): calibrate(str(tmp_path))
  held = calibrate(str(tmp_path), fit=r)  # held-out pairs of one yaw: how the training fit does on them, no slope of their own
  assert held["px_per_rad"] is None and np.isfinite(held["r2_of_fit"]) and held["pairs"] > 0
  (tmp_path / "c.h5").unlink()
  with h5py.File(tmp_path / "d.h5", "w") as f:
    f["frames"], f["pose"] = frames[:7], pose[:7]
    f.attrs["has_pose"] = True
  with pytest.raises(FileNotFoundError, match="no frame shards with poses .* longer than 10 frames \\(1 shorter\\)"): calibrate(str(tmp_path))

def test_config_values_a_mutation_test_found_untested():
  """Refused, naming the key: a zero grad_clip or lr, a bool for an integer (steps=true), a dropout of 1 (every unit
  dropped); a path key given as digits is the path text; at_least(1, int) refuses 2.5 and gives ints."""
  from drivegpt.cli import at_least
  import argparse
  for ov, msg in ((["grad_clip=0"], "grad_clip: must be positive"), (["lr=0", "min_lr=0"], "lr: must be positive"),
                  (["steps=true"], "steps: expected an integer, got True"), (["eval_every=true"], "eval_every: expected an integer"),
                  (["model.dropout=1"], "dropout")):
    with pytest.raises(ConfigError, match=msg): load_config(tw.TrainConfig, None, ["data.tokens=/tmp/tok", *ov])
  assert load_config(tw.TrainConfig, None, ["data.tokens=12345"]).data.tokens.endswith("12345")
  with pytest.raises(argparse.ArgumentTypeError): at_least(1, int)("2.5")
  assert at_least(1, int)("3") == 3 and type(at_least(1, int)("3")) is int

def test_review_39_resume_reads_the_checkpoints_config_and_a_finished_run_lets_go_of_its_folder(tmp_path, capsys):
  """Session 39 (a review re-running stages with other settings): a config.yaml edited by hand (batch_size 4 -> 2)
  resumed under its values without a word, the steps so far having run with 4, and the original command was refused
  with a false "run was started with batch_size=2"; a finished run kept its folder locked (and a file open) for the
  rest of the process, so a sweep or a notebook held one per run and another process could not resume it."""
  import subprocess, sys
  from drivegpt.nn.state import checkpoint_info, folder_in_use, _LOCKS
  toks = make_tokens(tmp_path / "tok")
  tw.main(tiny_args(toks, tmp_path / "w", "steps=3"))
  assert os.path.realpath(tmp_path / "w") not in _LOCKS
  # another process can take the finished run's folder while this one goes on (it was "a run is already going on")
  r = subprocess.run([sys.executable, "-c", f"from drivegpt.nn.state import lock_folder; lock_folder({str(tmp_path / 'w')!r}); print('took')"],
                     capture_output=True, text=True, timeout=120)
  assert r.stdout.strip() == "took", r.stderr[-800:]
  assert folder_in_use(tmp_path / "w") is None
  # refused as it opened the run (another config): nothing ran, and the folder stayed held ("a run is still training")
  with pytest.raises(ConfigError): tw.main(tiny_args(toks, tmp_path / "w", "steps=4", "batch_size=2"))
  assert os.path.realpath(tmp_path / "w") not in _LOCKS
  # one that raised after opening its run holds it, and its retry's end let go of nothing (its lock was "already held")
  from train.stage import Run
  cfg = build(tw.TrainConfig, checkpoint_info(str(tmp_path / "w" / "ckpt.safetensors"))[1])
  Run(cfg.out, cfg, may_change=("steps",))
  assert os.path.realpath(tmp_path / "w") in _LOCKS
  assert tw.main(tiny_args(toks, tmp_path / "w", "steps=3"))["step"] == 3 and os.path.realpath(tmp_path / "w") not in _LOCKS
  text = (tmp_path / "w" / "config.yaml").read_text()
  assert "batch_size: 4" in text
  (tmp_path / "w" / "config.yaml").write_text(text.replace("batch_size: 4", "batch_size: 2"))
  capsys.readouterr()
  with pytest.raises(ConfigError, match=r"run was started with batch_size=4, now 2"): tw.main(tiny_args(toks, tmp_path / "w", "steps=6", "batch_size=2"))
  assert "config.yaml: says batch_size=2, its checkpoint was trained with 4: edited by hand?" in capsys.readouterr().err
  assert "batch_size: 4" in (tmp_path / "w" / "config.yaml").read_text()   # (session 52: written back, said once)
  assert tw.main(tiny_args(toks, tmp_path / "w", "steps=6"))["step"] == 6   # the command it was trained with resumes it
  assert checkpoint_info(str(tmp_path / "w" / "ckpt.safetensors"))[1]["batch_size"] == 4
  # (session 52, a review) a config.yaml write that failed after its checkpoint (a full disk) stayed stale for good: a
  # finished run is not saved again, and every run of it warned "edited by hand?"
  (tmp_path / "w" / "config.yaml").write_text((tmp_path / "w" / "config.yaml").read_text().replace("steps: 6", "steps: 3"))
  capsys.readouterr()
  assert tw.main(tiny_args(toks, tmp_path / "w", "steps=6"))["step"] == 6 and "says steps=3" in capsys.readouterr().err
  assert "steps: 6" in (tmp_path / "w" / "config.yaml").read_text()
  assert tw.main(tiny_args(toks, tmp_path / "w", "steps=6"))["step"] == 6 and "config.yaml" not in capsys.readouterr().err

def test_review_39_ppo_given_more_iterations_says_so(tmp_path, capsys):
  """The README says a run given more steps (PPO: iterations) goes on and says so: PPO went on without a word."""
  import yaml
  from drivegpt.nn import Linear
  from drivegpt.nn.state import save_checkpoint
  from rl.train import PPOTrainConfig
  from train.stage import Run
  cfg = load_config(PPOTrainConfig, None, ["world=w", "tokens=t", "disengage=d", "bc=b", f"out={tmp_path / 'p'}", "iterations=2"])
  (tmp_path / "p").mkdir()
  (tmp_path / "p" / "config.yaml").write_text(yaml.safe_dump(to_dict(cfg)))
  save_checkpoint(str(tmp_path / "p" / "ckpt.safetensors"), Linear(2, 2), None, 2, to_dict(cfg))
  cfg.iterations = 3
  Run(str(tmp_path / "p"), cfg, may_change=("iterations",))
  assert "iterations 2 -> 3" in capsys.readouterr().err

def test_review_39_a_run_resaved_unchanged_keeps_its_fingerprint_with_val_routes(tmp_path):
  """Checkpoints list the drives held out (val_routes) since session 39: a run saved before, re-saved unchanged by its
  command run again, got another fingerprint, and a PPO run built on it was refused as built on a changed one."""
  from dataclasses import dataclass
  from drivegpt.nn import Linear
  from drivegpt.nn.state import save_checkpoint
  from train.stage import Run, weights_of
  @dataclass
  class C: steps: int = 5
  m = Linear(3, 2)
  save_checkpoint(str(tmp_path / "ckpt.safetensors"), m, None, step=5, config={"steps": 5}, extra={"train_seconds": 1.0, "run_dir": str(tmp_path), "train_routes": ["a"]})
  before = weights_of(str(tmp_path))
  run = Run(str(tmp_path), C())
  run.check_split(["a"], ["b"])
  run.save(m, None, 5)
  assert weights_of(str(tmp_path)) == before

def test_probe_reports_the_seconds_it_ran(monkeypatch, capsys):
  """Session 44: sim.probe's final line gave --seconds as asked (0.5) where the rollouts ran whole model frames (0.4 s at
  5 model frames a second)."""
  import sim.probe as probe, sim.rollout as ro
  import types, train.vqvae
  monkeypatch.setattr(probe, "calibrate", lambda *a, **k: {"px_per_rad": 400.0})
  import train.stage
  monkeypatch.setattr(train.stage, "run_config", lambda path, cls: types.SimpleNamespace(model=types.SimpleNamespace(image_size=[128, 256]), steps=1))
  monkeypatch.setattr(train.stage, "note_unfinished", lambda *a: 1)
  monkeypatch.setattr(ro, "pick_seeds", lambda tokens, world, n, seconds, split, seed, what: ([(0, 0)] * n, int(round(seconds * 5)), 5.0))
  rng = np.random.default_rng(0)
  monkeypatch.setattr(ro, "run_rollouts", lambda *a: {"context_frame": None, "generated_frames": np.zeros((3, a[4])), "yaw": np.zeros((3, a[4]))})
  monkeypatch.setattr(probe, "marking_shift", lambda ref, frames: rng.normal(0, 1, len(frames)))
  for asked, ran in ((0.5, 0.4), (1.0, 1.0), (0.7, 0.8)):
    res = probe.main(["--world", "w", "--vqvae", "v", "--tokens", "t", "--frames", "f", "--n", "3", "--seconds", str(asked)])
    assert res["seconds"] == pytest.approx(ran) and json.loads(capsys.readouterr().out.strip().splitlines()[-1])["seconds"] == pytest.approx(ran)
  # a review: slides past the +-48 px search read as smaller ones, often of the other sign (a perfect model's left and
  # right at curvature 0.01: -4.5 and -33.5 px), unsaid. Seeds a model turning as the recordings do would slide past it
  # are not read (said), and when none is left the refusal says the curvature that fits
  yaw = {"left": np.array([-0.05, -0.2, -0.05]), "right": np.array([0.05, 0.2, 0.05])}   # 400 px/rad: 20, 80, 20 px
  def turning(*a):
    steps = a[4]
    return {"context_frame": None, "generated_frames": np.zeros((3, steps)), "yaw": np.outer(yaw[a[5]], np.arange(1, steps + 1) / steps)}
  monkeypatch.setattr(ro, "run_rollouts", turning)
  res = probe.main(["--world", "w", "--vqvae", "v", "--tokens", "t", "--frames", "f", "--n", "3", "--seconds", "1"])
  assert res["seeds_unread"] == 1 and "1 of 3 seeds would slide past the probe's +-48 px search" in capsys.readouterr().err
  assert res["recorded_left_minus_right_px"] == pytest.approx(-400 * 0.1)   # the last quarter: the last of 5 frames
  yaw["left"], yaw["right"] = yaw["left"] * 4, yaw["right"] * 4
  with pytest.raises(ValueError, match=r"slides the road up to 320 px .* past the probe's \+-48 px search: give --curvature 0\.00073 or less"):
    probe.main(["--world", "w", "--vqvae", "v", "--tokens", "t", "--frames", "f", "--n", "3", "--seconds", "1"])

def test_env_resets_draw_every_start_alike(sim_parts):
  """Session 44 (a review of the samplers): WorldSim, WorldVecEnv and the RL env drew a segment first, then a start in
  it, so each start of a 12-frame segment came up ~20x as often as one of a 200-frame segment (crash-ended drives are
  the short ones). Every start of every segment is now equally likely (a chi-square against uniform)."""
  from sim.world_sim import WorldSim, WorldVecEnv, draw_starts
  m, segs = sim_parts
  rng = np.random.default_rng(44)
  short, long = (Segment(f"{n}f", rng.integers(0, V, (n, 8)).astype(np.int16), rng.normal(0, 1, (n, 6)).astype(np.float32)) for n in (12, 200))
  rooms = np.array([12 - 5 + 1, 200 - 5 + 1])   # context 2 x stride 2 + 1 = span 5 (start, start + 2, start + 4)
  i, st = draw_starts(rooms, rng, 40000)
  counts = np.bincount(np.where(i == 0, st, rooms[0] + st), minlength=rooms.sum())
  chi2 = ((counts - counts.mean())**2 / counts.mean()).sum()   # against uniform: 201 degrees of freedom, sd 20
  assert st.min() >= 0 and (st < rooms[i]).all() and chi2 < 300, chi2
  env = WorldSim(m, [short, long], 2, max_steps=20)
  assert env.sim.span() == 5   # ((context + 1) x stride = 6 until a helper's review: each segment's last start never drawn)
  resets = [env.reset(seed=k)[1] for k in range(400)]
  seen = [r["segment"] for r in resets]
  assert 0.01 < np.mean(np.array(seen) == 0) < 0.07, np.mean(np.array(seen) == 0)   # 8 of 204 starts: 3.9% (it was 50%)
  assert max(r["start"] for r in resets if r["segment"] == 0) == 12 - 5   # the last start a 12-frame segment has is drawn
  venv = WorldVecEnv(m, [short, long], 2, 2, max_steps=20)
  assert [tuple(venv.reset(seed=k)[1]["segment"]) for k in range(3)] == [(env.reset(seed=k)[1]["segment"], env.reset(seed=k + 1)[1]["segment"]) for k in range(3)]

def test_a_world_run_resumes_whatever_its_shards_speeds(tmp_path):
  """Session 45: load_segments began reading a shard's speed (a rollout's start), and the data digest a run keeps took
  it in: every world run saved before, on shards with CAN speed, was refused its resume ("data.tokens holds other
  segments than this run trained on") with its tokens unchanged. The world model trains on tokens and poses only."""
  toks = make_tokens(tmp_path / "tok")
  rng = np.random.default_rng(45)
  def speeds():
    for f in sorted((tmp_path / "tok").glob("*.h5")):
      with h5py.File(f, "a") as h:
        if "speed" in h: del h["speed"]
        h["speed"], h.attrs["has_can"] = rng.uniform(0, 30, (len(h["tokens"]), 1)).astype(np.float32), True
  speeds()
  tw.main(tiny_args(toks, tmp_path / "r", "steps=2"))
  speeds()   # other speeds (or none read, as before): the same data for the world model
  assert tw.main(tiny_args(toks, tmp_path / "r", "steps=4"))["step"] == 4
  with h5py.File(sorted((tmp_path / "tok").glob("*.h5"))[0], "a") as h: h["tokens"][0, 0, 0] = (h["tokens"][0, 0, 0] + 1) % V
  with pytest.raises(ConfigError, match="holds other segments than this run trained on"): tw.main(tiny_args(toks, tmp_path / "r", "steps=6"))

def test_hostile_sidecars_and_metrics_rows_are_named(tmp_path):
  """Session 45 (a review of files users hand in): a .tokenizer.json with a key twice (a second "fps": 10) was taken
  without a word (the shard imported at 10 fps), one not UTF-8 or nested 10^5 deep was a traceback naming no file; and
  a metrics.jsonl row {"step": null} failed a resume with a TypeError traceback."""
  from train.tokenize import import_commavq
  (src := tmp_path / "npy").mkdir()
  np.save(src / "a.npy", np.random.default_rng(0).integers(0, 1024, (5, 128)).astype(np.int16))
  for text in (b'{"fps": 20, "fps": 10}', b'{"route": "\xe9"}', b"[" * 100000 + b"]" * 100000):
    (src / "a.tokenizer.json").write_bytes(text)
    with pytest.raises(ValueError, match=r"a\.tokenizer\.json: not a tokenizer sidecar: its text (has 'fps' twice|is not valid JSON)"):
      import_commavq(str(src), str(tmp_path / "imp"))
  from train.world_data import tokenizer_of   # (a shard's tokenizer attribute with a codebook twice: the last one compared)
  with pytest.raises(ValueError, match=r"s\.h5: a damaged tokenizer attribute: has 'codebook' twice"): tokenizer_of({"tokenizer": '{"codebook": "a", "codebook": "b"}'}, "s.h5")
  toks = make_tokens(tmp_path / "tok")
  tw.main(tiny_args(toks, tmp_path / "r", "steps=3"))
  with open(tmp_path / "r" / "metrics.jsonl", "a") as f:
    f.write('{"step": null}\n{"step": [1]}\n{"step": 1e400}\n{"step": "2", "loss_bits": 5.0}\n{"loss_bits": 5.0}\n{"step": 2, "loss_bits": "x"}\n')
  assert tw.main(tiny_args(toks, tmp_path / "r", "steps=4"))["step"] == 4
  assert json.loads((tmp_path / "r" / "final.json").read_text())["step"] == 4   # (the curve's drawing had failed after it)
  assert all(json.loads(l)["step"] in (1, 2, 3, 4) for l in (tmp_path / "r" / "metrics.jsonl").read_text().splitlines() if '"step"' in l)

def test_a_ppo_runs_digest_takes_in_speeds_and_accepts_one_saved_before_them(tmp_path):
  """A review of the fix above: leaving speeds out of every token segment's digest let a PPO run (whose episodes start
  at them) resume on shards whose speeds had changed. Its digest takes them in; one it saved before speeds were read
  (tokens and poses only) is still accepted."""
  from train.stage import Run
  from drivegpt.models.world import WorldModel, WorldConfig
  rng = np.random.default_rng(46)
  segs = [Segment(f"s{i}", rng.integers(0, V, (20, 8)).astype(np.int16), rng.normal(0, 1, (20, 6)).astype(np.float32),
                  speed=rng.uniform(0, 30, 20).astype(np.float32)) for i in range(3)]
  cfg = load_config(tw.TrainConfig, overrides=["data.tokens=x"])
  m = WorldModel(WorldConfig(vocab_size=V, tokens_per_frame=8, frames=3, n_layer=1, n_head=1, d_model=8))
  for i, (old, kind) in enumerate(((("tokens", "pose", "speed", "action", "disengage"), None), (("tokens", "pose", "action", "disengage"), "d2-"))):
    run = Run(str(tmp_path / f"r{i}"), cfg)
    run.check_data("tokens", segs, fields=old)   # (d4-: a digest naming fewer fields than PPO's reads now)
    if kind: run._data = kind + run._data.split(":")[1]   # (d2-: as a run saved before session 45 kept it)
    run.save(m, None, 1)
    Run(str(tmp_path / f"r{i}"), cfg).check_data("tokens", segs)     # the same data, or a digest saved before speeds: resumes
  segs[0].speed = segs[0].speed + 1
  with pytest.raises(ConfigError, match="holds other segments"): Run(str(tmp_path / "r0"), cfg).check_data("tokens", segs)
  segs[1].tokens = segs[1].tokens[::-1].copy()   # an old digest still refuses changed tokens
  with pytest.raises(ConfigError, match="holds other segments"): Run(str(tmp_path / "r1"), cfg).check_data("tokens", segs)
  segs[1].tokens = segs[1].tokens[::-1].copy()
  # (a review) BC's lane target, the takeovers' causes and the frame times that join a drive's pieces were not in the
  # digest: changed in place, a BC or disengage run resumed on them without a word
  from rl.data import DrivingSegment
  drv = [DrivingSegment(f"d{i}", rng.integers(0, V, (20, 128)), np.zeros((20, 6)), np.full(20, 10.0), np.zeros((20, 2)),
                        np.zeros(20, np.uint8), np.zeros(20, np.uint8), lane=rng.normal(0, 1, (20, 2)), times=np.arange(20) / 20) for i in range(2)]
  bc = ("tokens", "pose", "speed", "action", "disengage", "times", "ended", "cause", "lane")   # (rl/policy.py's, lane_weight > 0)
  for name, fields in (("bc", bc), ("dis", None)):
    run = Run(str(tmp_path / name), cfg)
    run.check_data("tokens", drv, **({"fields": fields} if fields else {}))
    run.save(m, None, 1)
  run = Run(str(tmp_path / "d3old"), cfg)   # a d3- digest over the first field set it had (a review: refused on the same data)
  run.check_data("tokens", drv, fields=("tokens", "pose", "speed", "action", "disengage"))
  run._data = "d3-" + run._data.split(":")[1]
  run.save(m, None, 1)
  Run(str(tmp_path / "d3old"), cfg).check_data("tokens", drv)
  drv[1].lane = drv[1].lane + 0.1
  with pytest.raises(ConfigError, match="holds other segments"): Run(str(tmp_path / "bc"), cfg).check_data("tokens", drv, fields=bc)
  Run(str(tmp_path / "dis"), cfg).check_data("tokens", drv)   # train-disengage reads no lane (a review: it was refused)
  drv[1].ended = True   # the recorder's crash flag (its labels): a review found it undigested
  with pytest.raises(ConfigError, match="holds other segments"): Run(str(tmp_path / "dis"), cfg).check_data("tokens", drv)
  # (reviews) a "d3-" digest (this session's first kind) is compared as a d4- one on the stage's fields; a hand-edited
  # "d4-" one naming no field this stage reads compared only the count of segments
  for i, data in enumerate(("d3-{h}", "d4-:{h0}", "d4-bogus:{h0}")):
    run = Run(str(tmp_path / f"c{i}"), cfg)
    run.check_data("tokens", segs)
    h = run._data.split(":")[1]
    run.check_data("tokens", [Segment(g.name, g.tokens[:0], None) for g in segs], fields=())
    run._data = data.format(h=h, h0=run._data.split(":")[1])
    run.save(m, None, 1)
    if i == 0: Run(str(tmp_path / "c0"), cfg).check_data("tokens", segs)   # the same data: resumes
  changed = [Segment(g.name, g.tokens[::-1].copy(), g.pose, speed=g.speed) for g in segs]
  for i in range(3):
    with pytest.raises(ConfigError, match="holds other segments"): Run(str(tmp_path / f"c{i}"), cfg).check_data("tokens", changed)
  # (a review: saved now on shards without speeds, then remade with them: the no-speed branch let it through)
  bare = [Segment(g.name, g.tokens, g.pose) for g in segs]
  run = Run(str(tmp_path / "r2"), cfg)
  run.check_data("tokens", bare)
  run.save(m, None, 1)
  with pytest.raises(ConfigError, match="holds other segments"): Run(str(tmp_path / "r2"), cfg).check_data("tokens", segs)
  run = Run(str(tmp_path / "w"), cfg)   # train-world's: speeds train nothing
  run.check_data("tokens", segs, fields=("tokens", "pose"))
  run.save(m, None, 1)
  segs[0].speed = segs[0].speed + 1
  Run(str(tmp_path / "w"), cfg).check_data("tokens", segs, fields=("tokens", "pose"))

def test_an_unfinished_world_run_is_said_where_it_is_used(tmp_path, capsys, monkeypatch):
  """Session 45 (a review feeding stages into each other): rollout and export used a world run killed at step 20 of
  200 without a word, and rollouts.json did not say which run or step made them. note_unfinished says it (PPO's note)."""
  from train.stage import note_unfinished
  toks = make_tokens(tmp_path / "tok")
  tw.main(tiny_args(toks, tmp_path / "w", "steps=3"))
  capsys.readouterr()
  assert note_unfinished(str(tmp_path / "w"), 3, "--world w", "rolled out as it is") == 3 and not capsys.readouterr().err
  assert note_unfinished(str(tmp_path / "w"), 7, "--world w", "rolled out as it is") == 3
  assert "note: --world w stopped at step 3 of its 7 (an unfinished train-world run): rolled out as it is" in capsys.readouterr().err
  # eval-world and tokenize used an unfinished run without a word (a README review); an evaluation of a run still
  # training is said, not refused (its checkpoint is written whole)
  import drivegpt.nn.state as st
  monkeypatch.setattr(st, "folder_in_use", lambda folder: "pid 1" if os.path.realpath(folder) == os.path.realpath(tmp_path / "w") else None)
  tw.eval_world(str(tmp_path / "w"), toks, split="all", windows=4, batch_size=2)
  assert f"note: --ckpt {tmp_path / 'w'} is still training (pid 1): at step 3 of its 3, scored as it is" in capsys.readouterr().err

def test_a_big_folder_is_held_in_one_spill_file(tmp_path, monkeypatch):
  """Past SPILL_AT bytes of token files, load_segments keeps every segment's tokens in one unlinked temp file mapped
  back (train-world held commaVQ's ~30 GB in its own memory, and so did each Ray replica): the same values, read-only,
  views of one mapping, nothing left in the folder; a spill folder that can't be used is named."""
  import train.world_data as wd
  from train.tokenize import write_token_shard
  rng = np.random.default_rng(21)
  for i, n in enumerate((13, 0, 40)): np.save(tmp_path / f"c{i}.npy", rng.integers(0, 1024, (n, 128)).astype(np.int16))
  np.save(tmp_path / "c3.npy", rng.integers(0, 1024, (9, 8, 16)).astype(np.int64))
  write_token_shard(tmp_path / "s.h5", rng.integers(0, 1024, (21, 8, 16)).astype(np.int16), {}, {"checksum": "sha256:s", "has_pose": False})
  monkeypatch.setattr(wd, "SPILL_AT", 1 << 40)
  want = load_segments(str(tmp_path), vocab=1024)
  assert all(s.tokens.flags.writeable for s in want)  # (under SPILL_AT: arrays of their own)
  monkeypatch.setattr(wd, "SPILL_AT", 0)
  monkeypatch.setenv("DRIVEGPT_SPILL_DIR", str(spill := tmp_path / "spill"))
  with pytest.raises(OSError, match=f"can't hold token segments in {spill} .*set DRIVEGPT_SPILL_DIR"): load_segments(str(tmp_path))
  spill.mkdir()
  got = load_segments(str(tmp_path), vocab=1024)
  assert [s.name for s in got] == [s.name for s in want] and len(got) == 5
  for a, b in zip(got, want):
    assert a.tokens.dtype == np.int16 and a.tokens.shape == b.tokens.shape and np.array_equal(a.tokens, b.tokens), a.name
    assert not a.tokens.flags.writeable
  assert len({id(s.tokens.base) for s in got if s.tokens.size}) == 1 and not list(spill.iterdir())
  w = Windows(got, 3, 2, seed=5)
  assert np.array_equal(w.batch(3, 8)[0], Windows(want, 3, 2, seed=5).batch(3, 8)[0])
  made, real = [], wd.tempfile.TemporaryFile   # a load that fails closes its spill file (a notebook's kept traceback held
  monkeypatch.setattr(wd.tempfile, "TemporaryFile", lambda **kw: made.append(real(**kw)) or made[-1])  # the disk it took)
  with pytest.raises(ValueError, match=r"token ids .* outside the model's vocabulary \[0, 1000\)"): load_segments(str(tmp_path), vocab=1000)
  assert len(made) == 1 and made[0].closed
  class Full:  # a disk that fills up while the last writes sit in the file's buffer: it shows at the flush
    def __init__(self, **kw): self.f, self.closed = real(**kw), False
    def write(self, b): return len(b)
    def flush(self): raise OSError(errno.ENOSPC, "No space left on device")
    def fileno(self): return self.f.fileno()
    def close(self): self.closed = True; self.f.close()
  monkeypatch.setattr(wd.tempfile, "TemporaryFile", lambda **kw: made.append(Full(**kw)) or made[-1])
  need = sum(f.stat().st_size for f in tmp_path.iterdir() if f.is_file())
  with pytest.raises(OSError, match=rf"{spill}: can't hold the token segments \(No space left on device after \S+ bytes; their files come to {need:,}\): set DRIVEGPT_SPILL_DIR"):
    load_segments(str(tmp_path))
  assert made[-1].closed

def test_token_checksum_is_the_int64_bytes_in_order():
  """token_sum is stored in import-commavq's shards and compared with .npy files' to find one drive twice: it must stay
  sha256 of the ids as little-endian int64 in C order, whatever the array's dtype, byte order or layout."""
  import hashlib
  from train.world_data import token_sum
  rng = np.random.default_rng(9)
  ids = rng.integers(0, 1024, (7, 128))
  want = "sha256:" + hashlib.sha256(b"".join(int(v).to_bytes(8, "little", signed=True) for v in ids.reshape(-1))).hexdigest()
  for a in (ids.astype(np.int16), ids, ids.astype(">i2"), np.asfortranarray(ids.astype(np.int16)), ids.reshape(7, 8, 16),
            np.repeat(ids, 2, axis=1)[:, ::2]):
    assert token_sum(a) == want, (a.dtype, a.shape, a.flags.c_contiguous)

def test_probe_refuses_held_out_frames_of_the_training_frames_video(tmp_path, monkeypatch, capsys):
  """A review: --val-frames holding a copy of a --frames shard under another name scored the fit on its own pairs
  (R^2 0.994), unsaid; only the same folder was refused."""
  import sim.probe as probe, train.stage, types
  for name in ("a", "b"):
    (tmp_path / name).mkdir()
    with h5py.File(tmp_path / name / f"x{name}.h5", "w") as f:
      f["frames"], f["pose"] = np.zeros((12, 16, 32, 3), np.uint8), np.zeros((12, 6), np.float32)
      f.attrs["has_pose"], f.attrs["checksum"] = True, "sha256:same"
  monkeypatch.setattr(train.stage, "note_unfinished", lambda *a: 1)
  monkeypatch.setattr(train.stage, "run_config", lambda path, cls: types.SimpleNamespace(model=types.SimpleNamespace(image_size=[16, 32]), steps=1))
  monkeypatch.setattr(probe, "calibrate", lambda *a, **k: {"px_per_rad": 1.0, "offset_px": 0.0})
  with pytest.raises(SystemExit):
    probe.main(["--world", "w", "--vqvae", "v", "--tokens", "t", "--frames", str(tmp_path / "a"), "--val-frames", str(tmp_path / "b")])
  assert f"--val-frames {tmp_path / 'b' / 'xb.h5'} holds the video of --frames {tmp_path / 'a' / 'xa.h5'}" in capsys.readouterr().err

def test_an_interrupted_run_lets_go_of_its_folder(tmp_path, monkeypatch):
  """Session 51 (a review of one process running many stages): a run interrupted or failed after it locked its folder
  held it until the process ended: a notebook's next run there, or another process's, was told "a run is already going
  on in this folder (pid N)" with nothing running."""
  from drivegpt.nn import state
  from train.stage import Run
  toks = make_tokens(tmp_path / "tok")
  def stop(self, *a): raise KeyboardInterrupt
  monkeypatch.setattr(Run, "resume", stop)
  with pytest.raises(KeyboardInterrupt): tw.main(tiny_args(toks, tmp_path / "w", "steps=1"))
  assert os.path.realpath(tmp_path / "w") not in state._LOCKS

def test_a_diverged_world_model_with_finite_bits_is_refused(tmp_path, capfd):
  """Session 51 (a review): lr=1000 trained a world model to 15,016,797 held-out bits a token, finite: train-world exited
  0 and eval-world scored it (a uniform guess is log2(vocab) = 5 bits here). Past twice that, both stop."""
  toks = make_tokens(tmp_path / "tok")
  with pytest.raises(FloatingPointError, match=r"diverged"):   # (here past twice a uniform guess's 5 bits; another CPU's rounding may reach inf first)
    tw.main(tiny_args(toks, tmp_path / "w", "steps=20", "lr=1000", "weight_decay=0", "eval_every=100", "ckpt_every=2", "log_every=100"))
  from drivegpt.nn.state import checkpoint_info   # refused before its last checkpoint: rollout and PPO see a run cut short
  assert checkpoint_info(str(tmp_path / "w" / "ckpt.safetensors"))[0] < 20
  tw.main(tiny_args(toks, tmp_path / "ok", "steps=3"))   # a sane run's bits pass
  from train.world import check_bits
  check_bits(10.0, 32, "x")
  with pytest.raises(FloatingPointError, match="x is 10.01, past twice"): check_bits(10.01, 32, "x")
  check_bits(10.01, 32, "held-out", refuse=False)   # held-out bits are said (data unlike the training data, a small vocabulary)
  assert "warning: held-out is 10.01, past twice a uniform guess's 5.00 bits" in capfd.readouterr().err

def test_poses_that_never_change_are_said(tmp_path, capfd):
  """Session 51 (a review): poses all zero trained with pose_std floored at 1e-6, unsaid: a motion fed later (rollout
  steering, PPO) was read 1e6 times outside what the model saw."""
  toks = make_tokens(tmp_path / "tok")
  for f in Path(toks).glob("*.h5"):
    with h5py.File(f, "r+") as h: h["pose"][:, 1:] = 0   # only the forward motion moves
  tw.main(tiny_args(toks, tmp_path / "w", "steps=1"))
  assert "warning: the poses' sideways motion, vertical motion, roll, pitch, yaw never change over the training frames" in capfd.readouterr().err

def test_review_52_a_resume_on_renamed_npy_files_is_refused(tmp_path):
  """The same .npy files renamed (a bare .npy is named by its file) passed the resume checks (same tokens: the digest
  matched; no name trained on now held out): the split by name moved, and the resumed run trained on a drive it had held
  out and scored one it had trained on, exit 0. Fewer drives, or more, under the names it knew still resume."""
  rng = np.random.default_rng(52)
  for d in ("a", "b", "c"): (tmp_path / d).mkdir()
  for i in range(6):
    a = rng.integers(0, V, (30, 128)).astype(np.int16)
    np.save(tmp_path / "a" / f"seg{i}.npy", a)
    np.save(tmp_path / "b" / f"drive{5 - i}.npy", a)
    if i < 5: np.save(tmp_path / "c" / f"seg{i}.npy", a)
  opts = ("data.val_fraction=0.5", "model.pose=none", "model.tokens_per_frame=128")
  tw.main(tiny_args(str(tmp_path / "a"), tmp_path / "run", "steps=1", *opts))
  with pytest.raises(ConfigError, match="holds the frames this run trained on, but names its drives otherwise \\('seg.' is gone, 'drive.' is new"):
    tw.main(tiny_args(str(tmp_path / "b"), tmp_path / "run", "steps=2", *opts))
  with pytest.raises(ConfigError, match="holds other segments"):   # (a drive fewer: refused as other data, not as renamed)
    tw.main(tiny_args(str(tmp_path / "c"), tmp_path / "run", "steps=2", *opts))
  tw.main(tiny_args(str(tmp_path / "a"), tmp_path / "run", "steps=2", *opts))   # the same names: resumes

def test_review_53_a_resume_on_drive_names_swapped_in_place_is_refused(tmp_path):
  """Two files' names swapped, one trained on and one held out: no name gone or new, the same contents, so every check
  passed and the resumed run trained on the drive it had held out (a review). A swap within one side still resumes."""
  from drivegpt.nn.state import checkpoint_info
  toks = make_tokens(tmp_path / "a", n_seg=4, pose=False)
  opts = ("model.pose=none",)
  tw.main(tiny_args(toks, tmp_path / "run", "steps=1", *opts))
  ex = checkpoint_info(str(tmp_path / "run" / "ckpt.safetensors"))[2]
  tr, va = ex["train_routes"], ex["val_routes"]
  assert len(tr) >= 2 and va, (tr, va)
  def swap(x, y):
    os.rename(tmp_path / "a" / x, tmp_path / "a" / "tmp"); os.rename(tmp_path / "a" / y, tmp_path / "a" / x); os.rename(tmp_path / "a" / "tmp", tmp_path / "a" / y)
  swap(tr[0], tr[1])   # within the trained side: the same split of the same data
  tw.main(tiny_args(toks, tmp_path / "run", "steps=2", *opts))
  swap(tr[0], va[0])
  with pytest.raises(ConfigError, match="holds the segments this run trained on, but other ones are held out"):
    tw.main(tiny_args(toks, tmp_path / "run", "steps=3", *opts))
  swap(tr[0], va[0])
  assert tw.main(tiny_args(toks, tmp_path / "run", "steps=3", *opts))["step"] == 3   # as it was: resumes

def test_review_52_no_window_spans_a_gap_in_a_shards_frame_times(tmp_path, capsys):
  """Ingest keeps a drive's frames across missing ones in one shard (said there): a window of frames 2 apart read frames
  3 s apart as 0.1 s apart, and the motion over the gap (47 m) as one step's, unsaid. The shard is read as pieces of one
  drive (a route: the split keeps them together), and no window crosses the gap."""
  from train.world_data import Windows, load_segments
  toks = make_tokens(tmp_path / "tok", n_seg=2, n=60)
  with h5py.File(tmp_path / "tok" / "seg0.h5", "r+") as f: f["frame_times"] = np.arange(60) / 20 + 3.0 * (np.arange(60) >= 30)
  with h5py.File(tmp_path / "tok" / "seg1.h5", "r+") as f: f["frame_times"] = np.arange(60) / 20 + 0.05 * (np.arange(60) >= 30)   # one frame missing: kept
  with h5py.File(tmp_path / "tok" / "seg0.h5") as f: tokens, pose = f["tokens"][()].reshape(60, -1), f["pose"][()]
  segs = load_segments(toks)
  assert "seg0.h5: 1 gap(s) in its frame times (up to 3.05 s" in capsys.readouterr().err
  assert [s.name for s in segs] == ["seg0.h5@0", "seg0.h5@30", "seg1.h5"] and [s.route for s in segs] == ["seg0.h5", "seg0.h5", ""]
  for s, k in zip(segs, (slice(0, 30), slice(30, 60))):
    np.testing.assert_array_equal(s.tokens, tokens[k]); np.testing.assert_array_equal(s.pose, pose[k])
  w = Windows(segs, 3, 2)   # a window: 5 frames and the stride before
  assert w.starts.tolist() == [30 - 7 + 1, 30 - 7 + 1, 60 - 7 + 1]

def test_review_53_gap_pieces_check_their_times_and_skip_the_motion_into_a_gap(tmp_path, capsys):
  """A 3 s gap at 25 m/s is a 76 m motion row into the gap, which refused the whole folder (over 50 m in one frame),
  though no piece reads it; times that run backwards (two clocks joined), a NaN (it hid a gap) or 10 fps times (read as
  20 fps) loaded as one run without a word (a review)."""
  from train.world_data import gap_pieces, load_segments
  toks = make_tokens(tmp_path / "tok", n_seg=1, n=60)
  with h5py.File(tmp_path / "tok" / "seg0.h5", "r+") as f:
    f["frame_times"] = np.arange(60) / 20 + 3.0 * (np.arange(60) >= 30)
    pose = f["pose"][()]; pose[29, 0] = 76.25; f["pose"][...] = pose
  assert [s.name for s in load_segments(toks)] == ["seg0.h5@0", "seg0.h5@30"]
  with h5py.File(tmp_path / "tok" / "seg0.h5", "r+") as f: pose[28, 0] = 76.25; f["pose"][...] = pose   # inside a piece: refused
  with pytest.raises(ValueError, match=r"seg0.h5: pose at frame 28 is \[76.25"): load_segments(toks)
  t = np.arange(60) / 20
  for times, msg in ((np.where(np.arange(60) >= 30, t - 1.0, t), r"x: 'frame_times' must increase, frame 30 is at 0.5 s"),
                     (np.where(np.arange(60) == 30, np.nan, t + 3.0 * (np.arange(60) >= 30)), "x: 'frame_times' is not finite at frame 30"),
                     (np.arange(60) / 10, r"x: its frame times are 0.1 s apart \(median\), ~10 fps")):
    with pytest.raises(ValueError, match=msg): gap_pieces(times, 60, "x")
  assert gap_pieces(t + np.random.default_rng(0).uniform(-0.004, 0.004, 60), 60, "x") == [slice(0, 60)]   # a camera's jitter

def test_review_52_a_failed_rollout_rerun_keeps_the_earlier_rollouts(tmp_path, monkeypatch):
  """A re-run of rollout into a folder deleted the earlier run's rollouts first: one that failed (a full disk, a dead
  actor) left neither run's (a review). They wait in .earlier until the new run has finished, and come back if it fails."""
  import sim.rollout as ro
  out = tmp_path / "ro"; out.mkdir()
  old = {"rollout_0.mp4": b"old video", "rollout_0_tokens.npy": b"old tokens", "rollouts.json": b"{}\n", "rollout_best.mp4": b"mine"}
  for k, v in old.items(): (out / k).write_bytes(v)
  def failing(out, *a):
    (out / "rollout_0.mp4").write_bytes(b"half of a new one")
    raise OSError(28, "No space left on device")
  monkeypatch.setattr(ro, "_write_rollouts", failing)
  for _ in range(2):   # (the second: after a run killed with its predecessor's set still in .earlier)
    with pytest.raises(OSError): ro._rollouts_into(out, None, [], 1, 10.0, 1)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == old
    (out / ".earlier").mkdir(); (out / ".earlier" / "rollouts.json").write_bytes(b"{}\n"); (out / ".earlier" / "rollout_0.mp4").write_bytes(b"old video")
    (out / ".earlier" / "rollout_0_tokens.npy").write_bytes(b"old tokens"); (out / "rollouts.json").unlink(); (out / "rollout_0.mp4").write_bytes(b"killed")
  monkeypatch.setattr(ro, "_write_rollouts", lambda out, *a: ((out / "rollout_0.mp4").write_bytes(b"new"), (out / "rollouts.json").write_bytes(b"{}\n"), {"rollouts": 1})[-1])
  assert ro._rollouts_into(out, None, [], 1, 10.0, 1) == {"rollouts": 1}
  assert {p.name: p.read_bytes() for p in out.iterdir()} == {"rollout_0.mp4": b"new", "rollouts.json": b"{}\n", "rollout_best.mp4": b"mine"}
  # killed after it finished but before it dropped .earlier: its set is the newer, and a failed re-run put the older back
  (out / ".earlier").mkdir(); (out / ".earlier" / "rollouts.json").write_bytes(b"[]\n"); (out / ".earlier" / "rollout_0.mp4").write_bytes(b"older")
  monkeypatch.setattr(ro, "_write_rollouts", failing)
  with pytest.raises(OSError): ro._rollouts_into(out, None, [], 1, 10.0, 1)
  assert {p.name: p.read_bytes() for p in out.iterdir()} == {"rollout_0.mp4": b"new", "rollouts.json": b"{}\n", "rollout_best.mp4": b"mine"}
  # and a set waiting in .earlier (a re-run killed mid-way) is not read as data beside the new run's files
  from train.world_data import token_files
  (out / ".earlier").mkdir(); np.save(out / ".earlier" / "a.npy", np.zeros((3, *GRID), np.int16))
  np.save(out / "a.npy", np.zeros((3, *GRID), np.int16))
  assert [p.name for p in token_files(out)] == ["a.npy"]

def test_review_53_a_rollouts_generated_tokens_are_not_read_as_a_drive(tmp_path, capsys):
  """A rollout's --out under a folder later given as data.tokens: its generated tokens were trained on as a recorded
  drive, perhaps held out, unsaid (a review). Left out, said; a file handed in itself is still read."""
  from train.world_data import token_files
  (tmp_path / "d" / "ro").mkdir(parents=True)
  np.save(tmp_path / "d" / "seg.npy", np.zeros((3, *GRID), np.int16))
  np.save(tmp_path / "d" / "ro" / "rollout_0_tokens.npy", np.zeros((3, *GRID), np.int16))
  (tmp_path / "d" / "ro" / "rollout_0_tokens.tokenizer.json").write_text(json.dumps({"fps": 5.0, "generated": "rollout"}))
  assert [p.name for p in token_files(tmp_path / "d")] == ["seg.npy"]
  assert "1 rollout output(s)" in capsys.readouterr().err
  (tmp_path / "d" / "ro" / "rollout_0_tokens.tokenizer.json").write_text(json.dumps({"fps": 5.0}))   # an older rollout's:
  (tmp_path / "d" / "ro" / "rollouts.json").write_text("{}")                                         # by its rollouts.json
  assert [p.name for p in token_files(tmp_path / "d")] == ["seg.npy"]
  assert [p.name for p in token_files(tmp_path / "d" / "ro" / "rollout_0_tokens.npy")] == ["rollout_0_tokens.npy"]

def test_review_52_a_sidecar_without_its_npy_is_said(tmp_path, capsys):
  """export-commavq that failed part way (a full disk) left a sidecar without its .npy, and import-commavq and
  train-world read the other files as the whole export, unsaid (a review)."""
  from train.world_data import load_segments
  (tmp_path / "x").mkdir()
  np.save(tmp_path / "x" / "a.npy", np.random.default_rng(0).integers(0, V, (30, *GRID)).astype(np.int16))
  (tmp_path / "x" / "b.tokenizer.json").write_text("{}")
  assert len(load_segments(str(tmp_path / "x"))) == 1
  assert "1 .tokenizer.json sidecar(s) without their .npy" in capsys.readouterr().err
  load_segments(str(tmp_path / "x" / "a.npy"))
  assert "without their .npy" not in capsys.readouterr().err
