"""Ingestion: crop/resize, plain videos, re-runs, and every kind of bad input."""

import hashlib
import json
import os
import signal
import shutil
import subprocess
import sys
import time
from pathlib import Path

import h5py
import numpy as np
import pytest

from data.ingest import IngestError, find_segments, ingest, route_of, segment_id
from data.pose import ecef_from_geodetic, ecef_from_ned, quat_from_rot
from data.video import write_video
from data.layout import CAUSES

ROOT = Path(__file__).parents[1]


def save(path: Path, arr: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        np.save(f, arr)


def write_tiny_segment(seg: Path, n: int = 20, seed: int = 0, size=(32, 64)) -> dict:
    """A straight drive at a random speed with a video of random colour blocks, n frames."""
    rng = np.random.default_rng(seed)
    speed = rng.uniform(5, 30)
    t = np.arange(n) / 20.0
    ned = ecef_from_ned(37.0, -122.0)
    pos = ecef_from_geodetic(37.0, -122.0, 0.0) + np.stack([speed * t, np.zeros(n), np.zeros(n)], 1) @ ned.T
    save(seg / "global_pose/frame_times", t)
    save(seg / "global_pose/frame_positions", pos)
    save(seg / "global_pose/frame_orientations", np.tile(quat_from_rot(ned), (n, 1)))
    save(seg / "processed_log/CAN/speed/t", t)
    save(seg / "processed_log/CAN/speed/value", np.full((n, 1), speed))
    blocks = rng.integers(0, 256, (n, size[0] // 8, size[1] // 8, 3), dtype=np.uint8)
    frames = blocks.repeat(8, axis=1).repeat(8, axis=2)  # 8x8 blocks of random colour survive HEVC
    write_video(seg / "video.hevc", frames)
    return {"speed": speed, "frames": frames}


def file_state(path: Path) -> tuple:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


@pytest.fixture
def done_dir(tmp_path):
    """A source with one good segment already ingested into out/."""
    src, out = tmp_path / "src", tmp_path / "out"
    write_tiny_segment(src / "good/0")
    [r] = ingest(src, out, use_ray=False, progress=False)
    assert r["status"] == "done"
    return src, out, out / f"{r['id']}.h5"


def corrupt_truncate(seg):
    video = seg / "video.hevc"
    video.write_bytes(video.read_bytes()[: video.stat().st_size // 3])
    return "video.hevc", ("truncated",)


def corrupt_missing_pose(seg):
    (seg / "global_pose/frame_positions").unlink()
    return "global_pose/frame_positions", ("missing",)


def corrupt_length(seg):
    save(seg / "global_pose/frame_positions", np.load(seg / "global_pose/frame_positions")[:-3])
    return "frame_positions", ("length mismatch",)


def corrupt_nan(seg):
    pos = np.load(seg / "global_pose/frame_positions")
    pos[7, 1] = np.nan
    save(seg / "global_pose/frame_positions", pos)
    return "global_pose/frame_positions", ("NaN", "row 7")


def corrupt_not_video(seg):
    (seg / "video.hevc").write_text("this is not a video\n" * 50)
    return "video.hevc", ("unreadable",)


def corrupt_short_video(seg):
    write_video(seg / "video.hevc", np.zeros((12, 32, 64, 3), np.uint8))
    return "video.hevc", ("12 frames", "20")


def corrupt_long_video(seg):  # the message gave the poses' count only (decoding stops past it)
    write_video(seg / "video.hevc", np.zeros((30, 32, 64, 3), np.uint8))
    return "video.hevc", ("at least 21", "(20)")


def corrupt_partial_signal(seg):  # CAN speed for the first 0.3 s of the 1 s video: the rest was held constant, silently
    save(seg / "processed_log/CAN/speed/t", np.arange(7) / 20.0)
    save(seg / "processed_log/CAN/speed/value", np.full((7, 1), 10.0))
    return "speed", ("0.65 s of the video uncovered",)


def corrupt_repeated_time(seg):  # a CAN time twice: interpolation read whichever value sorted last (55 m/s for 10)
    t = np.arange(20) / 20.0
    t[7] = t[6]
    save(seg / "processed_log/CAN/speed/t", t)
    return "speed", ("appears twice",)


def corrupt_shifted_signal(seg):  # CAN on a clock 0.6 s ahead of the video's: the message named no cause (a review)
    save(seg / "processed_log/CAN/speed/t", np.load(seg / "processed_log/CAN/speed/t") + 0.6)
    return "speed", ("both ends +0.60 / +0.60 s off: is speed on another clock than the video?",)


def corrupt_empty_signal(seg):  # "unexpected ValueError: cannot reshape array of size 0"
    save(seg / "processed_log/CAN/speed/t", np.zeros(0))
    save(seg / "processed_log/CAN/speed/value", np.zeros((0, 1)))
    return "speed", ("no samples",)


def corrupt_huge(seg):  # finite in float64, inf as the shard's float32: stored as inf with only numpy's warning
    speed = np.load(seg / "processed_log/CAN/speed/value")
    speed[11] = 1e39
    save(seg / "processed_log/CAN/speed/value", speed)
    return "speed", ("speed at frame 11 is [inf] as float32 (from [1e+39]): out of range",)


def corrupt_garbage_mid_video(seg):  # 64 random bytes in the middle: decoded (frames off by up to 140 levels) in silence
    data = bytearray((seg / "video.hevc").read_bytes())
    data[len(data) // 2:len(data) // 2 + 64] = np.random.default_rng(5).bytes(64)
    (seg / "video.hevc").write_bytes(bytes(data))
    return "video.hevc", ("truncated or corrupt video",)


@pytest.mark.parametrize("corrupt", [corrupt_truncate, corrupt_missing_pose, corrupt_length, corrupt_nan,
                                     corrupt_not_video, corrupt_short_video, corrupt_long_video, corrupt_partial_signal, corrupt_repeated_time,
                                     corrupt_huge, corrupt_garbage_mid_video, corrupt_empty_signal, corrupt_shifted_signal])
def test_bad_segment_is_reported_and_others_survive(done_dir, corrupt, capsys):
    src, out, shard = done_dir
    before = file_state(shard)
    write_tiny_segment(src / "bad/0", seed=1)
    write_tiny_segment(src / "next/0", seed=2)
    name, words = corrupt(src / "bad/0")
    capsys.readouterr()
    results = {r["id"].rsplit("-", 1)[0]: r for r in ingest(src, out, use_ray=False, progress=False)}
    bad = results["bad_0"]
    assert bad["status"] == "error"
    assert str(src / "bad/0") in bad["reason"] and name in bad["reason"]
    assert any(w in bad["reason"] for w in words), bad["reason"]
    err = capsys.readouterr().err
    assert f"error: {bad['reason']}" in err.splitlines()
    assert results["good_0"]["status"] == "skipped" and file_state(shard) == before
    assert results["next_0"]["status"] == "done" and (out / f"{results['next_0']['id']}.h5").exists()
    assert sorted(p.name for p in out.iterdir() if p.name != ".lock") == sorted([shard.name, f"{results['next_0']['id']}.h5"])  # no temp files left


def test_an_unexpected_error_says_where_it_was_raised(tmp_path, monkeypatch):
  """Under PyAV 18 every recorded segment failed with "unexpected AttributeError: 'Type' object has no attribute 'type'"
  and nothing to say where (a helper's review): the innermost frame of the project's own code is named."""
  import data.video
  write_tiny_segment(tmp_path / "src/seg/0")
  def turn(frame): raise AttributeError("'Type' object has no attribute 'type'")
  monkeypatch.setattr(data.video, "display_turn", turn)
  [r] = ingest(tmp_path / "src", tmp_path / "out", use_ray=False, progress=False)
  assert r["status"] == "error" and "unexpected AttributeError: 'Type' object has no attribute 'type'" in r["reason"], r
  assert f"(at tests/test_data_ingest.py:{turn.__code__.co_firstlineno} (turn): a bug" in r["reason"], r["reason"]
  from data.ingest import _where
  try: exec("raise KeyError('k')")   # a frame of no file ("<string>"), innermost: the project's own frame is named
  except KeyError as e: assert _where(e).startswith("tests/test_data_ingest.py:"), _where(e)


def test_takeovers_outside_the_video_or_on_one_frame_are_said(tmp_path, capsys):
    """A takeover after the video ended was put on its last frame, and of two on one frame the second overwrote the
    first's cause: now the first is left out and the second merged, each said on stderr."""
    seg = tmp_path / "src/seg/0"
    write_tiny_segment(seg)  # 20 frames, t 0 .. 0.95 s
    save(seg / "disengage/t", np.array([0.5, 0.51, 0.8, 30.0]))
    save(seg / "disengage/cause", np.array(["ttc", "crash", "heading", "off_road"]))
    [r] = ingest(tmp_path / "src", tmp_path / "out", use_ray=False, progress=False)
    assert r["status"] == "done", r
    with h5py.File(tmp_path / "out" / f"{r['id']}.h5") as f:
        d, cause = f["disengage"][:], f["disengage_cause"][:]
    assert np.flatnonzero(d).tolist() == [10, 16] and [CAUSES[c] for c in cause[[10, 16]]] == ["ttc", "heading"]
    err = capsys.readouterr().err
    assert "takeovers at t [30.0] s are outside the video" in err and "takeovers at t [0.5, 0.51] s fall on 1 frame(s)" in err
    # the earliest of a frame's takeovers gives its cause, not the first in the file (disengage/t need not be sorted)
    save(seg / "disengage/t", np.array([0.51, 0.8, 0.5]))
    save(seg / "disengage/cause", np.array(["crash", "heading", "ttc"]))
    [r] = ingest(tmp_path / "src", tmp_path / "out2", use_ray=False, progress=False)
    with h5py.File(tmp_path / "out2" / f"{r['id']}.h5") as f: cause = f["disengage_cause"][:]
    assert [CAUSES[c] for c in cause[[10, 16]]] == ["ttc", "heading"]


def test_takeovers_on_another_clock_and_gaps_in_frame_times(tmp_path, capsys):
    """Session 26 (a hostile user): takeovers all outside the video by seconds (logged from 0 while the frames run from
    1000 s) were left out with a warning, and the segment read as takeover-free (has_disengage, no takeover); a gap in
    a segment's frame_times (a dropped frame) was not said."""
    seg = tmp_path / "src/seg/0"
    write_tiny_segment(seg)  # 20 frames, t 0 .. 0.95 s
    save(seg / "disengage/t", np.array([3.5, 7.0]))
    save(seg / "disengage/cause", np.array(["ttc", "crash"]))
    [r] = ingest(tmp_path / "src", tmp_path / "out", use_ray=False, progress=False)
    assert r["status"] == "error" and "every takeover (disengage/t [3.5, 7.0] s) is outside the video" in r["reason"], r
    save(seg / "disengage/t", np.array([0.5, 7.0]))  # one inside: the other is left out, said
    [r] = ingest(tmp_path / "src", tmp_path / "out", use_ray=False, progress=False)
    assert r["status"] == "done", r
    assert "takeovers at t [7.0] s are outside the video" in capsys.readouterr().err
    seg2 = tmp_path / "src2/seg/0"
    write_tiny_segment(seg2, seed=3)
    t = np.arange(20) / 20.0
    t[12:] += 0.2
    save(seg2 / "global_pose/frame_times", t)
    save(seg2 / "processed_log/CAN/speed/t", t)
    save(seg2 / "disengage/t", np.array([0.3, 0.69]))   # the second in the gap (frames at 0.55 and 0.8): put 0.11 s late, said
    save(seg2 / "disengage/cause", np.array(["ttc", "crash"]))
    [r] = ingest(tmp_path / "src2", tmp_path / "out2", use_ray=False, progress=False)
    assert r["status"] == "done", r
    err = capsys.readouterr().err
    assert "global_pose/frame_times: 1 gaps between frames (up to 0.250 s" in err
    assert "takeovers at t [0.69] s fall in gaps of the frame times: each is put on its nearest frame, up to 0.11 s" in err, err
    # one dropped frame in 121 (a 60 s comma2k19 segment's 1200: 19.98 fps, which every stage that counts 20 fps frames
    # refused) is the camera's rate; a gap of over 2.5 frames (4 frames, the segment above) counts its frames too, read
    # as pieces downstream (it was 16.5 fps, refused by every stage as another rate)
    from train.world_data import check_fps
    with h5py.File(tmp_path / f"out2/{r['id']}.h5") as f:
        assert abs(f.attrs["fps"] - 20) < 1e-9, f.attrs["fps"]
    # the camera and the CAN log paused together (1 s, every frame with its samples): refused as "1.05 s of the video
    # uncovered", measured over the video's span, not its frames; a CAN hole inside the frames is still refused
    seg5 = tmp_path / "src5/seg/0"
    write_tiny_segment(seg5, seed=7)
    t = np.arange(20) / 20.0 + 1.0 * (np.arange(20) >= 10)
    save(seg5 / "global_pose/frame_times", t)
    save(seg5 / "processed_log/CAN/speed/t", t)
    save(seg5 / "disengage/t", np.array([0.3, t[-1] + 0.04]))   # after the last frame: outside (half the mean step, which
    save(seg5 / "disengage/cause", np.array(["ttc", "crash"]))   # the hole doubled, took it as inside, on the last frame)
    capsys.readouterr()
    [r] = ingest(tmp_path / "src5", tmp_path / "out5", use_ray=False, progress=False)
    assert r["status"] == "done", r
    assert f"takeovers at t [{round(t[-1] + 0.04, 2)}] s are outside the video" in capsys.readouterr().err
    speed = np.load(seg5 / "processed_log/CAN/speed/value")
    save(seg5 / "processed_log/CAN/speed/t", np.concatenate([t[:3], t[16:]]))
    save(seg5 / "processed_log/CAN/speed/value", np.concatenate([speed[:3], speed[16:]]))
    [r] = ingest(tmp_path / "src5", tmp_path / "out6", use_ray=False, progress=False)
    assert r["status"] == "error" and "speed leaves" in r["reason"] and "of the video uncovered" in r["reason"], r
    seg4 = tmp_path / "src4/seg/0"
    write_tiny_segment(seg4, n=120, seed=5)
    t = np.arange(120) / 20.0
    t[70:] += 0.05
    save(seg4 / "global_pose/frame_times", t)
    save(seg4 / "processed_log/CAN/speed/t", t)
    [r] = ingest(tmp_path / "src4", tmp_path / "out4", use_ray=False, progress=False)
    with h5py.File(tmp_path / f"out4/{r['id']}.h5") as f:
        assert abs(f.attrs["fps"] - 20) < 1e-9, f.attrs["fps"]
        check_fps(Path("shard"), f.attrs["fps"])
    from data.ingest import frame_rate  # timestamps with 8 ms of jitter: their own mean rate (long intervals left out: 20.2)
    t = np.sort(np.arange(1200) / 20 + np.random.default_rng(6).normal(0, 0.008, 1200))
    assert abs(frame_rate(t) - 1199 / np.ptp(t)) < 1e-9
    t = np.arange(1200) / 20   # 12 of a 60 s segment's 1200 frames dropped: 1%, the camera's rate (19.7998: refused)
    assert abs(frame_rate(np.delete(t, np.arange(50, 1200, 100))) - 20) < 1e-9 and frame_rate(np.delete(t, np.arange(50, 1200, 90))) < 19.9
    # a 3 s hole in a 9 s segment: its frames counted (13.3 fps, refused by every stage as another rate; the stages read
    # the frames either side as pieces), and many single drops still refused
    assert abs(frame_rate(np.delete(t[:180], np.arange(60, 120))) - 20) < 1e-9
    assert frame_rate(np.delete(t[:180], np.arange(60, 120, 2))) < 19.9
    # a hole left out whole (a review): one of 3.025 s (a camera resumes at any phase) read 19.96 and was refused; and
    # it no longer raises the single drops allowed (7% dropped, then a 60 s hole, read 20.0)
    assert abs(frame_rate(np.concatenate([t[:120], 9.025 + t[:60]])) - 20) < 1e-9
    drops = np.delete(t[:200], np.arange(5, 200, 14))
    assert frame_rate(np.concatenate([drops, drops[-1] + 60 + t[:20]])) < 19.9
    # in milliseconds: a 0.02 fps shard whose frames were 50 "s" apart (session 28)
    seg3 = tmp_path / "src3/seg/0"
    write_tiny_segment(seg3, seed=4)
    for f in ("global_pose/frame_times", "processed_log/CAN/speed/t"):
        save(seg3 / f, np.arange(20) * 50.0)
    [r] = ingest(tmp_path / "src3", tmp_path / "out3", use_ray=False, progress=False)
    assert r["status"] == "error" and "global_pose/frame_times: frames 50 apart: times must be in seconds" in r["reason"], r


def test_a_segment_video_whose_timestamps_leave_its_poses_is_an_error(tmp_path, capsys):
    """Session 26 (a hostile user): a segment's MP4 at 10 fps under 20 Hz poses (same frame count), or with a hole, was
    ingested frame by frame against the poses: each frame got another moment's pose and CAN, without a word."""
    from tests.test_data_video import encode
    rng = np.random.default_rng(7)
    frames = [np.repeat(np.repeat(rng.integers(0, 256, (4, 8, 3), dtype=np.uint8), 8, 0), 8, 1) for _ in range(20)]
    # hole2: 0.3 s missing at frame 10 and as many frames more at the end (the offset stays under 0.5 s: passed in session 27)
    for name, pts in (("slow", [i * 100 for i in range(20)]), ("hole", [i * 50 + (600 if i >= 10 else 0) for i in range(20)]),
                      ("hole2", [i * 50 + (300 if i >= 10 else 0) for i in range(20)]), ("good", [i * 50 for i in range(20)]),
                      ("hole3", [i * 50 + (200 if i >= 10 else 0) for i in range(20)]),  # named "after frame 7" (a plateau's first)
                      ("hole4", [i * 50 + (0, 14, -13, 12, 0)[i % 5] + (50 if i >= 12 else 0) for i in range(20)]),  # with jitter
                      ("jitter", [i * 50 + (0, 14, -13, 12, 0)[i % 5] for i in range(20)]),  # an encoder clock's +-14 ms: kept
                      ("hole5", [i * 50 + (0, 14, -13, 12, 0)[i % 5] + (600 if i >= 10 else 0) for i in range(20)])):  # (its jitter's largest was named)
        seg = tmp_path / name / "seg/0"
        write_tiny_segment(seg)  # 20 poses at 20 Hz
        (seg / "video.hevc").unlink()
        encode(seg / "video.mp4", frames, pts=pts)
        [r] = ingest(tmp_path / name, tmp_path / f"out_{name}", use_ray=False, progress=False)
        if name in ("good", "jitter"): assert r["status"] == "done", r
        elif name == "hole2": assert r["status"] == "error" and "after frame 9 the video's timestamps run 0.300 s ahead of global_pose" in r["reason"], r
        elif name == "hole4": assert r["status"] == "error" and "after frame 11 the video's timestamps run" in r["reason"], r
        elif name == "hole3": assert r["status"] == "error" and "after frame 9 the video's timestamps run 0.200 s ahead of global_pose" in r["reason"], r
        elif name in ("hole", "hole5"): assert r["status"] == "error" and "frame 10 is at " in r["reason"] and "the video does not match the poses" in r["reason"], r
        else: assert r["status"] == "error" and "the video does not match the poses" in r["reason"], r
    # the camera dropped a frame: frame_times step 0.1 s once, the video (steady timestamps, as an encoder writes them) has
    # the same 20 frames; frame k is still pose k: kept (a first version of the check above refused it)
    seg = tmp_path / "drop" / "seg/0"
    write_tiny_segment(seg)
    t = np.arange(20) / 20.0 + np.where(np.arange(20) >= 10, 0.05, 0)
    for f in ("global_pose/frame_times", "processed_log/CAN/speed/t"): save(seg / f, t)
    (seg / "video.hevc").unlink()
    encode(seg / "video.mp4", frames, pts=[i * 50 for i in range(20)])
    [r] = ingest(tmp_path / "drop", tmp_path / "out_drop", use_ray=False, progress=False)
    assert r["status"] == "done", r
    # a 25 fps video under 20 Hz poses drifts 0.19 s by its 20th frame, under the 0.5 s offset check: said (session 28)
    seg = tmp_path / "fast" / "seg/0"
    write_tiny_segment(seg)
    (seg / "video.hevc").unlink()
    encode(seg / "video.mp4", frames, pts=[i * 40 for i in range(20)])
    capsys.readouterr()
    [r] = ingest(tmp_path / "fast", tmp_path / "out_fast", use_ray=False, progress=False)
    assert r["status"] == "done" and "its timestamps drift -0.19 s from global_pose/frame_times" in capsys.readouterr().err, r


def test_a_link_to_a_video_beside_it_is_one_input(tmp_path):
    """Session 26 (a hostile user): a.mp4 and zlink.mp4 -> a.mp4 in one folder were two inputs: two Ray tasks wrote the
    same shard at once, and the summary counted its frames twice."""
    from tests.test_data_video import encode, red_top
    encode(tmp_path / "src/a.mp4", [red_top(32, 32, 16)] * 6)
    (tmp_path / "src/zlink.mp4").symlink_to(tmp_path / "src/a.mp4")
    assert find_segments(tmp_path / "src") == [tmp_path / "src/a.mp4"]
    assert [r["status"] for r in ingest(tmp_path / "src", tmp_path / "out", use_ray=False, progress=False)] == ["done"]


def test_non_video_file_is_reported(tmp_path, capsys):
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    (src / "notes.mp4").write_text("not a video")
    (src / "readme.txt").write_text("ignored: not a video suffix")
    [r] = ingest(src, out, use_ray=False, progress=False)
    assert r["status"] == "error" and str(src / "notes.mp4") in r["reason"] and "unreadable video" in r["reason"]
    assert "error:" in capsys.readouterr().err
    assert [p for p in out.iterdir() if p.name != ".lock"] == []  # (.lock: ingest holds the folder while it writes)


def test_a_ray_address_that_goes_unused_is_said(tmp_path, capsys):
    # one input runs in this process: --ray-address (here one nobody listens at) was never tried, without a word (session 41)
    write_video(tmp_path / "src/clip.mp4", np.random.default_rng(6).integers(0, 255, (4, 64, 96, 3), dtype=np.uint8), fps=10)
    [r] = ingest(tmp_path / "src", tmp_path / "out", use_ray=True, ray_address="127.0.0.1:1", progress=False)
    assert r["status"] == "done" and "--ray-address 127.0.0.1:1 not used: 1 segment(s) to ingest" in capsys.readouterr().err
    [r] = ingest(tmp_path / "src", tmp_path / "out", use_ray=True, ray_address="127.0.0.1:1", progress=False)
    assert r["status"] == "skipped" and "0 segment(s) to ingest" in capsys.readouterr().err


def test_crop_resize_and_plain_video_without_pose(tmp_path):
    # a 4:3 video of three horizontal bands: red rows 0-29, green 30-89, blue 90-119 of 120.
    # Covering 128x256 scales by 256/160 = 1.6 to 192x256, bands end at rows 48 and 144, and the
    # centre crop keeps rows 32-160: red 0-16, green 16-112, blue 112-128 in the output.
    rng = np.random.default_rng(5)
    n = int(rng.integers(10, 20))
    frame = np.zeros((120, 160, 3), np.uint8)
    frame[:30, :, 0] = frame[30:90, :, 1] = frame[90:, :, 2] = 255
    write_video(tmp_path / "src/clip.mp4", np.repeat(frame[None], n, 0), fps=15)
    [r] = ingest(tmp_path / "src", tmp_path / "out", use_ray=False, progress=False)
    assert r["status"] == "done", r
    with h5py.File(tmp_path / f"out/{r['id']}.h5") as f:
        frames = f["frames"][:]
        assert frames.shape == (n, 128, 256, 3) and frames.dtype == np.uint8
        assert not f.attrs["has_pose"] and f.attrs["frame_count"] == n and f.attrs["fps"] == 15
        np.testing.assert_allclose(f["frame_times"][:], np.arange(n) / 15)
        assert (f["pose"][:] == 0).all() and (f["disengage"][:] == 0).all()
    mean = frames.astype(float).mean(axis=(0, 2))  # (128, 3) per-row colour
    for rows, channel in ((slice(2, 13), 0), (slice(20, 108), 1), (slice(116, 126), 2)):
        assert (mean[rows, channel] > 200).all() and (np.delete(mean[rows], channel, 1) < 60).all()


def test_rerun_skips_and_pose_speed_of_straight_drive(tmp_path):
    src, out = tmp_path / "src", tmp_path / "out"
    truth = write_tiny_segment(src / "route|2018-01-01--00-00-00/3", n=24, seed=7)
    [r] = ingest(src, out, use_ray=False, progress=False)
    assert r["id"].startswith("route_2018-01-01--00-00-00_3-") and r["frames"] == 24
    shard = out / f"{r['id']}.h5"
    with h5py.File(shard) as f:
        np.testing.assert_allclose(f["pose"][:, 0], truth["speed"] / 20, rtol=1e-5)
        np.testing.assert_allclose(f["pose"][:, 1:], 0, atol=1e-5)
        np.testing.assert_allclose(f["speed"][:], truth["speed"], rtol=1e-6)
        assert f.attrs["checksum"] == "sha256:" + hashlib.sha256((src / r["path"].split("/src/")[1] / "video.hevc").read_bytes()).hexdigest()
        got, want = f["frames"][:].astype(int), _resized(truth["frames"]).astype(int)
    err, unrelated = np.abs(got - want).mean(), np.abs(got - np.roll(want, 1, axis=0)).mean()
    assert err < 0.25 * unrelated  # HEVC's 4:2:0 chroma and resampling blur the block edges
    before = file_state(shard)
    [again] = ingest(src, out, use_ray=False, progress=False)
    assert again["status"] == "skipped" and file_state(shard) == before
    # other options are another shard: a re-run with a new frame size (or --fps) kept the old one, silently; then replaced
    # it, or (other inputs) mixed two sizes in one folder, which the loaders took one of by name (session 51): refused
    from data.ingest import IngestError
    with pytest.raises(IngestError, match=r"holds frame shards of 128x256 .*--height 64 --width 128 would replace them"):
        ingest(src, out, height=64, width=128, use_ray=False, progress=False)
    assert file_state(shard) == before
    [other] = ingest(src, tmp_path / "out64", height=64, width=128, use_ray=False, progress=False)
    with h5py.File(tmp_path / "out64" / shard.name) as f:
        assert other["status"] == "done" and f["frames"].shape == (24, 64, 128, 3)


def test_a_segment_folder_of_any_video_suffix_keeps_its_logs(tmp_path):
    """A folder with processed_log/ and a video.mov (or .avi, .webm, ...) but no global_pose/ went in as a plain video,
    its logs dropped without a word; a video.mp4 there was refused. Every suffix ingest reads counts as a segment's."""
    from data.ingest import VIDEO_SUFFIXES
    from data.layout import SEGMENT_VIDEOS
    assert {v.removeprefix("video") for v in SEGMENT_VIDEOS} == VIDEO_SUFFIXES
    rng = np.random.default_rng(17)
    for suffix in (".mov", ".mp4"):
        seg = tmp_path / f"src{suffix}" / "seg"
        write_video(seg / f"video{suffix}", rng.integers(0, 256, (6, 32, 64, 3), dtype=np.uint8))
        save(seg / "processed_log/CAN/speed/t", np.arange(6) / 20.0)
        save(seg / "processed_log/CAN/speed/value", np.full((6, 1), 10.0))
        [r] = ingest(tmp_path / f"src{suffix}", tmp_path / f"out{suffix}", use_ray=False, progress=False)
        assert r["status"] == "error" and "missing global_pose/frame_times" in r["reason"], (suffix, r)


def test_a_one_frame_segment_has_the_layouts_rate(tmp_path, capsys):
    """A segment of one frame (data.record --seconds 0.05 writes one) got fps 0: its rate came from frame_times alone,
    and one frame time gives none (train-world then refused the shard as "recorded at 0 fps")."""
    write_tiny_segment(tmp_path / "src/r/0", n=1)
    [r] = ingest(tmp_path / "src", tmp_path / "out", use_ray=False, progress=False)
    with h5py.File(tmp_path / f"out/{r['id']}.h5") as f:
        assert r["status"] == "done" and f.attrs["fps"] == 20.0 and f["frame_times"][:].tolist() == [0.0]
    [r] = ingest(tmp_path / "src", tmp_path / "out25", use_ray=False, progress=False, fps=25.0)   # --fps, where given
    with h5py.File(tmp_path / f"out25/{r['id']}.h5") as f:
        assert f.attrs["fps"] == 25.0
    # it times nothing else in a segment folder: said (the shards were rewritten with it, without a word)
    assert "note: --fps 25 times plain videos (and a segment of one frame)" in capsys.readouterr().err


def test_rerun_reports_the_frames_it_kept(tmp_path, capsys):
    """A re-run of finished work printed "frames": 0, as if the shards were empty: now the frames in them."""
    from data.ingest import main
    write_tiny_segment(tmp_path / "src/r/0", n=12)
    write_tiny_segment(tmp_path / "src/r/1", n=8, seed=1)
    lines = []
    for _ in range(2):
        assert main([str(tmp_path / "src"), "--out", str(tmp_path / "out"), "--no-ray"]) == 0
        lines.append(json.loads(capsys.readouterr().out.strip().splitlines()[-1]))
    assert [(r["ingested"], r["skipped"], r["frames"]) for r in lines] == [(2, 0, 20), (0, 2, 20)]


def test_on_off_signals_are_not_interpolated(tmp_path):
    """A lead car that leaves between two samples (a log on its own clock) read present 0.5 at half its gap."""
    seg = tmp_path / "src/s/0"
    write_tiny_segment(seg, n=20)
    t = np.arange(20) / 20.0 + 0.025
    lead = np.zeros((20, 4))
    lead[:10] = [1.0, 30.0, 2.0, 5.0]   # present for the first half-second, then gone (zeros, as the recorder writes)
    lane = np.zeros((20, 5))
    lane[:, 0] = np.linspace(-0.5, 0.5, 20)
    lane[5:12, 4] = -1                  # left blinker
    for name, value in (("lead", lead), ("lane", lane)):
        save(seg / f"{name}/t", t)
        save(seg / f"{name}/value", value)
    [r] = ingest(tmp_path / "src", tmp_path / "out", use_ray=False, progress=False)
    with h5py.File(tmp_path / f"out/{r['id']}.h5") as f:
        got_lead, got_lane = f["lead"][:], f["lane"][:]
    assert set(got_lead[:, 0]) == {0.0, 1.0} and set(got_lane[:, 4]) == {0.0, -1.0}
    assert ((got_lead[:, 0] == 1) == (got_lead[:, 1] == 30)).all()      # a present car at its gap, an absent one at none
    linear = np.interp(np.arange(20) / 20.0, t, lane[:, 0])   # the rest: linear, except where the blinker flips
    flips = [5, 12]                                          # between two samples: there the nearer sample's row
    np.testing.assert_allclose(np.delete(got_lane[:, 0], flips), np.delete(linear, flips), atol=1e-6)
    np.testing.assert_allclose(got_lane[flips, 0], lane[[4, 11], 0], atol=1e-6)


def _resized(frames: np.ndarray) -> np.ndarray:
    """Reference for a 32x64 input: 4x nearest upscale to (N, 128, 256, 3), same aspect, no crop."""  # (N, 128, 256, 3)
    return frames.repeat(4, axis=1).repeat(4, axis=2)


def test_find_segments_and_ids(tmp_path):
    (tmp_path / "a|b/1/global_pose").mkdir(parents=True)
    (tmp_path / "a|b/1/video.hevc").write_bytes(b"")
    (tmp_path / "a|b/1/extra.mp4").write_bytes(b"")  # inside a segment: not a separate input
    (tmp_path / "clips").mkdir()
    (tmp_path / "clips/x.MKV").write_bytes(b"")
    (tmp_path / "clips/y.txt").write_bytes(b"")
    found = find_segments(tmp_path)
    assert found == [tmp_path / "a|b/1", tmp_path / "clips/x.MKV"]
    assert [segment_id(p, tmp_path).rsplit("-", 1)[0] for p in found] == ["a_b_1", "x.MKV"]  # a plain video: its name
    (tmp_path / "a|b/.1.tmp-host-123").mkdir()  # a killed run's temp folder is not an input
    (tmp_path / "a|b/.1.tmp-host-123/video.hevc").write_bytes(b"")
    assert find_segments(tmp_path) == found
    with pytest.raises(FileNotFoundError, match="nowhere"):
        find_segments(tmp_path / "nowhere")


def test_find_segments_follows_links_and_tells_clips_from_segments(tmp_path):
    """A linked route folder was skipped (os.walk does not follow links), a link to a file outside the source crashed
    the run, and a folder of clips with one named video.mp4 became one segment, hiding the other clips."""
    store, src = tmp_path / "store", tmp_path / "src"
    (store / "d|2020-01-01--10-00-00/0/global_pose").mkdir(parents=True)
    (store / "d|2020-01-01--10-00-00/0/video.hevc").write_bytes(b"")
    (store / "far.mp4").write_bytes(b"")
    for clip in ("trip/video.mp4", "trip/clip1.mp4", "trip/day2/clip3.mp4", "lone/video.mp4", "lone/more/x.mp4"):
        (src / clip).parent.mkdir(parents=True, exist_ok=True)
        (src / clip).write_bytes(b"")
    (src / "route").symlink_to(store / "d|2020-01-01--10-00-00")
    (src / "far.mp4").symlink_to(store / "far.mp4")
    (src / "loop").symlink_to(src)  # a cycle is walked once
    found = [str(p.relative_to(src)) for p in find_segments(src)]
    assert found == ["far.mp4", "lone", "lone/more/x.mp4", "route/0", "trip/clip1.mp4", "trip/day2/clip3.mp4", "trip/video.mp4"]
    ids = [segment_id(p, src).rsplit("-", 1)[0] for p in find_segments(src)]
    assert ids[:1] == ["far.mp4"] and ids[3] == "route_0" and route_of(src / "route/0", src) == "d|2020-01-01--10-00-00"
    assert route_of(src / "far.mp4", src) == route_of(store / "far.mp4", store) == "far"
    # links named otherwise than their targets (git-annex, DVC): the name as reached counts; the routes came from the
    # targets' hashed names, one drive on both sides of the split, and shards took the hashed names
    (store / "SHA256E-s1--aaa.mp4").write_bytes(b""); (store / "SHA256E-s2--bbb.mp4").write_bytes(b"")
    (store / "seg_a/global_pose").mkdir(parents=True); (store / "seg_b/global_pose").mkdir(parents=True)
    (src / "drv").mkdir(); (src / "drv/drive--0.mp4").symlink_to(store / "SHA256E-s1--aaa.mp4")
    (src / "drv/drive--1.mp4").symlink_to(store / "SHA256E-s2--bbb.mp4")
    assert [route_of(src / f"drv/drive--{n}.mp4", src) for n in "01"] == ["drive", "drive"]
    (store / "drive--0.mp4").write_bytes(b""); (store / "drive--1.mp4").write_bytes(b""); (store / "rt--3").mkdir()
    (store / "rt--3/fcamera.hevc").write_bytes(b"")
    for n in "01": (src / f"drv/clip_{n}.mp4").symlink_to(store / f"drive--{n}.mp4")   # plain link names: the targets' say
    (src / "drv/cam.hevc").symlink_to(store / "rt--3/fcamera.hevc")
    assert [route_of(src / f"drv/clip_{n}.mp4", src) for n in "01"] + [route_of(src / "drv/cam.hevc", src)] == ["drive", "drive", "rt"]
    assert segment_id(src / "drv/drive--0.mp4", src).startswith("drive--0.mp4-")
    (src / "c2k|2018-08-02--08-34-47").mkdir()
    for n, seg in (("0", "seg_a"), ("1", "seg_b")): (src / "c2k|2018-08-02--08-34-47" / n).symlink_to(store / seg)
    assert {route_of(src / f"c2k|2018-08-02--08-34-47/{n}", src) for n in "01"} == {"c2k|2018-08-02--08-34-47"}
    (src / "lone_seg").symlink_to(store / "d|2020-01-01--10-00-00/0")   # a link named otherwise to a segment of a drive: the target's drive
    assert route_of(src / "lone_seg", src) == "d|2020-01-01--10-00-00"
    # a GoPro's chapters of one recording are one route (each was its own: chapter 1 held out, chapter 2 trained on)
    (src / "100GOPRO").mkdir()
    for n in ("GH010123.MP4", "GH020123.MP4", "GX010456.MP4", "gx020456.mp4", "GOPR0789.MP4", "GP010789.MP4", "GH0123.MP4"): (src / "100GOPRO" / n).write_bytes(b"")
    assert [route_of(src / "100GOPRO" / n, src) for n in ("GH010123.MP4", "GH020123.MP4", "GX010456.MP4", "gx020456.mp4", "GOPR0789.MP4", "GP010789.MP4", "GH0123.MP4")] == \
           ["GoPro-0123", "GoPro-0123", "GoPro-0456", "GoPro-0456", "GoPro-0789", "GoPro-0789", "GH0123"]


def test_ray_ingest_of_a_linked_source_with_a_linked_folder_matches_the_local_one(tmp_path):
    """On Ray the tasks got the source resolved and the segment under the link: a ValueError from inside the path
    arithmetic, outside the per-segment error handling, failed the whole run (exit 2, nothing written; --no-ray worked)."""
    write_tiny_segment(tmp_path / "raw/0", seed=1)
    write_tiny_segment(tmp_path / "ext/9", seed=2)
    (tmp_path / "raw/ext").symlink_to(tmp_path / "ext")
    (tmp_path / "srclink").symlink_to(tmp_path / "raw")
    on_ray = ingest(tmp_path / "srclink", tmp_path / "a", use_ray=True, progress=False)
    local = ingest(tmp_path / "srclink", tmp_path / "b", use_ray=False, progress=False)
    assert [(r["status"], r["id"], r["frames"]) for r in on_ray] == [(r["status"], r["id"], r["frames"]) for r in local]
    assert [r["status"] for r in on_ray] == ["done", "done"] and sorted(p.name for p in (tmp_path / "a").glob("*.h5")) == \
        sorted(p.name for p in (tmp_path / "b").glob("*.h5"))


def test_routes_group_a_drives_segments_however_they_are_named_or_handed_in(tmp_path):
    """A drive's segments share a route (the train/val split keeps a route whole): a segment folder ingested on its own
    was its own route "0" (two drives' segment 0 then shared one), openpilot's `dongle|time--N` and `name--N.mp4` a route each."""
    drive = "Chunk_1/drvA|2018-01-01--00-00-00"
    for p in (f"c2k/{drive}/0", f"c2k/{drive}/1", "c2k/Chunk_1/drvB|2018-02-02--00-00-00/0", "op/dg|2023-07-27--13-01-19--0",
              "op/dg|2023-07-27--13-01-19--1", "rec/highway-seed3/0"):
        (tmp_path / p).mkdir(parents=True)
    (tmp_path / "vids").mkdir()
    for f in ("drive--0.mp4", "drive--1.mp4", "other.mp4"):
        (tmp_path / "vids" / f).write_bytes(b"")
    c2k = tmp_path / "c2k"
    assert {route_of(c2k / drive / n, c2k) for n in "01"} == {route_of(c2k / drive / n, c2k / drive / n) for n in "01"} \
        == {"drvA|2018-01-01--00-00-00"}
    assert route_of(c2k / "Chunk_1/drvB|2018-02-02--00-00-00/0", c2k / "Chunk_1/drvB|2018-02-02--00-00-00/0") == "drvB|2018-02-02--00-00-00"
    assert {route_of(tmp_path / f"op/dg|2023-07-27--13-01-19--{n}", tmp_path / "op") for n in "01"} == {"dg|2023-07-27--13-01-19"}
    assert [route_of(tmp_path / "vids" / f, tmp_path / "vids") for f in ("drive--0.mp4", "drive--1.mp4", "other.mp4")] == ["drive", "drive", "other"]
    assert route_of(tmp_path / "rec/highway-seed3/0", tmp_path / "rec") == "highway-seed3/0"  # no drive named: its own route
    # a recorder's segment names its drive: the same route from any folder level (given rec/highway-seed4/, the route was
    # `1`, and two recordings ingested apart shared routes 0..7); an older one without it, or a damaged file, goes by its path
    (tmp_path / "rec/highway-seed4/1").mkdir(parents=True)
    (tmp_path / "rec/highway-seed4/1/driver.json").write_text(json.dumps({"seed": 400013, "route": "highway-seed4/1"}))
    assert {route_of(tmp_path / "rec/highway-seed4/1", tmp_path / d) for d in ("rec", "rec/highway-seed4", "rec/highway-seed4/1")} \
        == {"highway-seed4/1"}
    # a `|` in a folder above the data is no drive unless it is comma's `dongle|time`: every video under `vids|2024`
    # was one route, and nothing was held out (a review)
    for d in ("a", "b"): (tmp_path / f"vids|2024/{d}").mkdir(parents=True); (tmp_path / f"vids|2024/{d}/video.hevc").write_bytes(b"")
    assert [route_of(tmp_path / f"vids|2024/{d}", tmp_path / "vids|2024") for d in "ab"] == ["a", "b"]   # (segment folders)
    nd = tmp_path / "op3/a2a0ccea32023010|00000008--0e8e8ff7e7/3"   # newer openpilot route names: counter--hash, no date
    nd.mkdir(parents=True); (nd / "fcamera.hevc").write_bytes(b"")
    assert route_of(nd / "fcamera.hevc", tmp_path / "op3") == route_of(nd, tmp_path / "op3") == "a2a0ccea32023010|00000008--0e8e8ff7e7"
    (tmp_path / "rec/highway-seed4/1/driver.json").write_text("[1, 2")
    assert route_of(tmp_path / "rec/highway-seed4/1", tmp_path / "rec/highway-seed4") == "1"
    # openpilot's on-device `route--N/fcamera.hevc` (every drive's fcamera was one route, its qcamera.ts another: the same
    # frames in train and val); clips in plain folders stay routes of their own (a folder can hold every drive)
    for f in ("op2/2023-01-01--12-00-00--0/fcamera.hevc", "op2/2023-01-01--12-00-00--1/qcamera.ts", "dash/day1/GH01.MP4",
              "dash/day1/GH02.MP4", "dash/day2/GH01.MP4", "dash/top.mp4"):
        (tmp_path / f).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / f).write_bytes(b"")
    assert {route_of(tmp_path / "op2" / f, tmp_path / "op2") for f in ("2023-01-01--12-00-00--0/fcamera.hevc",
            "2023-01-01--12-00-00--1/qcamera.ts")} == {"2023-01-01--12-00-00"}
    assert [route_of(tmp_path / "dash" / f, tmp_path / "dash") for f in ("day1/GH01.MP4", "day1/GH02.MP4", "day2/GH01.MP4", "top.mp4")] \
        == ["GH01", "GH02", "GH01", "top"]
    (tmp_path / "trip--2").mkdir(); (tmp_path / "trip--2/morning.mp4").write_bytes(b"")   # not openpilot's camera: its own name
    assert route_of(tmp_path / "trip--2/morning.mp4", tmp_path) == "morning"
    # comma2k19 unpacked where `|` can't be in a name (`dongle_time`): each segment folder was a route of its own
    for n in "01":
        (tmp_path / f"c2k_/Chunk_1/b0c9d2329ad1606b_2018-07-27--06-03-57/{n}").mkdir(parents=True)
    (tmp_path / "op_/b0c9d2329ad1606b_2018-07-27--06-03-57--4").mkdir(parents=True)
    assert {route_of(tmp_path / f"c2k_/Chunk_1/b0c9d2329ad1606b_2018-07-27--06-03-57/{n}", tmp_path / "c2k_") for n in "01"} \
        | {route_of(tmp_path / "op_/b0c9d2329ad1606b_2018-07-27--06-03-57--4", tmp_path / "op_")} == {"b0c9d2329ad1606b|2018-07-27--06-03-57"}
    # (session 42) commaVQ 2.0's `<key>.token.npy`: the stem kept `.token`, and each segment was a route of its own
    (tmp_path / "vq").mkdir()
    for f in ("0000000000000000_2023-07-27--13-01-00--3.token.npy", "0000000000000000_2023-07-27--13-01-00--4.npy", "drive--3.token.npy", "drive--4.npy"):
        (tmp_path / "vq" / f).write_bytes(b"")
    assert [route_of(tmp_path / "vq" / f, tmp_path / "vq") for f in sorted(p.name for p in (tmp_path / "vq").iterdir())] == \
        ["0000000000000000|2023-07-27--13-01-00"] * 2 + ["drive"] * 2


def test_a_video_ingested_from_two_folders_is_one_shard_and_one_drive(tmp_path, capsys):
    """A plain video's id and route were its path under the folder ingest was given: the store, then its clips/ folder,
    gave drive--0.mp4 two shards and two routes (`clips/drive`, `drive`), so drive--0 from one run and drive--1 from the
    other were two drives, one possibly held out while the other trained. A copy elsewhere is still left out by checksum."""
    from data.dataset import shard_routes
    from test_data_video import encode
    rng = np.random.default_rng(11)
    for name in ("clips/drive--0.mp4", "clips/drive--1.mp4", "other/drive--0.mp4"):   # other/: another drive, same name
        encode(tmp_path / "store" / name, [rng.integers(0, 256, (32, 64, 3), dtype=np.uint8) for _ in range(4)])
    (tmp_path / "copy").mkdir()
    (tmp_path / "copy/drive--0.mp4").write_bytes((tmp_path / "store/clips/drive--0.mp4").read_bytes())
    out = tmp_path / "out"
    first = ingest(tmp_path / "store", out, use_ray=False, progress=False)
    again = ingest(tmp_path / "store/clips", out, use_ray=False, progress=False)
    assert [r["status"] for r in first] == ["done"] * 3 and [r["status"] for r in again] == ["skipped"] * 2
    assert {r["id"] for r in again} <= {r["id"] for r in first} and len(list(out.glob("*.h5"))) == 3
    assert segment_id(tmp_path / "store/clips/drive--1.mp4", tmp_path) == first[1]["id"]          # any root: one id
    ingest(tmp_path / "copy", out, use_ray=False, progress=False)
    source = lambda p: h5py.File(p, "r").attrs["source"].removeprefix(str(tmp_path.resolve()))  # noqa: E731
    route = {source(p): h5py.File(p, "r").attrs["route"] for p in out.glob("*.h5")}
    # a drive's segments are one route whatever the root; another drive of the same name shares it (one side of the split)
    assert route["/store/clips/drive--0.mp4"] == route["/store/clips/drive--1.mp4"] == route["/store/other/drive--0.mp4"] == "drive"
    kept, _, dups = shard_routes(sorted(out.glob("*.h5")))
    assert len(kept) == 3 and [{source(d), source(f)} for d, f in dups] == [{"/store/clips/drive--0.mp4", "/copy/drive--0.mp4"}]


def test_cli_help_and_missing_src(tmp_path):
    run = lambda *a: subprocess.run([sys.executable, "-m", "data.ingest", *a], capture_output=True, text=True,  # noqa: E731
                                    cwd=Path(__file__).parents[1])
    h = run("--help")
    assert h.returncode == 0 and "--ray-address" in h.stdout and "--out" in h.stdout
    assert h.stdout.startswith("usage: drivegpt ingest ")  # it said `python -m data.ingest`, also in `drivegpt ingest --help`
    bad = run(str(tmp_path / "missing"), "--no-ray")
    assert bad.returncode == 2 and "missing: no such file or folder" in bad.stderr


def test_same_named_videos_are_both_ingested(tmp_path, capsys):
    # before: a/video.mp4 and b/video.mp4 ingested one at a time into one folder: the second was "already done"
    rng = np.random.default_rng(8)
    clips = {}
    for name in ("a", "b"):
        clips[name] = rng.integers(0, 256, (int(rng.integers(5, 9)), 16, 32, 3), dtype=np.uint8).repeat(4, 1).repeat(4, 2)
        write_video(tmp_path / name / "video.mp4", clips[name], fps=10)
    results = [ingest(tmp_path / name / "video.mp4", tmp_path / "out", use_ray=False, progress=False)[0] for name in ("a", "b")]
    assert [r["status"] for r in results] == ["done", "done"] and results[0]["id"] != results[1]["id"]
    for r, name in zip(results, "ab"):
        with h5py.File(tmp_path / "out" / f"{r['id']}.h5") as f:
            assert f["frames"].shape[0] == len(clips[name]) and f.attrs["source"] == str((tmp_path / name / "video.mp4").resolve())


def test_raw_hevc_needs_its_frame_rate(tmp_path, capsys):
    # before: a bare .hevc stream was read at PyAV's default 25 fps
    n = int(np.random.default_rng(9).integers(8, 15))
    write_video(tmp_path / "src/clip.hevc", np.zeros((n, 32, 64, 3), np.uint8))
    [r] = ingest(tmp_path / "src", tmp_path / "out", use_ray=False, progress=False)
    print(r["reason"])
    assert r["status"] == "error" and "clip.hevc" in r["reason"] and "--fps" in r["reason"]
    [r] = ingest(tmp_path / "src", tmp_path / "out", use_ray=False, progress=False, fps=20.0)
    with h5py.File(tmp_path / f"out/{r['id']}.h5") as f:
        assert f.attrs["fps"] == 20.0
        np.testing.assert_allclose(f["frame_times"][:], np.arange(n) / 20.0)
    cli = subprocess.run([sys.executable, "-m", "data.ingest", str(tmp_path / "src"), "--out", str(tmp_path / "o2"), "--no-ray"],
                         capture_output=True, text=True, cwd=ROOT)
    print(cli.stderr)
    assert cli.returncode == 1 and "raw video stream without timing: pass --fps" in cli.stderr


def test_truncated_or_stale_shard_is_redone(tmp_path):
    src, out = tmp_path / "src", tmp_path / "out"
    write_tiny_segment(src / "r/0", seed=3)
    [r] = ingest(src, out, use_ray=False, progress=False)
    shard = out / f"{r['id']}.h5"
    with h5py.File(shard) as f:
        want = f["frames"][:]
    # before: a shard cut to 40% was "already done"
    shard.write_bytes(shard.read_bytes()[: int(shard.stat().st_size * 0.4)])
    [r] = ingest(src, out, use_ray=False, progress=False)
    assert r["status"] == "done"
    with h5py.File(shard) as f:
        np.testing.assert_array_equal(f["frames"][:], want)
    # before: a changed source was not noticed
    truth = write_tiny_segment(src / "r/0", seed=4)
    [r] = ingest(src, out, use_ray=False, progress=False)
    assert r["status"] == "done"
    with h5py.File(shard) as f:
        np.testing.assert_allclose(f["speed"][:], truth["speed"], rtol=1e-6)
    assert ingest(src, out, use_ray=False, progress=False)[0]["status"] == "skipped"


def test_one_input_keeps_one_shard_and_its_route_whatever_folder_is_handed_in(tmp_path, capsys):
    """A segment of an ingested drive folder, ingested again on its own, became a second shard of the same video under
    route "1" (not "drv/1"): the loader kept that one and the train/val split moved. Now a shard of the same input under
    another name is found (skipped if current; redone under its route if the input changed), and a second one (an
    earlier version made them) removed. A deleted input's shard, and one whose input now fails, were kept without a word."""
    src, out = tmp_path / "src", tmp_path / "out"
    for k in range(3):
        write_tiny_segment(src / f"drv/{k}", n=8, seed=k)
    first = ingest(src, out, use_ray=False, progress=False)
    names = sorted(p.name for p in out.glob("*.h5"))
    routes = lambda: sorted(h5py.File(p)["/"].attrs["route"] for p in out.glob("*.h5"))  # noqa: E731
    assert routes() == ["drv/0", "drv/1", "drv/2"]
    for alone in (src / "drv/1", src / "drv"):
        rs = ingest(alone, out, use_ray=False, progress=False)
        assert {r["status"] for r in rs} == {"skipped"} and sorted(p.name for p in out.glob("*.h5")) == names
        assert {r["id"] for r in rs} <= {r["id"] for r in first} and routes() == ["drv/0", "drv/1", "drv/2"]
    write_tiny_segment(src / "drv/1", n=8, seed=9)                  # changed, redone from its own folder: its route kept
    assert ingest(src / "drv/1", out, use_ray=False, progress=False)[0]["status"] == "done"
    assert routes() == ["drv/0", "drv/1", "drv/2"] and len(list(out.glob("*.h5"))) == 3
    shard = out / f"{first[1]['id']}.h5"
    assert not shard.exists()                                       # (redone under the name ingesting drv/1 gives it)
    [now] = [p for p in out.glob("*.h5") if p.name.endswith(first[1]["id"].rsplit("-", 1)[1] + ".h5")]
    twin = out / f"x_{now.name}"                                    # a second shard of one input, as an older version left
    shutil.copy(now, twin)
    capsys.readouterr()
    assert ingest(src, out, use_ray=False, progress=False)[1]["status"] == "skipped" and len(list(out.glob("*.h5"))) == 3
    assert f"removed {twin}: a second shard of the input of {now.name}" in capsys.readouterr().err and now.exists()
    # another input's shard whose name ends with the same eight hex digits (they collide within ~77k inputs) is not the
    # same input: its source says so, and it stays
    stranger = out / f"y_{now.name}"
    shutil.copy(now, stranger)
    with h5py.File(stranger, "r+") as f: f.attrs["source"] = str(tmp_path / "elsewhere/seg")
    assert ingest(src, out, use_ray=False, progress=False)[1]["status"] == "skipped" and stranger.exists()
    stranger.unlink()
    shutil.rmtree(src / "drv/2")
    (src / "drv/0/video.hevc").write_bytes((src / "drv/0/video.hevc").read_bytes()[:300])
    rs = ingest(src, out, use_ray=False, progress=False)
    err = capsys.readouterr().err
    assert [r["status"] for r in rs] == ["error", "skipped"] and f"its shard from before, {out / (first[0]['id'] + '.h5')}, is kept" in err
    assert f"{out / (first[2]['id'] + '.h5')}: made from {(src / 'drv/2').resolve()}, which is no longer in {src}" in err
    assert len(list(out.glob("*.h5"))) == 3                         # nothing deleted


def test_corrupt_chunk_names_shard_and_frame(tmp_path):
    from data.dataset import WindowLoader
    src, out = tmp_path / "src", tmp_path / "out"
    write_tiny_segment(src / "r/0", n=24, seed=5)
    [r] = ingest(src, out, use_ray=False, progress=False)
    shard = out / f"{r['id']}.h5"
    rng = np.random.default_rng(6)
    bad_frame = int(rng.integers(0, 24))
    with h5py.File(shard) as f:
        offset, size = f["frames"].id.get_chunk_info_by_coord((bad_frame // 4 * 4, 0, 0, 0)).byte_offset, \
            f["frames"].id.get_chunk_info_by_coord((bad_frame // 4 * 4, 0, 0, 0)).size
    data = bytearray(shard.read_bytes())
    data[offset + int(rng.integers(0, size - 4))] ^= 0xFF  # before: most such flips read back as silently wrong frames
    shard.write_bytes(bytes(data))
    with WindowLoader(out, window=24, batch_size=1, split="all") as loader:
        with pytest.raises(OSError) as e:
            next(loader.batches(1))
    print(e.value)
    assert str(shard) in str(e.value) and f"frame {bad_frame // 4 * 4}" in str(e.value)


def test_a_shard_damaged_on_disk_is_ingested_again(tmp_path, capsys):
    """A shard with one bit flipped in a frame chunk was "already done" on every re-run (its attributes were all that
    was read), so the damage the loader names was never repaired."""
    src, out = tmp_path / "src", tmp_path / "out"
    write_tiny_segment(src / "r/0", n=24, seed=5)
    [r] = ingest(src, out, use_ray=False, progress=False)
    shard = out / f"{r['id']}.h5"
    with h5py.File(shard) as f:
        want, info = f["frames"][:], f["frames"].id.get_chunk_info_by_coord((8, 0, 0, 0))
    data = bytearray(shard.read_bytes())
    data[info.byte_offset + int(np.random.default_rng(12).integers(0, info.size - 4))] ^= 0x10   # one bit
    shard.write_bytes(bytes(data))
    capsys.readouterr()
    [r] = ingest(src, out, use_ray=False, progress=False)
    assert r["status"] == "done" and f"{shard}: damaged shard" in capsys.readouterr().err
    with h5py.File(shard) as f:
        np.testing.assert_array_equal(f["frames"][:], want)
    assert ingest(src, out, use_ray=False, progress=False)[0]["status"] == "skipped"


def _kill_when(proc: subprocess.Popen, ready, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while not ready() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


def _shard_contents(path: Path) -> dict:
    with h5py.File(path) as f:
        return {**{k: f[k][:] for k in f}, **{f"attr:{k}": v for k, v in f.attrs.items() if k not in ("source", "segment")}}


def test_sigkilled_ingest_reruns_clean(tmp_path):
    from data.reaper import session_processes
    src, out = tmp_path / "src", tmp_path / "out"
    for k in range(3):
        write_tiny_segment(src / f"r/{k}", n=60, seed=k, size=(96, 192))
    cmd = [sys.executable, "-m", "data.ingest", str(src), "--out", str(out)]  # on a local Ray
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # killed as the first shard (or its temp file, which a shard is written through in one write) appears
    _kill_when(proc, lambda: any(p.name != ".lock" for p in out.glob(".*")) or any(out.glob("*.h5")) if out.exists() else False)
    assert len(list(out.glob("*.h5"))) < 3, "the kill should have come mid-run"
    (out / f".r_9-0.h5.tmp-{os.uname().nodename}-999999999").write_bytes(b"half a shard")  # a temp a kill mid-write leaves
    # before: Ray's agents of the killed driver ran on for minutes; the session's folder ends in the driver's pid
    [session] = [str(p) for p in Path("/tmp/ray").glob(f"session_*_{proc.pid}")]
    deadline = time.time() + 20
    while session_processes(session) and time.time() < deadline:
        time.sleep(0.5)
    assert session_processes(session) == []
    run = subprocess.run(cmd + ["--no-ray"], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert not [p for p in out.iterdir() if p.name.startswith(".") and p.name != ".lock"] and len(list(out.glob("*.h5"))) == 3  # no debris
    fresh = tmp_path / "fresh"
    ingest(src, fresh, use_ray=False, progress=False)
    for shard in sorted(fresh.glob("*.h5")):  # identical to a run that was never killed
        a, b = _shard_contents(shard), _shard_contents(out / shard.name)
        assert a.keys() == b.keys()
        for k in a:
            np.testing.assert_array_equal(a[k], b[k], err_msg=k)


def test_bad_runs_give_one_message_and_fail(tmp_path):
    run = lambda *a: subprocess.run([sys.executable, "-m", "data.ingest", *map(str, a)], capture_output=True, text=True, cwd=ROOT)  # noqa: E731
    (tmp_path / "empty").mkdir()
    empty = run(tmp_path / "empty", "--out", tmp_path / "o", "--no-ray")
    print(empty.stderr)
    assert empty.returncode == 1 and empty.stderr.strip() == f"error: {tmp_path / 'empty'}: no segment folders or videos found " \
        "(.3gp, .asf, .avi, .flv, .h264, .h265, .hevc, .m4v, .mkv, .mov, .mp4, .mpeg, .mpg, .ts, .webm, .wmv)"
    write_tiny_segment(tmp_path / "src/r/0")
    write_tiny_segment(tmp_path / "src/r/1", seed=1)
    (tmp_path / "file").write_text("a file where the output folder should be")  # fails even for root, unlike chmod
    bad = run(tmp_path / "src", "--out", tmp_path / "file/out", "--no-ray")
    print(bad.stderr)
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and "file/out: cannot write to the output folder" in bad.stderr


def test_unwritable_output_is_one_error(tmp_path):
    write_tiny_segment(tmp_path / "src/r/0")
    (tmp_path / "file").write_text("a file where the output folder should be")
    with pytest.raises(IngestError, match="file/out: cannot write to the output folder"):
        ingest(tmp_path / "src", tmp_path / "file" / "out", use_ray=False, progress=False)


def test_truncated_mp4_is_named(tmp_path, capsys):
    write_video(tmp_path / "src/clip.mp4", np.zeros((20, 32, 64, 3), np.uint8), fps=20)
    clip = tmp_path / "src/clip.mp4"
    clip.write_bytes(clip.read_bytes()[: clip.stat().st_size // 2])
    [r] = ingest(tmp_path / "src", tmp_path / "out", use_ray=False, progress=False)
    print(r["reason"])
    assert r["status"] == "error" and str(clip) in r["reason"] and "truncated" in r["reason"]


def test_imprecise_or_misordered_poses_are_refused(tmp_path):
    """ECEF positions saved as float32 are 0.5 m apart (0.4 m a frame of motion came out 0.28 / 0.46 / 0.47) and float32
    times of ~4.6e4 s 4 ms apart; scalar-last [x, y, z, w] quaternions pass the unit-norm check and turned forward motion
    sideways. Each ingested as "done"; each is refused now, naming the file; a good segment still ingests."""
    def run(name, change):
        seg = tmp_path / name / "src" / "seg"
        write_tiny_segment(seg, n=40, seed=3)
        change(seg)
        [r] = ingest(tmp_path / name / "src", tmp_path / name / "out", use_ray=False, progress=False)
        return r

    def f32(rel, offset=0.0):
        return lambda seg: save(seg / rel, (np.load(seg / rel) + offset).astype(np.float32))
    r = run("pos", f32("global_pose/frame_positions"))
    assert r["status"] == "error" and "frame_positions: float32 values up to" in r["reason"] and "save them as float64" in r["reason"]
    def times(seg):
        f32("global_pose/frame_times", 46408.5)(seg)
        save(seg / "processed_log/CAN/speed/t", np.load(seg / "global_pose/frame_times").astype(np.float64))
    r = run("times", times)
    assert r["status"] == "error" and "frame_times: float32 values up to 46410.4 are 0.00391 apart" in r["reason"]
    r = run("quat", lambda seg: save(seg / "global_pose/frame_orientations", np.load(seg / "global_pose/frame_orientations")[:, [1, 2, 3, 0]]))
    assert r["status"] == "error" and "forward motion is" in r["reason"] and "[w, x, y, z]" in r["reason"]
    # (session 34, a review) quaternions from ECEF to the camera, comma2k19's own wording read the other way: the forward
    # motion's size passes, its direction does not; and CAN speed in km/h, which blamed the quaternions alone
    r = run("conj", lambda seg: save(seg / "global_pose/frame_orientations", np.load(seg / "global_pose/frame_orientations") * [1, -1, -1, -1]))
    assert r["status"] == "error" and "degrees off its forward axis" in r["reason"] and "conjugate them" in r["reason"], r["reason"]
    r = run("kmh", lambda seg: save(seg / "processed_log/CAN/speed/value", np.load(seg / "processed_log/CAN/speed/value") * 3.6))
    assert r["status"] == "error" and "(1/3.6: is CAN speed in km/h? comma2k19's is m/s)" in r["reason"], r["reason"]
    # (session 45, a review) a device frame turned 180 degrees about its forward axis ([forward, left, up], ROS's) or
    # about its down axis (facing backwards, the car reversing) passed every check without CAN steering or speed: sideways,
    # up, pitch and yaw flipped, or every motion backwards, ingested as "done"
    def turned(p):   # each quaternion times p (Hamilton product): the device frame rotated by p
        def change(seg):
            q = np.load(seg / "global_pose/frame_orientations")
            w, x, y, z = q.T
            a, b, c, d = p
            save(seg / "global_pose/frame_orientations", np.stack([w*a - x*b - y*c - z*d, w*b + x*a + y*d - z*c, w*c - x*d + y*a + z*b, w*d + x*c - y*b + z*a], 1))
            shutil.rmtree(seg / "processed_log")   # a pose-only segment
        return change
    r = run("roll", turned([0, 1, 0, 0]))
    assert r["status"] == "error" and "z axis points 180 degrees from down" in r["reason"] and "[forward, right, down]" in r["reason"], r["reason"]
    for roll in (1, -1):   # (a review: 90 degrees passed or not by rounding, +4e-17 against -1e-16)
        r = run(f"roll90{roll}", turned([np.sqrt(0.5), roll * np.sqrt(0.5), 0, 0]))
        assert r["status"] == "error" and "z axis points 90 degrees from down" in r["reason"], r["reason"]
    def zero_row(seg):   # (a review: one position at the earth's centre made the median NaN, and the check passed)
        turned([0, 1, 0, 0])(seg)
        pos = np.load(seg / "global_pose/frame_positions")
        pos[5] = 0
        save(seg / "global_pose/frame_positions", pos)
    r = run("zero row", zero_row)
    assert r["status"] == "error" and "degrees from down" in r["reason"], r["reason"]
    r = run("back", turned([0, 0, 0, 1]))
    assert r["status"] == "error" and "move the car backwards" in r["reason"], r["reason"]
    assert run("poses only", turned([1, 0, 0, 0]))["status"] == "done"
    assert run("good", lambda seg: None)["status"] == "done"
    small = run("local", lambda seg: save(seg / "global_pose/frame_positions",  # float32 near the origin is precise: taken
                                          (np.load(seg / "global_pose/frame_positions") - np.load(seg / "global_pose/frame_positions")[0]).astype(np.float32)))
    assert small["status"] == "done"


def test_linked_logs_other_containers_and_a_lone_video_folder(tmp_path):
    """(1) A re-run kept a stale shard when a folder inside the segment was a symbolic link (the source hash did not
    enter it); (2) .ts (comma's qcamera.ts), .avi and .webm clips were skipped without a word; (3) a folder holding only
    video.mp4 failed "missing global_pose", though plain videos need no pose."""
    import av
    seg = tmp_path / "src" / "seg"
    write_tiny_segment(seg, n=40, seed=5)
    shutil.move(seg / "processed_log", tmp_path / "logs")
    os.symlink(tmp_path / "logs", seg / "processed_log")
    assert ingest(tmp_path / "src", tmp_path / "out", use_ray=False, progress=False)[0]["status"] == "done"
    speed = np.load(tmp_path / "logs/CAN/speed/value")
    save(tmp_path / "logs/CAN/speed/value", speed * 1.2)
    [r] = ingest(tmp_path / "src", tmp_path / "out", use_ray=False, progress=False)
    assert r["status"] == "done"
    with h5py.File(tmp_path / "out" / f"{r['id']}.h5") as f: np.testing.assert_allclose(f["speed"][:], speed[0, 0] * 1.2, rtol=1e-5)
    frames = np.random.default_rng(6).integers(0, 255, (6, 4, 8, 3), dtype=np.uint8).repeat(8, 1).repeat(8, 2)
    (tmp_path / "clips").mkdir()
    (tmp_path / "lone").mkdir()
    for path, codec in ((tmp_path / "clips/a.ts", "mpeg4"), (tmp_path / "clips/b.avi", "mpeg4"), (tmp_path / "clips/c.webm", "libvpx-vp9"),
                        (tmp_path / "lone/video.mp4", "mpeg4")):
        with av.open(str(path), "w") as c:
            s = c.add_stream(codec, rate=20)
            s.width, s.height, s.pix_fmt = 64, 32, "yuv420p"
            for fr in frames:
                for p in s.encode(av.VideoFrame.from_ndarray(fr, format="rgb24")): c.mux(p)
            for p in s.encode(): c.mux(p)
    got = ingest(tmp_path / "clips", tmp_path / "cout", use_ray=False, progress=False, height=32, width=64)
    assert sorted((Path(x["path"]).name, x["status"], x["frames"]) for x in got) == [("a.ts", "done", 6), ("b.avi", "done", 6), ("c.webm", "done", 6)]
    [lone] = ingest(tmp_path / "lone", tmp_path / "lout", use_ray=False, progress=False, height=32, width=64)
    assert (lone["status"], lone["frames"]) == ("done", 6)


def test_other_videos_in_a_segment_folder_are_named(tmp_path, capsys):
    """Session 28 (a hostile user): a segment folder's second camera and a clip in its subfolder were neither ingested nor
    named. The segment's video is ingested; the others are said."""
    seg = tmp_path / "src/seg"
    (seg / "global_pose").mkdir(parents=True)
    (seg / "extra").mkdir()
    for f in ("video.hevc", "rear_camera.mp4", "extra/clip.mp4"):
        (seg / f).write_bytes(b"")
    assert find_segments(tmp_path / "src") == [seg]
    assert "its video.hevc is ingested, not extra/clip.mp4, rear_camera.mp4" in capsys.readouterr().err


def test_a_copy_of_logs_ingested_beside_the_old_ones_is_said(tmp_path, capsys):
    """Session 28 (a hostile user): logs fixed in a copy of the raw folder and ingested into the same --out: the old shards
    stayed, unnamed, and training kept whichever shard of each video sorts first, stale or not."""
    import shutil
    write_tiny_segment(tmp_path / "old/seg/0", seed=5)
    shutil.copytree(tmp_path / "old", tmp_path / "fixed")
    save(tmp_path / "fixed/seg/0/processed_log/CAN/speed/value", np.load(tmp_path / "old/seg/0/processed_log/CAN/speed/value") * 1.1)
    assert [r["status"] for r in ingest(tmp_path / "old", tmp_path / "out", use_ray=False, progress=False)] == ["done"]
    assert "shards of one video" not in capsys.readouterr().err
    assert [r["status"] for r in ingest(tmp_path / "fixed", tmp_path / "out", use_ray=False, progress=False)] == ["done"]
    first = sorted((tmp_path / "out").glob("*.h5"))[0].name
    assert "2 shards of one video, from " in (err := capsys.readouterr().err) and f"training reads only {first}" in err


def test_a_deep_input_path_makes_a_shard_name_that_fits(tmp_path):
    """Session 28 (a hostile user): a segment 3 x 90 characters deep under the source made a shard name over 255 bytes:
    'File name too long' stopped the whole run, the segment beside it unwritten."""
    deep = tmp_path / "src" / ("a" * 90) / ("b" * 90) / ("c" * 90)
    write_tiny_segment(deep, seed=6)
    write_tiny_segment(tmp_path / "src/short", seed=7)
    results = ingest(tmp_path / "src", tmp_path / "out", use_ray=False, progress=False)
    assert [r["status"] for r in results] == ["done", "done"]
    assert max(len(p.name) for p in (tmp_path / "out").glob("*.h5")) <= 213
    assert segment_id(deep, tmp_path / "src") != segment_id(tmp_path / "src" / ("a" * 90) / ("b" * 91) / ("c" * 90), tmp_path / "src")



def test_a_broken_link_is_named_as_one(tmp_path):
    """A link whose target is gone said "unexpected FileNotFoundError: [Errno 2] No such file or directory" (a hostile
    user's dataset of links, session 30); the other inputs are still ingested."""
    (tmp_path / "src").mkdir()
    write_video(tmp_path / "src/ok.hevc", np.random.default_rng(1).integers(0, 256, (4, 32, 64, 3), dtype=np.uint8))
    (tmp_path / "src/gone.mp4").symlink_to(tmp_path / "nowhere.mp4")
    rs = ingest(tmp_path / "src", tmp_path / "out", use_ray=False, progress=False, fps=20)
    [bad] = [r for r in rs if r["status"] == "error"]
    assert f"gone.mp4: a broken link: its target {tmp_path / 'nowhere.mp4'} does not exist" in bad["reason"], bad
    assert [r["status"] for r in rs].count("done") == 1


def test_ingest_into_a_token_folder_is_refused_and_overwrites_nothing(tmp_path):
    """Token shards have their frame shards' names: ingest --out a token folder took each for a damaged frame shard
    ("ingesting it again") and overwrote every one, exit 0. Now refused, naming the folder; nothing written."""
    write_tiny_segment(tmp_path / "raw" / "seg", n=8)
    ingest(tmp_path / "raw", tmp_path / "tok", use_ray=False, progress=False)
    (shard,) = (tmp_path / "tok").glob("*.h5")
    shard.unlink()
    with h5py.File(shard, "w") as f:  # what tokenize writes there: tokens, no frames
        f.create_dataset("tokens", data=np.random.default_rng(1).integers(0, 1024, (8, 8, 16)).astype(np.int16))
    before = shard.read_bytes()
    with pytest.raises(IngestError, match=f"--out {tmp_path / 'tok'} holds token shards \\({shard.name}, made by tokenize\\)"):
        ingest(tmp_path / "raw", tmp_path / "tok", use_ray=False, progress=False)
    assert shard.read_bytes() == before and sorted(p.name for p in (tmp_path / "tok").iterdir() if p.name != ".lock") == [shard.name]
    # and a token folder whose shards have other names (another drive's tokens): frame shards went in beside them
    write_tiny_segment(tmp_path / "raw2" / "other", n=8, seed=1)
    (tmp_path / "tok" / "a_damaged.h5").write_bytes(bytes(100))  # first by name, unreadable: the next one tells
    with pytest.raises(IngestError, match="holds token shards"):
        ingest(tmp_path / "raw2", tmp_path / "tok", use_ray=False, progress=False)
    assert sorted(p.name for p in (tmp_path / "tok").iterdir() if p.name != ".lock") == ["a_damaged.h5", shard.name]


def test_a_full_disk_is_an_error_naming_the_shard_and_the_rest_go_on(tmp_path, monkeypatch):
    """Session 33 (a review on a 10 MB tmpfs): HDF5 failing a write on a full disk crashed ingest at exit (a segfault;
    no summary, the other segments never tried) and tokenize (abort). Ingest checks the space before each write (and
    streams the shard: built in memory, a 20-minute video's took 2.4 GB); tokenize builds its small shard in memory and
    writes it in one plain write, whose failure names the file. A re-run with space finishes."""
    import errno
    from collections import namedtuple
    import data.ingest as ingest_module
    from train.tokenize import write_token_shard
    src, out = tmp_path / "src", tmp_path / "out"
    for k in range(2):
        write_tiny_segment(src / f"r/{k}", n=12, seed=k)
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(ingest_module.shutil, "disk_usage", lambda p: usage(1 << 30, (1 << 30) - (20 << 20), 20 << 20))  # 20 MiB free
    res = ingest(src, out, use_ray=False, progress=False)
    assert [r["status"] for r in res] == ["error", "error"]  # both tried
    for r in res:
        assert r["reason"].startswith(f"{out / r['id']}.h5: no space left on the device: 20 MiB free in {out}, where the next")
    assert [p.name for p in out.iterdir()] in ([], [".lock"])  # no shard, no temp file
    monkeypatch.undo()
    def full(fd): raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError, match=r"No space left on device.*tok\.h5"):
        write_token_shard(tmp_path / "tok.h5", np.zeros((2, 8, 16), np.int16), {}, {})
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    monkeypatch.undo()
    from data.layout import temp_name
    (tmp_path / temp_name("tok.h5")).write_bytes(b"a temp of this process's name, left over")  # (a pid reused): overwritten
    write_token_shard(tmp_path / "tok.h5", np.zeros((2, 8, 16), np.int16), {}, {})
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert [r["status"] for r in ingest(src, out, use_ray=False, progress=False)] == ["done", "done"]


def test_a_folder_another_process_writes_into_is_refused_by_its_readers(tmp_path):
    """Session 34 (a review running commands side by side): a stage started while ingest or tokenize still wrote its input
    folder trained on the part written so far (train-world on 1 of 6 drives), without a word; two exports into one
    folder left one run's encoder beside another's decoder, both exiting 0 (tests/test_vqvae.py). Writers hold the folder's .lock while they
    write (ingest and tokenize let it go when done); readers refuse a folder another process holds, naming it."""
    from data.dataset import shard_paths
    from rl.data import load_driving_segments
    from train.world_data import load_segments
    write_tiny_segment(tmp_path / "raw" / "seg", n=8)
    ingest(tmp_path / "raw", tmp_path / "sh", use_ray=False, progress=False)   # done: the folder is free again
    assert len(shard_paths(tmp_path / "sh")) == 1

    holder = subprocess.Popen([sys.executable, "-c", "import sys; from drivegpt.nn.state import lock_folder; [lock_folder(p) for p in sys.argv[1:]]; "
                               "print('held', flush=True); import time; time.sleep(60)", *(str(tmp_path / d) for d in ("sh", "raw"))],
                              cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        busy = f"pid {holder.pid} is still writing into this folder"
        for read in (lambda: shard_paths(tmp_path / "sh"), lambda: load_driving_segments(str(tmp_path / "sh")),
                     lambda: load_segments(str(tmp_path / "sh")), lambda: ingest(tmp_path / "raw", tmp_path / "sh2", use_ray=False, progress=False)):
            with pytest.raises(ValueError, match=busy): read()
        write_tiny_segment(tmp_path / "raw3" / "seg", n=8, seed=3)   # a second writer into the folder: refused, naming the first
        with pytest.raises(ValueError, match=f"a run is already going on in this folder \\(pid {holder.pid}\\)"):
            ingest(tmp_path / "raw3", tmp_path / "sh", use_ray=False, progress=False)
    finally: holder.kill(); holder.wait()
    assert len(shard_paths(tmp_path / "sh")) == 1   # free again once the writer is gone
    # (a review of the fix) a lock on a folder inside the one read, or around it, was not seen: readers search subfolders
    (tmp_path / "top" / "sub").mkdir(parents=True)
    holder = subprocess.Popen([sys.executable, "-c", "import sys; from drivegpt.nn.state import lock_folder; lock_folder(sys.argv[1]); "
                               "print('held', flush=True); import time; time.sleep(60)", str(tmp_path / "top" / "sub")], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        from train.tokenize import export_commavq, import_commavq
        from rl.evaluate import recorded_seeds
        # (session 35) import-commavq and evaluate --check-seeds read a held folder too: a rollout's tokens so far, the
        # seeds of the segments a record had finished
        for read in (lambda: load_segments(str(tmp_path / "top")), lambda: find_segments(tmp_path / "top"),
                     lambda: load_driving_segments(str(tmp_path / "top" / "sub" / "deeper")), lambda: export_commavq(str(tmp_path / "top"), str(tmp_path / "npy")),
                     lambda: import_commavq(str(tmp_path / "top"), str(tmp_path / "imp")), lambda: recorded_seeds([str(tmp_path / "top")])):
            (tmp_path / "top" / "sub" / "deeper").mkdir(exist_ok=True)
            with pytest.raises(ValueError, match=f"sub: pid {holder.pid} is still writing"): read()
        assert shard_paths(tmp_path / "top") == []   # frame shards are read from the folder itself: a subfolder is not its data
    finally: holder.kill(); holder.wait()


def test_review_35_a_folder_whose_leftover_temps_cannot_be_removed_is_still_locked(tmp_path, monkeypatch):
    """Session 35 (a review of folder locks): a read-only folder holding a killed run's temp file raised a traceback from
    lock_folder (and remove_stale_temps) instead of taking the lock through its read-only handle."""
    import os, pathlib
    from data.layout import remove_stale_temps
    from drivegpt.nn.state import lock_folder, release_folder
    (tmp_path / ".ckpt.safetensors.abc123.tmp").write_bytes(b"x")
    (tmp_path / f".s.h5.tmp-{os.uname().nodename}-999999999").write_bytes(b"x")   # a dead pid's
    def refuse(self, *a, **k): raise PermissionError(30, "Read-only file system", str(self))
    monkeypatch.setattr(pathlib.Path, "unlink", refuse)
    assert lock_folder(tmp_path) is True
    release_folder(tmp_path)
    assert remove_stale_temps(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != ".lock") == sorted([".ckpt.safetensors.abc123.tmp", f".s.h5.tmp-{os.uname().nodename}-999999999"])


def test_review_35_check_seeds_reads_a_shard_or_driver_json_given_alone(tmp_path):
    """Session 35 (a review): evaluate --check-seeds given a shard file read it as a driver.json (UnicodeDecodeError)."""
    import h5py, json
    from rl.evaluate import recorded_seeds
    with h5py.File(tmp_path / "s.h5", "w") as f: f.attrs["driver"] = json.dumps({"seed": 7})
    (tmp_path / "seg").mkdir()
    (tmp_path / "seg" / "driver.json").write_text(json.dumps({"seed": 9}))
    (tmp_path / "notes.txt").write_text("x")
    assert recorded_seeds([str(tmp_path / "s.h5")]) == {7} and recorded_seeds([str(tmp_path / "seg" / "driver.json")]) == {9}
    assert recorded_seeds([str(tmp_path)]) == {7, 9}
    with pytest.raises(ValueError, match=r"notes\.txt: not a folder of recordings or shards"): recorded_seeds([str(tmp_path / "notes.txt")])


def test_review_35_a_drive_with_many_camera_drops_under_steady_video_timestamps(tmp_path):
    """Session 35 (a review at scale): each camera drop (a step in frame_times the video's steady timestamps don't show,
    kept by the README) put the video a frame behind the poses, and the 11th in a segment passed the 0.5 s limit: a
    10-hour drive with 11 drops was refused, "the video does not match the poses". A video really at another rate is
    still refused."""
    from tests.test_data_video import encode
    n, rng = 400, np.random.default_rng(35)
    frames = [np.repeat(np.repeat(rng.integers(0, 256, (4, 8, 3), dtype=np.uint8), 8, 0), 8, 1) for _ in range(n)]
    # (reviews of the fix: drops its own timestamps show were credited too, and a 21 fps video showing 19 passed; late
    # stamps, each counted as a drop for good, refused a good video)
    i = np.arange(n)
    late = i / 20.0
    late[np.linspace(30, n - 30, 11).astype(int)] += 0.03
    for name, drops, pts in (("drops", 14, i * 50), ("rate", 0, i * 45), ("shown", 19, "21 fps"), ("late", 0, i * 50)):
        seg = tmp_path / name / "seg" / "0"
        write_tiny_segment(seg, n=n)
        t = late if name == "late" else i / 20.0 + 0.05 * (i[:, None] >= np.linspace(30, n - 30, drops).astype(int)[None]).sum(1)
        for f in ("global_pose/frame_times", "processed_log/CAN/speed/t"): save(seg / f, t)
        (seg / "video.hevc").unlink()
        encode(seg / "video.mp4", frames, pts=[int(round(x * 1000 * 20 / 21)) for x in t] if isinstance(pts, str) else list(pts))
        [r] = ingest(tmp_path / name, tmp_path / f"out_{name}", use_ray=False, progress=False)
        if name in ("drops", "late"): assert r["status"] == "done" and r["frames"] == n, r
        else: assert r["status"] == "error" and "the video does not match the poses" in r["reason"], r

def test_ingest_corners_a_mutation_test_found(tmp_path, capsys):
  """A shard whose `complete` attribute is false is made again on a re-run (not skipped); a takeover two frames after
  the last frame is outside the video and left out (said), not clamped onto the last frame; one dropped frame (a 2x
  step) is warned about; a live process's temp file is not a stale one."""
  from data.layout import save_array, remove_stale_temps, temp_name
  from data.ingest import _check_frame_times
  src, out = tmp_path / "src", tmp_path / "out"
  write_tiny_segment(src / "r/0", n=20)                                    # frames at 0.00 .. 0.95 s
  save_array(src / "r/0/disengage/t", np.array([0.5, 1.05]))
  save_array(src / "r/0/disengage/cause", np.array(["ttc", "heading"]))
  save_array(src / "r/0/disengage/lead_time", np.array([1.0, 1.0]))
  [r] = ingest(src, out, use_ray=False, progress=False)
  with h5py.File(out / f"{r['id']}.h5") as f: assert np.nonzero(f["disengage"][:])[0].tolist() == [10]
  assert "outside the video" in capsys.readouterr().err
  with h5py.File(out / f"{r['id']}.h5", "r+") as f: f.attrs["complete"] = False   # a shard not finished
  [r2] = ingest(src, out, use_ray=False, progress=False)
  assert r2["status"] == "done", r2
  capsys.readouterr()
  _check_frame_times(np.array([0, .05, .10, .20, .25]), "v")
  assert "gap" in capsys.readouterr().err
  live = tmp_path / temp_name("seg.h5"); live.write_bytes(b"x")             # this (live) process's temp
  assert remove_stale_temps(tmp_path) == [] and live.exists()


def test_a_folder_of_clips_in_other_containers_is_ingested_whole(tmp_path):
    """A review's finding: a folder's .wmv, .mpg, .flv and .3gp clips were skipped without a word (the suffix list did not
    name them), though ingest read a .wmv handed to it alone. Each is a plain video now, all its frames."""
    import av
    from fractions import Fraction
    clips = (("a.mp4", "mp4", "mpeg4"), ("b.wmv", "asf", "mpeg4"), ("c.mpg", "mpeg", "mpeg2video"), ("d.flv", "flv", "flv"), ("e.3gp", "3gp", "mpeg4"))
    (tmp_path / "clips").mkdir()
    for k, (name, fmt, codec) in enumerate(clips):
        with av.open(str(tmp_path / "clips" / name), "w", format=fmt) as c:
            s = c.add_stream(codec, rate=20)
            s.width, s.height, s.pix_fmt = 64, 32, "yuv420p"
            for i in range(30):
                f = av.VideoFrame.from_ndarray(np.full((32, 64, 3), (i * 5 + k * 40) % 250, np.uint8), format="rgb24")
                f.pts, f.time_base = i, Fraction(1, 20)
                for p in s.encode(f): c.mux(p)
            for p in s.encode(): c.mux(p)
    got = sorted((Path(r["path"]).name, r["status"], r["frames"]) for r in ingest(tmp_path / "clips", tmp_path / "out", use_ray=False, progress=False))
    assert got == [(name, "done", 30) for name, _, _ in clips], got


def test_review_40_an_output_inside_a_segment_folder_is_refused(tmp_path):
    """An --out inside the segment it ingests: the segment's hash took in its own shard and lock file, so every run
    ingested it again ("1 ingested, 0 already done" each time)."""
    write_tiny_segment(tmp_path / "src" / "seg")
    with pytest.raises(IngestError, match="is inside the segment folder"):
        ingest(tmp_path / "src" / "seg", tmp_path / "src" / "seg" / "out", use_ray=False, progress=False)
    [r] = ingest(tmp_path / "src", tmp_path / "src" / "shards", use_ray=False, progress=False)   # beside it: fine
    assert r["status"] == "done"
    [r] = ingest(tmp_path / "src", tmp_path / "src" / "shards", use_ray=False, progress=False)
    assert r["status"] == "skipped"

