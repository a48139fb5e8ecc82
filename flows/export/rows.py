"""What each recipe exports and how a record becomes a flat row under a fixed Arrow schema.

A subset is one kind of final record of a recipe (SynDARin MCQs, MITS and TaCo instructions,
hallucination answers, span-labeled hallucination texts); the export writes one Hub config
per subset and language. Every split of a config shares the subset's schema, which is derived
from the record model, so an empty or all-null column never changes a type between splits.
"""

import json
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import pyarrow as pa
from pydantic import BaseModel

from babelforge.generators.instructions.taco import mits_record, taco_record
from babelforge.schemas.records import (
    HallucinationSample,
    InstructionRecord,
    Span,
    TacoRecord,
    TranslatedMCQ,
)
from babelforge.validators.instr_candidate import InstructionCandidate

SPAN_TYPE = pa.struct([("start", pa.int64()), ("end", pa.int64()), ("type", pa.string())])
JSON_FIELDS = ("provenance", "verdicts")
GOLD_COLUMNS = ("automatic_keep", "human_keep")

Row = dict[str, Any]
GoldConverter = Callable[[Mapping[str, Any]], BaseModel | None]


@dataclass(frozen=True)
class Subset:
    """One exported kind of record: its stages, model, Hub task categories and gold mapping.

    `stages` are the stages whose accepted records form the subset; `gold_stages` the stages
    whose gold records (gold/<kind>/<lang>.jsonl) belong to it, turned into the subset's record
    by `from_gold` (None when a gold record does not belong here).
    """

    name: str
    recipe: str
    stages: tuple[str, ...]
    model: type[BaseModel]
    task_categories: tuple[str, ...]
    summary: str
    gold_kind: str
    gold_stages: tuple[str, ...]
    from_gold: GoldConverter
    derived: tuple[tuple[str, pa.DataType, Callable[[Any], Any]], ...] = ()

    def config_name(self, language: str) -> str:
        return f"{self.name}-{language}"

    @property
    def labels_spans(self) -> bool:
        return self.model is HallucinationSample

    def schema(self) -> pa.Schema:
        """Record fields, derived columns, provenance/verdicts as JSON, then the gold columns."""
        fields = [
            pa.field(name, arrow_type(info.annotation))
            for name, info in self.model.model_fields.items()
            if name not in JSON_FIELDS
        ]
        fields += [pa.field(name, kind) for name, kind, _ in self.derived]
        fields += [
            pa.field("model", pa.string()),
            pa.field("prompt_id", pa.string()),
            pa.field("prompt_version", pa.string()),
        ]
        fields += [pa.field(name, pa.string()) for name in JSON_FIELDS]
        fields += [pa.field("automatic_keep", pa.bool_()), pa.field("human_keep", pa.bool_())]
        if self.labels_spans:
            fields.append(pa.field("human_spans", pa.list_(SPAN_TYPE)))
        return pa.schema(fields)

    def row(
        self,
        record: BaseModel,
        *,
        automatic_keep: bool = True,
        human_keep: bool | None = None,
        human_spans: list[dict[str, Any]] | None = None,
    ) -> Row:
        """The record as one row of this subset's schema."""
        data = record.model_dump(mode="json")
        out: Row = {name: data[name] for name in self.model.model_fields if name not in JSON_FIELDS}
        for name, _, fn in self.derived:
            out[name] = fn(record)
        provenance = data.get("provenance") or {}
        out["model"] = provenance.get("model")
        out["prompt_id"] = provenance.get("prompt_id")
        out["prompt_version"] = provenance.get("prompt_version")
        for name in JSON_FIELDS:
            out[name] = json.dumps(data.get(name), ensure_ascii=False, sort_keys=True)
        out["automatic_keep"] = automatic_keep
        out["human_keep"] = human_keep
        if self.labels_spans:
            out["human_spans"] = human_spans
        return out


def arrow_type(annotation: Any) -> pa.DataType:
    """The Arrow type of a record field; nested models other than spans become JSON text."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return arrow_type(args[0])
    if origin in (Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        if len(inner) == 1:
            return arrow_type(inner[0])
        raise TypeError(f"cannot export a field of type {annotation}")
    if origin is Literal:
        return pa.string()
    if origin is tuple:
        if args and args[0] is Span:
            return pa.list_(SPAN_TYPE)
        if args and isinstance(args[0], type) and issubclass(args[0], BaseModel):
            return pa.string()
        return pa.list_(arrow_type(args[0]))
    if isinstance(annotation, type):
        if issubclass(annotation, bool):
            return pa.bool_()
        if issubclass(annotation, Enum | str):
            return pa.string()
        if issubclass(annotation, int):
            return pa.int64()
        if issubclass(annotation, float):
            return pa.float64()
        if issubclass(annotation, BaseModel):
            return pa.string()
    raise TypeError(f"cannot export a field of type {annotation}")


def _mcq_from_gold(raw: Mapping[str, Any]) -> BaseModel | None:
    return TranslatedMCQ.model_validate(raw)


def _mits_from_gold(raw: Mapping[str, Any]) -> BaseModel | None:
    if "translation" in raw:
        return mits_record(InstructionCandidate.model_validate(raw))
    return InstructionRecord.model_validate(raw)


def _taco_from_gold(raw: Mapping[str, Any]) -> BaseModel | None:
    if "translation" in raw:
        return taco_record(InstructionCandidate.model_validate(raw))
    return None


def _sample_from_gold(raw: Mapping[str, Any]) -> BaseModel | None:
    return HallucinationSample.model_validate(raw)


SUBSETS: tuple[Subset, ...] = (
    Subset(
        name="syndarin",
        recipe="syndarin",
        stages=("syndarin.validate",),
        model=TranslatedMCQ,
        task_categories=("question-answering", "multiple-choice"),
        summary="multiple-choice questions written from English Wikipedia paragraphs, "
        "translated, and paired with the human-written target-language paragraph",
        gold_kind="mcq",
        gold_stages=("syndarin.validate",),
        from_gold=_mcq_from_gold,
        derived=(("answer", pa.string(), lambda r: r.answer),),
    ),
    Subset(
        name="instructions-mits",
        recipe="instructions",
        stages=("instructions.mits",),
        model=InstructionRecord,
        task_categories=("text-generation",),
        summary="instruction records translated with code, URLs and numbers kept (MITS)",
        gold_kind="instruction",
        gold_stages=("instructions.validate", "instructions.mits"),
        from_gold=_mits_from_gold,
    ),
    Subset(
        name="instructions-taco",
        recipe="instructions",
        stages=("instructions.taco",),
        model=TacoRecord,
        task_categories=("text-generation",),
        summary="TaCo chain-of-thought records: target-language instruction, answer through "
        "English",
        gold_kind="instruction",
        gold_stages=("instructions.validate", "instructions.taco"),
        from_gold=_taco_from_gold,
    ),
    Subset(
        name="hallucination-qa",
        recipe="hallucination",
        stages=("hallucination.answers",),
        model=HallucinationSample,
        task_categories=("question-answering", "text-generation"),
        summary="knowledge-intensive queries written from Wikipedia references, with the "
        "answers of the model under study",
        gold_kind="hallucination",
        gold_stages=("hallucination.answers",),
        from_gold=_sample_from_gold,
    ),
    Subset(
        name="hallucination-spans",
        recipe="hallucination",
        stages=("hallucination.inject", "hallucination.translate"),
        model=HallucinationSample,
        task_categories=("token-classification", "text-classification"),
        summary="texts with FAVA-typed hallucination spans (character offsets), injected on "
        "purpose or carried through translation",
        gold_kind="hallucination",
        gold_stages=("hallucination.inject", "hallucination.translate"),
        from_gold=_sample_from_gold,
    ),
)
