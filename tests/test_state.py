"""safetensors files written and read by hand, checked both ways against the reference `safetensors` package; corrupt
files; atomic, exact checkpoints, resumed bit-identically in a new process."""
import errno, json, os, struct, subprocess, sys, time
import numpy as np
import pytest
import safetensors.numpy
from safetensors import safe_open
from drivegpt import Tensor, dtypes
from drivegpt.nn import get_state_dict
from drivegpt.nn.optim import SGD
from drivegpt.nn.state import safe_save, safe_load, read_safetensors, save_checkpoint, load_checkpoint, checkpoint_info, CorruptFileError
import helpers_nn as h

TESTS = os.path.dirname(os.path.abspath(__file__))

def sample_arrays(seed: int) -> dict:
  rng = np.random.default_rng(seed)
  return {"f32": rng.standard_normal((3, 4)).astype(np.float32), "f16": rng.standard_normal((5,)).astype(np.float16),
          "i32": rng.integers(-2**31, 2**31, (2, 3, 2), dtype=np.int32), "i64": rng.integers(-2**62, 2**62, (4,), dtype=np.int64),
          "bool": rng.random((3, 3)) > 0.5, "scalar": np.array(rng.standard_normal(), np.float32), "empty": np.zeros((0, 3), np.float32),
          "layers.0.attn.weight": rng.standard_normal((2, 2)).astype(np.float32)}

def test_we_write_what_safetensors_reads(tmp_path):
  arrays = sample_arrays(1)
  path = str(tmp_path / "ours.safetensors")
  safe_save({k: Tensor(v, dtype=dtypes.from_np(v.dtype)) for k, v in arrays.items()}, path, metadata={"step": "7", "note": "hi"})
  theirs = safetensors.numpy.load_file(path)
  assert set(theirs) == set(arrays)
  for k, v in arrays.items():
    assert theirs[k].dtype == v.dtype and theirs[k].shape == v.shape, k
    np.testing.assert_array_equal(theirs[k], v, err_msg=k)
  with safe_open(path, "np") as f: assert f.metadata() == {"step": "7", "note": "hi"}
  assert not [f for f in os.listdir(tmp_path) if f != "ours.safetensors"], "a temp file was left behind"

def test_we_read_what_safetensors_writes(tmp_path):
  arrays = sample_arrays(2)
  path = str(tmp_path / "theirs.safetensors")
  safetensors.numpy.save_file(arrays, path, metadata={"a": "b"})
  ours = safe_load(path)
  assert set(ours) == set(arrays)
  for k, v in arrays.items():
    assert ours[k].dtype == dtypes.from_np(v.dtype) and ours[k].shape == v.shape, k
    np.testing.assert_array_equal(ours[k].numpy(), v, err_msg=k)
  assert read_safetensors(path)[1] == {"a": "b"}

def test_header_layout(tmp_path):
  # the format itself: u64 little-endian header size, JSON header, data at 8-byte alignment, offsets relative to the data
  path = str(tmp_path / "x.safetensors")
  a, b = np.arange(3, dtype=np.int64), np.array([[1.5, -2.0]], np.float32)
  safe_save({"a": Tensor(a, dtype=dtypes.int64), "b": Tensor(b)}, path)
  raw = open(path, "rb").read()
  n = struct.unpack("<Q", raw[:8])[0]
  header = json.loads(raw[8:8 + n])
  assert (8 + n) % 8 == 0
  assert header["a"] == {"dtype": "I64", "shape": [3], "data_offsets": [0, 24]} and header["b"] == {"dtype": "F32", "shape": [1, 2], "data_offsets": [24, 32]}
  assert raw[8 + n:] == a.astype("<i8").tobytes() + b.astype("<f4").tobytes()

def _corrupt(tmp_path, name: str, mutate) -> str:
  path = str(tmp_path / name)
  safe_save({"w": Tensor(np.arange(6, dtype=np.float32).reshape(2, 3)), "b": Tensor(np.ones(4, np.float32))}, path)
  raw = open(path, "rb").read()
  n = struct.unpack("<Q", raw[:8])[0]
  open(path, "wb").write(mutate(raw, n))
  return path

def _with_header(raw, n, edit):
  header = json.loads(raw[8:8 + n])
  edit(header)
  hb = json.dumps(header).encode()
  return struct.pack("<Q", len(hb)) + hb + raw[8 + n:]

@pytest.mark.parametrize("name,mutate,problem", [
  ("short", lambda raw, n: raw[:5], "too short for the 8-byte header length"),
  ("cut_header", lambda raw, n: raw[:8 + n // 2], "runs past the end of the file"),
  ("cut_data", lambda raw, n: raw[:-3], r"data_offsets \[24, 40\] are outside the 37-byte data section"),
  ("bad_json", lambda raw, n: raw[:8] + b"x" + raw[9:], "header is not valid JSON"),
  ("huge_len", lambda raw, n: struct.pack("<Q", 2**40) + raw[8:], "header length 1099511627776 runs past the end"),
  ("bad_offsets", lambda raw, n: _with_header(raw, n, lambda hd: hd["w"].update(data_offsets=[0, 20])), "'w' has 20 bytes, but dtype F32 and shape \\[2, 3\\] need 24"),
  ("bad_dtype", lambda raw, n: _with_header(raw, n, lambda hd: hd["w"].update(dtype="F8")), "'w' has a bad entry"),
  ("trailing", lambda raw, n: raw + b"junk", "data section is 44 bytes, but the tensors cover only 40")])
def test_corrupt_files_name_the_file_and_problem(tmp_path, name, mutate, problem):
  path = _corrupt(tmp_path, f"{name}.safetensors", mutate)
  with pytest.raises(CorruptFileError, match=problem) as e: safe_load(path)
  assert str(e.value).startswith(path)

def test_failed_save_keeps_the_old_file(tmp_path, monkeypatch):
  path = str(tmp_path / "ckpt.safetensors")
  safe_save({"w": Tensor(np.ones(3, np.float32))}, path)
  def broken_fsync(fd): raise OSError("disk full")
  monkeypatch.setattr(os, "fsync", broken_fsync)
  with pytest.raises(OSError, match="disk full"): safe_save({"w": Tensor(np.zeros(3, np.float32))}, path)
  np.testing.assert_array_equal(safe_load(path)["w"].numpy(), np.ones(3))
  assert os.listdir(tmp_path) == ["ckpt.safetensors"]
  # the system's own error names the file (a full disk said only "[Errno 28] No space left on device")
  def full(fd): raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
  monkeypatch.setattr(os, "fsync", full)
  with pytest.raises(OSError, match=r"can't write it \(No space left on device\): '.*ckpt\.safetensors'"):
    safe_save({"w": Tensor(np.zeros(3, np.float32))}, path)
  assert os.listdir(tmp_path) == ["ckpt.safetensors"]

def test_checkpoint_round_trip_in_process(tmp_path):
  Tensor.manual_seed(3)
  model, opt = h.make_run(h.CKPT_CONFIG)
  h.train_steps(model, opt, 0, 3)
  path = str(tmp_path / "run.ckpt")
  save_checkpoint(path, model, opt, step=3, config=h.CKPT_CONFIG, extra={"note": "x"})
  want = {k: v.numpy() for k, v in (get_state_dict(model) | {f"opt.{k}": v for k, v in opt.state_dict().items()}).items()}
  rng_state = (Tensor._seed, Tensor._rng_counter)
  Tensor.manual_seed(77)
  model2, opt2 = h.make_run(h.CKPT_CONFIG)
  assert checkpoint_info(path) == (3, h.CKPT_CONFIG, {"note": "x"})
  assert load_checkpoint(path, model2, opt2) == (3, h.CKPT_CONFIG)
  got = {k: v.numpy() for k, v in (get_state_dict(model2) | {f"opt.{k}": v for k, v in opt2.state_dict().items()}).items()}
  assert set(got) == set(want)
  for k in want: np.testing.assert_array_equal(got[k], want[k], err_msg=k)
  assert (Tensor._seed, Tensor._rng_counter) == rng_state and opt2.step_count == 3
  assert get_state_dict(model2)["lm_head.weight"] is get_state_dict(model2)["wte.weight"]  # loading kept the tie

def test_checkpoint_refuses_mismatches(tmp_path):
  Tensor.manual_seed(4)
  model, opt = h.make_run(h.CKPT_CONFIG)
  path = str(tmp_path / "run.ckpt")
  save_checkpoint(path, model, opt, step=0, config=h.CKPT_CONFIG)
  wider, wider_opt = h.make_run(h.CKPT_CONFIG | {"d_model": 32})
  before = get_state_dict(wider)["wte.weight"].numpy()
  with pytest.raises(ValueError, match=r"run.ckpt: checkpoint doesn't match: model key 'wte.weight' is dtypes.float32 \(16, 16\) in the file, but dtypes.float32 \(16, 32\)"):
    load_checkpoint(path, wider)
  np.testing.assert_array_equal(get_state_dict(wider)["wte.weight"].numpy(), before)  # untouched
  deeper, _ = h.make_run(h.CKPT_CONFIG | {"n_layer": 3})
  with pytest.raises(ValueError, match=r"run.ckpt: .*model key 'h.2.ln_1.weight' is missing from the file"): load_checkpoint(path, deeper)
  # the model matches but the optimizer (built for another model) doesn't
  with pytest.raises(ValueError, match=r"run.ckpt: .*optimizer key 'm.0' is dtypes.float32 \(16, 16\) in the file, but .*\(16, 32\)"):
    load_checkpoint(path, model, wider_opt)
  with pytest.raises(ValueError, match=r"run.ckpt: .*optimizer key 'momentum.0' is missing"):
    load_checkpoint(path, model, SGD(get_state_dict(model).values(), lr=0.1, momentum=0.9))
  safe_save({"w": Tensor.ones(2)}, path)
  with pytest.raises(ValueError, match=r"run.ckpt: not a drivegpt checkpoint"): load_checkpoint(path, model)

def test_truncated_checkpoint(tmp_path):
  Tensor.manual_seed(5)
  model, opt = h.make_run(h.CKPT_CONFIG)
  path = str(tmp_path / "run.ckpt")
  save_checkpoint(path, model, opt, step=0, config=h.CKPT_CONFIG)
  raw = open(path, "rb").read()
  open(path, "wb").write(raw[:len(raw) // 2])
  with pytest.raises(CorruptFileError, match=r"run.ckpt: not a valid safetensors file: tensor .* outside the .*data section: truncated\?"):
    load_checkpoint(path, model, opt)

def test_resume_in_new_process_is_bit_identical(tmp_path):
  """Acceptance: 20 steps straight == 10 steps, checkpoint, load in a new process, 10 more steps (numpy backend)."""
  t0 = time.perf_counter()
  Tensor.manual_seed(0)
  model, opt = h.make_run(h.CKPT_CONFIG)
  straight = h.train_steps(model, opt, 0, 20)
  want = {k: v.numpy() for k, v in get_state_dict(model).items()}
  t1 = time.perf_counter()
  Tensor.manual_seed(0)
  model, opt = h.make_run(h.CKPT_CONFIG)
  first = h.train_steps(model, opt, 0, 10)
  assert first == straight[:10]
  ckpt, out = str(tmp_path / "step10.ckpt"), str(tmp_path / "final.safetensors")
  save_checkpoint(ckpt, model, opt, step=10, config=h.CKPT_CONFIG)
  code = f"import sys; sys.path.insert(0, {TESTS!r}); import helpers_nn; helpers_nn.resume({ckpt!r}, 10, {out!r})"
  r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
  assert r.returncode == 0, r.stderr[-3000:]
  got = safe_load(out)
  assert set(got) == set(want)
  for k in want: np.testing.assert_array_equal(got[k].numpy(), want[k], err_msg=k)
  assert any(np.abs(want[k] - v.numpy()).max() > 0 for k, v in get_state_dict(model).items())  # the last 10 steps did change weights
  print(f"\ncheckpoint resume: loss {straight[0]:.3f} -> {straight[-1]:.3f}; 20 straight steps {t1 - t0:.1f} s, "
        f"10 + save + new process + load + 10 {time.perf_counter() - t1:.1f} s; all {len(want)} tensors bit-identical", file=sys.stderr)

# *** issue 10: file mode, float16 models, state from other array libraries ***

def test_files_get_the_umask_mode(tmp_path):
  old = os.umask(0o022)
  try:
    safe_save({"w": Tensor.ones(2)}, str(tmp_path / "w.safetensors"))
    Tensor.manual_seed(6)
    model, opt = h.make_run(h.CKPT_CONFIG)
    save_checkpoint(str(tmp_path / "c.ckpt"), model, opt, step=0, config=h.CKPT_CONFIG)
  finally: os.umask(old)
  for name in ("w.safetensors", "c.ckpt"): assert os.stat(tmp_path / name).st_mode & 0o777 == 0o644, name
  assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []

def test_float16_model_checkpoint_round_trip(tmp_path):
  from drivegpt.nn import Linear, get_parameters, load_state_dict
  from drivegpt.nn.optim import Adam
  rng = np.random.default_rng(23)
  def make():
    m = Linear(4, 3)
    m.weight, m.bias = m.weight.half(), m.bias.half()
    return m, Adam(get_parameters(m), lr=0.01)
  model, opt = make()
  x = Tensor(rng.standard_normal((5, 4)).astype(np.float16))
  for _ in range(2):
    opt.zero_grad(); model(x).float().square().mean().backward(); opt.step()
  path = str(tmp_path / "half.ckpt")
  save_checkpoint(path, model, opt, step=2, config={})
  model2, opt2 = make()
  load_checkpoint(path, model2, opt2)
  for a, b in zip(get_parameters(model) + list(opt.state_dict().values()), get_parameters(model2) + list(opt2.state_dict().values())):
    assert a.dtype == b.dtype
    np.testing.assert_array_equal(a.numpy(), b.numpy())
  load_state_dict(model2, {"weight": rng.standard_normal((3, 4)).astype(np.float16), "bias": np.zeros(3, np.float16)})
  assert model2.weight.dtype == dtypes.float16

def test_load_state_dict_from_torch_tensors():
  torch = pytest.importorskip("torch")
  from drivegpt.nn import Linear, load_state_dict
  ref = torch.nn.Linear(5, 2)
  m = Linear(5, 2)
  load_state_dict(m, ref.state_dict())                                 # plain tensors
  np.testing.assert_array_equal(m.weight.numpy(), ref.weight.detach().numpy())
  load_state_dict(m, {"weight": ref.weight * 2, "bias": ref.bias})     # tensors that require grad
  np.testing.assert_array_equal(m.weight.numpy(), ref.weight.detach().numpy() * 2)
  load_state_dict(m, {"weight": ref.weight.double(), "bias": ref.bias.double()})  # float64 becomes float32, as everywhere
  with pytest.raises(TypeError, match="'weight'"): load_state_dict(m, {"weight": ref.weight.bfloat16(), "bias": ref.bias})

def test_tied_weights_saved_once_and_optimizer_state_from_arrays_and_checkpoint_errors_named(tmp_path):
  """PyTorch's safetensors save_model keeps one name of a tied weight: strict loading called the other missing; an
  optimizer's load_state_dict of numpy arrays said "'lr' is float32 (), expected dtypes.float32 ()"; a checkpoint whose
  tied weights disagree, and one saved into a folder that doesn't exist, were errors that named no file (or a temp file)."""
  from drivegpt.nn import Linear, get_parameters, get_state_dict, load_state_dict
  from drivegpt.nn.optim import AdamW
  from drivegpt.nn.state import load_checkpoint, read_safetensors, safe_save, save_checkpoint
  rng = np.random.default_rng(31)
  class Tied:
    def __init__(self): self.a, self.b = Linear(3, 3), Linear(3, 3); self.b.weight = self.a.weight
  m, w = Tied(), rng.standard_normal((3, 3)).astype(np.float32)
  load_state_dict(m, {"a.weight": w, "a.bias": np.zeros(3, np.float32), "b.bias": np.ones(3, np.float32)})   # b.weight: a's
  np.testing.assert_array_equal(m.b.weight.numpy(), w)
  with pytest.raises(KeyError, match="missing key 'a.bias'"): load_state_dict(m, {"a.weight": w, "b.bias": np.ones(3, np.float32)})
  opt = AdamW(get_parameters(Linear(2, 2)))
  saved = {k: v.numpy() + (1 if k.startswith("m.") else 0) for k, v in opt.state_dict().items()}
  opt.load_state_dict(saved)
  np.testing.assert_array_equal(opt.state_dict()["m.0"].numpy(), saved["m.0"])
  with pytest.raises(ValueError, match=r"'lr' is dtypes.int32 \(\), expected dtypes.float32"): opt.load_state_dict({**saved, "lr": np.array(1, np.int32)})
  save_checkpoint(str(tmp_path / "t.safetensors"), m, None, 1, {})
  sd = {k: v.numpy() for k, v in get_state_dict(m).items()}
  sd["b.weight"] = sd["b.weight"] + 1
  safe_save({f"model.{k}": Tensor(v) for k, v in sd.items()}, str(tmp_path / "u.safetensors"), read_safetensors(str(tmp_path / "t.safetensors"))[1])
  with pytest.raises(ValueError, match=r"u\.safetensors: checkpoint doesn't match: .*'b.weight' and 'a.weight' are one tied tensor"):
    load_checkpoint(str(tmp_path / "u.safetensors"), Tied())
  with pytest.raises(FileNotFoundError, match=r"nodir/x\.safetensors: can't write it: its folder .*nodir doesn't exist"):
    save_checkpoint(str(tmp_path / "nodir" / "x.safetensors"), m, None, 1, {})
  with pytest.raises(TypeError, match="config and extra must be JSON data"): save_checkpoint(str(tmp_path / "v.safetensors"), m, None, 1, {"lr": np.float32(1)})

class _ArrayLike:
  """An array of some other library: only __array__."""
  def __init__(self, a): self.a = a
  def __array__(self, dtype=None, copy=None): return self.a

def test_load_state_dict_from_array_likes():
  from drivegpt.nn import Linear, load_state_dict
  rng = np.random.default_rng(24)
  w, b = rng.standard_normal((2, 3)).astype(np.float32), rng.standard_normal(2).astype(np.float32)
  m = Linear(3, 2)
  load_state_dict(m, {"weight": _ArrayLike(w), "bias": memoryview(b)})
  np.testing.assert_array_equal(m.weight.numpy(), w)
  np.testing.assert_array_equal(m.bias.numpy(), b)

def test_damaged_headers_are_named(tmp_path):
  """Two tensors sharing bytes, a boolean offset (true read from byte 1), a negative size, a list as __metadata__ and
  a hand-edited step were read as garbage or raised bare numpy/int/attribute errors with no file named."""
  import json, struct
  from drivegpt.nn.state import CorruptFileError, read_safetensors, checkpoint_info, save_checkpoint
  def write(header, data=b"\0" * 16):
    hb = json.dumps(header).encode()
    (p := tmp_path / "x.safetensors").write_bytes(struct.pack("<Q", len(hb)) + hb + data)
    return str(p)
  f32 = lambda shape, lo, hi: {"dtype": "F32", "shape": shape, "data_offsets": [lo, hi]}
  assert read_safetensors(write({"a": f32([2], 0, 8), "b": f32([2], 8, 16)}))[0]["b"].shape == (2,)
  for header, what in (({"a": f32([2], 0, 8), "b": f32([2], 4, 12), "c": f32([1], 12, 16)}, "inside another tensor"),
                       ({"a": f32([4], True, 17)}, "data_offsets"), ({"a": f32([-4], 0, 16)}, "whole numbers >= 0"),
                       ({"__metadata__": ["x"], "a": f32([4], 0, 16)}, "__metadata__")):
    with pytest.raises(CorruptFileError, match=what): read_safetensors(write(header))
  # a key twice (json kept the last), and false or [] as __metadata__ (read as none), as the safetensors library refuses them
  for text, what in ((b'{"__metadata__":{"a":"1"},"__metadata__":{"a":"2"},"a":%s}', "'__metadata__' twice"),
                     (b'{"a":%s,"a":%s}', "'a' twice"), (b'{"__metadata__":false,"a":%s}', "__metadata__ is not a map")):
    entry = json.dumps(f32([4], 0, 16)).encode()
    hb = text.replace(b"%s", entry)
    (p := tmp_path / "d.safetensors").write_bytes(struct.pack("<Q", len(hb)) + hb + b"\0" * 16)
    with pytest.raises(CorruptFileError, match=what): read_safetensors(str(p))
  hb = b'{"__metadata__":null,"a":%s}' % json.dumps(f32([4], 0, 16)).encode()  # null is none, as the library reads it
  (p := tmp_path / "d.safetensors").write_bytes(struct.pack("<Q", len(hb)) + hb + b"\0" * 16)
  assert read_safetensors(str(p))[1] == {}
  with pytest.raises(TypeError, match=r"tensor 'w': a ndarray, not a Tensor"):  # (was: "dtype float32 can't be saved (... 'F32')")
    safe_save({"w": np.ones(3, np.float32)}, str(tmp_path / "n.safetensors"))
  class M:
    def __init__(self): self.w = Tensor([1.0, 2.0])
  save_checkpoint(str(tmp_path / "c.safetensors"), M(), None, 3, {})
  raw = (tmp_path / "c.safetensors").read_bytes().replace(b'"step":"3"', b'"step":"x"')
  (tmp_path / "c.safetensors").write_bytes(raw)
  with pytest.raises(CorruptFileError, match=r"c.safetensors: bad checkpoint metadata"): checkpoint_info(str(tmp_path / "c.safetensors"))
  # session 39: a header nested 10^5 deep was a RecursionError traceback; a config that is JSON but not a map crashed the
  # stage reading it; a negative RNG seed failed at the first random draw, naming no file
  hb = b'{"a":' + b"[" * 100000 + b"]" * 100000 + b"}"
  (p := tmp_path / "deep.safetensors").write_bytes(struct.pack("<Q", len(hb)) + hb)
  with pytest.raises(CorruptFileError, match="deep.safetensors: not a valid safetensors file: header is not valid JSON"): read_safetensors(str(p))
  # session 45: a key given twice in the checkpoint's config (the last one was taken), and a size-0 shape of a huge dim
  # ("array is too big", naming no file)
  Tensor.manual_seed(12)
  save_checkpoint(str(tmp_path / "d.safetensors"), M(), None, 13, {"steps": 5})
  arrays, meta = read_safetensors(str(tmp_path / "d.safetensors"))
  safe_save({k: Tensor(v) for k, v in arrays.items()}, str(tmp_path / "d.safetensors"), {**meta, "config": '{"steps": 5, "steps": 1}'})
  with pytest.raises(CorruptFileError, match=r"d.safetensors: bad checkpoint metadata \(ValueError: has 'steps' twice\)"): checkpoint_info(str(tmp_path / "d.safetensors"))
  for enc in (lambda t: t.encode("utf-16"), lambda t: b"\xef\xbb\xbf" + t.encode()):   # (json.loads of bytes took UTF-16 and a BOM)
    hb = enc(json.dumps({"a": {"dtype": "F32", "shape": [0], "data_offsets": [0, 0]}}))
    (p := tmp_path / "u16.safetensors").write_bytes(struct.pack("<Q", len(hb)) + hb)
    with pytest.raises(CorruptFileError, match=r"u16.safetensors: .*header is not valid JSON"): read_safetensors(str(p))
  hb = json.dumps({"a": {"dtype": "F32", "shape": [2**62, 0], "data_offsets": [0, 0]}}).encode()
  (p := tmp_path / "big.safetensors").write_bytes(struct.pack("<Q", len(hb)) + hb)
  with pytest.raises(CorruptFileError, match=r"big.safetensors: .*tensor 'a' of shape \[4611686018427387904, 0\]"): read_safetensors(str(p))
  for old_text, new_text in ((b'"config":"{}"', b'"config":"[]"'), (b'"rng_seed":"12"', b'"rng_seed":"-2"'), (b'"step":"13"', b'"step":"-3"')):
    Tensor.manual_seed(12)
    save_checkpoint(str(tmp_path / "c.safetensors"), M(), None, 13, {})
    raw = (tmp_path / "c.safetensors").read_bytes()
    assert old_text in raw
    (tmp_path / "c.safetensors").write_bytes(raw.replace(old_text, new_text))
    with pytest.raises(CorruptFileError, match=r"c.safetensors: bad checkpoint metadata"): checkpoint_info(str(tmp_path / "c.safetensors"))

def test_a_pickle_or_an_unsupported_dtype_is_named(tmp_path):
  """A torch.save zip or a pickle was reported as "header length ... runs past the end: truncated?", and a valid file of
  bfloat16 as "not a valid safetensors file". Each says what it is now (nothing unpickled)."""
  import pickle, zipfile
  with zipfile.ZipFile(tmp_path / "m.pt", "w") as z: z.writestr("archive/data.pkl", b"x" * 64)
  (tmp_path / "m.pkl").write_bytes(pickle.dumps({"w": np.zeros(3)}, protocol=4))
  with pytest.raises(CorruptFileError, match=r"m\.pt: .*a zip archive \(torch\.save"): safe_load(str(tmp_path / "m.pt"))
  with pytest.raises(CorruptFileError, match=r"m\.pkl: .*a pickle \(never loaded"): safe_load(str(tmp_path / "m.pkl"))
  header = json.dumps({"w": {"dtype": "BF16", "shape": [3], "data_offsets": [0, 6]}}).encode()
  (tmp_path / "b.safetensors").write_bytes(struct.pack("<Q", len(header)) + header + b"\0" * 6)
  with pytest.raises(CorruptFileError, match=r"b\.safetensors: tensor 'w' has dtype BF16, which the engine does not load"):
    safe_load(str(tmp_path / "b.safetensors"))

def test_refusals_a_mutation_test_found_untested(tmp_path):
  """Each refused with a message naming the file and the problem; each check's removal passed the suite: metadata
  values that are not strings (the safetensors spec), a tensor named __metadata__ on saving (its own reader would refuse
  the file), a checkpoint with a tensor outside model/optimizer or a model key the model lacks; and the header padded
  to 8 bytes, as safetensors' own writer (the same bytes)."""
  from drivegpt import nn
  def raw(name, header, data):
    hb = json.dumps(header).encode()
    (p := tmp_path / name).write_bytes(struct.pack("<Q", len(hb)) + hb + data)
    return str(p)
  with pytest.raises(CorruptFileError, match=r"m\.safetensors: .*__metadata__ is not a map of strings"):
    read_safetensors(raw("m.safetensors", {"__metadata__": {"a": 1}, "w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}, bytes(8)))
  with pytest.raises(ValueError, match="'__metadata__' is reserved"): safe_save({"__metadata__": Tensor([1.0])}, str(tmp_path / "x.safetensors"))
  class M:
    def __init__(self): self.l = nn.Linear(2, 2)
  p = str(tmp_path / "ck.safetensors")
  save_checkpoint(p, M(), None, 1, {})
  arrays, meta = read_safetensors(p)
  for key, msg in (("model.l.extra", r"file has model key 'l\.extra'"), ("other.x", r"unexpected tensor 'other\.x'")):
    q = str(tmp_path / f"{key}.safetensors")
    safe_save({k: Tensor(np.array(v)) for k, v in {**arrays, key: np.ones(2, np.float32)}.items()}, q, meta)
    with pytest.raises(ValueError, match=rf"{key}\.safetensors: .*{msg}"): load_checkpoint(q, M())
  w = {"a": np.random.default_rng(0).standard_normal((3, 5)).astype(np.float32), "bb": np.arange(7, dtype=np.int32)}
  safe_save({k: Tensor(v) for k, v in w.items()}, str(tmp_path / "ours.safetensors"))
  n = struct.unpack("<Q", (tmp_path / "ours.safetensors").read_bytes()[:8])[0]
  assert (8 + n) % 8 == 0
  assert (tmp_path / "ours.safetensors").read_bytes() == safetensors.numpy.save(w)

def test_review_53_a_view_kept_as_a_models_attribute_loads_through_its_base():
  """A model holding wt = w.T as an attribute: load_state_dict wrote into the view, was refused (an in-place write into a
  leaf that requires grad), and left the model half loaded (w loaded, b not), though everything is checked first."""
  from drivegpt import nn
  rng = np.random.default_rng(53)
  class M:
    def __init__(s):
      s.w = Tensor(np.zeros((2, 3), np.float32), requires_grad=True); s.wt = s.w.T
      s.b = Tensor(np.zeros(3, np.float32), requires_grad=True)
  m, w, b = M(), rng.standard_normal((2, 3)).astype(np.float32), rng.standard_normal(3).astype(np.float32)
  nn.load_state_dict(m, {"w": w, "wt": w.T.copy(), "b": b})
  np.testing.assert_array_equal(m.w.numpy(), w); np.testing.assert_array_equal(m.wt.numpy(), w.T); np.testing.assert_array_equal(m.b.numpy(), b)
