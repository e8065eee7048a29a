"""Video encoding (HEVC via PyAV/libx265) and decoding to fixed-size RGB frames."""

import itertools
import sys
from pathlib import Path
from typing import Optional

import numpy as np

RAW_FORMATS = {"hevc", "h264"}  # elementary streams: no container timing (PyAV then guesses 25 fps)
# an HEVC suffix SEI (NAL type 40) holding a decoded picture hash (payload type 132), after its frame's slices; the
# start code comes first, so it never matches inside a NAL (emulation prevention)
PICTURE_HASH = b"\x00\x00\x01\x50\x01\x84"


class VideoError(Exception):
    """A video that cannot be read; the message names the file and the problem."""


def write_video(path: Path, frames, fps: int = 20, crf: int = 20) -> None:
    """Encode frames (N, H, W, 3) uint8 (or an iterable of (H, W, 3)) as HEVC: raw for .hevc, else by suffix."""
    import av
    frames = iter(frames)
    first = next(frames)
    h, w, _ = first.shape
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w", format="hevc" if Path(path).suffix == ".hevc" else None) as container:
        stream = container.add_stream("libx265", rate=fps)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        # one frame thread and no WPP: the same frames always give the same bytes
        # hash=1: an MD5 of each frame in the stream, which decode_frames checks (damaged bytes decoded without a word)
        stream.options = {"preset": "ultrafast", "crf": str(crf), "x265-params": "log-level=error:frame-threads=1:hash=1"}
        for frame in itertools.chain([first], frames):
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def crop_box(in_h: int, in_w: int, height: int, width: int) -> tuple[int, int, int, int]:
    """Scaled size (h, w) that covers height x width with the input's aspect, and the crop offsets."""
    scale = max(height / in_h, width / in_w)
    h, w = max(height, round(in_h * scale)), max(width, round(in_w * scale))
    h, w = h + h % 2, w + w % 2
    return h, w, (h - height) // 2, (w - width) // 2


def display_turn(frame) -> tuple[bool, bool, bool]:
    """(swap rows and columns, then flip the rows, flip the columns): how a decoded frame becomes what a player shows,
    from its display matrix (none: as decoded). The matrix [a b . ; c d . ; . . .] (16.16 fixed point) takes pixel (x, y)
    to (a x + c y, b x + d y), y down: a phone's portrait (0 1 -1 0) turns it clockwise. Mirrors count too (a=-1: left
    to right), which the rotation angle alone can't tell from a turn (a mirror read as 180 degrees went in upside down).
    Angles between quarter turns go to the nearest one."""
    # by position, which every PyAV reads alike: iterating gives the entries up to PyAV 17 and their types from 18 (a
    # mapping), and 17's values() raises; either way every frame with side data (x264's and x265's SEI) failed to ingest
    side = frame.side_data
    m = next((bytes(d) for d in (side[i] for i in range(len(side))) if getattr(d.type, "name", "") == "DISPLAYMATRIX"), None)
    if m is None or len(m) < 36:
        return False, False, False
    a, b, _, c, d = np.frombuffer(m[:20], np.int32)   # native byte order, as FFmpeg keeps it
    if abs(int(a)) + abs(int(d)) >= abs(int(b)) + abs(int(c)):
        return False, bool(d < 0), bool(a < 0)
    return True, bool(b < 0), bool(c < 0)


def _tagged_seconds(container, stream) -> Optional[float]:
    """A Matroska stream's DURATION tag ("HH:MM:SS.nnnnnnnnn", its muxer's per-track length; `DURATION-eng` from older
    mkvmerge) in seconds, or None. Not other formats': NUT's muxer writes a tag copied from the source as it was."""
    tags = [v for k, v in stream.metadata.items() if k.upper() == "DURATION" or k.upper().startswith("DURATION-")]
    try:
        h, m, s = tags[0].split(":") if "matroska" in container.format.name and tags else ("", "", "")
        return int(h) * 3600 + int(m) * 60 + float(s)
    except ValueError: return None


def decode_frames(path: Path, height: int, width: int, batch: int = 32):
    """Yield the container's fps (None for a raw stream), then batches (frames (B, height, width, 3) uint8, times (B,)
    seconds from the first frame by the container's timestamps (None for a raw stream, which has none), source size
    (h, w) as displayed). Frames are turned as the container's display matrix says (a phone's portrait video) and
    stretched by their pixel aspect ratio; a stream whose size changes is cropped per size. The first video stream is
    read (others named on stderr). Damage is an error: a frame the decoder marks corrupt or drops (it stops at the first
    error it detects, a bad frame checksum write_video's streams carry included), or fewer frames, or less time, than
    the container declares, or a raw stream whose last frame lacks the picture hash the frames before it carry (cut
    inside it: the decoder conceals the missing part without a word). A raw stream without hashes (comma2k19's) cut
    inside its last frame can still decode, that frame concealed."""
    import av
    from av.video.reformatter import VideoReformatter
    try:
        container = av.open(str(path))
    except Exception as e:
        raise VideoError(f"{path}: unreadable video: truncated or not a video ({e})") from None
    with container:
        if not container.streams.video:   # (an MP4 cut inside its index, at its end, opens with no streams, or a data one)
            raise VideoError(f"{path}: no video stream ({', '.join(s.type for s in container.streams) or 'none at all'}): truncated, or not a video")
        if container.format.name.endswith("_pipe") or container.format.name == "image2":   # one frame at FFmpeg's 25 fps guess
            raise VideoError(f"{path}: an image ({container.format.name.removesuffix('_pipe')}), not a video")
        # an MPEG-TS is whole 188-byte packets (192 in a Blu-ray's M2TS, 204 in DVB's with error correction): one cut
        # inside its last packet decoded that part frame concealed (an HEVC one), without a word
        if container.format.name == "mpegts" and all((size := path.stat().st_size) % n for n in (188, 192, 204)):
            raise VideoError(f"{path}: truncated or corrupt video: {size} bytes is not whole MPEG-TS packets (188, 192 or 204 bytes)")
        stream = container.streams.video[0]
        if len(container.streams.video) > 1:
            others = ", ".join(f"#{s.index} {s.width}x{s.height}" for s in container.streams.video[1:])
            print(f"warning: {path}: {len(container.streams.video)} video streams; ingesting the first "
                  f"(#{stream.index} {stream.width}x{stream.height}), not {others}", file=sys.stderr)
        stream.thread_type = "AUTO"  # frame + slice threads: decoding is most of the work
        # an error the decoder detects (a bad checksum, a broken unit) stops it: FFmpeg only logged them and went on
        stream.codec_context.options = {"err_detect": "crccheck+explode"}
        raw = container.format.name in RAW_FORMATS
        yield None if raw else (float(stream.average_rate or 0) or None)
        sar = stream.codec_context.sample_aspect_ratio or stream.sample_aspect_ratio
        sar = float(sar) if sar and float(sar) > 0 else 1.0
        buf, times, boxes, t0, n, size, first_pts = [], [], {}, None, 0, (0, 0), None
        every: list = []   # every frame's time (times holds one batch's: a count that filled its last batch skipped the check below)
        # one reformatter for all frames: frame.to_ndarray(width=...) would set up swscale anew each frame
        reformatter = VideoReformatter()
        packets, hashed = [0, 0], []   # frames the stream holds to be shown; frames an edit list trims away (is_discard)
        places: list = []   # the packets' decode times: in an AVI, their places in its index
        shown: list = []   # the packets' presentation times, in decode order
        to_show: list = []   # the presentation times of the packets to be shown
        def decoded():  # each packet of a video stream is one frame: a damaged one the decoder drops is counted
            for packet in container.demux(stream):
                packets[packet.is_discard] += packet.size > 0   # (a trimmed MP4 was "truncated or corrupt: 40 in the stream, 35 decoded")
                if packet.size and packet.dts is not None:
                    places.append(packet.dts)
                if packet.size and packet.pts is not None:
                    shown.append(packet.pts)
                    if not packet.is_discard: to_show.append(packet.pts)
                if raw and packet.size:
                    hashed.append(PICTURE_HASH in bytes(packet))
                yield from packet.decode()
        try:
            for frame in decoded():
                if n == 0: first_pts = frame.pts
                if frame.is_corrupt:
                    raise VideoError(f"{path}: truncated or corrupt video: frame {n} is damaged")
                if n == 0 and getattr(frame, "color_trc", None) in (16, 18):   # (silently off by tens of levels: an iPhone's default)
                    print(f"warning: {path}: HDR video ({'PQ' if frame.color_trc == 16 else 'HLG'} transfer): its frames are made RGB "
                          "without tone mapping, tens of levels off what a player shows; convert it to SDR first for true colours", file=sys.stderr)
                swap, flip_rows, flip_cols = display_turn(frame)
                coded = (frame.height, round(frame.width * sar))  # as displayed before turning: square pixels
                size = coded[::-1] if swap else coded
                if size not in boxes:
                    boxes[size] = crop_box(*size, height, width)
                    if (kept := min(height / boxes[size][0], width / boxes[size][1])) < 0.5:  # (a portrait phone video kept 28% of its height, unsaid)
                        print(f"note: {path}: its {size[1]}x{size[0]} frames are cropped to the {width}x{height} frames' aspect: "
                              f"{kept:.{0 if kept >= 0.1 else 1}%} of their {'height' if height / boxes[size][0] < 0.5 else 'width'} is kept", file=sys.stderr)
                h, w, top, left = boxes[size]
                sh, sw = (w, h) if swap else (h, w)   # scale before turning, so the turned frame is h x w
                rgb = reformatter.reformat(frame, width=sw, height=sh, format="rgb24", interpolation="AREA").to_ndarray()
                if frame.format.name.startswith("gray") and int(frame.color_range) == 1:  # swscale copies grey as full range
                    rgb = np.clip((rgb.astype(np.float32) - 16) * (255 / 219) + 0.5, 0, 255).astype(np.uint8)  # whatever its tag:
                    # a limited-range HEVC or FFV1 monochrome camera's black came out at 16, white at 235 (H.264's 4:0:0 is YUV)
                rgb = rgb.transpose(1, 0, 2) if swap else rgb
                rgb = rgb[::-1 if flip_rows else 1, ::-1 if flip_cols else 1]
                buf.append(rgb[top:top + height, left:left + width])
                if not raw and frame.pts is not None:
                    t = float(frame.pts * frame.time_base)
                    t0 = t if t0 is None else t0
                    times.append(t - t0)
                    every.append(t - t0)
                n += 1
                if len(buf) == batch:
                    yield np.stack(buf), (np.array(times) if len(times) == len(buf) else None), size
                    buf, times = [], []
        except av.error.FFmpegError as e:
            raise VideoError(f"{path}: truncated or corrupt video: decoding stopped after {n} frames ({e})") from None
        if n != packets[0]:
            if n and first_pts is not None and sum(t < first_pts for t in to_show) == packets[0] - n:   # (a cut with -c copy: "truncated or corrupt")
                raise VideoError(f"{path}: its first {packets[0] - n} frames can't be decoded: the stream starts before its first "
                                 f"keyframe (cut without re-encoding?): cut it at a keyframe, or re-encode it")
            said = f" (of the {stream.frames - packets[1]} it declares)" if stream.frames and stream.frames - packets[1] > packets[0] else ""
            raise VideoError(f"{path}: truncated or corrupt video: {packets[0]} frames in the stream{said}, {n} decoded")
        if len(hashed) > 1 and hashed[-2] and not hashed[-1]:  # the hash follows the frame's slices: the cut took it
            raise VideoError(f"{path}: truncated or corrupt video: the stream ends inside its last frame (it lacks the "
                             f"picture hash the frames before it carry)")
        # a container cut short decodes to its end without an error: the frames (or the time) it declares say so
        # an AVI's frame count counts its index's entries, and FFmpeg's muxer writes empty ones for a video that starts
        # late (a complete file was "80 of the 90 frames it declares"): there the last packet's place in the index says it
        held = max(places) + 1 - min(places) if container.format.name == "avi" and places else n  # (a header's own start: from min)
        # a fragmented MP4 declares its first fragment's frames only (40 decoded of the "10" it declared): more than declared
        # is no damage, and its time is checked below
        if stream.frames and held < (declared := stream.frames - packets[1]):
            raise VideoError(f"{path}: truncated or corrupt video: {n} of the {declared} frames it declares decoded")
        # (Matroska gives no stream duration, and its container's counts the longest stream: with an audio track, the
        # DURATION tag FFmpeg's muxer writes for each track, "00:00:03.000000000"; without it a cut MKV with sound passed)
        length = float(stream.duration * stream.time_base) if stream.duration else \
            container.duration / 1e6 if container.duration and len(container.streams) == 1 else _tagged_seconds(container, stream)
        # Matroska's, NUT's and ASF's durations count from time 0: a first frame at 0.6 s read as 0.6 s missing (FLV's does
        # not). An ASF stream's is the whole file's: a video whose audio runs on is refused (by the time its audio holds)
        if length and (not stream.duration or container.format.name == "asf") and t0 is not None and \
                any(k in container.format.name for k in ("matroska", "nut", "asf")):
            length -= max(0.0, t0)
        # without a declared frame count (all of them decoded, above): the usual step between the frames' own times (the
        # average rate counts a long last frame) and the latest time, not the last (an AVI's B-frames carry their times
        # in decode order); both made complete videos "truncated". The slack is 2% of the length up to 0.5 s (2% of a
        # 10-minute MKV cut 12 s off its end without a word)
        step = float(np.median(np.diff(every))) if len(every) > 1 else 1 / float(stream.average_rate) if stream.average_rate else None
        uncounted = not stream.frames or held > stream.frames - packets[1]
        if uncounted and length and step and every and max(every) + step < length - max(2 * step, min(0.02 * length, 0.5)):
            raise VideoError(f"{path}: truncated or corrupt video: frames to {max(every) + step:.2f} s of the {length:.2f} s it declares")
        # a cut inside the last group of B-frames keeps the later-shown P-frame they were coded after: a hole before the
        # last few frames, which the time above cannot see (a cut MKV passed as a camera's dropped frame, the frames
        # across the hole read as consecutive). Only in a stream that reorders frames: a camera's drop there in any
        # other stream is kept (in one that does, it reads as a cut)
        reorders = any(a > b for a, b in zip(shown, shown[1:]))
        tail = np.diff(np.sort(every)[-5:]) if uncounted and step and reorders else np.zeros(0)
        if (holes := np.flatnonzero(tail > 1.5 * step + 1e-3)).size:   # (+1 ms: a 750 fps video's times rounded to ms are 1 and 2 ms apart)
            after = len(tail) - int(holes[-1])
            raise VideoError(f"{path}: truncated or corrupt video: frames missing before its last {after} frame{'s' * (after > 1)} (a file cut inside a "
                             "group of B-frames keeps the frame they were coded after; a camera's drop there reads the same)")
        if buf:
            yield np.stack(buf), (np.array(times) if len(times) == len(buf) else None), size
