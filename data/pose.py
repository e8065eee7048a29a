"""Pose math for driving logs, in numpy float64.

Conventions (those of comma2k19, checked against a real segment in tests/test_data_comma.py):
- positions are ECEF metres, shape (N, 3);
- orientations are unit quaternions [w, x, y, z], shape (N, 4); `rot_from_quat(q)` is the
  matrix that takes a vector in the camera frame [forward, right, down] to ECEF;
- so a left turn is a negative rotation about the camera's down axis.
"""

import numpy as np

WGS84_A = 6378137.0  # semi-major axis, metres
WGS84_E2 = 6.69437999014e-3  # first eccentricity squared


def rot_from_quat(q: np.ndarray) -> np.ndarray:
    """Rotation matrices (..., 3, 3) from quaternions [w, x, y, z] (..., 4)."""
    q = q / np.linalg.norm(q, axis=-1, keepdims=True)
    w, x, y, z = np.moveaxis(q, -1, 0)
    return np.stack([
        np.stack([1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)], -1),
        np.stack([2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)], -1),
        np.stack([2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)], -1),
    ], -2)


def quat_from_rot(r: np.ndarray) -> np.ndarray:
    """Quaternions [w, x, y, z] (..., 4) with w >= 0 from rotation matrices (..., 3, 3)."""
    r = np.asarray(r, dtype=np.float64)
    # Pick the largest of the four candidate denominators per matrix for numerical safety.
    tr = np.trace(r, axis1=-2, axis2=-1)
    diag = np.diagonal(r, axis1=-2, axis2=-1)
    cands = np.stack([tr, diag[..., 0], diag[..., 1], diag[..., 2]], -1)
    best = np.argmax(cands, axis=-1)
    q = np.empty(r.shape[:-2] + (4,))
    for k in range(4):
        m = best == k
        if not m.any():
            continue
        rk = r[m]
        s = 2 * np.sqrt(np.maximum(1 + 2 * cands[m][:, k] - np.trace(rk, axis1=-2, axis2=-1), 1e-12))
        if k == 0:
            qk = [s / 4, (rk[:, 2, 1] - rk[:, 1, 2]) / s, (rk[:, 0, 2] - rk[:, 2, 0]) / s, (rk[:, 1, 0] - rk[:, 0, 1]) / s]
        elif k == 1:
            qk = [(rk[:, 2, 1] - rk[:, 1, 2]) / s, s / 4, (rk[:, 0, 1] + rk[:, 1, 0]) / s, (rk[:, 0, 2] + rk[:, 2, 0]) / s]
        elif k == 2:
            qk = [(rk[:, 0, 2] - rk[:, 2, 0]) / s, (rk[:, 0, 1] + rk[:, 1, 0]) / s, s / 4, (rk[:, 1, 2] + rk[:, 2, 1]) / s]
        else:
            qk = [(rk[:, 1, 0] - rk[:, 0, 1]) / s, (rk[:, 0, 2] + rk[:, 2, 0]) / s, (rk[:, 1, 2] + rk[:, 2, 1]) / s, s / 4]
        q[m] = np.stack(qk, -1)
    return q * np.where(q[..., :1] < 0, -1.0, 1.0)


def axis_angle_from_rot(r: np.ndarray) -> np.ndarray:
    """Axis-angle vectors (..., 3) (axis times angle in radians) from rotation matrices (..., 3, 3)."""
    q = quat_from_rot(r)  # w >= 0, so the angle is in [0, pi]
    sin_half = np.linalg.norm(q[..., 1:], axis=-1, keepdims=True)
    angle = 2 * np.arctan2(sin_half, q[..., :1])
    # angle / sin(angle/2) -> 2 as the angle -> 0
    scale = np.where(sin_half > 1e-12, angle / np.maximum(sin_half, 1e-12), 2.0)
    return q[..., 1:] * scale


def relative_poses(positions: np.ndarray, quats: np.ndarray) -> np.ndarray:
    """6-DoF motion from each frame to the next in the camera frame: (N, 3), (N, 4) -> (N, 6).

    Row i is [tx, ty, tz, rx, ry, rz]: translation in metres and rotation as axis-angle, both in
    camera frame i [forward, right, down]. The last row repeats the one before it (there is no
    next frame), so every frame has a pose.
    """
    n = len(positions)
    if n < 2:
        return np.zeros((n, 6))
    r = rot_from_quat(quats)  # (N, 3, 3), camera -> ECEF
    dp = positions[1:] - positions[:-1]  # (N-1, 3) ECEF
    t = np.einsum("nji,nj->ni", r[:-1], dp)  # R_i^T dp, in camera frame i
    r_rel = np.einsum("nji,njk->nik", r[:-1], r[1:])  # R_i^T R_{i+1}
    pose = np.concatenate([t, axis_angle_from_rot(r_rel)], axis=1)
    return np.concatenate([pose, pose[-1:]], axis=0)


def ecef_from_geodetic(lat_deg: float, lon_deg: float, alt_m: float) -> np.ndarray:
    """ECEF position (3,) in metres of a WGS84 latitude, longitude, altitude."""
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    n = WGS84_A / np.sqrt(1 - WGS84_E2 * np.sin(lat) ** 2)
    return np.array([
        (n + alt_m) * np.cos(lat) * np.cos(lon),
        (n + alt_m) * np.cos(lat) * np.sin(lon),
        (n * (1 - WGS84_E2) + alt_m) * np.sin(lat),
    ])


def ecef_from_ned(lat_deg: float, lon_deg: float) -> np.ndarray:
    """Rotation (3, 3) taking north-east-down vectors at a latitude/longitude to ECEF."""
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    sl, cl, so, co = np.sin(lat), np.cos(lat), np.sin(lon), np.cos(lon)
    north = np.array([-sl * co, -sl * so, cl])
    east = np.array([-so, co, 0.0])
    down = np.array([-cl * co, -cl * so, -sl])
    return np.stack([north, east, down], axis=1)
