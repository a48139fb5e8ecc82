"""Mu-SHROOM JSONL in and out: untyped hard labels, soft labels with their probability."""

import json
from pathlib import Path

import pytest

from babelforge.generators.hallucination.mushroom import mushroom_line, read_mushroom
from babelforge.schemas.errors import InputError
from babelforge.schemas.records import HallucinationSample, Span, SpanType

GERMAN = "Der Eiffelturm wurde 1925 in Berlin gebaut."


def test_a_mushroom_file_reads_as_untyped_spans_with_soft_labels(tmp_path: Path) -> None:
    path = tmp_path / "mushroom.de-val.jsonl"
    line = {
        "id": "val-de-1",
        "lang": "DE",
        "model_input": "Wann wurde der Eiffelturm gebaut?",
        "model_output_text": GERMAN,
        "hard_labels": [[21, 25], [29, 35]],
        "soft_labels": [
            {"start": 21, "end": 25, "prob": 0.8},
            {"start": 29, "end": 35, "prob": 0.6},
            {"start": 4, "end": 14, "prob": 0.2},
        ],
    }
    path.write_text(json.dumps(line, ensure_ascii=False) + "\n", "utf-8")
    (sample,) = list(read_mushroom([str(path)]))
    assert sample.language == "de" and sample.method == "imported"
    assert [GERMAN[s.start : s.end] for s in sample.spans] == ["1925", "Berlin"]
    assert all(s.type is None for s in sample.spans)
    assert [s.probability for s in sample.soft_labels] == [0.8, 0.6, 0.2]
    assert mushroom_line(sample)["soft_labels"] == line["soft_labels"]
    assert mushroom_line(sample)["hard_labels"] == line["hard_labels"]


def test_typed_spans_without_soft_labels_export_as_certain() -> None:
    sample = HallucinationSample(
        id="inj-1",
        language="de",
        text=GERMAN,
        spans=(Span(start=29, end=35, type=SpanType.ENTITY),),
        method="injection",
    )
    line = mushroom_line(sample)
    assert line["lang"] == "de" and line["model_input"] == ""
    assert line["soft_labels"] == [{"start": 29, "end": 35, "prob": 1.0}]


def test_a_span_past_the_text_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    bad = {"lang": "de", "model_output_text": "Kurz.", "hard_labels": [[0, 40]]}
    path.write_text("\n" + json.dumps(bad) + "\n", "utf-8")
    with pytest.raises(InputError, match=r"bad\.jsonl:2: not a Mu-SHROOM record"):
        list(read_mushroom([str(path)]))
