"""Finding an OpenCL device that can compile: a GPU's driver when one is present, else a CPU runtime (Intel's CPU
runtime, which knows current processors, AMD's included; else PoCL, whose LLVM 14 doesn't know Zen 4/5). Every
candidate builds and runs a test kernel before it is chosen, so a runtime that lists a device but cannot compile for it
is passed over, with its reason kept for the error message. DRIVEGPT_CL_DEVICE=<text>[:<n>] picks the n-th device
whose "platform / device" name or version (where PoCL names itself) contains text (case-insensitive), e.g. `intel`,
`pocl`, `nvidia:1`. `python -m drivegpt.opencl` lists the backends and every OpenCL device found, and whether each
compiled and ran the test kernel."""
from __future__ import annotations
import hashlib, importlib.metadata, json, os, pathlib, sys, tempfile, warnings
from typing import NamedTuple, Optional
import numpy as np
from drivegpt.codegen import DeviceLimits

INSTALL = "pip install -e '.[cl]'  (or: pip install pyopencl pocl-binary-distribution intel-opencl-rt)"
PROBE_SRC = "__kernel void probe(__global float *out, __global const float *a) { int i = get_global_id(0); out[i] = sqrt(a[i])*2.0f + exp2(a[i]*0.5f); }"

def _cache_dir() -> str:
  """pyopencl's binary cache, one per CPU model and feature set: CPU runtimes compile native code, and a device named
  "AMD EPYC" can be a Zen 3 or a Zen 5 (a cache moved between them would run instructions the CPU lacks)."""
  try: cpu = "".join(l for l in open("/proc/cpuinfo").read().splitlines()[:40] if l.startswith(("model name", "flags")))
  except OSError: cpu = ""
  base = os.getenv("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
  return os.path.join(base, "drivegpt", f"opencl-{hashlib.sha256(cpu.encode()).hexdigest()[:12]}")
CACHE_DIR = _cache_dir()

class Candidate(NamedTuple):
  name: str                 # "platform / device"
  device: object            # pyopencl.Device
  error: Optional[str]      # None when the test kernel built and ran correctly
  context: object = None    # the pyopencl.Context the probe used, kept for the chosen device

def register_intel_runtime() -> None:
  """Let the ICD loader see Intel's CPU runtime from the intel-opencl-rt wheel, whose own .icd file names a placeholder.

  The loader reads OCL_ICD_VENDORS (a folder of .icd files) once, at the first platform query, in place of
  /etc/OpenCL/vendors: so the folder we point it to also links every system .icd (a GPU's driver). A user's own
  OCL_ICD_VENDORS is left alone."""
  if "OCL_ICD_VENDORS" in os.environ: return
  try: lib = next((f.locate() for f in importlib.metadata.files("intel-opencl-rt") or [] if f.name == "libintelocl.so"), None)
  except importlib.metadata.PackageNotFoundError: return
  if lib is None or not pathlib.Path(lib).exists(): return
  system = sorted(pathlib.Path("/etc/OpenCL/vendors").glob("*.icd"))
  lines = [str(pathlib.Path(lib).resolve())] + [p.read_text().strip() for p in system]
  key = hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]
  folder = pathlib.Path(tempfile.gettempdir()) / f"drivegpt-icd-{os.getuid()}-{key}"
  if not folder.is_dir():
    tmp = pathlib.Path(tempfile.mkdtemp(prefix=folder.name + ".tmp", dir=folder.parent))
    for i, line in enumerate(lines): (tmp / f"{i:02d}.icd").write_text(line + "\n")
    try: tmp.rename(folder)   # atomic: another process may have made the same folder meanwhile, which is as good
    except OSError:
      for f in tmp.iterdir(): f.unlink()
      tmp.rmdir()
  os.environ["OCL_ICD_VENDORS"] = str(folder)

def _probe(cl, device) -> tuple[Optional[str], object]:
  """Build and run the test kernel on device: (None, context) when it computes the right numbers, else (reason, None)."""
  try:
    queue = cl.CommandQueue(ctx := cl.Context([device]))
    with warnings.catch_warnings():  # a runtime's build log on success (Intel's prints one) is not a problem
      warnings.simplefilter("ignore", cl.CompilerWarning)
      kernel = cl.Program(ctx, PROBE_SRC).build(cache_dir=CACHE_DIR).probe
    a, mf = np.linspace(0.0, 4.0, 64, dtype=np.float32), cl.mem_flags
    src, out = cl.Buffer(ctx, mf.READ_ONLY | mf.COPY_HOST_PTR, hostbuf=a), cl.Buffer(ctx, mf.WRITE_ONLY, a.nbytes)
    kernel(queue, a.shape, None, out, src)
    got = np.empty_like(a)
    cl.enqueue_copy(queue, got, out)
    queue.finish()
  # any failure (build, context, launch) disqualifies this device; the message says why
  except Exception as e: return " ".join(str(e).split())[:400], None
  want = np.sqrt(a.astype(np.float64))*2 + np.exp2(a.astype(np.float64)*0.5)
  if not np.allclose(got, want, rtol=1e-5): return f"the test kernel computed wrong numbers (max error {np.abs(got - want).max():.3g})", None
  return None, ctx

def _order(cl, platforms) -> list:
  """(name, device) for every device: GPUs first, PoCL after other CPU runtimes, in the platforms' order otherwise.
  PoCL last: on a Zen 4 its LLVM 14 compiles for Zen 3 (no AVX-512) yet reports 16-float vectors, passes the test kernel,
  and then fails to build (or aborts the process on) 16-wide exp2 kernels."""
  devs = [(f"{p.name.strip()} / {d.name.strip()}", d) for p in platforms for d in p.get_devices()]
  def rank(nd): return (not nd[1].type & cl.device_type.GPU, "portable computing language" in nd[0].lower())
  return sorted(devs, key=rank)

def candidates(cl, stop_at_first: bool = True, cpu_only: bool = False) -> list[Candidate]:
  """Probe the devices in preference order (only those DRIVEGPT_CL_DEVICE matches, if set, or for cpu_only the CPUs);
  stop at the first good one."""
  try: platforms = cl.get_platforms()
  except Exception as e: return [Candidate("(no platform)", None, f"the OpenCL loader found no platform: {' '.join(str(e).split())}")]
  devs, want = _order(cl, platforms), "" if cpu_only else os.getenv("DRIVEGPT_CL_DEVICE", "")
  if cpu_only: devs = [nd for nd in devs if nd[1].type & cl.device_type.CPU]
  if want:
    text, _, n = want.rpartition(":") if want.rpartition(":")[2].isdigit() else (want, "", "")
    every, devs = devs, [nd for nd in devs if text.lower() in f"{nd[0]} {getattr(nd[1], 'version', '')}".lower()]  # PoCL says "PoCL" there
    devs, matched = (devs[int(n):int(n) + 1] if n else devs), len(devs)  # (an index past them was said as no device at all)
    if not devs: return [Candidate(f"DRIVEGPT_CL_DEVICE={want}", None, f"no OpenCL device matches it ({matched} match {text!r}, numbered from 0)" if matched else f"no OpenCL device matches it; the devices: {', '.join(repr(nd[0]) for nd in every) or 'none'}")]  # (they went unnamed)
  ret = []
  for name, dev in devs:
    ret.append(Candidate(name, dev, *_probe(cl, dev)))
    if ret[-1].error is None and stop_at_first: break
  return ret

def select(cpu_only: bool = False):
  """The first device that compiles and runs the test kernel, as (pyopencl module, device, context); else a RuntimeError."""
  try: import pyopencl as cl
  except ImportError as e: raise RuntimeError(f"the CL device needs pyopencl, which is not installed. Fix: {INSTALL}") from e
  register_intel_runtime()
  tried = candidates(cl, cpu_only=cpu_only)
  if tried and tried[-1].error is None: return cl, tried[-1].device, tried[-1].context
  lines = "\n".join(f"  - {c.name}: {c.error}" for c in tried) or "  (no OpenCL device was found)"
  raise RuntimeError(f"the CL device found no OpenCL device that can compile a kernel. Tried:\n{lines}\n"
                     f"Fix: {'a DRIVEGPT_CL_DEVICE naming one of them' if tried and tried[0].name.startswith('DRIVEGPT_CL_DEVICE=') and 'devices: none' not in tried[0].error else INSTALL}; then `python -m drivegpt.opencl` lists what it finds. "
                     "DRIVEGPT_CL_DEVICE=<name> picks a device, DRIVEGPT_DEVICE=CPU runs without OpenCL.")

def limits(cl, device) -> DeviceLimits:
  """How codegen shapes kernels for device. Intel's CPU runtime prefers width 1 (it vectorizes across work-items itself),
  which makes our register-tiled kernels scalar and a matmul 6x slower: take the wider of preferred and native (8 floats
  on AVX2 for both CPU runtimes, 16 on AVX-512: a 10-op chain 1.9 -> 1.4 ms, GPT step 5% faster on Zen 5). CPUs copy a
  matmul's B into panels first (codegen.pack_views); a GPU's neighbouring work-items read neighbouring columns as it is.
  PoCL gets at most 8 floats: its LLVM may target an older CPU than the one whose vector width it reports (see _order)."""
  width = min(8 if "portable computing language" in device.platform.name.lower() else 16, max(1, device.preferred_vector_width_float, device.native_vector_width_float))
  return DeviceLimits(max_work_group=device.max_work_group_size, compute_units=device.max_compute_units, vector_width=width, pack=bool(device.type & cl.device_type.CPU))

def build(cl, ctx, src: str, name: str):
  """Compile one kernel (pyopencl also keeps the binaries on disk across processes)."""
  with warnings.catch_warnings():  # a runtime's build log on success is not a problem
    warnings.simplefilter("ignore", cl.CompilerWarning)
    return cl.Kernel(cl.Program(ctx, src).build(options=["-cl-mad-enable"], cache_dir=CACHE_DIR), name)

def main() -> int:
  """Print one line per backend and OpenCL device, then one JSON line naming the device DRIVEGPT_DEVICE=CL uses."""
  print(f"CPU: numpy {np.__version__}: ok")
  chosen = None
  try: import pyopencl as cl
  except ImportError: print(f"CL: pyopencl is not installed. Fix: {INSTALL}")
  else:
    register_intel_runtime()
    for c in candidates(cl, stop_at_first=False):
      if c.error is None and chosen is None: chosen = c.name
      print(f"CL: {c.name}: {'ok' if c.error is None else 'FAILED: ' + c.error}{'  <- DRIVEGPT_DEVICE=CL uses this' if chosen == c.name else ''}")
  from drivegpt import native
  rt = native.runtime()
  print(f"CPU native kernels: {rt.name if rt else 'off: ' + native.OFF_REASON}")
  print(json.dumps({"cl_device": chosen, "cpu_native": rt.name if rt else None}))
  return 0 if chosen else 1

if __name__ == "__main__": sys.exit(main())
