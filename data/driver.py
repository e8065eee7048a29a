"""The scripted driver (car following, lane keeping on curves, lane changes, faults) and the
supervisor who plays the human and takes over.

The supervisor judges only what happened: the car's state and the commands already applied,
as the logs show them (speed change, yaw rate, lane offset, heading error, road-edge margin,
blinker, lead car gap and closing speed, clearance to the nearest car). It never sees the
action the driver is about to apply. Like a person, it notices when a rule breaks and takes
over one reaction time later (a crash is the exception: it ends the drive at once).
"""

from dataclasses import dataclass

import numpy as np

from data.layout import DISENGAGE_CAUSES, FPS
from data.road import CAR_LENGTH, CAR_WIDTH, LANE_WIDTH

WARN = 0.7  # a takeover's lead time runs from when the situation got this close to a limit (severity)


@dataclass
class DriverStyle:
    """How the scripted driver drives; sampled per segment."""
    target_speed: float  # m/s
    headway: float  # s, desired time gap to the lead car
    curve_accel: float  # m/s^2, lateral acceleration it slows down for curves to
    lane_change_every: float  # s, mean time between lane changes
    perturb_every: float  # s, mean time between faults
    steer_noise: float  # rad, std of the steering noise


@dataclass
class SupervisorThresholds:
    """When the human takes over; sampled per driver around the nominal values."""
    ttc: float  # s, take over below this time-to-collision
    time_gap: float  # s, take over below this time gap
    lane_margin: float  # m, body past the lane line without the blinker
    heading: float  # deg, heading error to the road
    brake: float  # m/s^2, braking harder than this (negative)
    lateral_accel: float  # m/s^2
    reaction: float = 0.0  # s from noticing a broken rule to taking over (0: recordings made before reaction times)


@dataclass
class Observation:
    """What the supervisor sees at one frame (all of it logged)."""
    speed: float  # m/s
    accel: float  # m/s^2, speed change over the last frame
    lateral_accel: float  # m/s^2, speed x yaw rate over the last frame
    lane_offset: float  # m, from the centre of the lane being kept (+ = right)
    heading_error: float  # rad, to the road
    road_margin: float  # m, car centre to the nearest road edge (< 0 off road)
    blinker: int  # -1, 0, +1
    gap: float | None  # m, bumper gap to the lead car in our path, None without one
    closing: float  # m/s, how fast that gap shrinks
    clearance: float  # m, to the nearest car between road-aligned boxes (<= 0 touching; a turned car's box is larger: up to ~0.4 m early)
    crashed: bool


def sample_driver(rng: np.random.Generator, speed: tuple[float, float] = (22, 30)) -> tuple[DriverStyle, SupervisorThresholds]:
    """Sample one driver's style (target speed within `speed`) and takeover thresholds."""
    style = DriverStyle(target_speed=rng.uniform(*speed), headway=rng.uniform(0.9, 1.8), curve_accel=rng.uniform(1.6, 2.6),
                        lane_change_every=rng.uniform(8, 20), perturb_every=rng.uniform(1.0, 3.0),
                        steer_noise=rng.uniform(0.001, 0.003))
    limits = SupervisorThresholds(ttc=rng.uniform(1.6, 2.4), time_gap=rng.uniform(0.5, 0.7),
                                  lane_margin=rng.uniform(0.2, 0.6), heading=rng.uniform(12, 18),
                                  brake=rng.uniform(-4.5, -3.5), lateral_accel=rng.uniform(3.5, 4.5),
                                  reaction=rng.uniform(0.5, 1.5))  # people take 0.5-1.5 s to react to a hazard
    return style, limits


def reaction_frames(lim: SupervisorThresholds, fps: int) -> int:
    """Frames from the one where a rule broke to the takeover."""
    return int(round(lim.reaction * fps))


def idm_accel(speed: float, target_speed: float, headway: float, gap: float | None, closing: float) -> float:
    """Intelligent-driver-model acceleration (m/s^2) behind a lead car `gap` metres ahead."""
    a_max, b, s0 = 1.5, 2.0, 2.5
    acc = a_max * (1 - (speed / max(target_speed, 0.1)) ** 4)
    if gap is not None:
        s_star = s0 + speed * headway + speed * closing / (2 * np.sqrt(a_max * b))
        acc -= a_max * (max(s_star, 0) / max(gap, 0.1)) ** 2
    return float(np.clip(acc, -8, 2.5))


def lane_keep_steer(offset: float, heading_error: float, curvature: float, speed: float, max_lateral_speed: float = 1.2) -> float:
    """Front-wheel angle (rad, + = right in the sim) that follows the road's curve onto the lane centre.

    offset is from the wanted lane centre (+ = right); corrections are capped at 1.5 m/s^2 of
    lateral acceleration so lane changes stay smooth; the road's own curve is followed in full.
    The car moves along its heading plus the slip angle of the bicycle model (atan(tan(steer) / 2),
    highway-env's), stepped at 1 / FPS with the heading of the step's start: steering the heading
    onto the road's left the car max(v, 3 m/s) * curvature * (5 m - v / 20 Hz) inside every curve (0.31 m at 25 m/s on a
    300 m radius, past the recovery test's 0.2 m band), so the direction of motion is steered
    onto the road's heading at the middle of the step instead.
    """
    v = max(speed, 1.0)
    lateral_speed = -np.clip(0.5 * offset, -max_lateral_speed, max_lateral_speed)
    heading_wanted = np.arcsin(np.clip(lateral_speed / max(v, 3.0), -0.4, 0.4))
    motion_error = heading_error + np.arctan(curvature * CAR_LENGTH / 2) - v * curvature / (2 * FPS)
    correction = np.clip(2.0 * (heading_wanted - motion_error), -1.5 / v, 1.5 / v)  # rad/s
    return float(np.arctan((v * curvature + correction) * CAR_LENGTH / v))


def severities(lim: SupervisorThresholds, o: Observation) -> dict[str, float]:
    """How close each takeover rule is to firing: >= 1 fires."""
    lane_limit = LANE_WIDTH / 2 - CAR_WIDTH / 2 + lim.lane_margin
    ttc = o.gap / o.closing if o.gap is not None and o.closing > 0 else np.inf
    gap_s = o.gap / o.speed if o.gap is not None and o.speed > 1 else np.inf
    return {
        "crash": 1.0 if o.crashed else float(np.clip(1 - o.clearance / 2, 0, 0.99)),
        "off_road": float(max(1 - o.road_margin / 2, 0)) if o.road_margin > 0 else 1.0 + float(-o.road_margin),
        "ttc": lim.ttc / max(ttc, 1e-6),
        "time_gap": lim.time_gap / max(gap_s, 1e-6),
        "lane_departure": 0.0 if o.blinker else abs(o.lane_offset) / lane_limit,
        "heading": abs(np.degrees(o.heading_error)) / lim.heading,
        "hard_brake": o.accel / lim.brake,
        "lateral_accel": abs(o.lateral_accel) / lim.lateral_accel,
    }


def takeover_cause(lim: SupervisorThresholds, o: Observation, excused: frozenset = frozenset()) -> tuple[str | None, float]:
    """The takeover rule broken at this frame (a crash, then off_road, then the first in DISENGAGE_CAUSES order), or None; and the top severity. Rules
    in excused (broken when the human handed the car back) do not count."""
    sev = severities(lim, o)
    broken = [c for c in DISENGAGE_CAUSES if sev[c] >= 1 and c not in excused]
    priority = ("crash", "off_road") + DISENGAGE_CAUSES  # a crash or leaving the road outranks its warnings
    cause = min(broken, key=priority.index) if broken else None
    return cause, max(v for c, v in sev.items() if c not in excused)
