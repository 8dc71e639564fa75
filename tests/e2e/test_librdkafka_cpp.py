"""librdkafka's C++ API (Debian librdkafka-dev): a small client built by the test itself."""
import fcntl
import os

import pytest

from otter_e2e import CACHE, E2E, create_topic, run, unique, watermarks

SRC = E2E / "clients" / "rdkafka_client.cc"


@pytest.fixture(scope="session")
def rdkafka_client() -> str:
    """Builds clients/rdkafka_client.cc into .cache/e2e (rebuilt only when the source is newer)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    exe = CACHE / "rdkafka_client"
    with open(CACHE / ".rdkafka_client.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not exe.exists() or exe.stat().st_mtime < SRC.stat().st_mtime:
            tmp = CACHE / f"rdkafka_client.{os.getpid()}.tmp"
            run(["g++", "-O1", "-std=c++17", "-Wall", "-Wextra", "-Werror", "-o", tmp, SRC,
                 "-lrdkafka++", "-lrdkafka"], timeout=180)
            os.replace(tmp, exe)
    return str(exe)


def test_cpp_produce_acks_all_then_consume(broker, rdkafka_client):
    t = unique("cpp")
    create_topic(broker, t)
    n = 300
    out = run([rdkafka_client, "produce", broker.bootstrap, t, n, "cpp"], timeout=60).stdout.splitlines()
    delivered = [line.split(" ", 2) for line in out]
    assert [(int(o), v) for _, o, v in delivered] == [(i, f"cpp-{i}") for i in range(n)]
    assert watermarks(broker, t) == (0, n)

    out = run([rdkafka_client, "consume", broker.bootstrap, t, n, 30000], timeout=60).stdout.splitlines()
    assert out == [f"{i} cpp-{i}" for i in range(n)]


def test_cpp_produce_after_restart_continues_offsets(broker, rdkafka_client):
    t = unique("cpp-restart")
    create_topic(broker, t)
    run([rdkafka_client, "produce", broker.bootstrap, t, 10, "before"], timeout=60)
    broker.restart()
    out = run([rdkafka_client, "produce", broker.bootstrap, t, 10, "after"], timeout=60).stdout.splitlines()
    assert [line.split(" ")[1] for line in out] == [str(10 + i) for i in range(10)]
    out = run([rdkafka_client, "consume", broker.bootstrap, t, 20, 30000], timeout=60).stdout.splitlines()
    assert out == [f"{i} before-{i}" for i in range(10)] + [f"{10 + i} after-{i}" for i in range(10)]
