"""Plain videos as they come from phones and dashcams: their own timestamps, a display rotation, non-square pixels, a
size that changes mid-stream, more than one video stream, damage. Each case is built with PyAV and checked against what
a player shows."""
import struct
import sys
from fractions import Fraction
from pathlib import Path

import av
import h5py
import numpy as np
import pytest

from data.ingest import ingest


def encode(path: Path, frames: list, fps: int = 20, pts: list | None = None, sar: Fraction | None = None, fmt: str | None = None) -> None:
    """frames: (H, W, 3) uint8 arrays (H, W even), encoded losslessly enough (crf 1) that colours survive."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w", format=fmt) as c:
        s = c.add_stream("libx264", rate=fps)
        s.height, s.width = frames[0].shape[:2]
        s.pix_fmt, s.options = "yuv420p", {"crf": "1", "preset": "ultrafast"}
        if pts is not None: s.codec_context.time_base = Fraction(1, 1000)
        if sar is not None: s.codec_context.sample_aspect_ratio = sar
        for i, img in enumerate(frames):
            f = av.VideoFrame.from_ndarray(img, format="rgb24")
            if pts is not None: f.pts, f.time_base = pts[i], Fraction(1, 1000)
            for p in s.encode(f): c.mux(p)
        for p in s.encode(): c.mux(p)


def shard(out: Path) -> tuple:
    [p] = list(out.glob("*.h5"))
    with h5py.File(p) as f: return f["frames"][:].astype(int), f["frame_times"][:], dict(f.attrs)


def red_top(h: int, w: int, rows: int) -> np.ndarray:
    img = np.zeros((h, w, 3), np.uint8)
    img[:rows, :, 0], img[rows:, :, 2] = 255, 255
    return img


def test_plain_video_keeps_its_own_timestamps(tmp_path, capsys):
    """Frame times were frame number / average rate: a clip with dropouts (0.45 s gaps) read as evenly spaced."""
    pts = [0, 50, 100, 150, 600, 650, 700, 750, 1200, 1250]
    encode(tmp_path / "src/a.mp4", [red_top(64, 64, 32)] * len(pts), pts=pts)
    [r] = ingest(tmp_path / "src", tmp_path / "out", use_ray=False, progress=False)
    assert r["status"] == "done", r
    np.testing.assert_allclose(shard(tmp_path / "out")[1], np.array(pts) / 1000, atol=1e-6)
    # 16 of 25 frames lost in two holes of 9 frames: the camera's 20 fps (the stages read the runs between the holes as
    # pieces; 7.2 fps, the frames over the time, was refused by every stage as another rate)
    assert abs(shard(tmp_path / "out")[2]["fps"] - 20) < 1e-6
    assert "2 gaps between frames" in capsys.readouterr().err


def test_phone_portrait_video_is_turned_as_displayed(tmp_path):
    """A phone stores portrait video as landscape frames plus a display matrix; they went in sideways."""
    img = np.zeros((64, 96, 3), np.uint8)
    img[:, :48, 0], img[:, 48:, 2] = 255, 255            # coded: red left half, blue right half
    encode(tmp_path / "coded.mp4", [img] * 4)
    b = bytearray((tmp_path / "coded.mp4").read_bytes())
    i = b.find(b"tkhd")
    off = i + 8 + (20 if b[i + 4] == 0 else 32) + 16    # the track header's 3x3 display matrix
    b[off:off + 36] = struct.pack(">9i", 0, 65536, 0, -65536, 0, 0, 0, 0, 1 << 30)  # a quarter turn, as phones write
    (tmp_path / "src").mkdir()
    (tmp_path / "src/phone.mp4").write_bytes(bytes(b))
    [r] = ingest(tmp_path / "src", tmp_path / "out", use_ray=False, progress=False)
    frames, _, a = shard(tmp_path / "out")
    # displayed 96 tall x 64 wide, turned clockwise: red on top. Covering 128x256 scales by 4 (384 x 256) and the
    # centre crop keeps rows 128-256: red above row 64, blue below (sideways it was red left, blue right)
    assert (a["video_height"], a["video_width"]) == (96, 64)
    assert (frames[:, 4:58, :, 0].mean() > 200) and (frames[:, 70:124, :, 2].mean() > 200), r


QUARTERS = np.array([[(255, 0, 0), (0, 255, 0)], [(0, 0, 255), (255, 255, 255)]], np.uint8)  # red green / blue white


@pytest.mark.parametrize("matrix,shown", [
    ((65536, 0, 0, 65536), lambda q: q),               # none, written out
    ((-65536, 0, 0, 65536), lambda q: q[:, ::-1]),      # mirrored left to right (FFmpeg's hflip; read as 180 degrees)
    ((65536, 0, 0, -65536), lambda q: q[::-1]),         # mirrored top to bottom (was ignored)
    ((-65536, 0, 0, -65536), lambda q: q[::-1, ::-1]),  # half a turn
    ((0, 65536, -65536, 0), lambda q: np.rot90(q, -1)), # a phone's quarter turn: clockwise
    ((0, -65536, 65536, 0), lambda q: np.rot90(q, 1)),  # counter-clockwise
    ((0, 65536, 65536, 0), lambda q: q.transpose(1, 0, 2)),               # a turn and a mirror: the transpose
    ((0, -65536, -65536, 0), lambda q: q[::-1, ::-1].transpose(1, 0, 2)), # and the other diagonal
])
def test_display_matrix_turns_and_mirrors(tmp_path, matrix, shown):
    """Each of a square's eight symmetries, as a display matrix: the frame comes out as that matrix maps pixel (x, y) to
    (a x + c y, b x + d y). A mirror was read from the rotation angle alone: left-right came out upside down."""
    a, b, c, d = matrix
    encode(tmp_path / "coded.mp4", [QUARTERS.repeat(32, 0).repeat(32, 1)] * 2)
    raw = bytearray((tmp_path / "coded.mp4").read_bytes())
    i = raw.find(b"tkhd")
    off = i + 8 + (20 if raw[i + 4] == 0 else 32) + 16
    raw[off:off + 36] = struct.pack(">9i", a, b, 0, c, d, 0, 0, 0, 1 << 30)
    (tmp_path / "src").mkdir()
    (tmp_path / "src/cam.mp4").write_bytes(bytes(raw))
    [r] = ingest(tmp_path / "src", tmp_path / "out", use_ray=False, progress=False, height=64, width=64)
    frame = shard(tmp_path / "out")[0][0]
    got = (frame[16::32, 16::32] > 128) * 255
    assert (got == shown(QUARTERS)).all(), (r, got.tolist())


def test_pixel_aspect_and_a_size_change_mid_stream(tmp_path):
    """Anamorphic pixels were read square, and frames after a size change were squeezed into the first size's crop."""
    # 48x64 coded with 4:3 pixels is 64x64 displayed; covering 128x256 scales it by 4 and crops rows 64-192: red rows
    # 0-23 become 0-96 scaled, 0-32 in the output (read as square pixels, 0-21)
    encode(tmp_path / "src/ana.mp4", [red_top(64, 48, 24)] * 4, sar=Fraction(4, 3))
    encode(tmp_path / "a.h264", [red_top(48, 64, 24)] * 4, fmt="h264")     # 4:3, red top half
    encode(tmp_path / "b.h264", [red_top(64, 64, 16)] * 4, fmt="h264")     # square, red top quarter: cropped away
    (tmp_path / "mix/cam.h264").parent.mkdir()
    (tmp_path / "mix/cam.h264").write_bytes((tmp_path / "a.h264").read_bytes() + (tmp_path / "b.h264").read_bytes())
    ingest(tmp_path / "src", tmp_path / "out", use_ray=False, progress=False)
    frames = shard(tmp_path / "out")[0]
    assert frames[:, 22:28, :, 0].mean() > 200 and frames[:, 40:, :, 2].mean() > 200   # square pixels: red to row ~21
    [r] = ingest(tmp_path / "mix", tmp_path / "out2", use_ray=False, progress=False, fps=20)
    frames, _, _ = shard(tmp_path / "out2")
    assert len(frames) == 8 and frames[:4, :56, :, 0].mean() > 200, r                # 4:3 part: red to row 64
    assert frames[4:, 6:, :, 0].max() < 60 and frames[4:, 6:, :, 2].mean() > 200      # squeezed: red in rows 0-16


def test_damaged_video_and_extra_streams_are_said(tmp_path, capsys):
    """A truncated stream's half-decoded last frame went in as a frame; a second video stream went unmentioned."""
    encode(tmp_path / "whole.h264", [np.random.default_rng(i).integers(0, 256, (64, 64, 3), dtype=np.uint8) for i in range(12)], fmt="h264")
    data = (tmp_path / "whole.h264").read_bytes()
    (tmp_path / "cut").mkdir()
    (tmp_path / "cut/cam.h264").write_bytes(data[:int(len(data) * 0.6)])
    [r] = ingest(tmp_path / "cut", tmp_path / "out", use_ray=False, progress=False, fps=20)
    assert r["status"] == "error" and "cam.h264: truncated or corrupt video: 8 frames in the stream, 7 decoded" in r["reason"], r
    (tmp_path / "two").mkdir()
    with av.open(str(tmp_path / "two/dual.mp4"), "w") as c:
        rear, front = (c.add_stream("libx264", rate=20) for _ in range(2))
        for s, (h, w) in ((rear, (32, 64)), (front, (64, 128))): s.height, s.width, s.pix_fmt = h, w, "yuv420p"
        for _ in range(3):
            for s in (rear, front):
                for p in s.encode(av.VideoFrame.from_ndarray(np.zeros((s.height, s.width, 3), np.uint8), format="rgb24")): c.mux(p)
        for s in (rear, front):
            for p in s.encode(): c.mux(p)
    [r] = ingest(tmp_path / "two", tmp_path / "out3", use_ray=False, progress=False)
    assert r["status"] == "done" and "2 video streams; ingesting the first (#0 64x32), not #1 128x64" in capsys.readouterr().err


def test_damaged_bytes_or_a_cut_container_are_errors(tmp_path):
    """Garbage in the middle of an HEVC stream, or its last bytes cut, decoded without a word (FFmpeg only logged it,
    frames up to 140 levels off); an MP4 or MKV cut to 70% ingested its first 39 of 60 frames as the whole video."""
    from data.video import VideoError, decode_frames, write_video
    rng = np.random.default_rng(0)
    frames = rng.integers(0, 256, (20, 64, 128, 3), dtype=np.uint8)
    write_video(tmp_path / "v.hevc", frames)
    good = (tmp_path / "v.hevc").read_bytes()
    assert sum(len(b[0]) for b in list(decode_frames(tmp_path / "v.hevc", 64, 128))[1:]) == 20   # intact: every frame
    for name, bad in (("cut.hevc", good[:int(len(good) * 0.67)]), ("mid.hevc", good[:len(good) // 3] + rng.bytes(64) + good[len(good) // 3 + 64:])):
        (tmp_path / name).write_bytes(bad)
        with pytest.raises(VideoError, match=f"{name}: truncated or corrupt video"): list(decode_frames(tmp_path / name, 64, 128))
    for name, opts in (("c.mp4", {"movflags": "faststart"}), ("c.mkv", {})):
        with av.open(str(tmp_path / name), "w", options=opts) as c:
            s = c.add_stream("libx264", rate=20)
            s.width, s.height, s.pix_fmt = 128, 64, "yuv420p"
            for f in frames:
                for p in s.encode(av.VideoFrame.from_ndarray(f, format="rgb24")): c.mux(p)
            for p in s.encode(): c.mux(p)
        assert sum(len(b[0]) for b in list(decode_frames(tmp_path / name, 64, 128))[1:]) == 20
        (tmp_path / f"cut_{name}").write_bytes((tmp_path / name).read_bytes()[:int((tmp_path / name).stat().st_size * 0.7)])
        with pytest.raises(VideoError, match=f"cut_{name}: truncated or corrupt video"): list(decode_frames(tmp_path / f"cut_{name}", 64, 128))
    # a long MKV (60 s) cut by 1.5% of its bytes: 0.9 s gone, under the 2% of its length the check allowed (up to 12 s of
    # a 10-minute video went missing without a word)
    with av.open(str(tmp_path / "long.mkv"), "w") as c:
        s = c.add_stream("libx264", rate=20, options={"g": "20"})
        s.width, s.height, s.pix_fmt = 32, 16, "yuv420p"
        for f in rng.integers(0, 256, (1200, 16, 32, 3), dtype=np.uint8):
            for p in s.encode(av.VideoFrame.from_ndarray(f, format="rgb24")): c.mux(p)
        for p in s.encode(): c.mux(p)
    assert sum(len(b[0]) for b in list(decode_frames(tmp_path / "long.mkv", 16, 32))[1:]) == 1200
    (tmp_path / "cut_long.mkv").write_bytes((tmp_path / "long.mkv").read_bytes()[:int((tmp_path / "long.mkv").stat().st_size * 0.985)])
    with pytest.raises(VideoError, match="cut_long.mkv: truncated or corrupt video: frames to 59"): list(decode_frames(tmp_path / "cut_long.mkv", 16, 32))
    # whole, its first frame at 0.6 s: the container's duration counts from 0, and the 0.6 s before the first frame read as
    # missing at the end (a review of the 0.5 s slack)
    encode(tmp_path / "late.mkv", list(rng.integers(0, 256, (1200, 16, 32, 3), dtype=np.uint8)), pts=[600 + 50 * i for i in range(1200)], fmt="matroska")
    with av.open(str(tmp_path / "late.mkv")) as c: assert c.streams.video[0].frames == 0 and c.duration / 1e6 > 60.5   # (the case)
    assert sum(len(b[0]) for b in list(decode_frames(tmp_path / "late.mkv", 16, 32))[1:]) == 1200
    # cut on a packet boundary: refused, late-starting or not, in Matroska and FLV (whose duration leaves the start out),
    # also where the frames left fill whole batches (480: the check read only the last batch's times, and skipped)
    frames = list(rng.integers(0, 256, (600, 16, 32, 3), dtype=np.uint8))
    for name, fmt, start in (("a.mkv", "matroska", 0), ("b.mkv", "matroska", 5000), ("c.flv", "flv", 5000)):
        encode(tmp_path / name, frames, pts=[start + 50 * i for i in range(600)], fmt=fmt)
        with av.open(str(tmp_path / name)) as c: pos = [p.pos for p in c.demux(c.streams.video[0]) if p.size]
        assert sum(len(b[0]) for b in list(decode_frames(tmp_path / name, 16, 32))[1:]) == 600
        for k in (480, 481, 320):
            (tmp_path / f"cut_{name}").write_bytes((tmp_path / name).read_bytes()[:pos[k]])
            with pytest.raises(VideoError, match=f"cut_{name}: truncated or corrupt video"): list(decode_frames(tmp_path / f"cut_{name}", 16, 32))


def test_an_mp4_trimmed_by_its_edit_list_gives_the_frames_it_shows(tmp_path):
    """A lossless trim writes an edit list that starts after frame 0: players show frames 5..39, and ingest refused the
    file as "truncated or corrupt video: 40 frames in the stream, 35 decoded" (the trimmed packets were counted)."""
    from data.video import decode_frames
    levels = np.random.default_rng(3).permutation(np.arange(20, 240, 5))[:40]
    encode(tmp_path / "full.mp4", [np.full((32, 64, 3), v, np.uint8) for v in levels])
    b = bytearray((tmp_path / "full.mp4").read_bytes())
    j = b.find(b"mdhd")
    timescale = struct.unpack(">I", b[j + 4 + 4 + (8 if b[j + 4] == 0 else 16):][:4])[0]
    i = b.find(b"elst")
    assert b[i + 4] == 0   # version 0: 32-bit segment duration and media time
    struct.pack_into(">Ii", b, i + 12, 1750, 5 * timescale // 20)   # show 35 frames (1.75 s) from frame 5
    (tmp_path / "trimmed.mp4").write_bytes(bytes(b))
    got = np.concatenate([f for f, _, _ in list(decode_frames(tmp_path / "trimmed.mp4", 32, 64))[1:]])
    assert len(got) == 35
    np.testing.assert_allclose(got.reshape(35, -1).mean(1), levels[5:], atol=3)


def test_a_raw_hevc_cut_inside_its_last_frame_is_an_error(tmp_path):
    """The recorder's raw HEVC cut inside its last frame decoded that frame concealed (up to 74 levels off) in 17 of 19
    cuts: FFmpeg's HEVC decoder does not notice, and the cut takes the frame's picture hash (after its slices) with it."""
    from data.video import VideoError, decode_frames, write_video
    frames = np.random.default_rng(13).integers(0, 256, (10, 16, 32, 3), dtype=np.uint8).repeat(4, 1).repeat(4, 2)
    write_video(tmp_path / "v.hevc", frames)
    data = (tmp_path / "v.hevc").read_bytes()
    with av.open(str(tmp_path / "v.hevc")) as c:
        last = [p.size for p in c.demux(c.streams.video[0]) if p.size][-1]
    assert sum(len(b[0]) for b in list(decode_frames(tmp_path / "v.hevc", 64, 128))[1:]) == 10   # whole: every frame
    for frac in (0.1, 0.5, 0.9):
        (tmp_path / "cut.hevc").write_bytes(data[:len(data) - last + int(frac * last)])
        with pytest.raises(VideoError, match="cut.hevc: truncated or corrupt video"):
            list(decode_frames(tmp_path / "cut.hevc", 64, 128))


def test_an_avi_with_b_frames_keeps_its_frames_times(tmp_path):
    """An AVI's B-frames carry their times in decode order (frames 1, 0, 3, 4, 2, ...): a valid file was refused ("frame
    timestamps do not increase"; with --fps 20, "its timestamps run at 21.1 fps"); as a segment's video.avi beside its
    poses' frame_times, "frames are missing from the video" (session 40)."""
    (tmp_path / "src").mkdir()
    with av.open(str(tmp_path / "src/a.avi"), "w") as c:
        s = c.add_stream("libx264", rate=20)
        s.width, s.height, s.pix_fmt = 64, 32, "yuv420p"
        s.options = {"bf": "3", "g": "12", "crf": "1", "x264-params": "b-adapt=0"}  # (B-frames throughout)
        for i in range(40):
            img = np.full((32, 64, 3), i * 6, np.uint8)
            img[:8] = ((i >> np.arange(8)) & 1).repeat(8)[None, :, None] * 255  # the index as a bar code: x264 keeps B-frames
            f = av.VideoFrame.from_ndarray(img, format="rgb24")
            f.pts = i
            for p in s.encode(f): c.mux(p)
        for p in s.encode(): c.mux(p)
    for k, fps in enumerate((None, 20)):
        [r] = ingest(tmp_path / "src", tmp_path / f"out{k}", use_ray=False, progress=False, fps=fps)
        assert r["status"] == "done", r
        frames, times, attrs = shard(tmp_path / f"out{k}")
        np.testing.assert_allclose(times, np.arange(40) / 20, atol=1e-6)
        assert np.abs(frames[:, 48:, :, 0].mean((1, 2)) - np.arange(40) * 6).max() < 3 and attrs["fps"] == 20
    seg = tmp_path / "seg/s1"
    (seg / "global_pose").mkdir(parents=True)
    (tmp_path / "src/a.avi").rename(seg / "video.avi")
    from data.pose import ecef_from_geodetic, ecef_from_ned, quat_from_rot
    ft = 100 + np.arange(40) / 20
    ned = ecef_from_ned(37.0, -122.0)   # driving north at 15 m/s, the device frame [forward, right, down] = NED
    pos = ecef_from_geodetic(37.0, -122.0, 0.0) + np.c_[15 * (ft - 100), np.zeros(40), np.zeros(40)] @ ned.T
    for name, a in (("frame_times", ft), ("frame_positions", pos), ("frame_orientations", np.tile(quat_from_rot(ned), (40, 1)))):
        with open(seg / "global_pose" / name, "wb") as f: np.save(f, a)
    [r] = ingest(tmp_path / "seg", tmp_path / "out2", use_ray=False, progress=False)
    assert r["status"] == "done" and r["frames"] == 40, r
    assert np.abs(shard(tmp_path / "out2")[0][:, 48:, :, 0].mean((1, 2)) - np.arange(40) * 6).max() < 3


def test_fps_does_not_relabel_a_container_video_of_another_rate(tmp_path):
    """--fps 20 on a 30 fps MP4 relabelled its frames: 1.5x slow motion that every later check (20 fps shards) passed."""
    encode(tmp_path / "src/clip.mp4", [np.full((32, 64, 3), i * 8, np.uint8) for i in range(30)], fps=30)
    [r] = ingest(tmp_path / "src", tmp_path / "out", use_ray=False, progress=False, fps=20)
    assert r["status"] == "error" and "clip.mp4: --fps 20, but its timestamps run at 30 fps" in r["reason"], r
    [r] = ingest(tmp_path / "src", tmp_path / "out", use_ray=False, progress=False, fps=30)   # its own rate: fine
    assert r["status"] == "done" and shard(tmp_path / "out")[2]["fps"] == 30
    # 20 fps on average, not frame by frame (40 ms steps, a 0.5 s hole, 50 ms steps): relabelled, frame 19's 0.475 s read 0.95 s
    pts = [25 * k for k in range(20)] + [1000 + 50 * k for k in range(20)]
    encode(tmp_path / "vfr/clip.mkv", [np.full((32, 64, 3), i * 6, np.uint8) for i in range(40)], pts=pts, fmt="matroska")
    [r] = ingest(tmp_path / "vfr", tmp_path / "out2", use_ray=False, progress=False, fps=20)
    assert r["status"] == "error" and "clip.mkv: --fps 20, but frame" in r["reason"] and "leave --fps out" in r["reason"], r
    [r] = ingest(tmp_path / "vfr", tmp_path / "out2", use_ray=False, progress=False)   # its own times kept
    assert r["status"] == "done" and abs(shard(tmp_path / "out2")[1][19] - 0.475) < 1e-3
    # a steady 29.97 fps minute under --fps 30 (within 1%) drifts 0.06 s from k/30 by its end: not a varying rate
    encode(tmp_path / "ntsc/clip.mkv", [np.full((32, 64, 3), 100, np.uint8)] * 1800, pts=[round(k * 1001 / 30) for k in range(1800)], fmt="matroska")
    [r] = ingest(tmp_path / "ntsc", tmp_path / "out3", use_ray=False, progress=False, fps=30)
    assert r["status"] == "done" and r["frames"] == 1800, r


def test_rate_comes_from_the_frames_times_and_a_long_last_frame_or_b_frames_are_not_truncation(tmp_path, capsys):
    """Session 26 (a hostile user): frames 1/30 s apart under a 20 fps header were labelled 20 fps (and trained on as
    20 fps frames); a complete video whose last frame lasts 400 ms, and an AVI with B-frames (times in decode order),
    were called truncated."""
    rng = np.random.default_rng(26)
    frames = [np.repeat(np.repeat(rng.integers(0, 256, (8, 8, 3), dtype=np.uint8), 8, 0), 8, 1) for _ in range(30)]
    encode(tmp_path / "a/hdr20.mkv", frames, fps=20, pts=[round(i * 1000 / 30) for i in range(30)])
    [r] = ingest(tmp_path / "a", tmp_path / "out_a", use_ray=False, progress=False)
    assert r["status"] == "done", r
    assert abs(shard(tmp_path / "out_a")[2]["fps"] - 30) < 0.05
    assert "its header says 20 fps, its frames' timestamps run at 29.99 fps" in capsys.readouterr().err
    path = tmp_path / "b/long_last.mp4"  # 40 frames 50 ms apart, the last one lasting 400 ms
    path.parent.mkdir(parents=True)
    with av.open(str(path), "w") as c:
        s = c.add_stream("libx264", rate=20)
        s.height, s.width, s.pix_fmt, s.options = 64, 64, "yuv420p", {"crf": "1", "preset": "ultrafast", "bf": "0"}
        s.codec_context.time_base = Fraction(1, 1000)
        packets = []
        for i, img in enumerate(frames + frames[:10]):
            f = av.VideoFrame.from_ndarray(img, format="rgb24")
            f.pts, f.time_base = i * 50, Fraction(1, 1000)
            packets += s.encode(f)
        packets += s.encode()
        packets[-1].duration = 400 * int(packets[-1].time_base.denominator / 1000) if packets[-1].time_base else 400
        for p in packets: c.mux(p)
    [r] = ingest(tmp_path / "b", tmp_path / "out_b", use_ray=False, progress=False)
    assert r["status"] == "done", r
    assert len(shard(tmp_path / "out_b")[0]) == 40
    encode(tmp_path / "c/b.avi", frames, fps=20)  # libx264's defaults: B-frames
    [r] = ingest(tmp_path / "c", tmp_path / "out_c", 64, 64, use_ray=False, progress=False, fps=20)
    assert r["status"] == "done", r
    got = shard(tmp_path / "out_c")[0]
    assert len(got) == 30 and np.abs(got[:, 4::8, 4::8] - np.array(frames)[:, 4::8, 4::8]).mean() < 8  # in display order


@pytest.mark.parametrize("fmt,acodec,suffix", [("matroska", "aac", "mkv"), ("webm", "libopus", "webm")])
def test_a_cut_matroska_video_with_sound_is_an_error(tmp_path, fmt, acodec, suffix):
    """An MKV or WebM with an audio track, cut at a packet boundary: Matroska declares no stream duration and the
    container's is the longest track's, so nothing was checked and half the frames ingested as the whole video. Whole,
    late-starting, or with sound running on after the video, it is not refused."""
    from data.video import VideoError, decode_frames
    rng = np.random.default_rng(31)
    n = int(rng.integers(40, 70))
    def make(path, start, audio):
        with av.open(str(path), "w", format=fmt) as c:
            v = c.add_stream("libx264" if fmt == "matroska" else "libvpx", rate=20)
            v.width, v.height, v.pix_fmt = 64, 32, "yuv420p"
            a = c.add_stream(acodec, rate=48000)
            for i in range(max(n, audio)):
                if i < n:
                    f = av.VideoFrame.from_ndarray(rng.integers(0, 256, (32, 64, 3), dtype=np.uint8), format="rgb24")
                    f.pts, f.time_base = i + start, Fraction(1, 20)
                    for p in v.encode(f): c.mux(p)
                if i < audio:
                    af = av.AudioFrame.from_ndarray(np.zeros((1, 2400), np.float32), format="fltp", layout="mono")
                    af.sample_rate, af.pts = 48000, (i + start) * 2400
                    for p in a.encode(af): c.mux(p)
            for s in (v, a):
                for p in s.encode(): c.mux(p)
    for name, start, audio in (("whole", 0, n), ("late", 100, n), ("long_sound", 0, n + 40)):
        make(tmp_path / f"{name}.{suffix}", start, audio)
        assert sum(len(b[0]) for b in list(decode_frames(tmp_path / f"{name}.{suffix}", 32, 64))[1:]) == n, name
        with av.open(str(tmp_path / f"{name}.{suffix}")) as c: assert not c.streams.video[0].duration and len(c.streams) == 2  # (the case)
        with av.open(str(tmp_path / f"{name}.{suffix}")) as c: pos = [p.pos for p in c.demux(c.streams.video[0]) if p.size]
        (tmp_path / f"cut_{name}.{suffix}").write_bytes((tmp_path / f"{name}.{suffix}").read_bytes()[:pos[n // 2]])
        with pytest.raises(VideoError, match=f"cut_{name}.{suffix}: truncated or corrupt video: frames to"):
            list(decode_frames(tmp_path / f"cut_{name}.{suffix}", 32, 64))
    if fmt != "matroska": return
    # a NUT keeps a DURATION tag as it was given (copied from a longer source by a remux): not read, the whole file passes
    with av.open(str(tmp_path / "tagged.nut"), "w", format="nut") as c:
        v = c.add_stream("libx264", rate=20)
        v.width, v.height, v.pix_fmt, v.metadata["DURATION"] = 64, 32, "yuv420p", "00:00:09.000000000"
        a = c.add_stream("aac", rate=48000)
        for i in range(n):
            f = av.VideoFrame.from_ndarray(rng.integers(0, 256, (32, 64, 3), dtype=np.uint8), format="rgb24")
            f.pts, f.time_base = i, Fraction(1, 20)
            for p in v.encode(f): c.mux(p)
            af = av.AudioFrame.from_ndarray(np.zeros((1, 2400), np.float32), format="fltp", layout="mono")
            af.sample_rate, af.pts = 48000, i * 2400
            for p in a.encode(af): c.mux(p)
        for s in (v, a):
            for p in s.encode(): c.mux(p)
    with av.open(str(tmp_path / "tagged.nut")) as c: assert c.streams.video[0].metadata.get("DURATION") == "00:00:09.000000000"  # (the case)
    assert sum(len(b[0]) for b in list(decode_frames(tmp_path / "tagged.nut", 32, 64))[1:]) == n


@pytest.mark.parametrize("fmt,suffix", [("avi", "avi"), ("asf", "wmv")])
def test_a_video_that_starts_late_is_whole_and_a_cut_one_is_not(tmp_path, fmt, suffix):
    """A first frame 0.5 s in: an AVI's frame count counts the empty index entries FFmpeg writes before it ("80 of the
    90 frames it declares"), an ASF's duration counts from 0 ("frames to 4.00 s of the 4.50 s"): both complete files were
    refused as truncated. Cut, they still are."""
    rng = np.random.default_rng(12)
    n = int(rng.integers(30, 50))
    with av.open(str(tmp_path / f"late.{suffix}"), "w", format=fmt) as c:
        s = c.add_stream("mpeg4", rate=20)
        s.width, s.height, s.pix_fmt = 64, 32, "yuv420p"
        for k in range(n):
            f = av.VideoFrame.from_ndarray(rng.integers(0, 256, (32, 64, 3), dtype=np.uint8), format="rgb24")
            f.pts, f.time_base = k + 10, Fraction(1, 20)
            for p in s.encode(f): c.mux(p)
        for p in s.encode(): c.mux(p)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / f"late.{suffix}").write_bytes((tmp_path / f"late.{suffix}").read_bytes())
    [r] = ingest(tmp_path / "src" / f"late.{suffix}", tmp_path / "out", use_ray=False, progress=False)
    assert r["status"] == "done" and r["frames"] == n, r
    data = (tmp_path / f"late.{suffix}").read_bytes()
    if fmt == "avi":  # a header's own start (strh dwStart 10): its packets' places run from 10 ("40 of the 40 frames")
        raw = bytearray(data)
        i = raw.find(b"strh") + 8
        raw[i + 28:i + 32] = struct.pack("<I", 10)
        (tmp_path / "start").mkdir()
        (tmp_path / "start" / "s.avi").write_bytes(bytes(raw))
        [r] = ingest(tmp_path / "start" / "s.avi", tmp_path / "out3", use_ray=False, progress=False)
        assert r["status"] == "done" and r["frames"] == n, r
    (tmp_path / "cut").mkdir()
    (tmp_path / "cut" / f"late.{suffix}").write_bytes(data[:len(data) // 2])
    [r] = ingest(tmp_path / "cut" / f"late.{suffix}", tmp_path / "out2", use_ray=False, progress=False)
    assert r["status"] == "error" and "truncated or corrupt" in r["reason"], r

def test_written_rate_and_a_centre_crop_of_a_wider_video(tmp_path):
  """write_video's default is the dashcam's 20 fps (layout: video.hevc at 20 fps), and decoding a wider video into a
  2:1 frame takes the centre of it (layout: centre crop + resize): with each pixel's red value its source column, a
  256-wide video read into 64 columns spans columns ~64..191. Gaps a mutation test found (30 fps; a crop from the left)."""
  import av
  from data.video import write_video, decode_frames
  for suf in ("hevc", "mp4"):
    write_video(tmp_path / f"v.{suf}", np.zeros((10, 32, 64, 3), np.uint8))
    with av.open(str(tmp_path / f"v.{suf}")) as c: assert c.streams.video[0].base_rate == 20, suf
  src = np.zeros((4, 64, 256, 3), np.uint8); src[..., 0] = np.arange(256)
  write_video(tmp_path / "w.mp4", src)
  g = decode_frames(tmp_path / "w.mp4", 32, 64); next(g)
  red = np.concatenate([b for b, _, _ in g])[0, 16, :, 0].astype(int)
  assert abs(red[0] - 64) <= 3 and abs(red[-1] - 190) <= 3, (red[0], red[-1])


def test_a_fragmented_mp4_is_whole_and_an_image_or_a_cut_mp4_is_said(tmp_path):
    """A complete fragmented MP4 (movflags frag_keyframe: its header declares the first fragment's 10 frames) was refused
    as "40 of the 10 frames it declares decoded"; a PNG named .mp4 became a 1-frame video at FFmpeg's 25 fps guess; an MP4
    cut inside its index (at its end) was "no video stream", as if it held only audio."""
    from data.video import VideoError, decode_frames
    levels = np.random.default_rng(5).permutation(np.arange(20, 240, 5))[:40]
    with av.open(str(tmp_path / "frag.mp4"), "w", options={"movflags": "frag_keyframe"}) as c:
        s = c.add_stream("libx264", rate=20, options={"g": "10", "crf": "1"})
        s.width, s.height, s.pix_fmt = 64, 32, "yuv420p"
        for v in levels:
            for p in s.encode(av.VideoFrame.from_ndarray(np.full((32, 64, 3), v, np.uint8), format="rgb24")): c.mux(p)
        for p in s.encode(): c.mux(p)
    with av.open(str(tmp_path / "frag.mp4")) as c: assert 0 < c.streams.video[0].frames < 20   # (the case: its first fragment)
    got = np.concatenate([f for f, _, _ in list(decode_frames(tmp_path / "frag.mp4", 32, 64))[1:]])
    np.testing.assert_allclose(got.reshape(40, -1).mean(1), levels, atol=3)
    b = (tmp_path / "frag.mp4").read_bytes()
    (tmp_path / "cut_frag.mp4").write_bytes(b[:b.find(b"moof", 1000) + 600])   # inside its second fragment
    with pytest.raises(VideoError, match="cut_frag.mp4: truncated or corrupt video"): list(decode_frames(tmp_path / "cut_frag.mp4", 32, 64))
    from PIL import Image
    Image.fromarray(np.full((32, 64, 3), 90, np.uint8)).save(tmp_path / "still.mp4", format="PNG")
    with pytest.raises(VideoError, match="still.mp4: an image \\(png\\), not a video"): list(decode_frames(tmp_path / "still.mp4", 32, 64))
    encode(tmp_path / "a.mp4", [np.full((32, 64, 3), v, np.uint8) for v in levels])
    b = (tmp_path / "a.mp4").read_bytes()
    assert b.find(b"moov") > b.find(b"mdat") > 0   # (the case: its index at the end)
    for cut in (b.find(b"moov") + 200, b.find(b"moov") + 10, len(b) // 2):
        (tmp_path / "cut.mp4").write_bytes(b[:cut])
        with pytest.raises(VideoError, match="cut.mp4: (no video stream \\((data|none at all)\\): |unreadable video: )truncated"): list(decode_frames(tmp_path / "cut.mp4", 32, 64))


def test_an_mkv_cut_inside_its_last_b_frames_is_an_error(tmp_path):
    """Session 44: an MKV (no frame count) cut inside its last group of B-frames keeps the later-shown P-frame they were
    coded after; the time check saw its whole length, and the shard held a hole (frames ..., 194, 197) read as a
    camera's dropped frame, its neighbours as consecutive. Every cut is now an error or a run of whole frames."""
    from data.video import VideoError, decode_frames
    rng = np.random.default_rng(0)
    full = tmp_path / "full.mkv"
    with av.open(str(full), "w") as c:
        s = c.add_stream("libx264", rate=20)   # x264's defaults: B-frames
        s.width, s.height, s.pix_fmt = 128, 64, "yuv420p"
        for i in range(120):   # frame i: its number as 7 black or white bars under a noisy strip
            img = np.full((64, 128, 3), 128, np.uint8)
            img[:16] = rng.integers(0, 256, (16, 128, 3))
            for b in range(7): img[24:, 16 * b:16 * b + 16] = 255 * ((i >> b) & 1)
            f = av.VideoFrame.from_ndarray(img, format="rgb24")
            f.pts = i
            for p in s.encode(f): c.mux(p)
        for p in s.encode(): c.mux(p)
    raw, said = full.read_bytes(), []
    for k, frac in enumerate(np.linspace(0.95, 0.998, 40)):
        (cut := tmp_path / f"cut{k}.mkv").write_bytes(raw[:int(len(raw) * frac)])
        try: frames = np.concatenate([b[0] for b in list(decode_frames(cut, 64, 128))[1:]])
        except VideoError as e:
            said.append(str(e))
            continue
        numbers = [sum(1 << b for b in range(7) if x[40, 16 * b + 8, 0] > 128) for x in frames]
        assert numbers == list(range(len(numbers))), (frac, numbers[-6:])
    assert any("frames missing before its last" in e for e in said), said
    # a whole video whose camera dropped a frame near its end: kept where the stream does not reorder frames
    with av.open(str(drop := tmp_path / "drop.mkv"), "w") as c:
        s = c.add_stream("libx264", rate=20, options={"bf": "0"})
        s.width, s.height, s.pix_fmt = 128, 64, "yuv420p"
        s.codec_context.time_base = Fraction(1, 1000)
        for i in [i for i in range(40) if i != 37]:
            f = av.VideoFrame.from_ndarray(rng.integers(0, 256, (64, 128, 3), dtype=np.uint8), format="rgb24")
            f.pts, f.time_base = 50 * i, Fraction(1, 1000)
            for p in s.encode(f): c.mux(p)
        for p in s.encode(): c.mux(p)
    assert sum(len(b[0]) for b in list(decode_frames(drop, 64, 128))[1:]) == 39


def test_an_mpeg_ts_cut_inside_a_packet_is_an_error(tmp_path):
    """Session 44: an HEVC MPEG-TS cut inside its last 188-byte packet decoded that frame concealed (garbage, 30-118
    levels off), without a word, in 51 of 120 cuts."""
    from data.video import VideoError, decode_frames
    rng = np.random.default_rng(1)
    encode(whole := tmp_path / "whole.ts", list(rng.integers(0, 256, (30, 64, 128, 3), dtype=np.uint8)), fmt="mpegts")
    raw = whole.read_bytes()
    assert len(raw) % 188 == 0 and sum(len(b[0]) for b in list(decode_frames(whole, 64, 128))[1:]) == 30
    for cut in (len(raw) - 100, len(raw) - 188 * 3 - 7):
        (p := tmp_path / f"cut{cut}.ts").write_bytes(raw[:cut])
        with pytest.raises(VideoError, match=rf"cut{cut}\.ts: truncated or corrupt video: {cut} bytes is not whole MPEG-TS packets"):
            list(decode_frames(p, 64, 128))


@pytest.mark.parametrize("codec,opts", [("ffv1", {}), ("libx265", {"x265-params": "lossless=1:log-level=error"})])
def test_a_limited_range_grey_video_is_expanded_as_a_colour_one(tmp_path, codec, opts):
    """A monochrome stream decodes as gray (HEVC, FFV1), which swscale copies as full range whatever its tag: one tagged
    limited (16-235) kept its black at 16 and white at 235, where the same picture in a YUV stream came out 0 and 255."""
    if codec not in av.codecs_available:
        pytest.skip(f"PyAV has no {codec} encoder")
    rng = np.random.default_rng(21)
    levels = np.sort(rng.integers(16, 236, 8)); levels[0], levels[-1] = 16, 235
    grey = np.repeat(np.repeat(levels, 32)[None, :], 128, axis=0).astype(np.uint8)   # 8 bars of 32 columns
    path = tmp_path / "in" / "mono.mkv"
    path.parent.mkdir(parents=True)
    for tag, want in ((1, np.round((levels - 16) * 255 / 219)), (2, levels)):   # limited: expanded; full: as stored
        with av.open(str(path), "w") as c:
            s = c.add_stream(codec, rate=20)
            s.width, s.height, s.pix_fmt, s.options = 256, 128, "gray", opts
            s.codec_context.color_range = tag
            for _ in range(3):
                f = av.VideoFrame.from_ndarray(grey, format="gray")
                f.color_range = tag
                for p in s.encode(f): c.mux(p)
            for p in s.encode(): c.mux(p)
        with av.open(str(path)) as c:
            fr = next(c.decode(video=0))
            assert fr.format.name == "gray" and int(fr.color_range) == tag, (fr.format.name, fr.color_range)
        out = tmp_path / f"out{tag}"
        [r] = ingest(path.parent, out, use_ray=False, progress=False)
        assert "error" not in r, r
        frames, _, _ = shard(out)
        bars = frames[:, 64, 16::32, :]   # each bar's middle column, all three channels
        assert np.abs(bars - want[None, :, None]).max() <= 1, (tag, bars[0, :, 0], want)


def test_a_video_cut_before_its_first_keyframe_is_said(tmp_path):
    """A cut made without re-encoding (ffmpeg -c copy at a non-keyframe) starts with frames that can't be decoded: it was
    refused as 'truncated or corrupt video: 37 frames in the stream, 30 decoded', which it is not."""
    src, cut = tmp_path / "src.mkv", tmp_path / "in" / "cut.mkv"
    cut.parent.mkdir()
    with av.open(str(src), "w") as c:
        s = c.add_stream("libx264", rate=20)
        s.width, s.height, s.pix_fmt = 256, 128, "yuv420p"
        s.options = {"g": "10", "bf": "2", "keyint_min": "10", "sc_threshold": "0"}
        for i in range(40):
            for p in s.encode(av.VideoFrame.from_ndarray(np.full((128, 256, 3), i * 6, np.uint8), format="rgb24")): c.mux(p)
        for p in s.encode(): c.mux(p)
    with av.open(str(src)) as i, av.open(str(cut), "w") as o:
        si = i.streams.video[0]
        so = o.add_stream_from_template(si)
        for k, p in enumerate(i.demux(si)):
            if p.dts is None or k < 3: continue   # the first keyframe and two frames after it
            p.stream = so
            o.mux(p)
    [r] = ingest(cut.parent, tmp_path / "out", use_ray=False, progress=False)
    assert r["status"] == "error" and f"{cut}: its first 7 frames can't be decoded: the stream starts before its first keyframe" in r["reason"], r


def test_an_hdr_video_is_said(tmp_path, capsys):
    """Session 45 (a review of odd videos): an HDR phone video (HLG or PQ transfer, BT.2020: an iPhone's default) is made
    RGB without tone mapping, its colours tens of levels off a player's, and nothing said. Now it is said; SDR is not."""
    from data.video import decode_frames, write_video
    rng = np.random.default_rng(45)
    for name, trc in (("hlg", 18), ("pq", 16), ("sdr", 1)):
        with av.open(str(tmp_path / f"{name}.mkv"), "w") as c:
            s = c.add_stream("libx265", rate=20)
            s.width, s.height, s.pix_fmt = 64, 32, "yuv420p10le"
            s.codec_context.color_trc, s.codec_context.color_primaries, s.codec_context.colorspace = trc, 9 if trc != 1 else 1, 9 if trc != 1 else 1
            s.options = {"x265-params": "log-level=error"}
            for i in range(3):
                f = av.VideoFrame.from_ndarray(rng.integers(0, 255, (32, 64, 3), dtype=np.uint8), format="rgb24")
                f.pts = i
                for p in s.encode(f): c.mux(p)
            for p in s.encode(): c.mux(p)
        assert sum(len(b[0]) for b in list(decode_frames(tmp_path / f"{name}.mkv", 32, 64))[1:]) == 3
        err = capsys.readouterr().err
        assert (f"{name}.mkv: HDR video ({name.upper()} transfer)" in err) == (name != "sdr"), err
        assert "cropped" not in err
    # (session 46, a phone-video review) a portrait video is cropped to a landscape band, keeping 28% of its height: said
    write_video(tmp_path / "portrait.mp4", rng.integers(0, 255, (3, 128, 64, 3), dtype=np.uint8))
    assert sum(len(b[0]) for b in list(decode_frames(tmp_path / "portrait.mp4", 32, 64))[1:]) == 3
    assert "portrait.mp4: its 64x128 frames are cropped to the 64x32 frames' aspect: 25% of their height is kept" in capsys.readouterr().err
