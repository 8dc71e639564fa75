"""The otter CLI against the broker; results are cross-checked with independent clients."""
import json
import time

import pytest
from confluent_kafka.admin import ConfigResource

from otter_e2e import (OTTER, admin, consume_assigned, create_topic, otter, producer, run, topic_partitions, unique,
                       wait_until)

@pytest.fixture(autouse=True)
def _otter_built():
    if not OTTER.exists():
        pytest.fail(f"{OTTER} does not exist: build it first (cmake --preset release && cmake --build --preset release)")


SUBCOMMANDS = [
    ["serve"], ["topic"], ["topic", "create"], ["topic", "list"], ["topic", "describe"],
    ["topic", "alter-config"], ["topic", "delete"], ["produce"], ["consume"], ["cluster"], ["cluster", "info"],
]


def _flatten(obj):
    if isinstance(obj, dict):
        for v in obj.values():
            yield from _flatten(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _flatten(v)
    else:
        yield obj


def _json_lines(text):
    rows = []
    for line in text.splitlines():
        if line.strip():
            rows.append(json.loads(line))
    return rows


def test_help_exits_zero():
    for args in [[], *SUBCOMMANDS]:
        cp = run([OTTER, *args, "--help"], timeout=20, check=False)
        assert cp.returncode == 0, f"otter {' '.join(args)} --help exited {cp.returncode}: {cp.stderr}"
        assert cp.stdout.strip(), f"otter {' '.join(args)} --help printed nothing on stdout"


def test_wrong_flag_fails_with_message():
    for args in [["--no-such-flag"], ["topic", "list", "--no-such-flag"], ["consume", "--bogus", "x"]]:
        cp = run([OTTER, *args], timeout=20, check=False)
        assert cp.returncode != 0, f"otter {' '.join(args)} exited 0"
        assert cp.stderr.strip(), f"otter {' '.join(args)} printed no error on stderr"


def test_unreachable_broker_fails_with_message(tmp_path):
    import socket
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cp = run([OTTER, "topic", "list", "--brokers", f"127.0.0.1:{port}"], timeout=60, check=False)
    assert cp.returncode != 0
    assert cp.stderr.strip()


def test_topic_commands(broker):
    t = unique("cli-topic")
    otter("topic", "create", t, "-p", "3", "-c", "retention.ms=3600000", broker=broker)
    assert topic_partitions(broker, t) == 3

    listed = otter("topic", "list", broker=broker).stdout
    assert t in listed.split() or t in listed, listed

    desc = otter("topic", "describe", t, broker=broker).stdout
    assert t in desc, desc
    assert "retention.ms" in desc and "3600000" in desc, desc

    otter("topic", "alter-config", t, "--set", "retention.ms=7200000", broker=broker)
    res = ConfigResource(ConfigResource.Type.TOPIC, t)
    cfg = admin(broker).describe_configs([res], request_timeout=15)[res].result(timeout=20)
    assert cfg["retention.ms"].value == "7200000"

    cp = otter("topic", "create", t, "-p", "1", broker=broker, check=False)
    assert cp.returncode != 0 and cp.stderr.strip(), "creating an existing topic must fail with a message"

    otter("topic", "delete", t, broker=broker)
    wait_until(lambda: t not in admin(broker).list_topics(timeout=10).topics, 10, what=f"{t} deleted")
    assert t not in otter("topic", "list", broker=broker).stdout


def test_produce_with_keys_and_headers_then_consume_json(broker):
    t = unique("cli-pc")
    create_topic(broker, t)
    otter("produce", t, "-k", ":", "-H", "origin=cli", "-H", "n=1", broker=broker,
          input=["k1:hello", "k2:world", "k3:with:colon"])
    got = consume_assigned(broker, t, count=3)
    assert [(k, v) for _, k, v, _, _ in got] == [(b"k1", b"hello"), (b"k2", b"world"), (b"k3", b"with:colon")]
    assert all(h == [("origin", b"cli"), ("n", b"1")] for _, _, _, h, _ in got), [h for *_, h, _ in got]

    rows = _json_lines(otter("consume", t, "-o", "beginning", "-n", "3", "-f", "json", broker=broker,
                             timeout=60).stdout)
    assert len(rows) == 3, rows
    for row, (k, v) in zip(rows, [("k1", "hello"), ("k2", "world"), ("k3", "with:colon")]):
        vals = list(_flatten(row))
        assert k in vals and v in vals, row
    assert [r.get("offset") for r in rows] == [0, 1, 2], rows

    rows = _json_lines(otter("consume", t, "-o", "1", "-n", "1", "-f", "json", broker=broker, timeout=60).stdout)
    assert len(rows) == 1 and "world" in list(_flatten(rows[0])), rows


@pytest.mark.parametrize("codec", ["gzip", "zstd"])
def test_produce_compressed(broker, codec):
    t = unique(f"cli-{codec}")
    create_topic(broker, t)
    lines = [f"line-{i}" for i in range(200)]
    otter("produce", t, "-z", codec, broker=broker, input=lines)
    assert [v.decode() for _, _, v, _, _ in consume_assigned(broker, t, count=200)] == lines


def test_consume_from_timestamp(broker):
    t = unique("cli-ts")
    create_topic(broker, t)
    base = (int(time.time()) - 600) * 1000
    p = producer(broker)
    for i in range(6):
        p.produce(t, value=f"r{i}".encode(), partition=0, timestamp=base + i * 10_000)
    assert p.flush(30) == 0
    rows = _json_lines(otter("consume", t, "-o", f"@{base + 30_000}", "-n", "3", "-f", "json", broker=broker,
                             timeout=60).stdout)
    assert [next(x for x in ("r3", "r4", "r5") if x in list(_flatten(r))) for r in rows] == ["r3", "r4", "r5"], rows


def test_cluster_info(broker):
    out = otter("cluster", "info", broker=broker).stdout
    assert f"127.0.0.1:{broker.kafka_port}" in out or ("127.0.0.1" in out and str(broker.kafka_port) in out), out
