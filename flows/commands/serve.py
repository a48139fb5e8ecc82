"""Commands that serve until stopped: the embedded LLM server and the Prefect deployments."""

import contextlib
import signal
import threading
from pathlib import Path

import typer

from babelforge.flows.commands.console import err


def serve(
    port: int = typer.Option(8080, help="port on 127.0.0.1"),
    context_length: int = typer.Option(2048, help="context window in tokens"),
    model_pack: str | None = typer.Option(None, help="a pack from `babelforge models`"),
    model_path: Path | None = typer.Option(None, help="a GGUF file instead of a pack"),
) -> None:
    """Start the embedded llama.cpp server (a model pack, default SmolLM2-135M-Instruct)
    until Ctrl-C or SIGTERM."""
    from babelforge.generators.embedded import EmbeddedServer, model_file

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    path, alias = model_file(model_pack, model_path)
    with EmbeddedServer(path, alias=alias, port=port, context_length=context_length) as server:
        err.print(f"serving {server.model} at {server.base_url} (Ctrl-C to stop)")
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()


def deploy(
    prefect_file: Path = typer.Option(Path("prefect.yaml"), help="the deployments file"),
    name: list[str] = typer.Option([], help="only this deployment (repeatable)"),
    llm_slots: int = typer.Option(4, min=1, help="LLM shards running at once, all runs"),
) -> None:
    """Register the deployments of prefect.yaml (cron schedules, process work pool) on the
    Prefect server in PREFECT_API_URL."""
    from babelforge.flows.deploy import register

    names = register(prefect_file, names=name or None, llm_slots=llm_slots)
    for full_name in names:
        err.print(f"registered {full_name}")
    err.print("run them with: prefect worker start --pool babelforge")


def serve_deployments(
    prefect_file: Path = typer.Option(Path("prefect.yaml"), help="the deployments file"),
    name: list[str] = typer.Option([], help="only this deployment (repeatable)"),
) -> None:
    """Serve the deployments of prefect.yaml from this process, no work pool needed."""
    from babelforge.flows.deploy import serve_deployments as serve_all

    serve_all(prefect_file, names=name or None)
