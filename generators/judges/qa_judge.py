"""The QA judge: can a model answer the translated question from the target paragraph?

SynDARin's final check. The model reads the human target-language paragraph, the translated
question and the four translated options, and picks one; it never sees which option is
marked. The item is kept only when it picks the marked one. So a marked answer that is not
the answer (swapped with a distractor, replaced by another phrase of the same paragraph) is
caught whenever the model reads the paragraph right, which string matching cannot do.
"""

from dataclasses import dataclass, field

from pydantic import BaseModel, Field

from babelforge.generators.client import ChatClient
from babelforge.generators.judges.ask import ask_judge, display_language, signature
from babelforge.generators.prompts import Prompt, load_prompt
from babelforge.schemas.provenance import SamplingParams
from babelforge.schemas.records import TranslatedMCQ
from babelforge.schemas.verdict import Failed, Verdict
from babelforge.validators.base import drop, keep

NAME = "qa_judge"
QA_SAMPLING = SamplingParams(temperature=0.0, max_tokens=32, seed=0)


class QAAnswer(BaseModel):
    """The judge's reply: the index of the option it picks."""

    answer_index: int = Field(ge=0, le=3)


def qa_prompt() -> Prompt:
    """The versioned template `generators/prompts/qa_judge.j2`."""
    return load_prompt(NAME)


@dataclass(frozen=True)
class QAJudge:
    """The model, reading the target paragraph, must pick the marked translated option.

    Reason codes: `qa_judge.wrong_answer` (it picked another option; score 0.0, the detail
    names both). Score 1.0 when it picks the marked one. A record the model could not judge
    is `Failed`: `qa_judge.request_failed` (the endpoint failed for good) or
    `qa_judge.unparseable` (no `{"answer_index": 0-3}` after the retries; raw reply kept).
    """

    client: ChatClient
    sampling: SamplingParams = QA_SAMPLING
    parse_retries: int = 2
    max_paragraph_chars: int = 4000
    stage: str = "validate"
    name: str = NAME
    prompt: Prompt = field(default_factory=qa_prompt)

    def render(self, record: TranslatedMCQ) -> str:
        """The prompt for one item: paragraph, question and numbered options, no marked answer."""
        return self.prompt.render(
            language_name=display_language(record.language),
            paragraph=record.target_paragraph[: self.max_paragraph_chars],
            question=record.question,
            options=record.options,
        )

    async def check(self, record: TranslatedMCQ) -> Verdict | Failed:
        """Ask the model; its verdict, or Failed when it gave no usable answer."""
        result = await ask_judge(
            self.client,
            self.render(record),
            QAAnswer,
            judge=self.name,
            record_id=record.id,
            language=record.language,
            sampling=self.sampling,
            parse_retries=self.parse_retries,
            stage=self.stage,
        )
        if isinstance(result, Failed):
            return result
        picked = result.payload.answer_index
        by = signature(self.client, self.prompt)
        if picked != record.answer_index:
            detail = (
                f"picked option {picked} ({record.options[picked]!r}), marked is "
                f"{record.answer_index} ({record.answer!r}) [{by}]"
            )
            return drop(self.name, "wrong_answer", 0.0, detail)
        return keep(self.name, 1.0, f"picked the marked option {picked} [{by}]")
