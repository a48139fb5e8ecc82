"""Every record the factory emits: parallel pairs, MCQ items, instructions, hallucination data."""

from enum import StrEnum
from typing import Literal

from pydantic import Field, model_validator

from babelforge.schemas.base import Record
from babelforge.schemas.languages import LanguageCode
from babelforge.schemas.provenance import Provenance
from babelforge.schemas.verdict import Verdict


class Document(Record):
    """One article or paragraph of a source corpus."""

    id: str
    language: LanguageCode
    title: str
    text: str
    url: str | None = None
    popularity: float | None = None


class ParallelPair(Record):
    """An English paragraph and a human-written target paragraph on the same topic."""

    id: str
    source: Document
    target: Document
    length_ratio: float
    alignment_score: float = Field(ge=0.0, le=1.0)
    shared_anchors: tuple[str, ...] = ()
    verdicts: tuple[Verdict, ...] = ()
    provenance: Provenance = Provenance()


QuestionType = Literal["factual", "numerical", "causal", "temporal", "comparison"]


class MCQItem(Record):
    """A multiple-choice question from an English paragraph: exactly 4 options, one correct."""

    id: str
    pair_id: str
    language: LanguageCode
    paragraph: str
    question: str = Field(min_length=1)
    options: tuple[str, str, str, str]
    answer_index: int = Field(ge=0, le=3)
    question_type: QuestionType = "factual"
    provenance: Provenance = Provenance()

    @property
    def answer(self) -> str:
        return self.options[self.answer_index]


class TranslatedMCQ(Record):
    """An MCQ translated into the target language, paired with the human target paragraph."""

    id: str
    mcq_id: str
    pair_id: str
    language: LanguageCode
    question: str
    options: tuple[str, str, str, str]
    answer_index: int = Field(ge=0, le=3)
    target_paragraph: str
    source_question: str
    source_options: tuple[str, str, str, str]
    back_translated_question: str | None = None
    back_translated_options: tuple[str, str, str, str] | None = None
    lost_protected_spans: tuple[str, ...] = ()
    verdicts: tuple[Verdict, ...] = ()
    provenance: Provenance = Provenance()

    @property
    def answer(self) -> str:
        return self.options[self.answer_index]


class InstructionRecord(Record):
    """An Alpaca-shaped instruction record (MITS), in any language."""

    id: str
    language: LanguageCode
    instruction: str
    input: str = ""
    output: str
    source_id: str | None = None
    source_language: LanguageCode | None = None
    verdicts: tuple[Verdict, ...] = ()
    provenance: Provenance = Provenance()


class TacoRecord(Record):
    """A TaCo chain-of-thought record: target-language instruction, English-pivot output."""

    id: str
    language: LanguageCode
    instruction: str
    input: str = ""
    output: str
    source_id: str
    provenance: Provenance = Provenance()


class SpanType(StrEnum):
    """FAVA hallucination types."""

    ENTITY = "entity"
    RELATION = "relation"
    CONTRADICTORY = "contradictory"
    INVENTED = "invented"
    SUBJECTIVE = "subjective"
    UNVERIFIABLE = "unverifiable"


class Span(Record):
    """A hallucinated span as character offsets [start, end) into the text.

    `type` is its FAVA type, None where the source labels spans without one (Mu-SHROOM);
    `probability` is the share of annotators who marked it, for soft labels.
    """

    start: int = Field(ge=0)
    end: int = Field(gt=0)
    type: SpanType | None = None
    probability: float | None = Field(default=None, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _ordered(self) -> "Span":
        if self.end <= self.start:
            raise ValueError(f"span end {self.end} must be after start {self.start}")
        return self


class HallucinationSample(Record):
    """Text with labeled hallucination spans (FAVA types), from injection, translation, the
    studied model's answers, or imported labeled data (Mu-SHROOM: `soft_labels` carry each
    span's annotator share)."""

    id: str
    language: LanguageCode
    text: str
    spans: tuple[Span, ...] = ()
    soft_labels: tuple[Span, ...] = ()
    method: Literal["injection", "translation", "query", "imported"]
    query: str | None = None
    references: tuple[str, ...] = ()
    source_id: str | None = None
    verdicts: tuple[Verdict, ...] = ()
    provenance: Provenance = Provenance()

    @model_validator(mode="after")
    def _spans_inside(self) -> "HallucinationSample":
        for span in (*self.spans, *self.soft_labels):
            if span.end > len(self.text):
                raise ValueError(
                    f"span {span.start}-{span.end} ends past the text ({len(self.text)})"
                )
        return self

    @property
    def hard_labels(self) -> list[list[int]]:
        """Mu-SHROOM-style `[[start, end], ...]` character offsets."""
        return [[s.start, s.end] for s in self.spans]
