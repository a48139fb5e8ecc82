"""Commands about the LLMs: the embedded model packs and a check of an endpoint."""

import os

import typer

from babelforge.flows.commands.console import err, wide


def models() -> None:
    """List the model packs the embedded backend can serve: model, size, licence, state."""
    from babelforge.flows.llm_views import install_hint, models_table

    wide(140).print(models_table())
    if hint := install_hint():
        err.print(hint)


def check_endpoint(
    url: str = typer.Argument(..., help="OpenAI-compatible base URL, e.g. http://host:8000/v1"),
    model: str | None = typer.Option(None, help="the model to check (default: the first served)"),
    api_key_env: str | None = typer.Option(None, help="environment variable holding the key"),
) -> None:
    """Models served, structured-output modes accepted, latency, tokens/s, vLLM metrics."""
    from pydantic import SecretStr

    from babelforge.flows.llm_views import endpoint_screen
    from babelforge.generators.endpoint_check import check_endpoint as check

    key = os.environ.get(api_key_env) if api_key_env else None
    report = check(url, model, SecretStr(key) if key else None)
    wide(120).print(endpoint_screen(report))
