"""Run a Python module as a child process that dies with its parent, also when the parent is
SIGKILLed: `python -m babelforge.generators.orphan_guard PARENT_PID MODULE ARGS...`.

A watchdog thread polls the parent's pid; once the child has been handed to another parent
(the parent died, however it died), it SIGKILLs its own process group: the server and
anything it started. Chosen over `prctl(PR_SET_PDEATHSIG)` because that signal follows the
*thread* that started the child (a Prefect worker thread that ends would take the server
with it) and needs a `preexec_fn`, which is unsafe in a process with threads.
"""

import os
import runpy
import signal
import sys
import threading
import time

POLL_S = 0.5


def watch(parent: int, poll_s: float = POLL_S) -> None:
    """Return never; kill this process (and its group, when it leads one) once `parent` is
    no longer its parent."""
    while os.getppid() == parent:
        time.sleep(poll_s)
    if os.getpgrp() == os.getpid():
        os.killpg(os.getpid(), signal.SIGKILL)
    os.kill(os.getpid(), signal.SIGKILL)


def main(argv: list[str]) -> None:
    """Start the watchdog, then run MODULE as `python -m MODULE ARGS...` would."""
    parent, module, *args = argv
    threading.Thread(target=watch, args=(int(parent),), name="orphan-guard", daemon=True).start()
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
