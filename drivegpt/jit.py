"""jit: record the kernels a step function runs, then replay them on new inputs, skipping graph building and scheduling."""
from __future__ import annotations
import functools
import drivegpt.lazy as lazy
from drivegpt.tensor import Tensor

class jit:
  """Decorator. Call 1 runs the function normally (weights and optimizer state get created), call 2 records every
  kernel it runs, later calls replay those kernels on the new inputs' buffers. The function must take its changing
  inputs as Tensor arguments (same shapes and dtypes each call), realize what it needs, and return Tensors: on replay
  it is not called, and the Tensors it returned while recording are refreshed in place and returned again."""
  def __init__(self, fxn):
    self.fxn, self.calls, self.steps, self.inputs, self.ret = fxn, 0, [], [], None
    functools.update_wrapper(self, fxn)

  def reset(self):
    """Forget the recording: the next call records again (e.g. after the model or optimizer changed)."""
    self.calls, self.steps, self.inputs, self.ret = 1, [], [], None

  def __call__(self, *args, **kwargs):
    tensors = [t for t in (*args, *kwargs.values()) if isinstance(t, Tensor)]
    for t in tensors:  # inputs become realized contiguous buffers that replay can point the kernels at
      if t.lazydata._base is not None: t.lazydata = t.lazydata.contiguous()
      t.realize()
    if self.calls == 0:
      self.calls = 1
      return self.fxn(*args, **kwargs)
    if self.calls == 1:
      lazy.CAPTURE, rng0 = [], Tensor._rng_counter
      try: self.ret = self.fxn(*args, **kwargs)
      finally: self.steps, lazy.CAPTURE = lazy.CAPTURE, None
      self.inputs, self.rng0, self.rng_used = [t.lazydata for t in tensors], rng0, Tensor._rng_counter - rng0
      self.calls = 2
      return self.ret
    if [(t.shape, t.dtype) for t in tensors] != [(x.shape, x.dtype) for x in self.inputs]:
      raise ValueError(f"jit {self.fxn.__name__}: inputs {[(t.shape, t.dtype) for t in tensors]} don't match the recorded "
                       f"{[(x.shape, x.dtype) for x in self.inputs]}: call .reset() to record again")
    for rec, t in zip(self.inputs, tensors): rec.realized = t.lazydata.realized
    rng0 = Tensor._rng_counter
    lazy.run_steps(self.steps, rand_arg=lambda arg: (Tensor._seed, rng0 + arg[1] - self.rng0))
    Tensor._rng_counter += self.rng_used
    return self.ret
