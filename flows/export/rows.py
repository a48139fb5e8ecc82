"""How a recipe's exported records become flat rows under a fixed Arrow schema.

A subset is one kind of final record of a recipe (SynDARin MCQs, MITS and TaCo instructions,
hallucination answers, span-labeled hallucination texts), declared with the recipe
(recipes/*.py); the export writes one Hub config per subset and language. Every split of a
config shares the subset's schema, which is derived from the record model, so an empty or
all-null column never changes a type between splits.
"""

import json
import types
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import pyarrow as pa
from pydantic import BaseModel

from babelforge.recipes.catalog import RECIPES
from babelforge.recipes.stage import Recipe
from babelforge.schemas.records import HallucinationSample, Span

SPAN_TYPE = pa.struct(
    [
        ("start", pa.int64()),
        ("end", pa.int64()),
        ("type", pa.string()),
        ("probability", pa.float64()),
    ]
)
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


def subsets(recipes: Iterable[Recipe] = RECIPES) -> tuple[Subset, ...]:
    """The export subsets the recipes declare, with their Arrow columns."""
    return tuple(
        Subset(
            name=declared.name,
            recipe=recipe.name,
            stages=declared.stages,
            model=declared.model,
            task_categories=declared.task_categories,
            summary=declared.summary,
            gold_kind=recipe.gold_kind,
            gold_stages=declared.gold_stages,
            from_gold=declared.from_gold,
            derived=tuple((name, arrow_type(kind), fn) for name, kind, fn in declared.derived),
        )
        for recipe in recipes
        for declared in recipe.subsets
    )


SUBSETS: tuple[Subset, ...] = subsets()
