"""Check that each recorded takeover can be seen in the logged signals at the frame its rule broke.

For every takeover in a segment folder, the rule of its cause is re-evaluated from the files
alone (CAN speed, global_pose orientations, lead, lane; the driver's thresholds and reaction time
from driver.json), never from the simulator, at the frame one reaction time before the takeover
(a crash: at the takeover):

    ttc             lead gap / closing speed <= ttc limit
    time_gap        lead gap / CAN speed <= time-gap limit
    lane_departure  |lane offset| >= lane half-width - car half-width + margin, blinker off
    heading         |heading error to the road| >= heading limit
    hard_brake      CAN speed change over the last frame x fps <= braking limit
    lateral_accel   CAN speed x yaw rate (from frame_orientations) over the last frame >= limit
    crash           clearance to the nearest car <= 0.5 m (highway-env collides boxes one step ahead)
    off_road        margin to the road edge <= 0

It checks that the rule is broken at that frame, not that it first broke there: a label late by some frames passes
for a rule that stays broken (lane, heading, off road); tests/test_data_record.py checks the timing against the
supervisor itself.

    python -m data.check_takeovers runs/data/raw
"""

import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

from data.driver import SupervisorThresholds, reaction_frames
from data.layout import DISENGAGE_CAUSES, FPS
from data.pose import ecef_from_ned, rot_from_quat
from data.road import CAR_WIDTH, LANE_WIDTH

ORIGIN_LAT, ORIGIN_LON = 37.4, -122.1  # data.record's sim origin: headings are read in its north-east-down frame


def check_segment(seg: Path) -> list[tuple[float, str, bool, float, float]]:
    """(time, cause, visible, logged value, limit) for each takeover in a recorded segment folder; the value is the one
    logged at the frame the rule broke."""
    load = lambda name: np.load(seg / name)  # noqa: E731
    times, speed = load("global_pose/frame_times"), load("processed_log/CAN/speed/value")[:, 0]
    lead, lane = load("lead/value"), load("lane/value")
    fwd = np.einsum("ji,njk->nik", ecef_from_ned(ORIGIN_LAT, ORIGIN_LON), rot_from_quat(load("global_pose/frame_orientations")))[:, :, 0]
    heading = np.unwrap(np.arctan2(fwd[:, 1], fwd[:, 0]))  # camera forward in north-east-down
    lim = json.loads((seg / "driver.json").read_text())["thresholds"]
    delay = reaction_frames(SupervisorThresholds(**lim), FPS)
    out = []
    for t, cause in zip(load("disengage/t"), load("disengage/cause")):
        k = int(np.argmin(np.abs(times - t))) - (0 if cause == "crash" else delay)
        prev = max(k - 1, 0)
        value, limit, visible = {
            "ttc": lambda: (lead[k, 1] / lead[k, 2] if lead[k, 0] and lead[k, 2] > 0 else np.inf, lim["ttc"], np.less_equal),
            "time_gap": lambda: (lead[k, 1] / speed[k] if lead[k, 0] else np.inf, lim["time_gap"], np.less_equal),
            "lane_departure": lambda: (abs(lane[k, 0]) if lane[k, 4] == 0 else 0.0,
                                       LANE_WIDTH / 2 - CAR_WIDTH / 2 + lim["lane_margin"], np.greater_equal),
            "heading": lambda: (abs(np.degrees(lane[k, 1])), lim["heading"], np.greater_equal),
            "hard_brake": lambda: ((speed[k] - speed[prev]) * FPS, lim["brake"], np.less_equal),
            "lateral_accel": lambda: (abs(speed[k] * (heading[k] - heading[prev]) * FPS), lim["lateral_accel"], np.greater_equal),
            "crash": lambda: (lead[k, 3], 0.5, np.less_equal),
            "off_road": lambda: (lane[k, 3], 0.0, np.less_equal),
        }[str(cause)]()
        out.append((float(t), str(cause), bool(visible(value, limit)), float(value), float(limit)))
    return out


def main(argv: list[str] | None = None) -> int:
    """Check every segment folder under a path; print per cause how many takeovers the logs show."""
    import argparse
    from drivegpt.cli import path_arg  # (here: the recorder processes that import this module need no engine)
    from data.layout import files_under, not_being_written
    ap = argparse.ArgumentParser(prog="python -m data.check_takeovers", description=__doc__.splitlines()[0])
    ap.add_argument("root", nargs="?", default="runs/data/raw", type=path_arg, help="a folder of recorded segments (drivegpt record --out), or one segment's driver.json (default runs/data/raw)")
    root = Path(ap.parse_args(argv if argv is not None else sys.argv[1:]).root)  # (--help was taken for a folder)
    if not root.exists():
        print(f"error: {root}: no such folder or file", file=sys.stderr)
        return 1
    not_being_written(root.parent if root.is_file() else root, inside=root.is_dir())  # (a record still going: its segments so far)
    # through linked folders (rglob skipped them, and their takeovers went uncounted), not into a killed record's hidden
    # temp folders (their driver.json counted a segment's takeovers twice)
    found = files_under(root, name="driver.json") if root.is_dir() else [root] if root.name == "driver.json" else []
    segments = sorted(p.parent for p in found if not any(d.startswith(".") for d in p.relative_to(root).parts[:-1]))
    if not segments:
        print(f"error: {root}: no recorded segments (driver.json) found", file=sys.stderr)
        return 1
    seen = defaultdict(lambda: [0, 0])
    for seg in segments:
        for t, cause, visible, value, limit in check_segment(seg):
            seen[cause][0] += visible
            seen[cause][1] += 1
            if not visible:
                print(f"not visible: {seg} t={t:.2f} {cause}: logged {value:.3f}, limit {limit:.3f}")
    print(f"{'cause':<16}{'visible':>8}{'of':>4}")
    for cause in DISENGAGE_CAUSES:
        print(f"{cause:<16}{seen[cause][0]:>8}{seen[cause][1]:>4}")
    return 0 if all(v == n for v, n in seen.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
