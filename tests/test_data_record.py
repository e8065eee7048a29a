"""Recorder: renderer geometry, takeover rules, and a record -> ingest (on Ray) round trip."""

import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

from data.ingest import CAUSES, ingest
from data.record import (CAR_HEIGHT, CAR_LENGTH, CAR_WIDTH, FPS, LANE_WIDTH, STEER_RATIO, Camera, record_segment,
                         render_dashcam, sample_driver, takeover_cause, write_segment)


@pytest.fixture(scope="module")
def ray_session():
    """One local Ray for this module's tests."""
    import ray
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


def test_render_puts_a_car_where_a_pinhole_projects_it():
    rng = np.random.default_rng(0)
    cam = Camera()
    empty = render_dashcam((0.0, 0.0, 0.0), [], 3, cam)
    assert empty.shape == (128, 256, 3) and empty.dtype == np.uint8
    sky, road = empty[10, 128].astype(int), empty[100, 128].astype(int)
    assert sky[2] > sky[0] + 40  # blue sky above
    assert abs(road[0] - road[2]) < 15 and 60 < road.mean() < 140  # grey road ahead
    depth, lateral = rng.uniform(15, 40), rng.uniform(-2, 2)
    car = render_dashcam((0.0, 0.0, 0.0), [(cam.mount_forward + depth + CAR_LENGTH / 2, lateral, 0.0, 1)], 3, cam)
    changed = np.abs(car.astype(int) - empty.astype(int)).sum(2) > 30
    rows, cols = np.nonzero(changed)
    # pinhole reference for the corners of the car's rear face (x forward, y right, z down)
    u = cam.width / 2 + cam.focal * (lateral + np.array([-1, 1]) * CAR_WIDTH / 2) / depth
    v = cam.height / 2 + cam.focal * (cam.mount_height - np.array([0, CAR_HEIGHT])) / depth
    assert abs(cols.min() - u[0]) <= 2 and abs(cols.max() + 1 - u[1]) <= 2
    assert abs(rows.max() + 1 - v[0]) <= 2 and abs(rows.min() - v[1]) <= 2


def test_each_takeover_rule_fires_at_its_threshold():
    lim = sample_driver(np.random.default_rng(1))[1]
    safe = dict(crashed=False, y=4.0, heading=0.0, speed=25.0, lane_y=4.0, changing_lane=False, gap=60.0,
                closing=0.0, accel=0.0, steer=0.0, lanes_count=3)
    assert takeover_cause(lim, **safe) is None
    eps = 1e-3
    limit_offset = LANE_WIDTH / 2 - CAR_WIDTH / 2 + lim.lane_margin
    steer_at = lambda a: np.arctan(a * CAR_LENGTH / 25.0 ** 2)  # noqa: E731  lateral accel v^2 tan(d)/L
    cases = [  # (cause, state just inside the limit, state just past it)
        ("ttc", dict(gap=30.0, closing=30.0 / (lim.ttc + eps)), dict(gap=30.0, closing=30.0 / (lim.ttc - eps))),
        ("time_gap", dict(gap=25.0 * (lim.time_gap + eps)), dict(gap=25.0 * (lim.time_gap - eps))),
        ("lane_departure", dict(y=4.0 + limit_offset - eps), dict(y=4.0 - limit_offset - eps)),
        ("heading", dict(heading=np.radians(lim.heading - eps)), dict(heading=-np.radians(lim.heading + eps))),
        ("hard_brake", dict(accel=lim.brake + eps), dict(accel=lim.brake - eps)),
        ("lateral_accel", dict(steer=steer_at(lim.lateral_accel - eps)), dict(steer=-steer_at(lim.lateral_accel + eps))),
        ("off_road", dict(y=4.0, changing_lane=True), dict(y=-LANE_WIDTH / 2 - eps, changing_lane=True)),
        ("crash", dict(crashed=False), dict(crashed=True)),
    ]
    for cause, inside, past in cases:
        assert takeover_cause(lim, **{**safe, **inside}) is None, cause
        assert takeover_cause(lim, **{**safe, **past}) == cause, cause
    # a lane change is not a lane departure
    assert takeover_cause(lim, **{**safe, "y": 4.0 + limit_offset + 0.5, "changing_lane": True}) is None
    # thresholds are sampled per driver around the nominal values
    many = [sample_driver(np.random.default_rng(s))[1] for s in range(50)]
    for name, nominal in (("ttc", 2.0), ("time_gap", 0.6), ("heading", 15.0), ("brake", -4.0), ("lateral_accel", 4.0)):
        values = np.array([getattr(m, name) for m in many])
        assert values.std() > 0 and abs(values.mean() - nominal) < 0.15 * abs(nominal), name


def test_record_ingest_round_trip(tmp_path, ray_session):
    segs = [record_segment(seed, seconds=4.0, vehicles_count=15, perturb_every=0.5) for seed in (11, 12)]
    for k, seg in enumerate(segs):
        write_segment(seg, tmp_path / "raw/route/" / str(k))
    results = ingest(tmp_path / "raw", tmp_path / "out", progress=False)  # on Ray
    assert [r["status"] for r in results] == ["done", "done"], results
    n_events = 0
    for k, seg in enumerate(segs):
        n = len(seg["frames"])
        with h5py.File(tmp_path / f"out/route_{k}.h5") as f:
            assert f.attrs["frame_count"] == n and f.attrs["fps"] == pytest.approx(FPS)
            frames = f["frames"][:]
            pose, speed = f["pose"][:].astype(np.float64), f["speed"][:]
            steering, action = f["steering"][:], f["action"][:]
            label, cause = f["disengage"][:], f["disengage_cause"][:]
        # frames: lossy HEVC, but close to what was rendered
        assert np.abs(frames.astype(int) - seg["frames"].astype(int)).mean() < 6
        # pose: the motion between frames in the sim plane, rotated into the car's frame (float64 reference)
        dx, dy = np.diff(seg["x"]), np.diff(seg["y"])
        h = seg["heading"][:-1]
        np.testing.assert_allclose(pose[:-1, 0], np.cos(h) * dx + np.sin(h) * dy, atol=2e-4)
        np.testing.assert_allclose(pose[:-1, 1], -np.sin(h) * dx + np.cos(h) * dy, atol=2e-4)
        np.testing.assert_allclose(pose[:-1, 5], np.diff(seg["heading"]), atol=2e-5)  # heading + = clockwise = right
        np.testing.assert_allclose(pose[:, [2, 3, 4]], 0, atol=2e-4)
        np.testing.assert_allclose(speed, seg["speed"], rtol=1e-6)
        np.testing.assert_allclose(steering, -np.degrees(seg["steer"]) * STEER_RATIO, rtol=1e-5, atol=1e-4)
        np.testing.assert_allclose(action, np.stack([seg["accel"], -seg["steer"]], 1), rtol=1e-5, atol=1e-6)
        # takeovers: on the frame of their time, with their cause
        want = np.zeros(n, int)
        want[np.round(seg["disengage_t"] * FPS).astype(int)] = [CAUSES.index(c) for c in seg["disengage_cause"]]
        np.testing.assert_array_equal(cause, want)
        np.testing.assert_array_equal(label, want > 0)
        n_events += len(seg["disengage_t"])
    assert n_events >= 1  # frequent perturbations make takeovers happen
    # a re-run skips both
    assert [r["status"] for r in ingest(tmp_path / "raw", tmp_path / "out", progress=False)] == ["skipped"] * 2


def test_cli_records_segments_ingest_reads(tmp_path):
    root = Path(__file__).parents[1]
    run = subprocess.run([sys.executable, "-m", "data.record", "--segments", "2", "--seconds", "1", "--vehicles", "5",
                          "--out", str(tmp_path / "raw")], capture_output=True, text=True, cwd=root)
    assert run.returncode == 0, run.stderr
    results = ingest(tmp_path / "raw", tmp_path / "out", use_ray=False, progress=False)
    assert [(r["status"], r["frames"]) for r in results] == [("done", FPS)] * 2
    for name in ("global_pose/frame_velocities", "processed_log/CAN/speed/value", "action/value", "disengage/cause"):
        assert (tmp_path / "raw/highway-seed0/0" / name).is_file(), name
    h = subprocess.run([sys.executable, "-m", "data.record", "--help"], capture_output=True, text=True, cwd=root)
    assert h.returncode == 0 and "--preview" in h.stdout and "--segments" in h.stdout
