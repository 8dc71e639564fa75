"""kcat (Debian, librdkafka 2.0.2) against the broker: metadata, codecs, keys, headers, offsets."""
import json
import time

import pytest

from otter_e2e import create_topic, run, unique, wait_until

CODECS = ["none", "gzip", "snappy", "lz4", "zstd"]


def kcat(broker, *args, input=None, timeout=60, check=True):
    return run(["kcat", "-b", broker.bootstrap, "-X", "socket.timeout.ms=10000", *args],
               input=input, timeout=timeout, check=check)


def kcat_produce(broker, topic, lines, *args):
    return kcat(broker, "-P", "-t", topic, "-X", "message.timeout.ms=20000", *args, input=lines)


def kcat_consume(broker, topic, *args, fmt=None) -> list[str]:
    extra = ["-f", fmt] if fmt else []
    out = kcat(broker, "-C", "-t", topic, "-e", "-q", *extra, *args).stdout
    return out.splitlines()


def test_metadata_lists_broker_0_and_topics(broker):
    t = unique("kcat-md")
    create_topic(broker, t, partitions=2)
    text = kcat(broker, "-L").stdout
    assert f"broker 0 at 127.0.0.1:{broker.kafka_port}" in text, text
    assert f'topic "{t}" with 2 partitions' in text, text

    md = json.loads(kcat(broker, "-L", "-J").stdout)
    assert md["controllerid"] == 0, md
    assert [(b["id"], b["name"]) for b in md["brokers"]] == [(0, broker.bootstrap)], md
    topics = {x["topic"]: x for x in md["topics"]}
    assert t in topics, md
    parts = sorted(p["partition"] for p in topics[t]["partitions"])
    assert parts == [0, 1]
    for p in topics[t]["partitions"]:
        assert p["leader"] == 0, p


@pytest.mark.parametrize("codec", CODECS)
def test_produce_consume_codec(broker, codec):
    t = unique(f"kcat-{codec}")
    create_topic(broker, t)
    lines = [f"{codec}-message-{i:04d}-" + "x" * (i % 50) for i in range(1000)]
    kcat_produce(broker, t, lines, "-z", codec, "-p", "0")
    got = kcat_consume(broker, t, "-o", "beginning")
    assert len(got) == len(lines), f"consumed {len(got)} of {len(lines)}"
    assert got == lines


def test_keys(broker):
    t = unique("kcat-keys")
    create_topic(broker, t)
    lines = [f"key{i}:value{i}" for i in range(50)] + [":no-key-empty", "k:v:with:colons"]
    kcat_produce(broker, t, lines, "-K:")
    got = kcat_consume(broker, t, "-o", "beginning", fmt="%k|%s\\n")
    want = [line.replace(":", "|", 1) for line in lines]
    assert got == want


def test_headers(broker):
    t = unique("kcat-hdr")
    create_topic(broker, t)
    kcat_produce(broker, t, ["hello", "world"], "-H", "trace=abc123", "-H", "source=kcat")
    got = kcat_consume(broker, t, "-o", "beginning", fmt="%h|%s\\n")
    assert got == ["trace=abc123,source=kcat|hello", "trace=abc123,source=kcat|world"]


def test_offset_by_timestamp(broker):
    t = unique("kcat-ts")
    create_topic(broker, t)
    kcat_produce(broker, t, [f"wave1-{i}" for i in range(20)])
    time.sleep(1.2)
    kcat_produce(broker, t, [f"wave2-{i}" for i in range(20)])

    rows = [line.split(" ", 1) for line in kcat_consume(broker, t, "-o", "beginning", fmt="%T %s\\n")]
    assert [v for _, v in rows] == [f"wave1-{i}" for i in range(20)] + [f"wave2-{i}" for i in range(20)]
    ts = {v: int(s) for s, v in rows}
    wave1_max = max(ts[f"wave1-{i}"] for i in range(20))
    wave2_min = min(ts[f"wave2-{i}"] for i in range(20))
    assert wave2_min - wave1_max >= 1000, rows

    got = kcat_consume(broker, t, "-o", f"s@{wave2_min}")
    assert got == [f"wave2-{i}" for i in range(20)]
    # A timestamp between the waves resolves to the first record of wave 2 too.
    got = kcat_consume(broker, t, "-o", f"s@{wave1_max + 1}")
    assert got == [f"wave2-{i}" for i in range(20)]
    # The earliest timestamp gives everything.
    assert len(kcat_consume(broker, t, "-o", f"s@{ts['wave1-0']}")) == 40


def test_relative_offset_from_end(broker):
    t = unique("kcat-rel")
    create_topic(broker, t)
    kcat_produce(broker, t, [f"m{i}" for i in range(10)])
    assert kcat_consume(broker, t, "-o", "-3") == ["m7", "m8", "m9"]
    assert kcat_consume(broker, t, "-o", "4", "-c", "2") == ["m4", "m5"]


def test_auto_create_on_produce(broker):
    t = unique("kcat-auto")
    kcat_produce(broker, t, ["first", "second"])
    got = kcat_consume(broker, t, "-o", "beginning")
    assert got == ["first", "second"]
    md = wait_until(lambda: {x["topic"]: x for x in json.loads(kcat(broker, "-L", "-J").stdout)["topics"]}
                    .get(t), 10, what=f"{t} in metadata")
    assert len(md["partitions"]) == 1, md  # default_partitions = 1
