"""Acceptance (issue 10, point 2): training scripts written as tinygrad users write them (0.8's module layout and 0.9's)
run unchanged on drivegpt except for the import lines."""
import re
import pytest

# tinygrad 0.7/0.8 style: module paths, Tensor.training, get_parameters, sparse_categorical_crossentropy, a state round trip
SCRIPT_08 = '''
import numpy as np
from tinygrad.tensor import Tensor
from tinygrad.helpers import dtypes
from tinygrad.nn import Linear, Conv2d
from tinygrad.nn.optim import Adam
from tinygrad.nn.state import get_parameters, get_state_dict, load_state_dict, safe_save, safe_load

def make_data(n, rng):
  """8x8 images of three classes: a bright square in one of three corners, plus noise."""
  Y = rng.integers(0, 3, n)
  X = rng.normal(0, 0.3, (n, 1, 8, 8)).astype(np.float32)
  for i, y in enumerate(Y): X[i, 0, (y // 2) * 4:(y // 2) * 4 + 4, (y % 2) * 4:(y % 2) * 4 + 4] += 1.0
  return X, Y.astype(np.int32)

class TinyConvNet:
  def __init__(self):
    self.c1 = Conv2d(1, 8, 3, padding=1)
    self.l1 = Linear(8 * 4 * 4, 32)
    self.l2 = Linear(32, 3)
  def __call__(self, x):
    x = self.c1(x).relu().max_pool2d((2, 2))
    x = x.reshape(x.shape[0], -1)
    return self.l2(self.l1(x).relu().dropout(0.1))

rng = np.random.default_rng(0)
X_train, Y_train = make_data(256, rng)
X_test, Y_test = make_data(128, rng)
Tensor.manual_seed(0)
model = TinyConvNet()
opt = Adam(get_parameters(model), lr=3e-3)

Tensor.training = True
for step in range(40):
  samp = rng.integers(0, X_train.shape[0], size=32)
  x, y = Tensor(X_train[samp], requires_grad=False), Tensor(Y_train[samp])
  out = model(x)
  loss = out.sparse_categorical_crossentropy(y)
  opt.zero_grad()
  loss.backward()
  opt.step()
  acc = (out.argmax(axis=-1) == y).mean().numpy()
Tensor.training = False

pred = model(Tensor(X_test)).argmax(axis=-1).numpy()
test_acc = (pred == Y_test).mean()
safe_save(get_state_dict(model), PATH)
model2 = TinyConvNet()
load_state_dict(model2, safe_load(PATH))
same = np.array_equal(model2(Tensor(X_test)).numpy(), model(Tensor(X_test)).numpy())
'''

# tinygrad 0.9 style: one import, nn.optim / nn.state attributes, TinyJit, Tensor.train(), tensor-indexed batches, cross_entropy
SCRIPT_09 = '''
import numpy as np
from tinygrad import Tensor, nn, dtypes, TinyJit

class MLP:
  def __init__(self):
    self.layers = [nn.Linear(2, 32), Tensor.relu, nn.Linear(32, 32), Tensor.leakyrelu, nn.Linear(32, 2)]
  def __call__(self, x: Tensor) -> Tensor: return x.sequential(self.layers)

rng = np.random.default_rng(1)
X = rng.uniform(-2, 2, (600, 2))
Y = ((X ** 2).sum(1) < 1.6).astype(np.int32)  # inside a circle or not
X_train, Y_train = Tensor(X.astype(np.float32)), Tensor(Y)

Tensor.manual_seed(1)
model = MLP()
opt = nn.optim.AdamW(nn.state.get_parameters(model), lr=2e-2, b1=0.9, b2=0.99, wd=1e-4)
@TinyJit
def train_step() -> Tensor:
  with Tensor.train():
    samples = Tensor.randint(64, high=X_train.shape[0])
    loss = model(X_train[samples]).cross_entropy(Y_train[samples], label_smoothing=0.05)
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss.realize()
for step in range(60): train_step()
test_acc = (model(X_train).argmax(axis=1) == Y_train).mean().item()
'''

def port(script: str) -> str:
  """Change only the import lines: tinygrad -> drivegpt."""
  lines = script.splitlines()
  out = [re.sub(r"\btinygrad\b", "drivegpt", l) if l.startswith(("from tinygrad", "import tinygrad")) else l for l in lines]
  assert "tinygrad" not in "\n".join(out)
  return "\n".join(out)

def test_tinygrad_08_style_script(tmp_path):
  env = {"PATH": str(tmp_path / "weights.safetensors")}
  exec(compile(port(SCRIPT_08), "tinygrad_08_script.py", "exec"), env)
  assert env["test_acc"] > 0.9, f"test accuracy {env['test_acc']}"
  assert env["same"]

def test_tinygrad_09_style_script():
  env: dict = {}
  exec(compile(port(SCRIPT_09), "tinygrad_09_script.py", "exec"), env)
  assert env["test_acc"] > 0.9, f"circle accuracy {env['test_acc']}"

def test_scripts_run_on_real_tinygrad_too():
  """The scripts are real tinygrad code: where tinygrad is installed, they run on it unchanged."""
  pytest.importorskip("tinygrad")
  exec(compile(SCRIPT_09, "tinygrad_09_script.py", "exec"), {})
