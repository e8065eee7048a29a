"""Engine demo: train a small MLP on built-in two-spirals data and print its loss. Run: python -m train.demo"""
import argparse, math, time
import numpy as np
from drivegpt import Tensor

def spirals(n: int, seed: int = 0) -> tuple:
  """Two interleaved spirals in 2D: x (2n, 2) float32, y (2n,) int labels."""
  rng = np.random.default_rng(seed)
  t = np.sqrt(rng.uniform(0.05, 1, n)) * 3 * math.pi
  arm = np.stack([t * np.cos(t), t * np.sin(t)], 1) / (3 * math.pi)
  x = np.concatenate([arm, -arm]) + rng.normal(0, 0.02, (2 * n, 2))
  return x.astype(np.float32), np.concatenate([np.zeros(n), np.ones(n)]).astype(np.int32)

def main():
  ap = argparse.ArgumentParser(description=__doc__)
  ap.add_argument("--steps", type=int, default=300, help="SGD steps")
  ap.add_argument("--hidden", type=int, default=64, help="hidden units per layer")
  ap.add_argument("--lr", type=float, default=1.0, help="learning rate")
  args = ap.parse_args()
  Tensor.manual_seed(0)
  x_np, y_np = spirals(256)
  x, y = Tensor(x_np), Tensor(y_np)
  params = [Tensor.kaiming_uniform(2, args.hidden, a=math.sqrt(5)), Tensor.zeros(args.hidden),
            Tensor.kaiming_uniform(args.hidden, args.hidden, a=math.sqrt(5)), Tensor.zeros(args.hidden),
            Tensor.kaiming_uniform(args.hidden, 2, a=math.sqrt(5)), Tensor.zeros(2)]
  for p in params: p.requires_grad = True
  w1, b1, w2, b2, w3, b3 = params
  t0 = time.perf_counter()
  for step in range(args.steps + 1):
    logits = (((x @ w1 + b1).relu() @ w2 + b2).relu()) @ w3 + b3
    loss = logits.sparse_categorical_crossentropy(y)
    for p in params: p.grad = None
    loss.backward()
    for p in params: p.assign((p - p.grad * args.lr).detach()).realize()
    if step % 50 == 0:
      acc = (logits.argmax(-1).numpy() == y_np).mean()
      print(f"step {step:4d}  loss {loss.item():.4f}  accuracy {acc:.3f}  ({time.perf_counter() - t0:.1f}s)")

if __name__ == "__main__": main()
