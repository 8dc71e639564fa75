"""The stream engine's Kafka source and sink against the real broker: the word_count_kafka example
job (examples/word_count_kafka.cc) reads timestamped text lines, counts words per 10 s tumbling
event-time window and writes "word,window_end,count" records; the output is compared exactly with
counts computed here. A second test kills the job with SIGKILL after some checkpoints and restarts
it with --restore latest: at-least-once, so whole window results may repeat (de-duplicated here by
(word, window_end), and every copy must carry the same count), but none may be missing.

The job binary: $OTTER_WORD_COUNT_KAFKA, else build/examples/word_count_kafka (target
word_count_kafka)."""
from __future__ import annotations

import os
import random
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

from otter_e2e import (REPO, consume_assigned, create_topic, example_binary, producer, unique,
                       wait_until, watermarks)

WINDOW_MS = 10_000
VOCAB = ["otter", "river", "stream", "kafka", "window", "count", "fish", "stone", "log", "event",
         "time", "water", "broker", "split", "key"]


def job_binary() -> Path:
    return example_binary("word_count_kafka", "OTTER_WORD_COUNT_KAFKA")


def make_lines(n: int, partitions: int, seed: int):
    """[(partition, ts, line)] with timestamps increasing per partition, spanning several windows."""
    rnd = random.Random(seed)
    base = (int(time.time() * 1000) // WINDOW_MS) * WINDOW_MS - 30 * 60 * 1000
    out = []
    for i in range(n):
        words = [rnd.choice(VOCAB) for _ in range(rnd.randint(1, 6))]
        out.append((i % partitions, base + i * 97, " ".join(words)))
    return out


def expected_counts(lines) -> dict[tuple[str, int], int]:
    c: Counter = Counter()
    for _, ts, line in lines:
        end = (ts // WINDOW_MS) * WINDOW_MS + WINDOW_MS
        for w in line.split():
            c[(w, end)] += 1
    return dict(c)


def produce_lines(broker, topic, lines):
    p = producer(broker)
    errors = []
    for part, ts, line in lines:
        p.produce(topic, value=line.encode(), partition=part, timestamp=ts,
                  on_delivery=lambda err, msg: errors.append(err) if err else None)
        p.poll(0)
    assert p.flush(30) == 0
    assert not errors, errors


def read_results(broker, topic) -> list[tuple[str, int, int, bytes]]:
    hw = watermarks(broker, topic)[1]
    recs = consume_assigned(broker, topic, until_offset=hw, timeout=60)
    assert len(recs) == hw, f"read {len(recs)} of {hw} output records"
    out = []
    for _, key, value, _, _ in recs:
        word, end, count = value.decode().split(",")
        out.append((word, int(end), int(count), key))
    return out


def run_job(args, timeout=120, log: Path | None = None):
    with open(log, "ab") if log else open(os.devnull, "wb") as f:
        return subprocess.run(args, stdout=f, stderr=subprocess.STDOUT, timeout=timeout)


def job_args(broker, inp, out, *extra):
    return [str(job_binary()), "--brokers", broker.bootstrap, "--input", inp, "--output", out,
            "--bounded", *extra]


def check_results(broker, out, lines) -> int:
    """Asserts the de-duplicated window results equal the expected counts (every copy of a
    result carries the same count); returns the number of duplicate results."""
    results = read_results(broker, out)
    counts: dict[tuple[str, int], set[int]] = {}
    for w, end, c, _ in results:
        counts.setdefault((w, end), set()).add(c)
    inconsistent = {k: v for k, v in counts.items() if len(v) != 1}
    assert not inconsistent, f"window results with different counts: {inconsistent}"
    got = {k: next(iter(v)) for k, v in counts.items()}
    exp = expected_counts(lines)
    missing = [k for k in exp if k not in got]
    assert not missing, f"{len(missing)} window results missing: {missing[:10]}"
    assert got == exp
    return len(results) - len(got)


def test_word_count_bounded_exact(broker, tmp_path):
    inp, out = unique("wc-in"), unique("wc-out")
    create_topic(broker, inp, partitions=2)
    create_topic(broker, out, partitions=1)
    lines = make_lines(600, 2, seed=1)
    produce_lines(broker, inp, lines)
    log = tmp_path / "job.log"
    r = run_job(job_args(broker, inp, out, "--parallelism", "2"), log=log)
    assert r.returncode == 0, log.read_text(errors="replace")
    results = read_results(broker, out)
    got = {(w, end): c for w, end, c, _ in results}
    assert len(got) == len(results), "a window result was written twice without a restore"
    assert got == expected_counts(lines)
    assert all(key == w.encode() for w, _, _, key in results)


def completed_checkpoints(d: Path) -> list[Path]:
    return sorted(d.glob("chk-*/_manifest"))


def test_word_count_kill9_and_restore_latest_loses_nothing(broker, tmp_path):
    inp, out = unique("wcr-in"), unique("wcr-out")
    create_topic(broker, inp, partitions=2)
    create_topic(broker, out, partitions=1)
    lines = make_lines(2000, 2, seed=2)
    produce_lines(broker, inp, lines)
    chk = tmp_path / "checkpoints"
    log = tmp_path / "job.log"
    base = job_args(broker, inp, out, "--checkpoint-dir", str(chk), "--checkpoint-interval", "200ms")
    with open(log, "ab") as f:
        # ~3 ms per line: the job runs for seconds, long enough to checkpoint and be killed.
        proc = subprocess.Popen(base + ["--record-delay-us", "3000", "--batch-size", "16"], stdout=f,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        # Killed once results are being written and two checkpoints completed.
        wait_until(lambda: proc.poll() is not None or (len(completed_checkpoints(chk)) >= 2
                                                       and watermarks(broker, out)[1] >= 20), 60,
                   what="two completed checkpoints and some output")
        assert proc.poll() is None, (f"the job ended (rc {proc.returncode}) before it was killed\n"
                                     + log.read_text(errors="replace"))
        time.sleep(0.3)
        proc.kill()  # SIGKILL, by PID
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    before = len(read_results(broker, out))
    r = run_job(base + ["--restore", "latest"], log=log)
    assert r.returncode == 0, log.read_text(errors="replace")
    assert "restored from" in log.read_text(errors="replace"), log.read_text(errors="replace")

    duplicates = check_results(broker, out, lines)
    results = read_results(broker, out)
    print(f"{len(results)} results, {before} written before the kill, {duplicates} duplicates")


def test_word_count_between_two_timestamps(broker, tmp_path):
    """Start and stop bounds by timestamp (ListOffsets by time on the broker), per partition."""
    inp, out = unique("wct-in"), unique("wct-out")
    create_topic(broker, inp, partitions=2)
    create_topic(broker, out, partitions=1)
    lines = make_lines(600, 2, seed=3)
    produce_lines(broker, inp, lines)
    # Window-aligned bounds inside the data: windows fully inside are counted exactly.
    first = lines[0][1]
    lo = (first // WINDOW_MS) * WINDOW_MS + 2 * WINDOW_MS
    hi = lo + 3 * WINDOW_MS + 4_321  # not aligned: the last window is partial
    log = tmp_path / "job.log"
    r = run_job(job_args(broker, inp, out, "--from-ts", str(lo), "--until-ts", str(hi)), log=log)
    assert r.returncode == 0, log.read_text(errors="replace")
    got = {(w, end): c for w, end, c, _ in read_results(broker, out)}
    assert got == expected_counts([ln for ln in lines if lo <= ln[1] < hi])
