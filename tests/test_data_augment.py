"""Yaw augmentation: the slide against a per-column reference, the poses against a planar trajectory recomputed from
absolute headings, and the slide against the renderer turned by the same angle."""
import zlib
import numpy as np
import pytest

from data.augment import slide, slide_offsets, turn_poses, yaw_augment
from data.render import Camera, Scene, render_dashcam
from data.road import Road

def rng_for(name: str) -> np.random.Generator: return np.random.default_rng(zlib.crc32(name.encode()))

def test_slide_moves_each_frame_by_its_offset():
  rng = rng_for("slide")
  frames = rng.integers(0, 256, (6, 5, 40, 3), dtype=np.uint8)
  s = np.array([0, 3, -4, 39, -50, 1])
  out = slide(frames, s)
  for t, k in enumerate(s):  # column c of the result is column c - k of the frame, the edge column where that is outside
    for c in range(40):
      np.testing.assert_array_equal(out[t, :, c], frames[t, :, min(max(c - k, 0), 39)])

def test_offsets_are_smooth_bounded_and_keyed():
  a, b = slide_offsets(1200, 7, 30.0), slide_offsets(1200, 8, 30.0)
  assert np.abs(a).max() <= 30 and np.abs(a).max() >= 5 and not np.array_equal(a, b)
  assert np.abs(np.diff(a)).max() <= 4  # periods of 1.5 s or more at 20 fps: at most 2*pi*30/30 = 6.3 px a frame over 2 sines
  np.testing.assert_array_equal(a, slide_offsets(1200, 7, 30.0))

def test_turned_poses_match_a_trajectory_seen_from_the_turned_camera():
  rng = rng_for("turn")
  n = 50
  heading = np.cumsum(rng.normal(0, 0.02, n + 1))  # + = right (about the down axis)
  step = rng.uniform(0.5, 2.0, n)
  pos = np.concatenate([[[0, 0]], np.cumsum(np.stack([step * np.cos(heading[:-1]), step * np.sin(heading[:-1])], 1), 0)])
  def relative(h):  # the motion from t to t+1 in the camera at t, heading h[t]: [forward, right, 0, 0, 0, yaw]
    d = pos[1:] - pos[:-1]
    fwd, right = np.cos(h[:-1]) * d[:, 0] + np.sin(h[:-1]) * d[:, 1], -np.sin(h[:-1]) * d[:, 0] + np.cos(h[:-1]) * d[:, 1]
    z = np.zeros(n)
    return np.stack([fwd, right, z, z, z, np.diff(h)], 1)
  pose = relative(heading)
  phi = rng.uniform(-0.1, 0.1, n + 1)
  want = relative(heading + phi)
  got = turn_poses(pose, phi[:-1])
  np.testing.assert_allclose(got[:, :2], want[:, :2], atol=1e-12)
  np.testing.assert_allclose(got[:-1, 5], want[:-1, 5], atol=1e-12)
  assert got[-1, 5] == pose[-1, 5]  # the last frame's turn after it is unknown

def test_turned_rotations_match_the_composed_rotation():
  """With roll and pitch too: the turned camera's rotation from t to t+1 is C_t^T R_t C_{t+1} (C: the turn about the
  down axis); turn_poses is its first-order form, so it agrees to the product of the two angles."""
  from train.world_data import axis_angle_from_rot, rot_from_axis_angle
  rng = rng_for("turn rotations")
  n = 40
  pose = np.concatenate([rng.normal(0, 1, (n, 3)), rng.normal(0, 0.01, (n, 3))], 1)
  phi = 0.1 * np.sin(np.arange(n + 1) / 7 + rng.uniform(0, 6))  # smooth, as the augmentation's: |dphi| < 0.015
  C = rot_from_axis_angle(np.stack([np.zeros(n + 1), np.zeros(n + 1), phi], 1))
  want = axis_angle_from_rot(np.swapaxes(C[:-1], 1, 2) @ rot_from_axis_angle(pose[:, 3:]) @ C[1:])
  got = turn_poses(pose, phi[:-1])
  np.testing.assert_allclose(got[:-1, 3:], want[:-1], atol=3e-4)
  assert np.abs(got[:, 3:5] - pose[:, 3:5]).max() > 1e-3  # roll and pitch did turn (by up to 0.1 rad)
  np.testing.assert_allclose(got[:, :3], (np.swapaxes(C[:-1], 1, 2) @ pose[:, :3, None])[..., 0], atol=1e-12)

def column_shift(a: np.ndarray, b: np.ndarray, m: int = 30, half: int = 50) -> int:
  """Pixels b's road band sits to the right of a's near the image centre (best match of the grey column profiles; a
  rotation moves the edges further, by focal * phi * (1 + (u / focal)^2) at u px from the centre)."""
  pa, pb = (x.astype(np.float64).mean(2)[64:100].mean(0) for x in (a, b))
  c = len(pa) // 2
  pa, pb = pa - pa.mean(), pb - pb.mean()
  return int(np.argmax([(pa[c - half:c + half] * pb[c - half + s:c + half + s]).sum() for s in range(-m, m + 1)]) - m)

@pytest.mark.parametrize("phi", [0.06, -0.09])
def test_slide_is_what_the_renderer_sees_from_a_turned_camera(phi):
  cam, road = Camera(), Road(np.array([500.0]), np.array([0.0]), 3)
  straight = render_dashcam((0.0, 1.5, 0.0), [], road, Scene(), cam)
  turned = render_dashcam((0.0, 1.5, phi), [], road, Scene(), cam)
  assert abs(column_shift(straight, turned) + cam.focal * phi) <= 1.5  # turning right (+) slides the view left
  # the augmentation's convention, a camera turned by phi = -s / focal: the slid frame is the turned camera's
  slid = slide(straight[None], np.array([round(-cam.focal * phi)]))[0]
  assert abs(column_shift(turned, slid)) <= 1 and abs(column_shift(straight, slid)) >= 10

def test_yaw_augment_is_keyed_and_checks_lengths():
  rng = rng_for("keyed")
  frames, pose = rng.integers(0, 256, (30, 4, 64, 3), dtype=np.uint8), rng.normal(0, 1, (30, 6)).astype(np.float32)
  a, b = yaw_augment(frames, pose, "seg-yaw0"), yaw_augment(frames, pose, "seg-yaw0")
  for x, y in zip(a, b): np.testing.assert_array_equal(x, y)
  assert not np.array_equal(a[2], yaw_augment(frames, pose, "seg-yaw1")[2])
  assert a[1].dtype == np.float32 and a[0].shape == frames.shape
  np.testing.assert_allclose(a[1], turn_poses(pose, -a[2] / (0.78 * 64)), rtol=1e-6)
  with pytest.raises(ValueError, match="30 frames but 29 poses"): yaw_augment(frames, pose[:29], "k")
