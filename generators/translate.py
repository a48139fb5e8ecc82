"""Translation: a Translator protocol (LLM or MT system) and the LLM translator."""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from pydantic import BaseModel, Field

from babelforge.generators.client import ChatClient, ChatReply, user_message
from babelforge.generators.prompts import load_prompt
from babelforge.generators.protect import DEFAULT_KINDS, Restored, protect, restore
from babelforge.generators.structured import Parsed, ask_structured
from babelforge.schemas.languages import language_name
from babelforge.schemas.provenance import SamplingParams


@dataclass(frozen=True)
class Translation:
    """One translated text; `text` is None when translation failed (see `reason`, `raw_text`)."""

    source: str
    text: str | None
    restored: Restored | None = None
    reason: str | None = None
    error: str | None = None
    raw_text: str | None = None
    reply: ChatReply | None = None

    @property
    def ok(self) -> bool:
        return self.text is not None


class Translator(Protocol):
    """Anything that translates a batch of texts between two language codes."""

    @property
    def name(self) -> str: ...

    @property
    def prompt_version(self) -> str | None: ...

    async def translate(
        self, texts: Sequence[str], source: str, target: str, *, stage: str = ""
    ) -> list[Translation]: ...


class TranslationPayload(BaseModel):
    translation: str = Field(min_length=1)


class LLMTranslator:
    """Translates with any ChatClient, protecting spans as placeholders and restoring them."""

    def __init__(
        self,
        client: ChatClient,
        *,
        sampling: SamplingParams | None = None,
        parse_retries: int = 2,
        protect_kinds: tuple[str, ...] = DEFAULT_KINDS,
        prompt_id: str = "translate",
    ) -> None:
        self.client = client
        self.sampling = sampling or SamplingParams(temperature=0.0)
        self.parse_retries = parse_retries
        self.protect_kinds = protect_kinds
        self.prompt = load_prompt(prompt_id)

    @property
    def name(self) -> str:
        return f"llm:{self.client.model}"

    @property
    def prompt_version(self) -> str | None:
        return self.prompt.version

    async def translate(
        self, texts: Sequence[str], source: str, target: str, *, stage: str = ""
    ) -> list[Translation]:
        return list(await asyncio.gather(*(self._one(t, source, target, stage) for t in texts)))

    async def _one(self, text: str, source: str, target: str, stage: str) -> Translation:
        if not text.strip():
            return Translation(source=text, text=text)
        masked = protect(text, self.protect_kinds)
        content = self.prompt.render(
            source_name=language_name(source),
            target_name=language_name(target),
            text=masked.text,
            has_markers=bool(masked.spans),
        )
        outcome = await ask_structured(
            self.client,
            user_message(content),
            TranslationPayload,
            sampling=self.sampling,
            parse_retries=self.parse_retries,
            stage=stage,
            language=target,
        )
        if not isinstance(outcome, Parsed):
            return Translation(
                source=text,
                text=None,
                reason=outcome.reason,
                error=outcome.error,
                raw_text=outcome.raw_text,
                reply=outcome.reply,
            )
        restored = restore(outcome.payload.translation, masked)
        return Translation(source=text, text=restored.text, restored=restored, reply=outcome.reply)
