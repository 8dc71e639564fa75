"""Helpers shared by the end-to-end tests: subprocess wrapper, a minimal Kafka wire codec for
raw-socket tests, a Prometheus text parser and small confluent_kafka conveniences.

Everything here talks to 127.0.0.1 only and bounds every wait.
"""
from __future__ import annotations

import json
import math
import os
import re
import socket
import struct
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
E2E = Path(__file__).resolve().parent
OTTER = Path(os.environ.get("OTTER_BIN", REPO / "build" / "otter"))
CACHE = REPO / ".cache" / "e2e"

# Kafka API keys used below.
API_PRODUCE = 0
API_FETCH = 1
API_LIST_OFFSETS = 2
API_METADATA = 3
API_OFFSET_COMMIT = 8
API_OFFSET_FETCH = 9
API_FIND_COORDINATOR = 10
API_JOIN_GROUP = 11
API_HEARTBEAT = 12
API_LEAVE_GROUP = 13
API_SYNC_GROUP = 14
API_API_VERSIONS = 18
GROUP_APIS = {
    API_FIND_COORDINATOR: "FindCoordinator",
    API_JOIN_GROUP: "JoinGroup",
    API_SYNC_GROUP: "SyncGroup",
    API_HEARTBEAT: "Heartbeat",
    API_LEAVE_GROUP: "LeaveGroup",
    API_OFFSET_COMMIT: "OffsetCommit",
    API_OFFSET_FETCH: "OffsetFetch",
}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


# --------------------------------------------------------------------------------------------
# Subprocesses
# --------------------------------------------------------------------------------------------

class CmdError(AssertionError):
    pass


def run(cmd, *, input=None, timeout=60, check=True, env=None, cwd=None) -> subprocess.CompletedProcess:
    """Runs cmd (list) with a hard timeout; text in/out. Raises CmdError with full output on failure."""
    cmd = [str(c) for c in cmd]
    if isinstance(input, (list, tuple)):
        input = "".join(f"{line}\n" for line in input)
    try:
        cp = subprocess.run(cmd, input=input if input is not None else "", capture_output=True,
                            text=True, timeout=timeout, env=env, cwd=cwd)
    except subprocess.TimeoutExpired as e:
        raise CmdError(f"timed out after {timeout}s: {' '.join(cmd)}\nstdout:\n{e.stdout}\nstderr:\n{e.stderr}")
    if check and cp.returncode != 0:
        raise CmdError(f"exit {cp.returncode}: {' '.join(cmd)}\nstdout:\n{cp.stdout[-4000:]}\n"
                       f"stderr:\n{cp.stderr[-4000:]}")
    return cp


def otter(*args, broker=None, **kw) -> subprocess.CompletedProcess:
    """Runs the otter CLI; adds --brokers when a broker is given."""
    cmd = [OTTER, *args]
    if broker is not None:
        cmd += ["--brokers", broker.bootstrap]
    return run(cmd, **kw)


def wait_until(pred, timeout: float, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = pred()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


def http_get(url: str, timeout: float = 5.0):
    """Returns (status, headers, body-bytes); HTTP errors are returned, not raised."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


# --------------------------------------------------------------------------------------------
# Minimal Kafka wire protocol (non-flexible versions only)
# --------------------------------------------------------------------------------------------

def _crc32c_table():
    poly = 0x82F63B78
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ poly if c & 1 else c >> 1
        table.append(c)
    return table


_CRC32C = _crc32c_table()


def crc32c(data: bytes) -> int:
    c = 0xFFFFFFFF
    for b in data:
        c = _CRC32C[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283  # the standard check value


def zigzag_varint(n: int) -> bytes:
    z = (n << 1) ^ (n >> 63)
    out = bytearray()
    while True:
        b = z & 0x7F
        z >>= 7
        if z:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def kstring(s: str | None) -> bytes:
    if s is None:
        return struct.pack(">h", -1)
    b = s.encode()
    return struct.pack(">h", len(b)) + b


def record_batch_v2(values: list[bytes], keys: list[bytes | None] | None = None,
                    base_timestamp: int | None = None) -> bytes:
    """An uncompressed magic-2 record batch as a non-idempotent producer sends it."""
    if base_timestamp is None:
        base_timestamp = int(time.time() * 1000)
    keys = keys or [None] * len(values)
    records = b""
    for i, (k, v) in enumerate(zip(keys, values)):
        body = b"\x00" + zigzag_varint(0) + zigzag_varint(i)
        body += zigzag_varint(-1) if k is None else zigzag_varint(len(k)) + k
        body += zigzag_varint(len(v)) + v
        body += zigzag_varint(0)  # headers
        records += zigzag_varint(len(body)) + body
    after_crc = struct.pack(">hiqqqhii", 0, len(values) - 1, base_timestamp, base_timestamp,
                            -1, -1, -1, len(values)) + records
    crc = crc32c(after_crc)
    # partitionLeaderEpoch, magic, crc, then the CRC-covered part
    tail = struct.pack(">ibI", 0, 2, crc) + after_crc
    return struct.pack(">qi", 0, len(tail)) + tail


def request_frame(api_key: int, api_version: int, correlation_id: int, body: bytes,
                  client_id: str = "otter-e2e", flexible: bool = False) -> bytes:
    """Request header v1 (v2 when flexible: an empty tagged-fields section after client_id)."""
    payload = struct.pack(">hhi", api_key, api_version, correlation_id) + kstring(client_id)
    payload += (b"\x00" if flexible else b"") + body
    return struct.pack(">i", len(payload)) + payload


def produce_request_v3(topic: str, partition: int, batch: bytes, acks: int = -1, timeout_ms: int = 10000) -> bytes:
    return (kstring(None) + struct.pack(">hii", acks, timeout_ms, 1) + kstring(topic)
            + struct.pack(">ii", 1, partition) + struct.pack(">i", len(batch)) + batch)


def parse_produce_response_v3(body: bytes) -> dict:
    """-> {(topic, partition): (error_code, base_offset)}"""
    r = _Reader(body)
    out = {}
    for _ in range(r.i32()):
        topic = r.string()
        for _ in range(r.i32()):
            p, err, base, _log_append_time = r.i32(), r.i16(), r.i64(), r.i64()
            out[(topic, p)] = (err, base)
    return out


class _Reader:
    def __init__(self, b: bytes):
        self.b, self.o = b, 0

    def _take(self, fmt):
        v = struct.unpack_from(fmt, self.b, self.o)[0]
        self.o += struct.calcsize(fmt)
        return v

    def i16(self):
        return self._take(">h")

    def i32(self):
        return self._take(">i")

    def i64(self):
        return self._take(">q")

    def string(self):
        n = self.i16()
        if n < 0:
            return None
        s = self.b[self.o:self.o + n].decode()
        self.o += n
        return s


class KafkaConn:
    """A blocking connection that sends frames and reads response frames (header v0)."""

    def __init__(self, port: int, timeout: float = 10.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.corr = 0

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()

    def send_raw(self, data: bytes):
        self.sock.sendall(data)

    def recv_exact(self, n: int) -> bytes:
        buf = bytearray()
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError(f"connection closed after {len(buf)} of {n} bytes")
            buf += chunk
        return bytes(buf)

    def request(self, api_key: int, api_version: int, body: bytes, flexible: bool = False) -> bytes:
        """Sends one request; returns the response body after the correlation id (header v0)."""
        self.corr += 1
        self.send_raw(request_frame(api_key, api_version, self.corr, body, flexible=flexible))
        size = struct.unpack(">i", self.recv_exact(4))[0]
        payload = self.recv_exact(size)
        corr = struct.unpack_from(">i", payload)[0]
        assert corr == self.corr, f"correlation id {corr} != {self.corr}"
        return payload[4:]

    def closed_by_peer(self, timeout: float = 5.0) -> bool:
        """True when the peer closes (EOF or reset) within timeout; any bytes it sends are drained."""
        self.sock.settimeout(0.25)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if not self.sock.recv(65536):
                    return True
            except socket.timeout:
                continue
            except (ConnectionResetError, BrokenPipeError):
                return True
        return False


# ApiVersions v3+ body as a newer client sends it: client_software_name, client_software_version
# (compact strings), empty tagged fields.
API_VERSIONS_V3_BODY = b"\x0aotter-e2e" + b"\x041.0" + b"\x00"


def parse_api_versions_v0(body: bytes) -> tuple[int, dict[int, tuple[int, int]]]:
    r = _Reader(body)
    err = r.i16()
    apis = {}
    for _ in range(r.i32()):
        k, lo, hi = r.i16(), r.i16(), r.i16()
        apis[k] = (lo, hi)
    return err, apis


def api_versions(port: int) -> dict[int, tuple[int, int]]:
    with KafkaConn(port) as c:
        err, apis = parse_api_versions_v0(c.request(API_API_VERSIONS, 0, b""))
    assert err == 0, f"ApiVersions v0 answered error {err}"
    return apis


def missing_group_apis(port: int) -> list[str]:
    apis = api_versions(port)
    return [name for key, name in GROUP_APIS.items() if key not in apis]


# --------------------------------------------------------------------------------------------
# Prometheus text exposition format (0.0.4)
# --------------------------------------------------------------------------------------------

_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
_LABEL = r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"'
_SAMPLE = re.compile(rf"^({_NAME})(?:\{{((?:{_LABEL}(?:,|(?=\}})))*)\}})?[ \t]+(\S+)(?:[ \t]+(-?\d+))?$")
_TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


def _float(s: str) -> float:
    if s in ("+Inf", "Inf"):
        return math.inf
    if s == "-Inf":
        return -math.inf
    if s == "NaN":
        return math.nan
    return float(s)


def parse_prometheus(text: str) -> list[tuple[str, dict[str, str], float]]:
    """Parses the text format strictly; raises ValueError naming the first bad line."""
    samples = []
    types: dict[str, str] = {}
    helps: set[str] = set()
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        if line.startswith("#"):
            parts = line.split(None, 3)
            if len(parts) >= 2 and parts[1] in ("HELP", "TYPE"):
                if len(parts) < 3 or not re.fullmatch(_NAME, parts[2]):
                    raise ValueError(f"line {n}: bad {parts[1]} line: {line!r}")
                if parts[1] == "TYPE":
                    if len(parts) != 4 or parts[3].strip() not in _TYPES:
                        raise ValueError(f"line {n}: bad TYPE: {line!r}")
                    if parts[2] in types:
                        raise ValueError(f"line {n}: second TYPE for {parts[2]}")
                    types[parts[2]] = parts[3].strip()
                else:
                    if parts[2] in helps:
                        raise ValueError(f"line {n}: second HELP for {parts[2]}")
                    helps.add(parts[2])
            continue
        m = _SAMPLE.match(line)
        if not m:
            raise ValueError(f"line {n}: not a valid sample: {line!r}")
        labels = dict(re.findall(_LABEL, m.group(2) or ""))
        try:
            value = _float(m.group(5))
        except ValueError:
            raise ValueError(f"line {n}: bad value {m.group(5)!r}: {line!r}")
        samples.append((m.group(1), labels, value))
    return samples


def metrics(broker) -> list[tuple[str, dict[str, str], float]]:
    status, _, body = http_get(f"http://127.0.0.1:{broker.admin_port}/metrics")
    assert status == 200, f"/metrics answered {status}: {body[:500]!r}"
    return parse_prometheus(body.decode())


def metric_sum(samples, name: str, **labels) -> float:
    return sum(v for n, l, v in samples if n == name and all(l.get(k) == x for k, x in labels.items()))


# --------------------------------------------------------------------------------------------
# confluent_kafka conveniences
# --------------------------------------------------------------------------------------------

def client_logger():
    """librdkafka logs go to Python logging (shown by pytest only for failing tests) rather than
    straight to stderr, where clients left alive by a failed test would keep writing."""
    import logging
    return logging.getLogger("librdkafka")


def admin(broker):
    """One AdminClient per broker, kept alive on the broker object: a temporary AdminClient is
    destroyed before its futures resolve (they then fail with _DESTROY)."""
    from confluent_kafka.admin import AdminClient
    a = getattr(broker, "_admin_client", None)
    if a is None:
        a = AdminClient({"bootstrap.servers": broker.bootstrap, "socket.timeout.ms": 10000,
                         "logger": client_logger()})
        broker._admin_client = a
    return a


def create_topic(broker, name: str, partitions: int = 1, config: dict | None = None):
    from confluent_kafka.admin import NewTopic
    fs = admin(broker).create_topics([NewTopic(name, partitions, 1, config=config or {})],
                                     operation_timeout=10, request_timeout=15)
    fs[name].result(timeout=20)
    wait_until(lambda: topic_partitions(broker, name) == partitions, 10, what=f"topic {name} in metadata")


def topic_partitions(broker, name: str) -> int | None:
    md = admin(broker).list_topics(timeout=10)
    t = md.topics.get(name)
    if t is None or t.error is not None:
        return None
    return len(t.partitions)


def producer(broker, **conf):
    from confluent_kafka import Producer
    base = {"bootstrap.servers": broker.bootstrap, "acks": "all", "linger.ms": 5,
            "message.timeout.ms": 20000}
    base.update(conf)
    return Producer({**base, "logger": client_logger()})


def produce_values(broker, topic: str, values, partition: int = 0, **conf) -> list[int]:
    """Produces values (str/bytes) with acks=all; returns the offsets, in order; fails on any error."""
    p = producer(broker, **conf)
    results = {}

    def cb(i):
        def f(err, msg):
            results[i] = err or msg.offset()
        return f

    for i, v in enumerate(values):
        p.produce(topic, value=v, partition=partition, on_delivery=cb(i))
        p.poll(0)
    left = p.flush(30)
    assert left == 0, f"{left} messages not delivered within 30 s"
    errs = [r for r in results.values() if not isinstance(r, int)]
    assert not errs, f"delivery errors: {errs[:5]}"
    return [results[i] for i in range(len(values))]


def consume_assigned(broker, topic: str, partition: int = 0, start: int = 0, count: int | None = None,
                     until_offset: int | None = None, timeout: float = 30.0):
    """Reads with assign() (no group membership needed): returns [(offset, key, value, headers, ts)]."""
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": unique("e2e-assign"),
                  "enable.auto.commit": False, "enable.auto.offset.store": False,
                  "enable.partition.eof": False, "fetch.wait.max.ms": 100, "logger": client_logger()})
    out = []
    try:
        c.assign([TopicPartition(topic, partition, start)])
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if count is not None and len(out) >= count:
                break
            if until_offset is not None and (out[-1][0] + 1 if out else start) >= until_offset:
                break
            m = c.poll(0.2)
            if m is None:
                continue
            if m.error():
                raise AssertionError(f"consumer error: {m.error()}")
            out.append((m.offset(), m.key(), m.value(), m.headers(), m.timestamp()[1]))
    finally:
        c.close()
    return out


def watermarks(broker, topic: str, partition: int = 0) -> tuple[int, int]:
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": unique("e2e-wm"),
                  "enable.auto.commit": False, "logger": client_logger()})
    try:
        return c.get_watermark_offsets(TopicPartition(topic, partition), timeout=10)
    finally:
        c.close()


def dumps(obj) -> str:
    return json.dumps(obj, default=str)[:2000]


def example_binary(name: str, env_var: str) -> Path:
    """An example job program: $env_var if set, else build/examples/<name>; fails the test with
    how to build it when it is missing."""
    env = os.environ.get(env_var)
    p = Path(env) if env else REPO / "build" / "examples" / name
    if not p.exists():
        pytest.fail(f"{p} does not exist: build it first (cmake --build build --target {name}) "
                    f"or set {env_var}")
    return p
