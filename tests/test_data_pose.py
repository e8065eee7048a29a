"""Pose math against hand-written references (Rodrigues' formula, planar motion) in float64."""

import numpy as np

from data.pose import (axis_angle_from_rot, ecef_from_geodetic, ecef_from_ned, quat_from_rot, relative_poses,
                       rot_from_quat)


def rodrigues(axis_angle: np.ndarray) -> np.ndarray:
    """Reference: rotation matrix from one axis-angle vector."""
    angle = np.linalg.norm(axis_angle)
    k = axis_angle / angle
    kx = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return np.eye(3) + np.sin(angle) * kx + (1 - np.cos(angle)) * kx @ kx


def random_axis_angles(rng, n):
    axes = rng.standard_normal((n, 3))
    axes /= np.linalg.norm(axes, axis=1, keepdims=True)
    return axes * rng.uniform(0.01, np.pi - 0.01, (n, 1))


def test_quaternion_matches_rodrigues_and_round_trips():
    rng = np.random.default_rng(1)
    for aa in random_axis_angles(rng, 50):
        angle = np.linalg.norm(aa)
        q = np.concatenate([[np.cos(angle / 2)], np.sin(angle / 2) * aa / angle])  # [w, x, y, z]
        r = rot_from_quat(q)
        np.testing.assert_allclose(r, rodrigues(aa), atol=1e-12)
        np.testing.assert_allclose(quat_from_rot(r), q, atol=1e-12)
        np.testing.assert_allclose(axis_angle_from_rot(r), aa, atol=1e-9)


def test_quat_from_rot_batched_and_all_branches():
    rng = np.random.default_rng(2)
    aa = random_axis_angles(rng, 200)
    aa[:4] = [[np.pi - 1e-3, 0, 0], [0, np.pi - 1e-3, 0], [0, 0, np.pi - 1e-3], [1e-9, 0, 0]]  # each branch
    r = np.stack([rodrigues(a) for a in aa])
    q = quat_from_rot(r)
    assert (q[:, 0] >= 0).all()
    np.testing.assert_allclose(rot_from_quat(q), r, atol=1e-9)
    np.testing.assert_allclose(axis_angle_from_rot(r), aa, atol=1e-7)


def test_relative_poses_of_planar_circle_in_ecef():
    # drive a circle at known speed and yaw rate in a local north-east-down plane, then move it to ECEF
    rng = np.random.default_rng(3)
    n, dt, speed, yaw_rate = 50, 0.05, rng.uniform(5, 30), rng.uniform(-0.5, 0.5)
    heading = rng.uniform(-np.pi, np.pi) + yaw_rate * dt * np.arange(n)
    radius = speed / yaw_rate
    north = radius * np.sin(heading)
    east = -radius * np.cos(heading)
    lat, lon = rng.uniform(-60, 60), rng.uniform(-180, 180)
    ned = ecef_from_ned(lat, lon)
    positions = ecef_from_geodetic(lat, lon, 100.0) + np.stack([north, east, np.zeros(n)], 1) @ ned.T
    cam = np.zeros((n, 3, 3))  # forward, right, down columns in NED
    cam[:, 0, 0], cam[:, 1, 0], cam[:, 0, 1], cam[:, 1, 1], cam[:, 2, 2] = \
        np.cos(heading), np.sin(heading), -np.sin(heading), np.cos(heading), 1
    pose = relative_poses(positions, quat_from_rot(ned @ cam))
    chord = 2 * abs(radius) * np.sin(abs(yaw_rate) * dt / 2)
    half = yaw_rate * dt / 2  # a chord leaves at half the turn angle
    np.testing.assert_allclose(pose[:, 0], chord * np.cos(half), atol=1e-6)
    np.testing.assert_allclose(pose[:, 1], np.sign(yaw_rate) * chord * abs(np.sin(half)), atol=1e-6)
    np.testing.assert_allclose(pose[:, 2], 0, atol=1e-6)
    np.testing.assert_allclose(pose[:, 3:5], 0, atol=1e-9)
    np.testing.assert_allclose(pose[:, 5], yaw_rate * dt, atol=1e-9)  # clockwise from above (right) is +


def test_ecef_frame_is_orthonormal_and_down_points_at_earth():
    rng = np.random.default_rng(4)
    lat, lon = rng.uniform(-80, 80), rng.uniform(-180, 180)
    ned = ecef_from_ned(lat, lon)
    np.testing.assert_allclose(ned.T @ ned, np.eye(3), atol=1e-12)
    assert np.isclose(np.linalg.det(ned), 1)
    p = ecef_from_geodetic(lat, lon, 0.0)
    assert ned[:, 2] @ (-p / np.linalg.norm(p)) > 0.99  # geodetic down is within ~0.2 deg of geocentric
    assert 6.35e6 < np.linalg.norm(p) < 6.38e6
