"""Mu-SHROOM, the shared-task format multilingual hallucination detectors train and test on:
one JSON object per line with `lang`, `model_input`, `model_output_text`, `hard_labels`
(`[[start, end], ...]` character offsets) and `soft_labels` (`[{"start", "end", "prob"}]`,
the share of annotators who marked each span). Spans carry no FAVA type there, so they are
read as untyped spans; soft labels keep their probability."""

import json
from collections.abc import Iterable, Iterator
from typing import Any

from pydantic import ValidationError

from babelforge.schemas.base import stable_id
from babelforge.schemas.errors import InputError
from babelforge.schemas.records import HallucinationSample, Span
from babelforge.schemas.text_input import read_lines


def mushroom_line(sample: HallucinationSample) -> dict[str, Any]:
    """A sample as one Mu-SHROOM object. Without soft labels, the hard spans are certain
    (probability 1); FAVA types are not part of the format and are dropped."""
    soft = sample.soft_labels or tuple(
        s.model_copy(update={"probability": 1.0}) for s in sample.spans
    )
    return {
        "id": sample.id,
        "lang": sample.language,
        "model_input": sample.query or "",
        "model_output_text": sample.text,
        "hard_labels": sample.hard_labels,
        "soft_labels": [
            {
                "start": s.start,
                "end": s.end,
                "prob": 1.0 if s.probability is None else s.probability,
            }
            for s in soft
        ],
    }


def read_mushroom(paths: Iterable[str]) -> Iterator[HallucinationSample]:
    """Stream Mu-SHROOM JSONL files (local paths or fsspec URLs) as labeled samples
    (`method: imported`); a bad line raises InputError naming the file and line."""
    for path in paths:
        for number, line in read_lines(path):
            if not line.strip():
                continue
            try:
                yield from_mushroom(json.loads(line))
            except (json.JSONDecodeError, KeyError, TypeError, ValueError, RecursionError) as e:
                raise InputError(
                    f"{path}:{number}: not a Mu-SHROOM record ({_short(e)}); each line must "
                    "be a JSON object with lang, model_output_text and hard_labels"
                ) from e


def from_mushroom(data: dict[str, Any]) -> HallucinationSample:
    """One Mu-SHROOM object as a sample; its id is kept, or a hash of language and text."""
    text = data["model_output_text"]
    language = str(data["lang"]).lower()
    try:
        return HallucinationSample(
            id=str(data.get("id") or stable_id("mushroom", language, text)),
            language=language,
            text=text,
            spans=tuple(Span(start=s, end=e) for s, e in data.get("hard_labels") or ()),
            soft_labels=tuple(
                Span(start=s["start"], end=s["end"], probability=s["prob"])
                for s in data.get("soft_labels") or ()
            ),
            method="imported",
            query=data.get("model_input") or None,
        )
    except ValidationError as e:
        raise ValueError(str(e)) from e


def _short(error: Exception, limit: int = 300) -> str:
    text = str(error)
    return text if len(text) <= limit else text[:limit] + "…"
