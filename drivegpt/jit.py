"""jit: record the kernels a step function runs, then replay them on new inputs, skipping graph building and scheduling."""
from __future__ import annotations
import functools, math, weakref
from typing import Any, Callable, NamedTuple
import numpy as np
from drivegpt import realize, schedule as S
from drivegpt.lazy import LazyBuffer
from drivegpt.shape import ShapeTracker
from drivegpt.tensor import Tensor

def _tensors(x, leaf: type = Tensor) -> list:
  """The Tensors (or other leaf-typed values) in a return value: a Tensor, or lists, tuples and dict values of them."""
  if isinstance(x, leaf): return [x]
  # any other object holding Tensors (a dataclass) came back from every replay as the recording call's object, silently
  if not isinstance(x, (list, tuple, dict)) and any(isinstance(v, Tensor) for v in (vars(x).values() if hasattr(x, "__dict__") else [getattr(x, k, None) for k in getattr(type(x), "__slots__", ())])): raise TypeError(f"jit: the step returned a {type(x).__name__} holding Tensors, which a replay can't refill (every call would get the recording call's): return them in a tuple, list or dict")
  return [t for v in (x.values() if isinstance(x, dict) else x) for t in _tensors(v, leaf)] if isinstance(x, (list, tuple, dict)) else []

def _rebuild(x, leaf: type, fresh: Callable):
  """x with each leaf-typed value replaced by fresh(value), keeping lists, tuples and dicts."""
  if isinstance(x, leaf): return fresh(x)
  if isinstance(x, (list, tuple)): return (type(x)._make if hasattr(x, "_fields") else type(x))(_rebuild(v, leaf, fresh) for v in x)  # (a NamedTuple too)
  return {k: _rebuild(v, leaf, fresh) for k, v in x.items()} if isinstance(x, dict) else x

class Out(NamedTuple):
  """A Tensor the step returns, in a recording: the slot its buffer is in, or the LazyBuffer it reads (a weight)."""
  slot: Any
  shape: tuple
  dtype: Any
  device: str

def _own_buffer(a):
  """An input Tensor as a realized contiguous buffer a replay can point the kernels at. A view is copied: a lazy one, and
  Tensor.zeros (the caller's whole tensor, realized too), become the caller's tensor's own buffer, so that a step assigning
  into it (an accumulator) writes there, as it does without the JIT; a view of a realized tensor (a slice) is copied into a
  new Tensor (the caller's own stays a view of its base). The copy of a view that is part of another tensor takes no write,
  as that view takes none: the step's assign into it raises (it wrote into the copy, reaching neither the view nor its base).
  A view that requires grad is refused: the copy's gradient would reach neither it nor its base (they kept None, or an old one)."""
  # an argument in an autograd graph (x @ w, w outside the step): backward in the step reached w with the recording's x
  if isinstance(a, Tensor) and a._ctx is not None and not Tensor.no_grad: raise ValueError(f"jit: an argument of shape {a.shape} is part of an autograd graph (built outside the step from a tensor that requires grad: x @ w, a slice of w), whose gradient would not reach that tensor on a replay: detach it, or pass the whole tensor and build the rest inside the step")
  if not isinstance(a, Tensor) or (ld := a.lazydata)._base is None: return a
  (lb := ld.contiguous()).whole = ld.whole
  # (the tensors it shares its data with too); unlinked from the tensor it was sliced from, which the recording doesn't see
  if ld.whole or not ld.is_realized: a._set_data(lb); a._view = None
  elif a.requires_grad and not Tensor.no_grad: raise ValueError(f"jit: an argument of shape {a.shape} is a view of a tensor that requires grad, whose gradient would not reach it: pass the whole tensor and take the view inside the step")
  return a if a.lazydata is lb else Tensor(lb, device=a.device, requires_grad=a.requires_grad)

class _Same:
  """A Tensor inside a container argument (a list of weights), matched by identity. The key holds it, so no new Tensor
  can take its id while a recording keys on it (one did, and was replayed with the freed one's buffer); a container
  of new Tensors each call is a new kind of call each time, run without the JIT."""
  __slots__ = ("t",)
  def __init__(self, t): self.t = t
  def __eq__(self, other): return isinstance(other, _Same) and other.t is self.t
  def __hash__(self): return id(self.t)

def _key(name, v):
  """What a replay must agree on for a non-Tensor argument: its value; objects (a model) and Tensors inside containers by
  identity. A numpy array is refused: its values would be frozen into the recording."""
  if isinstance(v, np.ndarray): raise TypeError(f"jit: argument {name} is a numpy array, whose values a replay would not see: pass Tensor(x)")
  if isinstance(v, Tensor): return _Same(v)
  if isinstance(v, (list, tuple)): return (type(v).__name__, tuple(_key(name, x) for x in v))
  if isinstance(v, dict): return ("dict", tuple((k, _key(name, x)) for k, x in v.items()))
  try: hash(v)
  except TypeError: return _Same(v)  # held, so a new object can't take its id (by id alone, one replayed a freed one's values)
  return (type(v).__name__, v, math.copysign(1, v) if isinstance(v, (float, np.floating)) else 0)  # -0.0 is not 0.0 (1/x, atan2)

# The leaf a recording's read or write is about: this call's argument at that position (an input that requires grad got
# no .grad on replays: the recording call's did), else the weakly held leaf (a weight), or None if it is gone.
def _leaf(w, tensors: list): return tensors[w] if isinstance(w, int) else w()

def _bind(reads: tuple, tensors: list):
  """{the .grad LazyBuffer a recording read: this call's} for a recording's reads, or None if this call's .grads don't
  fit it: a recording that found no .grad needs none now, and one that read a .grad buffer needs one of its shape."""
  bound = {}
  for t, lb in [(t, lb) for w, lb in reads if (t := _leaf(w, tensors)) is not None]:
    cur = None if t._grad is None else t._grad.lazydata  # (a view read: only that same one will do)
    if isinstance(lb, LazyBuffer) and cur is not None and lb._base is None and cur._base is None and cur.realized is not None and (cur.st, cur.dtype) == (lb.st, lb.dtype): bound[lb] = cur
    elif cur is not lb: return None
  return bound

def _holds(guards: tuple) -> bool: return all((o := w()) is None or getattr(o, k) == v for w, k, v in guards)  # (changed: recorded again)

def _fresh(o, bufs: dict) -> Tensor:
  """A new Tensor over this call's buffer for a recorded output (Out), or the LazyBuffer it reads (a weight)."""
  if isinstance(o.slot, LazyBuffer) and o.slot not in bufs: return Tensor(o.slot, device=o.device)
  (lb := LazyBuffer(o.device, ShapeTracker.from_shape(o.shape), o.dtype)).realized = bufs[o.slot]
  return Tensor(lb, device=o.device)

class Recording(NamedTuple):
  steps: list        # ExecItems whose keys are slot numbers (results and inputs) or LazyBuffers read live (weights)
  ret: Any           # the step's return value, its Tensors replaced by their slot or the LazyBuffer they read
  live: dict         # slot -> weakref to a recorded LazyBuffer: ones still alive get each replay's buffer
  keep: set          # the slots the return value reads: every other result is freed after its last reader
  rng_start: int
  rng_used: int
  arg_targets: bool  # a step's assign writes into one of its Tensor arguments: each replay writes into that call's
  reads: tuple       # (weakref to a leaf or an argument's position, the .grad LazyBuffer the step read, or None): a replay
                     # reads the call's (_bind)
  writes: tuple      # (the same, the .grad the step left it as an Out, or None): set anew by each replay
  guards: tuple      # realize.GUARDS: (weakref, attribute, value) each replay checks (a weight's requires_grad, an optimizer's settings)

class jit:
  """Decorator for a training or inference step. Per kind of call (the Tensor arguments' shapes, dtypes and devices, the
  other arguments' values, Tensor.training and Tensor.no_grad), call 1 runs the function normally (weights and optimizer
  state get created), call 2 runs it and records every kernel, later calls replay the kernels on the new inputs' buffers
  without calling the function. Tensors the step returns are realized; each call returns fresh ones. The function must
  not read values into Python (.item(), .numpy()) and must change weights through assign (optimizers, load_state_dict
  and load_checkpoint do), so that a replay writes into the same buffers. A weight it reads that is still lazy when it
  records (Tensor.ones(3) * 0.5: its formula would be computed by every replay) is realized then, and the step records
  on its next call; a Tensor.zeros/full one written later has every recording made before record again.
  An argument that is a view of a realized tensor (a slice) is passed as a copy, which takes no write (an assign into it
  raises, as it does into the slice without the JIT). It must not be recorded with a tensor it
  also reads from outside (a weight) as an argument, nor leave results lazy for later: replays see neither. .grad is
  the one piece of Python state it follows: the .grads a step reads (backward adding to them, an optimizer step) are
  this call's on a replay, which sets each .grad the step leaves to a new Tensor; a call whose .grads are None where the
  recording found some, or the other way round, is recorded for its case (up to 4 recordings per kind of call), and so is
  one after a weight the step read was frozen or unfrozen (requires_grad) or an optimizer's settings changed (weight_decay,
  betas, momentum: lr is a tensor, read live), values the recording folded into its kernels (realize.GUARDS)."""
  def __init__(self, fxn: Callable): self.fxn, self.recordings = fxn, {}; functools.update_wrapper(self, fxn)

  def reset(self): self.recordings = {}  # forget every recording: the next calls record again (a new model or optimizer)

  def __call__(self, *args, **kwargs):
    if realize.CAPTURE is not None: return self.fxn(*args, **kwargs)  # inside another jitted step's recording: its kernels
    args, kwargs = tuple(_own_buffer(a) for a in args), {k: _own_buffer(v) for k, v in kwargs.items()}
    named = [(i, a) for i, a in enumerate(args)] + sorted(kwargs.items())  # keywords by name, in any order
    tensors = [t for _, t in named if isinstance(t, Tensor)]
    Tensor.corealize(tensors)
    first = {id(t.lazydata): i for i, t in reversed(list(enumerate(tensors)))}  # one buffer passed twice must stay so
    # (requires_grad too: a replay of a recording without an argument's gradient left its .grad None, and the other way round)
    key = (tuple((n, t.shape, t.dtype, t.device, first[id(t.lazydata)], bool(t.requires_grad)) if isinstance(t, Tensor) else (n, _key(n, t)) for n, t in named), Tensor.training, Tensor.no_grad)
    if (recs := self.recordings.get(key)) is None:
      # a new kind of call: past 256 run only once (each key keeps its Tensors alive: a list of new ones each call kept every
      # batch), the oldest of those goes; recorded kinds stay (a simulator's 129 slots are 129 kinds, cycled through)
      if len(self.recordings) >= 256 and (old := next((k for k, r in self.recordings.items() if r == "ran"), None)) is not None: self.recordings.pop(old)
      self.recordings[key], ret = "ran", self.fxn(*args, **kwargs)
      Tensor.corealize(_tensors(ret))
      return _rebuild(ret, Tensor, lambda t: t.detach())
    # .grad is Python state a replay does not see: a step that added to a .grad replaced since (zero_grad outside it) or
    # found none where there is one now is recorded again for this case (kept with the others, the last 4)
    if recs == "ran" or (hit := next(((r, b) for r in recs if _holds(r.guards) and (b := _bind(r.reads, tensors)) is not None), None)) is None:
      rec, ret = self._record(tensors, args, kwargs)
      if rec is not None: self.recordings[key] = ([] if recs == "ran" else recs[-3:]) + [rec]
      return ret
    return self._replay(*hit, tensors)

  def _record(self, tensors: list, args, kwargs):
    realize.realize_pending_assigns()  # assigns from before the call are not part of the step
    S.SEEN = (next(realize._keys), [])  # what is made from here on is the step's
    # the inputs' buffers as the step found them: one that assigns into its argument leaves it a new LazyBuffer
    realize.CAPTURE, realize.GUARDS, rng0, inputs, Tensor._grad_log = [], {"lazy loads": (lambda: realize, "LAZY_LOADS")}, Tensor._rng_counter, list(dict.fromkeys(t.lazydata for t in tensors)), {}
    try:
      ret = self.fxn(*args, **kwargs)
      # returned views, and the .grads it leaves, are copied into buffers of their own inside the recording (a .grad left
      # lazy was never replayed)
      outs = _tensors(ret) + [t._grad for t, _ in Tensor._grad_log.values() if t._grad is not None]
      for t in [t for t in outs if t.lazydata._base is not None and t._step]: t.lazydata = t.lazydata.contiguous()  # (a weight returned as itself is read live: a copy in its place undid later writes)
      Tensor.corealize(outs)
      realize.realize_pending_assigns()  # the step's own assigns, even those it left lazy, are recorded (else never replayed)
    finally: captured, realize.CAPTURE, grads, Tensor._grad_log, early, S.SEEN = realize.CAPTURE, None, Tensor._grad_log, None, S.SEEN[1], None
    # a lazy value from before the step (a weight not yet realized: Tensor.ones(3) * 0.5) that it computed would be computed
    # anew by every replay, which writes into it never reach (nor a load_state_dict): realized now, and recorded next call
    if early: realize.run_schedule(S.schedule(early)); return None, _rebuild(ret, Tensor, lambda t: t.detach())
    slots = {lb: i for i, lb in enumerate(inputs)}  # the call's distinct inputs first
    # an argument written into: its slot, also for a write after an earlier one was realized (it targets that one's result)
    steps, live, arg_of = [], {}, {i: i for i in slots.values()}
    # a result that a later schedule read, or that is still held, is alive now: its key is found through the LazyBuffer
    made = {id(lb): it.out for it, ref in captured if (lb := ref()) is not None}
    def slot(x): return slots.get(made.get(id(x), x), x) if isinstance(x, LazyBuffer) else slots[x]
    for it, ref in captured:
      ins = tuple(slot(x) for x in it.inputs)  # a buffer not made in the step (a weight) is read live
      slots[it.out], target = len(slots), None if it.target is None else arg_of.get(slot(it.target), it.target)
      if isinstance(target, int): arg_of[slots[it.out]] = target
      steps.append(it._replace(inputs=ins, out=slots[it.out], target=target))
      if not isinstance(steps[-1].target, int): live[slots[it.out]] = ref  # (not an argument's assign: the recording call's tensor)
    ret = _rebuild(ret, Tensor, lambda t: Out(slot(t.lazydata), t.shape, t.dtype, t.device))
    # a replay sets each .grad the step left to a new Tensor (an earlier call's .grad keeps its value), never through live
    leaf = lambda t, pos={id(a): i for i, a in reversed(list(enumerate(tensors)))}: pos.get(id(t), weakref.ref(t))  # noqa: E731 (an argument: its position)
    writes = tuple((leaf(t), None if t._grad is None else Out(slot(t._grad.lazydata), t.shape, t._grad.dtype, t.device)) for t, _ in grads.values())
    keep = {o.slot for o in _tensors(ret, Out) + [o for _, o in writes if o]}
    # this call's results; the .grads it leaves are not updated by later replays (each gets a new .grad)
    made_now, live = {i: lb.realized for i, ref in live.items() if (lb := ref()) is not None}, {i: r for i, r in live.items() if i not in {o.slot for _, o in writes if o}}
    rec = Recording(steps, ret, live, keep, rng0, Tensor._rng_counter - rng0, any(isinstance(it.target, int) for it in steps),
                    # a .grad the step read that was lazy then is computed in the recording (made, or fused into a kernel: an earlier
                    # call's lazy .grad was replayed as that call's values): only that same one fits (False: none)
                    tuple((leaf(t), False if lb is not None and (id(lb) in made or lb.base.realized is None) else lb) for t, lb in grads.values() if not isinstance(lb, str)), writes, tuple((w, k, getattr(o, k)) for w, k in realize.GUARDS.values() if (o := w()) is not None))
    bufs = {i: lb.realized for lb, i in slots.items() if isinstance(lb, LazyBuffer)}
    bufs |= {it.out: bufs[it.target] for it in steps if isinstance(it.target, int)}  # an argument assigned: its own buffer
    return rec, self._outputs(rec, bufs | made_now)

  @staticmethod
  def _replay(rec: Recording, bound: dict, tensors: list):
    realize.realize_pending_assigns()  # a weight assigned since the last call (load_state_dict) is written first
    lbs = list(dict.fromkeys(t.lazydata for t in tensors))
    steps = [it._replace(target=lbs[it.target]) if isinstance(it.target, int) else it for it in rec.steps] if rec.arg_targets else rec.steps
    if bound: steps = [it._replace(target=bound.get(it.target, it.target)) for it in steps]  # .grads added to: this call's
    if todo := realize.readers([it.target.realized for it in steps if it.target is not None]): realize.run_schedule(S.schedule(todo))  # lazy reads of old weights
    bufs, rng0 = {i: lb.realized for i, lb in enumerate(lbs)} | {lb: cur.realized for lb, cur in bound.items()}, Tensor._rng_counter
    realize.run(steps, bufs, rand_arg=lambda arg: (Tensor._seed, rng0 + arg[1] - rec.rng_start), refs=rec.live, keep=rec.keep)
    Tensor._rng_counter += rec.rng_used
    for t, o in [(t, o) for w, o in rec.writes if (t := _leaf(w, tensors)) is not None]: t.grad = o and _fresh(o, bufs)
    return jit._outputs(rec, bufs)

  @staticmethod
  def _outputs(rec: Recording, bufs: dict):
    """The step's return value with new Tensors over this call's buffers, so an earlier call's results never change."""
    return _rebuild(rec.ret, Out, lambda o: _fresh(o, bufs))

TinyJit = jit  # tinygrad's name, so ported code runs after changing the import
