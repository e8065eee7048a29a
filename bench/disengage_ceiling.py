"""How predictable are a token folder's takeover labels at all? AUROC of the supervisor's own top severity (data/driver.py
`severities` of the logged simulator state: lane offset, heading, road margin, lead gap and closing speed, braking), its
maximum over the last 1 s, for "a takeover within h s", over every frame the system drove. Simulator truth: an upper
reference for what a model could learn from the camera, never a model input.

    python bench/disengage_ceiling.py runs/rl/tokens
"""
import json
import sys
from pathlib import Path

import h5py
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo's data/, not bench/data.py
from data.driver import Observation, SupervisorThresholds, severities  # noqa: E402
from rl.data import FPS, ended_early, takeover_labels  # noqa: E402
from rl.disengage import auroc  # noqa: E402
from drivegpt.cli import HelpFormatter, json_line  # noqa: E402

HORIZONS = [0.5, 1.0, 2.0, 4.0]


def top_severity(h: h5py.File) -> np.ndarray:
    """(N,) the largest severity of any rule but a crash at each frame, from the logged state."""
    lane, lead, speed = h["lane"][()], h["lead"][()], h["speed"][()].ravel()
    lim = SupervisorThresholds(**json.loads(h.attrs["driver"])["thresholds"])
    out = np.zeros(len(speed))
    for k in range(len(speed)):
        o = Observation(speed=speed[k], accel=(speed[k] - speed[max(k - 1, 0)]) * FPS, lateral_accel=0.0, lane_offset=lane[k, 0],
                        heading_error=lane[k, 1], road_margin=lane[k, 3], blinker=int(lane[k, 4]),
                        gap=lead[k, 1] if lead[k, 0] else None, closing=lead[k, 2], clearance=lead[k, 3], crashed=False)
        out[k] = max(v for cause, v in severities(lim, o).items() if cause != "crash")
    return out


def main(folder: str) -> dict:
    scores, labels = [], []
    for f in sorted(Path(folder).rglob("*.h5")):
        with h5py.File(f, "r") as h:
            sev, disengage, driver = top_severity(h), h["disengage"][()], h.attrs.get("driver")
        y, known = takeover_labels(disengage, HORIZONS, ended=ended_early(driver, len(disengage)))  # as rl/data labels them
        scores.append(np.array([sev[max(0, k - FPS):k + 1].max() for k in range(len(sev))]))
        labels.append(np.where(known, y, np.nan))
    p, y = np.concatenate(scores), np.concatenate(labels)
    return {f"auroc_{h:g}s": round(auroc(p[~np.isnan(y[:, j])], y[~np.isnan(y[:, j]), j]), 3) for j, h in enumerate(HORIZONS)}


if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=HelpFormatter)
    ap.add_argument("tokens", help="a token-shard folder (drivegpt tokenize --out) of recorded segments")
    args = ap.parse_args()  # (no argument was an IndexError, an empty folder numpy's "need at least one array")
    if not sorted(Path(args.tokens).glob("*.h5")): ap.error(f"{args.tokens}: no token shards (.h5)")
    print(json_line({"tokens": args.tokens, **main(args.tokens)}))  # (NaN as null: json.dumps wrote NaN, not JSON)
