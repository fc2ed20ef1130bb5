"""A truncated .active segment is damage, never a torn tail: the engine refuses to start and
names the file; put the complete file back and every acknowledged write is there."""
import os
import subprocess

from strongbox_harness import SNAPSHOTTER_BIN, read_records, segment_files

SEGMENT_BYTES = 1 << 20
PREPARED_BYTES = SEGMENT_BYTES + SEGMENT_BYTES // 8  # the rotation size plus its headroom


def test_truncated_active_segment_is_refused_and_the_restored_file_starts(tmp_path, engines):
    data = tmp_path / "data"
    engine = engines(data, "--segment-bytes", str(SEGMENT_BYTES)).start()
    c = engine.client()
    acked = {}
    for i in range(40):
        c.set(f"k{i}", f"value-{i}")  # --fsync always: a reply means durable
        acked[f"k{i}"] = f"value-{i}".encode()
    engine.kill9()

    active = [n for n in segment_files(data) if n.endswith(".active")]
    assert len(active) == 1, segment_files(data)
    path = data / active[0]
    assert os.path.getsize(path) == PREPARED_BYTES
    complete = path.read_bytes()
    records = read_records(path)
    assert len(records) == 40
    last_off, last_len = records[-1][0], records[-1][1]
    # Inside the last record (what used to read as a torn tail), at a record boundary, and in
    # the zero-filled space after the records.
    for cut in (last_off + last_len // 2, last_off, last_off + last_len + 4096):
        os.truncate(path, cut)
        rc, out = engine.run_to_exit()
        assert rc != 0, f"cut at {cut}: {out}"
        assert active[0] in out and f"{cut} bytes" in out and f"{PREPARED_BYTES} bytes" in out, out
        assert "strongbox-snapshotter verify" in out, out
        assert os.path.getsize(path) == cut, "recovery must never trim a damaged file"
        assert not [n for n in os.listdir(data) if n.endswith(".torn")]
        if SNAPSHOTTER_BIN:
            verify = subprocess.run([SNAPSHOTTER_BIN, "verify", "--dir", str(data)],
                                    capture_output=True, timeout=60)
            report = (verify.stdout + verify.stderr).decode(errors="replace")
            assert verify.returncode != 0 and active[0] in report, report
        path.write_bytes(complete)

    engine.start()
    c = engine.client()
    for key, value in acked.items():
        assert c.get(key) == value, key
    assert engine.stop() == 0
