"""Consumer groups end to end: real librdkafka (confluent_kafka) and kafkajs members in separate
processes, killed with SIGKILL, restarted, mixed in one group; committed offsets across broker
restarts; replay with `otter group reset-offsets`; error paths (raw protocol and AdminClient); lag
on /metrics; the `otter group` CLI; and Burrow reading __consumer_offsets (skipped without the
Debian packages burrow and zookeeper).

Members are tests/e2e/group_member.py (librdkafka) and tests/e2e/js/group_member.js (kafkajs);
both print one JSON event per line (assign/revoke/msg/commit/...), which the tests collect.
Every wait is bounded; assertions are about sets and orderings that do not depend on timing.
"""
from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import threading
import time
from pathlib import Path

import pytest

from otter_e2e import (E2E, OTTER, KafkaConn, admin, client_logger, create_topic, metrics,
                       missing_group_apis, otter, producer, unique, wait_until)

pytestmark = pytest.mark.groups

PYTHON = "/usr/bin/python3"
SESSION_TIMEOUT_MS = 6000
# A broker that starts rebalances quickly; the session timeout floor stays at or below 6 s.
FAST_GROUPS = {"group_initial_rebalance_delay_ms": 200, "group_min_session_timeout_ms": 1000}

API_DELETE_GROUPS = 42
ERR_OFFSET_OUT_OF_RANGE = 1
ERR_NON_EMPTY_GROUP = 68
ERR_GROUP_ID_NOT_FOUND = 69


@pytest.fixture
def gbroker(broker_factory):
    b = broker_factory(config=FAST_GROUPS)
    missing = missing_group_apis(b.kafka_port)
    if missing:
        pytest.skip(f"broker does not support consumer groups yet: ApiVersions lacks {', '.join(missing)}")
    return b


@pytest.fixture
def members(tmp_path):
    """Factory of Member processes; every one still running is killed (by PID) at teardown."""
    started: list[Member] = []

    def make(kind: str, broker, topic: str, group: str, **opts) -> Member:
        m = Member(kind, broker, topic, group, tmp_path / f"member{len(started)}-{kind}.log", **opts)
        started.append(m)
        return m

    yield make
    for m in started:
        m.kill()


# --------------------------------------------------------------------------------------------
# Member processes
# --------------------------------------------------------------------------------------------

class Member:
    """One group member process and the events it printed (read by a background thread)."""

    def __init__(self, kind: str, broker, topic: str, group: str, log_path: Path, **opts):
        assert kind in ("rdkafka", "js"), kind
        self.kind = kind
        self.log_path = log_path
        self.cfg = {"bootstrap": broker.bootstrap, "topic": topic, "group": group,
                    "session_timeout_ms": SESSION_TIMEOUT_MS, **opts}
        if kind == "rdkafka":
            cmd = [PYTHON, str(E2E / "group_member.py"), json.dumps(self.cfg)]
        else:
            if shutil.which("node") is None or not (E2E / "node_modules" / "kafkajs").is_dir():
                pytest.fail("node or tests/e2e/node_modules/kafkajs missing: run scripts/setup.sh")
            cmd = ["node", str(E2E / "js" / "group_member.js"), json.dumps(self.cfg)]
        self.events: list[dict] = []
        self.lock = threading.Lock()
        self.stderr = open(log_path, "ab")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=self.stderr, start_new_session=True,
                                     env={**os.environ, "KAFKAJS_NO_PARTITIONER_WARNING": "1"})
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            try:
                ev = json.loads(line)
            except ValueError:
                ev = {"ev": "garbage", "line": line.decode(errors="replace")}
            with self.lock:
                self.events.append(ev)

    def snapshot(self) -> list[dict]:
        with self.lock:
            return list(self.events)

    def assignment(self) -> set[int]:
        """The partitions held now: librdkafka reports incremental assign/revoke (eager
        revokes everything first); kafkajs reports the full assignment after each join."""
        held: set[int] = set()
        for ev in self.snapshot():
            if ev["ev"] == "assign":
                held = set(ev["parts"]) if self.kind == "js" else held | set(ev["parts"])
            elif ev["ev"] in ("revoke", "lost"):
                held -= set(ev["parts"])
        return held

    def rebalance_events(self) -> list[dict]:
        return [e for e in self.snapshot() if e["ev"] in ("assign", "revoke", "lost")]

    def values(self) -> list[str]:
        return [e["v"] for e in self.snapshot() if e["ev"] == "msg"]

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self):
        if self.alive():
            self.proc.kill()
        self.proc.wait(10)
        self.reader.join(5)

    def terminate(self, timeout: float = 20):
        """SIGTERM: the member closes (leaving the group) and exits."""
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"{self.kind} member did not exit within {timeout}s of SIGTERM")
        self.reader.join(5)

    def describe(self) -> str:
        evs = [e for e in self.snapshot() if e["ev"] not in ("msg", "commit")]
        try:
            err = self.log_path.read_text(errors="replace")[-3000:]
        except FileNotFoundError:
            err = ""
        return (f"{self.kind} member pid {self.proc.pid} (alive={self.alive()}): "
                f"{len(self.values())} msgs; events {json.dumps(evs)[-3000:]}\nstderr: {err}")


def describe_all(ms) -> str:
    return "\n".join(m.describe() for m in ms)


def wait_for_assignment(ms, partitions: int, timeout: float, what: str):
    """Waits until the members' assignments are disjoint and cover every partition, each member
    holding at least one; returns the time it happened."""
    def covered():
        sets = [m.assignment() for m in ms]
        union = set().union(*sets)
        return (union == set(range(partitions)) and sum(len(s) for s in sets) == partitions
                and all(sets))
    try:
        wait_until(covered, timeout, interval=0.05, what=what)
    except AssertionError as e:
        raise AssertionError(f"{e}\n{describe_all(ms)}") from None
    return time.monotonic()


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------

def produce_spread(broker, topic: str, values: list[str], partitions: int, **conf):
    """Produces value i to partition i % partitions with acks=all; fails on any error."""
    p = producer(broker, **conf)
    errors = []

    def cb(err, msg):
        if err is not None:
            errors.append(err)

    for i, v in enumerate(values):
        p.produce(topic, value=v.encode(), partition=i % partitions, on_delivery=cb)
        p.poll(0)
    assert p.flush(30) == 0, "messages not delivered within 30 s"
    assert not errors, errors[:5]


def group_consumer(broker, group: str):
    """A consumer with the group's id that never subscribes: OffsetFetch/OffsetCommit only."""
    from confluent_kafka import Consumer
    return Consumer({"bootstrap.servers": broker.bootstrap, "group.id": group,
                     "enable.auto.commit": False, "logger": client_logger()})


def committed(broker, group: str, topic: str, partitions: int, consumer=None) -> dict[int, int]:
    """OffsetFetch through confluent_kafka's committed(): {partition: offset} (-1001 = none)."""
    from confluent_kafka import TopicPartition
    c = consumer or group_consumer(broker, group)
    try:
        tps = c.committed([TopicPartition(topic, p) for p in range(partitions)], timeout=10)
        for tp in tps:
            assert tp.error is None, f"OffsetFetch error for partition {tp.partition}: {tp.error}"
        return {tp.partition: tp.offset for tp in tps}
    finally:
        if consumer is None:
            c.close()


def high_watermarks(broker, topic: str, partitions: int) -> dict[int, int]:
    from confluent_kafka import TopicPartition
    c = group_consumer(broker, unique("e2e-hw"))
    try:
        return {p: c.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1]
                for p in range(partitions)}
    finally:
        c.close()


class CommitMonitor:
    """Polls OffsetFetch for the group every 100 ms on its own thread and keeps every answer, to
    check that no committed offset ever goes backwards."""

    def __init__(self, broker, group: str, topic: str, partitions: int):
        self.broker, self.group, self.topic, self.partitions = broker, group, topic, partitions
        self.history: dict[int, list[int]] = {p: [] for p in range(partitions)}
        self.errors: list[str] = []
        self.stop_flag = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.consumer = group_consumer(broker, group)
        self.thread.start()

    def _run(self):
        while not self.stop_flag.is_set():
            try:
                for p, o in committed(self.broker, self.group, self.topic, self.partitions,
                                      consumer=self.consumer).items():
                    if o >= 0 and (not self.history[p] or self.history[p][-1] != o):
                        self.history[p].append(o)
            except Exception as e:  # noqa: BLE001 - recorded and reported by the test
                self.errors.append(repr(e))
            self.stop_flag.wait(0.1)

    def latest(self) -> dict[int, int]:
        return {p: (h[-1] if h else -1) for p, h in self.history.items()}

    def stop(self):
        self.stop_flag.set()
        self.thread.join(15)
        self.consumer.close()

    def assert_monotonic(self):
        for p, h in self.history.items():
            assert h == sorted(h), f"committed offset of partition {p} went backwards: {h}"


def member_commits_monotonic(ms):
    """Within each member, the commits it logged per partition never go backwards."""
    for m in ms:
        per: dict[int, list[int]] = {}
        for e in m.snapshot():
            if e["ev"] == "commit":
                per.setdefault(e["p"], []).append(e["o"])
        for p, offs in per.items():
            assert offs == sorted(offs), f"{m.kind} member committed partition {p} backwards: {offs}"


def delete_groups_raw(broker, groups: list[str]) -> dict[str, int]:
    """DeleteGroups v0 on the wire: {group: error_code}."""
    body = struct.pack(">i", len(groups)) + b"".join(
        struct.pack(">h", len(g.encode())) + g.encode() for g in groups)
    with KafkaConn(broker.kafka_port) as c:
        resp = c.request(API_DELETE_GROUPS, 0, body)
    o = 4  # throttle_time_ms
    (n,) = struct.unpack_from(">i", resp, o)
    o += 4
    out = {}
    for _ in range(n):
        (ln,) = struct.unpack_from(">h", resp, o)
        o += 2
        name = resp[o:o + ln].decode()
        o += ln
        (err,) = struct.unpack_from(">h", resp, o)
        o += 2
        out[name] = err
    return out


def decode_assignment(data: bytes) -> dict[str, list[int]]:
    """A consumer-protocol MemberAssignment: version, [topic, [partition]], user data."""
    o = 2
    (nt,) = struct.unpack_from(">i", data, o)
    o += 4
    out = {}
    for _ in range(nt):
        (ln,) = struct.unpack_from(">h", data, o)
        o += 2
        topic = data[o:o + ln].decode()
        o += ln
        (np_,) = struct.unpack_from(">i", data, o)
        o += 4
        out[topic] = sorted(struct.unpack_from(f">{np_}i", data, o))
        o += 4 * np_
    return out


def broker_assignments(broker, group: str, topic: str) -> dict[str, set[int]] | None:
    """{client_id: partitions} as the coordinator reports them (DescribeGroups via AdminClient),
    or None unless the group is Stable."""
    gs = [g for g in admin(broker).list_groups(group, timeout=10) if g.id == group]
    if not gs or gs[0].state != "Stable":
        return None
    return {m.client_id: set(decode_assignment(m.assignment).get(topic, [])) if m.assignment else set()
            for m in gs[0].members}


def run_otter(*args, broker, check=True, timeout=60):
    return otter(*args, broker=broker, check=check, timeout=timeout)


def table(text: str) -> list[list[str]]:
    """Rows of a table printed by the CLI (whitespace-separated columns)."""
    return [line.split() for line in text.splitlines() if line.strip()]


# --------------------------------------------------------------------------------------------
# Failover: three members, one killed with SIGKILL
# --------------------------------------------------------------------------------------------

KILL_CASES = {
    # name: (member kinds, index of the member to kill, member options by kind)
    "librdkafka": (["rdkafka", "rdkafka", "rdkafka"], 0, {}),
    "kafkajs": (["js", "js", "js"], 1, {}),
    "mixed": (["rdkafka", "js", "rdkafka"], 1,
              {"rdkafka": {"strategy": "roundrobin"}, "js": {"assigner": "roundrobin"}}),
    "mixed-kill-librdkafka": (["js", "rdkafka", "js"], 1,
                              {"rdkafka": {"strategy": "roundrobin"}, "js": {"assigner": "roundrobin"}}),
}


@pytest.mark.parametrize("case", list(KILL_CASES))
def test_kill9_member_partitions_taken_over_at_least_once(gbroker, members, case):
    kinds, victim_index, opts = KILL_CASES[case]
    partitions = 6
    topic, group = unique("grp-kill"), unique(f"g-{case}")
    create_topic(gbroker, topic, partitions)
    wave1 = [f"w1-{i}" for i in range(300)]
    wave2 = [f"w2-{i}" for i in range(300)]
    monitor = CommitMonitor(gbroker, group, topic, partitions)
    try:
        ms = [members(k, gbroker, topic, group, client_id=f"{case}-{i}", delay_ms=5, **opts.get(k, {}))
              for i, k in enumerate(kinds)]
        wait_for_assignment(ms, partitions, 45, "three members sharing the six partitions")
        # Produced once everyone holds partitions, so that the victim has work when it dies.
        produce_spread(gbroker, topic, wave1, partitions)
        victim = ms[victim_index]
        survivors = [m for i, m in enumerate(ms) if i != victim_index]
        wait_until(lambda: len(victim.values()) >= 10, 30, what="the victim processing messages")
        lost = victim.assignment()
        victim.kill()
        t_kill = time.monotonic()
        produce_spread(gbroker, topic, wave2, partitions)
        # Survivors take over within the session timeout (plus the rebalance and a margin).
        limit = SESSION_TIMEOUT_MS / 1000 + 10
        t_done = wait_for_assignment(survivors, partitions, limit + 5, "survivors holding all partitions")
        assert t_done - t_kill <= limit, (
            f"takeover of {sorted(lost)} took {t_done - t_kill:.1f}s (limit {limit}s)\n{describe_all(ms)}")
        # The coordinator's view (DescribeGroups) agrees with what the survivors hold.
        clients = {m.cfg["client_id"]: m.assignment() for m in survivors}
        wait_until(lambda: broker_assignments(gbroker, group, topic) == clients, 10,
                   what=f"DescribeGroups reporting {clients}")

        expected = set(wave1) | set(wave2)
        seen = lambda: set().union(*(set(m.values()) for m in ms))  # noqa: E731
        try:
            wait_until(lambda: seen() >= expected, 60, interval=0.2, what="every message processed")
        except AssertionError:
            missing = sorted(expected - seen())
            raise AssertionError(f"{len(missing)} messages never processed, e.g. {missing[:10]}\n"
                                 f"{describe_all(ms)}") from None
        hw = high_watermarks(gbroker, topic, partitions)
        assert hw == {p: 100 for p in range(partitions)}, hw
        wait_until(lambda: monitor.latest() == hw, 30, what=f"committed offsets reaching {hw}")
    finally:
        monitor.stop()
    assert not monitor.errors, monitor.errors[:3]
    monitor.assert_monotonic()
    member_commits_monotonic(ms)
    # Nothing outside the topic's records was processed, and no survivor died.
    assert seen() == expected
    assert all(m.alive() for m in survivors), describe_all(survivors)


# --------------------------------------------------------------------------------------------
# cooperative-sticky across joins and leaves
# --------------------------------------------------------------------------------------------

def test_cooperative_sticky_survives_rebalances(gbroker, members):
    partitions = 6
    topic, group = unique("grp-coop"), unique("g-coop")
    create_topic(gbroker, topic, partitions)
    produce_spread(gbroker, topic, [f"v{i}" for i in range(60)], partitions)
    mk = lambda i: members("rdkafka", gbroker, topic, group, client_id=f"coop-{i}",  # noqa: E731
                           strategy="cooperative-sticky")
    live = [mk(0)]
    wait_for_assignment(live, partitions, 30, "one member holding everything")
    for i in (1, 2):  # two joins
        live.append(mk(i))
        wait_for_assignment(live, partitions, 40, f"{len(live)} members sharing the partitions")
    leaving = live.pop(1)  # a graceful leave
    leaving.terminate()
    wait_for_assignment(live, partitions, 40, "two members after a leave")
    live.append(mk(3))  # another join
    wait_for_assignment(live, partitions, 40, "three members after a rejoin")
    victim = live.pop(0)  # and a crash
    victim.kill()
    wait_for_assignment(live, partitions, SESSION_TIMEOUT_MS / 1000 + 25, "two members after a crash")
    # Settled: stays exactly-once assigned for a while, and every member saw incremental
    # (cooperative) callbacks: a member that stayed never had everything revoked at once.
    time.sleep(2)
    wait_for_assignment(live, partitions, 5, "a stable final assignment")
    sizes = sorted(len(m.assignment()) for m in live)
    assert sizes == [3, 3], f"unbalanced final assignment {sizes}\n{describe_all(live)}"
    # The coordinator's view (DescribeGroups) agrees with what the members hold.
    clients = {m.cfg["client_id"]: m.assignment() for m in live}
    wait_until(lambda: broker_assignments(gbroker, group, topic) == clients, 10,
               what=f"DescribeGroups reporting {clients}")
    survivor = live[0]  # member 2 saw: join, join of 3, leave of 1, crash of 0
    for ev in survivor.rebalance_events():
        if ev["ev"] == "revoke":
            assert len(ev["parts"]) < partitions, f"eager-style revoke of everything: {ev}"
    seen = set().union(*(set(m.values()) for m in [*live, leaving, victim]))
    assert seen == {f"v{i}" for i in range(60)}


# --------------------------------------------------------------------------------------------
# Static membership
# --------------------------------------------------------------------------------------------

def test_static_member_restart_keeps_partitions_without_rebalance(gbroker, members):
    partitions = 6
    topic, group = unique("grp-static"), unique("g-static")
    create_topic(gbroker, topic, partitions)
    session = 20000  # long enough to restart within it
    a = members("rdkafka", gbroker, topic, group, client_id="static-a", instance_id="inst-a",
                session_timeout_ms=session)
    b = members("rdkafka", gbroker, topic, group, client_id="static-b", instance_id="inst-b",
                session_timeout_ms=session)
    wait_for_assignment([a, b], partitions, 45, "two static members sharing the partitions")
    time.sleep(1.5)  # let any follow-up rebalance settle
    wait_for_assignment([a, b], partitions, 5, "a settled assignment")
    before_a, before_b = a.assignment(), b.assignment()
    b_events = b.rebalance_events()
    a.kill()  # no LeaveGroup
    a2 = members("rdkafka", gbroker, topic, group, client_id="static-a", instance_id="inst-a",
                 session_timeout_ms=session)
    try:
        wait_until(lambda: a2.assignment(), 15, what="the restarted static member's assignment")
    except AssertionError as e:
        raise AssertionError(f"{e}\n{describe_all([a2, b])}") from None
    time.sleep(3)
    assert a2.assignment() == before_a, describe_all([a2, b])
    assert b.assignment() == before_b, describe_all([a2, b])
    assert b.rebalance_events() == b_events, (
        f"the other member saw a rebalance when a static member restarted\n{describe_all([a2, b])}")


# --------------------------------------------------------------------------------------------
# Committed offsets across broker restarts
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("how", ["sigterm", "kill9"])
def test_committed_offsets_survive_broker_restart(gbroker, how):
    from confluent_kafka import TopicPartition
    partitions = 3
    topic, group = unique("grp-restart"), unique("g-restart")
    create_topic(gbroker, topic, partitions)
    produce_spread(gbroker, topic, [f"v{i}" for i in range(30)], partitions)
    want = {0: 3, 1: 7, 2: 10}
    c = group_consumer(gbroker, group)
    try:
        res = c.commit(offsets=[TopicPartition(topic, p, o) for p, o in want.items()], asynchronous=False)
        assert all(tp.error is None for tp in res), res
        # A later commit wins over an earlier one.
        c.commit(offsets=[TopicPartition(topic, 0, 4)], asynchronous=False)
    finally:
        c.close()
    want[0] = 4
    assert committed(gbroker, group, topic, partitions) == want
    gbroker.__dict__.pop("_admin_client", None)
    if how == "sigterm":
        gbroker.restart()
    else:
        gbroker.kill9()
        gbroker.start()
    got = wait_until(lambda: _committed_or_none(gbroker, group, topic, partitions), 20,
                     what="OffsetFetch after the restart")
    assert got == want, f"after {how}: {got} != {want}"


def _committed_or_none(broker, group, topic, partitions):
    try:
        return committed(broker, group, topic, partitions)
    except Exception:  # noqa: BLE001 - COORDINATOR_LOAD_IN_PROGRESS etc. while starting
        return None


# --------------------------------------------------------------------------------------------
# Replay with `otter group reset-offsets --to-datetime`
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("time_format", ["iso", "ms"])
def test_replay_from_datetime(gbroker, members, time_format):
    partitions = 3
    topic, group = unique("grp-replay"), unique("g-replay")
    create_topic(gbroker, topic, partitions)
    wave1 = [f"w1-{i}" for i in range(30)]
    wave2 = [f"w2-{i}" for i in range(30)]
    produce_spread(gbroker, topic, wave1, partitions)
    time.sleep(1.0)
    t_ms = int(time.time() * 1000)
    time.sleep(1.0)
    produce_spread(gbroker, topic, wave2, partitions)

    m = members("rdkafka", gbroker, topic, group, client_id="replay-1")
    wait_until(lambda: set(m.values()) == set(wave1) | set(wave2), 45, what="the first read")
    wait_until(lambda: committed(gbroker, group, topic, partitions) == {p: 20 for p in range(partitions)},
               20, what="commits of the first read")
    m.terminate()

    if time_format == "iso":
        when = datetime.datetime.fromtimestamp(t_ms / 1000, datetime.timezone.utc).strftime(
            "%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    else:
        when = str(t_ms)
    # Dry run first: prints the plan, changes nothing.
    cp = run_otter("group", "reset-offsets", group, "--to-datetime", when, "--topic", topic, broker=gbroker)
    rows = table(cp.stdout)
    assert rows[0] == ["TOPIC", "PARTITION", "CURRENT", "NEW"], cp.stdout
    assert rows[1:] == [[topic, str(p), "20", "10"] for p in range(partitions)], cp.stdout
    assert committed(gbroker, group, topic, partitions) == {p: 20 for p in range(partitions)}
    cp = run_otter("group", "reset-offsets", group, "--to-datetime", when, "--execute", broker=gbroker)
    assert table(cp.stdout)[1:] == [[topic, str(p), "20", "10"] for p in range(partitions)], cp.stdout
    assert committed(gbroker, group, topic, partitions) == {p: 10 for p in range(partitions)}

    m2 = members("rdkafka", gbroker, topic, group, client_id="replay-2")
    wait_until(lambda: len(m2.values()) >= len(wave2), 45, what="the replay")
    time.sleep(1.0)  # anything extra would show up now
    got = m2.values()
    assert sorted(got) == sorted(wave2), f"replay read {len(got)} records: {sorted(set(got) - set(wave2))[:5]}"


# --------------------------------------------------------------------------------------------
# Error paths, list/describe through AdminClient
# --------------------------------------------------------------------------------------------

def test_commit_beyond_high_watermark_is_refused(gbroker):
    from confluent_kafka import KafkaError, KafkaException, TopicPartition
    topic, group = unique("grp-oor"), unique("g-oor")
    create_topic(gbroker, topic, 1)
    produce_spread(gbroker, topic, [f"v{i}" for i in range(5)], 1)
    c = group_consumer(gbroker, group)
    try:
        ok = c.commit(offsets=[TopicPartition(topic, 0, 5)], asynchronous=False)  # == HW: allowed
        assert ok[0].error is None, ok
        code = None
        try:
            res = c.commit(offsets=[TopicPartition(topic, 0, 6)], asynchronous=False)
            code = res[0].error.code() if res[0].error is not None else None
        except KafkaException as e:
            err = e.args[0]
            code = err.code()
        assert code == KafkaError.OFFSET_OUT_OF_RANGE, f"commit beyond the high watermark answered {code}"
    finally:
        c.close()
    assert committed(gbroker, group, topic, 1) == {0: 5}


def test_delete_groups_errors_and_admin_list(gbroker, members):
    topic, group = unique("grp-del"), unique("g-del")
    create_topic(gbroker, topic, 2)
    m = members("rdkafka", gbroker, topic, group, client_id="del-member")
    wait_for_assignment([m], 2, 30, "the member's assignment")

    # ListGroups + DescribeGroups through confluent_kafka's AdminClient.
    def listed():
        gs = [g for g in admin(gbroker).list_groups(timeout=10) if g.id == group]
        return gs[0] if gs and gs[0].state == "Stable" else None
    g = wait_until(listed, 15, what="the group listed as Stable")
    assert g.protocol_type == "consumer" and g.protocol == "range", vars(g)
    assert [mm.client_id for mm in g.members] == ["del-member"], g.members
    assert g.members[0].client_host, vars(g.members[0])

    unknown = unique("g-unknown")
    assert delete_groups_raw(gbroker, [group, unknown]) == {
        group: ERR_NON_EMPTY_GROUP, unknown: ERR_GROUP_ID_NOT_FOUND}
    m.terminate()
    wait_until(lambda: delete_groups_raw(gbroker, [group]) == {group: 0}, 15,
               what="DeleteGroups once the group is empty")
    assert committed(gbroker, group, topic, 2) == {0: -1001, 1: -1001}
    assert all(g.id != group for g in admin(gbroker).list_groups(timeout=10))


# --------------------------------------------------------------------------------------------
# Lag on /metrics
# --------------------------------------------------------------------------------------------

def test_metrics_group_lag(gbroker):
    from confluent_kafka import TopicPartition
    topic, group = unique("grp-lag"), unique("g-lag")
    create_topic(gbroker, topic, 2)
    produce_spread(gbroker, topic, [f"v{i}" for i in range(20)], 2)  # 10 per partition
    c = group_consumer(gbroker, group)
    try:
        c.commit(offsets=[TopicPartition(topic, 0, 4), TopicPartition(topic, 1, 10)], asynchronous=False)
    finally:
        c.close()

    def lag():
        return {l["partition"]: v for n, l, v in metrics(gbroker)
                if n == "otter_kafka_group_lag" and l.get("group") == group and l.get("topic") == topic}
    assert wait_until(lambda: lag() == {"0": 6, "1": 0} and lag(), 10, what="lag 6 and 0") == {"0": 6, "1": 0}
    produce_spread(gbroker, topic, [f"x{i}" for i in range(4)], 2)  # 2 more per partition
    wait_until(lambda: lag() == {"0": 8, "1": 2}, 10, what="lag growing with the log")


# --------------------------------------------------------------------------------------------
# The `otter group` CLI
# --------------------------------------------------------------------------------------------

def test_cli_group_list_describe_reset_delete(gbroker, members):
    partitions = 3
    topic, group = unique("grp-cli"), unique("g-cli")
    create_topic(gbroker, topic, partitions)
    produce_spread(gbroker, topic, [f"v{i}" for i in range(30)], partitions)  # 10 per partition
    m = members("rdkafka", gbroker, topic, group, client_id="cli-member")
    wait_until(lambda: len(m.values()) == 30, 45, what="the member reading everything")
    wait_until(lambda: committed(gbroker, group, topic, partitions) == {p: 10 for p in range(partitions)},
               20, what="the member's commits")
    cp = run_otter("group", "list", broker=gbroker)
    rows = table(cp.stdout)
    assert rows[0] == ["GROUP", "STATE", "TYPE"], cp.stdout
    assert [group, "Stable", "consumer"] in rows, cp.stdout

    cp = run_otter("group", "describe", group, broker=gbroker)
    out = cp.stdout
    assert re.search(r"^STATE\s+Stable$", out, re.M), out
    assert re.search(r"^ASSIGNOR\s+range$", out, re.M), out
    assert re.search(r"^MEMBERS\s+1$", out, re.M), out
    member_rows = [r for r in table(out) if len(r) == 5 and r[1] == "cli-member"]
    assert len(member_rows) == 1 and member_rows[0][4] == f"{topic}:0,1,2", out
    offset_rows = [r for r in table(out) if r and r[0] == topic]
    assert [r[1] for r in offset_rows] == ["0", "1", "2"], out
    for r in offset_rows:
        assert r[2:5] == ["10", "10", "0"] and r[5] == member_rows[0][0] and r[6] == "cli-member", out

    # Refused while the group has members; the plan is still printed.
    cp = run_otter("group", "reset-offsets", group, "--to-earliest", "--execute", broker=gbroker, check=False)
    assert cp.returncode == 1, cp
    assert "no members" in cp.stderr and "stop its consumers" in cp.stderr, cp.stderr
    cp = run_otter("group", "delete", group, broker=gbroker, check=False)
    assert cp.returncode == 1 and "active members" in cp.stderr, cp
    m.terminate()
    produce_spread(gbroker, topic, [f"x{i}" for i in range(6)], partitions)  # HW 12 everywhere

    cp = run_otter("group", "describe", group, broker=gbroker)
    assert re.search(r"^STATE\s+Empty$", cp.stdout, re.M), cp.stdout
    assert re.search(r"^MEMBERS\s+0$", cp.stdout, re.M), cp.stdout
    assert [r[1:] for r in table(cp.stdout) if r and r[0] == topic] == [
        [str(p), "10", "12", "2", "-", "-"] for p in range(partitions)], cp.stdout

    # Dry run of each mode: the plan, nothing changed.
    def plan(*args):
        cp = run_otter("group", "reset-offsets", group, *args, broker=gbroker)
        assert "dry run" in cp.stderr, cp.stderr
        return [r[2:] for r in table(cp.stdout)[1:]]
    assert plan("--to-earliest") == [["10", "0"]] * 3
    assert plan("--to-latest") == [["10", "12"]] * 3
    assert plan("--shift-by", "-5") == [["10", "5"]] * 3
    assert plan("--shift-by=-100") == [["10", "0"]] * 3
    assert plan("--shift-by", "+3") == [["10", "12"]] * 3  # clamped to the log end
    assert plan("--to-offset", "4") == [["10", "4"]] * 3
    assert plan("--to-offset", "1000") == [["10", "12"]] * 3
    assert plan("--to-datetime", "2000-01-01T00:00:00Z") == [["10", "0"]] * 3
    assert committed(gbroker, group, topic, partitions) == {p: 10 for p in range(partitions)}

    cp = run_otter("group", "reset-offsets", group, "--shift-by", "-5", "--execute", broker=gbroker)
    assert committed(gbroker, group, topic, partitions) == {p: 5 for p in range(partitions)}
    cp = run_otter("group", "reset-offsets", group, "--to-earliest", "--topic", topic, "--execute",
                   broker=gbroker)
    assert committed(gbroker, group, topic, partitions) == {p: 0 for p in range(partitions)}

    # Bad usage gets one clear line.
    for args, needle in [(["--to-earliest", "--to-latest"], "exactly one of"),
                         ([], "exactly one of"),
                         (["--to-offset", "-3"], "--to-offset"),
                         (["--to-datetime", "yesterday"], "--to-datetime"),
                         (["--to-earliest", "--topic", "no-such-topic"], "does not exist")]:
        cp = run_otter("group", "reset-offsets", group, *args, broker=gbroker, check=False)
        assert cp.returncode != 0 and needle in cp.stderr, (args, cp.stderr)

    # A fresh group with no offsets needs --topic; with it, the plan shows "-" as current.
    fresh = unique("g-fresh")
    cp = run_otter("group", "reset-offsets", fresh, "--to-latest", broker=gbroker, check=False)
    assert cp.returncode == 1 and "--topic" in cp.stderr, cp.stderr
    cp = run_otter("group", "reset-offsets", fresh, "--to-latest", "--topic", topic, "--execute",
                   broker=gbroker)
    assert [r[2:] for r in table(cp.stdout)[1:]] == [["-", "12"]] * 3, cp.stdout
    assert committed(gbroker, fresh, topic, partitions) == {p: 12 for p in range(partitions)}

    cp = run_otter("group", "delete", group, fresh, broker=gbroker)
    assert sorted(cp.stdout.splitlines()) == sorted([f"deleted group {group}", f"deleted group {fresh}"])
    cp = run_otter("group", "delete", group, broker=gbroker, check=False)
    assert cp.returncode == 1 and "does not exist" in cp.stderr, cp.stderr
    cp = run_otter("group", "describe", group, broker=gbroker, check=False)
    assert cp.returncode == 1 and "does not exist" in cp.stderr, cp.stderr
    assert group not in run_otter("group", "list", broker=gbroker).stdout


# --------------------------------------------------------------------------------------------
# Burrow reads __consumer_offsets (optional: needs the Debian packages burrow and zookeeperd)
# --------------------------------------------------------------------------------------------

BURROW = shutil.which("Burrow") or "/usr/bin/Burrow"
ZOOKEEPER_JAR = Path("/usr/share/java/zookeeper.jar")


def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(cmd, log: Path, cwd: Path) -> subprocess.Popen:
    with open(log, "ab") as f:
        return subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.STDOUT,
                                start_new_session=True)


def _stop(proc: subprocess.Popen | None):
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def _zk_serving(port: int) -> bool:
    """`srvr` answers with the version once ZooKeeper serves requests (`ruok` says imok earlier)."""
    import socket
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"srvr")
            data = b""
            while chunk := s.recv(4096):
                data += chunk
            return b"Zookeeper version" in data
    except OSError:
        return False


@pytest.mark.skipif(not (Path(BURROW).exists() and ZOOKEEPER_JAR.exists() and shutil.which("java")),
                    reason="Burrow check needs the Debian packages burrow and zookeeperd "
                           "(scripts/setup.sh installs them)")
def test_burrow_reports_group_lag(gbroker, tmp_path):
    from otter_e2e import http_get
    from confluent_kafka import TopicPartition
    topic, group = unique("grp-burrow"), unique("g-burrow")
    create_topic(gbroker, topic, 2)
    produce_spread(gbroker, topic, [f"v{i}" for i in range(20)], 2)  # 10 per partition
    c = group_consumer(gbroker, group)
    try:
        c.commit(offsets=[TopicPartition(topic, 0, 4), TopicPartition(topic, 1, 10)], asynchronous=False)
    finally:
        c.close()

    zk_port, http_port = _free_port(), _free_port()
    zk_dir = tmp_path / "zookeeper"
    (zk_dir / "data").mkdir(parents=True)
    (zk_dir / "zoo.cfg").write_text(
        f"tickTime=2000\ndataDir={zk_dir / 'data'}\nclientPort={zk_port}\nclientPortAddress=127.0.0.1\n"
        "admin.enableServer=false\n4lw.commands.whitelist=srvr\n")
    burrow_dir = tmp_path / "burrow"
    burrow_dir.mkdir()
    (burrow_dir / "burrow.toml").write_text(f"""
[general]
pidfile="{burrow_dir / 'burrow.pid'}"

[logging]
level="info"

[zookeeper]
servers=["127.0.0.1:{zk_port}"]
timeout=6
root-path="/burrow"

[client-profile.otter]
client-id="burrow-e2e"
kafka-version="2.1.0"

[cluster.otter]
class-name="kafka"
servers=["{gbroker.bootstrap}"]
client-profile="otter"
topic-refresh=2
offset-refresh=2

[consumer.otter]
class-name="kafka"
cluster="otter"
servers=["{gbroker.bootstrap}"]
client-profile="otter"
offsets-topic="__consumer_offsets"
start-latest=false
group-whitelist=""

[httpserver.default]
address="127.0.0.1:{http_port}"

[storage.default]
class-name="inmemory"
workers=4
intervals=10
expire-group=604800
min-distance=1
""")
    zk = burrow = None
    try:
        zk = _start(["java", "-cp", f"/etc/zookeeper/conf:{ZOOKEEPER_JAR}",
                     f"-Dzookeeper.log.dir={zk_dir}", "-Dzookeeper.root.logger=INFO,CONSOLE",
                     "org.apache.zookeeper.server.ZooKeeperServerMain", str(zk_dir / "zoo.cfg")],
                    zk_dir / "zookeeper.log", zk_dir)
        wait_until(lambda: _zk_serving(zk_port), 30, interval=0.3, what="ZooKeeper serving")
        burrow = _start([BURROW, "--config-dir", str(burrow_dir)], burrow_dir / "burrow.out", burrow_dir)

        def lag():
            if burrow.poll() is not None:
                raise AssertionError(f"Burrow exited with {burrow.returncode}:\n"
                                     f"{(burrow_dir / 'burrow.out').read_text(errors='replace')[-3000:]}")
            try:
                status, _, body = http_get(
                    f"http://127.0.0.1:{http_port}/v3/kafka/otter/consumer/{group}/lag", timeout=2)
            except OSError:
                return None
            if status != 200:
                return None
            st = json.loads(body).get("status") or {}
            parts = {p["partition"]: p.get("current_lag") for p in st.get("partitions") or []
                     if p.get("topic") == topic}
            return (st.get("totallag"), parts) if parts else None

        try:
            got = wait_until(lambda: (lambda r: r if r == (6, {0: 6, 1: 0}) else None)(lag()), 60,
                             interval=1.0, what="Burrow reporting lag 6 (partition 0) and 0 (partition 1)")
        except AssertionError as e:
            out = (burrow_dir / "burrow.out").read_text(errors="replace")[-4000:]
            raise AssertionError(f"{e}\nlast answer: {lag()!r}\nBurrow output:\n{out}") from None
        assert got == (6, {0: 6, 1: 0})
    finally:
        _stop(burrow)
        _stop(zk)


def test_cli_group_help_and_unreachable_broker():
    from otter_e2e import run
    for args in [["group"], ["group", "list"], ["group", "describe"], ["group", "reset-offsets"],
                 ["group", "delete"]]:
        cp = run([OTTER, *args, "--help"], timeout=20, check=False)
        assert cp.returncode == 0 and cp.stdout.strip(), (args, cp.stderr)
    port = _free_port()  # nobody listens there
    for args in [["group", "list"], ["group", "describe", "g"], ["group", "delete", "g"],
                 ["group", "reset-offsets", "g", "--to-earliest"]]:
        cp = run([OTTER, *args, "--brokers", f"127.0.0.1:{port}", "--timeout", "2"], timeout=30, check=False)
        assert cp.returncode == 1, (args, cp)
        lines = cp.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and f"127.0.0.1:{port}" in lines[0], (args, cp.stderr)


# --------------------------------------------------------------------------------------------
# Raw OffsetCommit/OffsetFetch: member checks, and commit metadata across a restart
# --------------------------------------------------------------------------------------------

API_OFFSET_COMMIT = 8
API_OFFSET_FETCH = 9
ERR_ILLEGAL_GENERATION = 22
ERR_UNKNOWN_MEMBER_ID = 25


def _kstr(s: str | None) -> bytes:
    if s is None:
        return struct.pack(">h", -1)
    b = s.encode()
    return struct.pack(">h", len(b)) + b


def offset_commit_v2(broker, group: str, generation: int, member: str, topic: str,
                     offsets: dict[int, tuple[int, str | None]]) -> dict[int, int]:
    """OffsetCommit v2 on the wire: {partition: error_code}."""
    body = _kstr(group) + struct.pack(">i", generation) + _kstr(member) + struct.pack(">q", -1)
    body += struct.pack(">i", 1) + _kstr(topic) + struct.pack(">i", len(offsets))
    for p, (o, meta) in offsets.items():
        body += struct.pack(">iq", p, o) + _kstr(meta)
    with KafkaConn(broker.kafka_port) as c:
        resp = c.request(API_OFFSET_COMMIT, 2, body)
    o, out = 0, {}
    (nt,) = struct.unpack_from(">i", resp, o)
    o += 4
    for _ in range(nt):
        (ln,) = struct.unpack_from(">h", resp, o)
        o += 2 + ln
        (np_,) = struct.unpack_from(">i", resp, o)
        o += 4
        for _ in range(np_):
            p, err = struct.unpack_from(">ih", resp, o)
            o += 6
            out[p] = err
    return out


def offset_fetch_v1(broker, group: str, topic: str, partitions: list[int]) -> dict[int, tuple[int, str | None, int]]:
    """OffsetFetch v1 on the wire: {partition: (offset, metadata, error_code)}."""
    body = _kstr(group) + struct.pack(">i", 1) + _kstr(topic) + struct.pack(">i", len(partitions))
    body += b"".join(struct.pack(">i", p) for p in partitions)
    with KafkaConn(broker.kafka_port) as c:
        resp = c.request(API_OFFSET_FETCH, 1, body)
    o, out = 0, {}
    (nt,) = struct.unpack_from(">i", resp, o)
    o += 4
    for _ in range(nt):
        (ln,) = struct.unpack_from(">h", resp, o)
        o += 2 + ln
        (np_,) = struct.unpack_from(">i", resp, o)
        o += 4
        for _ in range(np_):
            p, off = struct.unpack_from(">iq", resp, o)
            o += 12
            (ml,) = struct.unpack_from(">h", resp, o)
            o += 2
            meta = None if ml < 0 else resp[o:o + ml].decode()
            o += max(ml, 0)
            (err,) = struct.unpack_from(">h", resp, o)
            o += 2
            out[p] = (off, meta, err)
    return out


def test_commit_checks_membership_of_an_active_group(gbroker, members):
    topic, group = unique("grp-member"), unique("g-member")
    create_topic(gbroker, topic, 2)
    produce_spread(gbroker, topic, [f"v{i}" for i in range(10)], 2)
    m = members("rdkafka", gbroker, topic, group, client_id="member-check")
    wait_for_assignment([m], 2, 30, "the member's assignment")
    wait_until(lambda: committed(gbroker, group, topic, 2) == {0: 5, 1: 5}, 20, what="the member's commits")
    g = wait_until(lambda: next((g for g in admin(gbroker).list_groups(timeout=10)
                                 if g.id == group and g.state == "Stable"), None), 15, what="Stable group")
    member_id = g.members[0].id
    # Kafka: a commit without membership (generation -1) to a group with members is refused with
    # UNKNOWN_MEMBER_ID; a member's commit with a stale generation with ILLEGAL_GENERATION.
    assert offset_commit_v2(gbroker, group, -1, "", topic, {0: (1, None)}) == {0: ERR_UNKNOWN_MEMBER_ID}
    assert offset_commit_v2(gbroker, group, 7, "no-such-member", topic, {0: (1, None)}) == {
        0: ERR_UNKNOWN_MEMBER_ID}
    assert offset_commit_v2(gbroker, group, 12345, member_id, topic, {0: (1, None)}) == {
        0: ERR_ILLEGAL_GENERATION}
    assert committed(gbroker, group, topic, 2) == {0: 5, 1: 5}


@pytest.mark.parametrize("how", ["sigterm", "kill9"])
def test_commit_metadata_survives_restart(gbroker, how):
    topic, group = unique("grp-meta"), unique("g-meta")
    create_topic(gbroker, topic, 3)
    produce_spread(gbroker, topic, [f"v{i}" for i in range(9)], 3)
    meta = {0: "", 1: "checkpoint=41;host=α", 2: None}
    assert offset_commit_v2(gbroker, group, -1, "", topic, {p: (p + 1, m) for p, m in meta.items()}) == {
        0: 0, 1: 0, 2: 0}
    want = {p: (p + 1, m if m is not None else "", 0) for p, m in meta.items()}
    got = offset_fetch_v1(gbroker, group, topic, [0, 1, 2])
    # A null metadata may come back as "" or null (Kafka stores "" for null).
    norm = lambda d: {p: (o, m or "", e) for p, (o, m, e) in d.items()}  # noqa: E731
    assert norm(got) == want, got
    gbroker.__dict__.pop("_admin_client", None)
    if how == "sigterm":
        gbroker.restart()
    else:
        gbroker.kill9()
        gbroker.start()
    got = wait_until(lambda: (lambda r: r if all(e == 0 for _, _, e in r.values()) else None)(
        offset_fetch_v1(gbroker, group, topic, [0, 1, 2])), 20, what="OffsetFetch after the restart")
    assert norm(got) == want, got
