"""Mu-SHROOM files as tagged input: the hallucination recipe's import stage, end to end.

A small Mu-SHROOM file in German and Armenian runs through the real recipe flow (Prefect, the
run store, the executor; the import stage needs no LLM, so every other stage is off), then
through the export; the spans read back with `datasets` and from the Mu-SHROOM JSONL export
carry the offsets of the input, untyped, with their soft labels.
"""

import json
from pathlib import Path
from typing import Any

import datasets
import pytest

from babelforge.flows.export.export import export_run
from babelforge.flows.recipe_flow import run_recipes
from babelforge.flows.store import RunStore
from babelforge.generators.embedded import EmbeddedServer
from babelforge.recipes.hallucination_import import IMPORT, imported
from babelforge.schemas.config import RunConfig
from babelforge.schemas.errors import InputError
from babelforge.schemas.records import HallucinationSample


def labeled(
    id_: str, lang: str, question: str, answer: str, wrong: list[str], probs: list[float]
) -> dict[str, Any]:
    """One Mu-SHROOM line whose hard labels are the character offsets of `wrong` in `answer`."""
    spans = [[answer.index(part), answer.index(part) + len(part)] for part in wrong]
    return {
        "id": id_,
        "lang": lang,
        "model_input": question,
        "model_output_text": answer,
        "hard_labels": spans,
        "soft_labels": [
            {"start": s, "end": e, "prob": p} for (s, e), p in zip(spans, probs, strict=True)
        ],
    }


GERMAN = [
    labeled(
        "de-1",
        "de",
        "Wann wurde die Festung Erebuni gegründet?",
        "Die Festung Erebuni wurde im Jahr 1918 von König Tigran gegründet.",
        ["1918", "Tigran"],
        [0.8, 0.6],
    ),
    labeled(
        "de-2",
        "de",
        "An welchem Fluss liegt Jerewan?",
        "Jerewan liegt am Fluss Hrasdan in der Araratebene.",
        [],
        [],
    ),
]
ARMENIAN = [
    labeled(
        "hy-1",
        "hy",
        "Ո՞րն է Հայաստանի մայրաքաղաքը։",
        "Հայաստանի մայրաքաղաքը Գյումրին է 1991 թվականից։",
        ["Գյումրին", "1991"],
        [1.0, 0.5],
    ),
    {  # two labels over the same characters: no detector can learn from that
        **labeled(
            "hy-2", "hy", "Որտե՞ղ է Երևանը։", "Երևանը Սևանա լճի ափին է։", ["Սևանա լճի"], [0.9]
        ),
        "hard_labels": [[7, 16], [12, 20]],
    },
]


@pytest.fixture(scope="module")
def imported_run(
    embedded_server: EmbeddedServer, tmp_path_factory: pytest.TempPathFactory
) -> tuple[RunConfig, str]:
    folder = tmp_path_factory.mktemp("mushroom")
    paths = {}
    for lang, lines in (("de", GERMAN), ("hy", ARMENIAN)):
        path = folder / f"mushroom-{lang}.jsonl"
        path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), "utf-8")
        paths[lang] = [str(path)]
    config = RunConfig.model_validate(
        {
            "name": "mushroom-import",
            "run_dir": str(folder / "run"),
            "languages": ["de", "hy"],
            "llm": {
                "backend": "embedded",
                "base_url": embedded_server.base_url,
                "model": embedded_server.model,
            },
            "hallucination": {"stages": [], "mushroom_paths": paths},
        }
    )
    report = run_recipes(config)
    return config, export_run(RunStore(config.run_dir), config, report).folder


def test_imported_samples_keep_untyped_spans_and_soft_labels(
    imported_run: tuple[RunConfig, str],
) -> None:
    config, _ = imported_run
    stored = {s.id: s for s in RunStore(config.run_dir).accepted(IMPORT, "de", HallucinationSample)}
    first = stored["de-1"]
    assert first.method == "imported" and first.query == GERMAN[0]["model_input"]
    assert first.hard_labels == GERMAN[0]["hard_labels"]
    assert [first.text[s.start : s.end] for s in first.spans] == ["1918", "Tigran"]
    assert {s.type for s in first.spans} == {None}
    assert [s.probability for s in first.soft_labels] == [0.8, 0.6]
    assert stored["de-2"].spans == ()


def test_overlapping_labels_are_rejected_and_counted(imported_run: tuple[RunConfig, str]) -> None:
    config, _ = imported_run
    [summary] = [s for s in RunStore(config.run_dir).summaries(IMPORT) if s.language == "hy"]
    assert (summary.n_input, summary.accepted, summary.rejected, summary.failed) == (2, 1, 1, 0)
    assert summary.reasons == {"spans.overlapping": 1}


def hub_rows(folder: str, name: str, cache: Path) -> dict[str, dict[str, Any]]:
    loaded = datasets.load_dataset(folder, name, cache_dir=str(cache))
    return {row["id"]: row for split in loaded.values() for row in split}


def mushroom_rows(folder: str, name: str) -> dict[str, dict[str, Any]]:
    files = sorted((Path(folder) / "mushroom" / name).glob("*.jsonl"))
    lines = [json.loads(line) for f in files for line in f.read_text("utf-8").splitlines()]
    return {line["id"]: line for line in lines}


def test_the_export_round_trips_the_offsets(
    imported_run: tuple[RunConfig, str], tmp_path: Path
) -> None:
    _, folder = imported_run
    for lang, lines in (("de", GERMAN), ("hy", ARMENIAN[:1])):
        name = f"hallucination-spans-{lang}"
        hub, mushroom = hub_rows(folder, name, tmp_path), mushroom_rows(folder, name)
        assert set(hub) == set(mushroom) == {line["id"] for line in lines}
        for line in lines:
            row, out = hub[line["id"]], mushroom[line["id"]]
            assert [[s["start"], s["end"]] for s in row["spans"]] == line["hard_labels"]
            assert [s["type"] for s in row["spans"]] == [None] * len(line["hard_labels"])
            assert row["text"] == out["model_output_text"] == line["model_output_text"]
            assert out["hard_labels"] == line["hard_labels"]
            assert out["soft_labels"] == line["soft_labels"]
            assert (out["lang"], out["model_input"]) == (lang, line["model_input"])


def test_a_line_listed_under_another_language_stops_the_import_naming_the_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "val.de.jsonl"
    path.write_text(json.dumps(ARMENIAN[0], ensure_ascii=False) + "\n", "utf-8")
    config = RunConfig.model_validate(
        {
            "name": "mushroom-mislabeled",
            "run_dir": str(tmp_path / "run"),
            "languages": ["de"],
            "llm": {"backend": "openai", "base_url": "http://127.0.0.1:9/v1", "model": "m"},
            "hallucination": {"stages": [], "mushroom_paths": {"de": [str(path)]}},
        }
    )
    with pytest.raises(InputError, match=r"val\.de\.jsonl: record hy-1 has lang 'hy'"):
        list(imported(config, "de"))
