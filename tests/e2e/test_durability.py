"""Crash tests: acknowledged writes survive kill -9 and SIGTERM restarts.

The kill -9 test follows docs/testing.md: a producer with acks=all records every acknowledged
(value, partition, offset) while a thread kills the broker at random moments and restarts it.
Afterwards every acknowledged value must be at its offset, no offset may ever have held two
different values (acks and reads during the run included) and offsets never go backwards.
"""
import os
import random
import threading
import time

from confluent_kafka import Consumer, TopicPartition

from otter_e2e import client_logger, consume_assigned, create_topic, producer, produce_values, unique, watermarks

CHAOS_SECONDS = float(os.environ.get("OTTER_E2E_CHAOS_SECONDS", "25"))
PARTITIONS = 2


class Observations:
    """offset -> value as seen by acks and by reads; any disagreement is a violation."""

    def __init__(self):
        self.lock = threading.Lock()
        self.seen: dict[tuple[int, int], tuple[bytes, str]] = {}
        self.violations: list[str] = []

    def record(self, p: int, off: int, value: bytes, how: str):
        with self.lock:
            prev = self.seen.get((p, off))
            if prev is None:
                self.seen[(p, off)] = (value, how)
            elif prev[0] != value:
                self.violations.append(f"partition {p} offset {off}: {prev[0]!r} ({prev[1]}) then {value!r} ({how})")


def read_range(bootstrap: str, topic: str, partition: int, start: int, end: int, timeout: float = 20.0):
    """Reads [start, end) with assign(); returns [(offset, value)]."""
    if end <= start:
        return []
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": unique("dur-read"), "enable.auto.commit": False,
                  "enable.auto.offset.store": False, "fetch.wait.max.ms": 100,
                  "socket.timeout.ms": 5000, "logger": client_logger()})
    out = []
    try:
        c.assign([TopicPartition(topic, partition, start)])
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and (not out or out[-1][0] < end - 1):
            m = c.poll(0.2)
            if m is None or m.error():
                continue
            if m.offset() < end:
                out.append((m.offset(), m.value()))
    finally:
        c.close()
    return out


def test_kill9_during_acks_all_produce(broker):
    seed = int(os.environ.get("OTTER_E2E_SEED", "20240917"))
    rng = random.Random(seed)
    t = unique("dur")
    create_topic(broker, t, partitions=PARTITIONS)

    obs = Observations()
    acked: list[tuple[bytes, int, int]] = []
    last_acked_offset = {p: -1 for p in range(PARTITIONS)}
    failures = []
    stop = threading.Event()
    kills = []
    reads = []
    chaos_errors = []

    def on_delivery(err, msg):
        if err is not None:
            failures.append(err.code())  # not acknowledged: allowed to be lost
            return
        p, off, v = msg.partition(), msg.offset(), msg.value()
        if off <= last_acked_offset[p]:
            obs.violations.append(f"partition {p}: ack offset went backwards: {off} after {last_acked_offset[p]}")
        last_acked_offset[p] = max(last_acked_offset[p], off)
        acked.append((v, p, off))
        obs.record(p, off, v, "ack")

    def chaos():
        try:
            deadline = time.monotonic() + CHAOS_SECONDS
            while time.monotonic() < deadline and not stop.is_set():
                time.sleep(rng.uniform(0.5, 2.0))
                before = dict(last_acked_offset)
                broker.kill9()
                kills.append(time.monotonic())
                broker.start()
                # The high watermark after a restart covers everything acknowledged before the kill ...
                for p in range(PARTITIONS):
                    lo, hi = watermarks(broker, t, p)
                    if hi < before[p] + 1:
                        obs.violations.append(f"partition {p}: high watermark {hi} after restart "
                                              f"< last acked offset {before[p]} + 1")
                    # ... and what is readable now must never change later.
                    for off, v in read_range(broker.bootstrap, t, p, max(lo, hi - 200), hi):
                        obs.record(p, off, v, f"read after kill #{len(kills)}")
                reads.append(time.monotonic())
        except BaseException as e:  # noqa: BLE001  (reported by the main thread)
            chaos_errors.append(repr(e))

    prod = producer(broker, **{"acks": "all", "enable.idempotence": False, "linger.ms": 2,
                               "message.timeout.ms": 15000, "retries": 1000000, "retry.backoff.ms": 100,
                               "reconnect.backoff.ms": 50, "reconnect.backoff.max.ms": 500,
                               "socket.timeout.ms": 5000, "queue.buffering.max.messages": 20000})
    th = threading.Thread(target=chaos, name="chaos", daemon=True)
    th.start()
    counter = 0
    try:
        while th.is_alive():
            if len(prod) < 5000:
                v = f"v{counter:09d}".encode()
                prod.produce(t, value=v, partition=counter % PARTITIONS, on_delivery=on_delivery)
                counter += 1
                prod.poll(0)
                if counter % 50 == 0:
                    prod.poll(0.005)  # pace the producer (~10k msgs/s at most)
            else:
                prod.poll(0.05)
    finally:
        stop.set()
        th.join(CHAOS_SECONDS + 60)
    assert not chaos_errors, chaos_errors
    assert broker.running()
    left = prod.flush(40)
    print(f"seed={seed} produced={counter} acked={len(acked)} failed={len(failures)} "
          f"unflushed={left} kills={len(kills)}")
    assert len(kills) >= 5, "chaos loop did not run"
    assert len(acked) >= 500, f"only {len(acked)} acknowledged writes: the test proves little"

    # Final read of everything.
    for p in range(PARTITIONS):
        lo, hi = watermarks(broker, t, p)
        assert lo == 0
        got = read_range(broker.bootstrap, t, p, 0, hi, timeout=60)
        assert [o for o, _ in got] == list(range(hi)), f"partition {p}: gaps in offsets 0..{hi}"
        for off, v in got:
            obs.record(p, off, v, "final read")
    missing = [(v, p, off) for v, p, off in acked if obs.seen.get((p, off), (None,))[0] != v]
    assert not obs.violations, "\n".join(obs.violations[:20])
    assert not missing, f"{len(missing)} acknowledged writes lost or moved, e.g. {missing[:10]}"
    # Every acknowledged value is there, at its acknowledged offset (checked above); values never
    # acknowledged may be present or not, duplicates at new offsets are allowed (no idempotence).


def test_acks1_then_sigterm_restart(broker):
    t = unique("dur-term")
    create_topic(broker, t)
    values = [f"acks1-{i}".encode() for i in range(2000)]
    offsets = produce_values(broker, t, values, acks="1")
    assert offsets == list(range(len(values)))
    broker.restart()  # SIGTERM must flush everything it acknowledged, even with acks=1
    assert watermarks(broker, t) == (0, len(values))
    got = consume_assigned(broker, t, count=len(values))
    assert [v for _, _, v, _, _ in got] == values
    # And writing continues at the next offset.
    assert produce_values(broker, t, [b"after"]) == [len(values)]


def test_kill9_after_acks_all_keeps_everything(broker):
    t = unique("dur-k9")
    create_topic(broker, t, config={"segment.bytes": str(1024 * 1024)})
    values = [f"seg-{i:05d}-".encode() + b"z" * 300 for i in range(8000)]  # ~2.5 MiB: several segments
    assert produce_values(broker, t, values, acks="all") == list(range(len(values)))
    broker.kill9()
    broker.start()
    assert watermarks(broker, t) == (0, len(values))
    got = consume_assigned(broker, t, count=len(values))
    assert [v for _, _, v, _, _ in got] == values
