"""Records of a benchmark run on an export: the items read back, each model's answers, and the
proportions (with their Wilson intervals) the report is made of."""

from typing import Literal

from pydantic import Field

from babelforge.schemas.base import Record
from babelforge.schemas.languages import LanguageCode
from babelforge.schemas.records import Span

Letter = Literal["A", "B", "C", "D"]
LETTERS: tuple[Letter, ...] = ("A", "B", "C", "D")
Variant = Literal["target", "english"]


class BenchMCQ(Record):
    """One exported SynDARin row as the benchmark asks it, in the target language and English.

    `source_paragraph` and `question_type` are None in exports written before they were added.
    """

    id: str
    config: str
    split: str
    language: LanguageCode
    question: str
    options: tuple[str, str, str, str]
    answer_index: int = Field(ge=0, le=3)
    paragraph: str
    source_question: str
    source_options: tuple[str, str, str, str]
    source_paragraph: str | None = None
    question_type: str | None = None


class MCQAnswer(Record):
    """One model's answer to one item in one variant; `failure` is a reason code when the reply
    gave no letter (counted as wrong, raw text kept)."""

    item_id: str
    model: str
    config: str
    split: str
    language: LanguageCode
    variant: Variant
    question_type: str
    answer_index: int = Field(ge=0, le=3)
    predicted: Letter | None
    correct: bool
    logprob_predicted: Letter | None = None
    letter_logprobs: dict[str, float] = {}
    failure: str | None = None
    raw_text: str | None = None
    cached: bool = False


class BenchQuery(Record):
    """One exported hallucination-qa row: a knowledge-intensive query and its references."""

    id: str
    config: str
    split: str
    language: LanguageCode
    query: str
    references: tuple[str, ...]


class HallucinationAnswer(Record):
    """One model's answer to a query and the judge's unsupported spans in it.

    `unmatched_spans` counts spans the judge quoted that are not in the answer (dropped from
    `spans`, counted here); `failure` is a reason code when no answer or no judgement came.
    """

    item_id: str
    model: str
    config: str
    split: str
    language: LanguageCode
    query: str
    answer: str
    spans: tuple[Span, ...] = ()
    unmatched_spans: int = 0
    tokens: int = 0
    hallucinated_tokens: int = 0
    failure: str | None = None
    raw_text: str | None = None


class Proportion(Record):
    """k of n with its 95% Wilson score interval."""

    k: int = Field(ge=0)
    n: int = Field(ge=0)
    rate: float
    low: float
    high: float


class MCQSummary(Record):
    """One model on one MCQ config and split: accuracy in the target language and in English,
    the log-probability score, consistency, and accuracy by question type and answer position.

    `failed` replies count as wrong in `target`; `consistency` is the share of items right in
    English that are also right in the target language.
    """

    model: str
    config: str
    split: str
    language: LanguageCode
    items: int
    failed: int
    target: Proportion
    english: Proportion | None = None
    target_logprob: Proportion | None = None
    english_logprob: Proportion | None = None
    consistency: Proportion | None = None
    by_type: dict[str, Proportion] = {}
    by_position: dict[str, Proportion] = {}
    predicted_share: dict[str, Proportion] = {}


class HallucinationSummary(Record):
    """One model on one hallucination-qa config and split: share of judged answers with an
    unsupported span, and the hallucinated share of their tokens."""

    model: str
    config: str
    split: str
    language: LanguageCode
    answers: int
    failed: int
    rate: Proportion
    token_share: float
    unmatched_spans: int
    by_type: dict[str, int] = {}


class ModelUsage(Record):
    """Requests a model's evaluation sent and the ones the cache answered."""

    requests: int
    cached_requests: int
    prompt_tokens: int
    completion_tokens: int


class EvaluationResults(Record):
    """Everything `babelforge evaluate` found, as written to evaluation/results.json."""

    export: str
    models: dict[str, str]
    judge: str | None
    random_baseline: float
    mcq: tuple[MCQSummary, ...]
    hallucination: tuple[HallucinationSummary, ...]
    usage: dict[str, ModelUsage]
    dropped_gold: dict[str, int] = {}
