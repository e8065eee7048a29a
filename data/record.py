"""Record driving logs on highway-env roads with curves, written in the comma2k19 segment layout.

Each segment samples a scenario (highway, rural road or traffic jam), a road of straights and
arcs (data/road.py) with highway-env IDM traffic, a scene (weather, light, scenery: data/render.py)
and a driver with its faults and its supervisor (data/driver.py). The supervisor notices when
the logged state breaks a rule and takes over one reaction time (0.5-1.5 s) later; the human then
drives for 2-4 s. The segment folder's layout is
in data/layout.py. The run ends with a table of takeovers by cause.

    python -m data.record --segments 8 --out runs/data/raw
    python -m data.record --preview
"""

import argparse
import json
import os
import sys
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path

import numpy as np

from data.driver import WARN, Observation, idm_accel, lane_keep_steer, reaction_frames, sample_driver, severities, takeover_cause
from data.layout import DISENGAGE_CAUSES, FPS, remove_stale_temps, write_segment_files, writable_folder
from data.pose import ecef_from_geodetic, ecef_from_ned, quat_from_rot
from data.render import Camera, render_dashcam, rotation, sample_scene
from data.road import ACCEL_RANGE, CAR_LENGTH, CAR_WIDTH, LANE_WIDTH, SCENARIOS, STEER_LIMIT, car_classes, sample_road, spawn_traffic

ORIGIN_LAT, ORIGIN_LON, ORIGIN_ALT = 37.4, -122.1, 10.0  # fixed ECEF origin of the sim plane
STEER_RATIO = 15.0  # steering-wheel angle / front-wheel angle, for the CAN steering signal
AUTOPILOT_BRAKE = -3.5  # m/s^2: harder braking is the human's call
WARMUP = 2.0  # s of traffic simulated before recording, so no takeover comes from the spawn
# fault -> (how long it lasts, or waits for a car to misbehave, s; times per cycle). Most failures that make people take
# over develop over seconds (a slow drift out of the lane, a slower car ahead the autopilot does not see), so those come
# twice per cycle and the sudden ones (phantom braking, a jerk of the wheel) once; a cut-in comes once per segment, late.
FAULTS = {"drift": (8.0, 2), "distracted": (5.0, 1), "phantom_brake": (0.8, 1), "swerve": (1.0, 1), "exit": (4.0, 1),
          "tailgate": (6.0, 1), "lead_brakes": (6.0, 2), "cut_in": (8.0, 0)}


def _scenario(seed: int, scenario: str | None) -> str:
    names = list(SCENARIOS)
    return scenario if scenario is not None else names[seed % len(names)]


def body_tilt(pitch: float, roll: float, obs: Observation, dt: float) -> tuple[float, float]:
    """The body's pitch and roll (rad) after dt: it dips under braking and rolls out of curves, 0.25 s behind."""
    return pitch + (0.006 * obs.accel - pitch) * dt / 0.25, roll + (-0.005 * obs.lateral_accel - roll) * dt / 0.25


def camera_tilt(pitch: float, roll: float, s: float, bumps: tuple) -> tuple[float, float]:
    """The camera's pitch and roll: the body's and the road's bumps at arc length s (bumps: a segment's amplitude, phases)."""
    amp, ph = bumps
    bump = amp * np.array([np.sin(s / 1.3 + ph[0]) + 0.6 * np.sin(s / 4.1 + ph[1]), np.sin(s / 1.7 + ph[2]) + np.sin(s / 5.3 + ph[3])])
    return pitch + bump[0], roll + 0.5 * bump[1]


def record_segment(seed: int, seconds: float = 30.0, scenario: str | None = None, cam: Camera = Camera(),
                   perturb_every: float | None = None, vehicles: float = 1.0, progress=None) -> dict:
    """Drive one segment; returns frames, states, logged signals and takeovers as arrays (sim units)."""
    os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")  # highway-env imports pygame; 'dummy' renders black
    from highway_env.road.road import Road as SimRoad
    rng = np.random.default_rng(seed)
    scenario = _scenario(seed, scenario)
    lanes, traffic_speed, speed_range, radius, curved = SCENARIOS[scenario]
    style, limits = sample_driver(rng, speed_range)
    if perturb_every is not None:
        style.perturb_every = perturb_every
    n_lanes = int(rng.integers(lanes[0], lanes[1] + 1))
    road = sample_road(rng, 150 + (seconds + WARMUP) * 36 + 500, n_lanes, radius, curved)
    scene = sample_scene(rng, road)
    bumps = rng.uniform(0.001, 0.005), rng.uniform(0, 2 * np.pi, 4)
    sim = SimRoad(network=road.network(), np_random=np.random.RandomState(seed % 2 ** 32),
                  neighbour_vehicles_connected_lanes=True)
    ego_s, lane = 150.0, int(rng.integers(n_lanes))
    sim.vehicles = spawn_traffic(road, sim, rng, ego_s, lane, traffic_speed, vehicles)
    x, y, h, _ = road.at(ego_s, lane * LANE_WIDTH)
    speed0 = float(min(np.mean(traffic_speed), style.target_speed))
    ego = car_classes()[1](sim, np.array([x[0], y[0]]), float(h[0]), speed0)
    sim.vehicles.append(ego)
    colours = {id(v): int(rng.integers(1 << 16)) for v in sim.vehicles}

    dt = 1.0 / FPS
    n_warm, n_frames = int(round(WARMUP * FPS)), int(round(seconds * FPS))
    log = {k: [] for k in ("frames", "x", "y", "heading", "pitch", "roll", "speed", "vx", "vy", "accel", "steer", "lead", "lane")}
    events: list[tuple[float, str, float]] = []  # (t, cause, lead time)
    human_until, fault, fault_until, fault_car, fault_start = -1.0, None, -1.0, None, 0.0
    noticed = None  # (frame, cause): the supervisor saw a rule break and takes over one reaction time later
    handback, excused = False, {}  # the human drives and will hand the car back; rules broken at the handback, each with the frames since it cleared
    next_change = rng.exponential(style.lane_change_every)
    next_fault = 1.0 + rng.exponential(style.perturb_every)
    # every kind in turn; a cut-in (which may end the segment in a crash) once, late
    cycle = [f for f, (_, times) in FAULTS.items() for _ in range(times)]
    faults = list(np.concatenate([rng.permutation(cycle) for _ in range(int(seconds) // 2 + 1)]))
    if scenario == "jam":  # a jam's own hazard first: a dodge at walking pace, the one fault that turns the car past the
        faults.remove("swerve")  # heading limit before it leaves its lane (at speed the lane limit breaks first)
        faults.insert(0, "swerve")
    blinker, steer_noise, pitch, roll, warn_since, done = 0, 0.0, 0.0, 0.0, None, set()
    human = human_crash = False  # human: the last command was the human's. human_crash: the drive ended at the human's crash (on its last frame too: said in driver.json, not guessed from the length)
    prev_speed, prev_heading, prev_xy = ego.speed, ego.heading, (float(ego.position[0]), float(ego.position[1]))

    for i in range(-n_warm, n_frames):
        t = i * dt
        recording = i >= 0
        x, y, heading, speed = float(ego.position[0]), float(ego.position[1]), float(ego.heading), float(ego.speed)
        # the velocity of the motion into this frame (a backward difference, so half a frame behind comma2k19's measured,
        # instantaneous ones; nothing here reads it): highway-env's ego.velocity points along the heading, off the motion
        # by the bicycle's slip angle (up to 15 degrees in a swerve)
        vel, prev_xy = ((x - prev_xy[0]) / dt, (y - prev_xy[1]) / dt), (x, y)
        s, lat = (float(v[0]) for v in road.frenet(np.array([x]), np.array([y]), (0, road.length)))
        _, _, road_h, curv = (float(v[0]) for v in road.at(s))
        psi = float(np.angle(np.exp(1j * (heading - road_h))))
        lane_y = lane * LANE_WIDTH
        others = [v for v in sim.vehicles if v is not ego]
        lead, clearance = _lead(road, ego, others, s, lat, speed * np.cos(psi), lane_y)
        if scenario == "jam" and i % FPS == 0:  # stop-and-go waves travel back through the queue
            so = road.frenet(*np.array([v.position for v in others]).T, (s - 300, s + 900))[0] if others else []
            for v, sv in zip(others, so):
                if v is not fault_car:
                    v.target_speed = traffic_speed[1] * float(np.clip(0.45 + 0.8 * np.sin(2 * np.pi * (t / 25 + sv / 400)), 0, 1))
        edge = min(lat + LANE_WIDTH / 2, LANE_WIDTH * (n_lanes - 0.5) - lat)
        obs = Observation(speed=speed, accel=(speed - prev_speed) / dt, lateral_accel=speed * (heading - prev_heading) / dt,
                          lane_offset=lat - lane_y, heading_error=psi, road_margin=edge, blinker=blinker,
                          gap=lead[1] if lead[0] else None, closing=lead[2], clearance=clearance, crashed=bool(ego.crashed))
        prev_speed, prev_heading = speed, heading

        if recording:
            pitch, roll = body_tilt(pitch, roll, obs, dt)
            cam_pitch, cam_roll = camera_tilt(pitch, roll, s, bumps)
            cars = [(float(v.position[0]), float(v.position[1]), float(v.heading), colours[id(v)]) for v in others]
            log["frames"].append(render_dashcam((x, y, heading, cam_pitch, cam_roll), cars, road, scene, cam, rng=rng))
            for k, val in (("x", x), ("y", y), ("heading", heading), ("pitch", cam_pitch), ("roll", cam_roll), ("speed", speed),
                           ("vx", vel[0]), ("vy", vel[1])):
                log[k].append(val)
            log["lead"].append(lead)
            log["lane"].append([obs.lane_offset, psi, curv, edge, blinker])

            # a rule still broken when the human hands the car back is the human's doing: it does not count until it
            # clears (it was charged to the system as a takeover one reaction time later: 3 of 13 in a sample). The
            # human's time stays 2-4 s, the span the RL stage leaves out of the system's driving
            # (cleared: below its limit for a reaction time; a stopped car's time-to-collision flickers with the lead
            # car's jitter, and one frame below it ended the excuse: the human's stop was charged to the system)
            sev = severities(limits, obs)
            if handback and t >= human_until:
                excused, handback = {c: 0 for c, v in sev.items() if v >= 1 and c != "crash"}, False
            excused = {c: 0 if sev[c] >= 1 else k + 1 for c, k in excused.items() if k < reaction_frames(limits, FPS)}
            # the supervisor judges what happened: it notices a broken rule and takes over a reaction time later
            if t >= human_until and not (obs.crashed and human):  # (a crash on the handback frame is the human's last command's)
                cause, severity = takeover_cause(limits, obs, frozenset(excused))
                if noticed is None:
                    warn_since = (warn_since if warn_since is not None else t) if severity >= WARN else None
                    noticed = (i, cause) if cause is not None else None
                due = noticed is not None and i >= noticed[0] + reaction_frames(limits, FPS)
                take = "crash" if cause == "crash" else noticed[1] if due else None
                if take is not None:
                    events.append((t, take, t - warn_since))
                    human_until, fault, warn_since, noticed, handback = t + rng.uniform(2.0, 4.0), None, None, None, True
                    next_fault = human_until + rng.exponential(style.perturb_every)
                    if fault_car is not None:
                        fault_car.target_speed, fault_car = float(np.mean(traffic_speed)), None
                    lane = int(np.clip(np.round(lat / LANE_WIDTH), 0, n_lanes - 1))
                    blinker = 0
                    if take == "crash":
                        break
            elif obs.crashed:  # the human crashed (a hazard the system left too late): the drive ends, no takeover
                human_crash = True
                break

        # the scripted driver (or, after a takeover, the human) picks the next command
        human = t < human_until
        if blinker and abs(lat - lane * LANE_WIDTH) < 0.3:
            blinker = 0
        if recording and not human and fault is None and t >= next_change and not blinker:
            next_change = t + rng.exponential(style.lane_change_every)
            choice = lane + int(rng.choice([-1, 1]))
            if 0 <= choice < n_lanes and _lane_is_free(road, others, s, choice):
                lane, blinker = choice, choice - lane
        if recording and not human and fault is None and t >= next_fault and scenario == "jam" and faults[0] == "swerve" \
                and not 1.5 < speed < 6 and t < seconds / 2:
            next_fault = t + 0.5  # the jam's dodge waits for walking pace (in the first half of the segment)
        if recording and not human and fault is None and t >= next_fault:
            # tailgating needs a car close ahead, a swerve the car moving (in a jam: at walking pace, dodging
            # something): else the next fault goes first
            slow_enough = speed < 6 if scenario == "jam" else True
            if (faults[0] == "tailgate" and not (lead[0] and lead[1] < 30)) or (faults[0] == "swerve" and not (1.5 < speed and slow_enough)):
                faults[0], faults[1] = faults[1], faults[0]
            if t >= 0.75 * seconds and "cut_in" not in done:
                faults.insert(0, "cut_in")
            fault = str(faults.pop(0))
            done.add(fault)
            fault_until, fault_start = t + FAULTS[fault][0], t
            sign, size = float(rng.choice([-1, 1])), rng.uniform(0.6, 1.0)
            next_fault = fault_until + rng.exponential(style.perturb_every)
            if fault == "exit":  # a lane change towards a lane that is not there (an exit the map lacks)
                side = -1 if lane == 0 else 1 if lane == n_lanes - 1 else sign
                lane, blinker = lane + int(side), int(side)
        if fault in ("lead_brakes", "cut_in"):
            fault_car = _traffic_fault(fault, fault_car, road, others, s, lat, lane, speed)
        if fault is not None and t >= fault_until:
            if fault_car is not None:
                fault_car.target_speed, fault_car = float(np.mean(traffic_speed)), None
            if fault == "exit":
                lane = int(np.clip(lane, 0, n_lanes - 1))
            fault = None
        lane_y = lane * LANE_WIDTH
        ahead = road.at(np.linspace(s, s + 3 * speed + 20, 6))[3]
        target = min(style.target_speed, np.sqrt(style.curve_accel / max(np.abs(ahead).max(), 1e-4)))
        gap, closing = (lead[1], lead[2]) if lead[0] else (None, 0.0)
        steer_noise = 0.9 * steer_noise + style.steer_noise * rng.standard_normal()  # slow wander
        if human:  # calm and attentive: back to the lane centre, a long gap, brakes as hard as needed
            accel = max(idm_accel(speed, min(speed + 1, target), 2.0, gap, closing), -6.0)
            steer = lane_keep_steer(lat - lane_y, psi, curv, speed)
        else:
            if fault == "tailgate":  # creeps up to a 0.3 s gap behind the car ahead
                accel = 1.5 if gap is None else min(0.3 * (gap - 0.3 * speed) - 1.2 * closing, 1.5)
            elif fault == "lead_brakes":  # the autopilot does not see the slowing car ahead: it cruises on
                accel = idm_accel(speed, target, style.headway, None, 0.0)
            else:
                accel = idm_accel(speed, target, style.headway, gap, closing)
            accel = max(accel + 0.1 * rng.standard_normal(), AUTOPILOT_BRAKE)  # noisy, but never past its brake limit
            steer = lane_keep_steer(lat - lane_y, psi, curv, speed) + steer_noise
            if fault == "drift":  # the lane keeping follows a wrong lane centre that slides sideways at 0.3-0.5 m/s
                slide = sign * 0.5 * size * (t - fault_start)
                steer = lane_keep_steer(lat - lane_y - slide, psi, curv, speed) + steer_noise
            elif fault == "distracted":  # not watching: foot on the gas, no slowing for curves
                accel = 1.5
                steer = lane_keep_steer(lat - lane_y, psi, 0.0, speed) + 0.7 * np.arctan(curv * CAR_LENGTH)
            elif fault == "phantom_brake":
                accel = -5.0 - 2.0 * size
            elif fault == "swerve":  # a jerk of the wheel: 2-3 m/s^2 sideways (full lock when slow)
                steer = sign * np.arctan(CAR_LENGTH * 3.0 * size / max(speed, 1.0) ** 2)
        accel = float(np.clip(max(accel, -speed / dt), *ACCEL_RANGE))  # stop, never reverse
        steer = float(np.clip(steer, -STEER_LIMIT, STEER_LIMIT))
        if recording:
            log["accel"].append(accel)
            log["steer"].append(steer)
            if progress is not None:
                progress.update(1)
        ego.act({"acceleration": accel, "steering": steer})
        for v in others:
            v.act()
        sim.step(dt)
        if i % FPS == 0 and others:  # cars far behind cost time and are never seen again
            so = road.frenet(*np.array([v.position for v in others]).T, (s - 300, s + 900))[0]
            sim.vehicles = [v for v, sv in zip(others, so) if sv - s > -250 or v is fault_car] + [ego]

    out = {k: np.array(v, np.uint8 if k == "frames" else np.float64) for k, v in log.items()}
    n = len(out["frames"])
    for k in ("accel", "steer"):  # a crash ends the segment before that frame's command
        out[k] = np.concatenate([out[k], np.zeros(n - len(out[k]))])
    out["t"] = np.arange(n) * dt
    out["disengage_t"] = np.array([e[0] for e in events], np.float64)
    out["disengage_cause"] = np.array([e[1] for e in events], dtype="<U16")
    out["disengage_lead"] = np.array([e[2] for e in events], np.float64)
    out["driver"] = {"seed": seed, "seconds": seconds, "human_crash": human_crash, "scenario": scenario, "lanes": n_lanes, "style": asdict(style),
                     "thresholds": asdict(limits), "road": {"lengths": road.lengths.tolist(), "curvatures": road.curvatures.tolist()},
                     "scene": {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in asdict(scene).items()
                               if k not in ("trees", "poles")}}
    return out


def _lead(road, ego, others: list, s: float, lat: float, v_along: float, lane_y: float) -> tuple[list, float]:
    """[present, bumper gap, closing speed, clearance] for the nearest car ahead in our path, and the clearance to any car."""
    if not others:
        return [0.0, 0.0, 0.0, 99.0], 99.0
    pos = np.array([v.position for v in others])
    so, lo = road.frenet(pos[:, 0], pos[:, 1], (s - 300, s + 900))
    ho, h = road.at(so)[2], road.at(s)[2][0]
    # the distance along the path between the two cars (lane 0's arc length s shrinks by lat x curvature off its centre:
    # a gap in lane 1 of a 90 m curve read 4% long or short, and so did the time gap and TTC the supervisor judged)
    ds, dl = (so - s) - (lat + lo) / 2 * (ho - h), lo - lat
    # half-extents of each box along and across the road, turned by its angle to the road
    ang = np.array([v.heading for v in others]) - ho
    psi = ego.heading - h
    along = CAR_LENGTH / 2 * (np.abs(np.cos(ang)) + abs(np.cos(psi))) + CAR_WIDTH / 2 * (np.abs(np.sin(ang)) + abs(np.sin(psi)))
    across = CAR_LENGTH / 2 * (np.abs(np.sin(ang)) + abs(np.sin(psi))) + CAR_WIDTH / 2 * (np.abs(np.cos(ang)) + abs(np.cos(psi)))
    gx, gy = np.abs(ds) - along, np.abs(dl) - across
    clear = np.where((gx > 0) & (gy > 0), np.hypot(gx, gy), np.maximum(gx, gy))
    clearance = float(min(clear.min(), 99.0))
    in_path = ((np.abs(dl) < CAR_WIDTH + 0.2) | (np.abs(lo - lane_y) < CAR_WIDTH + 0.2)) & (ds > CAR_LENGTH)
    if not in_path.any():
        return [0.0, 0.0, 0.0, clearance], clearance
    j = int(np.argmin(np.where(in_path, ds, np.inf)))
    road_h = road.at(so[j])[2][0]
    closing = v_along - others[j].speed * np.cos(others[j].heading - road_h)
    return [1.0, float(ds[j] - CAR_LENGTH), float(closing), clearance], clearance


def _lane_is_free(road, others: list, s: float, lane: int) -> bool:
    """No car within 15 m ahead or 10 m behind in the target lane."""
    if not others:
        return True
    pos = np.array([v.position for v in others])
    so, lo = road.frenet(pos[:, 0], pos[:, 1], (s - 300, s + 900))
    return not ((np.abs(lo - lane * LANE_WIDTH) < LANE_WIDTH / 2 + 1) & (so - s > -10) & (so - s < 15)).any()


def _traffic_fault(fault: str, car, road, others: list, s: float, lat: float, lane: int, speed: float):
    """Make a traffic car misbehave, called each frame of the fault: the lead slows down at 3-5 m/s^2, or a car
    in the next lane draws level and then cuts into ours without looking. Returns the car (None while none fits)."""
    if not others or fault not in ("lead_brakes", "cut_in"):
        return None
    pos = np.array([v.position for v in others])
    so, lo = road.frenet(pos[:, 0], pos[:, 1], (s - 300, s + 900))
    ds, dl = so - s, lo - lat
    if fault == "lead_brakes":
        if car is None:
            ahead = (np.abs(dl) < 2.0) & (ds > CAR_LENGTH) & (ds < 50)
            if not ahead.any():
                return None
            car = others[int(np.argmin(np.where(ahead, ds, np.inf)))]
        car.target_speed = car.speed * (1 - 2.0 / 12)  # IDM's 3 (1 - (v / v0)^4) at v / v0 = 1.2: -3.2 m/s^2, and more behind its own lead (measured 3.2-4.8)
        return car
    if car is None:
        beside = (np.abs(np.abs(dl) - LANE_WIDTH) < 1.2) & (np.abs(ds) < 80)
        if not beside.any():
            return None
        car = others[int(np.argmin(np.where(beside, np.abs(ds), np.inf)))]
    j = others.index(car) if car in others else None
    if j is None:
        return car
    if abs(ds[j]) > 4.5:  # draw level first
        car.target_speed = speed - float(np.clip(0.5 * ds[j], -8, 8))
    else:
        p = int(np.searchsorted(road.starts, so[j], side="right") - 1)
        car.target_lane_index, car.target_speed = (str(p), str(p + 1), lane), speed  # blind spot unchecked
    return car


def write_segment(seg: dict, out: Path) -> None:
    """Write a recorded segment in the comma2k19 layout (data/layout.py): the sim plane as north-east-down."""
    origin = ecef_from_geodetic(ORIGIN_LAT, ORIGIN_LON, ORIGIN_ALT)
    ned = ecef_from_ned(ORIGIN_LAT, ORIGIN_LON)  # (3, 3) north-east-down -> ECEF
    n = len(seg["t"])
    local = np.stack([seg["x"], seg["y"], np.zeros(n)], 1)  # (N, 3) sim plane as NED
    cam_to_ned = np.stack([rotation(h, p, r) for h, p, r in zip(seg["heading"], seg["pitch"], seg["roll"])]) if n else np.zeros((0, 3, 3))
    signals = {"speed": seg["speed"][:, None], "steering": -np.degrees(seg["steer"]) * STEER_RATIO,
               "action": np.stack([seg["accel"], -seg["steer"]], 1),  # sim steers + = right
               "lead": seg["lead"].reshape(n, 4), "lane": seg["lane"].reshape(n, 5)}
    disengage = {"t": seg["disengage_t"], "cause": seg["disengage_cause"], "lead_time": seg["disengage_lead"]}
    write_segment_files(out, seg["t"], origin + local @ ned.T, np.stack([seg["vx"], seg["vy"], np.zeros(n)], 1) @ ned.T,
                        quat_from_rot(ned @ cam_to_ned), signals, disengage, seg["driver"], seg["frames"])


def record_segments(n: int, out_dir: str | Path, seconds: float = 30.0, seed: int = 0, progress: bool = True,
                    workers: int = 1) -> list[Path]:
    """Record n segments into out_dir/highway-seed<seed>/<k>/ and return their folders; existing ones are kept.
    With workers > 1 the segments are recorded by that many processes; each segment depends only on its seed, so the
    files are the same either way."""
    from tqdm import tqdm
    route = Path(out_dir) / f"highway-seed{seed}"
    remove_stale_temps(route)  # what a killed run left behind
    paths = [route / str(k) for k in range(n)]
    # each segment names its drive in driver.json, so ingest gives it the same route from any folder level
    jobs = [(seed * 100003 + k, seconds, path, f"highway-seed{seed}/{k}") for k, path in enumerate(paths) if not path.exists()]
    per_segment = int(round(seconds * FPS))
    for path in paths:  # a segment kept from a run with other --seconds (its faults and cut-ins are timed by them) would mix in
        if path.exists() and (got := _recorded_seconds(path)) != seconds:
            raise ValueError(f"{path}: recorded for {got:g} s, now asked for {seconds:g} s: use another --out (or the --seconds "
                             "it was recorded with)")
    bar = tqdm(total=n * per_segment, initial=(n - len(jobs)) * per_segment, unit="frame", desc="record", disable=not progress)
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            _record_job(job, bar)
    else:
        import multiprocessing
        from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
        from concurrent.futures.process import BrokenProcessPool
        ctx = multiprocessing.get_context("spawn")
        frames = ctx.Value("l", 0)  # frames recorded by all workers, for the progress bar
        # a pool of futures, not multiprocessing.Pool: a worker that dies (killed, out of memory) breaks the pool and
        # every job says so; Pool.map waited for its task forever (the bar froze, nothing said)
        pool, finished = ProcessPoolExecutor(min(workers, len(jobs)), mp_context=ctx, initializer=_init_worker, initargs=(frames,)), False
        try:
            futures, start = [pool.submit(_record_job, job) for job in jobs], bar.n
            while wait(futures, timeout=0.5, return_when=FIRST_EXCEPTION).not_done:
                bar.update(start + frames.value - bar.n)
                if any(f.done() and f.exception() for f in futures): break
            bar.update(start + frames.value - bar.n)
            for f in sorted(futures, key=lambda f: not (f.done() and f.exception())): f.result()  # a worker's error, at once
            finished = True
        except BrokenProcessPool:
            raise RuntimeError(f"a recording worker died (killed, or out of memory); the segments recorded are kept in {route}: "
                               "run the same command again to record the others") from None
        finally:  # an error or Ctrl-C: no segment starts after it, and the workers end now (they went on with the queue, and
            procs = [] if finished else list((getattr(pool, "_processes", None) or {}).values())  # a second Ctrl-C hung
            pool.shutdown(wait=finished, cancel_futures=not finished)                             # in the executor's join)
            for proc in procs:
                if proc.is_alive(): proc.terminate()
    bar.close()
    return paths


_FRAMES = None  # in a worker: the shared frame counter


class _Counter:
    def update(self, k: int) -> None:
        with _FRAMES.get_lock():
            _FRAMES.value += k


def _recorded_seconds(path: Path) -> float:
    """The --seconds a kept segment was recorded for: its driver.json says (a crash ends a drive early, so its frames may be
    fewer); a segment from before that key, by its frame count (a crash-shortened one then can't be told apart: named)."""
    try:  # (a damaged one said "cannot write" about the output folder, or a JSON error naming no file; one without its video passed)
        if missing := [f for f in ("driver.json", "video.hevc", "global_pose/frame_times") if not (path / f).is_file()]:
            raise ValueError(f"{missing[0]} is missing")
        asked = json.loads((path / "driver.json").read_text()).get("seconds")
        return float(asked) if asked is not None else len(np.load(path / "global_pose" / "frame_times")) / FPS
    except (OSError, ValueError, AttributeError) as e:
        raise ValueError(f"{path}: a kept segment that is damaged ({e}): delete its folder to record it again") from None


def _record_job(job: tuple, bar=None) -> None:
    seed, seconds, path, route = job
    seg = record_segment(seed, seconds, progress=bar if bar is not None else _Counter())
    seg["driver"]["route"] = route
    write_segment(seg, path)


def _init_worker(frames) -> None:
    """Keep the shared frame counter; end this worker when the recording process is killed, so a re-run never races
    an orphan (Linux's PR_SET_PDEATHSIG)."""
    import ctypes, signal
    global _FRAMES
    _FRAMES = frames
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def takeover_table(paths: list[Path]) -> str:
    """A table of the takeovers in recorded segment folders, by cause: count and mean lead time."""
    counts, leads, total_s = Counter(), {c: [] for c in DISENGAGE_CAUSES}, 0.0
    for p in paths:
        causes, lead = np.load(p / "disengage/cause"), np.load(p / "disengage/lead_time")
        counts.update(causes.tolist())
        for c, l in zip(causes, lead):
            leads[str(c)].append(float(l))
        total_s += len(np.load(p / "global_pose/frame_times")) / FPS
    lines = [f"takeovers by cause ({len(paths)} segments, {total_s:.0f} s):", f"{'cause':<16}{'count':>6}{'mean lead s':>13}"]
    for c in DISENGAGE_CAUSES:
        lines.append(f"{c:<16}{counts[c]:>6}{np.mean(leads[c]) if leads[c] else float('nan'):>13.2f}")
    lines.append(f"{'total':<16}{sum(counts.values()):>6}")
    return "\n".join(lines)


def contact_sheet(frames: np.ndarray, cols: int = 4, pad: int = 4) -> np.ndarray:
    """Tile frames (N, H, W, 3) into one image, `cols` per row."""
    n, h, w, _ = frames.shape
    rows = -(-n // cols)
    sheet = np.full((rows * (h + pad) + pad, cols * (w + pad) + pad, 3), 255, np.uint8)
    for i, frame in enumerate(frames):
        r, c = divmod(i, cols)
        sheet[pad + r * (h + pad): pad + r * (h + pad) + h, pad + c * (w + pad): pad + c * (w + pad) + w] = frame
    return sheet


def main(argv: list[str] | None = None) -> int:
    from drivegpt.cli import HelpFormatter, at_least, json_line, path_arg  # here, not at the top: the recording processes need no engine
    parser = argparse.ArgumentParser(prog="drivegpt record", description=__doc__.split("\n\n")[0],
                                     formatter_class=HelpFormatter)
    # (defaults filled in after parsing: --preview records its own six 12 s segments, and an option it would not use is refused)
    recording = dict(segments=4, out=Path("runs/data/raw"), seconds=30.0, workers=os.cpu_count() or 1)
    parser.add_argument("--segments", type=int, help=f"number of segments to record (default: {recording['segments']})")
    parser.add_argument("--out", type=lambda t: Path(path_arg(t)), help=f"output folder (default: {recording['out']})")
    parser.add_argument("--seconds", type=at_least(1 / FPS),
                        help=f"length of each segment (at least one frame, 1/{FPS} s; default: {recording['seconds']})")
    parser.add_argument("--seed", type=at_least(0, int), default=0, help="random seed (roads, scenes, drivers, traffic, noise)")
    parser.add_argument("--workers", type=int, help="processes recording segments at once (default: the CPU count)")
    parser.add_argument("--preview", action="store_true", help="only write a PNG contact sheet of frames (six 12 s segments of --seed)")
    parser.add_argument("--preview-path", type=lambda t: Path(path_arg(t)) / ("preview.png" if t.endswith("/") or Path(path_arg(t)).is_dir() else ""),
                        help="where --preview writes (a folder: its preview.png; default: data/preview.png)")  # (pv/ wrote a file pv, a folder pv failed leaving a temp file)
    args = parser.parse_args(argv)
    unused = [f"--{k}" for k in recording if getattr(args, k) is not None] if args.preview else ["--preview-path"] if args.preview_path else []
    if unused:  # (ignored without a word: a preview "of 1 segment of 2 s" recorded six of 12 s, and --out was never made)
        parser.error(f"{', '.join(unused)} not used {'by --preview (it records six 12 s segments of --seed)' if args.preview else 'without --preview'}")
    args.preview_path = args.preview_path or Path("data/preview.png")
    for k, v in recording.items(): setattr(args, k, v if getattr(args, k) is None else getattr(args, k))
    if args.segments < 1 or args.workers < 1:
        parser.error("--segments and --workers must be positive")
    if args.preview:
        from PIL import Image
        try:  # before the minute of recording (a folder on the path that is a file was found after it)
            args.preview_path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            parser.error(f"--preview-path {args.preview_path}: can't write there ({e.strerror or e})")
        frames, curved, speeds = [], 0, []
        for k in range(6):  # six segments (two of each scenario), four moments each
            seg = record_segment(args.seed * 100003 + k, seconds=12.0)
            frames.append(seg["frames"][np.linspace(0, len(seg["frames"]) - 1, 4).astype(int)])
            curved += int((np.abs(seg["lane"][:, 2]) > 1e-4).sum())
            speeds.append(seg["speed"])
        sheet = contact_sheet(np.concatenate(frames))
        tmp = args.preview_path.with_name(f".{args.preview_path.name}.tmp")
        try:
            Image.fromarray(sheet).save(tmp, format="PNG")
            tmp.replace(args.preview_path)
        except OSError as e:  # (a full disk: "[Errno 28] No space left on device" named no file)
            raise OSError(e.errno, f"{args.preview_path}: can't write it ({e.strerror or e})") from None
        finally:
            tmp.unlink(missing_ok=True)  # (a failed rename left it)
        speeds = np.concatenate(speeds)
        print(f"wrote {args.preview_path}: {curved / len(speeds):.0%} of frames on curves, speeds {speeds.min():.1f}-{speeds.max():.1f} m/s", file=sys.stderr)
        print(json_line({"preview": str(args.preview_path), "curved_frames": round(curved / len(speeds), 4),
                         "speed_min": round(float(speeds.min()), 2), "speed_max": round(float(speeds.max()), 2)}))  # (stdout: the JSON line alone)
        return 0
    t0 = time.perf_counter()
    from drivegpt.nn.state import holding
    try:
        writable_folder(args.out, OSError)  # (a read-only one was found after every segment was recorded)
        # one record at a time: a second one into this folder recorded the same segments again and failed late, renaming
        # onto the first's; let go at the end (held until the process exited, an ingest in a notebook's next cell was refused)
        with holding(args.out): paths = record_segments(args.segments, args.out, args.seconds, args.seed, workers=args.workers)
    except OSError as e:
        print(f"drivegpt record: error: {args.out}: cannot write ({e.strerror or e})" if e.strerror else f"drivegpt record: error: {e}", file=sys.stderr)
        return 1
    except ValueError as e:
        print(f"drivegpt record: error: {e}", file=sys.stderr)
        return 2
    except RuntimeError as e:  # a worker died
        print(f"drivegpt record: error: {e}", file=sys.stderr)
        return 1
    print(f"wrote {len(paths)} segments under {args.out}", file=sys.stderr)  # (stdout holds the JSON line alone)
    print(takeover_table(paths), file=sys.stderr)
    frames = sum(len(np.load(p / "global_pose/frame_times")) for p in paths)
    takeovers = sum(len(np.load(p / "disengage/t")) for p in paths)
    print(json_line({"segments": len(paths), "frames": frames, "takeovers": takeovers, "out": str(args.out),
                      "wall_seconds": round(time.perf_counter() - t0, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
