"""drivegpt demo end to end at a tiny size (tests/data/demo-tiny.yaml: every step of configs/demo.yaml, a few frames
each): every step runs, report.html names their results, a second run skips what is done; and every stage command
rejects a bad config key or option with a message naming it and a non-zero exit."""
import json, re, os, shutil, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]

def drivegpt(*args, timeout=600) -> subprocess.CompletedProcess:
  return subprocess.run([sys.executable, "-m", "drivegpt", *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                        env={**os.environ, "DRIVEGPT_THREADS": "2"})

def test_tiny_demo_runs_every_step_and_resumes(tmp_path, capsys):
  out = tmp_path / "demo"
  r = drivegpt("demo", "--config", ROOT / "tests/data/demo-tiny.yaml", "--out", out, timeout=900)
  assert r.returncode == 0, r.stderr[-3000:]
  final = json.loads(r.stdout.strip().splitlines()[-1])
  steps = final["steps"]
  assert list(steps) == ["record", "ingest", "vqvae", "tokenize", "world", "rollout", "disengage", "bc", "ppo", "evaluate", "export", "export-driving"]
  print(f"tiny demo: {final['seconds']} s")
  assert steps["record"]["segments"] == 2 and steps["ingest"]["ingested"] == 2 and steps["ingest"]["failed"] == 0
  assert steps["vqvae"]["step"] == 4 and steps["tokenize"]["frames"] > 0 and steps["world"]["step"] == 3
  assert list((out / "rollouts").glob("*.mp4")) and list((out / "onnx").glob("*.onnx"))
  assert [r["policy"] for r in steps["evaluate"]] == ["scripted", "scripted_no_noise", "bc", "rl"]   # every row (was the last alone)
  assert steps["export-driving"]["driving_policy"]["max_abs_diff_vs_engine"] < 1e-4 and (out / "onnx" / "driving_vision.onnx").exists()
  # train-disengage's rows: ECE before calibration, named so (val_ece_* meant the calibrated model's in the final line only)
  rows = [json.loads(l) for l in (out / "disengage" / "metrics.jsonl").read_text().splitlines() if l.strip()]
  assert rows and all(not any(k.startswith("val_ece") for k in r) and any(k.startswith("val_uncalibrated_ece") for k in r) for r in rows if "loss" in r)
  ro = json.loads((out / "rollouts" / "rollouts.json").read_text())   # each rollout's seed, so it can be lined up with its recording
  assert len(ro["seeds"]) == ro["rollouts"] and all(set(x) == {"segment", "first_context_frame"} for x in ro["seeds"])
  assert ro["world"] == str((out / "world").resolve()) and ro["world_step"] > 0   # which model made them (session 45)
  # under a second long, the first and last seconds' sharpness are both the whole rollout (the note said 2 x fps - frames)
  shared = re.search(r"rollouts of (\d+) frames: the first and last seconds' sharpness share (\d+) frames", r.stderr)
  assert shared and shared[1] == shared[2] == str(steps["rollout"]["frames_per_rollout"]), r.stderr[-3000:]
  report = (out / "report.html").read_text()
  for name in steps: assert f"<h2>{name}</h2>" in report
  # every artifact listed (metrics.jsonl, evaluation.jsonl, config.yaml, token .npy files were not), values as JSON writes them
  assert all(n in report for n in ("metrics.jsonl", "evaluation.jsonl", "config.yaml", "_tokens.npy")) and "<td>None</td>" not in report and "<td>True</td>" not in report
  assert "recon.png" in report and "<video" in report
  (out / "rollouts" / ".rollout_7.mp4.tmp.mp4").write_bytes(b"half a video")   # a killed rollout's temp file: not shown
  again = drivegpt("demo", "--config", ROOT / "tests/data/demo-tiny.yaml", "--out", out)
  assert ".rollout_7" not in (out / "report.html").read_text()
  assert again.returncode == 0 and again.stderr.count("done before, skipped") == len(steps), again.stderr[-2000:]
  # a step run again with other arguments: the steps after it were skipped and their old outputs mixed into the report
  changed = drivegpt("demo", "--config", ROOT / "tests/data/demo-tiny.yaml", "--out", out, "world.steps=4")
  assert changed.returncode != 0 and "demo step world ran before as" in changed.stderr and "use another --out" in changed.stderr, changed.stderr[-2000:]
  _ppo_killed_before_its_first_checkpoint_resumes_exactly(out, tmp_path)
  _ppo_refuses_a_world_of_more_token_ids(out, tmp_path)
  _ppo_says_an_unfinished_world_and_refuses_one_still_training(out, tmp_path, capsys)
  # moved: every step skipped, and the report and final line name the new folder, not the old one (session 28)
  import shutil
  shutil.copytree(out, tmp_path / "moved", copy_function=shutil.copy2)
  moved = drivegpt("demo", "--config", ROOT / "tests/data/demo-tiny.yaml", "--out", tmp_path / "moved")
  assert moved.returncode == 0 and moved.stderr.count("done before, skipped") == len(steps), moved.stderr[-2000:]
  assert str(out) + "/" not in moved.stdout and str(out) + "/" not in (tmp_path / "moved" / "report.html").read_text()
  # an episode seed of the recordings a policy learnt from repeats their drivers and traffic: refused without --check-seeds
  # too (session 28; it was checked only when asked)
  from rl.evaluate import main as evaluate_main, recorded_seeds
  with pytest.raises(SystemExit):
    evaluate_main(["--vqvae", str(out / "vqvae"), "--policy", f"bc={out / 'bc'}", "--episodes", "1", "--seconds", "3.5", "--recovery", "0",
                   "--no-scripted", "--seed", str(min(recorded_seeds([str(out / "tokens")])))])
  assert "were used in recording the data a --policy or its models were trained on" in capsys.readouterr().err
  # and a PPO run's own tokens (its episodes' recordings), not only its BC run's: those were never checked
  import h5py, rl.train as T
  from drivegpt.nn.state import checkpoint_info
  from train.stage import build
  shutil.copytree(out / "tokens", tmp_path / "tok2")
  for f in (tmp_path / "tok2").glob("*.h5"):
    with h5py.File(f, "r+") as h: h.attrs["driver"] = json.dumps({**json.loads(h.attrs["driver"]), "seed": json.loads(h.attrs["driver"])["seed"] + 7_000_000})
  res = T.train_ppo(build(T.PPOTrainConfig, {"world": str(out / "world"), "tokens": str(tmp_path / "tok2"), "disengage": str(out / "disengage"),
                                             "bc": str(out / "bc"), "out": str(tmp_path / "ppo2"), "iterations": 1, "num_envs": 2, "rollout_steps": 3, "episode_steps": 2}))
  # the policy evaluate and export-driving load: iteration 0's, the last one rolled out (a demo review: the final line
  # read as the last iteration's policy)
  assert res["iterations"] == 1 and res["policy_iteration"] == 0 == checkpoint_info(str(tmp_path / "ppo2" / T.GOOD))[0]
  assert res["kl_last"] is None and res["entropy_last"] is None   # the kept policy's update's: the BC start had none
  # stopped by the guard: the final line's kl and entropy are the kept policy's update's (the BC start's: none), not
  # those of the update whose rollouts were refused
  stop = T.train_ppo(build(T.PPOTrainConfig, {"world": str(out / "world"), "tokens": str(out / "tokens"), "disengage": str(out / "disengage"), "hack_js_factor": 1e-9,
                                              "bc": str(out / "bc"), "out": str(tmp_path / "ppo3"), "iterations": 3, "num_envs": 2, "rollout_steps": 3, "episode_steps": 2}))
  rows = [json.loads(l) for l in (tmp_path / "ppo3" / "metrics.jsonl").read_text().splitlines() if l.strip()]
  assert stop["stopped"].startswith("iteration 1: token drift") and stop["policy_iteration"] == 0 and rows[-1]["step"] == 1, (stop, rows)
  assert rows[-1]["kl"] is not None and stop["kl_last"] is None and stop["entropy_last"] is None
  assert json.loads((tmp_path / "ppo3" / "guard.json").read_text())["steps"] == 3   # the BC reference: episode_steps in whole rollout_steps
  capsys.readouterr()
  with pytest.raises(SystemExit):
    evaluate_main(["--vqvae", str(out / "vqvae"), "--policy", f"rl={tmp_path / 'ppo2'}", "--episodes", "1", "--seconds", "3.5", "--recovery", "0",
                   "--no-scripted", "--seed", str(min(recorded_seeds([str(tmp_path / "tok2")])))])
  assert "were used in recording the data a --policy or its models were trained on" in capsys.readouterr().err
  # and the recordings of the world model it trained in, of its disengagement model and of the VQVAE (a leakage review:
  # a world model trained on other seeds let evaluate run on them)
  from rl.evaluate import LearnedDriver, recordings
  from train.vqvae import load_tokenizer
  assert recordings(str(out / "world")) == [str(out / "tokens")] and recordings(str(out / "vqvae")) == [str(out / "shards")]
  assert recordings(str(tmp_path / "gone")) == [str(tmp_path / "gone")]   # said as not checked
  d = LearnedDriver("rl", str(tmp_path / "ppo2"), load_tokenizer(str(out / "vqvae"))[0])
  assert d.tokens == sorted({str(out / "tokens"), str(tmp_path / "tok2")}), d.tokens
  # the 6 s segments end before t + 4 s on every frame: the 4 s head never saw a label, and PPO rewarded from it, unsaid
  from train.stage import ConfigError
  assert checkpoint_info(str(out / "disengage" / "ckpt.safetensors"))[2]["known_labels"][-1] == 0
  assert "horizons [4.0] s: no training frame has a known label" in r.stderr
  # the tiny demo's segments hold no takeover: its 2 s head learnt nothing, and PPO rewarded from it unsaid (session 51)
  assert checkpoint_info(str(out / "disengage" / "ckpt.safetensors"))[2]["positive_labels"][2] == 0
  assert "reward_horizon 2.0: disengage=" in r.stderr and "saw no takeovers at that horizon" in r.stderr
  with pytest.raises(ConfigError, match="reward_horizon 4.0: disengage=.* had no training frame with a known label at that horizon"):
    T.train_ppo(build(T.PPOTrainConfig, {"world": str(out / "world"), "tokens": str(out / "tokens"), "disengage": str(out / "disengage"), "reward_horizon": 4.0,
                                         "bc": str(out / "bc"), "out": str(tmp_path / "ppo4"), "iterations": 1, "num_envs": 2, "rollout_steps": 3, "episode_steps": 2}))

def _ppo_refuses_a_world_of_more_token_ids(demo: Path, tmp_path: Path) -> None:
  """PPO on a world model that samples ids past its policy's codebook failed at its first step ("DisengageModel: token
  ids must be in [0, 16)"), naming neither run, its run folder left behind (session 30: rollout refused it clearly)."""
  import rl.train as T
  import train.world as W
  from train.stage import ConfigError, build
  real = W.load_run
  def bigger(path):
    model, cfg = real(path)
    model.config.vocab_size = 4096
    return model, cfg
  W.load_run = bigger
  try:
    with pytest.raises(ConfigError, match=r"samples token ids up to 4095, but bc=.* read a codebook of 1024 codes"):
      T.train_ppo(build(T.PPOTrainConfig, {"world": str(demo / "world"), "tokens": str(demo / "tokens"), "disengage": str(demo / "disengage"),
                                           "bc": str(demo / "bc"), "out": str(tmp_path / "ppo_v"), "iterations": 1}))
  finally: W.load_run = real
  assert not (tmp_path / "ppo_v").exists()

def _ppo_says_an_unfinished_world_and_refuses_one_still_training(demo: Path, tmp_path: Path, capsys) -> None:
  """Session 42 (a review of killed and resumed runs): PPO trained in a world run killed part way, or one still training
  in another process, without a word (unfinished disengage and bc runs are refused)."""
  import rl.train as T
  from drivegpt.nn.state import checkpoint_info, save_checkpoint
  from train.stage import build
  from train.world import load_run
  step, conf, extra = checkpoint_info(str(demo / "world" / "ckpt.safetensors"))
  (half := tmp_path / "world_half").mkdir()
  save_checkpoint(str(half / "ckpt.safetensors"), load_run(str(demo / "world"))[0], None, step=step, config={**conf, "steps": step + 7}, extra=extra)
  def ppo(world, out): return T.train_ppo(build(T.PPOTrainConfig, {"world": str(world), "tokens": str(demo / "tokens"), "disengage": str(demo / "disengage"),
                                                                   "bc": str(demo / "bc"), "out": str(out), "iterations": 1, "num_envs": 2, "rollout_steps": 2, "episode_steps": 2}))
  capsys.readouterr()
  ppo(half, tmp_path / "ppo_half")
  assert f"world={half} stopped at step {step} of its {step + 7} (an unfinished train-world run)" in capsys.readouterr().err
  holder = subprocess.Popen([sys.executable, "-c", f"import sys, time; from drivegpt.nn.state import lock_folder; lock_folder({str(half)!r}); print('held', flush=True); time.sleep(60)"],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
  try:
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(ValueError, match=f"world={half}: a train-world run is still training in {half}"): ppo(half, tmp_path / "ppo_busy")
  finally: holder.kill(); holder.wait()

def _ppo_killed_before_its_first_checkpoint_resumes_exactly(demo: Path, tmp_path: Path) -> None:
  """PPO killed in iteration 0 (after guard.json, before the first checkpoint): the re-run read the dead attempt's
  guard reference and penalized iteration 0's rewards with it; 86 of 92 weights came out off an unbroken run."""
  import numpy as np
  import rl.train as T
  from drivegpt.nn.state import read_safetensors
  from train.stage import build
  def ppo(out): return T.train_ppo(build(T.PPOTrainConfig, {"world": str(demo / "world"), "tokens": str(demo / "tokens"), "disengage": str(demo / "disengage"),
                                                            "bc": str(demo / "bc"), "out": str(out), "iterations": 2, "num_envs": 2, "rollout_steps": 3, "episode_steps": 2}))
  a = ppo(tmp_path / "ppo_a")
  rows = [json.loads(l) for l in (tmp_path / "ppo_a" / "metrics.jsonl").read_text().splitlines()]
  # iteration 0 pays no surprise penalty (its rollouts set the limit), later ones may: the task reward is comparable
  assert rows[0]["penalty"] == 0 and all(r["penalty"] >= 0 for r in rows)
  assert a["task_reward_last"] == pytest.approx(rows[-1]["reward"] + rows[-1]["penalty"]) and a["task_reward_first"] == rows[0]["reward"]
  real = T.ppo_update
  def dies(*a, **k): raise KeyboardInterrupt
  T.ppo_update = dies
  try:
    with pytest.raises(KeyboardInterrupt): ppo(tmp_path / "ppo_b")
  finally: T.ppo_update = real
  assert (tmp_path / "ppo_b" / "guard.json").exists() and not (tmp_path / "ppo_b" / "ckpt.safetensors").exists()
  ppo(tmp_path / "ppo_b")
  a, b = (read_safetensors(str(tmp_path / d / "ckpt.safetensors"))[0] for d in ("ppo_a", "ppo_b"))
  for k in a: np.testing.assert_array_equal(a[k], b[k], err_msg=k)
  # the guard stops the run at the first iteration it checks: evaluate and export-driving loaded the failed policy (no
  # good.safetensors had been written); they now get the BC start, whose rollouts set the reference
  from rl.policy import load_policy
  drift = iter([0.01, 5.0, 5.0])
  real_js, T.js_bits = T.js_bits, lambda p, q: next(drift)
  try: assert ppo(tmp_path / "ppo_c")["stopped"].startswith("iteration 1: token drift")
  finally: T.js_bits = real_js
  import contextlib, io
  with contextlib.redirect_stderr(err := io.StringIO()): got, bc = (load_policy(str(p))[0] for p in (tmp_path / "ppo_c", demo / "bc"))
  assert "the policy of PPO iteration 0 (the newest that passed the reward-hacking guard; the run is at" in err.getvalue(), err.getvalue()
  from drivegpt.nn import get_state_dict
  for (k, x), y in zip(get_state_dict(got).items(), get_state_dict(bc).values()): np.testing.assert_array_equal(x.numpy(), y.numpy(), err_msg=k)
  _ppo_and_export_driving_refuse_a_reward_model_changed_in_place(demo, tmp_path, ppo)

def _export_driving_names_what_it_packs(demo: Path, tmp_path: Path, dis: Path) -> None:
  """Session 46 (an export review): export-driving packed a PPO run still training, or killed part way, without a word,
  and its JSON named only the run (not the iteration packed, its VQVAE or its reward model); `export` of another VQVAE
  into the folder went in beside the pair (exit 0); and a refused export kept its --out folder locked in this process."""
  import contextlib, io, os, shutil, subprocess, sys
  from drivegpt.export.command import export_run
  from drivegpt.export.graph import ExportError
  from drivegpt.nn import state
  from rl.export import export_driving
  x = tmp_path / "x"
  got = json.loads((x / "export-driving.json").read_text())
  assert {k: got[k] for k in ("ckpt_step", "policy_step", "vqvae", "disengage")} == {"ckpt_step": 1, "policy_step": 0, "vqvae": str((demo / "vqvae").resolve()),
                                                                                    "disengage": str(dis.resolve())}, got
  shutil.copytree(demo / "vqvae", other := tmp_path / "other_vqvae")
  for v in (other, other / "ckpt.safetensors"):
    with pytest.raises(ExportError, match=rf"--out {x}: holds export-driving's openpilot pair, built on the VQVAE {(demo / 'vqvae').resolve()}, not on this run \({other.resolve()}\)"):
      export_run(str(v), str(x))
    assert os.path.realpath(x) not in state._LOCKS  # let go of after the refusal
  pair = (x / "export-driving.json").read_text()
  (x / "export-driving.json").write_text(json.dumps({k: v for k, v in got.items() if k not in ("vqvae", "disengage")}))
  with pytest.raises(ExportError, match=f"built on the VQVAE {(demo / 'vqvae').resolve()}, not on"):   # an export from before the key:
    export_run(str(other), str(x))                                                                     # its policy run's VQVAE
  (x / "export-driving.json").write_text("{")
  with pytest.raises(ExportError, match="a VQVAE its export-driving.json doesn't tell"): export_run(str(demo / "vqvae"), str(x))
  (x / "export-driving.json").write_text(pair)
  assert not (x / "vqvae_encoder.onnx").exists()
  assert export_run(str(demo / "vqvae"), str(x))["vqvae_encoder"]["max_abs_diff"] < 1e-4  # its own VQVAE goes in beside it
  (tmp_path / "afile2").write_text("")   # (said "something of that name is in the way", not which argument: a review)
  # session 51 (a review of the device loop): a VQVAE of another image size exported a vision model whose 8x16 tokens
  # the policy read as its own grid, and --fp16 rounded code ids past 2048 (4095 became 4096, a zero latent)
  import dataclasses, train.vqvae as TV
  real_load = TV.load_tokenizer
  for change, flag, msg in (({"image_size": (64, 128), "patch": 4}, False, "encodes 64x128 frames, and openpilot's driving_vision is fed 128x256"),
                            ({"n_codes": 4096}, True, "--fp16: the VQVAE .* has 4096 codes")):
    def load(path, *a, change=change, **k):
      vq, c = real_load(path, *a, **k)
      object.__setattr__(vq, "config", dataclasses.replace(vq.config, **change))
      return vq, c
    with pytest.MonkeyPatch.context() as mp:
      mp.setattr(TV, "load_tokenizer", load)
      with pytest.raises(ValueError, match=msg): export_driving(str(demo / "ppo"), str(tmp_path / "x_other"), fp16=flag)
    assert not (tmp_path / "x_other").exists()
  with pytest.raises(ExportError, match="--out .*afile2: a file, not a folder"): export_run(str(demo / "vqvae"), str(tmp_path / "afile2"))
  # a PPO run killed part way is said (its final.json is of iterations before); one still training is refused
  import rl.train as T
  from train.stage import build
  real, calls = T.ppo_update, []
  def killed(*a, **kw):
    if calls.append(1) or len(calls) > 1: raise KeyboardInterrupt   # in iteration 2 of 2, after iteration 1's save
    return real(*a, **kw)
  T.ppo_update = killed
  try:
    with pytest.raises(KeyboardInterrupt):
      T.train_ppo(build(T.PPOTrainConfig, {"world": str(demo / "world"), "tokens": str(demo / "tokens"), "disengage": str(dis), "bc": str(demo / "bc"),
                                           "out": str(cut := tmp_path / "ppo_cut"), "iterations": 2, "num_envs": 2, "rollout_steps": 3, "episode_steps": 2}))
  finally: T.ppo_update = real
  state.release_folder(cut)   # (held by this process, as by a killed run's: none)
  with contextlib.redirect_stderr(err := io.StringIO()): export_driving(str(cut), str(tmp_path / "xc"), str(dis))
  assert f"--ckpt {cut} stopped at iteration 1 of its 2 (an unfinished PPO run)" in err.getvalue(), err.getvalue()
  shutil.copytree(tmp_path / "ppo_d", done := tmp_path / "ppo_done")
  (done / "final.json").unlink()   # killed after its last iteration's save, before final.json: every iteration is done
  for run in (tmp_path / "ppo_d", done):
    with contextlib.redirect_stderr(err := io.StringIO()): export_driving(str(run), str(tmp_path / f"xc_{run.name}"), str(dis))
    assert "unfinished" not in err.getvalue(), err.getvalue()
  for run, flag in ((cut, "--ckpt"), (dis, "--disengage")):   # (refused before --out is made: it was left holding only its lock)
    holder = subprocess.Popen([sys.executable, "-c", f"from drivegpt.nn.state import lock_folder; lock_folder({str(run)!r}); print('held', flush=True); input()"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
      assert holder.stdout.readline().strip() == "held"
      with pytest.raises(ValueError, match=f"{flag} {run}: a run is still training in {run} \\(its lock is held by pid {holder.pid}\\)"):
        export_driving(str(cut), str(tmp_path / "xnew"), str(dis))
      assert not (tmp_path / "xnew").exists()
    finally: holder.communicate("\n", timeout=60)
  assert os.path.realpath(tmp_path / "xc") not in state._LOCKS
  # a project moved whole: export-driving looked for the VQVAE, BC run and disengagement model its runs named where they
  # were ("no checkpoint"); now, where those are gone, beside the runs, said (a CLI review). A copy whose original is still
  # there reads the original's (its own could have been retrained since, and be refused)
  proj = tmp_path / "proj"
  for name in ("vqvae", "bc", "disengage", "ppo"): shutil.copytree(demo / name, proj / name)
  with contextlib.redirect_stderr(err := io.StringIO()): export_driving(str(proj / "ppo"), str(proj / "copy"))
  assert json.loads((proj / "copy" / "export-driving.json").read_text())["vqvae"] == str((demo / "vqvae").resolve()) and "read" not in err.getvalue()
  away = [(demo / n, tmp_path / f"away_{n}") for n in ("vqvae", "bc", "disengage")]
  for a, b in away: os.rename(a, b)
  try:
    with contextlib.redirect_stderr(err := io.StringIO()): export_driving(str(proj / "ppo"), str(proj / "onnx"))
  finally:
    for a, b in away: os.rename(b, a)
  got = json.loads((proj / "onnx" / "export-driving.json").read_text())
  assert (got["vqvae"], got["disengage"]) == (str((proj / "vqvae").resolve()), str((proj / "disengage").resolve())), got
  assert f"note: {proj / 'bc' / 'ckpt.safetensors'}: read {(proj / 'vqvae').resolve()} for its " in err.getvalue(), err.getvalue()
  assert f"read {(proj / 'bc').resolve()} for its " in err.getvalue()

def _ppo_and_export_driving_refuse_a_reward_model_changed_in_place(demo: Path, tmp_path: Path, ppo) -> None:
  """A PPO run named its disengagement model and world model by path only: one trained further in place (its same
  command with more steps) became the reward of a resumed run's remaining iterations, and what export-driving packed,
  without a word. The checkpoint keeps each one's fingerprint now."""
  import shutil
  import numpy as np
  import rl.train as T
  from drivegpt.nn.state import checkpoint_info, save_checkpoint
  from rl.disengage import load_disengage
  from rl.export import export_driving
  from train.stage import ConfigError, build
  dis = tmp_path / "dis"
  shutil.copytree(demo / "disengage", dis)
  run = lambda out, it: T.train_ppo(build(T.PPOTrainConfig, {"world": str(demo / "world"), "tokens": str(demo / "tokens"), "disengage": str(dis),  # noqa: E731
                                                             "bc": str(demo / "bc"), "out": str(out), "iterations": it, "num_envs": 2, "rollout_steps": 3, "episode_steps": 2}))
  run(tmp_path / "ppo_d", 1)
  model, _ = load_disengage(str(dis))  # "trained further": its weights moved, saved in place
  step, conf, extra = checkpoint_info(str(dis / "ckpt.safetensors"))
  model.head.weight.assign(model.head.weight + 0.5).realize()
  save_checkpoint(str(dis / "ckpt.safetensors"), model, None, step=step + 1, config=conf, extra=extra)
  with pytest.raises(ConfigError, match=f"disengage={dis} has changed .* since this run started with it"): run(tmp_path / "ppo_d", 2)
  with pytest.raises(ValueError, match=f"its disengagement model {dis} has changed .* pass --disengage"):
    export_driving(str(tmp_path / "ppo_d"), str(tmp_path / "x"))
  assert export_driving(str(tmp_path / "ppo_d"), str(tmp_path / "x"), str(dis))["driving_policy"]["max_abs_diff_vs_engine"] < 1e-4   # said: packed
  # session 44: another run's export-driving into that folder replaced the pair without a word, and one into a folder of
  # another VQVAE's export went in beside its encoder and decoder
  before = {f.name: f.read_bytes() for f in (tmp_path / "x").iterdir() if f.is_file()}
  with pytest.raises(ValueError, match=rf"--out {tmp_path / 'x'}: its export-driving\.json is the export of another run \({tmp_path / 'ppo_d'}, not {tmp_path / 'ppo_a'}\)"):
    export_driving(str(tmp_path / "ppo_a"), str(tmp_path / "x"), str(demo / "disengage"))
  assert {f.name: f.read_bytes() for f in (tmp_path / "x").iterdir() if f.is_file()} == before
  _export_driving_names_what_it_packs(demo, tmp_path, dis)
  (tmp_path / "y").mkdir()
  (tmp_path / "y" / "export.json").write_text(json.dumps({"ckpt": str(tmp_path / "another_vqvae")}))
  with pytest.raises(ValueError, match=r"y: its export\.json is the export of another run \(.*another_vqvae, not "):
    export_driving(str(tmp_path / "ppo_d"), str(tmp_path / "y"), str(dis))
  (tmp_path / "afile").write_bytes(b"")  # --out a file: "[Errno 17] File exists" (session 28)
  with pytest.raises(ValueError, match="afile: a file, not a folder"): export_driving(str(tmp_path / "ppo_d"), str(tmp_path / "afile"), str(dis))
  # session 29: a damaged guard.json was a KeyError's traceback ({}), or (null) replaced by a reference measured from the
  # policy of then; a token folder changed in place moved the seeds and statistics under the run; fewer iterations unsaid
  tok = tmp_path / "tok"
  shutil.copytree(demo / "tokens", tok)
  run2 = lambda out, it, **kw: T.train_ppo(build(T.PPOTrainConfig, {"world": str(demo / "world"), "tokens": str(tok), "disengage": str(demo / "disengage"),  # noqa: E731
                                                                      "bc": str(demo / "bc"), "out": str(out), "iterations": it, "num_envs": 2, "rollout_steps": 3, "episode_steps": 2, **kw}))
  run2(tmp_path / "ppo_g", 1)
  guard = (tmp_path / "ppo_g" / "guard.json").read_text()
  for bad in ("{}", "null", '{"js": "x", "surprise_p95": 1}'):
    (tmp_path / "ppo_g" / "guard.json").write_text(bad)
    with pytest.raises(ConfigError, match="guard.json: not a reward-hacking reference"): run2(tmp_path / "ppo_g", 2)
  (tmp_path / "ppo_g" / "guard.json").write_text(guard)
  import contextlib, io
  run2(tmp_path / "ppo_g", 2)
  with contextlib.redirect_stderr(err := io.StringIO()): run2(tmp_path / "ppo_g", 1)
  assert "iterations=1 is not above the 2 it has trained: nothing to train" in err.getvalue(), err.getvalue()
  sorted(tok.glob("*.h5"))[0].unlink()
  with pytest.raises(ConfigError, match="tokens holds other segments than this run trained on"): run2(tmp_path / "ppo_g", 3)

@pytest.mark.parametrize("argv", [["train-vqvae", "bogus_key=1"], ["train-vqvae", "model.width=wide"], ["train-world", "no_such=2"],
                                  ["train-disengage", "nope=1"], ["train-policy", "--algo", "bc", "nope=1"],
                                  ["train-policy", "--algo", "ppo", "nope=1"], ["record", "--no-such-flag"], ["ingest", "src", "--bogus"],
                                  ["tokenize", "--ckpt", "a", "--shards", "b", "--out", "c", "--wat"],
                                  ["rollout", "--world", "a", "--vqvae", "b", "--shards", "c", "--out", "d", "--bad"],
                                  ["evaluate", "--episodes", "x"], ["export", "--ckpt", "a", "--out", "b", "--bad"],
                                  ["export-driving", "--ckpt", "a", "--out", "b", "--bad"],
                                  ["demo", "vqvae.bogus"], ["demo", "nostep.steps=3"]])
def test_every_stage_rejects_a_bad_key_naming_it(argv):
  r = drivegpt(*argv, timeout=120)
  bad = argv[-1].split("=")[0].lstrip("-").split(".")[-1] if argv[-1] != "x" else "episodes"
  assert r.returncode != 0 and bad in r.stderr, (argv, r.returncode, r.stderr[-1500:])

def test_demo_config_takes_its_values_as_written_and_refuses_a_step_given_twice(tmp_path, capsys):
  """yaml.safe_load made `--segments 010` 8 and `1:30` 90 (stage configs refuse such numbers by name), and kept the last of
  two `record:` steps or two `steps:` sections, silently."""
  from drivegpt.demo import DEFAULT_CONFIG, load_steps
  (tmp_path / "d.yaml").write_text("steps:\n  record: [record, --segments, 010, --seed, 1:30, --out, '{out}/raw']\n")
  assert load_steps(tmp_path / "d.yaml", "o", []) == [("record", ["record", "--segments", "010", "--seed", "1:30", "--out", "o/raw"])]
  for text in ("steps:\n  record: [record]\n  record: [record, --segments, 2]\n", "steps:\n  a: [record]\nsteps:\n  b: [ingest]\n"):
    (tmp_path / "d.yaml").write_text(text)
    with pytest.raises(ValueError, match=r"d\.yaml: '(record|steps)' appears twice"): load_steps(tmp_path / "d.yaml", "o", [])
  assert [n for n, _ in load_steps(DEFAULT_CONFIG, "o", [])][:3] == ["record", "ingest", "vqvae"]
  (tmp_path / "d.yaml").write_text("base: &b {record: [record, --segments, 2]}\nsteps: {<<: *b, ingest: [ingest, x]}\n")  # merge keys
  assert load_steps(tmp_path / "d.yaml", "o", []) == [("record", ["record", "--segments", "2"]), ("ingest", ["ingest", "x"])]
  assert "not read: 'base' (only 'steps' is" in capsys.readouterr().err   # a key beside steps: said (a misspelt section was skipped silently)
  (tmp_path / "d.yaml").write_text("steps:\n  record: [record]\nstep:\n  ingest: [ingest, x]\n")
  assert load_steps(tmp_path / "d.yaml", "o", []) == [("record", ["record"])] and "not read: 'step'" in capsys.readouterr().err
  # an --out holding `{configs}` or `=` (a review): {configs} filled inside the filled {out} (the steps wrote outside the
  # demo's folder), and a positional path cut at its `=` hid which steps read a step's output
  from drivegpt.demo import readers
  steps = load_steps(DEFAULT_CONFIG, "/r/{configs}-x=y", [])
  assert dict(steps)["record"][-1] == "/r/{configs}-x=y/raw" and len(readers(steps, "record")) == len(steps) - 1
  steps = load_steps(DEFAULT_CONFIG, "runs/demo", [])   # relative: `Path("")`, the part after no `=`, was every path's parent
  assert readers(steps, "rollout") == [] and len(readers(steps, "record")) == len(steps) - 1
  from drivegpt.demo import file_hashes   # an edited config named as --config=FILE was not noticed (the step skipped as done)
  assert list(file_hashes(["train-vqvae", f"--config={tmp_path / 'd.yaml'}"])) == [str(tmp_path / "d.yaml")]

def test_demo_checks_override_keys_first_and_logs_a_failed_steps_reason(tmp_path):
  """Two review findings: a misspelt `step.key=value` (bc.stepz=3) was refused only when its step came up, after every
  step before it (~8 minutes into the demo); and a failed step's reason went to the terminal alone, while the error
  pointed at demo.log, which held only the steps' JSON lines."""
  from drivegpt.demo import DEFAULT_CONFIG, load_steps
  for bad, says in (("bc.stepz=3", "unknown config key 'stepz'"), ("vqvae.model.widht=8", "unknown config key 'model.widht'"),
                    ("ppo.iterations=x", "iterations: expected an integer"), ("world.steps=1.5", "steps: expected an integer")):
    with pytest.raises(ValueError, match=re.escape(f"override '{bad}': {says}")): load_steps(DEFAULT_CONFIG, "o", [bad])
  assert dict(load_steps(DEFAULT_CONFIG, str(tmp_path / "o"), ["bc.steps=7", "ppo.iterations=1", "vqvae.model.width=16", "world.data.tokens=/nowhere"]))["bc"][-1] == "steps=7"
  r = drivegpt("demo", "--out", tmp_path / "d0", "bc.stepz=3", timeout=120)
  assert r.returncode != 0 and "stepz" in r.stderr and not (tmp_path / "d0").exists(), r.stderr[-1500:]
  (tmp_path / "bad.yaml").write_text("steps:\n  vq: [train-vqvae, 'data.shards={out}/no_frames_here', 'out={out}/v']\n")
  r = drivegpt("demo", "--config", tmp_path / "bad.yaml", "--out", tmp_path / "d1", timeout=300)
  log = (tmp_path / "d1" / "demo.log").read_text()
  assert r.returncode != 0 and "demo step vq failed" in log and "no_frames_here" in log.split("its last messages:")[-1], log[-2000:]

def safetensors(header: bytes, data: bytes) -> bytes: return len(header).to_bytes(8, "little") + header + data

def test_demo_state_rules(tmp_path, monkeypatch):
  """--fresh deleted whatever --out named (a thesis folder, with a config that did not exist); an edited config file a
  step reads was skipped as done; a step killed mid-run and started again with other arguments resumed its checkpoint
  and the report showed the last command only."""
  import drivegpt.demo as demo
  (tmp_path / "v.yaml").write_text("lr: 0.001\n")
  (tmp_path / "demo.yaml").write_text("steps:\n  a: [train-vqvae, --config, '{configs}/v.yaml', 'out={out}/a']\n  b: [eval-vqvae, --ckpt, '{out}/a']\n")
  ran = []
  def fake_step(name, argv, log):
    ran.append(name)
    if o := demo.output_of(argv): Path(o).mkdir(parents=True, exist_ok=True)
    if name == "a": (Path(o) / "ckpt.safetensors").write_bytes(safetensors(b'{"out": "%s"}' % o.encode(), b"weights of run %d" % len(ran)))
    if name == "a" and os.environ.get("KILL_A"): raise KeyboardInterrupt
    return {"results": [{"step": 1}], "seconds": 0.0, "cpu_seconds": 0.0}
  monkeypatch.setattr(demo, "run_step", fake_step)
  monkeypatch.setattr(demo, "write_report", lambda root, steps, state: root / "report.html")
  precious = tmp_path / "precious"
  precious.mkdir()
  (precious / "thesis.txt").write_text("important")
  for config in (tmp_path / "missing.yaml", tmp_path / "demo.yaml"):
    with pytest.raises((ValueError, FileNotFoundError)): demo.run(config, str(precious), [], fresh=True)
    assert (precious / "thesis.txt").exists()
  out = str(tmp_path / "out")
  demo.run(tmp_path / "demo.yaml", out, [])
  demo.run(tmp_path / "demo.yaml", out, [])
  assert ran == ["a", "b"]
  # session 29: a step's output deleted was skipped as done, its numbers reported; --out inside another demo's folder made
  # that demo's report and steps take this one's files as their own
  shutil.rmtree(Path(out) / "a")
  with pytest.raises(ValueError, match=r"demo step a: its output .*/a is gone, and the steps after it \(b\) ran on what it made then: run the demo with --fresh"):
    demo.run(tmp_path / "demo.yaml", out, [])
  with pytest.raises(ValueError, match="is inside the demo folder"): demo.run(tmp_path / "demo.yaml", str(Path(out) / "sub"), [])
  assert ran == ["a", "b"]
  demo.run(tmp_path / "demo.yaml", out, [], fresh=True)
  assert ran == ["a", "b", "a", "b"]
  del ran[2:]
  (tmp_path / "v.yaml").write_text("lr: 0.05\n")
  with pytest.raises(ValueError, match="demo step a ran before .* now an edited config file"): demo.run(tmp_path / "demo.yaml", out, [])
  demo.run(tmp_path / "demo.yaml", out, [], fresh=True)   # a demo's own folder: deleted and run again
  assert ran == ["a", "b", "a", "b"]
  out2 = str(tmp_path / "out2")
  monkeypatch.setenv("KILL_A", "1")
  with pytest.raises(KeyboardInterrupt): demo.run(tmp_path / "demo.yaml", out2, [])
  monkeypatch.delenv("KILL_A")
  with pytest.raises(ValueError, match="demo step a was started as"): demo.run(tmp_path / "demo.yaml", out2, ["a.steps=4"])
  demo.run(tmp_path / "demo.yaml", out2, [])   # the same command again resumes it
  assert ran[-2:] == ["a", "b"]
  # a step that exited with an error (a value it refused when it ran) may run again as asked; the demo folder was locked for good
  out3 = str(tmp_path / "out3")
  def fails_on_typo(name, argv, log):
    if "steps=5" in argv: raise RuntimeError("demo step a failed (exit 2)")
    return fake_step(name, argv, log)
  monkeypatch.setattr(demo, "run_step", fails_on_typo)
  with pytest.raises(RuntimeError): demo.run(tmp_path / "demo.yaml", out3, ["a.steps=5"])
  demo.run(tmp_path / "demo.yaml", out3, ["a.steps=4"])
  assert ran[-2:] == ["a", "b"]
  with pytest.raises(ValueError, match=r"override 'b.x=1': step 'b' \(drivegpt eval-vqvae\) takes --options, not key=value"):
    demo.run(tmp_path / "demo.yaml", out3, ["b.x=1"])  # (before: accepted, then failed when b came up)
  # the folder named relatively, or moved: its finished steps are still done (they were "changed" and refused)
  monkeypatch.chdir(tmp_path)
  n = len(ran)
  demo.run(tmp_path / "demo.yaml", "out3", ["a.steps=4"])
  os.rename(tmp_path / "out3", tmp_path / "moved")
  demo.run(tmp_path / "demo.yaml", str(tmp_path / "moved"), ["a.steps=4"])
  assert len(ran) == n
  with pytest.raises(ValueError, match="demo step a ran before"): demo.run(tmp_path / "demo.yaml", "moved", ["a.steps=5"])
  # session 46 (a review of the report): a run trained further in place (PPO given more iterations) was skipped as done,
  # the report showing its old numbers and the later steps' evaluation and export of its old weights
  ckpt = tmp_path / "moved" / "a" / "ckpt.safetensors"
  ckpt.write_bytes(safetensors(b'{"out": "a"}', ckpt.read_bytes()[8 + int.from_bytes(ckpt.read_bytes()[:8], "little"):]))
  demo.run(tmp_path / "demo.yaml", "moved", ["a.steps=4"])   # saved again, the same weights (nothing to train): done
  ckpt.write_bytes(safetensors(b'{"out": "a"}', b"trained further"))
  with pytest.raises(ValueError, match=r"demo step a: its output .*/a has changed since \(trained further, or replaced\?\), and the steps after it \(b\) ran on"):
    demo.run(tmp_path / "demo.yaml", "moved", ["a.steps=4"])
  assert len(ran) == n
  (tmp_path / "one.yaml").write_text("steps:\n  a: [train-vqvae, --config, '{configs}/v.yaml', 'out={out}/a']\n")
  demo.run(tmp_path / "one.yaml", str(tmp_path / "o1"), [])
  (tmp_path / "o1" / "a" / "ckpt.safetensors").write_bytes(safetensors(b"{}", b"replaced"))
  demo.run(tmp_path / "one.yaml", str(tmp_path / "o1"), [])   # the last step: run again, its numbers those of the run now
  assert len(ran) == n + 2
  demo.run(tmp_path / "one.yaml", str(tmp_path / "o1"), [])
  assert len(ran) == n + 2


def test_a_step_whose_files_are_gone_runs_again_unless_a_later_step_read_them(tmp_path, monkeypatch, capsys):
  """A demo review: deleting an export's ONNX files (its folder kept) or a rollout's videos was skipped as done, the report
  linking files no longer there; a deleted rollout folder was refused naming every later step (none read it); a deleted
  checkpoint was "changed since (trained further, or replaced?)"."""
  import drivegpt.demo as demo
  (tmp_path / "v.yaml").write_text("lr: 0.001\n")
  (tmp_path / "demo.yaml").write_text("steps:\n  a: [train-vqvae, --config, '{configs}/v.yaml', 'out={out}/a']\n"
                                      "  r: [rollout, --world, '{out}/a', --out, '{out}/r']\n  e: [export, --ckpt, '{out}/a', --out, '{out}/onnx']\n")
  ran = []
  def fake_step(name, argv, log):
    ran.append(name)
    (o := Path(demo.output_of(argv))).mkdir(parents=True, exist_ok=True)
    if name == "a": (o / "ckpt.safetensors").write_bytes(safetensors(b"{}", b"weights"))
    else: (o / f"{name}.out").write_text("made"); (o / ".lock").write_text("")
    return {"results": [{"step": 1}], "seconds": 0.0, "cpu_seconds": 0.0}
  monkeypatch.setattr(demo, "run_step", fake_step)
  monkeypatch.setattr(demo, "write_report", lambda root, steps, state: root / "report.html")
  out = tmp_path / "out"
  demo.run(tmp_path / "demo.yaml", str(out), [])
  assert ran == ["a", "r", "e"] and demo.readers(demo.load_steps(tmp_path / "demo.yaml", str(out), []), "a") == ["r", "e"]
  (out / "r" / ".lock").unlink()   # (a hidden file: not the step's output)
  demo.run(tmp_path / "demo.yaml", str(out), [])
  assert ran == ["a", "r", "e"]
  (out / "r" / "r.out").unlink()   # its file gone, its folder kept; e, after it, does not read it: r runs again
  capsys.readouterr()
  demo.run(tmp_path / "demo.yaml", str(out), [])
  assert ran == ["a", "r", "e", "r"] and "demo step r: its output " in (err := capsys.readouterr().err) and "has lost r.out; running it again" in err
  shutil.rmtree(out / "onnx")
  demo.run(tmp_path / "demo.yaml", str(out), [])
  assert ran[-1] == "e" and (out / "onnx" / "e.out").exists()
  (out / "a" / "ckpt.safetensors").unlink()
  with pytest.raises(ValueError, match=r"demo step a: its output .*/a has lost its checkpoint, and the steps after it \(r, e\) ran on"):
    demo.run(tmp_path / "demo.yaml", str(out), [])

def test_two_demos_into_one_folder_and_paths_of_a_moved_one(tmp_path):
  """Session 28 (a hostile user): two demos into one --out ran side by side (record's segments collided, each rewrote
  demo_state.json); the second is refused naming the first. A moved demo's saved results name the new folder."""
  from drivegpt.demo import _lock, _moved
  held = _lock(tmp_path)
  with pytest.raises(ValueError, match=f"{tmp_path}: another demo is running in this folder \\(pid {os.getpid()}\\)"): _lock(tmp_path)
  held.close()
  _lock(tmp_path).close()
  assert _moved({"a": ["/x/old/r", "/x/older", "/x/old"], "b": 3}, "/x/old", "/y/new") == {"a": ["/y/new/r", "/x/older", "/y/new"], "b": 3}
  assert _moved(["d1/a", "data.shards=d1/x", "d10/y", "k=v"], "d1", "d2") == ["d2/a", "data.shards=d2/x", "d10/y", "k=v"]  # relative, key=path
  from drivegpt.demo import _old_root  # a state saved before it kept its folder: found from a step's argv and template
  assert _old_root({"record": {"argv": ["record", "--out", "/old/d/raw"], "template": ["record", "--out", "{out}/raw"]}}) == "/old/d"
  # --fresh on a folder a demo is running in deleted its files (the lock was taken after): refused first; a failed run
  # (its traceback kept) no longer holds the folder
  from drivegpt.demo import run
  (tmp_path / "demo_state.json").write_text("{}")
  held = _lock(tmp_path)
  with pytest.raises(ValueError, match="another demo is running in this folder"): run(ROOT / "tests/data/demo-tiny.yaml", str(tmp_path), [], fresh=True)
  assert (tmp_path / "demo_state.json").exists()
  held.close()
  import drivegpt.demo as demo
  # session 39: two --fresh demos at once both deleted the folder, and one failed on a file the other had removed ("No such
  # file or directory: 'f15377'"): the folder is moved aside under the lock, and the one that finds it gone says so
  def gone(*a): raise FileNotFoundError(a[0])
  demo.os.rename, real_rename = gone, demo.os.rename
  try:
    with pytest.raises(ValueError, match="another demo is emptying .* at this moment"): run(ROOT / "tests/data/demo-tiny.yaml", str(tmp_path), [], fresh=True)
  finally: demo.os.rename = real_rename
  assert (tmp_path / "demo_state.json").exists()
  def fail(*a): raise RuntimeError("a step failed")
  real, demo._run = demo._run, fail
  try:
    with pytest.raises(RuntimeError) as failed: run(ROOT / "tests/data/demo-tiny.yaml", str(tmp_path), [])
  finally: demo._run = real
  _lock(tmp_path).close()
  assert failed.value  # (kept, as a notebook keeps its last traceback)

def test_an_out_that_is_a_file_is_named_as_such(tmp_path, capsys):
  """--out a file (demo, export, export-commavq, tokenize, rollout): "error: [Errno 17] File exists: 'x'" named neither
  the problem nor the fix. The front door says what is in the way."""
  from drivegpt.cli import main as cli
  (tmp_path / "afile").write_text("x")
  assert cli(["demo", "--out", str(tmp_path / "afile")]) == 2
  assert f"drivegpt demo: error: {tmp_path / 'afile'}: something of that name is in the way (File exists)" in capsys.readouterr().err
  import drivegpt.demo as demo
  def nested(*a): (tmp_path / "afile" / "sub").mkdir(parents=True)
  real, demo.run = demo.run, nested
  try: assert cli(["demo", "--out", str(tmp_path / "x")]) == 2
  finally: demo.run = real
  assert f"{tmp_path / 'afile' / 'sub'}: a folder on that path is a file (Not a directory)" in capsys.readouterr().err


def test_an_out_starting_with_a_dash_reaches_the_steps_as_a_path(monkeypatch, tmp_path):
    """Session 40 (a hostile-paths review): demo --out=-demo passed `--out -demo/raw` to record, which read it as an option."""
    import drivegpt.demo as demo
    seen = []
    monkeypatch.setattr(demo, "run", lambda config, out, overrides, fresh: seen.append(out) or {})
    monkeypatch.chdir(tmp_path)
    assert demo.main(["--out=-demo"]) == 0 and seen == ["./-demo"]
    assert [a for _, argv in demo.load_steps(demo.DEFAULT_CONFIG, seen[0], []) for a in argv if "-demo" in a][0].startswith("./-demo")


def test_an_override_out_of_range_is_refused_before_any_step():
    """Session 40 (a demo review): a value the step's config refuses by a range check ("iterations must be >= 1") passed
    the up-front check (only "key:" messages counted) and failed when its step came up, after record, ingest, vqvae..."""
    import drivegpt.demo as demo
    for item, msg in (("ppo.iterations=0", "iterations must be >= 1"), ("bc.val_fraction=2", "val_fraction must be in (0, 1)"),
                      ("world.data.frame_stride=0", "data.frame_stride must be >= 1"), ("ppo.ppo.clip=-1", "ppo.clip is out of range")):
        with pytest.raises(ValueError, match=f"override '{re.escape(item)}': {re.escape(msg)}"):
            demo.load_steps(demo.DEFAULT_CONFIG, "/tmp/none", [item])
    assert demo.load_steps(demo.DEFAULT_CONFIG, "/tmp/none", ["ppo.iterations=3"])
    # session 51 (a review): a step's option (vqvae.--config=FILE, appended: "--config given twice" at that step) and
    # strides that differ (bc.stride=2: PPO refused them, after every step before it) are refused up front
    with pytest.raises(ValueError, match=r"override 'vqvae.--config=/x.yaml': a step's --options are not overridden"):
        demo.load_steps(demo.DEFAULT_CONFIG, "/tmp/none", ["vqvae.--config=/x.yaml"])
    with pytest.raises(ValueError, match=r"frame strides differ \(world 4, disengage 4, bc 2\)"):
        demo.load_steps(demo.DEFAULT_CONFIG, "/tmp/none", ["bc.stride=2"])
    assert demo.load_steps(demo.DEFAULT_CONFIG, "/tmp/none", ["bc.stride=2", "disengage.stride=2", "world.data.frame_stride=2"])

def test_the_demos_stride_check_reads_every_spelling_of_algo(tmp_path):
    """--algo=bc, --algo=ppo, or no --algo (bc, train-policy's default): the stride check took only `--algo, ppo`."""
    import drivegpt.demo as demo
    (tmp_path / "d.yaml").write_text('steps:\n  world: [train-world, "data.tokens=t", "out={out}/w", data.frame_stride=4]\n'
                                     '  bc: [train-policy, "tokens=t", "vqvae=v", "out={out}/bc", stride=4]\n'
                                     '  ppo: [train-policy, --algo=ppo, "world={out}/w", "tokens=t", "disengage=d", "bc={out}/bc", "out={out}/p"]\n')
    with pytest.raises(ValueError, match=r"frame strides differ \(world 4, bc 2\)"): demo.load_steps(tmp_path / "d.yaml", "/tmp/none", ["bc.stride=2"])
    assert demo._algo(["train-policy", "--algo", "ppo"]) == "ppo" and demo._algo(["train-policy", "--algo=bc"]) == "bc" and demo._algo(["train-policy"]) == "bc"


def test_ctrl_c_in_a_stage_is_a_line_not_a_traceback(monkeypatch, capsys):
    """Session 40 (a demo review): Ctrl-C in a stage printed a dozen frames of traceback (into numpy) above the demo's
    own message; now one line and exit 130, as the demo's."""
    import importlib
    from drivegpt.cli import COMMANDS, main
    module, fn, _ = COMMANDS["train-vqvae"]
    def interrupted(argv): raise KeyboardInterrupt
    monkeypatch.setattr(importlib.import_module(module), fn, interrupted)
    assert main(["train-vqvae"]) == 130
    err = capsys.readouterr().err
    assert "drivegpt train-vqvae: interrupted" in err and "Traceback" not in err



def test_an_error_line_starts_on_its_own_line_after_a_progress_bar(monkeypatch, capsys):
    """Session 44: a stage that failed mid-run left its progress bar open, and the error line began at the end of the
    bar's line ('... 3/10 [00:00<?]drivegpt train-vqvae: error: ...'), both as `drivegpt X` and `python -m X`."""
    import sys
    from tqdm import tqdm
    import train.vqvae as vq
    from drivegpt.cli import main
    from train.stage import run_main
    bars = []   # (held, as a stage's frame holds its bar while the error propagates)
    def fails(argv):
        bars.append(tqdm(total=10, file=sys.stderr, desc="train-vqvae"))
        bars[-1].update(3)
        raise ValueError("the loss is nan at step 3")
    monkeypatch.setattr(vq, "main", fails)
    assert main(["train-vqvae"]) == 2
    err = capsys.readouterr().err
    assert "3/10" in err and err.endswith("\ndrivegpt train-vqvae: error: the loss is nan at step 3\n"), err
    assert run_main(fails, []) == 2
    err = capsys.readouterr().err
    assert "3/10" in err and err.endswith("\nerror: the loss is nan at step 3\n"), err

def test_report_pictures_under_a_report_folder_rollouts_in_number_order_and_whole_floats(tmp_path):
  """A review: --out under a folder named report hid every picture (the filter read the whole path); 12 rollouts showed
  rollout_0, 1, 10, 11 (sorted as text); a float 123456.0 showed as 1.235e+05."""
  from drivegpt.demo import write_report
  root = tmp_path / "report" / "demo"
  (root / "vqvae").mkdir(parents=True); (root / "rollouts").mkdir()
  (root / "vqvae" / "recon.png").write_bytes(b"png")
  for i in range(12): (root / "rollouts" / f"rollout_{i}.mp4").write_bytes(b"mp4")
  page = write_report(root, [("vqvae", ["train-vqvae"])], {"vqvae": {"seconds": 3, "results": [{"frames": 123456.0, "psnr": 22.8971}]}}).read_text()
  assert "<img src='vqvae/recon.png'>" in page
  assert [f"rollout_{i}.mp4" in page.split("<h2>Rollouts</h2>")[1].split("<h2>")[0] for i in (0, 1, 2, 3, 10, 11)] == [True]*4 + [False]*2
  assert "<td>123456</td>" in page and "<td>22.9</td>" in page
  (root / "w #1?").mkdir(); (root / "w #1?" / "loss.png").write_bytes(b"png")   # a link's `#` or `?` cut it (a review)
  assert "<img src='w%20%231%3F/loss.png'>" in write_report(root, [("vqvae", ["train-vqvae"])], {}).read_text()

def test_review_52_report_numbers_past_ten_thousand_are_not_in_e_notation():
  """report.html showed 12345.67 seconds as 1.235e+04 (a review)."""
  from drivegpt.demo import _fmt
  assert [_fmt(v) for v in (12345.67, 123456.0, 3.14159, 0.5, -23456.7, 1.5e12)] == ["12346", "123456", "3.142", "0.5", "-23457", "1.5e+12"]

def test_review_52_a_warning_mid_bar_starts_its_own_line(monkeypatch, capsys):
  """A stage's warning printed while its progress bar was open went on the end of the bar's line (a review)."""
  import sys, types
  from tqdm import tqdm
  from drivegpt import cli
  def stage(argv):
    bar = tqdm(total=3, desc="stage", file=sys.stderr)
    bar.update(1)
    print("warning: something", file=sys.stderr)
    bar.update(2); bar.close()
    print("done", file=sys.stderr)
    return 0
  monkeypatch.setitem(sys.modules, "fake_stage", types.SimpleNamespace(main=stage))
  monkeypatch.setitem(cli.COMMANDS, "fake", ("fake_stage", "main", "a test"))
  assert cli.main(["fake"]) == 0
  err = capsys.readouterr().err
  assert "\nwarning: something\n" in err and "\ndone\n" in err and not isinstance(sys.stderr, cli.LineAfterBars)

def test_review_52_a_demo_log_that_cant_be_written_still_marks_the_step_failed(tmp_path, capsys):
  """On a full disk a failed step's note to demo.log raised OSError naming no file, which escaped the demo's failure
  handling: the step stayed "running" and a re-run with other arguments was refused (a review)."""
  from drivegpt.demo import run_step
  (tmp_path / "afile").write_text("x")
  log = tmp_path / "afile" / "demo.log"   # (can't be opened: a folder on its path is a file)
  with pytest.raises(RuntimeError, match="demo step x failed"): run_step("x", ["no-such-command"], log)
  assert f"warning: {log}: can't write it" in capsys.readouterr().err
