"""openpilot's driving model layout (the 2025 split into driving_vision.onnx and driving_policy.onnx), the RGB <-> YUV420
6-channel image format its cameras feed, and the export of our models in that form.

Our frames are 128x256 RGB; openpilot's model input is a 256x512 camera image in YUV420, packed as 6 planes of 128x256.
camera_image() upsamples a frame 2x (nearest), so the vision model, which averages the four Y planes and reads U and V at
128x256, recovers the frame up to the colour conversion's rounding (a level or two), and runs our VQVAE encoder on it:
a VQVAE of another image size is refused (rl/export.py), its tokens would be of another grid."""
from __future__ import annotations
import codecs, json, pickle
from pathlib import Path
from typing import Callable, NamedTuple, Optional, Protocol
import numpy as np
import onnx
from drivegpt import Tensor, dtypes
from drivegpt.nn import Linear, Conv2d
from drivegpt.export.graph import ExportError, save, to_float16
from drivegpt.export.trace import export_onnx

class Port(NamedTuple):
  shape: tuple
  dtype: str
  doc: str

IMG = (1, 12, 128, 256)
FEATURES = 512
# openpilot's interface, the one place it is written (it changes between releases): model -> inputs / outputs
INTERFACE: dict[str, dict[str, dict[str, Port]]] = {
  "driving_vision": {
    "inputs": {
      "input_imgs": Port(IMG, "uint8", "road camera: two 256x512 frames 0.2 s apart as modeld hands them (t-4 and t at 20 Hz, older first), each YUV420 as 6 planes of "
                                      "128x256: Y[::2, ::2], Y[1::2, ::2], Y[::2, 1::2], Y[1::2, 1::2], U, V (loadyuv.cl's)"),
      "big_input_imgs": Port(IMG, "uint8", "wide road camera, the same layout (ours: the road camera again)")},
    "outputs": {"outputs": Port((1, FEATURES), "float32", "flat, as openpilot's: hidden_state (output_slices), this frame pair's "
                                                           "feature vector, the newest row of features_buffer")}},
  "driving_policy": {
    "inputs": {
      "features_buffer": Port((1, 25, FEATURES), "float32", "the vision model's features of 25 frames 0.2 s apart (modeld's every 4th of its 20 Hz rows), oldest first, the newest last"),
      "desire": Port((1, 25, 8), "float32", "one-hot desire pulses, 25 rows 0.2 s apart (modeld's max over each 4 frames; openpilot's log.Desire order)"),
      "traffic_convention": Port((1, 2), "float32", "one-hot: [left-hand drive (traffic keeps right), right-hand drive]"),
      "lateral_control_params": Port((1, 2), "float32", "[speed m/s, steering actuator delay s (ours: ignored; the policy commands the current frame)]"),
      "prev_desired_curv": Port((1, 25, 1), "float32", "the desired curvature (1/m) the policy output, 25 rows 0.2 s apart as features_buffer's, the newest last")},
    "outputs": {"outputs": Port((1, -1), "float32", "every named output flattened in order; slices in metadata output_slices")}}}
REQUIRED_OUTPUTS = ("desired_curvature", "desired_acceleration")  # what openpilot's controls read; policies add more (disengage_prob)

# *** the image format ***

# openpilot's camera format: BT.601 limited range (Y in 16..235, U and V in 16..240 about 128), as its simulator's
# rgb_to_nv12 OpenCL kernel and video YUV420 in general; analog YUV (V = 0.877 (R - Y)) clipped saturated reds and greens
YUV_FROM_RGB = np.array([[0.299, 0.587, 0.114], [-0.168736, -0.331264, 0.5], [0.5, -0.418688, -0.081312]]) * \
               np.array([[219 / 255], [224 / 255], [224 / 255]])
RGB_FROM_YUV = np.linalg.inv(YUV_FROM_RGB)

def camera_image(frames: np.ndarray) -> np.ndarray:
  """Our frames (..., 128, 256, 3) uint8 -> openpilot's camera size (..., 256, 512, 3): each pixel repeated 2x2."""
  return frames.repeat(2, axis=-3).repeat(2, axis=-2)

def rgb_to_yuv6(rgb: Tensor) -> Tensor:
  """RGB (B, H, W, 3) in 0..255 -> YUV420 as 6 planes (B, 6, H/2, W/2) int32: the four subsampled Y planes
  Y[::2, ::2], Y[1::2, ::2], Y[::2, 1::2], Y[1::2, 1::2] (+ 16; openpilot's order: until the 29th session the middle two
  were swapped), then U and V (2x2 block means, + 128); rounded."""
  B, H, W, _ = rgb.shape
  yuv = rgb.float() @ Tensor(YUV_FROM_RGB.T.astype(np.float32))                          # (B, H, W, 3)
  y = yuv[..., 0].reshape(B, H//2, 2, W//2, 2).permute(0, 4, 2, 1, 3).reshape(B, 4, H//2, W//2) + 16.5  # plane 2c+r: Y[r::2, c::2]
  uv = yuv[..., 1:].reshape(B, H//2, 2, W//2, 2, 2).mean((2, 4)).permute(0, 3, 1, 2) + 128.5   # (B, 2, H/2, W/2)
  return y.cat(uv, dim=1).clip(0, 255).cast(dtypes.int32)

def yuv6_to_rgb(yuv: Tensor) -> Tensor:
  """YUV420 as 6 planes (B, 6, h, w) -> RGB (B, 3, h, w) float in about 0..255 at the planes' resolution (Y: 2x2 means)."""
  x = yuv.float()
  y, uv = x[:, 0:4].mean(1, keepdim=True) - 16, x[:, 4:6] - 128                        # (B, 1, h, w), (B, 2, h, w)
  return (y.cat(uv, dim=1).permute(0, 2, 3, 1) @ Tensor(RGB_FROM_YUV.T.astype(np.float32))).permute(0, 3, 1, 2)

def frames_to_input_imgs(frames: np.ndarray) -> np.ndarray:
  """Two frames (2, 128, 256, 3) uint8, older first (modeld's are 0.2 s apart) -> input_imgs (1, 12, 128, 256) uint8."""
  if frames.shape != (2, 128, 256, 3) or frames.dtype != np.uint8:  # (float frames in [0, 1] went in as a black image)
    raise ValueError(f"frames_to_input_imgs: expected (2, 128, 256, 3) uint8 frames, got {frames.dtype} {frames.shape}")
  return rgb_to_yuv6(Tensor(camera_image(frames).astype(np.int32))).numpy().astype(np.uint8).reshape(IMG)

# *** the models ***

class Policy(Protocol):
  """What export_driving_model needs of a policy (any object with these two members exports).
  vision_head(latents) -> (1, 512) features: latents (1, 4, D, h, w) are the VQVAE encoder's outputs for road t-4, road t,
    wide t-4, wide t (frames at 20 Hz: modeld's pair 0.2 s apart). A vision_head.frames attribute (e.g. (1,)) names the latents it reads: the others are not encoded
    but zeros.
  __call__(features_buffer, desire, traffic_convention, lateral_control_params, prev_desired_curv) -> {name: (1, k) Tensor},
    inputs as INTERFACE["driving_policy"]; the dict's order is the order of the flat `outputs`; REQUIRED_OUTPUTS must be there."""
  def vision_head(self, latents: Tensor) -> Tensor: ...
  def __call__(self, features_buffer: Tensor, desire: Tensor, traffic_convention: Tensor, lateral_control_params: Tensor,
               prev_desired_curv: Tensor) -> dict[str, Tensor]: ...

class TinyPolicy:
  """A small randomly initialized policy following the Policy interface: the tests' and the example of the interface."""
  def __init__(self, code_dim: int, hidden: int = 32, n_disengage: int = 3):
    self.conv, self.feat = Conv2d(4*code_dim, hidden, 1), Linear(hidden, FEATURES)
    self.mix = Linear(FEATURES + 8 + 2 + 2 + 1, hidden)
    self.heads = {"desired_curvature": Linear(hidden, 1), "desired_acceleration": Linear(hidden, 1), "disengage_prob": Linear(hidden, n_disengage)}
  def vision_head(self, latents: Tensor) -> Tensor:
    _, F, D, h, w = latents.shape
    return self.feat(self.conv(latents.reshape(1, F*D, h, w)).relu().mean((2, 3)))       # (1, 512)
  def __call__(self, features_buffer, desire, traffic_convention, lateral_control_params, prev_desired_curv) -> dict[str, Tensor]:
    x = features_buffer.mean(1).cat(desire[:, -1], traffic_convention, lateral_control_params, prev_desired_curv[:, -1], dim=1)
    h = self.mix(x).gelu()                                                              # (1, hidden)
    out = {k: head(h) for k, head in self.heads.items()}
    out["disengage_prob"] = out["disengage_prob"].sigmoid()
    return out

class DrivingVision:
  """driving_vision: both cameras' frame pairs from YUV420 to RGB in [-1, 1], the VQVAE encoder, the policy's vision head."""
  def __init__(self, encoder: Callable, vision_head: Callable):
    self.encoder, self.vision_head = encoder, vision_head
  def latents(self, input_imgs: Tensor, big_input_imgs: Tensor) -> Tensor:
    imgs = input_imgs.reshape(2, 6, 128, 256).cat(big_input_imgs.reshape(2, 6, 128, 256), dim=0)  # (4, 6, 128, 256)
    # a head that reads some of the frames only (vision_head.frames) has the encoder run on those, zeros for the rest
    # (DrivingPolicy's reads the road camera's t: the vision model encoded all four, 2.3x the time on onnxruntime)
    used = list(getattr(self.vision_head, "frames", range(4)))
    if not used or any(not isinstance(i, (int, np.integer)) or not 0 <= i < 4 for i in used):  # (-1 sliced no frame: zeros)
      raise ValueError(f"DrivingVision: the vision head's frames {tuple(used)} must name some of the latents 0-3 (road t-4, road t, wide t-4, wide t)")
    picked = Tensor.cat(*[imgs[i:i + 1] for i in used])   # (slices: a list index is a one-hot product, 4.5 ms in onnxruntime)
    z = self.encoder(yuv6_to_rgb(picked) * (1 / 127.5) - 1)                             # (len(used), D, h, w)
    return z if used == [0, 1, 2, 3] else Tensor.stack([z[used.index(i)] if i in used else Tensor.zeros(*z.shape[1:]) for i in range(4)])  # (4, D, h, w)
  def __call__(self, input_imgs: Tensor, big_input_imgs: Tensor) -> Tensor:
    return self.vision_head(self.latents(input_imgs, big_input_imgs).unsqueeze(0))      # (1, 512)

def _ports(ports: dict[str, Port]) -> dict: return {k: {"shape": list(p.shape), "dtype": p.dtype, "doc": p.doc} for k, p in ports.items()}
def _examples(ports: dict[str, Port], rng: np.random.Generator, codes: Optional[tuple] = None) -> dict[str, np.ndarray]:
  """Random inputs for ports. Given codes = (tokens per frame, codebook size), features_buffer's rows hold code ids as the
  vision model writes them, zeros after (standard normals, rounded to -3..3 by the policy, were mostly not codes: the
  export's check compared little of what a car feeds it)."""
  ex = {k: rng.integers(0, 256, p.shape, dtype=np.uint8) if p.dtype == "uint8" else rng.standard_normal(p.shape).astype(p.dtype)
        for k, p in ports.items()}
  if codes is not None and "features_buffer" in ex:
    f = ex["features_buffer"]
    f[..., :codes[0]], f[..., codes[0]:] = rng.integers(0, codes[1], f[..., :codes[0]].shape), 0
  return ex
def _codes(policy) -> Optional[tuple]:  # a DrivingPolicy's (tokens per frame, codebook size); None for another Policy
  c = getattr(getattr(policy, "policy", None), "config", None)
  return (c.tokens_per_frame, c.vocab_size) if c is not None else None

def export_vision(encoder: Callable, policy: Policy, name: str = "drivegpt") -> tuple[onnx.ModelProto, dict]:
  """driving_vision.onnx for encoder (the VQVAE's) and the policy's vision head."""
  spec = INTERFACE["driving_vision"]
  model, out = export_onnx(DrivingVision(encoder, policy.vision_head), _examples(spec["inputs"], np.random.default_rng(0)),
                           params={"encoder": encoder, "policy": policy}, output_names=list(spec["outputs"]),
                           doc="openpilot driving_vision: camera frame pairs -> features",
                           metadata={"vision_model": name, "inputs": _ports(spec["inputs"]), "outputs": _ports(spec["outputs"]),
                                     **_slice_props({"hidden_state": [0, FEATURES]})})
  if out["outputs"].shape != (1, FEATURES): raise ExportError(f"the vision head gives features of shape {out['outputs'].shape}, expected {(1, FEATURES)}")
  return model, out

def _slice_props(slices: dict[str, list]) -> dict[str, str]:
  """output_slices as openpilot's tools read it (get_model_metadata.py: base64 of a pickled {name: slice}; its modeld fills
  features_buffer from the vision model's hidden_state), and the same as JSON for readers that should not unpickle."""
  return {"output_slices": codecs.encode(pickle.dumps({k: slice(a, b) for k, (a, b) in slices.items()}), "base64").decode(),
          "output_slices_json": json.dumps(slices)}

def export_policy(policy: Policy, name: str = "drivegpt") -> tuple[onnx.ModelProto, dict]:
  """driving_policy.onnx: the flat `outputs` (slices in metadata output_slices, openpilot's encoding, and
  output_slices_json) and each named output."""
  spec = INTERFACE["driving_policy"]
  def flat(*inputs: Tensor) -> dict[str, Tensor]:
    named = policy(*inputs)
    if not isinstance(named, dict) or (missing := [k for k in REQUIRED_OUTPUTS if k not in named]):
      raise ExportError(f"the policy must return a dict of (1, k) Tensors with {list(REQUIRED_OUTPUTS)}; got {named if not isinstance(named, dict) else list(named)}")
    for k, t in named.items():
      if not isinstance(t, Tensor) or t.ndim != 2 or t.shape[0] != 1: raise ExportError(f"policy output {k!r}: expected a (1, k) Tensor, got {getattr(t, 'shape', t)}")
    first, *rest = named.values()
    return {"outputs": first.cat(*rest, dim=1), **named}
  model, out = export_onnx(flat, _examples(spec["inputs"], np.random.default_rng(0), _codes(policy)), params=policy,
                           doc="openpilot driving_policy: features and driving state -> flat outputs")
  slices, ofs = {}, 0
  for k, t in out.items():
    if k != "outputs": slices[k], ofs = [ofs, ofs + t.shape[1]], ofs + t.shape[1]
  outputs = {k: {"shape": list(t.shape), "dtype": "float32", "doc": spec["outputs"]["outputs"].doc if k == "outputs" else f"slice {slices[k]} of outputs"}
             for k, t in out.items()}
  onnx.helper.set_model_props(model, {"policy_model": name, **_slice_props(slices), "inputs": json.dumps(_ports(spec["inputs"])),
                                      "outputs": json.dumps(outputs)})
  return model, out

def export_driving_model(encoder: Callable, policy: Policy, out_dir: str, fp16: bool = False, name: str = "drivegpt") -> dict[str, Path]:
  """Write driving_vision.onnx and driving_policy.onnx (and *_fp16.onnx with fp16) to out_dir; returns {file stem: path}."""
  out, paths = Path(out_dir), {}
  out.mkdir(parents=True, exist_ok=True)
  for stem, (model, _) in (("driving_vision", export_vision(encoder, policy, name)), ("driving_policy", export_policy(policy, name))):
    for suffix, m in [("", model)] + ([("_fp16", to_float16(model))] if fp16 else []):
      p = save(m, out / f"{stem}{suffix}.onnx")
      paths[stem + suffix] = p
  return paths

def export_rgb_to_yuv6() -> onnx.ModelProto:
  """rgb_to_yuv420.onnx: two camera frames (2, 256, 512, 3) uint8 -> input_imgs (1, 12, 128, 256) uint8, for feeding the
  vision model from RGB video on a PC."""
  rgb = np.random.default_rng(0).integers(0, 256, (2, 256, 512, 3), dtype=np.uint8)
  model, _ = export_onnx(lambda x: rgb_to_yuv6(x).reshape(IMG), {"rgb": rgb}, output_names=["input_imgs"], output_dtypes={"input_imgs": "uint8"},
                         doc="RGB camera frames -> openpilot's YUV420 6-plane model input")
  return model
