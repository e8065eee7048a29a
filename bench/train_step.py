"""Training-step benchmark: the engine against PyTorch CPU in the same process, same shapes, same optimizer.
GPT: 4 layers, d_model 256, 8 heads, MLP 4x, vocab 1024, context 256, batch 8, AdamW (forward + backward + step).
VQVAE encoder: 8x3x128x256 input, four stride-2 4x4 convs 3->64->128->128->256, 1x1 conv to 64, nearest of 1024 codes,
straight-through backward, Adam step.
VQVAE (configs/vqvae-small.yaml): the full tokenizer training step of that config at its batch size: encoder, EMA
quantizer with dead-code restarts, decoder, MSE + commitment loss, gradient clipping, Adam (drivegpt/models/vqvae.py
against a PyTorch twin built from the same config).
Prints the median step time over --steps steps after warm-up (PyTorch on CPU timed on all cores and on one thread, the
faster counting: bench/torch_threads.py), the engine/PyTorch ratios with and without the JIT, and the peak resident
memory each side's step adds (engine+jit and PyTorch, each measured in a fresh process; also with the engine's
native-kernel runtime start-up counted).
Run: python bench/train_step.py [--case gpt|vqvae|vqvae-small|all] [--steps 10] [--device CL] [--torch-device cuda]   (PyTorch: pip install torch==2.13.0)"""
import argparse, os, resource, statistics, subprocess, sys, time
from drivegpt import Tensor, Device, jit, native
import numpy as np
from drivegpt.cli import HelpFormatter, at_least
from drivegpt.nn import Conv2d, get_parameters
from drivegpt.nn.optim import Adam, AdamW
from drivegpt.models.gpt import GPT, GPTConfig
from torch_threads import at_threads, setup

try: import torch
except ImportError: torch = None
TDEV = "cpu"  # --torch-device: where the PyTorch twin runs (cuda on a GPU machine, beside --device CL)

def torch_sync():
  if TDEV.startswith("cuda"): torch.cuda.synchronize()

def median_steps(steps: dict, n: int, warmup: int = 3) -> dict:
  """Median seconds per step of each closure over n steps, in two rounds of blocks that take turns (load drifting on a
  shared machine hits all alike). Each closure runs its steps one after another, as a training loop does, after an
  untimed step in which the other side's idle worker threads stop spinning: step by step, PyTorch's OpenMP threads
  spun on into the engine's next step and took its cores (VQVAE-small with the jit: 196 ms so, 145 ms alone)."""
  for fn in steps.values():
    for _ in range(warmup): fn()
  times = {k: [] for k in steps}
  for _ in range(2):
    for k, fn in steps.items():
      fn()
      for _ in range(-(-n // 2)):
        t = time.perf_counter(); fn(); times[k].append(time.perf_counter() - t)
  return {k: statistics.median(v) for k, v in times.items()}

def sync(x, device):
  """Wait for the device to finish: on CL, kernels are only queued when realize() returns."""
  Device.get(Device.canonicalize(device)).synchronize()
  return x

# *** GPT ***
GPT_CFG = dict(vocab_size=1024, context=256, n_layer=4, n_head=8, d_model=256)
BATCH = 8

def gpt_engine(device, use_jit: bool):
  Tensor.manual_seed(0)
  model = GPT(GPTConfig(**GPT_CFG))
  opt = AdamW(get_parameters(model), lr=3e-4)
  rng = np.random.default_rng(0)
  def step(x, y):
    loss = model.loss(x, y)
    opt.zero_grad()
    loss.backward()
    opt.step(loss)
    return loss
  fn = jit(step) if use_jit else step
  data = rng.integers(0, GPT_CFG["vocab_size"], (BATCH, GPT_CFG["context"] + 1))
  x, y = Tensor(data[:, :-1].astype(np.int32), device=device), Tensor(data[:, 1:].astype(np.int32), device=device)
  return lambda: sync(fn(x, y).realize(), device)

def gpt_torch():
  import torch.nn as tnn
  import torch.nn.functional as TF
  c = GPT_CFG
  class Block(tnn.Module):
    def __init__(self):
      super().__init__()
      self.ln_1, self.ln_2 = tnn.LayerNorm(c["d_model"]), tnn.LayerNorm(c["d_model"])
      self.c_attn, self.c_proj = tnn.Linear(c["d_model"], 3*c["d_model"]), tnn.Linear(c["d_model"], c["d_model"])
      self.c_fc, self.mlp_proj = tnn.Linear(c["d_model"], 4*c["d_model"]), tnn.Linear(4*c["d_model"], c["d_model"])
    def forward(self, x):
      B, T, C = x.shape
      q, k, v = self.c_attn(self.ln_1(x)).split(C, dim=2)
      q, k, v = [t.view(B, T, c["n_head"], C // c["n_head"]).transpose(1, 2) for t in (q, k, v)]
      y = TF.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, T, C)
      x = x + self.c_proj(y)
      return x + self.mlp_proj(TF.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))
  class Model(tnn.Module):
    def __init__(self):
      super().__init__()
      self.wte, self.wpe = tnn.Embedding(c["vocab_size"], c["d_model"]), tnn.Embedding(c["context"], c["d_model"])
      self.h, self.ln_f = tnn.ModuleList([Block() for _ in range(c["n_layer"])]), tnn.LayerNorm(c["d_model"])
    def forward(self, idx, targets):
      x = self.wte(idx) + self.wpe(torch.arange(idx.shape[1], device=idx.device))
      for b in self.h: x = b(x)
      logits = self.ln_f(x) @ self.wte.weight.T
      return TF.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
  torch.manual_seed(0)
  model = Model().to(TDEV)
  opt = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.01, fused=True)  # (PyTorch's fastest: its default loop was ~10 ms slower a step)
  data = torch.from_numpy(np.random.default_rng(0).integers(0, c["vocab_size"], (BATCH, c["context"] + 1))).to(TDEV)
  def step():
    loss = model(data[:, :-1], data[:, 1:])
    opt.zero_grad()
    loss.backward()
    opt.step()
    torch_sync()
  return step

# *** VQVAE encoder ***
VQ_IN, VQ_CODES, VQ_DIM = (8, 3, 128, 256), 1024, 64

class VQEncoder:
  """Four stride-2 4x4 convs with ReLU, a 1x1 conv to the code width, and a nearest-code lookup."""
  def __init__(self):
    chans = [3, 64, 128, 128, 256]
    self.convs = [Conv2d(a, b, 4, stride=2, padding=1) for a, b in zip(chans, chans[1:])]
    self.proj = Conv2d(256, VQ_DIM, 1)
    self.codebook = Tensor.uniform(VQ_CODES, VQ_DIM, low=-1/VQ_CODES, high=1/VQ_CODES)
  def loss(self, x: Tensor) -> Tensor:
    for conv in self.convs: x = conv(x).relu()                            # (B, C, H/2^i, W/2^i)
    z = self.proj(x).permute(0, 2, 3, 1).reshape(-1, VQ_DIM)             # (B*8*16, D)
    dist = (z*z).sum(1, keepdim=True) - 2*(z @ self.codebook.T) + (self.codebook*self.codebook).sum(1)  # (N, K)
    onehot = dist.argmin(1).unsqueeze(1).eq(Tensor.arange(VQ_CODES)).cast(z.dtype)  # (N, K)
    q = onehot @ self.codebook                                           # (N, D)
    z_q = z + (q - z).detach()                                           # straight-through: gradient of q goes to z
    return (z_q*z_q).mean() + ((q - z.detach())**2).mean() + 0.25*((z - q.detach())**2).mean()

def vqvae_engine(device, use_jit: bool):
  Tensor.manual_seed(0)
  model = VQEncoder()
  opt = Adam(get_parameters(model), lr=1e-4)
  def step(x):
    loss = model.loss(x)
    opt.zero_grad()
    loss.backward()
    opt.step(loss)
    return loss
  fn = jit(step) if use_jit else step
  x = Tensor(np.random.default_rng(0).standard_normal(VQ_IN).astype(np.float32), device=device)
  return lambda: sync(fn(x).realize(), device)

def vqvae_torch():
  import torch.nn as tnn
  chans = [3, 64, 128, 128, 256]
  convs = tnn.ModuleList([tnn.Conv2d(a, b, 4, stride=2, padding=1) for a, b in zip(chans, chans[1:])]).to(TDEV)
  proj = tnn.Conv2d(256, VQ_DIM, 1).to(TDEV)
  codebook = tnn.Parameter(torch.empty(VQ_CODES, VQ_DIM, device=TDEV).uniform_(-1/VQ_CODES, 1/VQ_CODES))
  opt = torch.optim.Adam([*convs.parameters(), *proj.parameters(), codebook], lr=1e-4, fused=True)
  x = torch.from_numpy(np.random.default_rng(0).standard_normal(VQ_IN).astype(np.float32)).to(TDEV)
  def step():
    h = x
    for conv in convs: h = torch.relu(conv(h))
    z = proj(h).permute(0, 2, 3, 1).reshape(-1, VQ_DIM)
    dist = (z*z).sum(1, keepdim=True) - 2*(z @ codebook.T) + (codebook*codebook).sum(1)
    q = codebook[dist.argmin(1)]
    z_q = z + (q - z).detach()
    loss = (z_q*z_q).mean() + ((q - z.detach())**2).mean() + 0.25*((z - q.detach())**2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    torch_sync()
  return step

# *** VQVAE, the full training step of configs/vqvae-small.yaml ***
def small_config():
  import sys
  sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
  from train.stage import load_config
  from train.vqvae import TrainConfig
  return load_config(TrainConfig, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "configs", "vqvae-small.yaml"))

def frames_batch(cfg) -> np.ndarray:
  return np.random.default_rng(0).uniform(-1, 1, (cfg.batch_size, 3, *cfg.model.image_size)).astype(np.float32)

def vqvae_small_engine(device, use_jit: bool):
  from drivegpt.models.vqvae import VQVAE
  from drivegpt.nn.optim import clip_grad_norm_
  cfg = small_config()
  Tensor.manual_seed(0)
  model = VQVAE(cfg.model)
  opt = Adam(model.parameters(), lr=cfg.lr)
  def step(x):
    with Tensor.train():
      loss, mse, codes = model.loss(x)
      opt.zero_grad()
      loss.backward()
      clip_grad_norm_(opt.params, cfg.grad_clip)
      opt.step(loss, mse, codes, *model.quantizer.buffers())
    return loss
  fn = jit(step) if use_jit else step
  x = Tensor(frames_batch(cfg), device=device)
  def run():
    with Tensor.train(): return sync(fn(x).realize(), device)
  return run

def vqvae_small_torch():
  import torch.nn as tnn
  import torch.nn.functional as TF
  cfg = small_config()
  c = cfg.model
  def norm(ch): return tnn.GroupNorm(np.gcd(c.groups, ch), ch, eps=1e-6)
  class Res(tnn.Module):
    def __init__(self, ch):
      super().__init__()
      self.n1, self.c1, self.n2, self.c2 = norm(ch), tnn.Conv2d(ch, ch, 3, padding=1), norm(ch), tnn.Conv2d(ch, ch, 3, padding=1)
    def forward(self, x): return x + self.c2(TF.silu(self.n2(self.c1(TF.silu(self.n1(x))))))
  class Up(tnn.Module):
    def __init__(self, a, b):
      super().__init__()
      self.conv = tnn.Conv2d(a, b, 3, padding=1)
    def forward(self, x): return self.conv(TF.interpolate(x, scale_factor=2, mode="nearest"))
  assert not c.attention, "the PyTorch twin covers attention-free configs"
  chans = [c.width * m for m in c.mults]
  enc = [tnn.PixelUnshuffle(c.patch), tnn.Conv2d(3 * c.patch**2, chans[0], 3, padding=1)]
  for i, ch in enumerate(chans):
    enc += [Res(ch) for _ in range(c.enc_blocks)] + ([tnn.Conv2d(ch, chans[i + 1], 4, stride=2, padding=1)] if i + 1 < len(chans) else [])
  enc += [Res(chans[-1]), norm(chans[-1]), tnn.SiLU(), tnn.Conv2d(chans[-1], c.code_dim, 1)]
  rch = chans[::-1]
  dec = [tnn.Conv2d(c.code_dim, rch[0], 3, padding=1), Res(rch[0])]
  for i, ch in enumerate(rch):
    dec += [Res(ch) for _ in range(c.dec_blocks)] + ([Up(ch, rch[i + 1])] if i + 1 < len(rch) else [])
  dec += [norm(rch[-1]), tnn.SiLU(), tnn.Conv2d(rch[-1], 3 * c.patch**2, 3, padding=1), tnn.PixelShuffle(c.patch)]
  class Bias(tnn.Module):  # the decoder's position biases (model.pos_bias): one per code position, one per pixel
    def __init__(self, shape):
      super().__init__()
      self.b = tnn.Parameter(torch.zeros(shape))
    def forward(self, x): return x + self.b
  if c.pos_bias: dec = dec[:1] + [Bias((1, rch[0], *c.grid))] + dec[1:] + [Bias((1, 3, *c.image_size))]
  enc, dec = tnn.Sequential(*enc).to(TDEV), tnn.Sequential(*dec).to(TDEV)
  codebook, count, total = (t.to(TDEV) for t in (torch.randn(c.n_codes, c.code_dim), torch.zeros(c.n_codes), torch.zeros(c.n_codes, c.code_dim)))
  params = [*enc.parameters(), *dec.parameters()]
  opt = torch.optim.Adam(params, lr=cfg.lr, fused=True)
  x = torch.from_numpy(frames_batch(cfg)).to(TDEV)
  def step():
    z = enc(x)
    B, D, h, w = z.shape
    flat = z.permute(0, 2, 3, 1).reshape(-1, D)
    idx = ((codebook*codebook).sum(1) - 2 * flat.detach() @ codebook.T).argmin(1)
    q = codebook[idx]
    commit = c.beta * (flat - q).square().mean()
    with torch.no_grad():  # EMA codebook and dead-code restarts, as drivegpt's VectorQuantizer
      onehot = TF.one_hot(idx, c.n_codes).float()
      count.mul_(c.ema_decay).add_((1 - c.ema_decay) * onehot.sum(0))
      total.mul_(c.ema_decay).add_((1 - c.ema_decay) * onehot.T @ flat.detach())
      dead = count < c.dead_threshold
      fresh = flat.detach()[torch.randint(0, flat.shape[0], (c.n_codes,), device=TDEV)]
      count[dead] = c.restart_count
      total[dead] = fresh[dead] * c.restart_count
      new_codebook = total / count[:, None]
    z_q = (flat + (q - flat).detach()).reshape(B, h, w, D).permute(0, 3, 1, 2)
    loss = (dec(z_q) - x).square().mean() + commit
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, cfg.grad_clip)
    opt.step()
    codebook.copy_(new_codebook)
    torch_sync()
  return step

def peak_rss_kib() -> int:
  """This process's peak resident set in KiB: VmHWM on Linux (ru_maxrss would include the parent's size at fork)."""
  try: return next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
  except OSError: return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

def peak_rss_mb(case: str, side: str, device) -> tuple:
  """MiB of resident memory a few steps of one side add to a fresh process (peak RSS after the steps minus after imports
  and, for the engine, its native-kernel runtime's start-up), and that start-up's MiB (0 for PyTorch)."""
  cmd = [sys.executable, os.path.abspath(__file__), "--case", case, "--rss-of", side] + (["--device", device] if device else [])
  out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.split()
  return float(out[-1]), float(out[-2])

def main():
  ap = argparse.ArgumentParser(description=__doc__, formatter_class=HelpFormatter)
  ap.add_argument("--case", choices=["gpt", "vqvae", "vqvae-small", "all"], default="all", help="which model to time")
  ap.add_argument("--steps", type=at_least(1, int), default=10, help="timed steps per case (after 3 warm-up steps); medians are printed")
  ap.add_argument("--device", default=None, help="engine device: CPU (numpy backend) or CL; default DRIVEGPT_DEVICE or CPU")
  ap.add_argument("--torch-device", default="cpu", help="where the PyTorch reference runs: cpu, or cuda beside --device CL on a GPU machine")
  ap.add_argument("--rss-of", choices=["engine+jit", "pytorch"], help=argparse.SUPPRESS)  # the child process of peak_rss_mb
  args = ap.parse_args()
  global TDEV
  TDEV = args.torch_device
  if args.device: Device.DEFAULT = Device.canonicalize(args.device)  # weights and optimizer state live there too
  if torch is None: print("PyTorch is not installed (pip install torch==2.13.0): skipping the PyTorch reference columns")
  elif TDEV == "cpu":
    if args.rss_of: torch.set_num_threads(os.cpu_count() or 1)
    else: threads = setup(torch)
  else: torch.backends.cudnn.allow_tf32 = False  # fp32 convolutions, as the engine's CL kernels (cuDNN's default is TF32: a 10-bit mantissa)
  cases = {"gpt": (gpt_engine, gpt_torch), "vqvae": (vqvae_engine, vqvae_torch), "vqvae-small": (vqvae_small_engine, vqvae_small_torch)}
  if args.rss_of:
    # each side's libraries load before the baseline (torch's at this file's import, 181 MiB; the engine's native-kernel
    # runtime here, 126 MiB); each side's first operations' set-up (PyTorch's AdamW ~76 MiB, the engine's ~120) counts
    # (the runtime's start-up is printed beside the ratio: a review counted it the engine's, 1.33x for GPT)
    start = peak_rss_kib()
    if args.rss_of == "engine+jit": native.runtime()
    before = peak_rss_kib()
    step = cases[args.case][0](args.device, use_jit=True) if args.rss_of == "engine+jit" else cases[args.case][1]()
    for _ in range(4): step()
    return print((before - start) / 1024, (peak_rss_kib() - before) / 1024)
  for name in (list(cases) if args.case == "all" else [args.case]):
    engine, ref = cases[name]
    steps = {"engine": engine(args.device, use_jit=False), "engine+jit": engine(args.device, use_jit=True)}
    if torch is not None and TDEV == "cpu":  # its faster of all cores and one (see bench/torch_threads.py)
      steps["pytorch"] = at_threads(torch, ref_step := ref(), threads)
      if threads > 1: steps["pytorch 1 thread"] = at_threads(torch, ref_step, 1)
    elif torch is not None: steps["pytorch"] = ref()
    t = median_steps(steps, args.steps)
    label = TDEV
    if "pytorch 1 thread" in t:
      one = t.pop("pytorch 1 thread")
      label, t["pytorch"] = (f"{TDEV}, 1 thread", one) if one < t["pytorch"] else (f"{TDEV}, {threads} threads", t["pytorch"])
    line = f"{name:<11} engine {t['engine']*1e3:8.1f} ms | engine+jit {t['engine+jit']*1e3:8.1f} ms"
    if torch is not None:
      line += (f" | pytorch ({label}) {t['pytorch']*1e3:8.1f} ms | engine/pytorch {t['engine']/t['pytorch']:5.2f}x"
               f" | engine+jit/pytorch {t['engine+jit']/t['pytorch']:5.2f}x (lower is better)")
    if torch is not None and TDEV == "cpu":  # resident memory says nothing of memory on a GPU
      (e, rt), (p, _) = (peak_rss_mb(name, side, args.device) for side in ("engine+jit", "pytorch"))
      line += (f"\n{'':<11} peak RSS added: engine+jit {e:7.1f} MiB | pytorch {p:7.1f} MiB | ratio {e/p:5.2f}x"
               f" (the native-kernel runtime's start-up, {rt:.1f} MiB more, counted too: {(e + rt)/p:5.2f}x)")
    print(line, flush=True)

if __name__ == "__main__": main()
