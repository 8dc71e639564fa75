"""kafkajs 2.2.4 (npm, a second independent protocol implementation) via the scripts in js/."""
import json
import os
import shutil

import pytest

from otter_e2e import E2E, consume_assigned, create_topic, run, unique

JS = E2E / "js"


@pytest.fixture(autouse=True)
def _kafkajs_installed():
    if shutil.which("node") is None:
        pytest.fail("node is not installed (scripts/setup.sh installs it)")
    if not (E2E / "node_modules" / "kafkajs").is_dir():
        pytest.fail("tests/e2e/node_modules/kafkajs missing: run scripts/setup.sh")


def node(script, *args, timeout=90):
    cp = run(["node", JS / script, *args], timeout=timeout,
             env={**os.environ, "E2E_SCRIPT_TIMEOUT_MS": str((timeout - 5) * 1000),
                  "KAFKAJS_NO_PARTITIONER_WARNING": "1"})
    return json.loads(cp.stdout.strip().splitlines()[-1])


def test_admin_create_metadata_delete(broker):
    t = unique("js-admin")
    r = node("admin.js", broker.bootstrap, t, "3")
    assert r["created"] is True, r
    assert r["createdAgain"] is False, r  # kafkajs maps TOPIC_ALREADY_EXISTS to false
    assert r["metadata"] == [{"name": t, "partitions": [{"id": i, "leader": 0, "error": 0} for i in range(3)]}], r
    assert r["listed"] is True and r["listedAfterDelete"] is False, r
    assert r["cluster"]["controller"] == 0, r
    assert r["cluster"]["brokers"] == [{"nodeId": 0, "host": "127.0.0.1", "port": broker.kafka_port}], r


@pytest.mark.parametrize("compression", ["none", "gzip"])
def test_producer_send(broker, compression):
    t = unique(f"js-send-{compression}")
    create_topic(broker, t)
    r = node("produce.js", broker.bootstrap, t, "250", compression, "100")
    assert [(m["partition"], m["errorCode"], m["baseOffset"]) for m in r] == [(0, 0, "0"), (0, 0, "100"), (0, 0, "200")], r
    # Read back with an independent client.
    got = consume_assigned(broker, t, count=250)
    assert [(o, k, v, h) for o, k, v, h, _ in got] == [
        (i, f"k{i}".encode(), f"{compression}-{i}".encode(), [("idx", str(i).encode())]) for i in range(250)]


@pytest.mark.groups
def test_consumer_group_reads_back(broker, require_groups):
    t = unique("js-consume")
    create_topic(broker, t)
    node("produce.js", broker.bootstrap, t, "50", "gzip", "25")
    group = unique("js-group")
    r = node("consume.js", broker.bootstrap, t, group, "50")
    msgs = r["messages"]
    assert [(m["offset"], m["key"], m["value"], m["headers"]) for m in msgs] == [
        (str(i), f"k{i}", f"gzip-{i}", {"idx": str(i)}) for i in range(50)]
    committed = [(c["topic"], p["partition"], p["offset"]) for c in r["committed"] for p in c["partitions"]]
    assert committed == [(t, 0, "50")], r
