"""The admin endpoint: /metrics in Prometheus text format, /v1/status/ready."""
import re
import shutil
import subprocess

from otter_e2e import create_topic, http_get, metrics, parse_prometheus, produce_values, unique, wait_until

import pytest


def test_parser_self_check():
    good = ('# HELP a_total Some help.\n# TYPE a_total counter\na_total{x="1",y="q\\"uote"} 3\n'
            'b 1.5e3 1700000000000\nc{le="+Inf"} +Inf\n')
    assert [(n, v) for n, _, v in parse_prometheus(good)] == [("a_total", 3.0), ("b", 1500.0), ("c", float("inf"))]
    for bad in ["a b c\n", "a{x=1} 2\n", "# TYPE a countr\n", "1abc 2\n", 'a{x="1" 2\n']:
        with pytest.raises(ValueError):
            parse_prometheus(bad)


def test_ready_endpoint(broker):
    status, _, _ = http_get(f"{broker.admin_url}/v1/status/ready")
    assert status == 200
    status, _, _ = http_get(f"{broker.admin_url}/no/such/path")
    assert status == 404


def test_metrics_format_and_counters(broker):
    status, headers, body = http_get(f"{broker.admin_url}/metrics")
    assert status == 200
    ctype = {k.lower(): v for k, v in headers.items()}.get("content-type", "")
    assert ctype.startswith("text/plain"), ctype
    parse_prometheus(body.decode())  # raises on the first malformed line
    if shutil.which("promtool"):
        cp = subprocess.run(["promtool", "check", "metrics"], input=body, capture_output=True, timeout=30)
        # promtool exits 1 for lint warnings too (e.g. missing HELP); only parse errors matter here
        assert b"error while linting" not in cp.stderr, cp.stderr

    t = unique("metrics")
    create_topic(broker, t)
    values = [b"m" * 100 for _ in range(200)]
    produce_values(broker, t, values)

    def requests_total():
        return [(n, l, v) for n, l, v in metrics(broker) if n == "otter_kafka_requests_total"]

    samples = wait_until(requests_total, 5, what="otter_kafka_requests_total")
    assert sum(v for *_, v in samples) > 0, samples

    bytes_in = re.compile(r"bytes.*in|in.*bytes|produced.*bytes|bytes.*produced")

    def topic_bytes_in():
        return [(n, l, v) for n, l, v in metrics(broker)
                if l.get("topic") == t and bytes_in.search(n) and v >= sum(map(len, values))]

    got = wait_until(topic_bytes_in, 5, what=f"a bytes-in metric with topic=\"{t}\" >= {sum(map(len, values))}")
    assert got
