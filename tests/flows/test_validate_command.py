"""`babelforge validate`: a recipe's filters on a user's own JSONL file."""

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from babelforge.flows.cli import app
from babelforge.flows.validate_rows import TaggedRow, source_text, tagged_view, to_record
from babelforge.generators.embedded import EmbeddedServer
from babelforge.validators.halluc_candidate import HallucinationCandidate

runner = CliRunner()

DE_PARAGRAPH = (
    "Die Berliner Mauer wurde am 13. August 1961 von der Regierung der DDR errichtet. Sie "
    "trennte West-Berlin vom Ostteil der Stadt und vom Umland. Am 9. November 1989 wurde die "
    "Grenze geöffnet, und die Mauer fiel."
)


def mcq_line(**changes: Any) -> dict[str, Any]:
    line: dict[str, Any] = {
        "id": "de-mauer",
        "language": "de",
        "question": "Wer errichtete die Berliner Mauer?",
        "options": [
            "die Regierung der DDR",
            "die Sowjetarmee",
            "der Berliner Senat",
            "die Vereinigten Staaten",
        ],
        "answer_index": 0,
        "target_paragraph": DE_PARAGRAPH,
        "source_question": "Who built the Berlin Wall?",
        "source_options": [
            "the government of the GDR",
            "the Soviet Army",
            "the Berlin Senate",
            "the United States",
        ],
        "back_translated_question": "Who erected the Berlin Wall?",
        "back_translated_options": [
            "the government of the GDR",
            "the Soviet Army",
            "the Berlin Senate",
            "the United States",
        ],
    }
    return line | changes


def write_jsonl(path: Path, lines: list[dict[str, Any]], *, bom: bool = False) -> Path:
    text = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    path.write_text(("\ufeff" if bom else "") + text, encoding="utf-8")
    return path


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def invoke(*args: str) -> Any:
    return runner.invoke(app, ["validate", *args])


def test_a_clean_item_is_accepted_and_a_wrong_answer_rejected_with_its_reason(
    tmp_path: Path,
) -> None:
    wrong = mcq_line(
        id="de-mauer-fall",
        question="Wann fiel die Berliner Mauer?",
        options=["am 3. Oktober 1990", "am 13. August 1961", "am 9. November 1989", "im Mai 1945"],
        source_question="When did the Berlin Wall fall?",
        source_options=[
            "on 3 October 1990",
            "on 13 August 1961",
            "on 9 November 1989",
            "in May 1945",
        ],
        back_translated_question="When did the Berlin Wall fall?",
        back_translated_options=[
            "on 3 October 1990",
            "on 13 August 1961",
            "on 9 November 1989",
            "in May 1945",
        ],
        reviewer="anna",
    )
    source = write_jsonl(tmp_path / "items.jsonl", [mcq_line(), wrong])
    out = tmp_path / "out"
    result = invoke("syndarin", str(source), "--language", "de", "--out", str(out), "--no-judges")
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert (summary["input"], summary["accepted"], summary["rejected"], summary["failed"]) == (
        2,
        1,
        1,
        0,
    )
    assert summary["reasons"] == {"answer_match.not_in_paragraph": 1}
    [accepted] = read_jsonl(out / "accepted.jsonl")
    [rejected] = read_jsonl(out / "rejected.jsonl")
    assert accepted["id"] == "de-mauer" and all(v["keep"] for v in accepted["verdicts"])
    assert rejected["reviewer"] == "anna"
    assert rejected["verdicts"][0] == {
        "validator": "answer_match",
        "keep": False,
        "reason": "answer_match.not_in_paragraph",
        "score": rejected["verdicts"][0]["score"],
        "detail": rejected["verdicts"][0]["detail"],
    }
    assert set(rejected["verdicts"][0]) == {"validator", "keep", "reason", "score", "detail"}
    assert (out / "failed.jsonl").read_text() == ""


def test_a_file_without_back_translations_skips_round_trip_and_says_so(tmp_path: Path) -> None:
    plain = mcq_line(back_translated_question=None, back_translated_options=None)
    source = write_jsonl(tmp_path / "items.jsonl", [plain])
    out = tmp_path / "out"
    result = invoke("syndarin", str(source), "--language", "de", "--out", str(out))
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["accepted"] == 1
    assert "roundtrip_chrf" not in summary["checks"]
    assert summary["skipped"] == ["roundtrip_chrf: no line has a back-translation"]


def test_a_file_saved_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "items.jsonl", [mcq_line()], bom=True)
    out = tmp_path / "out"
    result = invoke("syndarin", str(source), "--language", "de", "--out", str(out))
    assert result.exit_code == 0, result.output
    [accepted] = read_jsonl(out / "accepted.jsonl")
    assert accepted["id"] == "de-mauer"


def test_a_malformed_line_is_one_error_naming_file_and_line(tmp_path: Path) -> None:
    broken = mcq_line(options=["die Regierung der DDR", "die Sowjetarmee"])
    source = write_jsonl(tmp_path / "items.jsonl", [mcq_line(), broken])
    out = tmp_path / "out"
    result = invoke("syndarin", str(source), "--language", "de", "--out", str(out))
    assert result.exit_code == 2
    assert (
        "items.jsonl: line 2: field 'options': List should have at least 4 items" in result.output
    )
    assert result.output.count("\n") == 1
    assert not (out / "summary.json").exists()


def test_a_line_that_is_not_json_names_the_line(tmp_path: Path) -> None:
    source = tmp_path / "items.jsonl"
    source.write_text(json.dumps(mcq_line()) + "\n{'id': 'hy-1'}\n", encoding="utf-8")
    result = invoke("syndarin", str(source), "--language", "de", "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert "items.jsonl: line 2: not valid JSON" in result.output


def test_a_repeated_id_is_an_error_naming_both_lines(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "items.jsonl", [mcq_line(), mcq_line()])
    result = invoke("syndarin", str(source), "--language", "de", "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert "line 2: id 'de-mauer' already used at line 1" in result.output


def test_a_line_in_another_language_than_asked_is_an_error(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "items.jsonl", [mcq_line()])
    result = invoke("syndarin", str(source), "--language", "hy", "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert "language 'de' but --language is 'hy'" in result.output


def test_an_untranslated_instruction_is_rejected_and_a_translated_one_kept(
    tmp_path: Path,
) -> None:
    english = {
        "instruction": "Give three tips for staying healthy.",
        "output": "Eat a balanced diet, exercise regularly and sleep eight hours a night.",
    }
    spanish = {
        "instruction": "Da tres consejos para mantenerte sano.",
        "output": "Come una dieta equilibrada, haz ejercicio a menudo y duerme ocho horas.",
    }
    lines = [
        {"id": "alpaca-1", "source": english, "translation": spanish},
        {"id": "alpaca-2", "source": english, "translation": english},
    ]
    source = write_jsonl(tmp_path / "alpaca_es.jsonl", lines)
    out = tmp_path / "out"
    result = invoke("instructions", str(source), "--language", "es", "--out", str(out))
    assert result.exit_code == 0, result.output
    [kept] = read_jsonl(out / "accepted.jsonl")
    [dropped] = read_jsonl(out / "rejected.jsonl")
    assert kept["id"] == "alpaca-1" and dropped["id"] == "alpaca-2"
    assert dropped["verdicts"][0]["reason"].startswith("copy.")


def test_a_tagged_translation_that_lost_a_tag_is_rejected(tmp_path: Path) -> None:
    source_tagged = "The oak is a <entity>conifer</entity> native to Europe."
    lines = [
        {
            "id": "fava-1",
            "source_tagged": source_tagged,
            "tagged": "Die Eiche ist ein in Europa heimischer <entity>Nadelbaum</entity>.",
        },
        {
            "id": "fava-2",
            "source_tagged": source_tagged,
            "tagged": "Die Eiche ist ein in Europa heimischer Nadelbaum.",
        },
    ]
    source = write_jsonl(tmp_path / "fava_de.jsonl", lines)
    out = tmp_path / "out"
    result = invoke("hallucination", str(source), "--language", "de", "--out", str(out))
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert (summary["accepted"], summary["rejected"]) == (1, 1)
    [dropped] = read_jsonl(out / "rejected.jsonl")
    assert dropped["id"] == "fava-2"
    assert dropped["verdicts"][0]["validator"] == "halluc_tags"


def test_an_unknown_recipe_lists_the_recipes(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "items.jsonl", [mcq_line()])
    result = invoke("mcq", str(source), "--language", "de", "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert "unknown recipe 'mcq'; choose one of syndarin, instructions, hallucination" in (
        result.output
    )


@pytest.mark.slow
def test_judges_run_on_the_real_model_when_asked_and_a_rerun_is_cached(
    tmp_path: Path, embedded_server: EmbeddedServer
) -> None:
    config = tmp_path / "judged.yaml"
    config.write_text(
        "name: judged\nrun_dir: out/judged\nlanguages: [de]\n"
        f"llm: {{backend: embedded, base_url: '{embedded_server.base_url}', parse_retries: 0}}\n",
        encoding="utf-8",
    )
    source = write_jsonl(tmp_path / "items.jsonl", [mcq_line()])
    out = tmp_path / "out"
    args = ("syndarin", str(source), "--language", "de", "--out", str(out), "--config", str(config))
    first = invoke(*args, "--judges")
    assert first.exit_code == 0, first.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["checks"][-2:] == ["qa_judge", "mqm_judge"]
    assert summary["accepted"] + summary["rejected"] + summary["failed"] == 1
    judged = read_jsonl(out / "accepted.jsonl") + read_jsonl(out / "rejected.jsonl")
    failed = read_jsonl(out / "failed.jsonl")
    names = {v["validator"] for line in judged for v in line["verdicts"]}
    reasons = [line["failure"]["reason"] for line in failed]
    assert "qa_judge" in names or reasons[0].split(".")[0] in {"qa_judge", "mqm_judge"}
    assert all(line["failure"]["raw_text"] is not None for line in failed)
    second = invoke(*args, "--judges")
    assert second.exit_code == 0
    assert json.loads((out / "summary.json").read_text()) == summary
    without = invoke(*args)
    assert without.exit_code == 0
    assert "qa_judge" not in json.loads((out / "summary.json").read_text())["checks"]


def test_the_mqm_judge_reads_the_english_clean_text_next_to_a_tagged_translation() -> None:
    row = TaggedRow(
        id="fava-1",
        source_tagged="The oak is a <entity>conifer</entity>.",
        tagged="Die Eiche ist ein <entity>Nadelbaum</entity>.",
    )
    candidate = to_record(row, "de", source_language="en", protect=())
    assert isinstance(candidate, HallucinationCandidate)
    [field] = tagged_view({row.id: source_text(row)})(candidate).fields
    assert (field.source, field.target) == ("The oak is a conifer.", "Die Eiche ist ein Nadelbaum.")
