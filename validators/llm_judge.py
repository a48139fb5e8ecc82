"""LLM answerability judge: a model answers the translated question from the target paragraph.

The item is kept only when the model, given the human target paragraph, the translated
question and the four translated options, picks the correct option. This is SynDARin's
optional final check; it is the only validator that calls a service, through the ChatClient
it is given, and so it is async and run by `apply_validators_async`.
"""

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from pydantic import BaseModel, Field

from babelforge.generators.client import ChatClient, user_message
from babelforge.generators.prompts import Prompt
from babelforge.generators.structured import Unparsed, ask_structured
from babelforge.schemas.languages import language_name
from babelforge.schemas.provenance import SamplingParams
from babelforge.schemas.records import TranslatedMCQ
from babelforge.schemas.verdict import Failed, Verdict
from babelforge.validators.base import drop, keep

PROMPT_ID = "llm_judge"
RAW_TEXT_CHARS = 300
JUDGE_SAMPLING = SamplingParams(temperature=0.0, max_tokens=32, seed=0)


class JudgeAnswer(BaseModel):
    """The judge's reply: the index of the option it picks."""

    answer_index: int = Field(ge=0, le=3)


@lru_cache(maxsize=1)
def judge_prompt() -> Prompt:
    """Return the versioned template `validators/prompts/llm_judge.j2`."""
    text = (
        resources.files("babelforge.validators")
        .joinpath("prompts", f"{PROMPT_ID}.j2")
        .read_text("utf-8")
    )
    return Prompt(PROMPT_ID, text)


def _language_name(code: str) -> str:
    try:
        return language_name(code)
    except ValueError:
        return code


@dataclass(frozen=True)
class LLMJudge:
    """The model, reading the target paragraph, picks the correct translated option.

    Reason codes: `llm_judge.wrong_answer` (it picked another option),
    `llm_judge.unparseable` (no valid `{"answer_index": int}` after the parse retries; the raw
    reply is kept in the detail). A request that fails for good is returned as `Failed`
    with reason `llm_judge.request_failed`. Score: 1.0 when right, 0.0 when wrong.
    """

    client: ChatClient
    sampling: SamplingParams = JUDGE_SAMPLING
    parse_retries: int = 2
    max_paragraph_chars: int = 4000
    stage: str = "validate"
    name: str = "llm_judge"
    prompt: Prompt = field(default_factory=judge_prompt)

    def render(self, record: TranslatedMCQ) -> str:
        """Return the rendered prompt for one record."""
        return self.prompt.render(
            language_name=_language_name(record.language),
            paragraph=record.target_paragraph[: self.max_paragraph_chars],
            question=record.question,
            options=record.options,
        )

    async def check(self, record: TranslatedMCQ) -> Verdict | Failed:
        """Ask the model; return its verdict, or Failed when the endpoint gave no reply."""
        result = await ask_structured(
            self.client,
            user_message(self.render(record)),
            JudgeAnswer,
            sampling=self.sampling,
            parse_retries=self.parse_retries,
            stage=self.stage,
            language=record.language,
        )
        if isinstance(result, Unparsed):
            if result.reason == "llm.request_failed":
                return Failed(
                    stage=self.stage,
                    input_id=record.id,
                    reason=f"{self.name}.request_failed",
                    error=result.error,
                )
            raw = (result.raw_text or "")[:RAW_TEXT_CHARS]
            detail = f"{result.error}; raw reply: {raw!r} {self._by()}"
            return drop(self.name, "unparseable", detail=detail)
        picked = result.payload.answer_index
        if picked != record.answer_index:
            detail = f"picked option {picked}, correct is {record.answer_index} {self._by()}"
            return drop(self.name, "wrong_answer", 0.0, detail)
        return keep(self.name, 1.0, f"picked option {picked} {self._by()}")

    def _by(self) -> str:
        return f"[{self.client.model}, prompt {self.prompt.id}@{self.prompt.version}]"
