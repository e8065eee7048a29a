"""Recorder: roads with curves, the renderer's geometry, takeover rules, labels the logs explain,
a record -> ingest (on Ray) round trip, the CLI's table, and a SIGKILLed recording resumed."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import h5py
import numpy as np
import pytest

from data.check_takeovers import check_segment
from data.driver import Observation, SupervisorThresholds, reaction_frames, sample_driver, severities, takeover_cause
from data.ingest import ingest
from data.layout import CAUSES, DISENGAGE_CAUSES, FPS
from data.record import STEER_RATIO, record_segment, write_segment
from data.render import Camera, Scene, render_dashcam, rotation
from data.road import CAR_HEIGHT, CAR_LENGTH, CAR_WIDTH, LANE_WIDTH, Road, sample_road

ROOT = Path(__file__).parents[1]


@pytest.fixture(scope="module")
def ray_session():
    """One local Ray for this module's tests."""
    import ray
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)  # (not a cluster `ray start` left)
    yield
    ray.shutdown()


def test_ray_session_addresses_and_cpus(monkeypatch, tmp_path, capsys):
    """(Before the tests that use the module's Ray: inside a running Ray, ray_session does nothing.) RAY_ADDRESS=local (Ray's own name for a private local Ray) was taken for a cluster's address: the CPU count asked
    for was dropped and 3 workers on 2 cores waited forever; an unreachable address was retried for 10 minutes; more
    one-CPU actors than the Ray has CPUs waited forever. Each is said now (the first runs as asked)."""
    import ray
    from data.ray_tasks import ray_session
    monkeypatch.setenv("RAY_ADDRESS", "local")
    from data.ray_tasks import _speaks_grpc
    with ray_session(num_cpus=3, need_cpus=3):
        assert ray.cluster_resources()["CPU"] == 3
        host, port = ray.get_runtime_context().gcs_address.rsplit(":", 1)
        assert _speaks_grpc(host, int(port))   # a Ray head's GCS passes the address check below
    assert not ray.is_initialized()
    # (session 45) a port that answers, but not as Ray's (a web server: the dashboard's 8265 given for 6379): ray.init
    # retried it for good, saying nothing
    import socket, threading
    web = socket.create_server(("127.0.0.1", 0))
    def answer():
        for _ in range(2):
            c, _ = web.accept()
            c.recv(100)
            c.sendall(b"HTTP/1.0 400 Bad Request\r\n\r\n")
            c.close()
    threading.Thread(target=answer, daemon=True).start()
    at = f"127.0.0.1:{web.getsockname()[1]}"
    assert not _speaks_grpc("127.0.0.1", web.getsockname()[1])
    with pytest.raises(ConnectionError, match=rf"{at} \(--ray-address\) answers, but not as a Ray head"):
        with ray_session(at): pass
    web.close()
    monkeypatch.setenv("RAY_ADDRESS", "127.0.0.1:1")
    with pytest.raises(ConnectionError, match=r"Ray at 127\.0\.0\.1:1 \(\$RAY_ADDRESS\) can't be reached"):
        with ray_session(): pass
    monkeypatch.delenv("RAY_ADDRESS")
    with pytest.raises(ConnectionError, match=r"\(--ray-address\)"):
        with ray_session("127.0.0.1:1"): pass
    # (session 35) an IPv6 one went unchecked (hung in ray.init for minutes), and a training stage's error named a
    # --ray-address option it doesn't have (its key is ray_address=)
    with pytest.raises(ConnectionError, match=r"Ray at \[::1\]:1 \(ray_address=\) can't be reached"):
        with ray_session("[::1]:1", option="ray_address="): pass
    from data.ingest import main as ingest_main
    with pytest.raises(SystemExit): ingest_main([str(tmp_path), "--out", str(tmp_path / "o"), "--no-ray", "--ray-address", "127.0.0.1:1"])
    assert "--ray-address has no effect with --no-ray" in capsys.readouterr().err
    # (session 42) --max-in-flight with --no-ray was ignored without a word, by ingest and tokenize alike
    from train.tokenize import main as tokenize_main
    for cmd in (lambda: ingest_main([str(tmp_path), "--out", str(tmp_path / "o"), "--no-ray", "--max-in-flight", "3"]),
                lambda: tokenize_main(["--ckpt", str(tmp_path), "--shards", str(tmp_path), "--out", str(tmp_path / "t"), "--no-ray", "--max-in-flight", "3"])):
        with pytest.raises(SystemExit): cmd()
        assert "--max-in-flight limits Ray's queue: it has no effect with --no-ray" in capsys.readouterr().err
    with pytest.raises(ValueError, match="has 1 CPUs and 2 actors need one each"):
        with ray_session(num_cpus=1, need_cpus=2): pass
    assert not ray.is_initialized()
    # inside the caller's own Ray too (it was not checked there: the actors waited for a CPU forever, without a word)
    with ray_session(num_cpus=1):
        with pytest.raises(ValueError, match="the Ray this process joined has 1 CPUs and 2 actors need one each"):
            with ray_session(need_cpus=2): pass
    # a CPU another job holds (a second training on a busy cluster): its replicas waited without a word (a review)
    from data.ray_tasks import _enough_cpus
    with ray_session(num_cpus=2):
        @ray.remote(num_cpus=1)
        class Holder:
            def ping(self): return 1
        held = Holder.remote()
        ray.get(held.ping.remote())
        with pytest.raises(ValueError, match="has 2 CPUs but 1 free now .another job holds the rest. and 2 actors need one each"):
            _enough_cpus(2, "the Ray at HOST:PORT", free=True)
        _enough_cpus(2, "the Ray this process joined")   # (its own earlier actors may still be going away: not refused)
        del held
    # the engine's settings travel to the workers: a cluster's (which do not inherit this process's environment) used
    # their own default device and threads
    monkeypatch.setenv("DRIVEGPT_DEVICE", "CPU"); monkeypatch.setenv("DRIVEGPT_THREADS", "1")
    seen = {}
    def init(**kw):
        seen.update(kw)
        raise ConnectionAbortedError("stop here")
    monkeypatch.setattr(ray, "init", init)
    with pytest.raises(ConnectionAbortedError):
        with ray_session(): pass
    env = seen["runtime_env"]["env_vars"]
    assert env["DRIVEGPT_DEVICE"] == "CPU" and env["DRIVEGPT_THREADS"] == "1" and "PYTHONPATH" in env
    # a token-authenticated cluster's refusal read as an unreachable cluster: the token is named (a review)
    import data.ray_tasks as rt
    monkeypatch.setattr(rt, "_speaks_grpc", lambda host, port: True)
    def refused(**kw): raise ConnectionError("Failed to connect to Ray cluster at 10.0.0.1:6379")
    monkeypatch.setattr(ray, "init", refused)
    (tmp_path / "home" / ".ray").mkdir(parents=True); (tmp_path / "home" / ".ray" / "auth_token").write_text("t")
    monkeypatch.setenv("HOME", str(tmp_path / "home")); monkeypatch.delenv("RAY_AUTH_MODE", raising=False)
    with pytest.raises(ConnectionError, match=r"10\.0\.0\.1:6379 \(~/\.ray/auth_token is here but RAY_AUTH_MODE is not 'token'"):
        with ray_session("10.0.0.1:6379"): pass
    monkeypatch.setenv("RAY_AUTH_MODE", "token")
    with pytest.raises(ConnectionError, match=r"10\.0\.0\.1:6379$"):
        with ray_session("10.0.0.1:6379"): pass


def test_a_ray_without_its_private_session_call_runs_without_the_reaper(monkeypatch, capsys):
  """The reaper finds the local Ray's processes through a private Ray call (a dependency review: the likeliest thing to
  break in a Ray release): without it, Ray jobs run on and a warning says what a kill -9 may leave."""
  import ray._private.worker
  from data.ray_tasks import _start_reaper
  monkeypatch.setattr(ray._private.worker, "_global_node", object())
  assert _start_reaper() is None
  assert "does not say its session folder" in capsys.readouterr().err


def test_ray_tasks_whose_worker_dies_are_named_and_the_others_go_on(ray_session):
    """ingest on Ray: a segment whose worker died past Ray's retries ended the whole run with WorkerCrashedError's
    traceback (the segment not named, the rest never tried, no summary). as_completed(keep_going=True) yields the error
    as that item's result; without it the error is raised as before."""
    import ray
    from data.ray_tasks import as_completed
    @ray.remote(max_retries=0)
    def task(x):
        if x == 2: os._exit(1)   # the worker dies (killed, out of memory)
        return x * 10
    got = dict(as_completed(task.remote, range(5), 2, keep_going=True))
    assert {k: v for k, v in got.items() if k != 2} == {0: 0, 1: 10, 3: 30, 4: 40} and isinstance(got[2], ray.exceptions.RayError)
    with pytest.raises(ray.exceptions.RayError): dict(as_completed(task.remote, range(5), 2))


def test_lead_gap_is_measured_along_the_cars_lane():
    """The gap to the car ahead was the difference of lane 0's arc length: in lane 1 of a 90 m curve 4% long or short,
    and so the time gap and TTC the supervisor judged. Now the distance along the cars' own path, for a piece boundary
    between them too."""
    from types import SimpleNamespace as NS
    from data.record import _lead
    for k in (1 / 90, -1 / 90, 0.0):
        road = Road(np.array([160.0, 400.0]), np.array([0.0, k]), 2)   # the lead sits past the boundary at 160 m
        def car(s, lat):
            x, y, h, _ = road.at(np.array([s]), np.array([lat]))
            return NS(position=np.array([x[0], y[0]]), heading=float(h[0]), speed=20.0)
        ego, lead = car(150.0, 4.0), car(175.0, 4.0)
        s, lat = (float(v[0]) for v in road.frenet(ego.position[:1], ego.position[1:]))
        row, _ = _lead(road, ego, [lead], s, lat, 20.0, 4.0)
        along = 10 + 15 * (1 - k * 4.0)  # centre to centre along lane 1: 10 m straight, then 15 m of arc
        assert abs(row[1] - (along - CAR_LENGTH)) < 1e-6, (k, row[1], along - CAR_LENGTH)


def test_road_coordinates_match_highway_env_lanes():
    rng = np.random.default_rng(0)
    road = sample_road(rng, 1500, 3, (80, 400), 0.7)
    assert (road.curvatures != 0).sum() >= 2
    s, lat = rng.uniform(0, road.length, 500), rng.uniform(-6, 14, 500)
    x, y, _, _ = road.at(s, lat)
    s2, lat2 = road.frenet(x, y)
    np.testing.assert_allclose(s2, s, atol=1e-6)
    np.testing.assert_allclose(lat2, lat, atol=1e-6)
    net = road.network()  # highway-env's own lanes put the same points in the same places
    for p in range(len(road.lengths)):
        for i in range(3):
            lane = net.get_lane((str(p), str(p + 1), i))
            u = rng.uniform(0, lane.length)
            ps, pl = road.frenet(*lane.position(u, 0.3)[:, None])
            assert abs(pl[0] - (i * LANE_WIDTH + 0.3)) < 1e-6
            assert abs(np.angle(np.exp(1j * (lane.heading_at(u) - road.at(ps)[2][0])))) < 1e-6


def test_render_puts_a_car_where_a_pinhole_projects_it():
    rng = np.random.default_rng(0)
    cam, road = Camera(), Road(np.array([500.0]), np.array([0.0]), 3)
    empty = render_dashcam((0.0, 0.0, 0.0), [], road, Scene(), cam)
    assert empty.shape == (128, 256, 3) and empty.dtype == np.uint8
    sky, ground = empty[10, 128].astype(int), empty[100, 128].astype(int)
    assert sky[2] > sky[0] + 40  # blue sky above
    assert abs(ground[0] - ground[2]) < 15 and 60 < ground.mean() < 140  # grey road ahead
    depth, lateral = rng.uniform(15, 40), rng.uniform(-2, 2)
    car = render_dashcam((0.0, 0.0, 0.0), [(cam.mount_forward + depth + CAR_LENGTH / 2, lateral, 0.0, 1)], road, Scene(), cam)
    rows, cols = np.nonzero(np.abs(car.astype(int) - empty.astype(int)).sum(2) > 30)
    # pinhole reference for the corners of the car's rear face (x forward, y right, z down)
    u = cam.width / 2 + cam.focal * (lateral + np.array([-1, 1]) * CAR_WIDTH / 2) / depth
    v = cam.height / 2 + cam.focal * (cam.mount_height - np.array([0, CAR_HEIGHT])) / depth
    assert abs(cols.min() - u[0]) <= 2 and abs(cols.max() + 1 - u[1]) <= 2
    assert abs(rows.max() + 1 - v[0]) <= 2 and abs(rows.min() - v[1]) <= 2
    # pitching the nose down by a raises the scene by f * tan(a) rows
    a = rng.uniform(0.01, 0.03)
    dipped = render_dashcam((0.0, 0.0, 0.0, -a, 0.0), [(cam.mount_forward + depth + CAR_LENGTH / 2, lateral, 0.0, 1)], road, Scene(), cam)
    rows2, _ = np.nonzero(np.abs(dipped.astype(int) - render_dashcam((0.0, 0.0, 0.0, -a, 0.0), [], road, Scene(), cam).astype(int)).sum(2) > 30)
    assert abs((rows.min() - rows2.min()) - cam.focal * np.tan(a)) <= 2


def test_rotation_is_yaw_pitch_roll():
    h, p, r = np.random.default_rng(1).uniform(-0.5, 0.5, 3)
    m = rotation(h, p, r)
    fwd = m[:, 0]
    assert np.isclose(np.arctan2(fwd[1], fwd[0]), h) and np.isclose(-np.arcsin(fwd[2]), p)  # nose up: forward has z < 0
    assert np.isclose(np.arcsin(m[2, 1] / np.cos(p)), r)  # right side down: right axis has z > 0
    np.testing.assert_allclose(m @ m.T, np.eye(3), atol=1e-12)


def test_each_takeover_rule_fires_at_its_threshold():
    lim = sample_driver(np.random.default_rng(1))[1]
    safe = dict(speed=25.0, accel=0.0, lateral_accel=0.0, lane_offset=0.0, heading_error=0.0, road_margin=6.0,
                blinker=0, gap=60.0, closing=0.0, clearance=10.0, crashed=False)
    assert takeover_cause(lim, Observation(**safe))[0] is None
    eps = 1e-3
    lane_limit = LANE_WIDTH / 2 - CAR_WIDTH / 2 + lim.lane_margin
    cases = [  # (cause, state just inside the limit, state just past it)
        ("ttc", dict(gap=30.0, closing=30.0 / (lim.ttc + eps)), dict(gap=30.0, closing=30.0 / (lim.ttc - eps))),
        ("time_gap", dict(gap=25.0 * (lim.time_gap + eps)), dict(gap=25.0 * (lim.time_gap - eps))),
        ("lane_departure", dict(lane_offset=lane_limit - eps), dict(lane_offset=-lane_limit - eps)),
        ("heading", dict(heading_error=np.radians(lim.heading - eps)), dict(heading_error=-np.radians(lim.heading + eps))),
        ("hard_brake", dict(accel=lim.brake + eps), dict(accel=lim.brake - eps)),
        ("lateral_accel", dict(lateral_accel=lim.lateral_accel - eps), dict(lateral_accel=-lim.lateral_accel - eps)),
        ("off_road", dict(road_margin=eps), dict(road_margin=-eps)),
        ("crash", dict(clearance=0.0), dict(crashed=True)),
    ]
    for cause, inside, past in cases:
        assert takeover_cause(lim, Observation(**{**safe, **inside}))[0] is None, cause
        assert takeover_cause(lim, Observation(**{**safe, **past}))[0] == cause, cause
    # with the blinker on, a lane change is not a lane departure; a crash outranks the warnings before it
    assert takeover_cause(lim, Observation(**{**safe, "lane_offset": 3.0, "blinker": 1}))[0] is None
    assert takeover_cause(lim, Observation(**{**safe, "crashed": True, "gap": 1.0}))[0] == "crash"
    many = [sample_driver(np.random.default_rng(s))[1] for s in range(50)]
    for name, nominal in (("ttc", 2.0), ("time_gap", 0.6), ("heading", 15.0), ("brake", -4.0), ("lateral_accel", 4.0)):
        values = np.array([getattr(m, name) for m in many])
        assert values.std() > 0 and abs(values.mean() - nominal) < 0.15 * abs(nominal), name


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """Two short segments with faults every ~0.3 s: a rural road (a phantom brake, noticed and taken over a reaction
    time later) and a traffic jam."""
    raw = tmp_path_factory.mktemp("rec") / "raw"
    segs = [record_segment(seed, seconds=4.0, perturb_every=0.3) for seed in (22, 11)]
    for k, seg in enumerate(segs):
        write_segment(seg, raw / "route" / str(k))
    return raw, segs


def test_frame_velocities_point_along_the_motion(recorded):
    """frame_velocities were highway-env's ego.velocity, along the heading: off the car's motion by the bicycle's slip
    angle (up to 15 degrees in a swerve). They follow the motion into each frame now, as comma2k19's measured ones."""
    raw, _ = recorded
    for d in sorted((raw / "route").iterdir()):
        p, v = np.load(d / "global_pose/frame_positions"), np.load(d / "global_pose/frame_velocities")
        motion = p[1:] - p[:-1]                                # into frame i + 1
        moving = np.linalg.norm(motion, axis=1) > 0.02
        cos = np.einsum("ij,ij->i", motion, v[1:]) / (np.linalg.norm(motion, axis=1) * np.linalg.norm(v[1:], axis=1) + 1e-12)
        assert moving.sum() > 20 and np.degrees(np.arccos(np.clip(cos[moving], -1, 1))).max() < 0.05, d


def test_check_takeovers_command_line(recorded, capsys):
    """--help was taken for a folder ("--help: no recorded segments found")."""
    from data.check_takeovers import main
    with pytest.raises(SystemExit): main(["--help"])
    assert "usage: python -m data.check_takeovers" in capsys.readouterr().out
    # session 46 (a recorder review): a killed record's hidden temp folder (driver.json is written before the video) was
    # counted as a segment, its takeovers twice; a segment folder reached through a link was skipped
    raw, segs = recorded
    def counts(root):
        main([str(root)])
        rows = [line.split() for line in capsys.readouterr().out.splitlines()]
        return {r[0]: int(r[2]) for r in rows if len(r) == 3 and r[0] in DISENGAGE_CAUSES}
    want = counts(raw)
    assert sum(want.values()) == sum(len(s["disengage_t"]) for s in segs) >= 1
    import shutil
    linked, killed = Path(str(raw) + "_linked"), Path(str(raw) + "_killed")
    shutil.copytree(raw / "route" / "1", linked / "route" / "1")
    (linked / "route" / "0").symlink_to((raw / "route" / "0").resolve())
    shutil.copytree(raw / "route", killed / "route")
    shutil.copytree(raw / "route" / "0", killed / "route" / ".2.tmp-host-123")
    assert counts(linked) == want and counts(killed) == want
    assert counts(raw / "route" / "0" / "driver.json") == want   # one segment's driver.json (a review: a traceback)
    assert main([str(raw / "route" / "0" / "video.hevc")]) == 1 and "no recorded segments (driver.json) found" in capsys.readouterr().err
    assert main([str(raw / "gone" / "driver.json")]) == 1 and "gone/driver.json: no such folder or file" in capsys.readouterr().err


def test_takeovers_are_visible_in_the_logs(recorded):
    raw, segs = recorded
    found = [c for k in range(2) for c in check_segment(raw / "route" / str(k))]
    print("takeovers (t, cause, visible, logged value, limit):", found)
    assert len(found) == sum(len(s["disengage_t"]) for s in segs) >= 1
    assert all(visible for _, _, visible, _, _ in found)
    # the command a broken rule follows is the one the car carried out, in the action log
    for seg in segs:
        delay = reaction_frames(SupervisorThresholds(**seg["driver"]["thresholds"]), FPS)
        for t, cause in zip(seg["disengage_t"], seg["disengage_cause"]):
            k = int(round(t * FPS)) - delay
            if cause == "hard_brake":
                assert seg["accel"][k - 1] < -3.5 and np.isclose(seg["speed"][k] - seg["speed"][k - 1], seg["accel"][k - 1] / FPS)


def _check_takeover_timing(seg) -> int:
    """Each takeover (a crash aside) rebuilt from the simulator's log: its rule broke one reaction time before it and not
    the frame before that (the system's, or the human's last: a rule broken when the human hands back does not count
    until it clears). Returns the number checked."""
    lim = SupervisorThresholds(**seg["driver"]["thresholds"])
    delay = reaction_frames(lim, FPS)
    assert delay >= 10
    checked = 0
    for k, cause, lead in zip(np.round(seg["disengage_t"] * FPS).astype(int), seg["disengage_cause"], seg["disengage_lead"]):
        if cause == "crash":
            continue
        obs = lambda j: Observation(  # noqa: E731
            speed=seg["speed"][j], accel=(seg["speed"][j] - seg["speed"][j - 1]) * FPS,
            lateral_accel=seg["speed"][j] * (seg["heading"][j] - seg["heading"][j - 1]) * FPS, lane_offset=seg["lane"][j, 0],
            heading_error=seg["lane"][j, 1], road_margin=seg["lane"][j, 3], blinker=int(seg["lane"][j, 4]),
            gap=seg["lead"][j, 1] if seg["lead"][j, 0] else None, closing=seg["lead"][j, 2], clearance=seg["lead"][j, 3],
            crashed=False)
        assert takeover_cause(lim, obs(k - delay))[0] == cause
        if k - delay - 1 >= 1:
            assert severities(lim, obs(k - delay - 1))[cause] < 1, (k, cause)
        assert lead >= lim.reaction - 0.5 / FPS  # the situation looked wrong for at least the reaction time
        checked += 1
    return checked


def test_supervisor_takes_over_one_reaction_time_after_a_rule_breaks(recorded):
    _, segs = recorded
    reactions = np.array([sample_driver(np.random.default_rng(s))[1].reaction for s in range(50)])
    assert reactions.min() >= 0.5 and reactions.max() <= 1.5 and reactions.std() > 0.1
    assert [reaction_frames(SupervisorThresholds(1, 1, 1, 1, -1, 1, reaction=r), 20) for r in (0.5, 0.74, 0.76, 1.5)] == [10, 15, 15, 30]
    assert sum(_check_takeover_timing(seg) for seg in segs) >= 1


@pytest.mark.slow  # (out of the default run: 33-85 s each on a 2-core Zen 4 VM, where the suite took 20 min cold)
def test_a_rule_broken_at_the_handback_is_not_the_systems():
    """The human drove 2-4 s after a takeover and handed the car back even past a limit: the supervisor then took over
    one reaction time later, a lane_departure charged to the system that the human's driving left (3 of 13 takeovers in
    a sample; here the one at 7.85 s of seed 8). A rule broken at the handback counts again once it has cleared for a
    reaction time: one frame below the limit ended it, and seed 5's human stopped 0.2 m behind a jittering lead car, its
    time-to-collision flickering, was charged to the system as a ttc takeover at 11.7 s."""
    seg = record_segment(8, seconds=20.0)
    assert _check_takeover_timing(seg) >= 2
    seg = record_segment(5, seconds=20.0)
    assert _check_takeover_timing(seg) >= 1 and not any(abs(t - 11.7) < 0.5 for t in seg["disengage_t"]), seg["disengage_t"]


def test_lane_keeping_holds_the_lane_centre_through_a_curve():
  """The lane keeper steered the car's heading onto the road's, but highway-env's bicycle model moves the car along its
  heading plus the slip angle (atan(tan(steer) / 2)), stepped with the heading of the step's start: it held a line
  max(v, 3) * curvature * (5 - v / 20) m inside every curve (0.31 m at 25 m/s on a 300 m radius: beyond the recovery test's 0.2 m band; a helper's
  review). Here the car drives a circle with highway-env's Vehicle.step equations written out, starting off-centre."""
  from data.driver import lane_keep_steer
  from data.layout import FPS
  from data.road import CAR_LENGTH
  for radius, v, side in ((300.0, 25.0, 1), (150.0, 18.0, -1), (800.0, 30.0, 1)):
    centre, dt = np.array([0.0, side * radius]), 1 / FPS       # a curve to the right (y is to the car's right) or left
    pos, heading, offsets = np.array([0.0, side * 0.5]), 0.0, []  # 0.5 m off the centre, towards the curve's inside
    for _ in range(int(20 * FPS)):
      r = pos - centre
      tangent = np.arctan2(r[1], r[0]) + side * np.pi / 2
      offset = side * (radius - np.hypot(*r))                  # + = right of the lane centre
      err = (heading - tangent + np.pi) % (2 * np.pi) - np.pi
      steer = lane_keep_steer(offset, err, side / radius, v)
      beta = np.arctan(np.tan(steer) / 2)
      pos = pos + v * dt * np.array([np.cos(heading + beta), np.sin(heading + beta)])
      heading += v * np.sin(beta) / (CAR_LENGTH / 2) * dt
      offsets.append(offset)
    assert abs(np.mean(offsets[-2 * FPS:])) < 0.03, (radius, v, np.mean(offsets[-2 * FPS:]))  # (before: 0.31, -0.49, 0.13 m)

def test_drift_fault_slides_out_of_the_lane_slowly(monkeypatch):
    import data.record as rec
    monkeypatch.setattr(rec, "FAULTS", {"drift": (8.0, 1), "cut_in": (8.0, 0)})
    seg = record_segment(6, seconds=6.0, scenario="highway", perturb_every=0.05)
    offset = np.abs(seg["lane"][:, 0])
    rate = np.abs(np.diff(seg["lane"][:, 0])) * FPS
    print("takeovers", seg["disengage_t"], "max lateral rate", rate.max(), "offset each s", offset[::FPS])
    assert rate.max() < 1.0  # slides at 0.3-0.5 m/s plus the lane keeping's lag and wander: never a jump
    assert offset[2 * FPS] < 0.6 and offset[-1] > 1.0  # a second into the fault it is still near the centre, then it leaves


def test_record_ingest_round_trip(recorded, tmp_path, ray_session):
    raw, segs = recorded
    results = ingest(raw, tmp_path / "out", progress=False)  # on Ray
    assert [r["status"] for r in results] == ["done", "done"], results
    for r, seg in zip(results, segs):
        n = len(seg["frames"])
        with h5py.File(tmp_path / "out" / f"{r['id']}.h5") as f:
            assert f.attrs["frame_count"] == n and f.attrs["fps"] == pytest.approx(FPS) and f.attrs["complete"]
            assert f.attrs["has_lead"] and f.attrs["has_lane"] and f.attrs["route"] == "route/" + Path(r["path"]).name
            frames = f["frames"][:]
            pose = f["pose"][:].astype(np.float64)
            got = {k: f[k][:] for k in ("speed", "steering", "action", "lead", "lane", "disengage", "disengage_cause", "disengage_lead")}
        assert np.abs(frames.astype(int) - seg["frames"].astype(int)).mean() < 8  # lossy HEVC of noisy frames
        # pose against the simulator's own states, reference built here: R = Rz(yaw) Ry(pitch) Rx(roll)
        r_ = [rotation(h, p, q) for h, p, q in zip(seg["heading"], seg["pitch"], seg["roll"])]
        for i in range(n - 1):
            d = np.array([seg["x"][i + 1] - seg["x"][i], seg["y"][i + 1] - seg["y"][i], 0.0])
            np.testing.assert_allclose(pose[i, :3], r_[i].T @ d, atol=2e-4)
            rel = r_[i].T @ r_[i + 1]
            theta = np.linalg.norm(pose[i, 3:])
            k = pose[i, 3:] / max(theta, 1e-12)
            kx = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
            np.testing.assert_allclose(np.eye(3) + np.sin(theta) * kx + (1 - np.cos(theta)) * kx @ kx, rel, atol=3e-5)  # Rodrigues
        np.testing.assert_allclose(got["speed"], seg["speed"], rtol=1e-6)
        np.testing.assert_allclose(got["steering"], -np.degrees(seg["steer"]) * STEER_RATIO, rtol=1e-5, atol=1e-4)
        np.testing.assert_allclose(got["action"], np.stack([seg["accel"], -seg["steer"]], 1), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(got["lead"], seg["lead"], rtol=1e-5, atol=1e-4)
        np.testing.assert_allclose(got["lane"], seg["lane"], rtol=1e-5, atol=1e-5)
        want = np.zeros(n, int)
        frames_at = np.round(seg["disengage_t"] * FPS).astype(int)
        want[frames_at] = [CAUSES.index(c) for c in seg["disengage_cause"]]
        np.testing.assert_array_equal(got["disengage_cause"], want)
        np.testing.assert_array_equal(got["disengage"], want > 0)
        np.testing.assert_allclose(got["disengage_lead"][frames_at], seg["disengage_lead"], atol=1e-6)
    assert [r["status"] for r in ingest(raw, tmp_path / "out", progress=False)] == ["skipped"] * 2


def test_ingest_on_ray_says_what_each_segment_said(recorded, tmp_path, ray_session, capsys):
    """On Ray (the default for two inputs or more) a worker's stderr never reached the terminal: a takeover outside the
    video was left out without the word the README promises (--no-ray said it)."""
    import shutil
    from data.layout import save_array
    raw, _ = recorded
    shutil.copytree(raw, tmp_path / "raw")
    segs = sorted((tmp_path / "raw" / "route").iterdir())
    for seg in segs:
        save_array(seg / "disengage" / "t", np.array([1.0, 50.0]))
        save_array(seg / "disengage" / "cause", np.array(["ttc", "ttc"]))
        save_array(seg / "disengage" / "lead_time", np.array([1.0, 1.0]))
    capsys.readouterr()
    results = ingest(tmp_path / "raw", tmp_path / "out", progress=False)  # on Ray
    assert [r["status"] for r in results] == ["done", "done"], results
    err = capsys.readouterr().err
    for seg in segs:
        assert f"warning: {seg}: takeovers at t [50.0] s are outside the video" in err, err


def test_recordings_vary_roads_speeds_and_scenes():
    segs = [record_segment(seed, seconds=1.0) for seed in (0, 1, 2)]
    drivers = [s["driver"] for s in segs]
    assert sorted(d["scenario"] for d in drivers) == ["highway", "jam", "rural"]
    assert all(any(c != 0 for c in d["road"]["curvatures"]) for d in drivers)
    assert len({d["scene"]["sky_top"] for d in drivers}) == 3
    jam, highway = segs[[d["scenario"] for d in drivers].index("jam")], segs[[d["scenario"] for d in drivers].index("highway")]
    assert jam["speed"].max() < 15 < highway["speed"].min()
    assert np.abs(np.concatenate([s["pitch"] for s in segs])).max() > 1e-3  # the camera moves with the body
    again = record_segment(1, seconds=1.0)
    np.testing.assert_array_equal(again["frames"], segs[1]["frames"])  # a seed gives the same segment


def _run(*args, **kw):
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, cwd=ROOT, **kw)


def test_cli_prints_the_takeover_table_and_survives_sigkill(tmp_path):
    out = tmp_path / "raw"
    cmd = [sys.executable, "-m", "data.record", "--segments", "2", "--seconds", "1", "--out", str(out)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while not list((out / "highway-seed0").glob(".*.tmp-*")) and time.time() < deadline:  # writing the first segment
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    debris = list((out / "highway-seed0").glob(".*"))
    assert debris, "the kill should have left a temp folder"
    run = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    print(run.stdout)
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in (out / "highway-seed0").iterdir()) == ["0", "1"]  # no debris
    assert "takeovers by cause" in run.stderr and all(c in run.stderr for c in CAUSES[1:])
    # stdout is the JSON line alone (the table came before it there: `| python -m json.tool` failed)
    assert json.loads(run.stdout)["segments"] == 2
    fresh = tmp_path / "fresh"
    assert subprocess.run(cmd[:-1] + [str(fresh)], capture_output=True, cwd=ROOT).returncode == 0
    for k in ("0", "1"):  # the resumed recording equals one that was never killed
        for f in sorted(p.relative_to(fresh / "highway-seed0" / k) for p in (fresh / "highway-seed0" / k).rglob("*") if p.is_file()):
            assert (out / "highway-seed0" / k / f).read_bytes() == (fresh / "highway-seed0" / k / f).read_bytes(), f
    assert json.loads((out / "highway-seed0/0/driver.json").read_text())["scenario"] == "highway"
    assert json.loads((out / "highway-seed0/1/driver.json").read_text())["route"] == "highway-seed0/1"  # (ingest's, from any folder level)
    # asked for other --seconds, the kept segments would mix two kinds of recording: named instead
    other = subprocess.run(cmd[:4] + ["3", "--seconds", "2"] + cmd[7:], capture_output=True, text=True, cwd=ROOT)
    assert other.returncode != 0 and "recorded for 1 s, now asked for 2 s" in other.stderr, other.stderr[-1500:]
    assert sorted(p.name for p in (out / "highway-seed0").iterdir()) == ["0", "1"]  # nothing recorded, nothing lost
    h = _run("data.record", "--help")
    assert h.returncode == 0 and "--preview" in h.stdout and "--segments" in h.stdout


def _children(pid: int) -> list:
    """The pids of pid's child processes (from /proc)."""
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try: fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError: continue
        if int(fields[1]) == pid: kids.append(int(stat.parent.name))
    return kids


def test_a_recording_worker_that_dies_fails_the_run_and_a_rerun_finishes_it(tmp_path):
    """--workers 2 with one worker killed (the OOM killer, say): the bar froze and the command waited forever, nothing
    said (multiprocessing.Pool never finishes a dead worker's task). Now it fails naming what happened; the same command
    again records what is missing."""
    out = tmp_path / "raw"
    cmd = [sys.executable, "-m", "data.record", "--segments", "3", "--seconds", "2", "--out", str(out), "--workers", "2"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline, victim = time.time() + 120, None
    while victim is None and time.time() < deadline and proc.poll() is None:  # a worker that has started a segment
        if list((out / "highway-seed0").glob(".*.tmp-*")) if (out / "highway-seed0").exists() else False:
            kids = [k for k in _children(proc.pid) if "spawn_main" in Path(f"/proc/{k}/cmdline").read_bytes().decode(errors="replace")]
            victim = kids[0] if kids else None
        time.sleep(0.02)
    assert victim is not None, "no worker to kill"
    os.kill(victim, signal.SIGKILL)
    try: err = proc.communicate(timeout=120)[1]
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError("record --workers 2 hung after a worker died")
    assert proc.returncode == 1 and "a recording worker died" in err and "run the same command again" in err, err[-2000:]
    again = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert again.returncode == 0 and sorted(p.name for p in (out / "highway-seed0").iterdir()) == ["0", "1", "2"], again.stderr[-2000:]


def test_ctrl_c_stops_record_with_workers_at_once(tmp_path):
    """With a pool of futures (the worker-death fix) Ctrl-C let the workers record every queued segment before the command
    exited, and a second Ctrl-C hung it in the executor's join: no segment starts after a Ctrl-C now."""
    out = tmp_path / "raw"
    cmd = [sys.executable, "-m", "data.record", "--segments", "6", "--seconds", "2", "--out", str(out), "--workers", "2"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 120
    while not ((out / "highway-seed0").exists() and list((out / "highway-seed0").glob(".*.tmp-*"))) and time.time() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)
    os.killpg(proc.pid, signal.SIGINT)   # as a terminal sends it: to the whole process group
    try: proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise AssertionError("record --workers 2 went on after Ctrl-C")
    assert len([p for p in (out / "highway-seed0").iterdir() if not p.name.startswith(".")]) <= 2   # the two started, at most


def test_cli_names_itself_and_refuses_seconds_that_record_no_frame(capsys):
    """`drivegpt record --help` said `usage: python -m data.record`; --seconds inf died in a traceback (OverflowError),
    nan in "cannot convert float NaN to integer", 0.01 (under one 20 fps frame) in StopIteration."""
    from drivegpt.cli import main as cli
    with pytest.raises(SystemExit) as e:
        cli(["record", "--help"])
    assert e.value.code == 0 and capsys.readouterr().out.startswith("usage: drivegpt record ")
    for s in ("inf", "nan", "0", "0.01", "-1"):
        with pytest.raises(SystemExit) as e:
            cli(["record", "--seconds", s, "--out", "/nonexistent"])
        assert e.value.code == 2 and f"argument --seconds: must be a finite number >= 0.05, got '{s}'" in capsys.readouterr().err


def test_a_second_record_into_a_folder_in_use_is_refused(tmp_path, capsys):
    """Two records into one --out recorded the same segments twice and failed late, renaming onto the other's."""
    from drivegpt.cli import main as cli
    (out := tmp_path / "raw").mkdir()
    holder = subprocess.Popen([sys.executable, "-c", f"from pathlib import Path; from train.stage import lock_folder; lock_folder(Path({str(out)!r})); "
                               "print('held', flush=True); import time; time.sleep(60)"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        assert cli(["record", "--segments", "1", "--seconds", "0.05", "--out", str(out)]) == 2
        assert f"{out}: a run is already going on in this folder (pid {holder.pid})" in capsys.readouterr().err
        assert not any(p.name != ".lock" for p in out.iterdir())
    finally: holder.kill(); holder.wait()


def test_a_kept_segment_that_a_crash_cut_short_resumes(tmp_path):
    """A crash ends a drive early, so a segment can hold fewer frames than --seconds asks: re-running the same command
    keeps it (the recorder once refused, naming its frame count); other --seconds are still refused, naming both."""
    from data.record import record_segments
    seg = tmp_path / "highway-seed0" / "0"
    (seg / "global_pose").mkdir(parents=True)
    with open(seg / "global_pose" / "frame_times", "wb") as f: np.save(f, np.arange(7) / 20.0)   # 7 of the 20 frames 1 s asks for
    (seg / "driver.json").write_text(json.dumps({"seed": 0, "seconds": 1.0}))
    # without its video: kept as if whole (session 28: a damaged kept segment is named, video, driver.json or poses)
    with pytest.raises(ValueError, match=r"0: a kept segment that is damaged \(video.hevc is missing\)"):
        record_segments(1, tmp_path, seconds=1.0, seed=0, progress=False)
    (seg / "video.hevc").write_bytes(b"")
    assert record_segments(1, tmp_path, seconds=1.0, seed=0, progress=False) == [seg]
    assert sorted(p.name for p in seg.iterdir()) == ["driver.json", "global_pose", "video.hevc"]   # kept as it was, not re-recorded
    with pytest.raises(ValueError, match="recorded for 1 s, now asked for 2 s"):
        record_segments(1, tmp_path, seconds=2.0, seed=0, progress=False)
    (seg / "driver.json").write_text(json.dumps({"seed": 0}))                   # from before the key: by frame count
    with pytest.raises(ValueError, match="recorded for 0.35 s, now asked for 1 s"):
        record_segments(1, tmp_path, seconds=1.0, seed=0, progress=False)
    (seg / "driver.json").write_text('{"seed": 0, "sec')                       # cut: a JSON error naming no file
    with pytest.raises(ValueError, match=r"0: a kept segment that is damaged \(Unterminated string"):
        record_segments(1, tmp_path, seconds=1.0, seed=0, progress=False)


def test_the_autopilot_never_brakes_past_its_limit(monkeypatch):
    # a driver whose hard-brake limit sits just past the autopilot's cap: the autopilot's noisy braking must not reach it
    import data.record as rec
    seed = next(s for s in range(100) if -3.6 < sample_driver(np.random.default_rng(s), rec.SCENARIOS["highway"][2])[1].brake)
    monkeypatch.setattr(rec, "idm_accel", lambda *a: -8.0)  # it always wants to brake hard
    seg = record_segment(seed, seconds=4.0, scenario="highway", perturb_every=1e6)
    braking = np.diff(seg["speed"]) * FPS
    print("seed", seed, "hardest braking", braking.min(), "takeovers", seg["disengage_cause"])
    assert braking.min() >= rec.AUTOPILOT_BRAKE - 1e-6 and "hard_brake" not in seg["disengage_cause"]

def test_supervisor_corners_a_mutation_test_found():
  """A crash off the road is a crash (it ends the drive at once; off_road waits), strong acceleration is not a hard
  brake (only braking past the limit, a negative accel), a left blinker excuses a move left as a right one does a move
  right, and the dashcam's focal length is 0.78 x its width (~65 degrees, comma's road camera; augment's default)."""
  lim = SupervisorThresholds(ttc=2.0, time_gap=0.6, lane_margin=0.4, heading=15.0, brake=-4.0, lateral_accel=4.0)
  safe = dict(speed=25.0, accel=0.0, lateral_accel=0.0, lane_offset=0.0, heading_error=0.0, road_margin=6.0,
              blinker=0, gap=None, closing=0.0, clearance=10.0, crashed=False)
  assert takeover_cause(lim, Observation(**{**safe, "crashed": True, "clearance": 0.0, "road_margin": -0.5}))[0] == "crash"
  assert takeover_cause(lim, Observation(**{**safe, "accel": 4.5}))[0] is None
  assert takeover_cause(lim, Observation(**{**safe, "accel": -4.5}))[0] == "hard_brake"
  for b in (1, -1):
    assert takeover_cause(lim, Observation(**{**safe, "blinker": b, "lane_offset": 3.0 * b}))[0] is None, b
    assert takeover_cause(lim, Observation(**{**safe, "lane_offset": 3.0 * b}))[0] == "lane_departure", b
  from data.render import Camera
  cam = Camera()
  assert cam.focal == pytest.approx(0.78 * cam.width) and 64 < np.degrees(2 * np.arctan(cam.width / 2 / cam.focal)) < 66

def test_the_body_dips_under_braking():
  """Pitch is nose up +: a second of braking at 6 m/s^2 pitches the body down (a mutation test's survivor: the sign)."""
  from data.record import body_tilt
  o = Observation(speed=20, accel=-6.0, lateral_accel=0, lane_offset=0, heading_error=0, road_margin=5, blinker=0, gap=None, closing=0, clearance=10, crashed=False)
  p, r = 0.0, 0.0
  for _ in range(20): p, r = body_tilt(p, r, o, 0.05)
  assert -0.1 < p < -0.01 and r == 0.0

def test_road_paint_where_a_pinhole_projects_it_and_the_logged_heading_sign():
  """The lane paint on a straight road sits where the pinhole model puts it (column w/2 + f lat / depth, depth =
  f h / (row - h/2)): the cars were checked so, the road never was (a principal point 6 px off, or the mount height,
  passed). The logged heading error (+ = right) has the sign of the drift it causes: d(offset)/dt / speed."""
  from data.render import Camera, Scene, render_dashcam
  from data.road import Road, LANE_WIDTH
  from data.record import record_segment
  cam = Camera()
  img = render_dashcam((0.0, 0.0, 0.0), [], Road(np.array([500.0]), np.array([0.0]), 3), Scene(), cam).astype(int)
  for row in (90, 100, 115):
    paint = np.nonzero(img[row].min(1) > 200)[0]   # white paint
    depth = cam.focal * cam.mount_height / (row + 0.5 - cam.height / 2)
    want = cam.width / 2 - cam.focal * LANE_WIDTH / 2 / depth
    assert abs(paint[paint < cam.width // 2].mean() + 0.5 - want) < 1.5, (row, paint, want)
  seg = record_segment(3, seconds=6.0, perturb_every=0.3)
  ok = np.abs(np.diff(seg["lane"][:, 0])) < 0.2     # not across a change of the lane kept
  drift = np.diff(seg["lane"][:, 0]) * 20 / seg["speed"][:-1]
  assert np.corrcoef(seg["lane"][:-1, 1][ok], drift[ok])[0, 1] > 0.9


def test_preview_path_that_is_a_folder_gets_its_preview_png(tmp_path, monkeypatch):
    """Session 40 (a hostile-paths review): --preview-path pv/ wrote a PNG file named pv, an existing folder pv failed
    ("Is a directory") and left its 1.3 MB temp file in the working folder."""
    import data.record as rec
    fake = lambda seed, seconds: {"frames": np.full((5, 128, 256, 3), seed % 200, np.uint8), "lane": np.zeros((5, 3)), "speed": np.full(5, 20.0)}
    monkeypatch.setattr(rec, "record_segment", fake)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pv").mkdir()
    for given in ("pv", "pv2/"):
        assert rec.main(["--preview", "--preview-path", given]) == 0
        assert (tmp_path / given / "preview.png").stat().st_size > 0
    assert rec.main(["--preview", "--preview-path", "one.png"]) == 0 and (tmp_path / "one.png").is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_options_a_preview_or_a_recording_would_not_use_are_refused(tmp_path, monkeypatch, capsys):
    """Session 42 (a review of the commands' options): --preview recorded its own six 12 s segments whatever --segments,
    --seconds, --out and --workers said, and --preview-path without --preview was dropped; both ran without a word."""
    import data.record as rec
    monkeypatch.setattr(rec, "record_segment", lambda *a, **k: pytest.fail("recorded"))
    monkeypatch.chdir(tmp_path)
    for argv, said in ((["--preview", "--seconds", "2", "--segments", "1"], "--segments, --seconds not used by --preview"),
                       (["--preview", "--out", "raw", "--workers", "1"], "--out, --workers not used by --preview"),
                       (["--preview-path", "x.png", "--segments", "1"], "--preview-path not used without --preview")):
        with pytest.raises(SystemExit): rec.main(argv)
        assert said in capsys.readouterr().err
    assert not list(tmp_path.iterdir())



def test_record_lets_go_of_its_folder_when_it_returns(tmp_path, monkeypatch):
    """Session 51 (a review): record's main held --out's lock until the process exited: in a notebook, the next cell's
    ingest of that folder was refused ("pid N is still writing into this folder"), and waiting never helped."""
    import os
    import data.record as rec
    from drivegpt.nn import state
    monkeypatch.setattr(rec, "record_segments", lambda n, out, *a, **k: [])
    monkeypatch.setattr(rec, "takeover_table", lambda paths: "")
    assert rec.main(["--segments", "1", "--seconds", "0.1", "--out", str(tmp_path / "raw"), "--workers", "1"]) == 0
    assert os.path.realpath(tmp_path / "raw") not in state._LOCKS

def test_review_52_a_crash_on_the_handback_frame_is_the_humans(monkeypatch):
    """The state at frame i comes from frame i-1's command: a crash first seen on the frame the human hands back on came
    from the human's last command, and was logged as the system's crash takeover (a review; evaluate got it right)."""
    import data.record as rec
    real_obs, real_cause, n_warm = rec.Observation, rec.takeover_cause, int(round(rec.WARMUP * FPS))
    seen, judged, crash_at = [], set(), [None]
    def observe(**kw):  # each frame's observation, in order (the crash_at-th with a crash)
        seen.append(kw)
        return real_obs(**{**kw, "crashed": kw["crashed"] or len(seen) == crash_at[0]})
    def cause(limits, obs, excused):  # the frames the supervisor judges (none in the human's seconds)
        judged.add(len(seen))
        return real_cause(limits, obs, excused)
    monkeypatch.setattr(rec, "Observation", observe)
    monkeypatch.setattr(rec, "takeover_cause", cause)
    seg = record_segment(6, seconds=8.0, scenario="highway", perturb_every=0.3)
    assert len(seg["disengage_t"]) and not seg["driver"]["human_crash"]
    handback = min(k for k in judged if (k - 1 - n_warm) / FPS > seg["disengage_t"][0])   # the first frame judged after it
    assert (handback - 1 - n_warm) / FPS - seg["disengage_t"][0] >= 2.0   # (the human's 2-4 s in between)
    seen.clear(); crash_at[0] = handback
    seg = record_segment(6, seconds=8.0, scenario="highway", perturb_every=0.3)
    assert len(seg["frames"]) == handback - n_warm   # it ended there
    assert seg["driver"]["human_crash"] and "crash" not in seg["disengage_cause"].tolist(), seg["disengage_cause"]
