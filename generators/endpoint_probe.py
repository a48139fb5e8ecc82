"""What an OpenAI-compatible endpoint accepts, asked once before a run sends it real work.

Servers speak different parts of the API: OpenAI and vLLM take `response_format` of type
`json_schema`, llama.cpp's server takes `json_object` with a `schema` (and answers HTTP 500 to
`json_schema`), some take neither. `structured_output: auto` tries the modes in that order
with one tiny request each and keeps, for the run, the first one the server answers with
JSON; a server that answers none of them gets the schema in the prompt (`none`), and the
reply is parsed as always. A wrong model name or key is an EndpointError here, at the start.
"""

import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Literal

import httpx
from pydantic import SecretStr

from babelforge.generators.errors import EndpointError

log = logging.getLogger(__name__)

StructuredWire = Literal["json_schema", "json_object", "none"]
PROBE_ORDER: tuple[StructuredWire, ...] = ("json_schema", "json_object", "none")
PROBE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"ok": {"type": "boolean"}},
    "required": ["ok"],
}
_PROBE_PROMPT = 'Reply with the JSON object {"ok": true} and nothing else.'
_memo: dict[tuple[str, str], StructuredWire] = {}
_memo_lock = threading.Lock()


@dataclass(frozen=True)
class ModeTrial:
    """One probe request: the mode, the HTTP status, whether the reply parsed, the seconds."""

    mode: StructuredWire
    status: int
    parsed: bool
    seconds: float
    completion_tokens: int
    detail: str = ""

    @property
    def accepted(self) -> bool:
        return self.status == 200


def response_format(mode: StructuredWire, schema: dict[str, Any], name: str) -> dict[str, Any]:
    """The `response_format` field of a request in `mode`; empty for `none`."""
    if mode == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": name, "schema": schema}}
    if mode == "json_object":
        return {"type": "json_object", "schema": schema}
    return {}


def schema_instruction(schema: dict[str, Any]) -> str:
    """What `none` mode adds to the prompt so a server without structured output still gets
    the shape asked for."""
    return (
        "\n\nReply with only one JSON object, no prose and no code fence, that fits this "
        f"JSON schema:\n{json.dumps(schema, ensure_ascii=False)}"
    )


def _headers(api_key: SecretStr | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key.get_secret_value()}"} if api_key else {}


def served_models(
    base_url: str, api_key: SecretStr | None = None, timeout_s: float = 15.0
) -> tuple[str, ...] | None:
    """The model ids `/models` lists; None when the endpoint has no such route.

    Raises EndpointError when the endpoint cannot be reached or refuses the key.
    """
    url = f"{base_url.rstrip('/')}/models"
    try:
        response = httpx.get(url, headers=_headers(api_key), timeout=timeout_s)
    except httpx.TransportError as e:
        raise EndpointError(
            base_url, f"cannot be reached ({type(e).__name__}: {e})", "start the server or "
            "fix llm.base_url",
        ) from e  # fmt: skip
    if response.status_code in (401, 403):
        raise EndpointError(
            base_url, f"refuses the API key (HTTP {response.status_code})",
            "put a valid key in the environment variable named by llm.api_key_env",
        )  # fmt: skip
    if response.status_code != 200:
        return None
    try:
        data = response.json().get("data", [])
        return tuple(str(m["id"]) for m in data if isinstance(m, dict) and "id" in m)
    except (ValueError, AttributeError):
        return None


def check_model(base_url: str, model: str, api_key: SecretStr | None = None) -> None:
    """Raise EndpointError, naming the models served, when the server does not serve `model`."""
    served = served_models(base_url, api_key)
    if served and model not in served:
        names = ", ".join(served[:20]) + (" …" if len(served) > 20 else "")
        raise EndpointError(
            base_url, f"does not serve the model {model!r} (it serves: {names})",
            "set llm.model to one of the served names",
        )  # fmt: skip
    if served is None:
        log.info("%s lists no models (/models); the model name is not checked", base_url)


def try_mode(
    base_url: str,
    model: str,
    mode: StructuredWire,
    *,
    api_key: SecretStr | None = None,
    timeout_s: float = 60.0,
    max_tokens: int = 24,
) -> ModeTrial:
    """Send one tiny request in `mode`; EndpointError when the server is unreachable."""
    content = _PROBE_PROMPT + (schema_instruction(PROBE_SCHEMA) if mode == "none" else "")
    body: dict[str, Any] = {
        "model": model,
        "messages": [{"role": "user", "content": content}],
        "max_tokens": max_tokens,
        "temperature": 0.0,
    }
    fmt = response_format(mode, PROBE_SCHEMA, "probe")
    if fmt:
        body["response_format"] = fmt
    started = time.monotonic()
    try:
        response = httpx.post(
            f"{base_url.rstrip('/')}/chat/completions",
            json=body,
            headers=_headers(api_key),
            timeout=timeout_s,
        )
    except httpx.TransportError as e:
        raise EndpointError(
            base_url, f"cannot be reached ({type(e).__name__}: {e})",
            "start the server or fix llm.base_url",
        ) from e  # fmt: skip
    seconds = time.monotonic() - started
    if response.status_code in (401, 403):
        raise EndpointError(
            base_url, f"refuses the API key (HTTP {response.status_code})",
            "put a valid key in the environment variable named by llm.api_key_env",
        )  # fmt: skip
    if response.status_code != 200:
        return ModeTrial(mode, response.status_code, False, seconds, 0, response.text[:200])
    try:
        data = response.json()
        text = data["choices"][0]["message"]["content"] or ""
        tokens = int((data.get("usage") or {}).get("completion_tokens") or 0)
    except (ValueError, KeyError, IndexError, TypeError):
        return ModeTrial(mode, 200, False, seconds, 0, "malformed response body")
    return ModeTrial(mode, 200, _parses(text), seconds, tokens, text[:200])


def _parses(text: str) -> bool:
    start, end = text.find("{"), text.rfind("}")
    if not 0 <= start < end:
        return False
    try:
        return isinstance(json.loads(text[start : end + 1]), dict)
    except json.JSONDecodeError:
        return False


def choose_mode(trials: list[ModeTrial]) -> StructuredWire:
    """The first mode answered with JSON, else the first one answered at all, else `none`."""
    for trial in trials:
        if trial.accepted and trial.parsed:
            return trial.mode
    for trial in trials:
        if trial.accepted:
            return trial.mode
    return "none"


def probe_structured(base_url: str, model: str, api_key: SecretStr | None = None) -> StructuredWire:
    """Try json_schema, then json_object + schema; the mode to use for this endpoint."""
    trials: list[ModeTrial] = []
    for mode in PROBE_ORDER[:-1]:
        trial = try_mode(base_url, model, mode, api_key=api_key)
        trials.append(trial)
        if trial.accepted and trial.parsed:
            break
    return choose_mode(trials)


def resolve_structured(
    base_url: str, model: str, requested: str, api_key: SecretStr | None = None
) -> StructuredWire:
    """The mode a run uses: an explicit one as given, `auto` probed once per endpoint and
    model for the life of the process, and logged."""
    if requested != "auto":
        return requested  # type: ignore[return-value]
    key = (base_url.rstrip("/"), model)
    with _memo_lock:
        if key not in _memo:
            _memo[key] = probe_structured(base_url, model, api_key)
            log.warning(
                "structured output for %s (%s): %s (probed; set llm.structured_output to "
                "override)", base_url, model, _memo[key],
            )  # fmt: skip
        return _memo[key]
