"""Threshold calibration: the arithmetic on hand-computed cases, and the command."""

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from babelforge.annotation.gold import GoldRecord
from babelforge.annotation.labels import HumanLabel
from babelforge.flows.calibration import Labeled, calibrate, candidate_thresholds, operating_point
from babelforge.flows.cli import app
from babelforge.schemas.records import TranslatedMCQ
from tests.flows.test_validate_command import mcq_line, write_jsonl

runner = CliRunner()


def points(*pairs: tuple[float, bool]) -> list[Labeled]:
    return [Labeled(score=score, bad=bad) for score, bad in pairs]


# chrF-like scores, low is bad: people drop the 10, 20 and 40.
CHRF = points((10, True), (20, True), (30, False), (40, True), (50, False), (60, False))


def test_dropping_below_30_has_precision_1_and_recall_two_thirds() -> None:
    at = operating_point(CHRF, 30.0, "above")
    assert (at.dropped, at.tp, at.fp, at.fn) == (2, 2, 0, 1)
    assert at.precision == 1.0 and at.recall == pytest.approx(2 / 3)
    assert at.f1 == pytest.approx(0.8)


def test_the_highest_recall_that_reaches_the_target_wins() -> None:
    strict = calibrate(CHRF, 0.9, "above")
    assert strict.reached and strict.after is not None
    assert strict.after.threshold == 25.0 and strict.after.recall == pytest.approx(2 / 3)
    loose = calibrate(CHRF, 0.7, "above")
    assert loose.after is not None and loose.after.threshold == 45.0
    assert loose.after.precision == 0.75 and loose.after.recall == 1.0


def test_without_a_reachable_target_the_best_f1_is_chosen_and_said() -> None:
    mixed = points((10, False), (20, True), (30, False), (40, True))
    result = calibrate(mixed, 0.9, "above", current=25.0)
    assert not result.reached and result.after is not None
    assert result.after.threshold == 25.0 and result.after.f1 == 0.5
    assert result.before is not None and result.before.precision == 0.5


def test_a_check_that_drops_high_scores_is_cut_from_above() -> None:
    copy = points((95, True), (92, True), (85, False), (60, False), (91, False))
    result = calibrate(copy, 0.9, "below", current=90.0)
    assert result.after is not None and result.after.threshold == 91.5
    assert result.after.precision == 1.0 and result.after.recall == 1.0
    assert result.before is not None and result.before.precision == pytest.approx(2 / 3)


def test_a_current_threshold_that_already_does_as_well_is_kept() -> None:
    result = calibrate(CHRF, 0.9, "above", current=28.0)
    assert result.after is not None and result.after.threshold == 28.0


def test_cuts_lie_halfway_between_the_scores_seen() -> None:
    seen = points((0.9, False), (0.12345, True), (0.5, False), (0.5, True))
    assert candidate_thresholds(seen) == [0.3117, 0.7]


def test_no_cut_that_catches_a_bad_record_leaves_the_current_threshold() -> None:
    good = points((10, True), (20, False), (30, False))
    result = calibrate(good, 0.9, "below", current=40.0)
    assert not result.reached and result.after is None
    assert result.before is not None and result.before.dropped == 0


def labeled(**changes: Any) -> dict[str, Any]:
    return mcq_line(**changes)


WRONG = {
    "question": "Wann fiel die Berliner Mauer?",
    "options": ["am 3. Oktober 1990", "am 13. August 1961", "am 9. November 1989", "im Mai 1945"],
    "source_question": "When did the Berlin Wall fall?",
    "source_options": [
        "on 3 October 1990",
        "on 13 August 1961",
        "on 9 November 1989",
        "in May 1945",
    ],
    "back_translated_question": "When did the Berlin Wall fall?",
    "back_translated_options": [
        "on 3 October 1990",
        "on 13 August 1961",
        "on 9 November 1989",
        "in May 1945",
    ],
}


def test_calibrate_writes_a_config_fragment_and_a_report(tmp_path: Path) -> None:
    lines = [
        labeled(id="de-1", keep=True),
        labeled(id="de-2", keep=False, **WRONG),
        labeled(id="de-3", keep=True, question="Wer baute die Berliner Mauer?"),
    ]
    source = write_jsonl(tmp_path / "gold.jsonl", lines)
    out = tmp_path / "cal"
    args = ["calibrate", str(source), "--recipe", "syndarin", "--target-precision", "0.9"]
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    fragment = yaml.safe_load((out / "fragment.yaml").read_text())
    threshold = fragment["syndarin"]["validators"]["answer_match_threshold"]
    report = json.loads((out / "report.json").read_text())
    cut = report["checks"]["answer_match"]["all"]
    assert cut["after"]["threshold"] == threshold and cut["after"]["precision"] == 1.0
    assert cut["before"]["threshold"] == 70.0 and cut["n"] == 3 and cut["bad"] == 1
    assert yaml.safe_load((out / "fragment.de.yaml").read_text()) == fragment
    assert "answer_match" in (out / "report.md").read_text()


def test_a_line_without_a_human_label_is_an_error_naming_it(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "gold.jsonl", [labeled(keep=True), labeled(id="de-9")])
    result = runner.invoke(
        app, ["calibrate", str(source), "--recipe", "syndarin", "--target-precision", "0.9"]
    )
    assert result.exit_code == 2
    assert "gold.jsonl: line 2: no human label" in result.output


def gold_line(item: TranslatedMCQ, human_keep: bool | None) -> str:
    labels = (HumanLabel(annotation_id=1, annotator="anna@example.org", keep=human_keep),)
    gold = GoldRecord(
        id=item.id, kind="mcq", language=item.language, stage="syndarin.validate", task_id=7,
        automatic_keep=True, labels=labels, human_keep=human_keep, record=item,
    )  # fmt: skip
    return gold.model_dump_json() + "\n"


def test_the_gold_split_pulled_from_label_studio_is_read_and_ties_left_out(
    tmp_path: Path,
) -> None:
    good = TranslatedMCQ.model_validate({**labeled(id="de-1"), "mcq_id": "m1", "pair_id": "p1"})
    wrong = {**labeled(id="de-2", **WRONG), "mcq_id": "m2", "pair_id": "p2"}
    source = tmp_path / "de.jsonl"
    source.write_text(
        gold_line(good, True)
        + gold_line(TranslatedMCQ.model_validate(wrong), False)
        + gold_line(good.model_copy(update={"id": "de-3"}), None),
        encoding="utf-8",
    )
    out = tmp_path / "cal"
    args = ["calibrate", str(source), "--recipe", "syndarin", "--target-precision", "0.9"]
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert (report["labeled"], report["ties"]) == (2, 1)
    assert report["checks"]["answer_match"]["de"]["bad"] == 1
