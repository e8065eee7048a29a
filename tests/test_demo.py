"""drivegpt demo end to end at a tiny size (tests/data/demo-tiny.yaml: every step of configs/demo.yaml, a few frames
each): every step runs, report.html names their results, a second run skips what is done; and every stage command
rejects a bad config key or option with a message naming it and a non-zero exit."""
import json, os, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]

def drivegpt(*args, timeout=600) -> subprocess.CompletedProcess:
  return subprocess.run([sys.executable, "-m", "drivegpt", *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                        env={**os.environ, "DRIVEGPT_THREADS": "2"})

def test_tiny_demo_runs_every_step_and_resumes(tmp_path):
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
  assert steps["export-driving"]["driving_policy"]["max_abs_diff_vs_engine"] < 1e-4 and (out / "onnx" / "driving_vision.onnx").exists()
  report = (out / "report.html").read_text()
  for name in steps: assert f"<h2>{name}</h2>" in report
  assert "recon.png" in report and "<video" in report
  again = drivegpt("demo", "--config", ROOT / "tests/data/demo-tiny.yaml", "--out", out)
  assert again.returncode == 0 and again.stderr.count("done before, skipped") == len(steps), again.stderr[-2000:]
  # a step run again with other arguments: the steps after it were skipped and their old outputs mixed into the report
  changed = drivegpt("demo", "--config", ROOT / "tests/data/demo-tiny.yaml", "--out", out, "world.steps=4")
  assert changed.returncode != 0 and "demo step world ran before as" in changed.stderr and "use another --out" in changed.stderr, changed.stderr[-2000:]

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
