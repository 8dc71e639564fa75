"""A consumer-group member for the end-to-end group tests, run as its own process:

    /usr/bin/python3 group_member.py '{"bootstrap": ..., "topic": ..., "group": ..., ...}'

It subscribes with confluent_kafka (librdkafka), commits synchronously after processing each
message (enable.auto.commit=false), and prints one JSON object per line on stdout, flushed:

    {"ev": "assign"|"revoke"|"lost", "parts": [p, ...], "t": unix-seconds}   rebalance callbacks
    {"ev": "msg", "p": p, "o": offset, "v": value, "t": ...}                 a processed message
    {"ev": "commit", "p": p, "o": next-offset, "t": ...}                     a successful commit
    {"ev": "commit_error", "p": p, "o": ..., "err": "..."}                   a refused commit
    {"ev": "error", "err": "..."}                                            a client error
    {"ev": "closed"}                                                         after close()

SIGTERM closes the consumer (leaving the group) and exits 0. Options in the JSON argument:
strategy (partition.assignment.strategy), session_timeout_ms, instance_id (group.instance.id),
client_id, delay_ms (per message, to make processing take time), max_seconds (hard stop).
"""
from __future__ import annotations

import json
import signal
import sys
import time

from confluent_kafka import Consumer, KafkaException

stop = False


def emit(obj):
    obj.setdefault("t", time.time())
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main():
    cfg = json.loads(sys.argv[1])
    conf = {
        "bootstrap.servers": cfg["bootstrap"],
        "group.id": cfg["group"],
        "client.id": cfg.get("client_id", "otter-e2e-member"),
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
        "session.timeout.ms": cfg.get("session_timeout_ms", 6000),
        "heartbeat.interval.ms": cfg.get("heartbeat_interval_ms", 500),
        "partition.assignment.strategy": cfg.get("strategy", "range"),
        "fetch.wait.max.ms": 100,
        "topic.metadata.refresh.interval.ms": 2000,
        "error_cb": lambda err: emit({"ev": "error", "err": str(err)}),
    }
    if cfg.get("instance_id"):
        conf["group.instance.id"] = cfg["instance_id"]
    c = Consumer(conf)

    def on_assign(consumer, parts):
        emit({"ev": "assign", "parts": sorted(p.partition for p in parts)})

    def on_revoke(consumer, parts):
        emit({"ev": "revoke", "parts": sorted(p.partition for p in parts)})

    def on_lost(consumer, parts):
        emit({"ev": "lost", "parts": sorted(p.partition for p in parts)})

    c.subscribe([cfg["topic"]], on_assign=on_assign, on_revoke=on_revoke, on_lost=on_lost)
    emit({"ev": "subscribed"})
    delay = cfg.get("delay_ms", 0) / 1000.0
    deadline = time.monotonic() + cfg.get("max_seconds", 170)
    while not stop and time.monotonic() < deadline:
        m = c.poll(0.1)
        if m is None:
            continue
        if m.error():
            emit({"ev": "error", "err": str(m.error())})
            continue
        if delay:
            time.sleep(delay)
        emit({"ev": "msg", "p": m.partition(), "o": m.offset(),
              "v": m.value().decode() if m.value() is not None else None})
        try:
            c.commit(message=m, asynchronous=False)
            emit({"ev": "commit", "p": m.partition(), "o": m.offset() + 1})
        except KafkaException as e:
            emit({"ev": "commit_error", "p": m.partition(), "o": m.offset() + 1, "err": str(e)})
    c.close()
    emit({"ev": "closed"})


def on_term(signo, frame):
    global stop
    stop = True


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, on_term)
    main()
