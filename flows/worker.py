"""Who is doing the work: the host, the node id of the execution engine and the process id,
recorded in every commit marker and in the run's lease."""

import os
import socket
import sys

from babelforge.schemas.errors import BabelforgeError
from babelforge.schemas.outcome import Worker


class WorkerLostError(BabelforgeError):
    """The worker running a shard went away (its Ray node removed, its process killed): the
    shard task retries it on a live worker, as it retries an I/O error."""


def current_worker() -> Worker:
    """This process as a worker; `node_id` is Ray's node id inside a Ray worker (the Ray
    engine), None on the local engine."""
    return Worker(host=socket.gethostname(), node_id=_ray_node_id(), pid=os.getpid())


def _ray_node_id() -> str | None:
    ray = sys.modules.get("ray")  # never imports Ray: a process of the Ray engine already has
    if ray is None or not ray.is_initialized():
        return None
    return str(ray.get_runtime_context().get_node_id())
