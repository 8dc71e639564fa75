"""The first pipeline job, examples/github_commits.cc, against `otter serve`: JSON commit events in,
commits per repo per 1-hour tumbling event-time window and per-author sessions (30-minute gap) out,
late and malformed events to a dead-letter ("late") topic. Expected results are computed here.

Semantics the tests check (the job's header comment is the reference):
- counts: one result per (repo, window) with window = [floor(ts / 1h) * 1h, + 1h) and the number
  of on-time events of that repo in it;
- sessions: per author, sort the on-time events by time; consecutive events at most 30 min apart
  (<=) are one session; start = first, last_commit = last, end = last + 30 min, commits, distinct
  sorted repos;
- an event is on time when it is at most 5 min older than the newest event before it in its own
  partition. The job's watermark is the minimum over partitions, so such an event is on time
  whatever the interleaving of partitions. Whether an event more than 5 min old is late depends
  on how far the *other* partitions have been read (a consumer may read one partition to its end
  before it starts another), so a single bounded run cannot make lateness deterministic. The late
  test therefore produces its late events only after the job has provably advanced its watermark
  (a window result beyond them was written), and closes every window with one far-future event
  per partition;
- malformed values (invalid JSON, non-objects, missing/empty fields, bad or zone-less timestamps,
  null values) are skipped, counted, and written to the late topic with otter.reason=malformed;
- data never has two events of one author exactly 30 min apart: such a pair merges only if the
  second arrives before the first session fires, which depends on the interleaving.

The recovery test kills the bounded job with SIGKILL at least 5 times — at random moments and, on
alternate kills, as soon as a checkpoint directory appears without its _manifest (the checkpoint
is being written; a directory still without _manifest after the kill proves the kill hit the
write) — restarts it with --restore latest, and checks the outputs: every expected result present,
every copy of a result equal to the expected one (whole duplicates are allowed: at-least-once),
the de-duplicated outputs equal to an uninterrupted run's.

The job binary: $OTTER_GITHUB_COMMITS, else build/examples/github_commits (target github_commits)."""
from __future__ import annotations

import calendar
import json
import os
import random
import re
import signal
import subprocess
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from otter_e2e import (REPO, consume_assigned, create_topic, example_binary, producer, unique,
                       wait_until, watermarks)

D = 5 * 60_000            # --out-of-orderness
WINDOW = 3_600_000        # --window
GAP = 30 * 60_000         # --session-gap
PARTITIONS = 3
T0 = calendar.timegm((2026, 11, 23, 0, 0, 0)) * 1000
REPOS = ["otter-org/otter", "otter-org/docs", "torvalds/linux", "rust-lang/rust", "nodejs/node",
         "duckdb/duckdb", "redpanda-data/redpanda", "apache/flink", "ünïcode/répo", "a/b"]


def job_binary() -> Path:
    return example_binary("github_commits", "OTTER_GITHUB_COMMITS")


# ------------------------------------------------------------------------------------------------
# Data
# ------------------------------------------------------------------------------------------------

@dataclass
class Event:
    author: str
    repo: str
    ts: int
    sha: str = ""
    partition: int = 0
    value: bytes | None = None        # the record value as produced
    key: bytes | None = None
    offset: int = -1                  # filled in when produced
    valid: bool = True
    why: str = ""                     # malformed: what is wrong (for messages only)


def iso(ms: int, offset_min: int = 0, digits: int | None = 3) -> str:
    """ISO-8601 of ms in the given zone; digits = fractional digits (None: none)."""
    dt = datetime.fromtimestamp(ms // 1000, tz=timezone.utc) + timedelta(minutes=offset_min)
    s = dt.strftime("%Y-%m-%dT%H:%M:%S")
    if digits is not None:
        frac = f"{ms % 1000:03d}"
        s += "." + (frac + "".join(str((ms * 7 + i) % 10) for i in range(max(0, digits - 3))))[:digits]
    if offset_min == 0:
        return s + "Z"
    sign = "+" if offset_min > 0 else "-"
    h, m = divmod(abs(offset_min), 60)
    return s + f"{sign}{h:02d}:{m:02d}"


def iso_out(ms: int) -> str:
    """The job's output form: UTC with milliseconds."""
    return iso(ms, 0, 3)


def encode(e: Event, rnd: random.Random) -> bytes:
    """The event as JSON, its timestamp in one of the accepted forms."""
    form = rnd.random()
    if e.ts % 1000 == 0 and form < 0.5:
        ts = iso(e.ts, 0, None)                                   # GitHub's own form
    elif form < 0.65:
        ts = iso(e.ts, 0, 3)
    elif form < 0.72:
        ts = iso(e.ts, 0, 6)                                      # extra digits are truncated
    elif form < 0.85:
        off = rnd.choice([120, -300, 330, -570, 840])
        ts = iso(e.ts, off, 3 if e.ts % 1000 else None)
        style = rnd.random()
        if style < 0.3:
            ts = ts[:-3] + ts[-2:]                                # +HHMM
        elif style < 0.45 and off % 60 == 0:
            ts = ts[:-3]                                          # +HH
    else:
        ts = e.ts                                                 # epoch ms
    doc = {"sha": e.sha, "repo": e.repo, "author": e.author, "timestamp": ts,
           "message": "fix: " + rnd.choice(["typo", "race", "leak", "docs", "ünïcode"]),
           "stats": {"additions": rnd.randint(0, 500), "deletions": rnd.randint(0, 200)}}
    return json.dumps(doc, ensure_ascii=rnd.random() < 0.5).encode()


MALFORMED = [
    (b"not json at all", "not JSON"),
    (b'{"sha": "x", "repo": "a/b", "author": "dev01", "timestamp": ', "truncated"),
    (b"[1, 2, 3]", "array"),
    (b'"just a string"', "string"),
    (b'{"sha":"x","author":"dev01","timestamp":"2026-11-23T01:00:00Z"}', "no repo"),
    (b'{"sha":"x","repo":"","author":"dev01","timestamp":"2026-11-23T01:00:00Z"}', "empty repo"),
    (b'{"sha":"x","repo":"a/b","author":null,"timestamp":"2026-11-23T01:00:00Z"}', "null author"),
    (b'{"sha":"x","repo":"a/b","author":7,"timestamp":"2026-11-23T01:00:00Z"}', "numeric author"),
    (b'{"sha":"x","repo":"a/b","author":"dev01"}', "no timestamp"),
    (b'{"sha":"x","repo":"a/b","author":"dev01","timestamp":"2026-11-23T01:00:00"}', "no zone"),
    (b'{"sha":"x","repo":"a/b","author":"dev01","timestamp":"2026-02-30T01:00:00Z"}', "Feb 30"),
    (b'{"sha":"x","repo":"a/b","author":"dev01","timestamp":"2026-11-23T24:00:00Z"}', "hour 24"),
    (b'{"sha":"x","repo":"a/b","author":"dev01","timestamp":"2026-11-23T01:00:00+2:00"}', "bad offset"),
    (b'{"sha":"x","repo":"a/b","author":"dev01","timestamp":"yesterday"}', "words"),
    (b'{"sha":"x","repo":"a/b","author":"dev01","timestamp":1.7e12}', "float"),
    (b'{"sha":"x","repo":"a/b","author":"dev01","timestamp":true}', "bool"),
    (b'{"sha":"x","repo":"a/b","author":"dev01","timestamp":99999999999999999999}', "huge"),
    (b"\xff\xfe\x00binary", "binary"),
    (b"", "empty value"),
    (None, "null value"),
]


def gen_dataset(seed: int, authors: int, hours: int, boundary_per_partition: int = 6,
                malformed_copies: int = 1):
    """Per-partition lists of events in produce order: on-time events (each at most D older than
    the newest before it in its partition; some exactly D older), malformed records mixed in."""
    rnd = random.Random(seed)
    names = [f"dev{i:02d}" for i in range(authors - 1)] + ["ãuthor-ñ"]
    t_end = T0 + hours * WINDOW
    evs: list[Event] = []
    for author in names:
        favs = rnd.sample(REPOS, rnd.randint(1, 3))
        t = T0 + rnd.randint(0, WINDOW)
        while t < t_end:
            for _ in range(rnd.randint(1, 15)):
                if t >= t_end:
                    break
                repo = rnd.choice(favs) if rnd.random() < 0.85 else rnd.choice(REPOS)
                ts = t - t % 1000 if rnd.random() < 0.7 else t
                evs.append(Event(author, repo, ts))
                t += rnd.randint(20_000, 20 * 60_000)       # within a session: < GAP
            t += rnd.randint(31 * 60_000, 2 * WINDOW)       # between sessions: > GAP
    parts: list[list[Event]] = [[] for _ in range(PARTITIONS)]
    for e in evs:
        e.partition = rnd.randrange(PARTITIONS)
        parts[e.partition].append(e)
    for p, lst in enumerate(parts):
        # Out of order within D: sorted by ts + jitter, jitter in [0, D].
        lst.sort(key=lambda e: e.ts + (rnd.randint(0, D) if rnd.random() < 0.6 else 0))
        # Events exactly D older than the newest before them: still on time. Placed where that
        # puts them in the window before an hour boundary the partition has just passed (the
        # window a smaller out-of-orderness would already have closed), else anywhere.
        prefix_newest, newest = [], None
        for e in lst:
            prefix_newest.append(newest)
            newest = e.ts if newest is None else max(newest, e.ts)
        edges = [i for i, n in enumerate(prefix_newest)
                 if n is not None and (n - D) % WINDOW >= WINDOW - 90_000]
        picks = rnd.sample(edges, min(len(edges), boundary_per_partition))
        picks += [rnd.randrange(len(lst) // 10, len(lst)) for _ in range(boundary_per_partition)]
        for i in sorted(picks, reverse=True):
            n = prefix_newest[i]
            lst.insert(i, Event(rnd.choice(names), rnd.choice(REPOS), n - D, partition=p))
        newest = None
        for e in lst:
            assert newest is None or e.ts >= newest - D, "generator: an event is late"
            newest = e.ts if newest is None else max(newest, e.ts)
    for p, lst in enumerate(parts):
        for e in lst:
            e.sha = f"{rnd.getrandbits(160):040x}"
            e.key = e.sha.encode()
            e.value = encode(e, rnd)
        for _ in range(malformed_copies):
            for value, why in MALFORMED:
                lst.insert(rnd.randrange(len(lst) + 1),
                           Event("", "", 0, partition=p, value=value, key=b"bad", valid=False, why=why))
    check_no_exact_gap([e for lst in parts for e in lst if e.valid])
    return parts


def check_no_exact_gap(events):
    by = defaultdict(list)
    for e in events:
        by[e.author].append(e.ts)
    for a, ts in by.items():
        ts.sort()
        for x, y in zip(ts, ts[1:]):
            assert y - x != GAP, f"generator: {a} has two events exactly {GAP} ms apart; change the seed"


def produce(broker, topic: str, parts: list[list[Event]]):
    """Produces each partition's events in order (one request in flight keeps the order) and
    records their offsets."""
    p = producer(broker, **{"max.in.flight.requests.per.connection": 1, "linger.ms": 20})
    errors = []

    def cb(e):
        def f(err, msg):
            if err:
                errors.append(err)
            else:
                e.offset = msg.offset()
        return f

    for lst in parts:
        for e in lst:
            p.produce(topic, value=e.value, key=e.key, partition=e.partition, on_delivery=cb(e))
            p.poll(0)
    assert p.flush(60) == 0
    assert not errors, errors[:5]
    for lst in parts:
        offs = [e.offset for e in lst]
        assert offs == sorted(offs) and offs[0] >= 0, "records were not written in order"


# ------------------------------------------------------------------------------------------------
# Expected results
# ------------------------------------------------------------------------------------------------

def expected_counts(events) -> dict[tuple[str, int], int]:
    return dict(Counter((e.repo, e.ts // WINDOW * WINDOW) for e in events))


def expected_sessions(events) -> dict[tuple[str, int], dict]:
    by = defaultdict(list)
    for e in events:
        by[e.author].append((e.ts, e.repo))
    out = {}
    for author, lst in by.items():
        lst.sort()
        cur = None

        def emit(c):
            out[(author, c["start"])] = {"last": c["last"], "commits": c["n"], "repos": sorted(c["repos"])}

        for ts, repo in lst:
            if cur is not None and ts <= cur["last"] + GAP:
                cur["last"] = max(cur["last"], ts)
                cur["n"] += 1
                cur["repos"].add(repo)
            else:
                if cur is not None:
                    emit(cur)
                cur = {"start": ts, "last": ts, "n": 1, "repos": {repo}}
        emit(cur)
    return out


# ------------------------------------------------------------------------------------------------
# Reading outputs
# ------------------------------------------------------------------------------------------------

def read_topic(broker, topic):
    hw = watermarks(broker, topic)[1]
    recs = consume_assigned(broker, topic, until_offset=hw, timeout=60)
    assert len(recs) == hw, f"{topic}: read {len(recs)} of {hw} records"
    return recs


def read_counts(broker, topic) -> list[tuple[tuple[str, int], int]]:
    out = []
    for _, key, value, _, _ in read_topic(broker, topic):
        v = json.loads(value)
        assert list(v) == ["repo", "window_start", "window_end", "window_start_ms", "window_end_ms",
                           "commits"], v
        assert key == v["repo"].encode(), (key, v)
        assert v["window_end_ms"] - v["window_start_ms"] == WINDOW and v["window_start_ms"] % WINDOW == 0, v
        assert v["window_start"] == iso_out(v["window_start_ms"]), v
        assert v["window_end"] == iso_out(v["window_end_ms"]), v
        out.append(((v["repo"], v["window_start_ms"]), v["commits"]))
    return out


def read_sessions(broker, topic) -> list[tuple[tuple[str, int], dict]]:
    out = []
    for _, key, value, _, _ in read_topic(broker, topic):
        v = json.loads(value)
        assert key == v["author"].encode(), (key, v)
        assert v["session_end_ms"] == v["last_commit_ms"] + GAP, v
        for f in ("session_start", "session_end", "last_commit"):
            assert v[f] == iso_out(v[f + "_ms"]), v
        out.append(((v["author"], v["session_start_ms"]),
                    {"last": v["last_commit_ms"], "commits": v["commits"], "repos": v["repos"]}))
    return out


def read_late(broker, topic, input_topic) -> list[tuple[str, int, int, bytes | None, bytes | None, dict]]:
    """[(reason, partition, offset, key, value, headers)]"""
    out = []
    for _, key, value, headers, _ in read_topic(broker, topic):
        h = {k: v.decode() for k, v in (headers or [])}
        m = re.fullmatch(re.escape(input_topic) + r"/(\d+)/(\d+)", h.get("otter.source", ""))
        assert m, h
        out.append((h["otter.reason"], int(m.group(1)), int(m.group(2)), key, value, h))
    return out


def unique_results(results, what: str) -> tuple[dict, int]:
    """De-duplicates whole results; fails on two different results for one key. Returns
    (results by key, number of duplicate copies)."""
    got: dict = {}
    conflicts = []
    for k, v in results:
        if k in got and got[k] != v:
            conflicts.append((k, got[k], v))
        got.setdefault(k, v)
    assert not conflicts, f"{what}: {len(conflicts)} keys with different results: {conflicts[:5]}"
    return got, len(results) - len(got)


def assert_equal_results(what: str, got: dict, exp: dict):
    missing = [k for k in exp if k not in got]
    extra = [k for k in got if k not in exp]
    wrong = [(k, got[k], exp[k]) for k in exp if k in got and got[k] != exp[k]]
    assert not missing and not extra and not wrong, (
        f"{what}: {len(missing)} missing {missing[:5]}, {len(extra)} unexpected {extra[:5]}, "
        f"{len(wrong)} wrong {wrong[:5]} (expected {len(exp)})")


# ------------------------------------------------------------------------------------------------
# Running the job
# ------------------------------------------------------------------------------------------------

@dataclass
class Topics:
    input: str = field(default_factory=lambda: unique("commits"))
    counts: str = field(default_factory=lambda: unique("repo-counts"))
    sessions: str = field(default_factory=lambda: unique("sessions"))
    late: str = field(default_factory=lambda: unique("late"))

    def create(self, broker):
        create_topic(broker, self.input, partitions=PARTITIONS)
        for t in (self.counts, self.sessions, self.late):
            create_topic(broker, t, partitions=1)


def job_args(broker, t: Topics, *extra) -> list[str]:
    return [str(job_binary()), "--brokers", broker.bootstrap, "--input", t.input, "--counts-topic", t.counts,
            "--sessions-topic", t.sessions, "--late-topic", t.late, *extra]


def summary(log: str) -> dict[str, int]:
    m = re.findall(r"github_commits: (?:done|stopped by signal), (\d+) checkpoints, (\d+) malformed, "
                   r"late for counts (\d+), late for sessions (\d+)", log)
    assert m, f"no summary line in the job's output:\n{log[-3000:]}"
    c, mal, lc, ls = map(int, m[-1])
    return {"checkpoints": c, "malformed": mal, "late_counts": lc, "late_sessions": ls}


def run_to_end(args, log: Path, timeout: float = 120) -> str:
    with open(log, "ab") as f:
        r = subprocess.run(args, stdout=f, stderr=subprocess.STDOUT, timeout=timeout)
    text = log.read_text(errors="replace")
    assert r.returncode == 0, f"job exited {r.returncode}:\n{text[-4000:]}"
    return text


def check_dead_letters(late, malformed: list[Event], late_events: list[Event] = ()):
    """Every malformed record once per copy with reason malformed; every late event with both
    late reasons; nothing else. Returns the number of duplicate copies."""
    exp = {("malformed", e.partition, e.offset): e for e in malformed}
    for e in late_events:
        exp[("late-for-counts", e.partition, e.offset)] = e
        exp[("late-for-sessions", e.partition, e.offset)] = e
    seen = Counter()
    for reason, p, off, key, value, h in late:
        k = (reason, p, off)
        assert k in exp, f"unexpected dead letter {k} {h} {value!r}"
        e = exp[k]
        assert value == e.value and key == e.key, (k, value, e.value)
        assert ("otter.error" in h) == (reason == "malformed"), h
        seen[k] += 1
    missing = [(k, exp[k].why) for k in exp if k not in seen]
    assert not missing, f"{len(missing)} dead letters missing: {missing[:10]}"
    return sum(seen.values()) - len(seen)


# ------------------------------------------------------------------------------------------------
# Tests
# ------------------------------------------------------------------------------------------------

def test_flags_are_checked():
    bad = [["--window", "0"], ["--window", "1x"], ["--checkpoint-interval", "ten"],
           ["--session-gap", "-5m"], ["--parallelism", "0"],
           ["--restore", "latest", "--from-savepoint", "/tmp/x"]]
    base = [str(job_binary()), "--input", "i", "--counts-topic", "c", "--sessions-topic", "s"]
    for extra in bad:
        r = subprocess.run(base + extra, capture_output=True, text=True, timeout=30)
        assert r.returncode != 0, (extra, r.stderr)
        assert r.stderr.strip(), extra
    r = subprocess.run([str(job_binary()), "--counts-topic", "c", "--sessions-topic", "s"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode != 0 and "--input" in r.stderr, r.stderr


def test_bounded_run_is_exact(broker, tmp_path):
    t = Topics()
    t.create(broker)
    parts = gen_dataset(seed=1, authors=90, hours=10)
    produce(broker, t.input, parts)
    events = [e for lst in parts for e in lst if e.valid]
    malformed = [e for lst in parts for e in lst if not e.valid]
    log = tmp_path / "job.log"
    text = run_to_end(job_args(broker, t, "--bounded", "--parallelism", "2", "--batch-size", "8"), log)

    counts, dup_c = unique_results(read_counts(broker, t.counts), "counts")
    sessions, dup_s = unique_results(read_sessions(broker, t.sessions), "sessions")
    assert dup_c == 0 and dup_s == 0, "a result was written twice without a restore"
    exp_c, exp_s = expected_counts(events), expected_sessions(events)
    assert_equal_results("counts", counts, exp_c)
    assert_equal_results("sessions", sessions, exp_s)
    assert check_dead_letters(read_late(broker, t.late, t.input), malformed) == 0
    s = summary(text)
    assert s["malformed"] == len(malformed) and s["late_counts"] == 0 and s["late_sessions"] == 0, s
    print(f"{len(events)} events, {len(malformed)} malformed over {PARTITIONS} partitions: "
          f"{len(exp_c)} window results, {len(exp_s)} sessions, exact")


def test_late_events_go_to_the_late_topic(broker, tmp_path):
    t = Topics()
    t.create(broker)
    rnd = random.Random(5)
    parts = gen_dataset(seed=2, authors=30, hours=6, malformed_copies=1)
    produce(broker, t.input, parts)
    events = [e for lst in parts for e in lst if e.valid]
    malformed = [e for lst in parts for e in lst if not e.valid]
    exp_s_phase1 = expected_sessions(events)
    log = tmp_path / "job.log"
    with open(log, "ab") as f:
        proc = subprocess.Popen(job_args(broker, t, "--batch-size", "32"), stdout=f,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        # A result of a window ending at T0 + 3h means the job's watermark passed T0 + 3h - 1.
        def advanced():
            assert proc.poll() is None, log.read_text(errors="replace")
            if watermarks(broker, t.counts)[1] == 0:
                return False
            return any(k[1] + WINDOW >= T0 + 3 * WINDOW for k, _ in read_counts(broker, t.counts))
        wait_until(advanced, 60, interval=0.3, what="a window result ending at T0 + 3h")

        # Late events: windows ending by T0 + 2h, sessions [ts, ts + gap] before T0 + 2h that touch
        # no session of the author (else the event would legitimately merge into a live one).
        late: list[Event] = []
        while len(late) < 30:
            author = rnd.choice(sorted({e.author for e in events}))
            ts = T0 + rnd.randint(0, WINDOW + WINDOW // 2 - 1)
            if any(k[0] == author and k[1] <= ts + GAP and ts <= v["last"] + GAP
                   for k, v in exp_s_phase1.items()):
                continue
            e = Event(author, rnd.choice(REPOS), ts, sha=f"{rnd.getrandbits(160):040x}",
                      partition=rnd.randrange(PARTITIONS))
            e.key = e.sha.encode()
            e.value = encode(e, rnd)
            late.append(e)
        # Then one far-future event per partition: every partition's watermark passes every window.
        closing = []
        for p in range(PARTITIONS):
            e = Event("closing-bot", "otter/closing", T0 + 48 * WINDOW, sha=f"close{p}", partition=p)
            e.key = e.sha.encode()
            e.value = encode(e, rnd)
            closing.append(e)
        phase2 = [[e for e in late if e.partition == p] + [closing[p]] for p in range(PARTITIONS)]
        produce(broker, t.input, phase2)

        exp_c, exp_s = expected_counts(events), expected_sessions(events)
        wait_until(lambda: proc.poll() is None and
                   watermarks(broker, t.counts)[1] >= len(exp_c) and
                   watermarks(broker, t.sessions)[1] >= len(exp_s) and
                   watermarks(broker, t.late)[1] >= len(malformed) + 2 * len(late), 60, interval=0.3,
                   what="every result")
        time.sleep(1.0)  # anything unexpected would show up now
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0, log.read_text(errors="replace")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    text = log.read_text(errors="replace")

    counts, dup_c = unique_results(read_counts(broker, t.counts), "counts")
    sessions, dup_s = unique_results(read_sessions(broker, t.sessions), "sessions")
    assert dup_c == 0 and dup_s == 0
    assert_equal_results("counts", counts, exp_c)
    assert_equal_results("sessions", sessions, exp_s)
    assert check_dead_letters(read_late(broker, t.late, t.input), malformed, late) == 0
    s = summary(text)
    assert "stopped by signal" in text
    assert s == {"checkpoints": 0, "malformed": len(malformed), "late_counts": len(late),
                 "late_sessions": len(late)}, s
    print(f"{len(events)} on-time events, {len(late)} late (to the late topic twice each), "
          f"{len(malformed)} malformed; exact")


def completed_checkpoints(d: Path) -> list[int]:
    return sorted(int(p.parent.name[4:]) for p in d.glob("chk-*/_manifest"))


def all_checkpoint_ids(d: Path) -> list[int]:
    """Completed or not (a job numbers its checkpoints above every chk-<id> present)."""
    return sorted(int(p.name[4:]) for p in d.glob("chk-*") if p.name[4:].isdigit())


def checkpoint_being_written(d: Path, above: int) -> int | None:
    """The id of a chk-<id> directory above `above` without its _manifest, if any."""
    try:
        names = os.listdir(d)
    except FileNotFoundError:
        return None
    for n in names:
        if n.startswith("chk-") and n[4:].isdigit() and int(n[4:]) > above:
            if not os.path.exists(os.path.join(d, n, "_manifest")):
                return int(n[4:])
    return None


def test_repeated_kill9_and_restore_latest(broker, tmp_path):
    kills_wanted = 6
    ref, t = Topics(), Topics()
    ref.create(broker)
    create_topic(broker, t.counts, partitions=1)
    create_topic(broker, t.sessions, partitions=1)
    create_topic(broker, t.late, partitions=1)
    t.input = ref.input
    parts = gen_dataset(seed=3, authors=70, hours=10)
    produce(broker, ref.input, parts)
    events = [e for lst in parts for e in lst if e.valid]
    malformed = [e for lst in parts for e in lst if not e.valid]
    exp_c, exp_s = expected_counts(events), expected_sessions(events)

    # The uninterrupted run.
    run_to_end(job_args(broker, ref, "--bounded", "--name", "reference"), tmp_path / "ref.log")
    ref_c, _ = unique_results(read_counts(broker, ref.counts), "reference counts")
    ref_s, _ = unique_results(read_sessions(broker, ref.sessions), "reference sessions")
    assert_equal_results("reference counts", ref_c, exp_c)
    assert_equal_results("reference sessions", ref_s, exp_s)

    chk = tmp_path / "checkpoints"
    log = tmp_path / "job.log"
    # ~3 ms per record: the uninterrupted job would run ~10 s, checkpointing every 300 ms.
    base = job_args(broker, t, "--bounded", "--checkpoint-dir", str(chk), "--checkpoint-interval", "300ms",
                    "--record-delay-us", "3000", "--batch-size", "16")
    rnd = random.Random(9)
    started = time.monotonic()
    kills, mid_write, fresh_starts, restores = 0, 0, 0, 0
    while kills < kills_wanted:
        assert time.monotonic() - started < 150, f"only {kills} kills in 150 s"
        restore = bool(completed_checkpoints(chk))
        restores += restore
        fresh_starts += not restore
        above = max(all_checkpoint_ids(chk), default=0) if chk.exists() else 0
        with open(log, "ab") as f:
            f.write(f"\n===== start {kills + 1} (restore: {restore})\n".encode())
            f.flush()
            proc = subprocess.Popen(base + (["--restore", "latest"] if restore else []), stdout=f,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        try:
            target = None
            if kills % 2 == 1:
                # Kill as soon as a checkpoint is being written (directory without _manifest).
                deadline = time.monotonic() + 5
                while time.monotonic() < deadline and proc.poll() is None:
                    target = checkpoint_being_written(chk, above)
                    if target is not None:
                        break
                    time.sleep(0.0005)
            else:
                time.sleep(rnd.uniform(0.4, 2.0))
            assert proc.poll() is None, (f"the job ended (rc {proc.returncode}) before kill {kills + 1}: "
                                         f"make the run longer\n" + log.read_text(errors="replace")[-3000:])
            proc.kill()  # SIGKILL, by PID
            proc.wait(10)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
        kills += 1
        if target is not None and not (chk / f"chk-{target}" / "_manifest").exists():
            mid_write += 1
    with open(log, "ab") as f:
        f.write(b"\n===== final run\n")
    restore = bool(completed_checkpoints(chk))
    text = run_to_end(base + (["--restore", "latest"] if restore else []), log, timeout=150)
    elapsed = time.monotonic() - started
    assert "restored from" in text.split("===== final run")[-1] or not restore

    counts, dup_c = unique_results(read_counts(broker, t.counts), "counts")
    sessions, dup_s = unique_results(read_sessions(broker, t.sessions), "sessions")
    assert_equal_results("counts after kills", counts, exp_c)
    assert_equal_results("sessions after kills", sessions, exp_s)
    assert counts == ref_c and sessions == ref_s
    dup_l = check_dead_letters(read_late(broker, t.late, t.input), malformed)
    assert mid_write >= 1, "no kill hit a checkpoint being written"
    print(f"{kills} kills ({mid_write} while a checkpoint was being written), {restores + restore} "
          f"restores, {fresh_starts} fresh starts, {elapsed:.1f} s; duplicates: counts {dup_c} of "
          f"{len(exp_c)}, sessions {dup_s} of {len(exp_s)}, dead letters {dup_l}")
