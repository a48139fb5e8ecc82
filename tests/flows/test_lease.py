"""One run at a time in a run directory: a second real run is refused with one line naming the
holder, the lease a SIGKILLed run left is taken over (its process is gone), and of two runs
taking over the same expired lease exactly one wins."""

import datetime as dt
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
import yaml

from babelforge.flows.lease import LEASE, Lease, LeaseHeldError, acquire, held, read_lease
from babelforge.flows.store import RunStore
from babelforge.generators.embedded import EmbeddedServer
from tests.flows.test_resume import REPO, command, environment, write_config
from tests.processes import run_bounded, stop_group


@contextmanager
def stalled_endpoint(upstream: str) -> Iterator[str]:
    """The real server behind a proxy on 127.0.0.1 that answers its GETs (model list, health
    probe) but holds every completion until the block exits, then drops it (a hang: keeps the
    first run alive, waiting on its LLM and holding its lease, for as long as the test looks)."""
    client = httpx.Client(timeout=120)
    origin = upstream.removesuffix("/v1").rstrip("/")
    closing = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            closing.wait()

        def do_GET(self) -> None:
            reply = client.get(origin + self.path)
            self.send_response(reply.status_code)
            self.send_header("Content-Length", str(len(reply.content)))
            self.end_headers()
            self.wfile.write(reply.content)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        closing.set()
        server.shutdown()
        server.server_close()
        client.close()


def one_pair_config(tmp_path: Path, base_url: str, model: str) -> Path:
    """The SynDARin run of tests/flows/test_resume.py in run directory `shared`, on one
    paragraph pair: the lease is what is tested here, not the records."""
    path = write_config(tmp_path, "shared", "syndarin", base_url, model)
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["syndarin"]["mining"]["max_pairs"] = 1
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def renewed(store: RunStore, lease: Lease, within_s: float = 30.0) -> Lease:
    """The lease once its holder's background thread renewed it (every TTL/3)."""
    deadline = time.monotonic() + within_s
    while (current := read_lease(store)) is not None and current.expires == lease.expires:
        assert time.monotonic() < deadline, f"not renewed within {within_s} s"
        time.sleep(0.02)
    assert current is not None, "the lease is gone while its holder lives"
    return current


def expire(store: RunStore) -> Lease:
    """Move the lease's expiry into the past, as if its run died TTL seconds ago."""
    lease = read_lease(store)
    assert lease is not None
    old = lease.model_copy(update={"expires": dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)})
    store.write_text(LEASE, old.model_dump_json())
    return old


@pytest.mark.slow
def test_a_second_run_is_refused_naming_the_holder_and_a_killed_runs_lease_is_taken_over(
    embedded_server: EmbeddedServer, tmp_path: Path
) -> None:
    env = environment(tmp_path)
    store = RunStore(str(tmp_path / "shared"))
    with (
        stalled_endpoint(embedded_server.base_url) as stalled,
        (tmp_path / "first.log").open("wb") as log,
    ):
        config = one_pair_config(tmp_path, stalled, embedded_server.model)
        first = subprocess.Popen(
            command(config), cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 300
            while read_lease(store) is None:
                assert first.poll() is None, (tmp_path / "first.log").read_text()[-3000:]
                assert time.monotonic() < deadline
                time.sleep(0.1)
            holder = read_lease(store)
            assert holder is not None
            second = run_bounded(command(config), env=env, timeout_s=300, cwd=REPO)
            assert first.poll() is None, "the first run should still be running"
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(timeout=30)
        finally:
            stop_group(first)
    assert second.returncode == 2, second.stdout[-3000:]
    refusal = [line for line in second.stdout.splitlines() if "is in use by run" in line]
    assert len(refusal) == 1, second.stdout[-3000:]
    assert f"pid {holder.pid}" in refusal[0] and f"host {holder.host}" in refusal[0]
    assert "lease expires" in refusal[0]
    assert "Traceback" not in second.stdout

    left = read_lease(store)
    assert left is not None and left.token == holder.token, "a SIGKILLed run leaves its lease"
    config = one_pair_config(tmp_path, embedded_server.base_url, embedded_server.model)
    resumed = run_bounded(command(config), env=env, timeout_s=900, cwd=REPO)
    assert resumed.returncode == 0, resumed.stdout[-4000:]
    assert "took over the lease of run" in resumed.stdout
    assert read_lease(store) is None, "a finished run releases its lease"


def test_of_two_runs_taking_over_one_expired_lease_exactly_one_wins(tmp_path: Path) -> None:
    store = RunStore(str(tmp_path / "run"))
    acquire(store, "killed")
    expire(store)
    start = threading.Barrier(2)
    won: list[Lease] = []
    refused: list[str] = []

    def take(run_id: str) -> None:
        start.wait()
        try:
            won.append(acquire(RunStore(str(tmp_path / "run")), run_id))
        except LeaseHeldError as e:
            refused.append(str(e))

    takers = [threading.Thread(target=take, args=(f"taker-{n}",)) for n in range(2)]
    for thread in takers:
        thread.start()
    for thread in takers:
        thread.join(timeout=30)
    assert len(won) == 1 and len(refused) == 1
    assert read_lease(store) == won[0]
    assert f"run {won[0].run_id}" in refused[0]


def test_a_live_lease_is_renewed_and_released(tmp_path: Path) -> None:
    store = RunStore(str(tmp_path / "run"))
    with held(store, "renewing", ttl_s=0.6) as lease:
        current = renewed(store, lease)
        assert current.token == lease.token
        assert current.expires > lease.expires, "the background thread renews the lease"
        with pytest.raises(LeaseHeldError, match=f"pid {os.getpid()}"):
            acquire(store, "intruder")
    assert not store.exists(LEASE)
