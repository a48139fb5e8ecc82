"""The cache key is the SHA-256 of one JSON object: a change in how it is built must not change
a single key (every cache of an earlier run would miss)."""

import hashlib
import json

from babelforge.generators.client import ChatMessage, ChatRequest
from babelforge.schemas.provenance import SamplingParams

SCHEMA = {"type": "object", "properties": {"translation": {"type": "string", "minLength": 1}}}


def keyed_as_released(request: ChatRequest, model: str) -> str:
    """The key as every release so far computed it."""
    blob = json.dumps(
        {
            "model": model,
            "messages": [m.model_dump() for m in request.messages],
            "sampling": request.sampling.model_dump(),
            "schema": request.json_schema,
            **({"top_logprobs": request.top_logprobs} if request.top_logprobs else {}),
        },
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def test_the_cache_key_is_the_released_one() -> None:
    requests = [
        ChatRequest(messages=(ChatMessage(role="user", content="Hallo Welt"),)),
        ChatRequest(
            messages=(
                ChatMessage(role="system", content='Translate. "Quotes", \\ and ⟦1⟧'),
                ChatMessage(role="user", content="Երևան, हिन्दी, 東京 \n\t ½"),
            ),
            sampling=SamplingParams(temperature=0.7, top_p=0.9, max_tokens=64, seed=None),
            json_schema=SCHEMA,
            top_logprobs=5,
        ),
        ChatRequest(
            messages=(ChatMessage(role="user", content=""),),
            sampling=SamplingParams(seed=3),
            json_schema={"enum": [0, False, None, 1.5]},
        ),
    ]
    for request in requests:
        for model in ("smollm2-135m-instruct", "Qwen/Qwen2.5-7B-Instruct ü"):
            assert request.cache_key(model) == keyed_as_released(request, model)
