"""Yaw augmentation: a recorded segment again as a camera turned a little left and right of the car's heading would
have seen it. Turning the camera by phi slides the image sideways by about focal * phi pixels (a rotation moves the
whole view; small angles), so each frame is slid by a smooth random offset and the poses are changed to match: the yaw
from frame t to t+1 gains phi[t+1] - phi[t], and the motion is rotated into the turned camera.

In recorded driving the yaw between frames is small and mostly noise, so a world model learns to ignore it; in the
augmented copies the road slides with the yaw, which teaches the model that steering turns the view (see the README's
world-model section for the measurement). The slid-in edge repeats the frame's edge column (the last slid out of view).
The focal length is the dashcam's and comma's road camera's, 0.78 x the width: another camera's copies would turn by the
wrong angle (tokenize refuses a video cropped across its width; the copies record the focal they used)."""
from __future__ import annotations
import zlib
import numpy as np

# the copies' make: token shards record it, and tokenize refuses copies of another (a change to slide or turn_poses kept
# older copies as made: 2, roll and pitch turned with the camera, 49130d0)
VERSION = 2
FOCAL_OF_WIDTH = 0.78

def slide_offsets(n: int, seed: int, amp_px: float = 20.0, fps: float = 20.0) -> np.ndarray:
  """n integer offsets (px, + = the image moved right): a sum of two sines with random periods of 1.5-6 s and phases,
  at most amp_px either way."""
  rng, t = np.random.default_rng(seed), np.arange(n) / fps
  s = sum(rng.uniform(0.3, 1.0) * np.sin(2 * np.pi * t / rng.uniform(1.5, 6.0) + rng.uniform(0, 2 * np.pi)) for _ in range(2))
  return np.round(amp_px * s / 2).astype(np.int64)

def slide(frames: np.ndarray, s: np.ndarray) -> np.ndarray:
  """frames (N, H, W, C), frame t moved s[t] px to the right."""
  W = frames.shape[2]
  cols = np.clip(np.arange(W)[None, :] - np.asarray(s)[:, None], 0, W - 1)  # (N, W) source column of each column
  return np.take_along_axis(frames, cols[:, None, :, None], axis=2)

def turn_poses(pose: np.ndarray, phi: np.ndarray) -> np.ndarray:
  """Poses (N, 6) [forward, right, down, roll, pitch, yaw], each the motion from frame t to t+1 in frame t's camera, for
  a camera turned phi[t] rad to the right of the car at frame t: the translation and the rotation's axis turn with the
  camera, the yaw gains the camera's turn between the frames (to first order in the rotation; the last motion keeps its
  yaw: phi[N] is unknown)."""
  p, q = np.array(pose, np.float64), np.asarray(pose, np.float64)
  c, s = np.cos(phi), np.sin(phi)
  for x, y in ((0, 1), (3, 4)): p[:, x], p[:, y] = c * q[:, x] + s * q[:, y], -s * q[:, x] + c * q[:, y]
  p[:-1, 5] += np.diff(phi)
  return p.astype(pose.dtype)

def yaw_augment(frames: np.ndarray, pose: np.ndarray, key: str, amp_px: float = 20.0, focal: float | None = None,
                fps: float = 20.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
  """(frames, poses, offsets px) of the copy named by key (the same key: the same copy). focal: pixels per radian, by
  default the dashcam's 0.78 * width (comma's road camera too, at this width)."""
  if len(frames) != len(pose): raise ValueError(f"yaw_augment: {len(frames)} frames but {len(pose)} poses")
  focal = FOCAL_OF_WIDTH * frames.shape[2] if focal is None else focal
  s = slide_offsets(len(frames), zlib.crc32(key.encode()), amp_px, fps)
  return slide(frames, s), turn_poses(pose, -s / focal), s
