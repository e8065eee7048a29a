"""Window loader: windows equal the shard slices with their flags, seeded determinism, split by route, dedup, prefetch."""

import threading

import h5py
import hdf5plugin
import numpy as np
import pytest

from data.dataset import FIELDS, WindowLoader, split_segments
from data.layout import HAS, SHARD


def write_shard(path, n: int, rng: np.random.Generator, size=(8, 16), route: str | None = None, checksum: str | None = None,
                flags: dict | None = None) -> None:
    """A shard in the ingest layout (data/layout.py), filled with random values, with random has_* flags (or flags)."""
    with h5py.File(path, "w") as f:
        f.create_dataset("frames", data=rng.integers(0, 256, (n, *size, 3), dtype=np.uint8), chunks=(4, *size, 3),
                         **hdf5plugin.LZ4())
        for name, (dtype, shape, _) in SHARD.items():
            if name != "frames":
                f.create_dataset(name, data=(rng.uniform(0, 30, (n,) + shape)).astype(dtype))
        f.attrs.update({flag: bool(rng.random() < 0.5) for flag in HAS} if flags is None else flags)
        f.attrs["route"] = route or path.stem
        f.attrs["checksum"] = checksum or f"sha256:{rng.integers(1 << 62)}"


@pytest.fixture
def shards(tmp_path):
    rng = np.random.default_rng(0)
    for k in range(6):
        write_shard(tmp_path / f"seg{k}.h5", int(rng.integers(20, 60)), rng)
    return tmp_path


def test_windows_are_the_shard_slices(shards):
    with WindowLoader(shards, window=7, batch_size=5, split="all", seed=3) as loader:
        seen = set()
        for batch in loader.batches(20):
            assert batch["frames"].shape == (5, 7, 8, 16, 3) and batch["pose"].shape == (5, 7, 6)
            assert batch["frame_times"].shape == (5, 7) and batch["has_pose"].shape == (5,)
            for b, (i, s) in enumerate(zip(batch["segment"], batch["start"])):
                with h5py.File(loader.paths[i]) as f:
                    assert s + 7 <= len(f["frames"])
                    for k in FIELDS:
                        np.testing.assert_array_equal(batch[k][b], f[k][s:s + 7])
                    for flag in HAS:  # a video without pose must not look like a stopped car
                        assert batch[flag][b] == f.attrs[flag]
                seen.add(int(i))
    assert len(seen) >= 4  # windows come from across the shards


def test_same_seed_same_batches_other_seed_differs(shards):
    def starts(seed):
        with WindowLoader(shards, window=4, batch_size=3, seed=seed) as loader:
            return [np.stack([b["segment"], b["start"]]) for b in loader.batches(10)]
    a, b, c = starts(1), starts(1), starts(2)
    assert all((x == y).all() for x, y in zip(a, b))
    assert any((x != z).any() for x, z in zip(a, c))


def test_windows_are_uniform_over_starts(tmp_path):
    rng = np.random.default_rng(1)
    write_shard(tmp_path / "a.h5", 10, rng)  # 7 starts for window 4
    write_shard(tmp_path / "b.h5", 31, rng)  # 28 starts
    with WindowLoader(tmp_path, window=4, batch_size=1, split="all") as loader:
        picks = loader.sample(np.random.default_rng(2), 35000)
    shard = np.array([i for i, _ in picks])
    assert abs(np.mean(shard == 0) - 7 / 35) < 0.01
    counts = np.bincount([s for i, s in picks if i == 1], minlength=28)
    assert counts.min() > 0 and len(counts) == 28


def test_shards_shorter_than_a_window_are_said(tmp_path, capsys):
    """Session 44 (a review of the samplers): shards of 3, 7 and 15 frames under a 16-frame window were left out
    without a word (26 of 366 frames never drawn); the world model's windows say so, and now this loader too."""
    rng = np.random.default_rng(44)
    for name, n in (("a", 40), ("b", 5), ("c", 15)):
        write_shard(tmp_path / f"{name}.h5", n, rng)
    with WindowLoader(tmp_path, window=16, batch_size=1, split="all") as loader:
        assert {i for i, _ in loader.sample(np.random.default_rng(0), 200)} == {0}
    assert "note: 2 all shard(s) with fewer than the 16 frames of a window are left out" in capsys.readouterr().err


def test_split_is_by_segment_and_stable(shards):
    paths = sorted(shards.glob("*.h5"))
    train, val = split_segments(paths, "train", 0.3, seed=5), split_segments(paths, "val", 0.3, seed=5)
    assert len(val) == 2 and not set(train) & set(val) and sorted(train + val) == paths
    # removing a train shard does not move any other shard between splits
    fewer = [p for p in paths if p != train[0]]
    assert split_segments(fewer, "val", 2 / 6, seed=5) == val
    with WindowLoader(shards, window=4, batch_size=4, split="val", val_fraction=0.3, split_seed=5, seed=9) as loader:
        assert loader.paths == val
        for batch in loader.batches(5):
            assert set(batch["segment"]) <= {0, 1}
    with pytest.raises(ValueError, match="split"):
        split_segments(paths, "test")


def test_early_stop_ends_the_prefetch_thread(shards):
    with WindowLoader(shards, window=4, batch_size=2, prefetch=2) as loader:
        it = loader.batches()  # endless
        for _ in range(3):
            next(it)
        it.close()
    assert not any(t.name == "WindowLoader" for t in threading.enumerate())


def test_bad_shards_and_windows_are_named(tmp_path):
    rng = np.random.default_rng(3)
    write_shard(tmp_path / "short.h5", 5, rng)
    with pytest.raises(ValueError, match="has 8 frames"):
        WindowLoader(tmp_path, window=8, split="all")
    (tmp_path / "broken.h5").write_bytes(b"not hdf5")
    with pytest.raises(ValueError, match="broken.h5: not a readable shard"):
        WindowLoader(tmp_path, window=2, split="all")
    with pytest.raises(FileNotFoundError, match="nowhere"):
        WindowLoader(tmp_path / "nowhere")


def test_shard_missing_a_dataset_is_named(tmp_path):
    write_shard(tmp_path / "a.h5", 10, np.random.default_rng(4))
    with h5py.File(tmp_path / "a.h5", "a") as f:
        del f["pose"]
    with pytest.raises(ValueError, match=r"a.h5: not a readable shard \(missing datasets \['pose'\]\)"):
        WindowLoader(tmp_path, window=2, split="all")


def test_shards_of_two_frame_sizes_are_named_as_such(tmp_path):
    """A folder of 8x16 shards and one 4x8 one: whichever sorted first, the other was called "not a readable shard"."""
    rng = np.random.default_rng(5)
    write_shard(tmp_path / "a.h5", 10, rng, size=(4, 8))
    write_shard(tmp_path / "b.h5", 10, rng)
    with pytest.raises(ValueError, match=r"b.h5: frames of \(8, 16, 3\), but \S*a.h5 has \(4, 8, 3\): the shards of one run must have one frame size"):
        WindowLoader(tmp_path, window=2, split="all")


def test_a_short_signal_and_a_closed_loader_are_named(tmp_path):
    """A shard whose 'speed' has fewer rows than its frames gave windows of 0-3 speeds (or a shape error naming no
    shard); a closed loader an IndexError from its prefetch thread."""
    write_shard(tmp_path / "a.h5", 20, np.random.default_rng(6))
    with h5py.File(tmp_path / "a.h5", "a") as f:
        speed = f["speed"][:12]
        del f["speed"]
        f["speed"] = speed
    with pytest.raises(ValueError, match=r"a.h5: 'speed' has 12 rows for 20 frames"):
        WindowLoader(tmp_path, window=4, split="all")
    write_shard(tmp_path / "a.h5", 20, np.random.default_rng(6))
    loader = WindowLoader(tmp_path, window=4, batch_size=2, split="all")
    loader.close()
    with pytest.raises(ValueError, match="this WindowLoader is closed"):
        next(iter(loader.batches(1)))


def test_split_is_by_route_and_duplicates_are_used_once(tmp_path):
    rng = np.random.default_rng(7)
    # comma2k19: three routes of several segments each; before, segments of one route landed on both sides
    routes = {f"dongle{r}|2018-01-0{r}--00-00-00": int(rng.integers(2, 5)) for r in range(1, 7)}
    for route, n_seg in routes.items():
        for k in range(n_seg):
            write_shard(tmp_path / f"{route.replace('|', '_')}_{k}.h5", 12, rng, route=route)
    # the same video under another name: before, it could be in train and val at once
    write_shard(tmp_path / "zz_copy_of_a_segment.h5", 12, rng, route="elsewhere", flags={k: False for k in HAS},
                checksum=h5py.File(tmp_path / "dongle1_2018-01-01--00-00-00_0.h5", "r").attrs["checksum"])
    with pytest.warns(UserWarning, match="zz_copy_of_a_segment.h5: same video as"):
        loaders = [WindowLoader(tmp_path, window=4, split=split, val_fraction=0.34, split_seed=3) for split in ("train", "val")]
    by_split = [{h5py.File(p, "r").attrs["route"] for p in ld.paths} for ld in loaders]
    assert by_split[0] and by_split[1] and not by_split[0] & by_split[1]
    assert by_split[0] | by_split[1] == set(routes) and len(by_split[1]) == 3  # ceil(0.34 * 6) routes
    assert sum(len(ld.paths) for ld in loaders) == sum(routes.values())  # every segment but the copy
    for ld in loaders:
        ld.close()
    # shards ingested before the 29th session from a `dongle_time` folder (no `|`) hold each segment as its own route:
    # read as their drive's, beside a segment of that drive ingested since
    from data.dataset import shard_routes
    old = [tmp_path / "old" / f"s{k}.h5" for k in range(3)]
    for k, r in enumerate(("Chunk_1/0123456789abcdef_2018-07-27--06-03-57/0", "0123456789abcdef_2018-07-27--06-03-57--1",
                           "0123456789abcdef|2018-07-27--06-03-57")):
        old[k].parent.mkdir(exist_ok=True)
        write_shard(old[k], 12, rng, route=r)
    assert set(shard_routes(old)[1]) == {"0123456789abcdef|2018-07-27--06-03-57"}
    # (session 52, a review) an empty route attribute is the shard's name, as tokenize reads it: every such shard was one
    # drive "" to train-vqvae (none held out) and a drive of its own to the token stages, which held out drives it trained on
    blank = [tmp_path / "blank" / f"b{k}.h5" for k in range(2)]
    for p in blank:
        p.parent.mkdir(exist_ok=True)
        write_shard(p, 12, rng)
        with h5py.File(p, "r+") as f: f.attrs["route"] = ""
    assert shard_routes(blank)[1] == ["b0", "b1"]


def test_shards_in_subfolders_are_named_not_dropped_silently(tmp_path):
    """Session 28 (a hostile user): nest/a.h5 and nest/sub/b.h5: tokenize wrote a.h5 only and eval-vqvae scored one shard,
    without a word. Frame shards are read from the folder itself; those below are said."""
    from data.dataset import shard_paths
    (tmp_path / "sub").mkdir()
    for p in ("a.h5", "sub/b.h5"):
        (tmp_path / p).write_bytes(b"")
    with pytest.warns(UserWarning, match=r"\.h5 files in its subfolders \(.*sub/b\.h5, \.\.\.\) are not read"):
        assert shard_paths(tmp_path) == [tmp_path / "a.h5"]



def test_review_35_a_loader_over_more_shards_than_the_open_file_limit(tmp_path):
    """Session 35 (a review at scale): the loader holds every shard open, and under the common soft limit of 1024 open
    files a folder of ~1,100 shards failed, calling a healthy shard "not a readable shard". The soft limit is raised to
    fit (up to the hard one); past the hard one the error says what it is."""
    import subprocess, sys
    rng = np.random.default_rng(35)
    for i in range(60):
        write_shard(tmp_path / f"s{i:03d}.h5", 20, rng, route=f"r{i}")
    code = ("import resource, sys; resource.setrlimit(resource.RLIMIT_NOFILE, (40, int(sys.argv[2])));"
            "import drivegpt; from data.dataset import WindowLoader; from pathlib import Path;"
            "l = WindowLoader(sorted(Path(sys.argv[1]).glob('*.h5')), window=4, batch_size=2, split='all'); print(len(l.paths));"
            # (a review of the fix: a second loader open beside the first, as training's train and val ones, was refused)
            "v = WindowLoader(sorted(Path(sys.argv[1]).glob('*.h5')), window=4, batch_size=2, split='all'); l.close(); v.close()")
    ok = subprocess.run([sys.executable, "-c", code, str(tmp_path), "4096"], capture_output=True, text=True)
    assert ok.returncode == 0 and ok.stdout.strip() == "60", ok.stderr
    low = subprocess.run([sys.executable, "-c", code, str(tmp_path), "40"], capture_output=True, text=True)
    assert low.returncode != 0 and "too many open files: the loader holds its 60 shards open beside" in low.stderr, low.stderr[-500:]
