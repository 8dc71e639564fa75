"""The job process's admin endpoint (src/jobhost) and `otter job`: the word_count_kafka example runs
with --admin-addr 127.0.0.1:0 against the broker; the test scrapes /metrics (strict Prometheus text
parsing) and /v1/status while it runs, takes a savepoint with `otter job savepoint`, kills the job
with SIGKILL, starts it again with --from-savepoint and checks that the output is exact (whole window
results may repeat, at-least-once, each copy with the same count; none may be missing).

Binaries: the job from $OTTER_WORD_COUNT_KAFKA (else build/examples/word_count_kafka), the CLI from
$OTTER_BIN (else build/otter)."""
from __future__ import annotations

import json
import re
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from otter_e2e import (create_topic, http_get, otter, parse_prometheus, unique, wait_until,
                       watermarks)
from test_stream_kafka import (check_results, expected_counts, job_args, make_lines, produce_lines,
                               read_results)

ADMIN_LINE = re.compile(r"admin listening on (127\.0\.0\.1:\d+)")


class job_process:
    """A word_count_kafka process whose stderr goes to `log`; killed by PID on exit."""

    def __init__(self, args, log: Path):
        self.log = log
        with open(log, "ab") as f:
            self.proc = subprocess.Popen(args, stdout=f, stderr=subprocess.STDOUT,
                                         start_new_session=True)

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def admin(self) -> str:
        def found():
            if self.proc.poll() is not None:
                raise AssertionError(f"job exited with {self.proc.returncode}:\n{self.text()}")
            m = ADMIN_LINE.search(self.text())
            return m.group(1) if m else None
        return wait_until(found, 30, what="the 'admin listening on' line")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


def status(addr: str) -> dict:
    code, _, body = http_get(f"http://{addr}/v1/status")
    assert code == 200, body
    return json.loads(body)


def records_in(st: dict, operator: str) -> int:
    return sum(o["records_in"] for o in st["operators"] if o["name"] == operator)


def post(addr: str, path: str, body: bytes) -> tuple[int, dict]:
    req = urllib.request.Request(f"http://{addr}{path}", data=body, method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_metrics_status_savepoint_kill_and_restore(broker, tmp_path):
    inp, out = unique("ja-in"), unique("ja-out")
    create_topic(broker, inp, partitions=2)
    create_topic(broker, out, partitions=1)
    lines = make_lines(2000, 2, seed=11)
    produce_lines(broker, inp, lines)
    chk, sp, log = tmp_path / "checkpoints", tmp_path / "savepoint-1", tmp_path / "job.log"
    base = job_args(broker, inp, out, "--parallelism", "2", "--checkpoint-dir", str(chk))
    # ~6 ms per line: the job runs for seconds, long enough to scrape, savepoint and kill.
    job = job_process(base + ["--admin-addr", "127.0.0.1:0", "--record-delay-us", "6000",
                              "--batch-size", "16"], log)
    try:
        addr = job.admin()
        st = wait_until(lambda: (s := status(addr)) and records_in(s, "split") > 0 and s, 30,
                        what="records into the split operator")
        assert st["name"] == "word_count_kafka"
        assert st["state"] == "running"
        assert st["parallelism"] == 2
        assert st["uptime_ms"] >= 0
        assert {(o["name"], o["subtask"]) for o in st["operators"]} >= {
            ("source", 0), ("source", 1), ("split", 0), ("split", 1), ("count", 0), ("count", 1),
            ("kafka", 0), ("kafka", 1)}
        assert st["checkpoints"]["completed"] == 0 and st["checkpoints"]["restored_from"] is None

        code, headers, body = http_get(f"http://{addr}/metrics")
        assert code == 200 and headers["Content-Type"].startswith("text/plain")
        samples = parse_prometheus(body.decode())  # strict: raises on a malformed line
        split_in = [v for n, l, v in samples if n == "otter_stream_records_in_total"
                    and l.get("operator") == "split" and l.get("job") == "word_count_kafka"]
        assert len(split_in) == 2 and sum(split_in) > 0, split_in
        names = {n for n, _, _ in samples}
        for family in ("otter_stream_records_out_total", "otter_stream_watermark_ms",
                       "otter_stream_backpressure_seconds_total", "otter_stream_backpressure_ratio"):
            assert family in names, family

        # The CLI: human-readable and raw status.
        human = otter("job", "status", "--admin", addr).stdout
        assert "job word_count_kafka: running" in human and "RECORDS_IN" in human, human
        raw = json.loads(otter("job", "status", "--admin", addr, "--json").stdout)
        assert raw["name"] == "word_count_kafka"

        # Bad requests are refused with a JSON error and take nothing.
        assert post(addr, "/v1/savepoints", b"not json")[0] == 400
        assert post(addr, "/v1/savepoints", b'{"dir": 5}')[0] == 400

        # Wait for some output first, so that the savepoint lies between written results.
        wait_until(lambda: watermarks(broker, out)[1] >= 10, 60, what="some output")
        cp = otter("job", "savepoint", "--admin", addr, "--dir", str(sp))
        m = re.fullmatch(r"savepoint (\d+) written to (.+)\n", cp.stdout)
        assert m and m.group(2) == str(sp), cp.stdout
        assert (sp / "_manifest").exists()
        again = otter("job", "savepoint", "--admin", addr, "--dir", str(sp), check=False)
        assert again.returncode == 1 and "already holds" in again.stderr, again.stderr
        st = status(addr)
        assert st["checkpoints"]["completed"] == 1
        assert st["checkpoints"]["last_id"] == int(m.group(1))
        assert st["checkpoints"]["last_kind"] == "savepoint"
        assert st["checkpoints"]["last_size_bytes"] > 0
        time.sleep(0.5)
        assert job.proc.poll() is None, "the job ended before it was killed:\n" + job.text()
        job.stop()  # SIGKILL, by PID
    finally:
        job.stop()

    # The CLI reports an unreachable job as one error line.
    gone = otter("job", "status", "--admin", addr, "--timeout", "2", check=False)
    assert gone.returncode == 1 and gone.stderr.startswith("error: cannot reach"), gone.stderr

    before = len(read_results(broker, out))
    restarted = job_process(base + ["--from-savepoint", str(sp)], log)
    try:
        restarted.proc.wait(120)
    finally:
        restarted.stop()
    assert restarted.proc.returncode == 0, restarted.text()
    assert f"restored from {sp}" in restarted.text(), restarted.text()
    duplicates = check_results(broker, out, lines)
    print(f"{before} results before the kill, {duplicates} duplicates after the restore")


def test_sigterm_stops_with_exit_0_and_bad_restores_exit_1(broker, tmp_path):
    inp, out = unique("jt-in"), unique("jt-out")
    create_topic(broker, inp, partitions=1)
    create_topic(broker, out, partitions=1)
    produce_lines(broker, inp, make_lines(1000, 1, seed=12))
    chk, log = tmp_path / "checkpoints", tmp_path / "job.log"
    base = job_args(broker, inp, out, "--checkpoint-dir", str(chk))
    job = job_process(base + ["--admin-addr", "127.0.0.1:0", "--record-delay-us", "3000",
                              "--batch-size", "16", "--checkpoint-interval", "200ms"], log)
    try:
        addr = job.admin()
        wait_until(lambda: status(addr)["checkpoints"]["completed"] >= 1, 30,
                   what="a periodic checkpoint")
        job.proc.send_signal(signal.SIGTERM)
        assert job.proc.wait(30) == 0, job.text()
    finally:
        job.stop()
    assert "SIGTERM received" in job.text() and "stopped on request" in job.text(), job.text()

    # --restore latest resumes from the last periodic checkpoint and finishes the input.
    r = subprocess.run(base + ["--restore", "latest"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "restored from" in r.stderr

    # A savepoint directory that is not one, and a corrupt manifest: one line, exit code 1.
    bad = tmp_path / "not-a-savepoint"
    bad.mkdir()
    r = subprocess.run(base + ["--from-savepoint", str(bad)], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 1, r.stderr
    assert "word_count_kafka: cannot start from savepoint" in r.stderr, r.stderr
    latest = sorted(chk.glob("chk-*/_manifest"))[-1]
    latest.write_bytes(latest.read_bytes()[:-3] + b"xyz")
    r = subprocess.run(base + ["--restore", str(latest.parent)], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 1, r.stderr
    assert "word_count_kafka: cannot restore" in r.stderr, r.stderr
    # Flag errors are refused before anything runs.
    r = subprocess.run(base + ["--restore", "latest", "--from-savepoint", str(bad)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "excludes" in r.stderr, r.stderr
