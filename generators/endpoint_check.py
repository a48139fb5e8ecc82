"""`babelforge check-endpoint`: what a server offers, read before launching a long run.

Models served, the structured-output modes it accepts, the latency and speed of a short
request, and whether it exposes vLLM's Prometheus metrics (what `bench/` and a load
balancer read).
"""

import time
from dataclasses import dataclass

import httpx
from pydantic import SecretStr

from babelforge.generators.endpoint_probe import (
    PROBE_ORDER,
    ModeTrial,
    StructuredWire,
    choose_mode,
    served_models,
    try_mode,
)
from babelforge.generators.errors import EndpointError

_SPEED_PROMPT = "Count from 1 to 40, numbers separated by spaces."


@dataclass(frozen=True)
class EndpointReport:
    """What one endpoint answered; `model` is the one checked (given, or the first served)."""

    base_url: str
    model: str
    served: tuple[str, ...] | None
    trials: tuple[ModeTrial, ...]
    chosen: StructuredWire
    latency_s: float
    completion_tokens: int
    generation_s: float
    vllm_metrics: bool

    @property
    def tokens_per_s(self) -> float:
        return self.completion_tokens / self.generation_s if self.generation_s > 0 else 0.0


def check_endpoint(
    base_url: str, model: str | None = None, api_key: SecretStr | None = None
) -> EndpointReport:
    """Ask the endpoint everything the report shows; EndpointError when it cannot be used."""
    base_url = base_url.rstrip("/")
    served = served_models(base_url, api_key)
    if model is None:
        if not served:
            raise EndpointError(
                base_url, "lists no models (/models)", "name the model with --model"
            )
        model = served[0]
    elif served and model not in served:
        raise EndpointError(
            base_url, f"does not serve {model!r} (it serves: {', '.join(served[:20])})",
            "pass one of the served names to --model",
        )  # fmt: skip
    trials = tuple(try_mode(base_url, model, mode, api_key=api_key) for mode in PROBE_ORDER)
    if not any(t.accepted for t in trials):
        worst = trials[0]
        raise EndpointError(
            base_url, f"answers no chat request (HTTP {worst.status}: {worst.detail[:120]})",
            "check the URL ends in /v1 and the server serves chat completions",
        )  # fmt: skip
    latency = _timed(base_url, model, api_key, max_tokens=1)
    tokens, seconds = _speed(base_url, model, api_key)
    return EndpointReport(
        base_url=base_url,
        model=model,
        served=served,
        trials=trials,
        chosen=choose_mode(list(trials[:-1])),
        latency_s=latency,
        completion_tokens=tokens,
        generation_s=seconds,
        vllm_metrics=_has_vllm_metrics(base_url),
    )


def _post(
    base_url: str, model: str, api_key: SecretStr | None, max_tokens: int
) -> tuple[httpx.Response, float]:
    headers = {"Authorization": f"Bearer {api_key.get_secret_value()}"} if api_key else {}
    body = {
        "model": model,
        "messages": [{"role": "user", "content": _SPEED_PROMPT}],
        "max_tokens": max_tokens,
        "temperature": 0.0,
    }
    started = time.monotonic()
    response = httpx.post(f"{base_url}/chat/completions", json=body, headers=headers, timeout=120)
    return response, time.monotonic() - started


def _timed(base_url: str, model: str, api_key: SecretStr | None, max_tokens: int) -> float:
    _, seconds = _post(base_url, model, api_key, max_tokens)
    return seconds


def _speed(base_url: str, model: str, api_key: SecretStr | None) -> tuple[int, float]:
    response, seconds = _post(base_url, model, api_key, 48)
    try:
        usage = response.json().get("usage") or {}
        return int(usage.get("completion_tokens") or 0), seconds
    except ValueError:
        return 0, seconds


def _has_vllm_metrics(base_url: str) -> bool:
    root = base_url.removesuffix("/v1")
    try:
        response = httpx.get(f"{root}/metrics", timeout=10)
    except httpx.TransportError:
        return False
    return response.status_code == 200 and "vllm:" in response.text
