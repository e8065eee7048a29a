"""Record driving logs on highway-env, written in the comma2k19 segment layout.

A scripted driver (lane keeping, car following, occasional lane changes, noise and
perturbations) drives the ego car of highway-env's `highway-v0`; the other traffic is
highway-env's own. A disengagement supervisor plays the human and takes over when the
driving gets unsafe. Each frame is a forward-facing dashcam view rendered from the
simulator state with a pinhole camera (128x256 at 20 Hz by default).

Each segment folder holds (numpy files without an extension, as in comma2k19):
    video.hevc                                   HEVC, 20 fps, WxH = 256x128
    global_pose/frame_times                      (N,) float64 seconds
    global_pose/frame_positions                  (N, 3) float64 ECEF metres
    global_pose/frame_velocities                 (N, 3) float64 ECEF m/s
    global_pose/frame_orientations               (N, 4) float64 quaternion [w, x, y, z],
                                                 camera [forward, right, down] -> ECEF
    processed_log/CAN/speed/{t,value}            (N,), (N, 1) m/s
    processed_log/CAN/steering_angle/{t,value}   (N,), (N,) steering-wheel degrees, + = left
    action/{t,value}                             (N,), (N, 2) [acceleration m/s^2,
                                                 front-wheel angle rad, + = left]
    disengage/{t,cause}                          (K,) float64, (K,) str: takeover time, cause
    driver.json                                  the driver's style and supervisor thresholds

The simulator's plane (x along the road, y to the right, heading clockwise from above) is
taken as north-east-down at a fixed ECEF origin, so the poses follow comma2k19's conventions.

    python -m data.record --segments 4 --out runs/data/raw
    python -m data.record --preview
"""

import argparse
import itertools
import json
import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from data.pose import ecef_from_geodetic, ecef_from_ned, quat_from_rot

FPS = 20
HEIGHT, WIDTH = 128, 256
ORIGIN_LAT, ORIGIN_LON, ORIGIN_ALT = 37.4, -122.1, 10.0  # fixed ECEF origin of the sim plane
STEER_RATIO = 15.0  # steering-wheel angle / front-wheel angle, for the CAN steering signal
ACCEL_RANGE = (-8.0, 5.0)  # m/s^2 the ego car can be asked for
STEER_LIMIT = 0.5  # rad, front-wheel angle
LANE_WIDTH = 4.0  # highway-env's StraightLane.DEFAULT_WIDTH
CAR_LENGTH, CAR_WIDTH, CAR_HEIGHT = 5.0, 2.0, 1.5
DISENGAGE_CAUSES = ("ttc", "time_gap", "lane_departure", "heading", "hard_brake",
                    "lateral_accel", "crash", "off_road")

# ----------------------------------------------------------------------------- camera


@dataclass
class Camera:
    """Pinhole dashcam: focal length in pixels, mounting height and offset from the car centre."""
    height: int = HEIGHT
    width: int = WIDTH
    focal: float = 0.78 * WIDTH  # ~65 deg horizontal field of view, like comma's road camera
    mount_height: float = 1.25  # metres above the road
    mount_forward: float = 0.8  # metres ahead of the car centre


SKY_TOP = np.array([96, 140, 205], np.float32)
SKY_HORIZON = np.array([196, 212, 228], np.float32)
HAZE = np.array([178, 190, 200], np.float32)
ASPHALT = np.array([92, 92, 96], np.float32)
SHOULDER = np.array([120, 116, 108], np.float32)
GRASS = np.array([76, 112, 52], np.float32)
PAINT = np.array([232, 232, 224], np.float32)
HOOD = np.array([38, 42, 52], np.float32)
CAR_COLOURS = np.array([[180, 30, 30], [30, 60, 160], [200, 200, 205], [40, 40, 44], [150, 150, 155],
                        [20, 110, 70], [210, 170, 40], [120, 80, 50]], np.float32)


def _ground_rays(cam: Camera, scale: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Forward and rightward ground distance of each pixel below the horizon, at `scale`x size."""
    h, w, f = cam.height * scale, cam.width * scale, cam.focal * scale
    horizon = h // 2
    v = np.arange(horizon, h, dtype=np.float32)[:, None] + 0.5 - h / 2  # rows below horizon
    u = np.arange(w, dtype=np.float32)[None, :] + 0.5 - w / 2
    forward = cam.mount_height * f / v  # (h/2, 1)
    right = forward * u / f  # (h/2, w)
    return np.broadcast_to(forward, right.shape), right, horizon


def _fill_convex(img: np.ndarray, pts: np.ndarray, colour: np.ndarray) -> None:
    """Paint the convex polygon with pixel corners `pts` (K, 2) as (u, v) into img (H, W, 3)."""
    h, w = img.shape[:2]
    u0, v0 = np.floor(pts.min(0)).astype(int)
    u1, v1 = np.ceil(pts.max(0)).astype(int)
    u0, v0, u1, v1 = max(u0, 0), max(v0, 0), min(u1, w), min(v1, h)
    if u0 >= u1 or v0 >= v1:
        return
    uu, vv = np.meshgrid(np.arange(u0, u1) + 0.5, np.arange(v0, v1) + 0.5)
    a, b = pts, np.roll(pts, -1, axis=0)
    cross = (b[:, 0, None, None] - a[:, 0, None, None]) * (vv - a[:, 1, None, None]) - \
            (b[:, 1, None, None] - a[:, 1, None, None]) * (uu - a[:, 0, None, None])  # (K, h, w)
    inside = (cross >= 0).all(0) | (cross <= 0).all(0)
    img[v0:v1, u0:u1][inside] = colour


# unit box corners (x forward, y right, z down) and its faces as corner indices, outward normals
_BOX = np.array([[x, y, z] for x in (-.5, .5) for y in (-.5, .5) for z in (0, -1)], np.float32)
_FACES = [((4, 5, 7, 6), (1, 0, 0), 0.75), ((0, 2, 3, 1), (-1, 0, 0), 0.7),  # front, rear
          ((2, 6, 7, 3), (0, 1, 0), 0.55), ((0, 1, 5, 4), (0, -1, 0), 0.55),  # right, left
          ((1, 3, 7, 5), (0, 0, -1), 1.0)]  # top


def render_dashcam(ego: tuple[float, float, float], others: list[tuple[float, float, float, int]],
                   lanes_count: int, cam: Camera = Camera(), scale: int = 2) -> np.ndarray:
    """Dashcam frame (H, W, 3) uint8 from ego (x, y, heading) and other cars (x, y, heading, colour)."""
    ex, ey, eh = ego
    fwd = np.array([np.cos(eh), np.sin(eh)])
    right = np.array([-np.sin(eh), np.cos(eh)])
    cx, cy = np.array([ex, ey]) + cam.mount_forward * fwd
    h, w, f = cam.height * scale, cam.width * scale, cam.focal * scale
    img = np.empty((h, w, 3), np.float32)

    # sky: a vertical gradient down to the horizon
    gd, gr, horizon = _ground_rays(cam, scale)
    t = np.linspace(0, 1, horizon, dtype=np.float32)[:, None, None]
    img[:horizon] = SKY_TOP * (1 - t) + SKY_HORIZON * t

    # ground: cast each pixel's ray onto the road plane and colour by where it lands
    gx = cx + gd * fwd[0] + gr * right[0]  # (h/2, w) world x
    gy = cy + gd * fwd[1] + gr * right[1]  # world y
    road_left, road_right = -LANE_WIDTH / 2, LANE_WIDTH * (lanes_count - 0.5)
    ground = np.where(((gy > road_left - 1.5) & (gy < road_right + 1.5))[..., None], SHOULDER,
                      GRASS * (0.85 + 0.15 * np.sin(gx * 0.35)[..., None]))  # mowing bands
    on_road = (gy > road_left) & (gy < road_right)
    ground = np.where(on_road[..., None], ASPHALT * (0.96 + 0.04 * np.sin(gx * 1.7 + gy)[..., None]), ground)
    line_y = gy - road_left  # lines every LANE_WIDTH from the left road edge
    k = np.round(line_y / LANE_WIDTH)
    near_line = np.abs(line_y - k * LANE_WIDTH) < 0.08 + 0.004 * gd  # widen far away against aliasing
    edge = (k == 0) | (k == lanes_count)
    dashed = (k > 0) & (k < lanes_count) & (np.mod(gx, 9.0) < 3.0)  # 3 m dashes every 9 m
    ground = np.where((near_line & (edge | dashed))[..., None], PAINT, ground)
    fog = (1 - np.exp(-gd / 180.0))[..., None]
    img[horizon:] = ground * (1 - fog) + HAZE * fog

    # other cars as shaded boxes, painted far to near
    def project(p: np.ndarray) -> np.ndarray:  # (K, 3) world (x, y, z down) -> (K, 2) pixels, or empty
        rel = p[:, :2] - np.array([cx, cy])
        depth, lat = rel @ fwd, rel @ right
        down = p[:, 2] + cam.mount_height
        if (depth < 0.5).any():
            return np.empty((0, 2))
        return np.stack([w / 2 + f * lat / depth, h / 2 + f * down / depth], 1)

    cars = sorted(others, key=lambda c: -((c[0] - cx) * fwd[0] + (c[1] - cy) * fwd[1]))
    for ox, oy, oh, colour_id in cars:
        depth = (ox - cx) * fwd[0] + (oy - cy) * fwd[1]
        if depth < 1.0 or depth > 250:
            continue
        c, s = np.cos(oh), np.sin(oh)
        rot = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])
        corners = (_BOX * [CAR_LENGTH, CAR_WIDTH, CAR_HEIGHT]) @ rot.T + [ox, oy, 0]  # (8, 3)
        fog = 1 - np.exp(-depth / 180.0)
        shadow = project(np.array([[ox - 2.8 * c + 1.2 * s, oy - 2.8 * s - 1.2 * c, 0], [ox + 2.8 * c + 1.2 * s, oy + 2.8 * s - 1.2 * c, 0],
                                   [ox + 2.8 * c - 1.2 * s, oy + 2.8 * s + 1.2 * c, 0], [ox - 2.8 * c - 1.2 * s, oy - 2.8 * s + 1.2 * c, 0]]))
        if len(shadow):
            _fill_convex(img, shadow, ASPHALT * 0.45 * (1 - fog) + HAZE * fog)
        base = CAR_COLOURS[colour_id % len(CAR_COLOURS)]
        for idx, normal, shade in _FACES:
            centre = corners[list(idx)].mean(0)
            if (rot @ normal)[:2] @ (centre[:2] - [cx, cy]) + normal[2] * (centre[2] + cam.mount_height) >= 0:
                continue  # faces away from the camera
            pts = project(corners[list(idx)])
            if len(pts):
                _fill_convex(img, pts, (base * shade) * (1 - fog) + HAZE * fog)
        # rear window and tail lights, on the rear face if it is visible
        if (rot @ (-1, 0, 0))[:2] @ (corners[[0, 1, 2, 3]].mean(0)[:2] - [cx, cy]) < 0:
            rear = corners[[0, 2, 3, 1]]  # bottom-left, bottom-right, top-right, top-left
            up, across = rear[3] - rear[0], rear[1] - rear[0]
            window = np.array([rear[0] + 0.6 * up + 0.12 * across, rear[0] + 0.6 * up + 0.88 * across,
                               rear[0] + 0.92 * up + 0.8 * across, rear[0] + 0.92 * up + 0.2 * across])
            for quad, colour in ((window, np.array([30, 36, 48.])),
                                 (rear[0] + np.array([[.35, .04], [.35, .18], [.5, .18], [.5, .04]]) @ np.stack([up, across]), np.array([200, 20, 20.])),
                                 (rear[0] + np.array([[.35, .82], [.35, .96], [.5, .96], [.5, .82]]) @ np.stack([up, across]), np.array([200, 20, 20.]))):
                pts = project(quad)
                if len(pts):
                    _fill_convex(img, pts, colour * (1 - fog) + HAZE * fog)

    # our own bonnet along the bottom edge
    u = (np.arange(w) + 0.5) / w - 0.5
    hood_top = h - (0.09 - 0.1 * u ** 2) * h  # (w,) a gentle curve
    rows = np.arange(h)[:, None] + 0.5
    hood = rows > hood_top[None, :]
    shade = (0.8 + 0.5 * (rows - hood_top[None, :]) / (0.09 * h)).clip(0.8, 1.3)
    img = np.where(hood[..., None], HOOD * shade[..., None], img)

    # average scale x scale pixel blocks: cheap anti-aliasing
    img = img.reshape(cam.height, scale, cam.width, scale, 3).mean((1, 3))
    return img.clip(0, 255).astype(np.uint8)


# ----------------------------------------------------------------------------- drivers


@dataclass
class DriverStyle:
    """How the scripted driver drives; sampled per segment."""
    target_speed: float  # m/s
    headway: float  # s, desired time gap to the lead car
    lane_change_every: float  # s, mean time between lane changes
    perturb_every: float  # s, mean time between perturbations
    steer_noise: float  # rad, std of the steering noise


@dataclass
class SupervisorThresholds:
    """When the human takes over; sampled per driver around the nominal values."""
    ttc: float  # s, take over below this time-to-collision
    time_gap: float  # s, take over below this time gap
    lane_margin: float  # m, body past the lane line without a lane change
    heading: float  # deg, heading error to the lane
    brake: float  # m/s^2, braking harder than this (negative)
    lateral_accel: float  # m/s^2


def sample_driver(rng: np.random.Generator) -> tuple[DriverStyle, SupervisorThresholds]:
    """Sample one driver's style and takeover thresholds."""
    style = DriverStyle(target_speed=rng.uniform(22, 30), headway=rng.uniform(0.8, 1.6),
                        lane_change_every=rng.uniform(8, 20), perturb_every=rng.uniform(6, 14),
                        steer_noise=rng.uniform(0.002, 0.006))
    limits = SupervisorThresholds(ttc=rng.uniform(1.6, 2.4), time_gap=rng.uniform(0.5, 0.7),
                                  lane_margin=rng.uniform(0.2, 0.6), heading=rng.uniform(12, 18),
                                  brake=rng.uniform(-4.5, -3.5), lateral_accel=rng.uniform(3.5, 4.5))
    return style, limits


def idm_accel(speed: float, target_speed: float, headway: float, gap: float | None, closing: float) -> float:
    """Intelligent-driver-model acceleration (m/s^2) behind a lead car `gap` metres ahead."""
    a_max, b, s0 = 1.5, 2.0, 2.0
    acc = a_max * (1 - (speed / target_speed) ** 4)
    if gap is not None:
        s_star = s0 + speed * headway + speed * closing / (2 * np.sqrt(a_max * b))
        acc -= a_max * (max(s_star, 0) / max(gap, 0.1)) ** 2
    return float(np.clip(acc, -8, 2.5))


def steer_to_lane(y: float, heading: float, speed: float, lane_y: float) -> float:
    """Front-wheel angle (rad, + = right in the sim) that brings the car onto the lane centre."""
    lateral_speed = -np.clip(0.6 * (y - lane_y), -1.5, 1.5)  # m/s towards the lane centre
    heading_wanted = np.arcsin(np.clip(lateral_speed / max(speed, 5.0), -0.5, 0.5))
    heading_rate = 2.5 * (heading_wanted - heading)
    # kinematic bicycle: heading_rate ~ speed * steer / length
    return float(np.arctan(heading_rate * CAR_LENGTH / max(speed, 5.0)))


def make_env(lanes_count: int, vehicles_count: int):
    """highway-env's highway-v0 with continuous control at FPS Hz, no top-down rendering."""
    os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")  # 'dummy' renders black frames
    import gymnasium as gym
    import highway_env  # noqa: F401  (registers the environments)
    return gym.make("highway-v0", disable_env_checker=True, config={
        "action": {"type": "ContinuousAction", "acceleration_range": list(ACCEL_RANGE),
                   "steering_range": [-STEER_LIMIT, STEER_LIMIT]},
        "simulation_frequency": FPS, "policy_frequency": FPS, "lanes_count": lanes_count,
        "vehicles_count": vehicles_count, "duration": 10 ** 6, "offroad_terminal": False,
        # we read the simulator state directly; the cheapest observation keeps pandas off the hot path
        "observation": {"type": "Kinematics", "vehicles_count": 1, "normalize": False, "features": ["x"]},
    })


def record_segment(seed: int, seconds: float = 30.0, lanes_count: int = 3, vehicles_count: int = 25,
                   cam: Camera = Camera(), perturb_every: float | None = None, progress: "tqdm | None" = None) -> dict:
    """Drive one segment and return its frames, local states, actions and takeovers as arrays."""
    rng = np.random.default_rng(seed)
    style, limits = sample_driver(rng)
    if perturb_every is not None:
        style.perturb_every = perturb_every
    env = make_env(lanes_count, vehicles_count)
    env.reset(seed=seed)
    sim = env.unwrapped
    ego = sim.vehicle
    colours = {}
    dt, n_frames = 1.0 / FPS, int(round(seconds * FPS))
    lane_target = int(ego.lane_index[2])
    changing_lane = False
    human_until, perturb, perturb_until = -1.0, None, -1.0
    steer_noise = 0.0
    next_lane_change = rng.exponential(style.lane_change_every)
    next_perturb = rng.exponential(style.perturb_every)
    log = {k: [] for k in ("frames", "x", "y", "heading", "speed", "vx", "vy", "accel", "steer")}
    events_t, events_cause = [], []

    for i in range(n_frames):
        t = i * dt
        x, y = map(float, ego.position)
        heading, speed = float(ego.heading), float(ego.speed)
        others = [(float(v.position[0]), float(v.position[1]), float(v.heading),
                   colours.setdefault(id(v), int(rng.integers(1 << 16)))) for v in sim.road.vehicles if v is not ego]
        log["frames"].append(render_dashcam((x, y, heading), others, lanes_count, cam))
        for k, val in (("x", x), ("y", y), ("heading", heading), ("speed", speed),
                       ("vx", float(ego.velocity[0])), ("vy", float(ego.velocity[1]))):
            log[k].append(val)

        # the lead car in our lane
        lead, _ = sim.road.neighbour_vehicles(ego, ego.lane_index)
        gap = closing = None
        if lead is not None:
            gap = float(lead.position[0] - x - CAR_LENGTH)
            closing = speed - float(lead.speed * np.cos(lead.heading))
        lane_y = lane_target * LANE_WIDTH

        # the scripted driver proposes an action
        if changing_lane and abs(y - lane_y) < 0.3 and abs(heading) < np.radians(2):
            changing_lane = False
        if t >= next_lane_change and not changing_lane and t >= human_until:
            next_lane_change = t + rng.exponential(style.lane_change_every)
            choice = lane_target + int(rng.choice([-1, 1]))
            if 0 <= choice < lanes_count and _lane_is_free(sim, ego, choice):
                lane_target, changing_lane, lane_y = choice, True, choice * LANE_WIDTH
        if t >= next_perturb and perturb is None and t >= human_until:
            perturb = str(rng.choice(["drift", "distracted", "hard_brake", "swerve"]))
            perturb_until = t + {"drift": 4.0, "distracted": 6.0, "hard_brake": 1.0, "swerve": 0.5}[perturb]
            perturb_sign = float(rng.choice([-1, 1]))
            perturb_size = rng.uniform(0.5, 1.0)
            next_perturb = perturb_until + rng.exponential(style.perturb_every)
        if perturb is not None and t >= perturb_until:
            perturb = None
        steer_noise = 0.9 * steer_noise + style.steer_noise * rng.standard_normal()  # slow wander
        # the autopilot brakes comfortably; harder braking is the human's call (or a perturbation)
        accel = max(idm_accel(speed, style.target_speed, style.headway, gap, closing or 0.0), -3.0)
        accel += 0.15 * rng.standard_normal()
        steer = steer_to_lane(y, heading, speed, lane_y) + steer_noise
        if perturb == "drift":
            steer = perturb_sign * 0.01 * perturb_size + steer_noise  # dozing: no lane keeping
        elif perturb == "distracted":
            accel = 0.3  # not watching the car ahead
        elif perturb == "hard_brake":
            accel = -5.0 - 2.0 * perturb_size
        elif perturb == "swerve":
            steer += perturb_sign * 0.03 * perturb_size

        # the supervisor (the human) checks the car and the proposed action
        if t >= human_until:
            cause = takeover_cause(limits, bool(ego.crashed), y, heading, speed, lane_y, changing_lane, gap,
                                   closing, accel, steer, lanes_count)
            if cause is not None:
                events_t.append(t)
                events_cause.append(cause)
                human_until = t + rng.uniform(2.0, 4.0)
                perturb, changing_lane = None, False
                lane_target = int(np.clip(np.round(y / LANE_WIDTH), 0, lanes_count - 1))
                if cause == "crash":
                    break
        if t < human_until:  # the human drives calmly back to the lane centre, with a long gap
            lane_y = lane_target * LANE_WIDTH
            accel = idm_accel(speed, min(speed + 1, style.target_speed), 2.0, gap, closing or 0.0)
            accel = max(accel, -6.0)
            steer = steer_to_lane(y, heading, speed, lane_y)

        accel = float(np.clip(max(accel, -speed / dt), *ACCEL_RANGE))  # stop, never reverse; log what is applied
        steer = float(np.clip(steer, -STEER_LIMIT, STEER_LIMIT))
        log["accel"].append(accel)
        log["steer"].append(steer)
        lo, hi = ACCEL_RANGE  # ContinuousAction takes both in [-1, 1]
        env.step(np.array([2 * (accel - lo) / (hi - lo) - 1, steer / STEER_LIMIT], np.float32))
        if progress is not None:
            progress.update(1)
    env.close()

    out = {k: np.array(v, np.uint8 if k == "frames" else np.float64) for k, v in log.items()}
    n = len(out["frames"])
    for k in ("accel", "steer"):  # a crash ends the segment before the last action is chosen
        out[k] = np.concatenate([out[k], np.zeros(n - len(out[k]))])
    out["t"] = np.arange(n) * dt
    out["disengage_t"] = np.array(events_t, np.float64)
    out["disengage_cause"] = np.array(events_cause, dtype="<U16")
    out["driver"] = {"seed": seed, "style": asdict(style), "thresholds": asdict(limits)}
    return out


def _lane_is_free(sim, ego, lane: int) -> bool:
    """No car within 12 m ahead or 8 m behind in the target lane."""
    for v in sim.road.vehicles:
        if v is not ego and abs(v.position[1] - lane * LANE_WIDTH) < LANE_WIDTH / 2 and -8 < v.position[0] - ego.position[0] < 12:
            return False
    return True


def takeover_cause(limits: SupervisorThresholds, crashed: bool, y: float, heading: float, speed: float,
                   lane_y: float, changing_lane: bool, gap: float | None, closing: float | None,
                   accel: float, steer: float, lanes_count: int) -> str | None:
    """The first takeover rule broken by the car's state (sim units) and proposed action, or None."""
    if crashed:
        return "crash"
    if y < -LANE_WIDTH / 2 or y > LANE_WIDTH * (lanes_count - 0.5):
        return "off_road"
    if gap is not None and closing is not None and closing > 0 and gap / closing < limits.ttc:
        return "ttc"
    if gap is not None and speed > 1 and gap / speed < limits.time_gap:
        return "time_gap"
    if not changing_lane and abs(y - lane_y) > LANE_WIDTH / 2 - CAR_WIDTH / 2 + limits.lane_margin:
        return "lane_departure"
    if abs(np.degrees(heading)) > limits.heading:
        return "heading"
    if accel < limits.brake:
        return "hard_brake"
    if speed ** 2 * abs(np.tan(steer)) / CAR_LENGTH > limits.lateral_accel:
        return "lateral_accel"
    return None


# ----------------------------------------------------------------------------- writing


def _save(path: Path, arr: np.ndarray) -> None:
    """np.save without the .npy suffix that np.save would add to a bare name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        np.save(f, arr, allow_pickle=False)


def write_video(path: Path, frames, fps: int = FPS, crf: int = 20) -> None:
    """Encode frames (N, H, W, 3) uint8 (or an iterable of (H, W, 3)) as HEVC: raw for .hevc, else by suffix."""
    import av
    frames = iter(frames)
    first = next(frames)
    h, w, _ = first.shape
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w", format="hevc" if Path(path).suffix == ".hevc" else None) as container:
        stream = container.add_stream("libx265", rate=fps)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        stream.options = {"preset": "ultrafast", "crf": str(crf), "x265-params": "log-level=error"}
        for frame in itertools.chain([first], frames):
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def write_segment(seg: dict, out: Path) -> None:
    """Write a recorded segment in the comma2k19 layout (see the module docstring)."""
    tmp = out.with_name(out.name + ".tmp")
    tmp.mkdir(parents=True, exist_ok=True)
    origin = ecef_from_geodetic(ORIGIN_LAT, ORIGIN_LON, ORIGIN_ALT)
    ned = ecef_from_ned(ORIGIN_LAT, ORIGIN_LON)  # (3, 3) north-east-down -> ECEF
    n = len(seg["t"])
    local = np.stack([seg["x"], seg["y"], np.zeros(n)], 1)  # (N, 3) sim plane as NED
    c, s = np.cos(seg["heading"]), np.sin(seg["heading"])
    cam_to_ned = np.zeros((n, 3, 3))  # columns: forward, right, down
    cam_to_ned[:, 0, 0], cam_to_ned[:, 1, 0] = c, s
    cam_to_ned[:, 0, 1], cam_to_ned[:, 1, 1] = -s, c
    cam_to_ned[:, 2, 2] = 1
    _save(tmp / "global_pose/frame_times", seg["t"])
    _save(tmp / "global_pose/frame_positions", origin + local @ ned.T)
    _save(tmp / "global_pose/frame_velocities", np.stack([seg["vx"], seg["vy"], np.zeros(n)], 1) @ ned.T)
    _save(tmp / "global_pose/frame_orientations", quat_from_rot(ned @ cam_to_ned))
    _save(tmp / "processed_log/CAN/speed/t", seg["t"])
    _save(tmp / "processed_log/CAN/speed/value", seg["speed"][:, None])
    _save(tmp / "processed_log/CAN/steering_angle/t", seg["t"])
    _save(tmp / "processed_log/CAN/steering_angle/value", -np.degrees(seg["steer"]) * STEER_RATIO)
    _save(tmp / "action/t", seg["t"])
    _save(tmp / "action/value", np.stack([seg["accel"], -seg["steer"]], 1))  # sim steers + = right
    _save(tmp / "disengage/t", seg["disengage_t"])
    _save(tmp / "disengage/cause", seg["disengage_cause"])
    (tmp / "driver.json").write_text(json.dumps(seg["driver"], indent=1))
    write_video(tmp / "video.hevc", seg["frames"])
    if out.exists():
        raise FileExistsError(f"{out}: segment folder already exists")
    tmp.rename(out)  # the segment appears whole or not at all


def record_segments(n: int, out_dir: str | Path, seconds: float = 30.0, seed: int = 0,
                    lanes_count: int = 3, vehicles_count: int = 25, progress: bool = True) -> list[Path]:
    """Record n segments into out_dir/<route>/<k>/ and return their folders; existing ones are kept."""
    from tqdm import tqdm
    route = Path(out_dir) / f"highway-seed{seed}"
    paths = []
    bar = tqdm(total=n * int(round(seconds * FPS)), unit="frame", desc="record", disable=not progress)
    for k in range(n):
        path = route / str(k)
        paths.append(path)
        if path.exists():
            bar.update(int(round(seconds * FPS)))
            continue
        seg = record_segment(seed * 100003 + k, seconds, lanes_count, vehicles_count, progress=bar)
        write_segment(seg, path)
    bar.close()
    return paths


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
    parser = argparse.ArgumentParser(prog="python -m data.record", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--segments", type=int, default=4, help="number of segments to record")
    parser.add_argument("--out", type=Path, default=Path("runs/data/raw"), help="output folder")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each segment")
    parser.add_argument("--seed", type=int, default=0, help="random seed (drivers, traffic, noise)")
    parser.add_argument("--lanes", type=int, default=3, help="lanes on the highway")
    parser.add_argument("--vehicles", type=int, default=25, help="other cars on the highway")
    parser.add_argument("--preview", action="store_true", help="only write a PNG contact sheet of frames")
    parser.add_argument("--preview-path", type=Path, default=Path("data/preview.png"), help="where --preview writes")
    args = parser.parse_args(argv)
    if args.segments < 1 or args.seconds <= 0 or args.lanes < 1 or args.vehicles < 0:
        parser.error("--segments, --seconds and --lanes must be positive, --vehicles non-negative")
    if args.preview:
        from PIL import Image
        frames = []  # four drivers, four moments each
        for k in range(4):
            seg = record_segment(args.seed * 100003 + k, seconds=12.0, lanes_count=args.lanes, vehicles_count=args.vehicles)
            frames.append(seg["frames"][np.linspace(0, len(seg["frames"]) - 1, 4).astype(int)])
        args.preview_path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(contact_sheet(np.concatenate(frames))).save(args.preview_path)
        print(f"wrote {args.preview_path}")
        return 0
    paths = record_segments(args.segments, args.out, args.seconds, args.seed, args.lanes, args.vehicles)
    print(f"wrote {len(paths)} segments under {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
