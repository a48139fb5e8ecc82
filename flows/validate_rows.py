"""The JSONL shapes `babelforge validate` reads, one per recipe, and the records they become.

Each line is a JSON object (docs/validate.md). Its fields are validated into a row model,
then turned into the record the recipe's checks read: a `TranslatedMCQ`, an
`InstructionCandidate` or a `HallucinationCandidate`. Fields a row model does not know are
ignored here and written back unchanged with the verdicts.
"""

from collections.abc import Callable, Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from babelforge.generators.hallucination.tags import parse_tags, render_tags
from babelforge.generators.instructions.translate import protected_spans
from babelforge.schemas.errors import InputError
from babelforge.schemas.languages import LanguageCode
from babelforge.schemas.records import HallucinationSample, InstructionRecord, TranslatedMCQ
from babelforge.validators.halluc_candidate import HallucinationCandidate
from babelforge.validators.instr_candidate import InstructionCandidate
from babelforge.validators.view import FieldView, ItemView

RecipeName = Literal["syndarin", "instructions", "hallucination"]
Checked = TranslatedMCQ | InstructionCandidate | HallucinationCandidate


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str = Field(min_length=1)
    language: LanguageCode | None = None


class MCQRow(_Row):
    """A translated multiple-choice item next to the human target-language paragraph."""

    question: str
    options: list[str] = Field(min_length=4, max_length=4)
    answer_index: int = Field(ge=0, le=3)
    target_paragraph: str
    source_question: str
    source_options: list[str] = Field(min_length=4, max_length=4)
    back_translated_question: str | None = None
    back_translated_options: list[str] | None = Field(default=None, min_length=4, max_length=4)


class InstructionFields(BaseModel):
    """An Alpaca-shaped record's three texts."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    instruction: str
    input: str = ""
    output: str


class InstructionRow(_Row):
    """An English instruction record, its translation and, optionally, its back-translation."""

    source: InstructionFields
    translation: InstructionFields
    back_translation: InstructionFields | None = None


class TaggedRow(_Row):
    """An English FAVA-tagged text and its translation, tags kept."""

    source_tagged: str
    tagged: str


ROWS: dict[RecipeName, type[_Row]] = {
    "syndarin": MCQRow,
    "instructions": InstructionRow,
    "hallucination": TaggedRow,
}


def parse_row(recipe: RecipeName, row: Mapping[str, object], *, where: str, language: str) -> _Row:
    """The row model of one line; InputError names the place, the field and the fix."""
    try:
        parsed = ROWS[recipe].model_validate(row)
    except ValidationError as e:
        first = e.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "<line>"
        raise InputError(
            f"{where}: field '{field}': {first['msg']} "
            f"({e.error_count()} problem(s); see docs/validate.md for the {recipe} shape)"
        ) from e
    if parsed.language is not None and parsed.language != language:
        raise InputError(
            f"{where}: language {parsed.language!r} but --language is {language!r}; "
            "validate one language per file"
        )
    return parsed


def to_record(
    row: _Row, language: str, *, source_language: str, protect: tuple[str, ...]
) -> Checked:
    """The record the recipe's checks read."""
    if isinstance(row, MCQRow):
        return TranslatedMCQ(
            id=row.id,
            mcq_id=row.id,
            pair_id=row.id,
            language=language,
            **row.model_dump(exclude={"id", "language"}),
        )
    if isinstance(row, InstructionRow):
        return _instruction(row, language, source_language, protect)
    assert isinstance(row, TaggedRow)
    return _tagged(row, language)


def _instruction(
    row: InstructionRow, language: str, source_language: str, protect: tuple[str, ...]
) -> InstructionCandidate:
    def record(fields: InstructionFields, lang: str) -> InstructionRecord:
        return InstructionRecord(id=row.id, language=lang, **fields.model_dump())

    source = record(row.source, source_language)
    back = row.back_translation
    return InstructionCandidate(
        id=row.id,
        source=source,
        translation=record(row.translation, language),
        protected=protected_spans(source, protect),
        back_translation=None if back is None else record(back, source_language),
    )


def _tagged(row: TaggedRow, language: str) -> HallucinationCandidate:
    source = parse_tags(row.source_tagged)
    parsed = parse_tags(row.tagged)
    sample = HallucinationSample(
        id=row.id,
        language=language,
        text=parsed.text,
        spans=parsed.spans,
        method="translation",
    )
    return HallucinationCandidate(
        id=row.id,
        sample=sample,
        tagged=row.tagged,
        events=parsed.events,
        issues=tuple((i.reason, i.raw) for i in parsed.issues),
        expected_events=parse_tags(render_tags(source.text, source.spans)).events,
    )


def source_text(row: _Row) -> str:
    """The English clean text of a tagged row ("" for other rows): what the MQM judge compares."""
    return parse_tags(row.source_tagged).text if isinstance(row, TaggedRow) else ""


def tagged_view(sources: Mapping[str, str]) -> Callable[[HallucinationCandidate], ItemView]:
    """The MQM judge's view of tagged pairs: each English clean text (by id) and its
    translation's clean text; a candidate alone carries no source text."""

    def view(candidate: HallucinationCandidate) -> ItemView:
        field = FieldView("text", sources.get(candidate.id, ""), candidate.sample.text)
        return ItemView(candidate.id, candidate.language, (field,))

    return view


def recipe_name(value: str) -> RecipeName:
    """The recipe a user named; InputError lists the ones there are."""
    for name in ROWS:
        if value == name:
            return name
    raise InputError(f"unknown recipe {value!r}; choose one of {', '.join(ROWS)}")
