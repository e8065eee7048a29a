"""Back-pressure: ingest on Ray streams many segments through a few task slots, writing each exactly once."""

import shutil

import h5py

import data.ingest
import data.ray_tasks
from data.ingest import ingest, segment_id
from test_data_ingest import write_tiny_segment


def test_ingest_streams_many_segments_through_a_bounded_window(tmp_path, monkeypatch):
    src, out, limit, n = tmp_path / "src", tmp_path / "out", 3, 40
    write_tiny_segment(src / "r/0", n=3, size=(16, 32))
    for k in range(1, n):  # same bytes, other folders: other segments to ingest
        shutil.copytree(src / "r/0", src / f"r/{k}")
    shutil.rmtree(src / f"r/{n - 1}/global_pose")  # one bad segment: its error must come back, not stop the stream
    (src / f"r/{n - 1}/global_pose").mkdir()

    seen = {"drawn": 0, "finished": 0, "peak": 0}
    def counted(submit, items, max_in_flight, keep_going=False):
        """data.ray_tasks.as_completed, counting segments handed out against results returned."""
        def draw():
            for item in items:
                seen["drawn"] += 1
                seen["peak"] = max(seen["peak"], seen["drawn"] - seen["finished"])  # unfinished, this one included
                yield item
        for pair in data.ray_tasks.as_completed(submit, draw(), max_in_flight, keep_going):
            seen["finished"] += 1
            yield pair
    monkeypatch.setattr(data.ingest, "as_completed", counted)

    results = ingest(src, out, height=16, width=32, progress=False, max_in_flight=limit)  # a local Ray of its own
    print(f"{n} segments, at most {seen['peak']} in flight (limit {limit}), {seen['finished']} results")
    assert seen["drawn"] == seen["finished"] == n and seen["peak"] == limit  # the window filled, never overflowed
    ids = [r["id"] for r in results]
    assert sorted(ids) == sorted(segment_id(src / f"r/{k}", src) for k in range(n)) and len(set(ids)) == n
    bad = [r for r in results if r["status"] == "error"]
    assert len(bad) == 1 and f"r/{n - 1}" in bad[0]["reason"] and "global_pose/frame_times" in bad[0]["reason"]
    shards = sorted(out.glob("*.h5"))
    assert sorted(p.stem for p in shards) == sorted(r["id"] for r in results if r["status"] == "done")
    assert not [p for p in out.iterdir() if p.name.startswith(".") and p.name != ".lock"]  # no temp files left
    for shard in shards:
        with h5py.File(shard, "r") as f:
            assert f.attrs["complete"] and f.attrs["frame_count"] == 3 and f["frames"].shape == (3, 16, 32, 3)
    again = ingest(src, out, height=16, width=32, use_ray=False, progress=False)  # resume: nothing left but the bad one
    assert sorted(r["status"] for r in again) == ["error"] + ["skipped"] * (n - 1)


def test_a_said_task_that_raises_brings_back_what_it_said_before(capsys):
    """A Ray task's stderr comes back with its result (said/show); one that raised lost it, the warning that explains
    the error with it. Its error is now the result, the caller's failed-task branch takes it."""
    import sys
    from data.ray_tasks import said, show

    def task(x):
        print(f"warning: input {x} looks odd", file=sys.stderr)
        raise ValueError(f"input {x} is bad")
    r = show(said(task)(3))
    assert isinstance(r, ValueError) and str(r) == "input 3 is bad"
    assert "warning: input 3 looks odd" in capsys.readouterr().err
    assert show(said(lambda: 5)()) == 5
