"""One run at a time in a run directory: a lease in `<run_dir>/lease.json`, on a local disk or
an object store alike (exclusive creates only, no rename, no lock daemon).

    lease.json                  the holder: host, pid, run id, started, expires, token
    lease.takeover.<token>      created exclusively by the one run that took over the
                                expired lease <token> (kept, so a late taker cannot win)

A run creates the lease exclusively, renews it in the background every TTL/3 while it lives and
removes it at the end. A second run is refused with the holder named. A lease past its expiry,
or whose holder process on this host is gone (a SIGKILLed run), is taken over: of two takers,
only the one that creates the takeover file for that lease's token writes the new lease; the
other is refused naming the winner.
"""

import contextlib
import datetime as dt
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator

from pydantic import ValidationError

from babelforge.flows.store import RunStore
from babelforge.flows.worker import current_worker
from babelforge.schemas.base import Record
from babelforge.schemas.errors import BabelforgeError

LEASE = "lease.json"
TTL_S = 60.0
log = logging.getLogger(__name__)


class LeaseHeldError(BabelforgeError):
    """Another run holds the run directory (a user error, exit code 2)."""


class Lease(Record):
    """Who holds a run directory and until when."""

    host: str
    pid: int
    run_id: str
    started: dt.datetime
    expires: dt.datetime
    token: str

    def expired(self, now: dt.datetime) -> bool:
        return now >= self.expires


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def read_lease(store: RunStore) -> Lease | None:
    """The lease in the run directory, or None; an unreadable one (torn write) counts as
    expired, so it is taken over rather than blocking the directory for good."""
    try:
        text = store.read_text(LEASE)
    except FileNotFoundError:
        return None
    try:
        return Lease.model_validate_json(text)
    except ValidationError:
        epoch = dt.datetime.fromtimestamp(0, dt.UTC)
        return Lease(host="?", pid=0, run_id="?", started=epoch, expires=epoch, token=text[:32])


def _dead_here(holder: Lease) -> bool:
    """The holder ran on this host and its process is gone (SIGKILLed): no need to wait for
    the expiry. A live pid, or another host, counts as alive until the lease expires."""
    if holder.host != socket.gethostname() or holder.pid <= 0:
        return False
    try:
        os.kill(holder.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _refusal(store: RunStore, holder: Lease) -> LeaseHeldError:
    return LeaseHeldError(
        f"{store.root} is in use by run {holder.run_id} (host {holder.host}, pid {holder.pid}, "
        f"started {holder.started:%Y-%m-%d %H:%M:%S} UTC, lease expires "
        f"{holder.expires:%Y-%m-%d %H:%M:%S} UTC): wait for it to end, or use another run_dir"
    )


def acquire(store: RunStore, run_id: str, ttl_s: float = TTL_S) -> Lease:
    """Take the run directory's lease, or raise LeaseHeldError naming the live holder."""
    worker, now = current_worker(), _now()
    mine = Lease(
        host=worker.host,
        pid=worker.pid,
        run_id=run_id,
        started=now,
        expires=now + dt.timedelta(seconds=ttl_s),
        token=uuid.uuid4().hex,
    )
    if store.create(LEASE, mine.model_dump_json()):
        return mine
    holder = read_lease(store)
    if holder is None:  # released between our create and read: try once more
        if store.create(LEASE, mine.model_dump_json()):
            return mine
        holder = read_lease(store)
        assert holder is not None
    if not holder.expired(_now()) and not _dead_here(holder):
        raise _refusal(store, holder)
    if not store.create(f"lease.takeover.{holder.token}", mine.model_dump_json()):
        raise _refusal(store, _successor(store, holder))
    log.warning(
        "%s: took over the lease of run %s (host %s, pid %d, gone or expired %s)",
        store.root, holder.run_id, holder.host, holder.pid, holder.expires.isoformat(),
    )  # fmt: skip
    store.write_text(LEASE, mine.model_dump_json())
    return mine


def _successor(store: RunStore, old: Lease, wait_s: float = 5.0) -> Lease:
    """The lease that replaced `old` (the winning taker writes it just after its takeover
    file), to name the right holder; `old` when none shows within `wait_s`."""
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        current = read_lease(store)
        if current is not None and current.token != old.token:
            return current
        time.sleep(0.05)
    return old


def renew(store: RunStore, lease: Lease, ttl_s: float = TTL_S) -> Lease | None:
    """Push the expiry on; None when the lease is no longer ours (taken over)."""
    current = read_lease(store)
    if current is None or current.token != lease.token:
        return None
    renewed = lease.model_copy(update={"expires": _now() + dt.timedelta(seconds=ttl_s)})
    store.write_text(LEASE, renewed.model_dump_json())
    return renewed


def release(store: RunStore, lease: Lease) -> None:
    """Remove the lease if it is still ours."""
    current = read_lease(store)
    if current is not None and current.token == lease.token:
        store.remove(LEASE)


@contextlib.contextmanager
def held(store: RunStore, run_id: str, ttl_s: float = TTL_S) -> Iterator[Lease]:
    """Hold the lease for the block: renewed in a background thread, released at the end."""
    lease = acquire(store, run_id, ttl_s)
    stop = threading.Event()

    def keep() -> None:
        current: Lease | None = lease
        while not stop.wait(ttl_s / 3):
            try:
                current = renew(store, current) if current is not None else None
            except OSError as e:
                log.warning("%s: could not renew the lease (%s); trying again", store.root, e)
                continue
            if current is None:
                log.error("%s: the lease was taken over by another run", store.root)
                return

    thread = threading.Thread(target=keep, name="babelforge-lease", daemon=True)
    thread.start()
    try:
        yield lease
    finally:
        stop.set()
        thread.join(timeout=10)
        release(store, lease)
