"""Renders one scheduled kernel (a LazyOp tree) as OpenCL C. Pure Python: no device is needed, so process replay runs anywhere.

A kernel's index space is its full shape: the reduce's input shape when it has a reduce, else its output shape. Every
work-item owns a tile of outputs: a vector of `vector_width` along the last output dim (vload/vstore when a view is
contiguous there, a broadcast when it is constant there, a gather otherwise) times `upcast` rows along another output dim
(register blocking: a matmul loads each A element once per row and each B vector once per tile). On CPUs a matmul's B
is first copied into panels that the reduce reads in order (see pack_views). Reduced dims become nested loops inside the
work-item; elementwise ops before and after the reduce are fused into the same loop body / epilogue.
Movement ops are index arithmetic: each view is `offset + sum(idx*stride)` guarded by its mask, and a stack of views
unravels each view's address into the shape of the view before it."""
from __future__ import annotations
import hashlib, math, struct
from typing import NamedTuple, Optional
from drivegpt.helpers import DType, dtypes, prod
from drivegpt.ops import UnaryOps, BinaryOps, TernaryOps, ReduceOps, MovementOps, BufferOps, LazyOp, replace, result_dtype
from drivegpt.shape import ShapeTracker, View, strides_for_shape

class DeviceLimits(NamedTuple):
  """What the code generator needs to know about a device; the defaults are the process-replay reference device."""
  max_work_group: int = 4096
  compute_units: int = 2
  vector_width: int = 8    # floats per vector load/store and per accumulator
  upcast: int = 8          # output rows per work-item in reduce kernels
  pack: bool = False       # CPUs: copy a matmul's operand that the reduce walks out of order into panels first

class Program(NamedTuple):
  name: str
  src: str
  global_size: int
  local_size: int
  in_dtypes: tuple         # the dtype of each input buffer, by input index
  packs: tuple = ()        # (LOAD leaf, view to copy it through, view to read the copy through): copy first, then read

# buffer element type and compute type per dtype: float16 is stored as half and computed in float (vload_half/vstore_half
# are core OpenCL, so no cl_khr_fp16 is needed); bool is a byte holding 0 or 1
BUF_TYPE = {dtypes.float32: "float", dtypes.float16: "half", dtypes.int32: "int", dtypes.int64: "long", dtypes.bool: "uchar"}
CTYPE = {dtypes.float32: "float", dtypes.float16: "float", dtypes.int32: "int", dtypes.int64: "long", dtypes.bool: "uchar"}
MIN_VALUE = {dtypes.float32: "-INFINITY", dtypes.float16: "-INFINITY", dtypes.int32: "INT_MIN", dtypes.int64: "LONG_MIN", dtypes.bool: "0"}

# op -> C expression; (op, kind) overrides it for ints ("i") and bools ("b"). Semantics follow the numpy backend:
# C's truncating int division and fmod-like %, comparisons give bool; integer division by zero gives 0 instead of a trap;
# float max propagates NaN as numpy's maximum: a if a > b or a is NaN (a != a), else b (NaN if b is); fmax would drop NaN, and
# isnan and fmax made a max reduce 3x slower than a sum on PoCL.
OPS = {UnaryOps.EXP2: "exp2({0})", UnaryOps.LOG2: "log2({0})", UnaryOps.SIN: "sin({0})", UnaryOps.SQRT: "sqrt({0})",
       UnaryOps.RECIP: "(1.0f/{0})", UnaryOps.NEG: "(-{0})", BinaryOps.ADD: "({0}+{1})", BinaryOps.SUB: "({0}-{1})",
       BinaryOps.MUL: "({0}*{1})", BinaryOps.DIV: "({0}/{1})", BinaryOps.MAX: "((({0}>{1})||({0}!={0}))?{0}:{1})", BinaryOps.MOD: "fmod({0},{1})",
       BinaryOps.CMPLT: "({0}<{1})", BinaryOps.CMPEQ: "({0}=={1})", TernaryOps.WHERE: "({0}?{1}:{2})"}
KIND_OPS = {(BinaryOps.MAX, "i"): "({0}>{1}?{0}:{1})", (BinaryOps.MOD, "i"): "({1}==0||{1}==-1?0:{0}%{1})", (BinaryOps.DIV, "i"): "({1}==0?0:{0}/{1})",
            (UnaryOps.NEG, "b"): "(!{0})", (BinaryOps.ADD, "b"): "({0}||{1})", (BinaryOps.MUL, "b"): "({0}&&{1})",
            (BinaryOps.MAX, "b"): "({0}||{1})", (BinaryOps.SUB, "b"): "({0}!={1})", (BinaryOps.DIV, "b"): "({0}&&{1})",
            # signed overflow is undefined in C (Intel's compiler folded (x+1) < x to false and widened (long)(x*4)): ints
            # wrap through their unsigned type ({t}: the C type), as numpy and PyTorch
            **{(op, "i"): "as_{t}((u{t}){0}" + c + "(u{t}){1})" for op, c in ((BinaryOps.ADD, "+"), (BinaryOps.SUB, "-"), (BinaryOps.MUL, "*"))}, (UnaryOps.NEG, "i"): "as_{t}(-(u{t}){0})"}
CAST, REDUCE_OP = {dtypes.bool: "({0}!=0)", dtypes.float16: "rnd_half({0})"}, {ReduceOps.SUM: BinaryOps.ADD, ReduceOps.MAX: BinaryOps.MAX}
VECTOR_OPS = {UnaryOps.EXP2, UnaryOps.LOG2, UnaryOps.SIN, UnaryOps.SQRT, UnaryOps.RECIP, UnaryOps.NEG, BinaryOps.ADD, BinaryOps.SUB,
              BinaryOps.MUL, BinaryOps.DIV, BinaryOps.MAX, ReduceOps.SUM, ReduceOps.MAX, MovementOps.RESHAPE, *BufferOps}
# NATURAL: the constants of exp(x) = exp2(x*(1/ln 2)) and exp(-x), and of log(x) = log2(x)*ln 2, by the op (see natural)
SUM_BLOCK, NATURAL = 1024, {UnaryOps.EXP2: (1/math.log(2), -1/math.log(2)), BinaryOps.MUL: (math.log(2),)}
# CPUs: exp2 as a polynomial in vectors of any width, through a macro over the builtin (which PoCL's headers make a macro
# too): Intel's CPU runtime's exp2 took 7 of a softmax kernel's 8.7 ms. rint splits off n; 2^n is made in two halves, so
# results down to subnormals and up to inf come out right; NaN passes through; within 1 ulp of exp2 where the result is
# normal, 2^n exact. static inline: the unused widths are dropped (a kernel built in 122 ms, 205 with them compiled, 151
# with the builtin)
XEXP2 = "#undef exp2\n#define exp2 xexp2\n" + "".join(f"static inline float{w} __attribute__((overloadable)) xexp2(float{w} x) {{ float{w} c = fmin(fmax(x, -152.0f), 129.0f), n = rint(c), f = c - n; int{w} k = convert_int{w}(n), h = k >> 1; "
  f"return x != x ? x : ((((((1.5337577e-4f*f+1.339986e-3f)*f+9.6185198e-3f)*f+5.550329e-2f)*f+0.24022646f)*f+0.69314718f)*f+1.0f)*as_float{w}((h+127) << 23)*as_float{w}((k-h+127) << 23); }}\n" for w in ("", 2, 3, 4, 8, 16))
RND_HALF = "float rnd_half(float x) { ushort h; vstore_half(x, 0, (half*)&h); return vload_half(0, (half*)&h); }\n"

def kind(dt: DType) -> str: return "b" if dt == dtypes.bool else "i" if dt.is_int else "f"

def render_const(v, dt: DType) -> str:
  # the lowest int by name, INT_MIN = (-2147483647-1): C reads -2147483648 as a long (max(int, it) was ambiguous), -2^63 overflows
  if not isinstance(v, bool) and (v < 0 or math.copysign(1, v) < 0): return MIN_VALUE[dt] if dt.is_int and v == -2**(8*dt.itemsize - 1) else f"(-{render_const(-v, dt)})"
  if dt.is_float:
    # as the numpy backend holds it: rounded to half, inf from 65520 up
    if dt == dtypes.float16 and not math.isnan(v): v = math.inf if v >= 65520 else struct.unpack("e", struct.pack("e", v))[0]
    return "NAN" if math.isnan(v) else "INFINITY" if math.isinf(v) else f"{float(v)!r}f"
  return str(int(bool(v))) if dt == dtypes.bool else f"{int(v)}{'L' if dt == dtypes.int64 else ''}"

def node_dtype(n: LazyOp) -> DType: return n.arg[2] if n.op in BufferOps else result_dtype(n.op, n.arg, lambda i: node_dtype(n.src[i]))

class Lin(NamedTuple):
  """sum(coeff*var) + const, each var in [0, size): index arithmetic kept linear, so division and modulo by a view's
  dims simplify away whenever the bounds allow (a stack of views costs nothing then). Anything else is a C string."""
  terms: tuple  # ((var, coeff), ...) in first-seen order
  const: int
  def __add__(self, o: Lin) -> Lin:
    t = dict(self.terms)
    for v, c in o.terms: t[v] = t.get(v, 0) + c
    return Lin(tuple((v, c) for v, c in t.items() if c), self.const + o.const)
  def __mul__(self, k: int) -> Lin: return Lin(tuple((v, c*k) for v, c in self.terms if c*k), self.const*k)
  def bounds(self, ranges: dict) -> tuple:
    spans = [c*max(ranges[v] - 1, 0) for v, c in self.terms]
    return self.const + sum(min(0, x) for x in spans), self.const + sum(max(0, x) for x in spans)
  def render(self) -> str:
    s = "+".join(v if c == 1 else f"{v}*{c}" for v, c in self.terms)
    return (s + (f"+{self.const}" if self.const > 0 else f"{self.const}" if self.const else "")) if s else str(self.const)

def ren(x) -> str: return x.render() if isinstance(x, Lin) else x
def paren(x) -> str:
  """x as one operand: in parentheses unless it is a name, a number or already one parenthesized group."""
  s, depth = ren(x), 0
  if not any(c in s for c in "+-*/%"): return s
  for i, c in enumerate(s):
    depth += (c == "(") - (c == ")")
    if depth == 0: return s if i == len(s) - 1 else f"({s})"
  return f"({s})"

def idiv(x, d: int, ranges: dict):
  """x // d for x >= 0 (addresses are, wherever they are used): exact and linear when the remainder terms can't carry."""
  if d == 1: return x
  if isinstance(x, Lin):
    lo, hi = Lin(tuple((v, c % d) for v, c in x.terms if c % d), x.const).bounds(ranges)
    if lo // d == hi // d: return Lin(tuple((v, c // d) for v, c in x.terms if c // d), lo // d)
  return f"({paren(x)}/{d})"

def imod(x, m: int, ranges: dict):
  if isinstance(x, Lin):
    for y in (x, Lin(tuple((v, c % m) for v, c in x.terms if c % m), x.const % m)):  # multiples of m drop out
      lo, hi = y.bounds(ranges)
      if 0 <= lo and hi < m: return y
  return f"({paren(x)}%{m})"

def unravel(idx, shape: tuple, ranges: dict) -> list:
  """Index of each dim of a row-major shape, from a flat index."""
  quotients = [idiv(idx, prod(shape[d+1:]), ranges) for d in range(len(shape))]
  return [Lin((), 0) if s == 1 else q if all(x == 1 for x in shape[:d]) else imod(q, s, ranges) for d, (s, q) in enumerate(zip(shape, quotients))]

def view_index(v: View, dims: list, ranges: dict) -> tuple:
  """(address, validity conditions) of one view at the given dim indices; conditions the bounds prove are dropped."""
  idx, opaque, valid = Lin((), v.offset), [], []
  for e, st, s in zip(dims, v.strides, v.shape):
    if st == 0 or s == 1: continue
    if isinstance(e, Lin): idx = idx + e*st
    else: opaque.append(e if st == 1 else f"{paren(e)}*{st}")  # (a sum times the stride: 24+(i/3)*-3+(i%3) was multiplied in its last term only)
  for e, (lo, hi), s in zip(dims, v.mask or (), v.shape):
    elo, ehi = e.bounds(ranges) if isinstance(e, Lin) else (0, s - 1)
    if ehi < lo or elo >= hi: return idx, ["0"]
    valid += ([f"{ren(e)}>={lo}"] if elo < lo else []) + ([f"{ren(e)}<{hi}"] if ehi >= hi else [])
  return ("+".join(([idx.render()] if idx != Lin((), 0) else []) + opaque) if opaque else idx), valid

def st_index(st: ShapeTracker, dims: list, ranges: dict) -> tuple:
  """(address, validity conditions) of a stack of views: each view's address indexes the view before it."""
  idx, valid = view_index(st.views[-1], dims, ranges)
  for v in reversed(st.views[:-1]):
    idx, vl = view_index(v, unravel(idx, v.shape, ranges), ranges)
    valid += vl
  return idx, valid

def lanes_of(st: ShapeTracker, shape: tuple, vd: int, width: int, shift: Optional[int] = None) -> list:
  """(address, conditions) of each vector lane along dim vd, the other dims symbolic (dim `shift` moved by one)."""
  ranges = {**{f"d{i}": s for i, s in enumerate(shape)}, "t": shape[vd] // width}
  dims = lambda lane: [Lin((("t", width),), lane) if i == vd else Lin(((f"d{i}", 1),), int(i == shift)) for i in range(len(shape))]
  return [st_index(st, dims(lane), ranges) for lane in range(width)]

def pack_views(st: ShapeTracker, vd: int, W: int, axes: tuple) -> tuple:
  """(view to copy st's elements through, view to read the copy back as st) for panels: dims st doesn't depend on read
  once, dim vd cut into (vd/W, W), the reduced dims (axes) next to last and the W lanes last, so the reduce loop reads
  W floats at a time in order."""
  v = st.views[-1]
  keep = tuple(s if st_ or (v.mask and v.mask[d] != (0, s)) else 1 for d, (s, st_) in enumerate(zip(v.shape, v.strides)))
  split = keep[:vd] + (keep[vd] // W, W) + keep[vd+1:]
  order = tuple(d + (d > vd) for d in range(len(keep)) if d not in axes) + tuple(d + (d > vd) for d in axes) + (vd + 1,)
  copy = st.shrink(tuple((0, s) for s in keep)).reshape(split).permute(order)
  return copy, ShapeTracker.from_shape(copy.shape).permute(tuple(order.index(d) for d in range(len(split)))).reshape(keep).expand(v.shape)

def packed(ast: LazyOp, packs: tuple) -> tuple:
  """A kernel's packs (Program.packs) as kernels: ([(input index, the copy kernel's ast reading it as input 0)], the ast
  reading each copy instead, as one more input after the others, in order)."""
  n = 1 + max(leaf.arg[0] for leaf in nodes(ast) if leaf.op is BufferOps.LOAD)
  for j, (leaf, _, rst) in enumerate(packs): ast = replace(ast, leaf, LazyOp(BufferOps.LOAD, (), (n + j, rst, leaf.arg[2])))
  return [(leaf.arg[0], LazyOp(BufferOps.LOAD, (), (0, cst, leaf.arg[2]))) for leaf, cst, _ in packs], ast

def nodes(ast: LazyOp, stop=()):
  """Every distinct node of a kernel's tree (a shared subtree once), not looking below nodes whose op is in stop. A set
  in the order first met, so code generated from it does not depend on hash order (the same kernel rendered twice)."""
  seen, stack = {}, [ast]
  while stack:
    if (n := stack.pop()) not in seen:
      seen[n] = None
      if n.op not in stop: stack.extend(n.src)
  return seen.keys()

def natural(ast: LazyOp) -> set:
  """The float16 nodes exp2(x*(1/ln 2)) and log2(x)*ln 2: numpy and PyTorch compute exp and log once and round once (the
  numpy backend too, _natural); each op rounded, with 1/ln 2 rounded to half, exp(x) was a half ulp off in a quarter of the
  elements. Kernel.expr renders their inner op in float with the constant unrounded."""
  c = lambda m, vals: any(s.op is BufferOps.CONST and s.arg[0] in vals and all(v.mask is None for v in s.arg[1].views) for s in m.src)  # noqa: E731
  return {m for m in nodes(ast) if node_dtype(m) == dtypes.float16 and (m.op is UnaryOps.EXP2 and m.src[0].op is BinaryOps.MUL and c(m.src[0], NATURAL[m.op]) or m.op is BinaryOps.MUL and c(m, NATURAL[m.op]) and any(s.op is UnaryOps.LOG2 for s in m.src))}

class Scope:
  """Lines of one block of code; expressions are assigned to variables once, so equal expressions are computed once."""
  def __init__(self, ctx: Kernel): self.ctx, self.lines, self.vars = ctx, [], {}
  def var(self, expr: str, ctype: str, vec: bool) -> tuple:
    if expr not in self.vars:
      name = f"v{self.ctx.nvars}"; self.ctx.nvars += 1
      self.lines.append(f"{ctype}{self.ctx.width if vec else ''} {name} = {expr};")
      self.vars[expr] = name
    return self.vars[expr], vec

class Kernel:
  def __init__(self, ast: LazyOp, shape: tuple, dtype: DType, limits: DeviceLimits):
    self.ast, self.shape, self.dtype, self.nvars, self.cpu, self.once = ast, shape, dtype, 0, limits.pack, natural(ast)
    # a row kernel (the scheduler's: softmax, layernorm) has several reduces over the same rows, inner ones first, each
    # its own pass over the row, and may store the whole row (full) in a last pass; the rest has at most one reduce
    self.reds = sorted((n for n in nodes(ast) if n.op in ReduceOps), key=lambda n: sum(m.op in ReduceOps for m in nodes(n)))
    self.reduce = self.reds[-1] if self.reds else None
    self.fshape = next(n for n in nodes(self.reduce) if n.op in BufferOps).arg[1].shape if self.reduce else shape
    self.axes = self.reduce.arg if self.reduce else ()
    self.rshape = tuple(1 if i in self.axes else s for i, s in enumerate(self.fshape))
    self.full = bool(self.reds) and shape == self.fshape != self.rshape
    self.multi = self.full or len(self.reds) > 1  # no register or cache blocking: those are for matmuls
    self.sfx = {r: f"{k}_" if len(self.reds) > 1 else "" for k, r in enumerate(self.reds)}  # accumulator names per reduce
    # the biggest part of the last pass that the last reduce's pass computed already (softmax's exponentials) is stored
    # into out by that pass and read back by the last one (the row is in cache), not computed twice
    fed = nodes(self.reduce.src[0]) if self.full else ()
    again = [n for n in nodes(ast, ReduceOps) if n in fed and n.op not in BufferOps and n.op not in ReduceOps and node_dtype(n) == dtype == dtypes.float32] if self.full else []  # (nodes(ast, ReduceOps): the last pass's own)
    self.kept = max(again, key=lambda n: len(nodes(n)), default=None)
    out_dims, U = [d for d, s in enumerate(self.fshape) if d not in self.axes and s > 1], limits.upcast
    vectorize = all(n.op in VECTOR_OPS and node_dtype(n) == dtypes.float32 for n in nodes(ast)) and dtype == dtypes.float32 and prod(self.fshape) > 0
    def pick_ud(vd):  # register blocking: upcast rows along the innermost other output dim, if enough work-items remain
      ups = [d for d in out_dims if d != vd and self.fshape[d] % U == 0]
      return ups[-1] if self.reduce and not self.multi and vd not in self.axes and ups and prod(self.fshape[d] for d in out_dims) // (W if vd is not None else 1) >= U*limits.compute_units else None
    post = nodes(ast) - set().union(*(nodes(r) for r in self.reds))  # after the reduces: in the reduced shape unless full
    sts = [n.arg[1].reshape(self.rshape) if n in post and self.reduce and not self.full else n.arg[1] for n in nodes(ast) if n.op is BufferOps.LOAD]
    def cost(vd):  # gathers per loop step when vectors run along dim vd: a gather repeats per row when it depends on the rows' dim
      ud, ret = pick_ud(vd), 0
      for st in sts:
        lanes = lanes_of(st, self.fshape, vd, W)
        if not (all(x == lanes[0] for x in lanes) or all(isinstance(i, Lin) and i == lanes[0][0] + Lin((), n) and v == lanes[0][1] for n, (i, v) in enumerate(lanes))):
          ret += U if ud is not None and lanes_of(st, self.fshape, vd, W, ud) != lanes else 1
      return ret
    last, inner = len(self.fshape) - 1, [n.arg[1] for n in nodes(ast) if n.op is BufferOps.LOAD and (self.full or n not in post)]
    def pick_vd():  # the dim vectors W floats wide run along, or None
      # the output dim with the fewest gathers (innermost on ties); elementwise kernels only along the innermost dim,
      # reduce kernels along any (a scatter store when it isn't the output's contiguous dim)
      cands = [d for d in (out_dims[-1:] if not self.reduce else out_dims) if self.fshape[d] % W == 0] if vectorize else []
      vd = min(cands, key=lambda d: (cost(d), -d)) if cands else None
      # a reduce along the innermost dim whose inputs are contiguous there (softmax's sums, a row's dot product): vectors
      # run along the reduce instead, then add up across their lanes; along an output dim each lane would gather
      # (in a row kernel a load may also be the same for the whole row: a broadcast)
      return last if vectorize and last in self.axes and self.fshape[last] % W == 0 and (vd is None or cost(vd)) and \
         all(all(isinstance(i, Lin) and i == lanes[0][0] + Lin((), n) and v == lanes[0][1] for n, (i, v) in enumerate(lanes)) or
             (self.multi and all(x == lanes[0] for x in lanes)) for lanes in (lanes_of(st, self.fshape, last, W) for st in inner)) else vd
    for W in dict.fromkeys((limits.vector_width, 8)):  # the device's width, else 8 (AVX-512's 16 floats, 8 for a dim of 8*odd)
      if (vd := pick_vd()) is not None: break
    self.vd = None if W == 1 and vd in self.axes else vd  # width 1 (a GPU's driver): no lanes to add up along a reduce
    self.rvec = self.vd in self.axes  # vectors along the reduce: the epilogue and the stores are scalar
    self.width, self.ud = W if self.vd is not None else 1, pick_ud(self.vd)
    self.ups = U if self.ud is not None else 1
    # CPUs: a matmul's B, read in vectors along vd with rows N floats apart along the reduce, takes a new cache line at
    # every step and its rows share cache sets: copied into panels first, the loop reads it in order (a 2048^3 matmul on
    # Intel's CPU runtime 9 -> 95 GF/s). Only inputs past the L1 cache (128 KiB) that each output row reads again (>= 64
    # rows): the copy is a pass over the input.
    def in_order(st, a):  # the same element for every lane, or W in a row that the innermost reduce loop (a) steps W along
      lanes = lanes_of(st, self.fshape, self.vd, W)
      return all(x == lanes[0] for x in lanes) or all(isinstance(i, Lin) and i == lanes[0][0] + Lin((), n) and not v for n, (i, v) in enumerate(lanes)) and dict(lanes[0][0].terms).get(f"d{a}") == W
    a = max((d for d in self.axes if self.fshape[d] > 1), default=None)
    packs = [(n, *pack_views(n.arg[1], self.vd, W, self.axes)) for n in nodes(self.reduce) if n.op is BufferOps.LOAD and
             not in_order(n.arg[1], a)] if limits.pack and None not in (self.ud, self.vd, a) else []
    self.packs = tuple(p for p in packs if 2**15 <= p[1].size() <= prod(self.fshape) // 64 and in_order(p[2], a))  # (not
    # an input constant along a: its copy would be no better, and the kernel reading it would pack it again)
    self.tshape = [s // (self.width if d == self.vd else self.ups if d == self.ud else 1) for d, s in enumerate(self.fshape)]
    self.gsize = prod(self.tshape[d] for d in out_dims) if prod(shape) else 0
    self.terms = prod(self.fshape[d] for d in self.axes)  # reduce terms per accumulator
    # the biggest work-group that divides the work and still leaves one group per compute unit
    g, cap = max(self.gsize, 1), min(limits.max_work_group, max(1, self.gsize // limits.compute_units))
    self.lsize = max(d for i in range(1, math.isqrt(g) + 1) if g % i == 0 for d in (i, g // i) if d <= cap)
    # indices as long where the work, or an address a load computes, passes 2^31: as int, a reduce over 2^31 + 2^22 spun
    # forever (r0 wrapped), and a small kernel reading rows of a 2^31-element buffer segfaulted (g0*32768 wrapped)
    self.out_dims, self.inputs, self.itype = out_dims, {}, "long" if max([prod(self.fshape)] + [max(prod(v.shape), abs(v.offset) + sum((n - 1)*abs(st) for n, st in zip(v.shape, v.strides))) for leaf in nodes(ast) if leaf.op is BufferOps.LOAD for v in leaf.arg[1].views]) >> 31 else "int"
    self.ranges = {**{f"g{d}": self.tshape[d] for d in out_dims}, **{f"r{d}": self.tshape[d] for d in self.axes}}

  def dim(self, d: int, u: int, lane: int) -> Lin:
    """The index of full-shape dim d for upcast row u and vector lane."""
    if d in self.axes: return Lin(((f"r{d}", self.width),), lane) if d == self.vd else Lin(((f"r{d}", 1),), 0)
    if self.fshape[d] <= 1: return Lin((), 0)
    mul, off = (self.width, lane) if d == self.vd else (self.ups, u) if d == self.ud else (1, 0)
    return Lin(((f"g{d}", mul),) if self.tshape[d] > 1 else (), off)

  def dims(self, u: int, lane: int, inside: bool) -> list:
    return [self.dim(d, u, lane) if inside or d not in self.axes else Lin((), 0) for d in range(len(self.fshape))]

  def load(self, scope: Scope, leaf: LazyOp, u: int, inside: bool) -> tuple:
    """A leaf's value for row u: one scalar when all lanes read the same element, one vector load when they read
    consecutive elements under the same conditions, else a gather of scalars."""
    arg, st, dt = leaf.arg
    if not inside and self.reduce: st = st.reshape(self.rshape)  # after the reduce: index in the reduce's output shape
    if leaf.op is BufferOps.CONST and all(v.mask is None for v in st.views): return render_const(arg, dt), False
    if leaf.op is BufferOps.LOAD: self.inputs[arg] = dt
    lanes = [st_index(st, self.dims(u, lane, inside), self.ranges) for lane in range(self.width)]
    # a guarded load reads index 0 where its guard is false, and select() takes the value: Intel's CPU runtime miscompiled
    # (c1&&c2?in[i]:0), i out of range there, once a work-group reached its vector width (a small padded conv2d gave
    # 1e29), and (ok?in[ok?i:0]:0) in a one-work-item reduce loop (a sum of a flipped cat: 1e22)
    def scalar(idx, valid):
      ok, at = (o := scope.var('&'.join(f'({v})' for v in valid), "int", False)[0], f"({o}?{ren(idx)}:0)") if valid and leaf.op is BufferOps.LOAD else ('&&'.join(valid), ren(idx))
      val = render_const(arg, dt) if leaf.op is BufferOps.CONST else f"vload_half({at}, in{arg})" if dt == dtypes.float16 else f"in{arg}[{at}]"
      return (f"select(({CTYPE[dt]}){render_const(0, dt)}, {val}, ({'int' if CTYPE[dt] == 'float' else CTYPE[dt]}){ok})" if leaf.op is BufferOps.LOAD else f"({ok}?{val}:{render_const(0, dt)})") if valid else val
    if all(x == lanes[0] for x in lanes): return scope.var(scalar(*lanes[0]), CTYPE[dt], False)
    (idx, valid), vec = lanes[0], f"float{self.width}"
    if leaf.op is BufferOps.LOAD and all(isinstance(i, Lin) and i == idx + Lin((), n) and v == valid for n, (i, v) in enumerate(lanes)):
      val = f"*(__global const u{vec}*)(in{arg}+{ren(idx)})"
      return scope.var(f"({'&'.join(f'({v})' for v in valid)}?{val}:({vec})(0.0f))" if valid else val, "float", True)
    return scope.var(f"({vec})({', '.join(scalar(*x) for x in lanes)})", "float", True)

  def expr(self, scope: Scope, n: LazyOp, u: int, inside: bool, memo: dict) -> tuple:
    """(variable or literal, is-vector) of node n for upcast row u, computed once per scope."""
    if (n, u) in memo: return memo[(n, u)]
    if n.op in BufferOps: ret = self.load(scope, n, u, inside)
    elif n.op is MovementOps.RESHAPE: ret = self.expr(scope, n.src[0], u, inside, memo)
    elif n.op in ReduceOps: ret = (CAST[dtypes.float16].format(f"acc{self.sfx[n]}{u}") if node_dtype(n) == dtypes.float16 else f"acc{self.sfx[n]}{u}", self.width > 1 and not self.rvec)  # (a half sum is rounded before the ops after it)
    else:
      # exp2(x*(1/ln 2)) and log2(x)*ln 2 in float16 (natural): the inner op in float, its constant unrounded, the result rounded once
      part = lambda s: (render_const(s.arg[0], dtypes.float32), False) if n in self.once and s.op is BufferOps.CONST and s.arg[0] in NATURAL[n.op] and all(v.mask is None for v in s.arg[1].views) else self.expr(scope, s, u, inside, memo)  # noqa: E731
      srcs = [((f"({'*'.join(part(x)[0] for x in s.src)})" if s.op is BinaryOps.MUL else f"log2({self.expr(scope, s.src[0], u, inside, memo)[0]})"), False) if n in self.once and s.op in (BinaryOps.MUL, UnaryOps.LOG2) and n.op is not s.op else part(s) for s in n.src]
      dt, sdt = node_dtype(n), node_dtype(n.src[-1])
      # a bool becomes a number by a select: Intel's CPU compiler turned (float)(uchar)(a==b) in one reduce kernel (layernorm's
      # gradient after a minimum) into a wrong sum, silently
      if n.op is UnaryOps.CAST: fmt = f"({{0}}?({CTYPE[dt]})1:({CTYPE[dt]})0)" if sdt == dtypes.bool != dt else CAST.get(dt, f"({CTYPE[dt]})({{0}})") if CTYPE[dt] != CTYPE[sdt] or dt in CAST else "{0}"
      # float16 is computed in float and rounded to half after each op, as numpy and PyTorch do (unrounded, (h*100).max() differed)
      else: fmt = CAST[dt].format(KIND_OPS.get((n.op, kind(sdt)), OPS[n.op])) if dt == dtypes.float16 else KIND_OPS.get((n.op, kind(sdt)), OPS[n.op])
      ret = srcs[0] if fmt == "{0}" else scope.var(fmt.format(*[s for s, _ in srcs], t=CTYPE[dt]), CTYPE[dt], any(v for _, v in srcs))
    memo[(n, u)] = ret
    return ret

  def loops(self) -> list: return [f"for ({self.itype} r{d} = 0; r{d} < {self.tshape[d]}; r{d}++) {{" for d in self.axes]

  def reduce_loop(self, red: LazyOp, rows: range) -> list:
    """Lines that leave reduce red's result for each row u in acc<u>: its accumulators, its loops and the lane sum."""
    loop, memo, sfx, rdt = Scope(self), {}, self.sfx[red], node_dtype(red)
    init = render_const(0, rdt) if red.op is ReduceOps.SUM else MIN_VALUE[rdt]
    A = f"vacc{sfx}" if self.rvec else f"acc{sfx}"  # with vectors along the reduce, acc is the sum of vacc's lanes
    accs = [f"{CTYPE[rdt]}{self.width if self.width > 1 else ''} {A}{u} = {init};" for u in rows]
    fmt, src = KIND_OPS.get((REDUCE_OP[red.op], kind(rdt)), OPS[REDUCE_OP[red.op]]), red.src[0]
    # a long float sum adds blocks of SUM_BLOCK terms into part, then part into acc: the rounding error grows with the
    # block size plus the number of blocks, not with the number of terms (1e6 adds of 0.1 would come out 1% high)
    blocked = red.op is ReduceOps.SUM and rdt.is_float and self.terms > 4*SUM_BLOCK
    acc = f"part{sfx}" if blocked else A
    for u in rows:
      if red.op is ReduceOps.SUM and src.op is BinaryOps.MUL and rdt.is_float:
        x = "*".join(self.expr(loop, s, u, True, memo)[0] for s in src.src)  # one statement: the compiler fuses it into an FMA
      else: x, _ = self.expr(loop, src, u, True, memo)
      loop.lines.append(f"{acc}{u} = {fmt.format(f'{acc}{u}', x, t=CTYPE[rdt])};")
      if red is self.reduce and self.kept is not None: loop.lines += self.store(*self.expr(loop, self.kept, u, True, memo), u, self.fshape)
    loops, flush = self.loops(), []
    if blocked:
      accs += [f"int n{sfx} = 0;"] + [a.replace(f" {A}{u} ", f" part{sfx}{u} ") for u, a in zip(rows, accs)]
      loop.lines.append(f"if (++n{sfx} == {SUM_BLOCK}) {{ n{sfx} = 0; " + " ".join(f"{A}{u} += part{sfx}{u}; part{sfx}{u} = {init};" for u in rows) + " }")
      flush = [f"{A}{u} += part{sfx}{u};" for u in rows]
    if self.rvec: flush += [f"{CTYPE[rdt]} acc{sfx}{u} = vacc{sfx}{u}.s0;" + "".join(f" acc{sfx}{u} = {fmt.format(f'acc{sfx}{u}', f'vacc{sfx}{u}.s{lane:X}', t=CTYPE[rdt])};"
                                                                                     for lane in range(1, self.width)) for u in rows]
    return accs + loops + ["  " + x for x in loop.lines] + ["}" * len(loops)] + flush

  def place(self, u: int, oshape: tuple) -> tuple:
    """(address of row u's first lane in the output of shape oshape, its strides, whether the lanes are contiguous there)."""
    ostrides = strides_for_shape(oshape)
    # a kernel of one work-item stores at gid (0) plus the row's place: Intel's CPU compiler crashed the process (SIGSEGV
    # in its loop vectorizer) on a 100- or 1000-long reduce loop with a log, exp, sqrt or sin when the kernel never read gid
    idx = sum((self.dim(d, u, 0)*st for d, st in enumerate(ostrides) if st), Lin((), 0) if self.gsize > 1 else Lin((("gid", 1),), 0))
    return idx, ostrides, self.width > 1 and self.vd == max((d for d, n in enumerate(oshape) if n > 1), default=None)

  def store(self, val: str, vec: bool, u: int, oshape: tuple) -> list:
    """Lines storing row u's value (a vector along vd, or a scalar) at its place in the output, of shape oshape."""
    idx, ostrides, contiguous = self.place(u, oshape)
    # (a row's value, a scalar, is broadcast)
    if contiguous: return [f"*(__global ufloat{self.width}*)(out+{idx.render()}) = {val if vec else f'(float{self.width})({val})'};"]
    if self.width > 1 and not self.rvec: return [f"out[{(idx + Lin((), lane*ostrides[self.vd])).render()}] = {val}{f'.s{lane:X}' if vec else ''};" for lane in range(self.width)]
    return [f"vstore_half({val}, {idx.render()}, out);" if self.dtype == dtypes.float16 else f"out[{idx.render()}] = {val};"]

  def reload(self, scope: Scope) -> tuple:
    """What store() wrote at this place of a full kernel's float output, read back as it was stored."""
    (idx, ostrides, contiguous), W = self.place(0, self.fshape), self.width
    if W == 1: return scope.var(f"out[{idx.render()}]", "float", False)
    if contiguous: return scope.var(f"*(__global ufloat{W}*)(out+{idx.render()})", "float", True)
    return scope.var(f"(float{W})({', '.join(f'out[{(idx + Lin((), lane*ostrides[self.vd])).render()}]' for lane in range(W))})", "float", True)

  def render(self, name: str) -> str:
    body, rows, loop_lines = Scope(self), range(self.ups), []
    for red in self.reds: loop_lines += self.reduce_loop(red, rows)
    if self.full:  # a last pass over the row computes and stores each element
      last, loops = Scope(self), self.loops()
      memo = {(self.kept, 0): self.reload(last)} if self.kept is not None else {}
      val, vec = self.expr(last, self.ast, 0, True, memo)
      loop_lines += loops + ["  " + x for x in last.lines + self.store(val, vec, 0, self.fshape)] + ["}" * len(loops)]
    memo, stores = {}, []
    for u in rows if not self.full else (): stores += self.store(*self.expr(body, self.ast, u, False, memo), u, self.rshape)
    # CPUs: neighbouring work-items take the next rows of A (ud) and read the same columns of B (its panel when packed),
    # which stay in cache; the other order read all of B again for every tile of rows (2048^3 on Intel's runtime 0.4x ->
    # 0.6x numpy). A GPU's neighbouring work-items read neighbouring columns.
    order = sorted(self.out_dims, key=lambda d: self.cpu and d == self.ud)
    gids = [f"{self.itype} g{d} = {ren(e)};" for d, e in zip(order, unravel("gid", [self.tshape[d] for d in order], self.ranges)) if self.tshape[d] > 1]
    params = [f"__global {BUF_TYPE[self.dtype]}* out"] + [f"__global const {BUF_TYPE[self.inputs[i]]}* in{i}" if i in self.inputs else
                                                           f"__global const uchar* in{i}" for i in range(max(self.inputs, default=-1) + 1)]
    epilogue = body.lines + stores
    lines = [f"{self.itype} gid = get_global_id(0);"] + gids + loop_lines + epilogue
    hint = f"__attribute__((vec_type_hint(float{self.width}))) " if self.width > 1 else ""
    src = f"{hint}__kernel void {name}({', '.join(params)}) {{\n" + "".join(f"  {x}\n" for x in lines) + "}\n"
    # vectors through a typedef aligned like a float: PoCL turns these into plain unaligned vector moves, vloadn into scalar ones
    vtype = f"typedef float{self.width} __attribute__((aligned(4))) ufloat{self.width};\n" if self.width > 1 else ""
    return (RND_HALF if "rnd_half(" in src else "") + (XEXP2 if self.cpu and "exp2(" in src else "") + vtype + src

def render(ast: LazyOp, shape: tuple, dtype: DType, limits: DeviceLimits = DeviceLimits()) -> Program:
  """The OpenCL program for one kernel: source, global size and work-group size (both in work-items, 1-D)."""
  src = (k := Kernel(ast, tuple(shape), dtype, limits)).render("KERNEL")
  name = ("r_" if k.reduce else "e_") + "_".join(map(str, k.fshape or (1,))) + "_" + hashlib.sha256(src.encode()).hexdigest()[:8]
  in_dtypes = tuple(k.inputs.get(i) for i in range(max(k.inputs, default=-1) + 1))
  return Program(name, src.replace("KERNEL", name), k.gsize, k.lsize, in_dtypes, k.packs)
