"""Fixtures for the end-to-end suite: each test gets its own `otter serve` on free loopback ports
with a fresh data directory. The broker's log is attached to the report of any failing test."""
from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from otter_e2e import OTTER, http_get, missing_group_apis  # noqa: E402

READY_TIMEOUT = 20.0
STOP_TIMEOUT = 15.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Broker:
    def __init__(self, data_dir: Path, log_path: Path, config: dict | None = None, extra_args=()):
        self.data_dir = data_dir
        self.log_path = log_path
        self.kafka_port = free_port()
        self.admin_port = free_port()
        while self.admin_port == self.kafka_port:
            self.admin_port = free_port()
        self.bootstrap = f"127.0.0.1:{self.kafka_port}"
        self.admin_url = f"http://127.0.0.1:{self.admin_port}"
        self.config_path = None
        if config is not None:
            self.config_path = data_dir.parent / "otter.yaml"
            self.config_path.write_text(_to_yaml(config))
        self.extra_args = list(extra_args)
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    # -- lifecycle ------------------------------------------------------------------------------
    def command(self):
        cmd = [str(OTTER), "serve", "--data-dir", str(self.data_dir),
               "--kafka-addr", self.bootstrap, "--admin-addr", f"127.0.0.1:{self.admin_port}"]
        if self.config_path:
            cmd += ["--config", str(self.config_path)]
        return cmd + self.extra_args

    def start(self):
        assert self.proc is None or self.proc.poll() is not None, "broker already running"
        if not OTTER.exists():
            pytest.fail(f"{OTTER} does not exist: build it first (cmake --preset release && "
                        f"cmake --build --preset release)")
        self.starts += 1
        with open(self.log_path, "ab") as log:
            log.write(f"\n===== start #{self.starts}: {' '.join(self.command())}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        self.wait_ready()
        return self

    def wait_ready(self, timeout: float = READY_TIMEOUT):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            rc = self.proc.poll()
            if rc is not None:
                raise AssertionError(f"otter serve exited with {rc} before it was ready\n{self.log_tail()}")
            try:
                status, _, body = http_get(f"{self.admin_url}/v1/status/ready", timeout=1.0)
                if status == 200:
                    return
                last = f"HTTP {status} {body[:200]!r}"
            except OSError as e:
                last = repr(e)
            time.sleep(0.05)
        raise AssertionError(f"broker not ready within {timeout}s (last: {last})\n{self.log_tail()}")

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = STOP_TIMEOUT) -> int | None:
        """SIGTERM, wait; SIGKILL if it does not exit in time (and then fail loudly)."""
        if not self.running():
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
            raise AssertionError(f"broker did not exit within {timeout}s of SIGTERM\n{self.log_tail()}")

    def kill9(self):
        if self.running():
            self.proc.kill()
            self.proc.wait(10)
            with open(self.log_path, "ab") as log:
                log.write(b"\n===== killed with SIGKILL\n")

    def restart(self):
        """Graceful stop (SIGTERM) then start on the same ports and data directory."""
        rc = self.stop()
        assert rc == 0, f"otter serve exited with {rc} on SIGTERM\n{self.log_tail()}"
        return self.start()

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 200) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])


def _to_yaml(obj, indent=0) -> str:
    """Tiny YAML emitter for flat/nested dicts of scalars (avoids a PyYAML dependency)."""
    out = []
    pad = "  " * indent
    for k, v in obj.items():
        if isinstance(v, dict):
            out.append(f"{pad}{k}:")
            out.append(_to_yaml(v, indent + 1).rstrip("\n"))
        elif isinstance(v, bool):
            out.append(f"{pad}{k}: {'true' if v else 'false'}")
        elif isinstance(v, (int, float)):
            out.append(f"{pad}{k}: {v}")
        else:
            out.append(f'{pad}{k}: "{v}"')
    return "\n".join(out) + "\n"


# -- fixtures -------------------------------------------------------------------------------------

@pytest.fixture
def broker_factory(request, tmp_path):
    """broker_factory(config=None) -> started Broker. All are stopped by PID at teardown."""
    brokers: list[Broker] = []
    request.node._otter_brokers = brokers

    def make(config: dict | None = None, extra_args=()) -> Broker:
        n = len(brokers)
        root = tmp_path / f"broker{n}"
        root.mkdir()
        b = Broker(root / "data", root / "otter.log", config=config, extra_args=extra_args)
        brokers.append(b)
        return b.start()

    yield make
    errors = []
    for b in brokers:
        b.__dict__.pop("_admin_client", None)  # let librdkafka's threads go before the broker does
        try:
            rc = b.stop()
            if rc not in (0, None, -signal.SIGKILL):
                errors.append(f"otter serve (pid {b.pid}) exited with {rc} on SIGTERM")
        except AssertionError as e:
            errors.append(str(e))
    failed = getattr(request.node, "_otter_failed", False)
    if errors and not failed:
        for b in brokers:
            sys.stderr.write(f"\n----- broker log {b.log_path} -----\n{b.log_tail()}\n")
        pytest.fail("; ".join(errors))


@pytest.fixture
def broker(broker_factory) -> Broker:
    return broker_factory()


@pytest.fixture
def require_groups(broker):
    """Skips (with the reason) when the broker does not advertise the consumer-group APIs."""
    missing = missing_group_apis(broker.kafka_port)
    if missing:
        pytest.skip(f"broker does not support consumer groups yet: ApiVersions lacks {', '.join(missing)}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.failed:
        item._otter_failed = True
        for b in getattr(item, "_otter_brokers", []):
            rep.sections.append((f"broker log ({b.log_path}, last 200 lines)", b.log_tail()))
