"""confluent-kafka-python (Debian python3-confluent-kafka) against the broker."""
import time

import pytest
from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition
from confluent_kafka.admin import ConfigResource, ConfigSource, NewPartitions, NewTopic

from otter_e2e import (client_logger, admin, consume_assigned, create_topic, producer, produce_values, topic_partitions,
                       unique, wait_until, watermarks)


def _describe(broker, topic):
    res = ConfigResource(ConfigResource.Type.TOPIC, topic)
    return admin(broker).describe_configs([res], request_timeout=15)[res].result(timeout=20)


def _error_of(future) -> KafkaError:
    with pytest.raises(KafkaException) as ei:
        future.result(timeout=20)
    return ei.value.args[0]


def test_produce_acks_all_then_consume_with_assign(broker):
    t = unique("py-rt")
    create_topic(broker, t)
    values = [f"value-{i}".encode() * (1 + i % 7) for i in range(500)]
    p = producer(broker, acks="all")
    delivered = []

    def cb(err, msg):
        assert err is None, err
        delivered.append((msg.offset(), msg.value(), msg.key()))

    for i, v in enumerate(values):
        p.produce(t, key=f"k{i}".encode(), value=v, partition=0, headers=[("n", str(i).encode())],
                  on_delivery=cb)
        p.poll(0)
    assert p.flush(30) == 0
    assert len(delivered) == len(values)
    offsets = [o for o, _, _ in delivered]
    assert offsets == list(range(len(values))), f"offsets not contiguous from 0: {offsets[:10]}..."

    got = consume_assigned(broker, t, start=0, count=len(values))
    assert [o for o, *_ in got] == list(range(len(values)))
    assert [v for _, _, v, _, _ in got] == values
    assert [k for _, k, _, _, _ in got] == [f"k{i}".encode() for i in range(len(values))]
    assert [h for _, _, _, h, _ in got] == [[("n", str(i).encode())] for i in range(len(values))]

    # Starting in the middle returns the tail only (Fetch must skip the head of a batch).
    got = consume_assigned(broker, t, start=123, count=len(values) - 123)
    assert [o for o, *_ in got] == list(range(123, len(values)))
    assert [v for _, _, v, _, _ in got] == values[123:]


def test_admin_topic_lifecycle(broker):
    a = admin(broker)
    t = unique("py-admin")
    fs = a.create_topics([NewTopic(t, 3, 1)], operation_timeout=10, request_timeout=15)
    assert fs[t].result(timeout=20) is None

    md = a.list_topics(timeout=10)
    assert t in md.topics
    assert sorted(md.topics[t].partitions) == [0, 1, 2]
    assert all(p.leader == 0 for p in md.topics[t].partitions.values())
    assert list(md.brokers) == [0] and md.brokers[0].host == "127.0.0.1" and md.brokers[0].port == broker.kafka_port
    assert md.controller_id == 0

    cfg = _describe(broker, t)
    assert "retention.ms" in cfg, sorted(cfg)
    e = cfg["retention.ms"]
    assert e.source == ConfigSource.DEFAULT_CONFIG.value, (e.name, e.value, e.source)
    assert e.is_default
    int(e.value)  # numeric

    res = ConfigResource(ConfigResource.Type.TOPIC, t, set_config={"retention.ms": "123456"})
    a.alter_configs([res], request_timeout=15)[res].result(timeout=20)
    e = _describe(broker, t)["retention.ms"]
    assert e.value == "123456"
    assert e.source == ConfigSource.DYNAMIC_TOPIC_CONFIG.value, (e.value, e.source)

    fs = a.create_partitions([NewPartitions(t, 5)], operation_timeout=10, request_timeout=15)
    fs[t].result(timeout=20)
    wait_until(lambda: topic_partitions(broker, t) == 5, 10, what="5 partitions")
    # The new partitions take writes.
    produce_values(broker, t, [b"to-p4"], partition=4)
    assert [v for _, _, v, _, _ in consume_assigned(broker, t, partition=4, count=1)] == [b"to-p4"]

    fs = a.delete_topics([t], operation_timeout=10, request_timeout=15)
    fs[t].result(timeout=20)
    wait_until(lambda: t not in admin(broker).list_topics(timeout=10).topics, 10, what=f"{t} gone")


def test_create_existing_topic_fails(broker):
    t = unique("py-dup")
    create_topic(broker, t)
    fs = admin(broker).create_topics([NewTopic(t, 1, 1)], request_timeout=15)
    err = _error_of(fs[t])
    assert err.code() == KafkaError.TOPIC_ALREADY_EXISTS, err


def test_invalid_config_rejected(broker):
    t = unique("py-badcfg")
    fs = admin(broker).create_topics([NewTopic(t, 1, 1, config={"retention.ms": "not-a-number"})],
                                     request_timeout=15)
    err = _error_of(fs[t])
    assert err.code() == KafkaError.INVALID_CONFIG, err
    assert t not in admin(broker).list_topics(timeout=10).topics

    t2 = unique("py-badalter")
    create_topic(broker, t2)
    res = ConfigResource(ConfigResource.Type.TOPIC, t2, set_config={"retention.ms": "soon"})
    err = _error_of(admin(broker).alter_configs([res], request_timeout=15)[res])
    assert err.code() == KafkaError.INVALID_CONFIG, err


def test_invalid_partition_count(broker):
    t = unique("py-badparts")
    create_topic(broker, t, partitions=3)
    fs = admin(broker).create_partitions([NewPartitions(t, 2)], request_timeout=15)
    err = _error_of(fs[t])
    assert err.code() == KafkaError.INVALID_PARTITIONS, err


def test_message_larger_than_topic_max_message_bytes(broker):
    t = unique("py-big")
    create_topic(broker, t, config={"max.message.bytes": "2048"})
    p = producer(broker, acks="all", **{"compression.type": "none", "retries": 0})
    results = []
    p.produce(t, value=b"x" * 100, partition=0, on_delivery=lambda e, m: results.append(("small", e)))
    p.flush(30)
    p.produce(t, value=b"y" * 8000, partition=0, on_delivery=lambda e, m: results.append(("big", e)))
    assert p.flush(30) == 0
    assert results[0] == ("small", None), results
    name, err = results[1]
    assert err is not None and err.code() == KafkaError.MSG_SIZE_TOO_LARGE, err
    assert watermarks(broker, t) == (0, 1)


def test_list_offsets_and_offsets_for_times(broker):
    t = unique("py-offsets")
    create_topic(broker, t)
    base = (int(time.time()) - 3600) * 1000
    p = producer(broker)
    for i in range(10):
        p.produce(t, value=f"v{i}".encode(), partition=0, timestamp=base + i * 1000)
    assert p.flush(30) == 0

    assert watermarks(broker, t) == (0, 10)
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": unique("py-oft"), "enable.auto.commit": False, "logger": client_logger()})
    try:
        def lookup(ts):
            [r] = c.offsets_for_times([TopicPartition(t, 0, ts)], timeout=10)
            assert r.error is None, r.error
            return r.offset

        assert lookup(base) == 0
        assert lookup(base - 5000) == 0
        assert lookup(base + 5000) == 5
        assert lookup(base + 5500) == 6
        assert lookup(base + 9000) == 9
        assert lookup(base + 9001) == -1  # no such record: OFFSET_END / -1
    finally:
        c.close()
    got = consume_assigned(broker, t, start=5, count=5)
    assert [(o, v, ts) for o, _, v, _, ts in got] == [(5 + i, f"v{5 + i}".encode(), base + (5 + i) * 1000)
                                                     for i in range(5)]


def test_produce_acks_0_and_1(broker):
    t = unique("py-acks")
    create_topic(broker, t)
    produce_values(broker, t, [b"a1-0", b"a1-1"], acks="1")
    p = producer(broker, acks="0")
    for i in range(3):
        p.produce(t, value=f"a0-{i}".encode(), partition=0)
    assert p.flush(30) == 0
    wait_until(lambda: watermarks(broker, t)[1] == 5, 10, what="5 records")
    got = [v for _, _, v, _, _ in consume_assigned(broker, t, count=5)]
    assert got == [b"a1-0", b"a1-1", b"a0-0", b"a0-1", b"a0-2"]
