"""Malformed input on raw sockets: the broker closes the offending connection, stays up, and counts it."""
import os
import struct

import pytest

from otter_e2e import (API_API_VERSIONS, API_VERSIONS_V3_BODY, API_METADATA, API_PRODUCE, KafkaConn, consume_assigned, create_topic,
                       metric_sum, metrics, parse_api_versions_v0, parse_produce_response_v3, produce_request_v3,
                       record_batch_v2, request_frame, unique, wait_until)

MALFORMED_METRIC = "otter_kafka_connections_closed_malformed_total"


def assert_alive(broker):
    assert broker.running(), f"broker exited:\n{broker.log_tail()}"
    with KafkaConn(broker.kafka_port) as c:
        err, apis = parse_api_versions_v0(c.request(API_API_VERSIONS, 0, b""))
    assert err == 0 and API_PRODUCE in apis, (err, apis)


BAD_FRAMES = {
    "size_minus_one": struct.pack(">i", -1) + b"\x00" * 16,
    "size_200MB": struct.pack(">i", 200 * 1024 * 1024) + b"\x00\x12\x00\x00" * 4,
    "garbage_body": struct.pack(">i", 24) + bytes(range(0xE7, 0xFF)) + b"\xff\xff",
    "unknown_api_key": request_frame(0x7ABC, 0, 1, b"\x00" * 8),
    "truncated_metadata_body": request_frame(API_METADATA, 1, 1, b"\x00\x00\x00\x05\x00\x10ab"),
    "size_zero": struct.pack(">i", 0),
}


@pytest.mark.parametrize("name", list(BAD_FRAMES))
def test_bad_frame_closes_connection(broker, name):
    with KafkaConn(broker.kafka_port) as c:
        c.send_raw(BAD_FRAMES[name])
        assert c.closed_by_peer(timeout=10), f"{name}: connection still open 10 s after a malformed frame"
    assert_alive(broker)


def test_malformed_connections_are_counted(broker):
    before = metric_sum(metrics(broker), MALFORMED_METRIC)
    frames = [BAD_FRAMES["size_minus_one"], BAD_FRAMES["size_200MB"], BAD_FRAMES["garbage_body"]]
    for f in frames:
        with KafkaConn(broker.kafka_port) as c:
            c.send_raw(f)
            assert c.closed_by_peer(timeout=10)
    wait_until(lambda: metric_sum(metrics(broker), MALFORMED_METRIC) >= before + len(frames), 5,
               what=f"{MALFORMED_METRIC} to grow by {len(frames)}")
    assert_alive(broker)


def test_random_garbage_does_not_kill_broker(broker):
    rng = __import__("random").Random(7)
    for i in range(30):
        with KafkaConn(broker.kafka_port, timeout=5) as c:
            body = bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 300)))
            try:
                c.send_raw(struct.pack(">i", len(body)) + body)
                c.closed_by_peer(timeout=0.5)  # a random header may even be valid: don't insist on a close
            except OSError:
                pass
    assert_alive(broker)


def test_api_versions_unsupported_version_answers_v0_body(broker):
    with KafkaConn(broker.kafka_port) as c:
        err, apis = parse_api_versions_v0(c.request(API_API_VERSIONS, 99, API_VERSIONS_V3_BODY, flexible=True))
    assert err == 35, f"ApiVersions v99 answered error {err}, want 35 UNSUPPORTED_VERSION"
    assert API_API_VERSIONS in apis and apis[API_API_VERSIONS][0] == 0, apis
    assert API_PRODUCE in apis and API_METADATA in apis, apis
    # The connection stays usable (clients retry on it with a lower version).
    with KafkaConn(broker.kafka_port) as c:
        c.request(API_API_VERSIONS, 99, API_VERSIONS_V3_BODY, flexible=True)
        err, _ = parse_api_versions_v0(c.request(API_API_VERSIONS, 0, b""))
        assert err == 0


def test_produce_corrupt_crc_is_rejected(broker):
    t = unique("crc")
    create_topic(broker, t)
    with KafkaConn(broker.kafka_port) as c:
        good = record_batch_v2([b"good-0", b"good-1"])
        r = parse_produce_response_v3(c.request(API_PRODUCE, 3, produce_request_v3(t, 0, good)))
        assert r == {(t, 0): (0, 0)}, f"a well-formed hand-built batch was not accepted: {r}"

        bad = bytearray(record_batch_v2([b"evil-0", b"evil-1"]))
        bad[-3] ^= 0x40  # flip a bit inside the last record's value: CRC no longer matches
        r = parse_produce_response_v3(c.request(API_PRODUCE, 3, produce_request_v3(t, 0, bytes(bad))))
        assert r[(t, 0)][0] == 2, f"corrupt batch answered {r}, want error 2 CORRUPT_MESSAGE"

        bad_crc = bytearray(record_batch_v2([b"evil-2"]))
        bad_crc[17] ^= 0xFF  # the stored CRC itself
        r = parse_produce_response_v3(c.request(API_PRODUCE, 3, produce_request_v3(t, 0, bytes(bad_crc))))
        assert r[(t, 0)][0] == 2, f"batch with wrong CRC answered {r}, want error 2"

        after = record_batch_v2([b"good-2"])
        r = parse_produce_response_v3(c.request(API_PRODUCE, 3, produce_request_v3(t, 0, after)))
        assert r == {(t, 0): (0, 2)}, r
    got = consume_assigned(broker, t, count=3)
    assert [v for _, _, v, _, _ in got] == [b"good-0", b"good-1", b"good-2"]
    assert_alive(broker)


def test_produce_to_unknown_partition(broker):
    t = unique("nopart")
    create_topic(broker, t)
    with KafkaConn(broker.kafka_port) as c:
        r = parse_produce_response_v3(c.request(API_PRODUCE, 3, produce_request_v3(t, 7, record_batch_v2([b"x"]))))
    assert r[(t, 7)][0] == 3, f"want UNKNOWN_TOPIC_OR_PARTITION (3), got {r}"


def test_many_idle_connections_then_close(broker):
    conns = [KafkaConn(broker.kafka_port) for _ in range(50)]
    for c in conns[::2]:
        c.send_raw(os.urandom(2))  # a partial size prefix, then hang up
    for c in conns:
        c.close()
    assert_alive(broker)
