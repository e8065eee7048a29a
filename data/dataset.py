"""Random windows of T frames from HDF5 shards (see data/ingest.py for the shard layout).

    loader = WindowLoader("runs/data/shards", window=16, batch_size=8, split="train", seed=0)
    for batch in loader.batches(100):
        batch["frames"]  # (B, T, H, W, 3) uint8
        batch["pose"]    # (B, T, 6) float32, and speed, steering, action, disengage, ...

Batches are read on a background thread while the caller works on the previous ones. The
sequence of windows depends only on the shards, the split and the seed. Routes (drives), not
frames or segments, are split into train and val, so no val frame's neighbours or route-mates
are trained on; shards of the same video (same checksum) are used once. Each batch also holds
`frame_times` and the shard's has_* flags per window (B,), so a video without pose is not read
as a stopped car.
"""

import hashlib
import queue
import sys
import threading
import warnings
from pathlib import Path
from typing import Iterator

import numpy as np

from data.layout import HAS, SHARD, drive_route, flag, not_being_written

FIELDS = tuple(SHARD)


def shard_paths(src: str | Path | list) -> list[Path]:
    """The .h5 shards in a folder (sorted), or the given list of shard paths."""
    if isinstance(src, (list, tuple)):
        return sorted(Path(p) for p in src)
    src = Path(src)
    if src.is_file():
        return [src]
    if not src.is_dir():
        raise FileNotFoundError(f"{src}: no such shard folder")
    not_being_written(src, inside=False)  # (it reads the folder's own shards only)
    if deeper := sorted(src.glob("*/*.h5"))[:1]:  # (they were left out without a word: tokenize and eval-vqvae read the top only)
        warnings.warn(f"{src}: .h5 files in its subfolders ({deeper[0]}, ...) are not read: frame shards are read from the "
                      "folder itself; give each folder, or move them into one", stacklevel=2)
    return sorted(src.glob("*.h5"))


def split_segments(paths: list[Path], split: str, val_fraction: float = 0.1, seed: int = 0,
                   routes: list[str] | None = None) -> list[Path]:
    """The shards of one split: val takes the ceil(val_fraction * routes) routes with the smallest seeded hash."""
    if split not in ("train", "val", "all"):
        raise ValueError(f"split: expected 'train', 'val' or 'all', got {split!r}")
    routes = routes if routes is not None else [p.stem for p in paths]
    unique = sorted(set(routes))
    if split == "all":
        return list(paths)
    if val_fraction <= 0 or len(unique) < 2:
        return [] if split == "val" else list(paths)
    # hashing route names (not shuffling a list) keeps the order of routes when others come and go; the split's boundary
    # (a fraction of the count) still moves, so a grown folder can move a route across it (Run.check_split refuses that)
    ranked = sorted(unique, key=lambda r: hashlib.sha256(f"{seed}:{r}".encode()).hexdigest())
    n_val = min(len(unique) - 1, int(np.ceil(val_fraction * len(unique))))
    val = set(ranked[:n_val])
    return [p for p, r in zip(paths, routes) if (r in val) == (split == "val")]


def note_held_share(what: str, held: int, total: int, held_routes: int, routes: int, keys: str) -> None:
    """Say on stderr when the drives the split held out hold far more of the frames than of the drives (one long drive
    among short ones: a run trained on 6 frames of 306 without a word; 1 of 4 equal drives, 25%, is what was asked).
    keys: the settings that move the split."""
    if total and routes and (share := held / total) > held_routes / routes + 0.25:
        print(f"note: {what}: the {held_routes} held-out drive(s) of {routes} hold {held} of the {total} frames ({share:.0%}): "
              f"the split counts drives, not frames; {keys} move it", file=sys.stderr)


def shard_routes(paths: list[Path]) -> tuple[list[Path], list[str], list[tuple[Path, Path]]]:
    """Each shard's route (attrs["route"], else its name), dropping shards whose video checksum repeats an earlier one."""
    import h5py
    kept, routes, seen, duplicates = [], [], {}, []
    for p in paths:
        try:
            with h5py.File(p, "r") as f:
                route, checksum = drive_route(f.attrs.get("route") or p.stem), f.attrs.get("checksum")
        except (OSError, RuntimeError, KeyError) as e:  # (h5py: damaged metadata is a RuntimeError or KeyError, a traceback naming no file)
            raise ValueError(f"{p}: not a readable shard ({e})") from None
        if checksum is not None and checksum in seen:
            duplicates.append((p, seen[checksum]))
            continue
        if checksum is not None:
            seen[checksum] = p
        kept.append(p)
        routes.append(route)
    return kept, routes, duplicates


def _room_for_files(n: int) -> tuple:
    """Raise this process's soft limit on open files, up to its hard limit, to hold n more beside those open (a loader
    keeps every shard open: the common soft limit of 1024 failed past ~1,000 shards, and comma2k19 has ~2,000; a
    training run opens a train and a val loader); returns (the limit, the files open before)."""
    import os, resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    open_now = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else 0
    if soft != resource.RLIM_INFINITY and soft < (need := open_now + n + 64):
        soft = need if hard == resource.RLIM_INFINITY else min(need, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    return soft, open_now


class WindowLoader:
    """Batches of random T-frame windows from shards, prefetched on a background thread."""

    def __init__(self, shards: str | Path | list, window: int = 16, batch_size: int = 8, split: str = "train",
                 val_fraction: float = 0.1, seed: int = 0, prefetch: int = 4, fields: tuple = FIELDS,
                 split_seed: int = 0):
        unknown = set(fields) - set(FIELDS)
        if unknown:
            raise ValueError(f"fields: unknown {sorted(unknown)}, expected some of {FIELDS}")
        if window < 1 or batch_size < 1:
            raise ValueError(f"window and batch_size must be >= 1, got {window} and {batch_size}")
        # the same video under two names must not land in both splits: keep the first of each checksum
        paths, routes, self.duplicates = shard_routes(shard_paths(shards))
        for dup, first in self.duplicates:
            warnings.warn(f"{dup}: same video as {first}, left out", stacklevel=2)
        # the split has its own seed, so runs with different sampling seeds share one val set
        self.paths = split_segments(paths, split, val_fraction, split_seed, routes)
        self.window, self.batch_size, self.seed, self.prefetch, self.fields = window, batch_size, seed, prefetch, fields
        self.files, self.signals, self.flags, lengths = [], [], [], []
        limit, open_before = _room_for_files(len(self.paths))  # every shard is held open
        for p in self.paths:
            try: lengths.append(self._open(p, fields, limit, open_before))
            except BaseException as e:  # (h5py: damaged metadata is a RuntimeError or KeyError, a traceback naming no file)
                self.close()
                if isinstance(e, (OSError, RuntimeError, KeyError)): raise ValueError(f"{p}: not a readable shard ({e})") from None
                raise
        self.lengths = np.array(lengths, dtype=np.int64)
        starts = np.maximum(self.lengths - window + 1, 0)  # valid window starts per shard
        if starts.sum() == 0:
            self.close()
            raise ValueError(f"no shard in {split!r} split of {shards} has {window} frames "
                             f"({len(self.paths)} shards, lengths {lengths})" if self.paths else f"{shards}: no shards in its {split!r} split")
        if short := [(p, n) for p, n in zip(self.paths, lengths) if 0 < n < window]:  # (their frames were never drawn, unsaid)
            print(f"note: {len(short)} {split} shard(s) with fewer than the {window} frames of a window are left out "
                  f"({short[0][0]}: {short[0][1]} frames{', ...' if len(short) > 1 else ''})", file=sys.stderr)
        self.cum_starts = np.cumsum(starts)

    def _open(self, p: Path, fields: tuple, limit: int, open_before: int) -> int:
        """Open shard p (kept in self.files), check it against the first, keep its signals and flags; its frame count."""
        import h5py
        try:
            f = h5py.File(p, "r")
        except OSError as e:
            if "Too many open files" in str(e):  # (a healthy shard was called unreadable)
                raise ValueError(f"{p}: too many open files: the loader holds its {len(self.paths)} shards open beside "
                                 f"{open_before} files open already, and this process may open {limit}: raise the limit (ulimit -n)") from None
            raise ValueError(f"{p}: not a readable shard ({e})") from None
        self.files.append(f)  # from here close() closes it
        missing = sorted(({"frames"} | set(fields)) - set(f))
        if missing: raise ValueError(f"{p}: not a readable shard (missing datasets {missing})")
        if f["frames"].shape[1:] != self.files[0]["frames"].shape[1:]:  # (which is the odd one out is not known here: this
            # one was called "not a readable shard" when the first was)
            raise ValueError(f"{p}: frames of {f['frames'].shape[1:]}, but {self.paths[0]} has {self.files[0]['frames'].shape[1:]}: "
                             "the shards of one run must have one frame size (ingest them with the same --height and --width)")
        # the per-frame signals are tiny: keep them in memory and read only frames from disk
        try:
            self.signals.append({k: f[k][:] for k in set(fields) - {"frames"}})
        except OSError as e:  # a fletcher32 checksum mismatch, or a damaged file
            raise ValueError(f"{p}: corrupt shard: {e}") from None
        if short := [k for k, v in self.signals[-1].items() if len(v) != len(f["frames"])]:  # (sliced short without a word)
            raise ValueError(f"{p}: '{short[0]}' has {len(self.signals[-1][short[0]])} rows for {len(f['frames'])} frames (a damaged shard: ingest it again)")
        self.flags.append({k: flag(f.attrs, k, True, p) for k in HAS})
        return len(f["frames"])

    def sample(self, rng: np.random.Generator, n: int) -> list[tuple[int, int]]:
        """n (shard index, start frame) pairs, uniform over all windows."""
        flat = rng.integers(0, self.cum_starts[-1], size=n)
        shard = np.searchsorted(self.cum_starts, flat, side="right")
        start = flat - np.concatenate([[0], self.cum_starts[:-1]])[shard]
        return list(zip(shard.tolist(), start.tolist()))

    def read_batch(self, picks: list[tuple[int, int]]) -> dict[str, np.ndarray]:
        """Stack the windows at picks into a batch: each field (B, T, ...)."""
        if not self.files: raise ValueError("this WindowLoader is closed (close() or a with block ended): make a new one")  # (an IndexError)
        batch = {}
        if "frames" in self.fields:
            first = self.files[picks[0][0]]["frames"]
            batch["frames"] = np.empty((len(picks), self.window) + first.shape[1:], np.uint8)  # (B, T, H, W, 3)
            for b, (i, s) in enumerate(picks):
                try:
                    self.files[i]["frames"].read_direct(batch["frames"][b], np.s_[s:s + self.window])
                except OSError as e:  # a chunk failed its fletcher32 checksum: find the frame
                    raise OSError(f"{self.paths[i]}: frame {self._first_bad_frame(i, s)}: corrupt data ({e})") from None
        for k in self.fields:
            if k != "frames":
                batch[k] = np.stack([self.signals[i][k][s:s + self.window] for i, s in picks])
        for flag in HAS:
            batch[flag] = np.array([self.flags[i][flag] for i, _ in picks])
        batch["segment"] = np.array([i for i, _ in picks])
        batch["start"] = np.array([s for _, s in picks])
        return batch

    def _first_bad_frame(self, i: int, start: int) -> int:
        """The first frame from start on that fails to read in shard i."""
        for k in range(start, start + self.window):
            try:
                self.files[i]["frames"][k]
            except OSError:
                return k
        return start

    def batches(self, n: int | None = None) -> Iterator[dict[str, np.ndarray]]:
        """Yield n batches (forever if None); the same seed gives the same batches."""
        out: queue.Queue = queue.Queue(maxsize=max(self.prefetch, 1))
        stop = threading.Event()

        def put(item) -> None:  # gives up when the consumer has gone, so join() never hangs
            while not stop.is_set():
                try:
                    return out.put(item, timeout=0.1)
                except queue.Full:
                    pass

        def produce():
            rng = np.random.default_rng(self.seed)
            i = 0
            try:
                while (n is None or i < n) and not stop.is_set():
                    put(self.read_batch(self.sample(rng, self.batch_size)))
                    i += 1
            except Exception as e:  # hand the error to the consumer instead of dying silently
                put(e)
            put(None)

        thread = threading.Thread(target=produce, daemon=True, name="WindowLoader")
        thread.start()
        try:
            while (item := out.get()) is not None:
                if isinstance(item, Exception):
                    raise item
                yield item
        finally:
            stop.set()
            thread.join()

    def close(self) -> None:
        """Close the shard files."""
        for f in self.files:
            f.close()
        self.files = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
