"""VQVAE tokenizer: quantizer against a numpy float64 reference, dead-code restarts, tokenize -> decode, commaVQ files,
config errors, and exact resume after SIGKILL."""
import json, os, re, shutil, signal, subprocess, sys, time, zlib
from pathlib import Path
import numpy as np
import pytest
from drivegpt import Tensor
from drivegpt.models.vqvae import VQVAE, VQVAEConfig, VectorQuantizer, to_frames, to_input, space_to_depth, depth_to_space
from train.stage import ConfigError, load_config, to_dict
from drivegpt.nn.optim import warmup_cosine
from train.vqvae import TrainConfig, load_tokenizer
from train.tokenize import (export_commavq, import_commavq, read_commavq, read_token_shard, tokenize, tokenize_shard,
                            write_commavq)
from drivegpt.cli import main as cli

REPO = Path(__file__).resolve().parents[1]

def rng_for(name: str) -> np.random.Generator: return np.random.default_rng(zlib.crc32(name.encode()))

def quantizer(K=16, D=8, decay=0.9, threshold=0.05, restart=0.5, beta=0.25) -> VectorQuantizer:
  return VectorQuantizer(VQVAEConfig(n_codes=K, code_dim=D, ema_decay=decay, dead_threshold=threshold, restart_count=restart, beta=beta))

def set_state(q: VectorQuantizer, codebook: np.ndarray, count: np.ndarray) -> None:
  for t, v in ((q.codebook, codebook), (q.ema_count, count), (q.ema_sum, codebook * count[:, None])):
    t.assign(Tensor(v.astype(np.float32))).realize()

def reference(z: np.ndarray, codebook: np.ndarray, count: np.ndarray, decay: float, beta: float):
  """numpy float64: nearest codes, quantized z, commitment loss, EMA count, sum and codebook."""
  flat = z.transpose(0, 2, 3, 1).reshape(-1, z.shape[1]).astype(np.float64)
  cb = codebook.astype(np.float64)
  idx = ((flat[:, None, :] - cb[None]) ** 2).sum(-1).argmin(1)
  q = cb[idx]
  onehot = np.eye(len(cb))[idx]
  new_count = decay * count + (1 - decay) * onehot.sum(0)
  new_sum = decay * cb * count[:, None] + (1 - decay) * onehot.T @ flat
  return idx, q, beta * ((flat - q) ** 2).mean(), new_count, new_sum, new_sum / new_count[:, None]

def test_quantizer_forward_backward_and_ema_match_numpy():
  rng = rng_for("quantizer")
  B, D, h, w, K, decay, beta = 2, 8, 3, 4, 16, 0.9, 0.25
  q = quantizer(K, D, decay, beta=beta)
  codebook, count = rng.standard_normal((K, D)), rng.uniform(0.5, 2.0, K)  # every code alive: no restarts
  set_state(q, codebook, count)
  z_np = rng.standard_normal((B, D, h, w)).astype(np.float32)
  r_np = rng.standard_normal((B, D, h, w)).astype(np.float32)
  z = Tensor(z_np, requires_grad=True)
  with Tensor.train():
    z_q, codes, commit = q(z)
    loss = (z_q * Tensor(r_np)).sum() + commit
    loss.backward()
    Tensor.corealize([z_q, z.grad, codes, commit, *q.buffers()])  # z_q read before the codebook update lands
  idx, q_ref, commit_ref, count_ref, sum_ref, cb_ref = reference(z_np, codebook, count, decay, beta)
  np.testing.assert_array_equal(codes.numpy().reshape(-1), idx)
  assert codes.numpy().shape == (B, h, w)
  np.testing.assert_allclose(z_q.numpy().transpose(0, 2, 3, 1).reshape(-1, D), q_ref, rtol=1e-5, atol=1e-5)  # forward: the codes
  np.testing.assert_allclose(commit.item(), commit_ref, rtol=1e-5)
  # straight-through: dL/dz = R (through z_q as if it were z) + the commitment term's 2*beta*(z - q)/numel
  flat_z = z_np.transpose(0, 2, 3, 1).reshape(-1, D).astype(np.float64)
  grad_ref = 2 * beta * (flat_z - q_ref) / flat_z.size
  grad_ref = grad_ref.reshape(B, h, w, D).transpose(0, 3, 1, 2) + r_np
  np.testing.assert_allclose(z.grad.numpy(), grad_ref, rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(q.ema_count.numpy(), count_ref, rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(q.ema_sum.numpy(), sum_ref, rtol=1e-5, atol=1e-5)
  np.testing.assert_allclose(q.codebook.numpy(), cb_ref, rtol=1e-4, atol=1e-5)

def test_eval_mode_leaves_codebook_alone():
  rng = rng_for("eval mode")
  q = quantizer()
  codebook, count = rng.standard_normal((16, 8)), rng.uniform(0.5, 2.0, 16)
  set_state(q, codebook, count)
  Tensor.training = False
  q(Tensor(rng.standard_normal((1, 8, 2, 2)).astype(np.float32)))[0].realize()
  np.testing.assert_allclose(q.codebook.numpy(), codebook, rtol=1e-6)
  np.testing.assert_allclose(q.ema_count.numpy(), count, rtol=1e-6)

def test_dead_code_restarts_at_an_encoder_output():
  rng = rng_for("dead code")
  K, D, decay, threshold, restart = 16, 8, 0.9, 0.05, 0.5
  q = quantizer(K, D, decay, threshold, restart)
  codebook, count = rng.standard_normal((K, D)), rng.uniform(0.5, 2.0, K)
  dead = [3, 11]
  codebook[dead] += 100.0  # far from every z: never picked, so their counts decay further below the threshold
  count[dead] = 0.01
  set_state(q, codebook, count)
  z_np = rng.standard_normal((2, D, 4, 4)).astype(np.float32)
  with Tensor.train():
    q(Tensor(z_np))
    Tensor.corealize(q.buffers())
  _, _, _, count_ref, _, cb_ref = reference(z_np, codebook, count, decay, 0.25)
  flat = z_np.transpose(0, 2, 3, 1).reshape(-1, D)
  new_cb, new_count = q.codebook.numpy(), q.ema_count.numpy()
  for j in dead:  # restarted: exactly one of this batch's encoder outputs, with the restart count
    assert np.abs(flat - new_cb[j]).max(axis=1).min() < 1e-6, f"code {j} was not restarted at an encoder output"
    assert new_count[j] == pytest.approx(restart)
  alive = [j for j in range(K) if j not in dead]
  assert (count_ref[alive] >= threshold).all()  # the others are alive in the reference too: plain EMA
  np.testing.assert_allclose(new_cb[alive], cb_ref[alive], rtol=1e-4, atol=1e-5)
  np.testing.assert_allclose(new_count[alive], count_ref[alive], rtol=1e-5)

def test_space_to_depth_round_trip():
  x = rng_for("s2d").standard_normal((2, 3, 16, 32)).astype(np.float32)
  y = space_to_depth(Tensor(x), 4)
  assert y.shape == (2, 48, 4, 8)
  np.testing.assert_array_equal(y.numpy()[0, :, 1, 2].reshape(3, 4, 4), x[0, :, 4:8, 8:12])  # one block becomes channels
  np.testing.assert_array_equal(depth_to_space(y, 4).numpy(), x)

# *** token shards ***

TINY = {"image_size": (128, 256), "patch": 8, "width": 8, "mults": (1, 2), "enc_blocks": 0, "dec_blocks": 1, "attention": False,
        "groups": 4, "code_dim": 4, "n_codes": 32}

def test_eval_caps_an_exact_frames_psnr_and_counts_it(monkeypatch):
  """A frame decoded exactly (a black one) counted 120 dB (the 1e-12 floor): one in ten raised the mean ~10 dB. Each
  frame's PSNR is at most that of 8-bit rounding noise now, and the exact frames are counted. An empty set's perplexity
  was 1.0; frames under SSIM's 11-pixel window trained, then failed at the first checkpoint."""
  import train.vqvae as tv
  rng = np.random.default_rng(12)
  frames = smooth_frames(rng, 4, 32, 64)
  noisy = np.clip(frames.astype(int) + rng.integers(-20, 21, frames.shape), 0, 255).astype(np.uint8)
  codes = np.array([[0, 1], [2, 3], [4, 4], [4, 4]], np.int32)  # 4 codes once, one 4 times, 3 of the 8 never: usage 5/8
  monkeypatch.setattr(tv, "reconstruct_fn", lambda model: lambda x: (Tensor(tv.to_input(np.concatenate([frames[:1], noisy[1:]]))), Tensor(codes)))
  model = type("M", (), {"config": type("C", (), {"n_codes": 8})()})()
  m, _ = tv.evaluate_frames(model, iter([frames]))
  mse = ((noisy[1:].astype(np.float64) - frames[1:]) / 255) ** 2
  want = np.mean([tv.MAX_PSNR] + [10 * np.log10(1 / e) for e in mse.mean(axis=(1, 2, 3))])
  assert abs(m["psnr"] - want) < 1e-9 and m["exact_frames"] == 1 and 58 < tv.MAX_PSNR < 60
  # usage and perplexity by hand: p = (1/8 x 4, 1/2), entropy 2 ln 2, perplexity e^(2 ln 2) = 4
  assert m["codebook_usage"] == 5 / 8 and m["perplexity"] == pytest.approx(4.0, rel=1e-12)
  # SSIM (Wang et al.: 11x11 Gaussian window, sigma 1.5, valid, C1 = (0.01 L)^2, C2 = (0.03 L)^2) with the 2-D window
  # itself over every position, against the separable filter the code uses
  g = np.exp(-0.5 * ((np.arange(11) - 5) / 1.5) ** 2); w2 = np.outer(g, g) / np.outer(g, g).sum()
  def ssim_ref(a, b):
    win = lambda x: np.einsum("nhwcij,ij->nhwc", np.lib.stride_tricks.sliding_window_view(x, (11, 11), axis=(1, 2)), w2)
    x, y = a.astype(np.float64), b.astype(np.float64)
    mx, my = win(x), win(y)
    vx, vy, cxy = win(x * x) - mx**2, win(y * y) - my**2, win(x * y) - mx * my
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    return (((2*mx*my + c1) * (2*cxy + c2)) / ((mx**2 + my**2 + c1) * (vx + vy + c2))).mean(axis=(1, 2, 3))
  np.testing.assert_allclose(tv.ssim(frames, noisy), ssim_ref(frames, noisy), rtol=1e-9)
  assert m["ssim"] == pytest.approx(np.mean(ssim_ref(frames, np.concatenate([frames[:1], noisy[1:]]))), rel=1e-9)
  assert tv.ssim(frames, frames) == pytest.approx(1.0, abs=1e-12)
  assert np.isnan(tv.evaluate_frames(model, iter([]))[0]["perplexity"])
  assert np.isnan(tv.evaluate_frames(model, iter([]))[0]["codebook_usage"])  # (no frames read as 0% of codes used: session 40)
  with pytest.raises(ConfigError, match="model.image_size: .* at least 11 pixels"):  # training refuses it; a run loads
    tv.train(load_config(TrainConfig, overrides=["model.image_size=[8, 16]", "model.patch=2", "model.mults=[1, 2]", "data.shards=/nowhere"]))

def test_position_biases_add_to_the_decoder_and_learn():
  model = VQVAE(VQVAEConfig(**{**TINY, "pos_bias": True}))
  dec, params = model.decoder, [id(p) for p in model.parameters()]
  assert id(dec.grid_bias) in params and id(dec.frame_bias) in params
  assert dec.grid_bias.shape == (1, 16, 8, 16) and dec.frame_bias.shape == (1, 3, 128, 256)
  rng = rng_for("pos_bias")
  z, w, b = (rng.standard_normal(s).astype(np.float32) for s in ((2, 4, 8, 16), (2, 3, 128, 256), (1, 3, 128, 256)))
  plain = dec(Tensor(z)).numpy()                            # zero biases at initialization
  dec.frame_bias.assign(Tensor(b)).realize()
  np.testing.assert_allclose(dec(Tensor(z)).numpy(), plain + b, atol=1e-5)  # the frame bias adds per pixel
  dec.frame_bias.requires_grad = True
  (dec(Tensor(z)) * Tensor(w)).sum().backward()
  np.testing.assert_allclose(dec.frame_bias.grad.numpy(), w.sum(0, keepdims=True), rtol=1e-5, atol=1e-5)
  dec.grid_bias.assign(Tensor(rng.standard_normal((1, 16, 8, 16)).astype(np.float32))).realize()
  assert np.abs(dec(Tensor(z)).numpy() - plain - b).max() > 1e-3  # the grid bias changes what the codes decode to

def write_frame_shard(path: Path, frames: np.ndarray, seed: int = 0) -> dict:
  """A shard in data.ingest's layout (frames plus per-frame signals and has_* flags); returns the signals."""
  import h5py
  rng = np.random.default_rng(seed)
  n = len(frames)
  signals = {"frame_times": np.arange(n) / 20.0, "pose": rng.standard_normal((n, 6)).astype(np.float32),
             "speed": rng.uniform(0, 30, n).astype(np.float32), "steering": rng.standard_normal(n).astype(np.float32),
             "action": rng.standard_normal((n, 2)).astype(np.float32), "disengage": (rng.uniform(size=n) < 0.2).astype(np.uint8),
             "disengage_cause": rng.integers(0, 9, n).astype(np.uint8)}
  with h5py.File(path, "w") as f:
    f.create_dataset("frames", data=frames, chunks=(1, *frames.shape[1:]))
    for k, v in signals.items(): f.create_dataset(k, data=v)
    f.attrs.update({"has_pose": True, "has_can": True, "has_action": True, "has_disengage": False, "fps": 20.0, "route": path.stem})
  return signals

def smooth_frames(rng: np.random.Generator, n: int, h: int = 128, w: int = 256) -> np.ndarray:
  """Frames with sky/road-like gradients and a few boxes: compressible, not noise."""
  y = np.linspace(0, 1, h)[None, :, None, None]
  base = (np.array([90, 140, 200]) * (1 - y) + np.array([80, 85, 90]) * y) * np.ones((n, 1, w, 1))
  for i in range(n):
    r, c = rng.integers(0, h - 16), rng.integers(0, w - 32)
    base[i, r:r + 16, c:c + 32] = rng.integers(0, 255, 3)
  return np.clip(base + rng.normal(0, 2, base.shape), 0, 255).astype(np.uint8)

def make_run(tmp_path: Path, model_cfg: dict) -> Path:
  """A run directory with a freshly initialized checkpoint of a tiny tokenizer."""
  from train.stage import Run
  cfg = load_config(TrainConfig, overrides=[f"out={tmp_path / 'run'}"] + [f"model.{k}={json.dumps(list(v) if isinstance(v, tuple) else v)}"
                                                                            for k, v in model_cfg.items()])
  Tensor.manual_seed(1)
  model = VQVAE(cfg.model)
  run = Run(cfg.out, cfg)
  run.save(model, None, 0)
  return run.dir

def test_tokenize_then_decode_round_trip(tmp_path):
  rng = rng_for("tokenize")
  shards = tmp_path / "shards"
  shards.mkdir()
  frames = smooth_frames(rng, 5)
  signals = write_frame_shard(shards / "seg_a.h5", frames)
  write_frame_shard(shards / "seg_b.h5", smooth_frames(rng, 3), seed=1)
  run = make_run(tmp_path, TINY)
  results = tokenize(str(run), str(shards), str(tmp_path / "tokens"), use_ray=False, batch_size=2, progress=False)
  assert [r["status"] for r in results] == ["done", "done"] and sum(r["frames"] for r in results) == 8
  tokens, sig, attrs = read_token_shard(tmp_path / "tokens" / "seg_a.h5")
  assert tokens.dtype == np.int16 and tokens.shape == (5, 8, 16)
  assert 0 <= tokens.min() and tokens.max() < TINY["n_codes"]
  for k, v in signals.items():  # every per-frame signal travels alongside, bit for bit
    np.testing.assert_array_equal(sig[k], v)
  assert attrs["has_pose"] and not attrs["has_disengage"] and json.loads(attrs["tokenizer"])["model"]["n_codes"] == TINY["n_codes"]
  model, _ = load_tokenizer(str(run))
  Tensor.training = False
  np.testing.assert_array_equal(model.encode(Tensor(to_input(frames))).numpy(), tokens)  # batching changes nothing
  decoded = model.decode(Tensor(tokens.astype(np.int32)))
  assert decoded.shape == (5, 3, 128, 256) and decoded.dtype.np == np.float32
  out = to_frames(decoded.numpy())
  assert out.dtype == np.uint8 and out.shape == frames.shape
  # a re-run keeps the existing token shards, and deletes the half-written file of a killed run, not a live run's
  dead = subprocess.Popen([sys.executable, "-c", "pass"]); dead.wait()
  killed = tmp_path / "tokens" / f".seg_a.h5.tmp-{os.uname().nodename}-{dead.pid}"
  live = tmp_path / "tokens" / f".seg_b.h5.tmp-{os.uname().nodename}-{os.getpid()}"
  killed.write_bytes(b"half"); live.write_bytes(b"half")
  assert [r["status"] for r in tokenize(str(run), str(shards), str(tmp_path / "tokens"), use_ray=False, progress=False)] == ["skipped"] * 2
  assert not killed.exists() and live.exists()
  live.unlink()
  # the whole folder moved (a demo's, renamed): kept too (session 28: "a token shard from another checkpoint", by path)
  import shutil
  shutil.copytree(tmp_path, tmp_path.parent / f"{tmp_path.name}-moved", copy_function=shutil.copy2)
  moved = tmp_path.parent / f"{tmp_path.name}-moved"
  assert [r["status"] for r in tokenize(str(moved / run.relative_to(tmp_path)), str(moved / shards.relative_to(tmp_path)), str(moved / "tokens"),
                                        use_ray=False, progress=False)] == ["skipped"] * 2
  # but not the tokens of another checkpoint, nor of an older version of a frame shard: those were kept silently
  other = make_run(tmp_path / "other", TINY)
  with pytest.raises(ValueError, match=r"seg_a\.h5: a token shard from another checkpoint"):
    tokenize(str(other), str(shards), str(tmp_path / "tokens"), use_ray=False, progress=False)
  # a frame shard of the same name from another folder: the refusal names the one the tokens came from (a review: "delete
  # it" read as if this shard's old version, and deleting it threw away the other folder's tokens)
  (twin := tmp_path / "twin").mkdir(); write_frame_shard(twin / "seg_a.h5", smooth_frames(rng, 4), seed=9)
  with pytest.raises(ValueError, match=f"seg_a\\.h5: a token shard from another checkpoint or an older version of {twin}/seg_a\\.h5 "
                                       f"\\(it was made from {shards.resolve()}/seg_a\\.h5 with "):
    tokenize(str(run), str(twin), str(tmp_path / "tokens"), use_ray=False, progress=False)
  write_frame_shard(shards / "seg_b.h5", smooth_frames(rng, 4), seed=2)  # re-ingested
  with pytest.raises(ValueError, match=r"seg_b\.h5: a token shard from another checkpoint or an older version"):
    tokenize(str(run), str(shards), str(tmp_path / "tokens"), use_ray=False, progress=False)
  # --out the frame shards' own folder: refused up front (it called a frame shard an old token shard, "delete it")
  before = sorted((p.name, p.stat().st_mtime_ns) for p in shards.iterdir())
  with pytest.raises(ValueError, match=f"--out {shards}/ holds frame shards \\(seg_a\\.h5\\)"):
    tokenize(str(run), str(shards), f"{shards}/", use_ray=False, progress=False)
  assert sorted((p.name, p.stat().st_mtime_ns) for p in shards.iterdir()) == before
  # a copy of them: each frame shard was called "a token shard made before token shards recorded their sources"
  shutil.copytree(shards, tmp_path / "copy")
  with pytest.raises(ValueError, match=f"--out {tmp_path / 'copy'} holds frame shards \\(seg_a\\.h5\\): token shards go into a folder of their own"):
    tokenize(str(run), str(shards), str(tmp_path / "copy"), use_ray=False, progress=False)
  # (session 35) a folder of other frame shards, none of the same name: token shards went in beside them, and the
  # folder was then refused by ingest and eval-vqvae alike; import-commavq the same
  (tmp_path / "other_frames").mkdir()
  write_frame_shard(tmp_path / "other_frames" / "zz.h5", smooth_frames(rng, 4), seed=3)
  with pytest.raises(ValueError, match=r"holds frame shards \(zz\.h5\): token shards go into a folder of their own"):
    tokenize(str(run), str(shards), str(tmp_path / "other_frames"), use_ray=False, progress=False)
  from train.tokenize import import_commavq
  (tmp_path / "npy").mkdir()
  np.save(tmp_path / "npy" / "d.npy", rng.integers(0, 1024, (5, 8, 16)).astype(np.int16))
  with pytest.raises(ValueError, match=r"holds frame shards \(zz\.h5\)"): import_commavq(str(tmp_path / "npy"), str(tmp_path / "other_frames"))
  assert sorted(p.name for p in (tmp_path / "other_frames").iterdir()) == ["zz.h5"]
  # session 44: a folder of another VQVAE's token shards, none of the same name: this one's went in beside them, exit 0
  Tensor.manual_seed(7)
  cfg2 = load_config(TrainConfig, overrides=[f"out={tmp_path / 'run2'}"] + [f"model.{k}={json.dumps(list(v) if isinstance(v, tuple) else v)}" for k, v in TINY.items()])
  from train.stage import Run
  Run(cfg2.out, cfg2).save(VQVAE(cfg2.model), None, 0)
  (shards2 := tmp_path / "shards2").mkdir()
  write_frame_shard(shards2 / "yy.h5", smooth_frames(rng, 4), seed=4)
  before = sorted(p.name for p in (tmp_path / "tokens").iterdir())
  with pytest.raises(ValueError, match=rf"--out {tmp_path / 'tokens'} holds token shards of another VQVAE \(seg_a\.h5: codebook "):
    tokenize(str(tmp_path / "run2"), str(shards2), str(tmp_path / "tokens"), use_ray=False, progress=False)
  assert sorted(p.name for p in (tmp_path / "tokens").iterdir()) == before
  # a frame shard gone from the folder: its token shard is named (train-world would still read it), and kept
  (shards / "seg_b.h5").unlink()
  import contextlib, io
  err = io.StringIO()
  with contextlib.redirect_stderr(err): tokenize(str(run), str(shards), str(tmp_path / "tokens"), use_ray=False, progress=False)
  assert f"{tmp_path / 'tokens' / 'seg_b.h5'}: tokens of {(shards / 'seg_b.h5').resolve()}, which is gone, and not in {shards}" in err.getvalue()
  assert (tmp_path / "tokens" / "seg_b.h5").exists()
  # and after the shards folder moved (none of the tokens' recorded sources lay under it: nothing was said)
  shards.rename(moved := tmp_path / "moved_shards")
  err = io.StringIO()
  with contextlib.redirect_stderr(err): tokenize(str(run), str(moved), str(tmp_path / "tokens"), use_ray=False, progress=False)
  said = [l for l in err.getvalue().splitlines() if "which is gone" in l]
  assert len(said) == 1 and "seg_b.h5: tokens of" in said[0], err.getvalue()

def test_tokenize_rerun_reports_the_frames_it_kept_and_refuses_batch_size_0(tmp_path, capsys):
  """A re-run that kept every token shard printed "frames": 0; --batch-size 0 died in "range() arg 3 must not be zero",
  -1 in "need at least one array to concatenate" (and on a re-run neither was noticed)."""
  shards = tmp_path / "shards"
  shards.mkdir()
  write_frame_shard(shards / "seg_a.h5", smooth_frames(rng_for("tokenize rerun"), 3))
  run = make_run(tmp_path, TINY)
  argv = ["tokenize", "--ckpt", str(run), "--shards", str(shards), "--out", str(tmp_path / "tokens"), "--no-ray"]
  lines = []
  for _ in range(2):
    assert cli(argv) == 0
    lines.append(json.loads(capsys.readouterr().out.strip().splitlines()[-1]))
  assert [(r["tokenized"], r["skipped"], r["frames"]) for r in lines] == [(1, 0, 3), (0, 1, 3)]
  for bad in ("0", "-1"):
    with pytest.raises(SystemExit) as e: cli(argv + ["--batch-size", bad])
    assert e.value.code == 2 and f"argument --batch-size: must be an integer >= 1, got '{bad}'" in capsys.readouterr().err
  # a --ray-address with one shard or none to do was never tried, without a word (session 41)
  argv[-1:] = ["--ray-address", "127.0.0.1:1"]
  assert cli(argv) == 0 and "--ray-address 127.0.0.1:1 not used: 0 shard(s) to tokenize" in capsys.readouterr().err

def test_a_damaged_token_shard_in_the_output_is_named_so(tmp_path):
  """A truncated token shard already in --out was called "made before token shards recorded their sources"."""
  from train.tokenize import tokenize
  shards = tmp_path / "shards"
  shards.mkdir()
  write_frame_shard(shards / "seg_a.h5", smooth_frames(rng_for("damaged token shard"), 3))
  run = make_run(tmp_path, TINY)
  tokenize(str(run), str(shards), str(tmp_path / "tokens"), use_ray=False, progress=False)
  out = tmp_path / "tokens" / "seg_a.h5"
  out.write_bytes(out.read_bytes()[:700])
  with pytest.raises(ValueError, match=r"seg_a\.h5: not a readable token shard \(truncated or damaged"):
    tokenize(str(run), str(shards), str(tmp_path / "tokens"), use_ray=False, progress=False)

def test_tokenize_yaw_copies(tmp_path, capsys):
  from data.augment import yaw_augment
  from rl.data import load_driving_segments
  from train.world_data import load_segments, split_segments
  rng = rng_for("yaw copies")
  shards = tmp_path / "shards"
  shards.mkdir()
  frames = smooth_frames(rng, 6)
  signals = write_frame_shard(shards / "seg_a.h5", frames)
  import h5py
  with h5py.File(shards / "seg_a.h5", "a") as f: f.attrs["checksum"] = "c0ffee"  # the video's, as ingest writes it
  run = make_run(tmp_path, TINY)
  out = tmp_path / "tokens"
  results = tokenize(str(run), str(shards), str(out), use_ray=False, progress=False, yaw_copies=2, yaw_px=30)
  assert results[0]["frames"] == 18 and sorted(p.name for p in out.iterdir() if p.name != ".lock") == ["seg_a-yaw0.h5", "seg_a-yaw1.h5", "seg_a.h5"]
  model, _ = load_tokenizer(str(run))
  Tensor.training = False
  for k in range(2):  # each copy: the slid frames' tokens, the turned poses, every other signal as recorded
    tokens, sig, attrs = read_token_shard(out / f"seg_a-yaw{k}.h5")
    fr, pose, s = yaw_augment(frames, signals["pose"], f"c0ffee-yaw{k}", 30)  # keyed by the video, not the path
    assert json.loads(attrs["augment"])["slide_px"] == s.tolist()
    slid = slid + np.abs(s).sum() if k else np.abs(s).sum()
    np.testing.assert_array_equal(tokens, model.encode(Tensor(to_input(fr))).numpy())
    np.testing.assert_array_equal(sig["pose"], pose)
    np.testing.assert_array_equal(sig["speed"], signals["speed"])
    assert attrs["segment"] == f"seg_a-yaw{k}" and attrs["route"] == "seg_a"
  assert slid > 0  # (an offset of 0 px a frame would make the copies the recording)
  # the same recording ingested from another folder (another segment id, its path's hash) gets the same copies
  (tmp_path / "moved").mkdir()
  shutil.copy(shards / "seg_a.h5", tmp_path / "moved" / "seg_a-1234abcd.h5")
  with h5py.File(tmp_path / "moved" / "seg_a-1234abcd.h5", "a") as f: f.attrs["segment"] = "seg_a-1234abcd"
  tokenize(str(run), str(tmp_path / "moved"), str(tmp_path / "moved_tokens"), use_ray=False, progress=False, yaw_copies=2, yaw_px=30)
  for k in range(2):
    assert read_token_shard(tmp_path / "moved_tokens" / f"seg_a-1234abcd-yaw{k}.h5")[2]["augment"] == read_token_shard(out / f"seg_a-yaw{k}.h5")[2]["augment"]
  # a re-run skips all three; other slide settings are another set of tokens, refused by name, and so are fewer copies
  assert [r["status"] for r in tokenize(str(run), str(shards), str(out), use_ray=False, progress=False, yaw_copies=2, yaw_px=30)] == ["skipped"]
  with pytest.raises(ValueError, match=r"seg_a-yaw0\.h5: a token shard of .* made with another --yaw-px"):   # (said "another checkpoint": session 45)
    tokenize(str(run), str(shards), str(out), use_ray=False, progress=False, yaw_copies=2, yaw_px=10)
  # copies made by an older data/augment.py (session 51, a review: kept as they were, "skipped", after 49130d0 changed
  # their poses); the copies say the focal length they used
  from train.world_data import load_segments as load_tokens   # a folder of copies alone is named so (it said "no segments")
  (tmp_path / "copies").mkdir()
  shutil.copy(out / "seg_a-yaw0.h5", tmp_path / "copies" / "seg_a-yaw0.h5")
  with pytest.raises(ValueError, match=r"copies holds only yaw-augmented copies \(1, tokenize --yaw-copies\)"): load_tokens(str(tmp_path / "copies"), augmented=False)
  import data.augment as A
  assert json.loads(read_token_shard(out / "seg_a-yaw0.h5")[2]["augment"])["focal_px"] == pytest.approx(0.78 * frames.shape[2])
  with pytest.MonkeyPatch.context() as mp:
    mp.setattr(A, "VERSION", A.VERSION + 1)
    with pytest.raises(ValueError, match=rf"seg_a-yaw0\.h5: a token shard of .* made by another yaw augmentation \(version {A.VERSION - 1}, now {A.VERSION}"):
      tokenize(str(run), str(shards), str(out), use_ray=False, progress=False, yaw_copies=2, yaw_px=30)
  # a copy from before copies recorded their version is version 2's (made the same since 49130d0): kept
  for k in range(2):
    with h5py.File(out / f"seg_a-yaw{k}.h5", "r+") as f:
      stamp = json.loads(f.attrs["made_from"]); stamp["augment"].pop("version"); f.attrs["made_from"] = json.dumps(stamp)
  assert [r["status"] for r in tokenize(str(run), str(shards), str(out), use_ray=False, progress=False, yaw_copies=2, yaw_px=30)] == ["skipped"]
  for k in (0, 1):  # (the copies past K would still be trained on)
    with pytest.raises(ValueError, match=rf"seg_a-yaw1\.h5: a yaw copy of .*seg_a\.h5 from a run with more --yaw-copies than {k}"):
      tokenize(str(run), str(shards), str(out), use_ray=False, progress=False, yaw_copies=k)
  for px in (0.4, 65):  # nothing slid (the recording twice), or past a quarter of the width
    with pytest.raises(ValueError, match=r"--yaw-px") as e:
      tokenize(str(run), str(shards), str(tmp_path / "other"), use_ray=False, progress=False, yaw_copies=1, yaw_px=px)
    assert "re-run" not in str(e.value) and not list((tmp_path / "other").glob("*.h5"))   # (up front, session 51: "a re-run tries these again")
  import h5py
  (tmp_path / "wide").mkdir()   # a 2:1 video ingested square: its focal is that of twice the width (turns read 2x too large)
  write_frame_shard(tmp_path / "wide" / "w.h5", frames)
  with h5py.File(tmp_path / "wide" / "w.h5", "a") as f: f.attrs["video_height"], f.attrs["video_width"] = 874, 3496
  with pytest.raises(ValueError, match=r"w\.h5: its 3496x874 video was cropped across its width"):
    tokenize(str(run), str(tmp_path / "wide"), str(tmp_path / "o3"), use_ray=False, progress=False, yaw_copies=1)
  from train.tokenize import main as tokenize_main
  with pytest.raises(SystemExit): tokenize_main(["--ckpt", str(run), "--shards", str(shards), "--out", str(tmp_path / "o2"), "--yaw-px", "5"])
  assert "--yaw-px sets the slide of --yaw-copies' copies" in capsys.readouterr().err   # (it was ignored without a word)
  # the world model trains on all three (not one video thrice), holds out none of the copies; the RL stage reads the recording
  segs = load_segments(str(out))
  assert sorted((s.name, s.augmented) for s in segs) == [("seg_a-yaw0.h5", True), ("seg_a-yaw1.h5", True), ("seg_a.h5", False)]
  assert [s.name for s in split_segments(segs, "val", 0.5)] == [] and len(split_segments(segs, "train", 0.5)) == 3
  segs[0].route = "other"  # two routes: one held out
  held = split_segments(segs, "val", 0.5) + split_segments(segs, "all", 0.5)
  assert not any(s.augmented for s in split_segments(segs, "val", 0.5)) and len(held) >= 3
  with h5py.File(out / "seg_a.h5", "a") as f: f.attrs["has_disengage"] = True  # (labelled, as a recording's are)
  assert [s.name for s in load_driving_segments(str(out))] == ["seg_a.h5"]
  assert [s.name for s in load_segments(str(out), augmented=False)] == ["seg_a.h5"]  # what rollouts and PPO seed from
  assert [Path(p).name for p in export_commavq(str(out), str(tmp_path / "npy"))] == ["seg_a.npy"]
  # without poses there is nothing to turn
  write_frame_shard(shards / "seg_b.h5", smooth_frames(rng, 2))
  with h5py.File(shards / "seg_b.h5", "a") as f: f.attrs["has_pose"] = False
  with pytest.raises(ValueError, match=r"seg_b\.h5: has no poses"):
    tokenize_shard(str(run), str(shards / "seg_b.h5"), str(out), yaw_copies=1)
  # a shard without a route: its copies are its drive (not drives of their own, some held out as "recordings")
  lone = tmp_path / "lone"
  lone.mkdir()
  write_frame_shard(lone / "c.h5", smooth_frames(rng, 3))
  with h5py.File(lone / "c.h5", "a") as f: del f.attrs["route"]
  tokenize(str(run), str(lone), str(tmp_path / "lone_tok"), use_ray=False, progress=False, yaw_copies=1)
  assert {s.name: s.route for s in load_segments(str(tmp_path / "lone_tok"))} == {"c.h5": "c", "c-yaw0.h5": "c"}
  # frame shards c.h5 and c-yaw0.h5: one output for two
  write_frame_shard(lone / "c-yaw0.h5", smooth_frames(rng, 3))
  with pytest.raises(ValueError, match=r"c\.h5: its yaw copy c-yaw0\.h5 would overwrite"):
    tokenize(str(run), str(lone), str(tmp_path / "lone_tok2"), use_ray=False, progress=False, yaw_copies=1)

def test_tokenize_rejects_frames_of_another_size(tmp_path):
  write_frame_shard(tmp_path / "small.h5", np.zeros((2, 64, 128, 3), np.uint8))
  run = make_run(tmp_path, TINY)
  with pytest.raises(ValueError, match=r"small\.h5: frames are 64x128, the model's image_size is 128x256"):
    tokenize_shard(str(run), str(tmp_path / "small.h5"), str(tmp_path / "tok"))

def test_commavq_import_export_round_trip(tmp_path):
  rng = rng_for("commavq")
  flat = rng.integers(0, 1024, (1200, 128)).astype(np.int16)  # commaVQ's layout: 1200 frames x 128 tokens
  (tmp_path / "npy" / "route").mkdir(parents=True)
  np.save(tmp_path / "npy" / "route" / "seg0.npy", flat)
  np.save(tmp_path / "npy" / "seg1.npy", flat[:7].reshape(7, 8, 16).astype(np.int64))
  written = import_commavq(str(tmp_path / "npy"), str(tmp_path / "tok"))
  assert sorted(Path(p).name for p in written) == ["route_seg0.h5", "seg1.h5"]
  tokens, sig, attrs = read_token_shard(tmp_path / "tok" / "route_seg0.h5")
  assert tokens.dtype == np.int16 and tokens.shape == (1200, 8, 16) and not attrs["has_pose"]
  np.testing.assert_array_equal(tokens.reshape(1200, 128), flat)
  export_commavq(str(tmp_path / "tok"), str(tmp_path / "out"))
  back = np.load(tmp_path / "out" / "route_seg0.npy")
  assert back.dtype == np.int16 and back.shape == (1200, 8, 16)
  np.testing.assert_array_equal(back.reshape(1200, 128), flat)
  export_commavq(str(tmp_path / "tok"), str(tmp_path / "flat"), flat=True)
  np.testing.assert_array_equal(np.load(tmp_path / "flat" / "route_seg0.npy"), flat)
  np.testing.assert_array_equal(read_commavq(tmp_path / "out" / "seg1.npy"), flat[:7].reshape(7, 8, 16))
  # into the shards' own folder (or one under it) each segment was loaded twice, as its shard and as its .npy
  for out in ("tok", "tok/sub"):
    with pytest.raises(ValueError, match="inside the token shards' folder"): export_commavq(str(tmp_path / "tok"), str(tmp_path / out))
  assert not (tmp_path / "tok" / "seg1.npy").exists() and not (tmp_path / "tok" / "sub").exists()
  # a shard of another grid: the error named the .npy about to be written, beside its sidecar, already written
  from train.tokenize import write_token_shard
  (tmp_path / "small").mkdir()
  write_token_shard(tmp_path / "small" / "g.h5", flat[:5].reshape(5, 16, 8)[:, :2, :4], {"frame_times": np.arange(5) / 20}, {})
  with pytest.raises(ValueError, match=r"small/g\.h5: tokens of shape \(5, 2, 4\); commaVQ's format holds 8x16 grids"):
    export_commavq(str(tmp_path / "small"), str(tmp_path / "out3"))
  assert not (tmp_path / "out3").exists()  # (checked before the folder is made)

def test_commavq_release_pose_files_are_left_out(tmp_path, capsys):
  """Session 40 (an interop review against commaai/commavq): its 2.0 release ships <key>.pose.npy beside each
  <key>.token.npy; import-commavq and train-world read the pose file as token ids and failed the whole command."""
  from train.world_data import load_segments
  rng = rng_for("commavq-pose")
  tok = rng.integers(0, 1024, (40, 8, 16)).astype(np.int16)
  (tmp_path / "vq").mkdir()
  np.save(tmp_path / "vq" / "abc_3.token.npy", tok)
  np.save(tmp_path / "vq" / "abc_3.pose.npy", rng.normal(size=(40, 6)).astype(np.float32))
  [written] = import_commavq(str(tmp_path / "vq"), str(tmp_path / "tok"))
  tokens, _, attrs = read_token_shard(written)
  np.testing.assert_array_equal(tokens, tok)
  assert not attrs["has_pose"] and "1 commaVQ pose file(s) (abc_3.pose.npy" in capsys.readouterr().err
  [seg] = load_segments(str(tmp_path / "vq"))
  np.testing.assert_array_equal(seg.tokens.reshape(40, 8, 16), tok)

def test_a_long_legal_npy_name_imports_and_trains(tmp_path):
  """Session 40 (a hostile-paths review): a .npy named 245 bytes (legal) failed train-world naming a sidecar the user
  doesn't have (its name past 255 bytes), and import-commavq on its temp file's name."""
  from train.world_data import load_segments
  tok = rng_for("long-name").integers(0, 1024, (30, 8, 16)).astype(np.int16)
  (tmp_path / "long").mkdir()
  np.save(tmp_path / "long" / ("c" * 245 + ".npy"), tok)
  [seg] = load_segments(str(tmp_path / "long"))
  np.testing.assert_array_equal(seg.tokens.reshape(30, 8, 16), tok)
  [written] = import_commavq(str(tmp_path / "long"), str(tmp_path / "tok"))
  assert len(Path(written).name.encode()) <= 220 and Path(written).name.startswith("c" * 100)
  np.testing.assert_array_equal(read_token_shard(written)[0], tok)

def test_review_35_export_commavq_writes_all_or_nothing_and_never_over_another_export(tmp_path):
  """Session 35 (a review of hostile paths): a second export of other drives of the same name into one --out replaced
  the first's .npy (and its sidecar), leaving a mix of two exports; one bad shard stopped the export after the earlier
  ones' files were written, which an import then took for the whole export; an --out holding token shards got .npy
  files beside them, and train-world read both."""
  from train.tokenize import export_commavq, import_commavq, read_commavq, write_token_shard
  rng = rng_for("export-35")
  a, b = (rng.integers(0, 1024, (6, 8, 16)).astype(np.int16) for _ in range(2))
  for folder, toks in (("A", a), ("B", b)):
    (tmp_path / folder).mkdir()
    write_token_shard(tmp_path / folder / "drive.h5", toks, {"frame_times": np.arange(6) / 20}, {})
  export_commavq(str(tmp_path / "A"), str(tmp_path / "npy"))
  export_commavq(str(tmp_path / "A"), str(tmp_path / "npy"))   # a re-run rewrites its own files
  with pytest.raises(ValueError, match=r"npy/drive\.npy exists and holds other tokens than .*B/drive\.h5"):
    export_commavq(str(tmp_path / "B"), str(tmp_path / "npy"))
  np.testing.assert_array_equal(read_commavq(tmp_path / "npy" / "drive.npy"), a)
  write_token_shard(tmp_path / "B" / "zz.h5", b[:, :2, :4], {"frame_times": np.arange(6) / 20}, {})  # a bad shard after a good one
  with pytest.raises(ValueError, match=r"zz\.h5: tokens of shape"): export_commavq(str(tmp_path / "B"), str(tmp_path / "npy2"))
  assert not (tmp_path / "npy2").exists()
  import_commavq(str(tmp_path / "npy"), str(tmp_path / "tok"))
  with pytest.raises(ValueError, match=r"holds token shards \(drive\.h5\)"): export_commavq(str(tmp_path / "A"), str(tmp_path / "tok"))
  assert not (tmp_path / "tok" / "drive.npy").exists()

def test_commavq_names_routes_and_checks(tmp_path):
  """a/b_c.npy and a_b/c.npy made one shard (the second overwrote the first); each file was its own route (a drive's
  segments on both sides of the split); train-world read .npy files unchecked (a (N, 16, 8) grid as it was)."""
  from train.world_data import load_segments
  rng = rng_for("commavq-names")
  (tmp_path / "x" / "a").mkdir(parents=True); (tmp_path / "x" / "a_b").mkdir()
  np.save(tmp_path / "x" / "a" / "b_c.npy", rng.integers(0, 1024, (4, 128)).astype(np.int16))
  np.save(tmp_path / "x" / "a_b" / "c.npy", rng.integers(0, 1024, (3, 128)).astype(np.int16))
  with pytest.raises(ValueError, match=r"would both be token shard a_b_c\.h5"):
    import_commavq(str(tmp_path / "x"), str(tmp_path / "tok"))
  (tmp_path / "y").mkdir()
  for i in range(3): np.save(tmp_path / "y" / f"dg|2023-07-27--13-01-19--{i}.npy", rng.integers(0, 1024, (5, 128)).astype(np.int16))
  import_commavq(str(tmp_path / "y"), str(tmp_path / "ytok"))
  routes = {read_token_shard(p)[2]["route"] for p in (tmp_path / "ytok").glob("*.h5")}
  assert routes == {"dg|2023-07-27--13-01-19"} == {s.route for s in load_segments(str(tmp_path / "y"))}
  np.save(tmp_path / "y" / "t.npy", rng.integers(0, 1024, (5, 16, 8)).astype(np.int16))
  with pytest.raises(ValueError, match=r"t\.npy: expected N x 128 or N x 8 x 16"):
    load_segments(str(tmp_path / "y"))

def test_commavq_bad_files_are_named(tmp_path):
  np.save(tmp_path / "obj.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
  with pytest.raises(ValueError, match=r"obj\.npy: not a plain \.npy"):
    read_commavq(tmp_path / "obj.npy")  # never unpickled
  (tmp_path / "text.npy").write_text("abc")  # numpy said "contains pickled (object) data ... allow_pickle=": a text file
  with pytest.raises(ValueError, match=r"text\.npy: not a plain \.npy array \(no \.npy header: another kind of file\)"):
    read_commavq(tmp_path / "text.npy")
  from train.tokenize import export_commavq, import_commavq
  for f in (import_commavq, export_commavq):  # a mistyped path: "no .npy token files" / "no token shards"
    with pytest.raises(FileNotFoundError, match=f"{tmp_path / 'nope'} does not exist"): f(str(tmp_path / "nope"), str(tmp_path / "o"))
  np.save(tmp_path / "shape.npy", np.zeros((10, 100), np.int16))
  with pytest.raises(ValueError, match=r"shape\.npy: expected N x 128 or N x 8 x 16 token ids, got shape \(10, 100\)"):
    read_commavq(tmp_path / "shape.npy")
  np.save(tmp_path / "range.npy", np.full((2, 128), 1024, np.int16))
  with pytest.raises(ValueError, match=r"range\.npy: token ids must be in \[0, 1024\)"):
    read_commavq(tmp_path / "range.npy")
  np.save(tmp_path / "float.npy", np.zeros((2, 128), np.float32))
  with pytest.raises(ValueError, match=r"float\.npy: token ids must be integers"):
    read_commavq(tmp_path / "float.npy")
  with pytest.raises(ValueError, match="must be \\(N, 8, 16\\)"):
    write_commavq(tmp_path / "x.npy", np.zeros((3, 128), np.int16))
  # a 2048-code tokenizer's ids went out as "commaVQ" files that import refused; an empty shard's --flat crashed
  with pytest.raises(ValueError, match=r"big\.npy: token ids 0\.\.2042; commaVQ's format holds ids in \[0, 1024\)"):
    write_commavq(tmp_path / "big.npy", np.r_[np.arange(383) % 1024, 2042].reshape(3, 8, 16))
  write_commavq(tmp_path / "empty.npy", np.zeros((0, 8, 16), np.int16), flat=True)
  assert np.load(tmp_path / "empty.npy").shape == (0, 128)
  # a frame rate of 0 made frame times inf; a linked folder was skipped (Path.rglob does not follow links)
  with pytest.raises(ValueError, match="fps: must be a positive frame rate, got 0"):
    import_commavq(str(tmp_path / "empty.npy"), str(tmp_path / "t0"), fps=0)
  with pytest.raises(ValueError, match=r"empty\.npy: no frames \(shape \(0, 8, 16\)\): nothing to import"):  # was a 0-frame shard
    import_commavq(str(tmp_path / "empty.npy"), str(tmp_path / "t0"))
  # with a good file beside it, that one was written before the empty one was found (session 28): all are checked first
  (tmp_path / "two").mkdir()
  write_commavq(tmp_path / "two" / "a.npy", np.zeros((3, 8, 16), np.int16)); write_commavq(tmp_path / "two" / "b.npy", np.zeros((0, 8, 16), np.int16))
  with pytest.raises(ValueError, match=r"b\.npy: no frames"): import_commavq(str(tmp_path / "two"), str(tmp_path / "t2"))
  assert not list((tmp_path / "t2").glob("*.h5"))
  (tmp_path / "zero").mkdir()
  (tmp_path / "zero" / "z.npy").write_bytes(b"")  # a zero-byte file: EOFError's traceback, from import and from eval-world
  with pytest.raises(ValueError, match=r"z\.npy: not a plain \.npy array"): import_commavq(str(tmp_path / "zero"), str(tmp_path / "t1"))
  from train.world_data import load_segments
  with pytest.raises(ValueError, match=r"z\.npy: not a plain \.npy array"): load_segments(str(tmp_path / "zero"))
  (tmp_path / "store").mkdir(); (tmp_path / "src").mkdir()
  np.save(tmp_path / "store" / "seg.npy", np.ones((2, 128), np.int16))
  (tmp_path / "src" / "linked").symlink_to(tmp_path / "store")
  assert [Path(p).name for p in import_commavq(str(tmp_path / "src"), str(tmp_path / "t1"))] == ["linked_seg.h5"]

# *** config ***

@pytest.mark.parametrize("override, message", [
  ("model.widht=3", "unknown config key 'model.widht'"),
  ("stpes=3", "unknown config key 'stpes'"),
  ("steps=abc", "steps: expected an integer, got 'abc'"),
  ("steps=2.5", "steps: expected an integer, got 2.5"),
  ("model.attention=maybe", "model.attention: expected true or false"),
  ("lr=-1", "lr: must be positive"),
  ("model.ema_decay=1.5", r"model.ema_decay: must be in \[0, 1\)"),
  ("model.image_size=[100,256]", r"model.image_size: \(100, 256\) must be two sizes divisible by the downsample factor 16"),
  ("steps", "override 'steps': expected key=value"),
  ("grad_clip=-1", "grad_clip: must be positive"),  # a negative clip reversed the gradients
  ("warmup=-3", "warmup: must be >= 0"),
  ("min_lr=1", "min_lr: 1.0 is above lr"),
  ("model.restart_count=0", "model.restart_count: must be positive"),  # a restarted code's sum / 0: a NaN codebook
  ("lr=inf", "lr: must be a finite number, got inf"),                     # passed "positive" and trained to NaN, exit 0
  ("model.beta=-1", r"model.beta: must be >= 0"), ("model.enc_blocks=-2", r"model.enc_blocks: must be >= 0"),
  ("data.val_fraction=1.5", r"data.val_fraction: must be in \[0, 1\)"),
  ("model.mults=[1.5,2]", r"model.mults\[0\]: expected an integer, got 1.5"),  # a TypeError's traceback
  ("model.dead_threshold=0", r"model.dead_threshold: must be > 0, got 0"),  # no restart ever, and 0/0: a NaN codebook at step 1
  ("model.image_size=[128.0,256.0]", r"model.image_size\[0\]: expected an integer, got 128.0"),  # (a TypeError's traceback,
  ("model.image_size=['128',256]", r"model.image_size\[0\]: expected an integer, got '128'"),   #  as were these)
])
def test_bad_config_key_or_value_is_named(override, message):
  with pytest.raises(ConfigError, match=message):
    load_config(TrainConfig, overrides=[override])

def test_split_keys_beside_val_shards_are_refused(tmp_path):
  """data.val_fraction and data.split_seed beside data.val_shards (where all of data.shards is trained on) were taken
  and ignored; a run's own config.yaml (every key, these at their defaults) still loads as --config."""
  import yaml
  for k in ("data.val_fraction=0.5", "data.split_seed=3"):
    with pytest.raises(ConfigError, match=f"{k} has no effect with data.val_shards"): load_config(TrainConfig, overrides=["data.val_shards=/v", k])
    load_config(TrainConfig, overrides=[k])
  (tmp_path / "c.yaml").write_text(yaml.safe_dump(to_dict(load_config(TrainConfig, overrides=["data.val_shards=/v"]))))
  assert load_config(TrainConfig, str(tmp_path / "c.yaml")).data.val_shards == "/v"

def test_training_refuses_groups_that_do_not_divide_the_channels_and_old_runs_still_load(tmp_path):
  """GroupNorm took gcd(model.groups, channels): groups 7 ran as 1 group, 48 as 16, config.yaml saying 7 and 48. Training
  refuses such a value now; a run trained so (its weights do not depend on it) still loads for tokenize and eval."""
  from train.vqvae import load_tokenizer, train
  for groups, msg in ((7, r"model.groups: 7 must divide every level's channels \(model.width x model.mults: \[8, 16\]\); 8"), (48, "model.groups: 48 must divide")):
    cfg = load_config(TrainConfig, overrides=[f"out={tmp_path / 'r'}", "data.shards=/nowhere"] + [f"model.{k}={json.dumps(list(v) if isinstance(v, tuple) else v)}"
                      for k, v in {**TINY, "groups": groups}.items()])
    with pytest.raises(ConfigError, match=msg): train(cfg)
  run = make_run(tmp_path, {**TINY, "groups": 3})   # as an earlier version trained it
  model, _ = load_tokenizer(str(run))
  assert model.encoder.conv_out.weight.shape[1] == 16

def test_a_key_given_twice_in_a_config_file_is_refused(tmp_path):
  """yaml.safe_load kept the last of two `model:` sections: the first one's keys went back to their defaults, silently."""
  (tmp_path / "dup.yaml").write_text("model:\n  width: 8\nsteps: 3\nmodel:\n  n_codes: 16\n")
  with pytest.raises(ConfigError, match=r"dup\.yaml: key 'model' appears twice \(line 4\)"):
    load_config(TrainConfig, str(tmp_path / "dup.yaml"))

def test_an_empty_section_in_a_config_file_is_its_defaults(tmp_path):
  """Session 51 (a review): `model:` with its keys commented out was None: alone, "model: expected a mapping"; with an
  override into it, the override was blamed ("'model' is not a section"), the file not named."""
  (tmp_path / "empty.yaml").write_text("model:\n  # width: 8\nsteps: 3\n")
  cfg = load_config(TrainConfig, str(tmp_path / "empty.yaml"), ["model.width=16"])
  assert (cfg.steps, cfg.model.width, cfg.model.n_codes) == (3, 16, TrainConfig().model.n_codes)
  assert load_config(TrainConfig, str(tmp_path / "empty.yaml")).model == TrainConfig().model
  with pytest.raises(ConfigError, match="override 'steps.x=1': 'steps' is not a section"): load_config(TrainConfig, str(tmp_path / "empty.yaml"), ["steps.x=1"])

def test_float_written_without_a_dot_is_a_float():
  assert load_config(TrainConfig, overrides=["lr=1e-3"]).lr == 1e-3  # YAML reads 1e-3 as a string

def test_config_file_and_overrides(tmp_path):
  cfg = load_config(TrainConfig, str(REPO / "configs" / "vqvae-small.yaml"), ["steps=7", "model.width=16", "data.shards=/x"])
  assert (cfg.steps, cfg.model.width, cfg.data.shards, cfg.model.mults) == (7, 16, "/x", (1, 2))
  assert load_config(TrainConfig, str(REPO / "configs" / "vqvae.yaml")).model.mults == (1, 1, 2, 2, 4)
  (tmp_path / "bad.yaml").write_text("model:\n  widht: 3\n")
  with pytest.raises(ConfigError, match=r"bad\.yaml: unknown config key 'model\.widht'"):
    load_config(TrainConfig, str(tmp_path / "bad.yaml"))
  (tmp_path / "list.yaml").write_text("- 1\n")
  with pytest.raises(ConfigError, match=r"list\.yaml: expected a mapping"):
    load_config(TrainConfig, str(tmp_path / "list.yaml"))
  assert to_dict(load_config(TrainConfig))["model"]["mults"] == [1, 1, 2, 2, 4]

def test_whole_section_overrides_merge_and_bad_keys_and_out_are_named(tmp_path, monkeypatch):
  """`model={patch: 4}` replaced the file's model section (its other keys fell back to the full-size defaults, silently);
  a config key 1 raised a TypeError; an override's bad value was blamed on the file; `out=` trained into the working
  folder, `out=~/run` into ./~/run."""
  small = str(REPO / "configs" / "vqvae-small.yaml")
  a, b = (to_dict(load_config(TrainConfig, small, [o])) for o in ("model.patch=4", "model={patch: 4}"))
  assert a == b and a["model"]["width"] == 64 and a["model"]["patch"] == 4
  assert to_dict(load_config(TrainConfig, small, ["model.patch=4", "model={width: 32}"]))["model"] | {"width": 64} == a["model"]
  from train.world import TrainConfig as WorldConfig
  with pytest.raises(ConfigError, match=r"vqvae-small\.yaml: unknown config key .* \(it looks like a train-vqvae config\)"):
    load_config(WorldConfig, small)
  (tmp_path / "num.yaml").write_text("1: 2\n")
  with pytest.raises(ConfigError, match=r"num\.yaml: unknown config key '1'"): load_config(TrainConfig, str(tmp_path / "num.yaml"))
  with pytest.raises(ConfigError, match=r"^steps: expected an integer, got '1e3'"): load_config(TrainConfig, small, ["steps=1e3"])
  for over, msg in (("model={widht: 3}", "unknown config key 'model.widht'"), ("model={patch: x}", "model.patch: expected an integer"),
                    ("model.tokens_per_frame=128", "unknown config key 'model.tokens_per_frame'")):  # the override's, not the file's
    with pytest.raises(ConfigError, match=f"^{re.escape(msg)}"): load_config(TrainConfig, small, [over])
  for empty in ("out=", "out= "):
    with pytest.raises(ConfigError, match="out: empty"): load_config(TrainConfig, small, [empty])
  assert load_config(TrainConfig, small, ["out=12345"]).out == "12345"   # (a number: "expected str")
  from train.stage import Run
  (tmp_path / "afile").write_text("x")
  with pytest.raises(ConfigError, match="out=.*afile: it is a file, not a folder"): Run(str(tmp_path / "afile"), load_config(TrainConfig))
  with pytest.raises(ConfigError, match="out=.*sub: a folder above it is a file"): Run(str(tmp_path / "afile" / "sub"), load_config(TrainConfig))
  monkeypatch.setenv("HOME", str(tmp_path))
  assert load_config(TrainConfig, small, ["out=~/run"]).out == str(tmp_path / "run")
  assert load_config(TrainConfig, small, ["out=~"]).out == str(tmp_path)   # (YAML's null: "expected str, got None")
  # session 40 (a hostile-paths review): a path key's value went through YAML: spaces trimmed (' shx' read the folder
  # shx), a newline joined into a space, a date or '~' or '#x' refused as "expected str"; now its text, as given
  monkeypatch.chdir(tmp_path)
  for given in (" shx", "n\nl", "2024-01-01", "#x"):
    assert load_config(TrainConfig, small, [f"data.shards={given}"]).data.shards == str(tmp_path / given)
    assert load_config(TrainConfig, small, [f"out={given}"]).out == given
  assert load_config(TrainConfig, small, ["data.shards=~"]).data.shards == str(tmp_path)
  assert load_config(TrainConfig, small, ["data.val_shards=x", "data.val_shards=null"]).data.val_shards is None
  # quoted as json.dumps writes it: YAML's string, its quotes off (a review of the change above: 6 tests broke on it)
  assert load_config(TrainConfig, small, ['out="/r/a"', 'data.shards="/s b"']).out == "/r/a"
  assert load_config(TrainConfig, small, ["data.shards='/s b'"]).data.shards == "/s b"
  for null in ("Null", "NULL", " null"):
    assert load_config(TrainConfig, small, ["data.val_shards=x", f"data.val_shards={null}"]).data.val_shards is None

def test_cli_rejects_bad_config_with_exit_code(capsys):
  assert cli(["train-vqvae", "model.widht=3"]) == 2
  assert "unknown config key 'model.widht'" in capsys.readouterr().err
  assert cli(["eval-vqvae", "--ckpt", "/nonexistent/run", "--shards", "/x"]) == 2
  assert "/nonexistent/run: no checkpoint" in capsys.readouterr().err

# *** resume ***

def test_sigkill_then_rerun_reaches_the_same_weights(tmp_path):
  from drivegpt.nn.state import checkpoint_info, read_safetensors
  rng = rng_for("resume")
  (tmp_path / "shards").mkdir()
  write_frame_shard(tmp_path / "shards" / "a.h5", smooth_frames(rng, 12, 32, 64))
  model = [f"model.{k}={json.dumps(list(v) if isinstance(v, tuple) else v)}" for k, v in {**TINY, "image_size": (32, 64)}.items()]
  def command(out):
    return [sys.executable, "-m", "train.vqvae", "--config", str(REPO / "configs" / "vqvae-small.yaml"), f"data.shards={tmp_path / 'shards'}",
            f"out={out}", "steps=16", "batch_size=2", "ckpt_every=3", "log_every=2", "eval_frames=2", "grid_frames=2", "warmup=3", *model]
  env = {**os.environ, "DRIVEGPT_DEVICE": "CPU", "PYTHONPATH": str(REPO)}
  straight = subprocess.run(command(tmp_path / "a"), env=env, capture_output=True, text=True, timeout=120)
  assert straight.returncode == 0, straight.stderr[-2000:]
  proc = subprocess.Popen(command(tmp_path / "b"), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
  ckpt, deadline = tmp_path / "b" / "ckpt.safetensors", time.time() + 120
  while not ckpt.exists() and time.time() < deadline and proc.poll() is None: time.sleep(0.01)
  proc.send_signal(signal.SIGKILL)
  assert proc.wait() == -signal.SIGKILL, "the run finished before it could be killed"
  killed_at = checkpoint_info(str(ckpt))[0]
  assert 0 < killed_at < 16
  again = subprocess.run(command(tmp_path / "b"), env=env, capture_output=True, text=True, timeout=120)
  assert again.returncode == 0, again.stderr[-2000:]
  a, _ = read_safetensors(str(tmp_path / "a" / "ckpt.safetensors"))
  b, _ = read_safetensors(str(tmp_path / "b" / "ckpt.safetensors"))
  assert sorted(a) == sorted(b) and checkpoint_info(str(ckpt))[0] == 16
  for k in a: np.testing.assert_array_equal(a[k], b[k], err_msg=k)
  steps = [json.loads(l)["step"] for l in (tmp_path / "b" / "metrics.jsonl").read_text().splitlines() if "loss" in l]
  assert steps == list(range(2, 17, 2))  # the killed run's lines past its checkpoint were dropped, none twice
  assert json.loads(again.stdout.strip().splitlines()[-1])["step"] == 16
  # every row as the unbroken run wrote it: a row after a checkpoint between rows (ckpt_every 3, log_every 2) averaged
  # only the steps since the restart, its codebook usage too
  rows = {d: [{k: v for k, v in json.loads(l).items() if k != "time"} for l in (tmp_path / d / "metrics.jsonl").read_text().splitlines()] for d in "ab"}
  assert rows["a"] == rows["b"], f"killed at step {killed_at}"
  # run again with nothing left to train: the checkpoint is read, not rewritten (tokenize stamps its modification time)
  mtime = ckpt.stat().st_mtime_ns
  (tmp_path / "b" / "loss.png").unlink()  # a kill between the last checkpoint and the plot left it stale: drawn again
  third = subprocess.run(command(f"{tmp_path / 'b'}/"), env=env, capture_output=True, text=True, timeout=120)  # (out named another way)
  assert third.returncode == 0 and ckpt.stat().st_mtime_ns == mtime, third.stderr[-2000:]
  assert (tmp_path / "b" / "loss.png").stat().st_size > 1000

def test_held_out_frames_do_not_depend_on_grid_frames(tmp_path):
  """The held-out frames scored were spread over max(eval_frames, grid_frames) and cut to the first eval_frames: with
  grid_frames past eval_frames, the first frames of one segment, and another grid_frames on resume moved them."""
  from train.vqvae import train
  rng = rng_for("grid")
  for d, names in (("tr", "abc"), ("va", "kl")):
    (tmp_path / d).mkdir()
    for i, name in enumerate(names): write_frame_shard(tmp_path / d / f"{name}.h5", smooth_frames(rng, 6, 32, 64), seed=i)
  model = {f"model.{k}": list(v) if isinstance(v, tuple) else v for k, v in {**TINY, "image_size": (32, 64)}.items()}
  res = {grid: train(load_config(TrainConfig, overrides=[f"{k}={json.dumps(v)}" for k, v in {**model, "data.shards": str(tmp_path / "tr"),
         "data.val_shards": str(tmp_path / "va"), "out": str(tmp_path / f"g{grid}"), "steps": 1, "batch_size": 2, "ckpt_every": 1,
         "eval_frames": 2, "grid_frames": grid}.items()])) for grid in (1, 12)}
  assert res[1]["val_frames"] == res[12]["val_frames"] == 2
  assert res[1]["val_psnr"] == res[12]["val_psnr"]   # the same two frames: the first and the last of the 12 held out

def test_training_and_evaluation_read_the_frames_they_say(tmp_path, capsys):
  """With data.val_shards, the val split (by route) of data.shards was dropped from training; frames of another size
  than model.image_size were trained and scored; eval_frames past the held-out frames crashed before the first
  checkpoint; a held-out copy of a training video was scored as held out; --max-frames took max(1, n // shards) from
  each shard (not at most n, not spread); a NaN reconstruction scored as a black frame."""
  from train.vqvae import evaluate, shard_batches, spread_frames, train, train_loader
  rng = rng_for("frames")
  for d, names in (("tr", "abcdefghij"), ("va", "k")):
    (tmp_path / d).mkdir()
    for i, name in enumerate(names): write_frame_shard(tmp_path / d / f"{name}.h5", smooth_frames(rng, 3 + i, 32, 64), seed=i)
  model = {f"model.{k}": list(v) if isinstance(v, tuple) else v for k, v in {**TINY, "image_size": (32, 64)}.items()}
  def cfg(**kw): return load_config(TrainConfig, overrides=[f"{k}={json.dumps(v)}" for k, v in {**model, "data.shards": str(tmp_path / "tr"),
                                    "data.val_shards": str(tmp_path / "va"), "out": str(tmp_path / "run"), "steps": 2, "batch_size": 2,
                                    "ckpt_every": 2, "eval_frames": 64, "grid_frames": 2, **kw}.items()])
  loader = train_loader(cfg())
  assert len(loader.paths) == 10           # all ten (nine before: the route split's val share)
  # eval-vqvae --max-frames scores the frames a run's held-out checks score (it rounded where they truncate)
  spread = np.concatenate(list(shard_batches(loader.paths, 4, 7)))
  np.testing.assert_array_equal(spread, spread_frames(loader, 7))
  loader.close()
  res = train(cfg())                       # eval_frames 64 > 3 held-out frames: it raised ZeroDivisionError
  assert res["val_frames"] == 3 and np.isfinite(res["val_psnr"])
  # no held-out split: the checkpoints' scores are the training frames', and say so (they were logged as val_*)
  res = train(cfg(**{"data.val_shards": "", "data.val_fraction": 0, "out": str(tmp_path / "nosplit")}))
  rows = [json.loads(l) for l in (tmp_path / "nosplit" / "metrics.jsonl").read_text().splitlines()]
  assert "train_psnr" in res and any("train_psnr" in r for r in rows) and not any(k.startswith("val_") for r in rows for k in r)
  # each step's learning rate is the warmup-cosine schedule's, down to min_lr (not 0), as logged (a mutation test's gap)
  train(cfg(**{"out": str(tmp_path / "lr"), "steps": 4, "warmup": 1, "log_every": 1, "lr": 1e-3, "min_lr": 2e-4}))
  lrs = [(r["step"], r["lr"]) for r in map(json.loads, (tmp_path / "lr" / "metrics.jsonl").read_text().splitlines()) if "lr" in r]
  assert lrs == [(s, pytest.approx(warmup_cosine(s - 1, 1e-3, 1, 4, 2e-4), rel=1e-6)) for s in range(1, 5)] and lrs[-1][1] > 2e-4
  with pytest.raises(ValueError, match=r"a.h5: frames are 32x64, the model's image_size is 64x128"):
    train(cfg(**{"model.image_size": [64, 128], "out": str(tmp_path / "r2")}))
  import shutil
  import h5py
  shutil.copy(tmp_path / "tr" / "c.h5", tmp_path / "va" / "z.h5")
  for f in (tmp_path / "tr" / "c.h5", tmp_path / "va" / "z.h5"):
    with h5py.File(f, "r+") as h: h.attrs["checksum"] = "sha256:cc"   # as data.ingest writes it
  with pytest.raises(ValueError, match=r"z.h5: the same video as .*c.h5 \(data.shards\)"):
    train(cfg(out=str(tmp_path / "r3")))
  from data.layout import HAS
  with h5py.File(tmp_path / "tr" / "c.h5", "r+") as h: h.attrs.update({k: False for k in HAS})  # whichever copy is kept,
  with pytest.raises(ValueError, match=r"z.h5: the same video as .*c.h5 \(data.shards\)"):           # the check looks both
    train(cfg(out=str(tmp_path / "r3b")))                                                             # ways
  (tmp_path / "va" / "z.h5").unlink()
  was = {}
  for f, route in (("tr/a.h5", "dg|2020-01-01--10-00-00"), ("va/k.h5", "dg|2020-01-01--10-00-00")):   # one drive's segments
    with h5py.File(tmp_path / f, "r+") as h: was[f], h.attrs["route"] = h.attrs["route"], route        # on both sides
  with pytest.raises(ValueError, match=r"share 1 drive\(s\) \(dg\|2020-01-01--10-00-00"):
    train(cfg(out=str(tmp_path / "r4")))
  for f, route in (("tr/a.h5", "front"), ("va/k.h5", "front")):   # two videos named front.mp4: maybe two drives, said
    with h5py.File(tmp_path / f, "r+") as h: h.attrs["route"] = route
  capsys.readouterr()
  train(cfg(out=str(tmp_path / "r5")))
  assert "the training and held-out data both have inputs named 'front'" in capsys.readouterr().err
  for f, route in was.items():
    with h5py.File(tmp_path / f, "r+") as h: h.attrs["route"] = route
  paths = sorted((tmp_path / "tr").glob("*.h5"))   # 3..12 frames: 75
  assert sum(len(b) for b in shard_batches(paths, 4, 7)) == 7 and sum(len(b) for b in shard_batches(paths, 4, 1)) == 1
  assert sum(len(b) for b in shard_batches(paths, 4, 75)) == 75
  capsys.readouterr()
  ev = evaluate(str(tmp_path / "run"), str(tmp_path / "tr"), max_frames=30)
  assert ev["frames"] == 30 and ev["trained_shards"] == ev["shards"] > 0  # its training shards, scored: said (session 28)
  assert f"{ev['shards']} of the {ev['shards']} shards scored are of drives" in capsys.readouterr().err
  # --max-frames 1 scores one shard's frame: every shard was counted and said as trained on (session 51, a review)
  ev = evaluate(str(tmp_path / "run"), str(tmp_path / "tr"), max_frames=1)
  assert ev["frames"] == 1 and ev["shards"] == ev["trained_shards"] == 1 < len(paths)
  assert "1 of the 1 shards scored are of drives" in capsys.readouterr().err
  with pytest.raises(ValueError, match="image_size is 32x64"):
    evaluate(str(tmp_path / "run"), str(tmp_path / "other") if (tmp_path / "other").mkdir() or
             write_frame_shard(tmp_path / "other" / "o.h5", smooth_frames(rng, 2, 64, 128)) else "")
  with pytest.raises(FloatingPointError, match="not finite"): to_frames(np.full((1, 3, 4, 4), np.nan, np.float32))
  # a finished run resumed on another data folder: allowed (more data), but said, never silent
  (tmp_path / "tr2").mkdir()
  write_frame_shard(tmp_path / "tr2" / "n.h5", smooth_frames(rng, 4, 32, 64), seed=20)
  capsys.readouterr()
  train(cfg(**{"data.shards": str(tmp_path / "tr2"), "steps": 3}))
  assert f"resumed with data.shards='{tmp_path / 'tr2'}'; its steps so far ran with '{tmp_path / 'tr'}'" in capsys.readouterr().err

def test_commavq_layout_with_attention_trains():
  """configs/vqvae.yaml's layout (patch 1, mults (1, 1, 2, 2, 4), 2/3 blocks, attention), narrowed: shapes and gradients."""
  cfg = load_config(TrainConfig, str(REPO / "configs" / "vqvae.yaml"), ["model.width=4", "model.groups=4", "model.code_dim=8", "model.n_codes=32"])
  assert cfg.model.grid == (8, 16) and cfg.model.attention
  Tensor.manual_seed(0)
  model = VQVAE(cfg.model)
  for p in model.parameters(): p.requires_grad = True
  x = Tensor(rng_for("full layout").uniform(-1, 1, (1, 3, 128, 256)).astype(np.float32))
  with Tensor.train():
    recon, codes, _ = model(x)
    assert recon.shape == (1, 3, 128, 256) and codes.shape == (1, 8, 16)
    model.loss(x)[0].backward()
  for attn in (model.encoder.mid[1], model.decoder.mid[1]):
    assert np.abs(attn.qkv.weight.grad.numpy()).sum() > 0

def test_data_parallel_training_logs_held_out_rows_as_one_process_does(tmp_path, monkeypatch, capsys):
  """train-vqvae workers=2 wrote no val_ rows to metrics.jsonl (loss.png had no held-out curve): each checkpoint's rows
  now match one process's (same batches, same weights). Session 41: out= relative, with a trailing slash: the replicas
  save it absolute, config.yaml keeps the one typed, and every resume of a workers=2 run warned "edited by hand?" (a
  refusal of it, briefly, made such runs unresumable)."""
  from train.vqvae import train
  monkeypatch.chdir(tmp_path)
  rng = rng_for("parallel val rows")
  for d, names in (("tr", "abcd"), ("va", "k")):
    (tmp_path / d).mkdir()
    for i, name in enumerate(names): write_frame_shard(tmp_path / d / f"{name}.h5", smooth_frames(rng, 4, 32, 64), seed=i)
  model = {f"model.{k}": list(v) if isinstance(v, tuple) else v for k, v in {**TINY, "image_size": (32, 64)}.items()}
  def run(out, workers, eval_frames=4):
    cfg = load_config(TrainConfig, overrides=[f"{k}={json.dumps(v)}" for k, v in {**model, "data.shards": str(tmp_path / "tr"),
                      "data.val_shards": str(tmp_path / "va"), "out": out + "/", "steps": 4, "batch_size": 4, "ckpt_every": 2,
                      "log_every": 2, "eval_frames": eval_frames, "grid_frames": 2, "workers": workers}.items()])
    final = train(cfg)
    rows = [json.loads(l) for l in (tmp_path / out / "metrics.jsonl").read_text().splitlines()]
    return {r["step"]: r["val_psnr"] for r in rows if "val_psnr" in r}, rows[-1], final
  (one, _, _) = run("one", 1)
  capsys.readouterr()
  (two, _, _) = run("two", 2)
  err = capsys.readouterr().err
  assert "psnr=" in err and "usage=" in err and "warning" not in err, err[-2000:]   # the bar's readouts, as one process's (none)
  assert sorted(two) == sorted(one) == [2, 4]
  np.testing.assert_allclose([two[s] for s in (2, 4)], [one[s] for s in (2, 4)], rtol=1e-4)
  # finished, run again on fewer held-out frames: the scores it prints are a row, with one process or two (two logged none)
  for out, workers in (("one", 1), ("two", 2)):
    _, last, final = run(out, workers, eval_frames=2)
    assert (last["step"], last["val_frames"], last["val_psnr"]) == (4, 2, final["val_psnr"]), (out, last, final)
  assert "warning" not in capsys.readouterr().err


@pytest.mark.slow  # (out of the default run: 33-85 s each on a 2-core Zen 4 VM, where the suite took 20 min cold)
def test_data_parallel_run_killed_between_a_checkpoint_and_its_rows_logs_them(tmp_path, monkeypatch):
  """workers > 1: killed after rank 0 saved a checkpoint and before the driver logged its held-out row, the resumed run
  never wrote that row. Now a resume logs a checkpoint's missing held-out row, and the checkpoint keeps the driver's
  log window (the driver logs before rank 0 saves). The kill: the driver dies evaluating the first checkpoint."""
  import train.vqvae as tv
  rng = rng_for("parallel kill rows")
  for d, names in (("tr", "abcd"), ("va", "k")):
    (tmp_path / d).mkdir()
    for i, name in enumerate(names): write_frame_shard(tmp_path / d / f"{name}.h5", smooth_frames(rng, 4, 32, 64), seed=i)
  model = {f"model.{k}": list(v) if isinstance(v, tuple) else v for k, v in {**TINY, "image_size": (32, 64)}.items()}
  cfg = lambda out: load_config(TrainConfig, overrides=[f"{k}={json.dumps(v)}" for k, v in {**model, "data.shards": str(tmp_path / "tr"),  # noqa: E731
                                "data.val_shards": str(tmp_path / "va"), "out": str(tmp_path / out), "steps": 4, "batch_size": 4,
                                "ckpt_every": 2, "log_every": 1, "eval_frames": 4, "grid_frames": 2, "workers": 2}.items()])
  tv.train(cfg("a"))
  evaluate = tv.evaluate_frames
  def dies(*a, **k): raise KeyboardInterrupt("killed")
  monkeypatch.setattr(tv, "evaluate_frames", dies)
  with pytest.raises(KeyboardInterrupt): tv.train(cfg("b"))
  assert json.loads((tmp_path / "b" / "metrics.jsonl").read_text().splitlines()[-1])["step"] == 2  # killed after step 2's save
  monkeypatch.setattr(tv, "evaluate_frames", evaluate)
  tv.train(cfg("b"))
  rows = {n: [{k: v for k, v in json.loads(l).items() if k != "time"} for l in (tmp_path / n / "metrics.jsonl").read_text().splitlines()] for n in "ab"}
  assert [(r["step"], "val_psnr" in r) for r in rows["a"]] == [(1, False), (2, False), (2, True), (3, False), (4, False), (4, True)]
  assert rows["a"] == rows["b"]

def test_export_refuses_nan_weights_and_drops_stale_fp16_files(tmp_path, capsys):
  """A VQVAE with NaN weights exported with "max_abs_diff": 0.0 (NaN on both sides compared equal), exit 0; and a
  re-export without --fp16 left the earlier weights' *_fp16.onnx beside the new files."""
  pytest.importorskip("onnxruntime")
  from drivegpt.export.command import export_run
  from drivegpt.export.graph import ExportError
  from drivegpt.nn.state import read_safetensors, safe_save
  run = make_run(tmp_path, {**TINY, "image_size": (32, 64)})
  export_run(str(run), str(tmp_path / "o"), fp16=True)
  assert (tmp_path / "o" / "vqvae_decoder_fp16.onnx").exists()
  # (session 45) a run stopped part way (here at step 0 of its 2000) was exported without a word, its step kept nowhere
  assert "stopped at step 0 of its 2000 (an unfinished run): exported as it is" in capsys.readouterr().err
  assert json.loads((tmp_path / "o" / "export.json").read_text())["ckpt_step"] == 0
  export_run(str(run), str(tmp_path / "o"))
  assert not list((tmp_path / "o").glob("*_fp16.onnx")) and (tmp_path / "o" / "vqvae_decoder.onnx").exists()
  # a NaN codebook (save_checkpoint refuses one since session 44: a file from before, or from another tool)
  arrays, meta = read_safetensors(str(run / "ckpt.safetensors"))
  safe_save({k: Tensor(np.full(a.shape, np.nan, np.float32) if k == "model.quantizer.codebook" else a) for k, a in arrays.items()}, str(run / "ckpt.safetensors"), meta)
  with pytest.raises(ExportError, match="codebook holds NaN"): export_run(str(run), str(tmp_path / "o2"))  # (refused at loading since session 34)

def test_an_export_into_a_folder_another_export_writes_is_refused(tmp_path):
  """Session 34 (a review running commands side by side): two exports into one --out left one run's encoder beside
  another's decoder and export.json naming either, both exiting 0."""
  import subprocess, sys
  from drivegpt.export.command import export_run
  run = make_run(tmp_path, {**TINY, "image_size": (32, 64)})
  (out := tmp_path / "o").mkdir()
  holder = subprocess.Popen([sys.executable, "-c", f"from drivegpt.nn.state import lock_folder; lock_folder({str(out)!r}); "
                             "print('held', flush=True); import time; time.sleep(60)"], cwd=Path(__file__).resolve().parents[1], stdout=subprocess.PIPE, text=True)
  try:
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(ValueError, match=f"a run is already going on in this folder \\(pid {holder.pid}\\)"): export_run(str(run), str(out))
    assert [p.name for p in out.iterdir()] == [".lock"]
  finally: holder.kill(); holder.wait()
  export_run(str(run), str(out))
  assert (out / "export.json").exists()

def test_tokenize_edge_cases_from_a_review(tmp_path, monkeypatch, capsys):
  """(1) A frame shard re-ingested while its yaw copies were written: the copies held the old frames, stamped as made
  from the new shard, and every re-run kept them. (2) Recordings named drive.h5 and drive-yaw0.h5: the same command
  failed its second run (the second taken for a stale yaw copy of the first). (3) Float frames in [0, 1] were tokenized
  (a third of the tokens wrong), exit 0. (4) Our tokens exported to commaVQ's format and imported back were relabelled
  commaVQ's, and mixed with another codebook's without a word."""
  import h5py
  import train.tokenize as tk
  from train.tokenize import export_commavq, import_commavq, tokenize
  from train.world_data import load_segments
  rng = rng_for("review")
  run = make_run(tmp_path, TINY)
  (tmp_path / "sh").mkdir()
  write_frame_shard(tmp_path / "sh" / "a.h5", smooth_frames(rng, 4))
  real, writes = tk.write_token_shard, []
  def reingested_after_the_first_write(out, *a):
    real(out, *a)
    writes.append(out)
    if len(writes) == 1:   # ingest writes a temp file and renames it over the shard
      write_frame_shard(tmp_path / "new.h5", smooth_frames(rng, 4), seed=7)
      os.replace(tmp_path / "new.h5", tmp_path / "sh" / "a.h5")
  monkeypatch.setattr(tk, "write_token_shard", reingested_after_the_first_write)
  tokenize(str(run), str(tmp_path / "sh"), str(tmp_path / "tok"), use_ray=False, progress=False, yaw_copies=1, yaw_px=10)
  monkeypatch.setattr(tk, "write_token_shard", real)
  (tmp_path / "tok" / "a.h5").unlink()   # as the refusal says: then its copy, made of the old frames, is refused too
  with pytest.raises(ValueError, match=r"a-yaw0\.h5: a token shard from another checkpoint or an older version of .*a\.h5"):
    tokenize(str(run), str(tmp_path / "sh"), str(tmp_path / "tok"), use_ray=False, progress=False, yaw_copies=1, yaw_px=10)
  # (2)
  (tmp_path / "rec").mkdir()
  for name in ("drive", "drive-yaw0"): write_frame_shard(tmp_path / "rec" / f"{name}.h5", smooth_frames(rng, 3))
  for _ in range(2): assert len(tokenize(str(run), str(tmp_path / "rec"), str(tmp_path / "rtok"), use_ray=False, progress=False)) == 2
  # (3)
  (tmp_path / "fl").mkdir()
  with h5py.File(tmp_path / "fl" / "f.h5", "w") as f: f["frames"] = smooth_frames(rng, 2).astype(np.float32) / 255
  with pytest.raises(ValueError, match=r"f\.h5: frames are float32 \(128, 256, 3\); the model takes uint8 RGB frames"):
    tokenize(str(run), str(tmp_path / "fl"), str(tmp_path / "ftok"), use_ray=False, progress=False)
  with h5py.File(tmp_path / "fl" / "f.h5", "w") as f: f["frames"], f["speed"] = smooth_frames(rng, 2), np.zeros(1, np.float32)
  with pytest.raises(ValueError, match=r"f\.h5: 'speed' has 1 rows for 2 frames"):   # (it was left out, has_can still true)
    tokenize(str(run), str(tmp_path / "fl"), str(tmp_path / "ftok"), use_ray=False, progress=False)
  # (4)
  export_commavq(str(tmp_path / "rtok"), str(tmp_path / "npy"))
  np.save(tmp_path / "npy" / "theirs.npy", np.zeros((3, 8, 16), np.int16))   # commaVQ's own file beside ours
  with pytest.raises(ValueError, match="mixes tokenizers"): load_segments(str(tmp_path / "npy"))
  (tmp_path / "npy" / "theirs.npy").unlink()
  import_commavq(str(tmp_path / "npy"), str(tmp_path / "back"))
  assert {s.tokenizer for s in load_segments(str(tmp_path / "back"))} == {s.tokenizer for s in load_segments(str(tmp_path / "rtok"))}

def test_a_data_parallel_run_restarted_between_rows_logs_the_rows_of_an_unbroken_one(tmp_path, monkeypatch):
  """workers > 1, restarted from a checkpoint between two rows: the next row averaged the loss and counted the codebook
  use of only the steps since the restart. train_parallel is faked, calling log as the real one does."""
  import train.parallel as tp
  from drivegpt.nn.state import save_checkpoint
  from train.vqvae import TrainConfig as VQConfig, VQVAE, train
  rng = rng_for("dp-window")
  (tmp_path / "shards").mkdir()
  write_frame_shard(tmp_path / "shards" / "a.h5", smooth_frames(rng, 6, 32, 64))
  def fake(restart):
    def train_parallel(make, cfg, workers, steps, ckpt_every, log, ray_address=None, extra=dict, saved=lambda step: None):
      def m(step): return {"loss": 1.0 / step, "mse": 0.5 / step, "codes": np.array([step, 2 * step]), "lr": 1e-3}
      def save(step): save_checkpoint(f"{cfg.out}/ckpt.safetensors", VQVAE(cfg.model), None, step=step, config={}, extra=extra())
      def run(step):  # as the real one: the driver's log, then rank 0's checkpoint (its extra() from what log kept)
        log(step, m(step))
        if step % ckpt_every == 0 or step == steps: save(step); saved(step)
      save(0); log(0, None)
      for step in range(1, 5): run(step)
      if restart: log(3, None); run(4)   # all replicas restart from the step-3 checkpoint: step 4 again
      for step in (5, 6): run(step)
    return train_parallel
  rows = {}
  for name, restart in (("a", False), ("b", True)):
    monkeypatch.setattr(tp, "train_parallel", fake(restart))
    cfg = load_config(VQConfig, overrides=[f"data.shards={tmp_path / 'shards'}", f"out={tmp_path / name}", "steps=6", "log_every=2", "ckpt_every=3",
                                           "workers=2", "eval_frames=2", "grid_frames=2", "data.val_fraction=0"] +
                      [f"model.{k}={json.dumps(list(v) if isinstance(v, tuple) else v)}" for k, v in {**TINY, "image_size": (32, 64)}.items()])
    train(cfg)
    rows[name] = [(r["step"], r["loss"], r["usage"]) for r in map(json.loads, (tmp_path / name / "metrics.jsonl").read_text().splitlines()) if "loss" in r]
  assert rows["a"] == rows["b"] and [s for s, _, _ in rows["b"]] == [2, 4, 6]

def test_a_held_out_drive_holding_most_of_the_frames_is_said(tmp_path, capsys):
  """Session 42 (a review of the VQVAE stage on plain videos): one long clip among short ones was the drive the split
  held out (it counts drives, not frames), and the run trained on 6 of 306 frames without a word. train-world too."""
  import hashlib
  from train.vqvae import train
  from train.world import TrainConfig as WorldConfig, train as train_world
  from train.tokenize import write_token_shard
  rng = rng_for("held share")
  names = [f"clip{i}" for i in range(4)]
  held = sorted(names, key=lambda r: hashlib.sha256(f"0:{r}".encode()).hexdigest())[0]   # the one drive of 4 held out at 0.1
  (tmp_path / "d").mkdir(); (tmp_path / "t").mkdir()
  lengths = {}
  for i, name in enumerate(names):
    n = lengths[name] = 24 if name == held else int(rng.integers(2, 4))
    write_frame_shard(tmp_path / "d" / f"{name}.h5", smooth_frames(rng, n, 32, 64), seed=i)
    write_token_shard(tmp_path / "t" / f"{name}.h5", rng.integers(0, 32, (n * 4, 8, 16)).astype(np.int16), {"frame_times": np.arange(n * 4) / 20},
                      {"route": name, "fps": 20.0, "tokenizer": json.dumps({"codebook": "ab12"})})
  model = {f"model.{k}": list(v) if isinstance(v, tuple) else v for k, v in {**TINY, "image_size": (32, 64)}.items()}
  train(load_config(TrainConfig, overrides=[f"{k}={json.dumps(v)}" for k, v in {**model, "data.shards": str(tmp_path / "d"), "out": str(tmp_path / "run"),
        "steps": 1, "batch_size": 2, "eval_frames": 2, "grid_frames": 2, "warmup": 0}.items()]))
  assert f"the 1 held-out drive(s) of 4 hold 24 of the {sum(lengths.values())} frames" in capsys.readouterr().err
  train_world(load_config(WorldConfig, overrides=[f"data.tokens={tmp_path / 't'}", f"out={tmp_path / 'world'}", "steps=1", "model.vocab_size=32",
              "model.n_layer=1", "model.d_model=16", "model.n_head=2", "model.frames=2", "batch_size=2", "eval_windows=2", "warmup=0"]))
  assert f"train-world, data.tokens {tmp_path / 't'}: the 1 held-out drive(s) of 4 hold 96 of the {4 * sum(lengths.values())} frames" in capsys.readouterr().err
  import h5py   # yaw copies (2 of each drive) are trained on, never held out: they counted as frames and hid the share (session 43)
  for name in names:
    for k in range(2):
      write_token_shard(tmp_path / "t" / f"{name}-yaw{k}.h5", rng.integers(0, 32, (lengths[name] * 4, 8, 16)).astype(np.int16), {"frame_times": np.arange(lengths[name] * 4) / 20},
                        {"route": name, "fps": 20.0, "tokenizer": json.dumps({"codebook": "ab12"})})
      with h5py.File(tmp_path / "t" / f"{name}-yaw{k}.h5", "a") as f: f.attrs["augment"] = json.dumps({"yaw_copy": k})
  train_world(load_config(WorldConfig, overrides=[f"data.tokens={tmp_path / 't'}", f"out={tmp_path / 'world3'}", "steps=1", "model.vocab_size=32",
              "model.n_layer=1", "model.d_model=16", "model.n_head=2", "model.frames=2", "batch_size=2", "eval_windows=2", "warmup=0"]))
  assert f"the 1 held-out drive(s) of 4 hold 96 of the {4 * sum(lengths.values())} frames" in capsys.readouterr().err
  for name in names:   # four drives alike: one held out is 25% of the frames, as asked (the first version said it too)
    write_token_shard(tmp_path / "t" / f"{name}.h5", rng.integers(0, 32, (12, 8, 16)).astype(np.int16), {"frame_times": np.arange(12) / 20},
                      {"route": name, "fps": 20.0, "tokenizer": json.dumps({"codebook": "ab12"})})
  train_world(load_config(WorldConfig, overrides=[f"data.tokens={tmp_path / 't'}", f"out={tmp_path / 'world2'}", "steps=1", "model.vocab_size=32",
              "model.n_layer=1", "model.d_model=16", "model.n_head=2", "model.frames=2", "batch_size=2", "eval_windows=2", "warmup=0"]))
  assert "held-out drive(s)" not in capsys.readouterr().err

def test_resume_refuses_a_folder_that_now_holds_out_a_trained_drive(tmp_path, capsys):
  """Resumed on a folder grown by two drives, the val split (ceil of 10% of the routes) took one more route, a drive the
  run had trained on, and val_psnr/ssim/usage scored it as held out. train-vqvae now keeps the drives it trained on
  and refuses such a resume, as train-world does; resuming on the same folder goes on."""
  import hashlib
  from train.stage import ConfigError
  from train.vqvae import train
  rng = rng_for("grown folder")
  names = [f"r{i}" for i in range(9)]
  rank = lambda ns: sorted(ns, key=lambda r: hashlib.sha256(f"0:{r}".encode()).hexdigest())
  extra = [n for n in (f"x{i}" for i in range(100)) if rank(names + [n]).index(n) > 2][:2]  # they rank after two old ones
  (tmp_path / "d").mkdir()
  for i, name in enumerate(names): write_frame_shard(tmp_path / "d" / f"{name}.h5", smooth_frames(rng, 4, 32, 64), seed=i)
  model = {f"model.{k}": list(v) if isinstance(v, tuple) else v for k, v in {**TINY, "image_size": (32, 64)}.items()}
  cfg = lambda steps: load_config(TrainConfig, overrides=[f"{k}={json.dumps(v)}" for k, v in {**model, "data.shards": str(tmp_path / "d"),
                                  "out": str(tmp_path / "run"), "steps": steps, "batch_size": 2, "ckpt_every": 2, "log_every": 2,
                                  "eval_frames": 2, "grid_frames": 2, "warmup": 0}.items()])
  train(cfg(2))
  for i, name in enumerate(extra): write_frame_shard(tmp_path / "d" / f"{name}.h5", smooth_frames(rng, 4, 32, 64), seed=20 + i)
  with pytest.raises(ConfigError, match=f"now holds out 1 drive\\(s\\) this run trained on \\({rank(names)[1]}"): train(cfg(4))
  for name in extra: (tmp_path / "d" / f"{name}.h5").unlink()
  # session 39, the other way: one drive that ranks first takes the held-out place, and the drive held out so far was
  # trained on from the resume on (its held-out rows before and after scored different drives), without a word
  first = next(n for n in (f"y{i}" for i in range(1000)) if rank(names + [n]).index(n) == 0)
  write_frame_shard(tmp_path / "d" / f"{first}.h5", smooth_frames(rng, 4, 32, 64), seed=30)
  with pytest.raises(ConfigError, match=f"now trains on 1 drive\\(s\\) this run held out \\({rank(names)[0]}"): train(cfg(4))
  (tmp_path / "d" / f"{first}.h5").unlink()
  train(cfg(4))
  from drivegpt.nn.state import checkpoint_info
  assert checkpoint_info(str(tmp_path / "run" / "ckpt.safetensors"))[0] == 4
  assert "holds other frames" not in capsys.readouterr().err  # the same data: no word
  # session 41: every shard rewritten in place with other frames under the same names (the drives, so the split, the
  # same): it went on without a word while its held-out rows jumped to other frames; now it says so on stderr
  for i, name in enumerate(names): write_frame_shard(tmp_path / "d" / f"{name}.h5", smooth_frames(rng, 4, 32, 64), seed=50 + i)
  train(cfg(6))
  assert "data.shards holds other frames than when this run last saved" in capsys.readouterr().err
  train(cfg(8))  # the digest of the data it goes on with is kept: said once
  assert "holds other frames" not in capsys.readouterr().err
  # a checkpoint copied in from another run's folder resumed there, said "edited by hand?", under this folder's rows
  other = load_config(TrainConfig, overrides=[f"{k}={json.dumps(v)}" for k, v in {**model, "data.shards": str(tmp_path / "d"),
                      "out": str(tmp_path / "run2"), "steps": 2, "batch_size": 2, "warmup": 0, "eval_frames": 2, "grid_frames": 2}.items()])
  train(other)
  import shutil
  shutil.copy(tmp_path / "run" / "ckpt.safetensors", tmp_path / "run2" / "ckpt.safetensors")
  capsys.readouterr()
  train(other)  # it goes on (under the checkpoint's config, as for any hand edit), naming what it took
  assert "a checkpoint copied in from another run's folder" in capsys.readouterr().err

def test_an_exported_drive_read_beside_its_shard_or_imported_back_is_one_drive(tmp_path, capsys):
  """Session 42 (a review of the token formats): the .npy files kept no trace of their shards' videos, so an export
  beside the shards, or the export imported back into a subfolder, was every drive twice (trained on twice, and the
  held-out bits scored twice): the sidecar keeps the video's checksum, which the import keeps and the loaders compare."""
  from train.tokenize import write_token_shard
  from train.world_data import load_segments
  rng = rng_for("commavq-checksum")
  (tmp_path / "all" / "tok").mkdir(parents=True)
  for i in range(3):
    n = int(rng.integers(5, 9))
    write_token_shard(tmp_path / "all" / "tok" / f"s{i}.h5", rng.integers(0, 1024, (n, 8, 16)).astype(np.int16), {"frame_times": np.arange(n) / 20},
                      {"route": f"drive{i}", "fps": 20.0, "checksum": f"sha256:{i:064x}", "tokenizer": json.dumps({"codebook": "ab12"})})
  export_commavq(str(tmp_path / "all" / "tok"), str(tmp_path / "all" / "npy"))
  assert sorted(s.name for s in load_segments(str(tmp_path / "all"))) == ["tok/s0.h5", "tok/s1.h5", "tok/s2.h5"]
  assert capsys.readouterr().err.count("the same video as") == 3
  import_commavq(str(tmp_path / "all" / "npy"), str(tmp_path / "all" / "tok" / "back"))
  assert {read_token_shard(p)[2]["checksum"] for p in (tmp_path / "all" / "tok" / "back").glob("*.h5")} == {f"sha256:{i:064x}" for i in range(3)}
  assert len(load_segments(str(tmp_path / "all" / "tok"))) == 3
  assert {s.tokenizer for s in load_segments(str(tmp_path / "all" / "npy"))} == {"codebook ab12"}   # (the checksum is no tokenizer key)
  # exported again after a shard was deleted: its .npy stayed, and an import of the folder brought it back, unsaid
  import shutil
  shutil.rmtree(tmp_path / "all" / "tok" / "back"); (tmp_path / "all" / "tok" / "s1.h5").unlink(); capsys.readouterr()
  assert len(export_commavq(str(tmp_path / "all" / "tok"), str(tmp_path / "all" / "npy"))) == 2
  assert "holds 1 .npy file(s) this export does not write (s1.npy, ..." in capsys.readouterr().err

def test_commavq_export_keeps_drive_and_rate_and_import_keeps_what_it_has(tmp_path):
  """export-commavq wrote ids and the codebook only: a drive's segments (one route in the token shards) came back as a
  route each, on both sides of the held-out split, and a 30 fps shard was trained as 20 fps. import-commavq overwrote a
  token shard of the same name made from another file, silently."""
  from train.tokenize import write_token_shard
  from train.world_data import load_segments, split_segments
  rng = rng_for("commavq-routes")
  route = "b0c9d2329ad1606b|2018-08-02--08-34-47"
  for d in ("tok", "t30"): (tmp_path / d).mkdir()
  for i in range(4):
    write_token_shard(tmp_path / "tok" / f"Chunk_1_seg{40 + i}.h5", rng.integers(0, 1024, (6, 8, 16)).astype(np.int16),
                      {"frame_times": np.arange(6) / 20}, {"route": route, "fps": 20.0, "tokenizer": json.dumps({"codebook": "ab12"})})
  export_commavq(str(tmp_path / "tok"), str(tmp_path / "npy"))
  segs = load_segments(str(tmp_path / "npy"))
  assert {s.route for s in segs} == {route} and {s.tokenizer for s in segs} == {"codebook ab12"}
  assert split_segments(segs, "val", 0.25, 0) == []  # one drive: nothing held out, rather than one of its segments
  import_commavq(str(tmp_path / "npy"), str(tmp_path / "back"))
  assert {read_token_shard(p)[2]["route"] for p in (tmp_path / "back").glob("*.h5")} == {route}
  write_token_shard(tmp_path / "t30" / "fast.h5", rng.integers(0, 1024, (6, 8, 16)).astype(np.int16),
                    {"frame_times": np.arange(6) / 30}, {"route": "fast", "fps": 30.0})
  export_commavq(str(tmp_path / "t30"), str(tmp_path / "n30"))
  with pytest.raises(ValueError, match=r"fast\.npy: recorded at 30 fps"): load_segments(str(tmp_path / "n30"))
  with pytest.raises(ValueError, match=r"fast\.npy: its \.tokenizer\.json says 30 fps, --fps gives 10"):   # the sidecar's
    import_commavq(str(tmp_path / "n30"), str(tmp_path / "b30"), fps=10)                                # replaced it silently
  import_commavq(str(tmp_path / "n30"), str(tmp_path / "b30"))
  assert read_token_shard(tmp_path / "b30" / "fast.h5")[2]["fps"] == 30.0
  (tmp_path / "other").mkdir()
  np.save(tmp_path / "other" / "fast.npy", rng.integers(0, 1024, (9, 128)).astype(np.int16))
  with pytest.raises(ValueError, match=r"b30/fast\.h5 exists, made from .*n30/fast\.npy, not from .*other/fast\.npy"):
    import_commavq(str(tmp_path / "other"), str(tmp_path / "b30"))
  # one tokenize made (it keeps its video's source): it was said to be made from the video, or overwritten when that
  # was the .npy's own path
  (tmp_path / "t2").mkdir()
  write_token_shard(tmp_path / "t2" / "fast.h5", rng.integers(0, 1024, (6, 8, 16)).astype(np.int16), {"frame_times": np.arange(6) / 20},
                    {"route": "fast", "source": str((tmp_path / "other" / "fast.npy").resolve()), "frame_shard": "/frames/fast.h5"})
  with pytest.raises(ValueError, match=r"t2/fast\.h5 exists, made by drivegpt tokenize from /frames/fast\.h5, not from .*other/fast\.npy"):
    import_commavq(str(tmp_path / "other"), str(tmp_path / "t2"))
  assert len(read_token_shard(tmp_path / "b30" / "fast.h5")[0]) == 6
  import_commavq(str(tmp_path / "n30"), str(tmp_path / "b30"))  # the same file again: a re-run

def test_import_commavq_drops_a_second_copy_and_keeps_checksums(tmp_path):
  """The same .npy in two folders became two token shards (two drives, possibly on both sides of the split): imported
  shards carried no checksum, so the loader's duplicate check could not see them."""
  from train.world_data import load_segments
  a = rng_for("commavq-dups").integers(0, 1024, (5, 128)).astype(np.int16)
  for d in ("b1", "b2"):
    (tmp_path / "src" / d).mkdir(parents=True)
    np.save(tmp_path / "src" / d / "seg7.npy", a)
  assert [Path(p).name for p in import_commavq(str(tmp_path / "src"), str(tmp_path / "imp"))] == ["b1_seg7.h5"]
  (tmp_path / "more").mkdir()
  np.save(tmp_path / "more" / "renamed.npy", a)
  import_commavq(str(tmp_path / "more"), str(tmp_path / "imp"))  # another import of the same bytes into the same folder
  assert [s.name for s in load_segments(str(tmp_path / "imp"))] == ["b1_seg7.h5"]
  # the same tokens as a grid, or as int64 (a review: by the file's bytes they were three drives): one drive, imported or read
  (tmp_path / "kinds").mkdir()
  np.save(tmp_path / "kinds" / "flat.npy", a); np.save(tmp_path / "kinds" / "grid.npy", a.reshape(5, 8, 16)); np.save(tmp_path / "kinds" / "wide.npy", a.astype(np.int64))
  np.save(tmp_path / "kinds" / "other.npy", a[::-1])
  assert [Path(p).name for p in import_commavq(str(tmp_path / "kinds"), str(tmp_path / "imp2"))] == ["flat.h5", "other.h5"]
  assert [s.name for s in load_segments(str(tmp_path / "kinds"))] == ["flat.npy", "other.npy"]
  # a shard imported before kept the file's byte checksum: the .npy beside it is still that drive
  import h5py, hashlib, shutil
  with h5py.File(tmp_path / "imp2" / "flat.h5", "r+") as h: h.attrs["checksum"] = "sha256:" + hashlib.sha256((tmp_path / "kinds" / "flat.npy").read_bytes()).hexdigest()
  shutil.copy(tmp_path / "kinds" / "flat.npy", tmp_path / "imp2" / "flat_again.npy")
  assert sorted(s.name for s in load_segments(str(tmp_path / "imp2"))) == ["flat.h5", "other.h5"]

def test_upsample_as_four_small_convs_is_nearest_upsample_then_conv():
  """The decoder's Upsample runs the 3x3 conv of a 2x nearest-neighbour upsampling as four 2x2 convs on the small input
  (one per output phase): the same function as upsampling then convolving, against numpy in float64, and the same
  gradients as the engine's upsample-then-conv."""
  from drivegpt.models.vqvae import Upsample
  rng = rng_for("upsample")
  up = Upsample(3, 4)
  up.conv.weight.requires_grad = up.conv.bias.requires_grad = True
  x = rng.standard_normal((2, 3, 5, 7)).astype(np.float32)
  w, b = up.conv.weight.numpy().astype(np.float64), up.conv.bias.numpy().astype(np.float64)
  big = np.pad(x.astype(np.float64).repeat(2, 2).repeat(2, 3), ((0, 0), (0, 0), (1, 1), (1, 1)))
  want = sum(np.einsum("bchw,oc->bohw", big[:, :, i:i + 10, j:j + 14], w[:, :, i, j]) for i in range(3) for j in range(3)) + b[None, :, None, None]
  t = Tensor(x, requires_grad=True)
  y = up(t)
  np.testing.assert_allclose(y.numpy(), want, rtol=1e-5, atol=1e-5)
  g = rng.standard_normal(y.shape).astype(np.float32)
  (y * Tensor(g)).sum().backward()
  got = [t.grad.numpy(), up.conv.weight.grad.numpy(), up.conv.bias.grad.numpy()]
  t2, up.conv.weight.grad, up.conv.bias.grad = Tensor(x, requires_grad=True), None, None
  ref = t2.reshape(2, 3, 5, 1, 7, 1).expand(2, 3, 5, 2, 7, 2).reshape(2, 3, 10, 14).conv2d(up.conv.weight, up.conv.bias, padding=1)
  (ref * Tensor(g)).sum().backward()
  for a, r in zip(got, [t2.grad.numpy(), up.conv.weight.grad.numpy(), up.conv.bias.grad.numpy()]): np.testing.assert_allclose(a, r, rtol=1e-4, atol=1e-4)

def test_tokenize_on_ray_reads_the_shards_named_from_here(tmp_path, monkeypatch):
  """A relative --shards went to the Ray workers as typed: a worker runs in its node's folder (where Ray started, a
  cluster's `ray start` one), and read that folder's shards of the same names, silently."""
  import h5py
  import ray
  rng = rng_for("ray-cwd")
  run = make_run(tmp_path, TINY)
  for d, n in (("here", 3), ("there", 5)):   # same names, other frames: the worker starts in "there"
    (tmp_path / d / "sh").mkdir(parents=True)
    for name in ("a", "b"): write_frame_shard(tmp_path / d / "sh" / f"{name}.h5", smooth_frames(rng, n))
  monkeypatch.chdir(tmp_path / "there")
  ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
  try:
    monkeypatch.chdir(tmp_path / "here")
    tokenize(str(run), "sh", "tok", use_ray=True, progress=False)
  finally: ray.shutdown()
  for name in ("a", "b"):
    with h5py.File(tmp_path / "here" / "tok" / f"{name}.h5") as f:
      assert len(f["tokens"]) == 3 and f.attrs["frame_shard"] == str(tmp_path / "here" / "sh" / f"{name}.h5")

@pytest.mark.parametrize("use_ray", [False, True])
def test_tokenize_names_every_bad_shard_and_tokenizes_the_others(tmp_path, use_ray):
  """One unreadable frame shard among good ones ended the run at it (on Ray, RayTaskError's traceback), the shards after
  it never tokenized. Now each good shard is tokenized, and the error names every bad one; a re-run keeps the good ones."""
  import h5py
  rng = rng_for("bad-shards")
  run, shards = make_run(tmp_path, TINY), tmp_path / "sh"
  shards.mkdir()
  for name in ("a", "c", "e"): write_frame_shard(shards / f"{name}.h5", smooth_frames(rng, 2))
  (shards / "b.h5").write_bytes(b"not hdf5 at all")
  with h5py.File(shards / "d.h5", "w") as f: f["frames"] = smooth_frames(rng, 2).astype(np.float32)
  write_frame_shard(shards / "f.h5", smooth_frames(rng, 2))
  with h5py.File(shards / "f.h5", "a") as f: f.attrs["fps"] = np.array([20.0, 20.0])  # (a TypeError: --no-ray stopped at it)
  if use_ray:
    import ray
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)  # (not a cluster `ray start` left)
  try:
    with pytest.raises(ValueError, match=r"3 of 6 shards not tokenized") as e:
      tokenize(str(run), str(shards), str(tmp_path / "tok"), use_ray=use_ray, progress=False)
  finally:
    if use_ray: ray.shutdown()
  lines = str(e.value).splitlines()[1:]
  assert len(lines) == 3 and str(shards / "b.h5") in lines[0] and "not a readable shard" in lines[0]
  assert str(shards / "d.h5") in lines[1] and "uint8" in lines[1]
  assert str(shards / "f.h5") in lines[2] and "TypeError" in lines[2]
  assert sorted(p.name for p in (tmp_path / "tok").glob("*.h5")) == ["a.h5", "c.h5", "e.h5"]
  (shards / "b.h5").unlink(); (shards / "d.h5").unlink(); (shards / "f.h5").unlink()
  assert [r["status"] for r in tokenize(str(run), str(shards), str(tmp_path / "tok"), use_ray=False, progress=False)] == ["skipped"] * 3

def test_tokenize_names_the_output_it_cannot_write(tmp_path, monkeypatch):
  """Session 40 (an I/O fault review): a full disk under --out was "FRAME_SHARD: not a readable shard" (a good shard one
  might delete), and an --out that can't be written was found only after every shard was encoded."""
  import errno
  import drivegpt.nn.state as state
  rng = rng_for("full-disk")
  run, shards = make_run(tmp_path, TINY), tmp_path / "sh"
  shards.mkdir()
  write_frame_shard(shards / "a.h5", smooth_frames(rng, 2))
  (tmp_path / "file").write_text("")
  with pytest.raises(ValueError, match="file/tok: cannot write to the output folder"):
    tokenize(str(run), str(shards), str(tmp_path / "file" / "tok"), use_ray=False, progress=False)
  def full(path, *a, **k): raise OSError(errno.ENOSPC, "can't write it (No space left on device)", path)
  monkeypatch.setattr(state, "write_atomic", full)
  with pytest.raises(ValueError, match="1 of 1 shards not tokenized") as e:
    tokenize(str(run), str(shards), str(tmp_path / "tok"), use_ray=False, progress=False)
  assert f"can't write it (No space left on device): '{tmp_path / 'tok' / 'a.h5'}'" in str(e.value) and "not a readable shard" not in str(e.value)
  def gone(path, *a, **k): raise FileNotFoundError(f"{path}: can't write it: its folder {tmp_path / 'tok'} doesn't exist")  # (no filename)
  monkeypatch.setattr(state, "write_atomic", gone)
  with pytest.raises(ValueError, match="1 of 1 shards not tokenized") as e:
    tokenize(str(run), str(shards), str(tmp_path / "tok"), use_ray=False, progress=False)
  assert f"{tmp_path / 'tok' / 'a.h5'}: can't write it: its folder" in str(e.value) and "not a readable shard" not in str(e.value)

def test_tokenize_refuses_frame_times_that_are_not_finite(tmp_path):
  """Session 40 (a corruption fuzzer): a frame shard's NaN frame_times were copied into its token shard, exit 0, and
  refused two stages on naming the token shard; tokenize names the frame shard now."""
  import h5py
  run, shards = make_run(tmp_path, TINY), tmp_path / "sh"
  shards.mkdir()
  write_frame_shard(shards / "a.h5", smooth_frames(rng_for("nan-times"), 3))
  with h5py.File(shards / "a.h5", "r+") as f: f["frame_times"][1] = np.nan
  with pytest.raises(ValueError, match=r"sh/a\.h5: 'frame_times' is not finite at frame 1"):
    tokenize(str(run), str(shards), str(tmp_path / "tok"), use_ray=False, progress=False)

def test_train_vqvae_on_an_empty_folder_says_so(tmp_path, capsys):
  """data.shards= an empty folder: "no shard in 'train' split of ... has 1 frames (0 shards, lengths [])"."""
  (tmp_path / "empty").mkdir()
  assert cli(["train-vqvae", f"data.shards={tmp_path / 'empty'}", f"out={tmp_path / 'r'}", "steps=1", "warmup=0"]) == 2
  assert f"{tmp_path / 'empty'}: no shards in its 'train' split" in capsys.readouterr().err

def test_export_commavq_says_what_a_npy_cannot_hold_and_tokenize_names_an_import(tmp_path, capsys):
  """Session 33 (a review): export-commavq dropped a shard's poses, speeds, actions, takeover labels and its dropped-frame
  times without a word (an import trains without pose conditioning); tokenize into a folder of import-commavq's shards
  called one "made before token shards recorded their sources"."""
  from train.tokenize import write_token_shard, _existing
  rng = rng_for("export-drops")
  (tmp_path / "tok").mkdir()
  times = np.arange(6) / 20
  write_token_shard(tmp_path / "tok" / "a.h5", rng.integers(0, 1024, (6, 8, 16)).astype(np.int16),
                    {"frame_times": times, "pose": rng.normal(0, 1, (6, 6)).astype(np.float32), "speed": rng.uniform(0, 30, 6).astype(np.float32)},
                    {"route": "a", "fps": 20.0})
  export_commavq(str(tmp_path / "tok"), str(tmp_path / "npy"))
  err = capsys.readouterr().err
  assert "the shards' pose, speed are not exported" in err and "frame_times" not in err  # even times: nothing lost
  write_token_shard(tmp_path / "tok" / "a.h5", rng.integers(0, 1024, (6, 8, 16)).astype(np.int16),
                    {"frame_times": np.r_[times[:3], times[3:] + 0.05]}, {"route": "a", "fps": 20.0})  # a dropped frame
  export_commavq(str(tmp_path / "tok"), str(tmp_path / "npy2"))
  assert "the shards' frame_times are not exported" in capsys.readouterr().err
  (tmp_path / "bare").mkdir()
  write_token_shard(tmp_path / "bare" / "b.h5", rng.integers(0, 1024, (6, 8, 16)).astype(np.int16), {"frame_times": times}, {"route": "b", "fps": 20.0})
  export_commavq(str(tmp_path / "bare"), str(tmp_path / "npy3"))
  assert "not exported" not in capsys.readouterr().err
  # (session 34) a plain video's shard holds every signal as zeros with its has_* flag false: none of them is lost
  (tmp_path / "plain").mkdir()
  zeros = {"frame_times": times, "pose": np.zeros((6, 6), np.float32), "speed": np.zeros(6, np.float32), "lead": np.zeros((6, 4), np.float32)}
  write_token_shard(tmp_path / "plain" / "c.h5", rng.integers(0, 1024, (6, 8, 16)).astype(np.int16), zeros,
                    {"route": "c", "fps": 20.0, "has_pose": False, "has_can": False, "has_lead": True})
  export_commavq(str(tmp_path / "plain"), str(tmp_path / "npy4"))
  assert "the shards' lead are not exported" in capsys.readouterr().err   # only the one it says it has
  import_commavq(str(tmp_path / "npy"), str(tmp_path / "back"))
  with pytest.raises(ValueError, match=r"back/a\.h5: a token shard imported by import-commavq from .*npy/a\.npy: tokenize into another --out"):
    _existing(tmp_path / "back" / "a.h5", "unused-ckpt", "unused-shard")

def test_a_data_parallel_run_reads_data_inside_its_own_folder(tmp_path):
  """Session 34 (a review of the folder locks): with workers=2, each Ray replica refused the run's own data, kept inside
  its out folder, naming the run's driver as "still writing"; the driver's workers count as the driver."""
  import train.vqvae as tv
  out = tmp_path / "runs" / "x"
  (out / "shards").mkdir(parents=True)
  rng = np.random.default_rng(0)
  for i, n in enumerate("abcd"): write_frame_shard(out / "shards" / f"{n}.h5", smooth_frames(rng, 4, 32, 64), seed=i)
  model = {f"model.{k}": list(v) if isinstance(v, tuple) else v for k, v in {**TINY, "image_size": (32, 64)}.items()}
  cfg = load_config(TrainConfig, overrides=[f"{k}={json.dumps(v)}" for k, v in {**model, "data.shards": str(out / "shards"),
        "out": str(out), "steps": 2, "batch_size": 4, "ckpt_every": 2, "log_every": 2, "eval_frames": 4, "grid_frames": 2,
        "workers": 2, "data.val_fraction": 0}.items()])
  assert tv.train(cfg)["workers"] == 2

def test_attention_block_against_numpy():
  """The VQVAE's attention block (taming-transformers' AttnBlock) in float64 numpy: h = groupnorm(x), q, k, v 1x1
  convs, softmax(q^T k / sqrt(C)) over the keys, x + proj(v w^T). A mutation test found k and v swapped survived."""
  from drivegpt.models.vqvae import AttnBlock
  Tensor.manual_seed(0)
  C, H, W, G = 8, 3, 4, 4
  blk = AttnBlock(VQVAEConfig(groups=G), C)
  x = np.random.default_rng(0).standard_normal((2, C, H, W)).astype(np.float32)
  got = blk(Tensor(x)).numpy()
  p = {k: v.numpy().astype(np.float64) for k, v in (("nw", blk.norm.weight), ("nb", blk.norm.bias), ("qw", blk.qkv.weight), ("qb", blk.qkv.bias), ("pw", blk.proj.weight), ("pb", blk.proj.bias))}
  X = x.astype(np.float64).reshape(2, G, -1)
  h = ((X - X.mean(-1, keepdims=True)) / np.sqrt(X.var(-1, keepdims=True) + 1e-6)).reshape(2, C, H * W) * p["nw"][:, None] + p["nb"][:, None]
  qkv = np.einsum("oc,bcn->bon", p["qw"][:, :, 0, 0], h) + p["qb"][:, None]
  q, k, v = qkv[:, :C], qkv[:, C:2*C], qkv[:, 2*C:]
  s = np.einsum("bcq,bck->bqk", q, k) / np.sqrt(C)
  w = np.exp(s - s.max(-1, keepdims=True)); w /= w.sum(-1, keepdims=True)
  y = np.einsum("bck,bqk->bcq", v, w)
  ref = x.astype(np.float64) + (np.einsum("oc,bcn->bon", p["pw"][:, :, 0, 0], y) + p["pb"][:, None]).reshape(2, C, H, W)
  np.testing.assert_allclose(got, ref, rtol=1e-4, atol=1e-5)

def test_tokenize_refuses_a_checkpoint_still_training(tmp_path):
  """Session 39 (two jobs at once): a tokenize beside a VQVAE still training exited 0 with token shards of two codebooks
  (each task loads the checkpoint, which the run replaced meanwhile); refused now, naming the process."""
  import subprocess, sys
  from drivegpt.nn.state import release_folder
  rng = rng_for("tokenize beside training")
  (tmp_path / "shards").mkdir()
  write_frame_shard(tmp_path / "shards" / "a.h5", smooth_frames(rng, 3))
  run = make_run(tmp_path, TINY)
  release_folder(run)   # (make_run's Run holds it in this process, as a run being trained would in its own)
  holder = subprocess.Popen([sys.executable, "-c", f"from drivegpt.nn.state import lock_folder; lock_folder({str(run)!r}); print('held', flush=True); input()"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
  try:
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(ValueError, match=f"--ckpt {run}: a run is still training in {run} \\(its lock is held by pid {holder.pid}\\)"):
      tokenize(str(run), str(tmp_path / "shards"), str(tmp_path / "tokens"), use_ray=False, progress=False)
    from drivegpt.export.command import export_run   # (session 45: export took its checkpoint of the moment, unsaid)
    from drivegpt.export.graph import ExportError
    with pytest.raises(ExportError, match=f"a run is still training in {run} \\(its lock is held by pid {holder.pid}\\)"):
      export_run(str(run), str(tmp_path / "ex"))
  finally: holder.communicate("\n", timeout=60)
  assert [r["status"] for r in tokenize(str(run), str(tmp_path / "shards"), str(tmp_path / "tokens"), use_ray=False, progress=False)] == ["done"]
  # a run resumed there after that check (the checkpoint saved again with other weights between two shards): the shards
  # of two codebooks are named, not returned as done
  import train.tokenize as tk
  from drivegpt.nn.state import save_checkpoint, checkpoint_info
  write_frame_shard(tmp_path / "shards" / "b.h5", smooth_frames(rng, 3), seed=1)
  real = tk.tokenize_shard
  def resaved(ckpt, shard, *a):
    out = real(ckpt, shard, *a)
    model, cfg = load_tokenizer(str(run))
    model.quantizer.codebook.assign(model.quantizer.codebook + 1).realize()
    save_checkpoint(str(run / "ckpt.safetensors"), model, None, 1, checkpoint_info(str(run / "ckpt.safetensors"))[1])
    return out
  tk.tokenize_shard = resaved
  try:
    with pytest.raises(ValueError, match="its checkpoint changed while tokenizing .* 1 token shard\\(s\\) hold another codebook \\(b.h5"):
      tokenize(str(run), str(tmp_path / "shards"), str(tmp_path / "tokens2"), use_ray=False, progress=False)
  finally: tk.tokenize_shard = real

def test_damaged_hdf5_metadata_in_a_frame_shard_is_named(tmp_path, monkeypatch):
  """Session 43 (a review of damaged data): h5py reports damaged metadata (a flipped bit in a shard's first 4 KB) as a
  RuntimeError or KeyError, which the frame loader (train-vqvae) and eval-vqvae's reader let through: a traceback naming
  no file. Named now, as the token loaders and the split's reader already did."""
  import h5py
  from data.dataset import WindowLoader
  from train.vqvae import shard_batches
  rng = rng_for("damaged metadata")
  for k in range(2): write_frame_shard(tmp_path / f"s{k}.h5", rng.integers(0, 255, (6, 32, 64, 3)).astype(np.uint8), seed=k)
  def damaged(*a, **kw): raise RuntimeError("Link iteration failed (unable to offset into local heap data block)")
  monkeypatch.setattr(h5py.Group, "__iter__", damaged)
  monkeypatch.setattr(h5py.Group, "__contains__", damaged)
  with pytest.raises(ValueError, match=r"s0\.h5: not a readable shard \(Link iteration failed"): WindowLoader(str(tmp_path), window=1, split="all", fields=("frames",))
  with pytest.raises(ValueError, match=r"s0\.h5: not a readable shard \(Link iteration failed"): next(shard_batches(sorted(tmp_path.glob("*.h5")), 2))

def test_one_drive_holds_nothing_out_and_says_so(tmp_path, capsys):
  """Session 44 (a review of edge settings): one shard (one drive) with data.val_fraction 0.1 trained on all of it with
  no held-out numbers, nothing said; train-disengage and BC refuse it."""
  from train.vqvae import train
  rng = rng_for("one drive")
  (tmp_path / "d").mkdir()
  write_frame_shard(tmp_path / "d" / "only.h5", smooth_frames(rng, 4, 32, 64), seed=1)
  model = {f"model.{k}": list(v) if isinstance(v, tuple) else v for k, v in {**TINY, "image_size": (32, 64)}.items()}
  res = train(load_config(TrainConfig, overrides=[f"{k}={json.dumps(v)}" for k, v in {**model, "data.shards": str(tmp_path / "d"), "out": str(tmp_path / "run"),
              "steps": 1, "batch_size": 2, "eval_frames": 2, "grid_frames": 2, "warmup": 0}.items()]))
  assert not any(k.startswith("val_") for k in res)
  assert "is one drive (only): nothing held out (data.val_fraction=0.1 needs 2 drives or more" in capsys.readouterr().err

def test_a_psnr_under_0_db_stops_the_run(tmp_path):
  """Session 51 (a review): train-vqvae at lr=1000 logged a training PSNR of -134.9 dB (reconstructions further off than
  the frames' whole range), finished at exit 0, and tokenize wrote every frame as one code."""
  from train.stage import Run
  run = Run(str(tmp_path / "r"), load_config(TrainConfig, None, ["data.shards=x"]))
  run.log(1, loss=0.5, psnr=-5.2, val_psnr=12.5)   # a dip under 0 before the end can recover (a review: 12.3, 1.0, -5.2, then 16.4 dB)
  with pytest.raises(FloatingPointError, match=r"psnr is -134.9 dB at step 2: training diverged"): run.log(2, last=True, psnr=-134.86)
