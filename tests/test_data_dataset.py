"""Window loader: windows equal the shard slices, seeded determinism, split by segment, prefetch."""

import threading

import h5py
import hdf5plugin
import numpy as np
import pytest

from data.dataset import FIELDS, WindowLoader, split_segments


def write_shard(path, n: int, rng: np.random.Generator, size=(8, 16)) -> None:
    """A shard in the ingest layout, filled with random values."""
    with h5py.File(path, "w") as f:
        f.create_dataset("frames", data=rng.integers(0, 256, (n, *size, 3), dtype=np.uint8), chunks=(4, *size, 3),
                         **hdf5plugin.LZ4())
        f.create_dataset("frame_times", data=np.arange(n) / 20.0)
        f.create_dataset("pose", data=rng.standard_normal((n, 6)).astype(np.float32))
        f.create_dataset("speed", data=rng.uniform(0, 30, n).astype(np.float32))
        f.create_dataset("steering", data=rng.standard_normal(n).astype(np.float32))
        f.create_dataset("action", data=rng.standard_normal((n, 2)).astype(np.float32))
        f.create_dataset("disengage", data=(rng.random(n) < 0.1).astype(np.uint8))
        f.create_dataset("disengage_cause", data=rng.integers(0, 9, n).astype(np.uint8))


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
            for b, (i, s) in enumerate(zip(batch["segment"], batch["start"])):
                with h5py.File(loader.paths[i]) as f:
                    assert s + 7 <= len(f["frames"])
                    for k in FIELDS:
                        np.testing.assert_array_equal(batch[k][b], f[k][s:s + 7])
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
