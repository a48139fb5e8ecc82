"""`babelforge evaluate` against the real embedded llama.cpp server on a small export.

The tiny model scores near chance, so these tests check the arithmetic, the intervals, the
files and the cache, never a level of accuracy."""

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from PIL import Image
from typer.testing import CliRunner

from babelforge.flows.cli import app
from babelforge.flows.evaluate import EvaluationOutput, evaluate_config_flow, evaluate_flow
from babelforge.flows.export.benchmark_card import BEGIN
from babelforge.generators.embedded import EmbeddedServer
from babelforge.generators.evaluate.stats import wilson_interval
from babelforge.schemas.delivery_config import TrackingConfig
from babelforge.schemas.evaluate_config import EvaluateConfig
from babelforge.schemas.evaluation import MCQAnswer
from babelforge.schemas.provenance import SamplingParams
from tests.flows.evaluate_export import build_export

pytestmark = pytest.mark.slow
OFFLINE = TrackingConfig(mode="offline")


def settings(model_file: Path) -> EvaluateConfig:
    return EvaluateConfig(
        models={"smollm": str(model_file)},
        answer_sampling=SamplingParams(temperature=0.0, max_tokens=48, seed=0),
        judge_sampling=SamplingParams(temperature=0.0, max_tokens=96, seed=0),
    )


@pytest.fixture(scope="module")
def export_and_model(
    tmp_path_factory: pytest.TempPathFactory, embedded_server: EmbeddedServer
) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("evaluate")
    _, summary = build_export(tmp)
    model_file = tmp / "smollm.yaml"
    llm = {"backend": "embedded", "base_url": embedded_server.base_url, "max_concurrency": 2}
    model_file.write_text(yaml.safe_dump({"llm": llm}), "utf-8")
    return Path(summary.folder), model_file


@pytest.fixture(scope="module")
def first(export_and_model: tuple[Path, Path]) -> EvaluationOutput:
    export, model_file = export_and_model
    return evaluate_flow(str(export), settings(model_file), OFFLINE)


def mcq_answers(out: EvaluationOutput) -> list[MCQAnswer]:
    lines = (out.folder / "answers" / "smollm.mcq.jsonl").read_text("utf-8").splitlines()
    return [MCQAnswer.model_validate_json(line) for line in lines]


def test_every_test_and_kept_gold_item_is_asked_in_both_languages(first: EvaluationOutput) -> None:
    answers = mcq_answers(first)
    asked = {(a.config, a.split, a.variant) for a in answers}
    assert asked == {
        (c, s, v)
        for c, s in (("syndarin-de", "test"), ("syndarin-hy", "test"), ("syndarin-hy", "gold"))
        for v in ("target", "english")
    }
    gold = [a for a in answers if a.split == "gold"]
    assert {a.item_id for a in gold} == {"tmcq-hy-4"}  # the record people dropped is left out
    assert first.results.dropped_gold == {"syndarin-hy/gold": 1}
    assert all(a.predicted in ("A", "B", "C", "D") or a.failure for a in answers)


def test_accuracy_intervals_and_consistency_follow_from_the_answers(
    first: EvaluationOutput,
) -> None:
    answers = mcq_answers(first)
    for s in first.results.mcq:
        mine = [a for a in answers if (a.config, a.split) == (s.config, s.split)]
        target = [a for a in mine if a.variant == "target"]
        english = [a for a in mine if a.variant == "english"]
        assert (s.target.k, s.target.n) == (sum(a.correct for a in target), len(target))
        assert (s.target.low, s.target.high) == pytest.approx(
            wilson_interval(s.target.k, s.target.n)
        )
        assert s.target.low <= s.target.rate <= s.target.high
        assert s.english is not None and s.english.n == len(english)
        right_in_english = {a.item_id for a in english if a.correct}
        assert s.consistency is not None and s.consistency.n == len(right_in_english)
        assert sum(p.n for p in s.by_position.values()) == len(target)
        assert sum(p.n for p in s.by_type.values()) == len(target)
    assert first.results.random_baseline == 0.25


def test_llama_cpp_returns_letter_logprobs_for_a_second_score(first: EvaluationOutput) -> None:
    answered = [a for a in mcq_answers(first) if a.predicted is not None]
    with_letters = [a for a in answered if a.letter_logprobs]
    assert with_letters, "llama.cpp sends top_logprobs for chat completions"
    assert all(a.predicted in a.letter_logprobs for a in with_letters)
    assert all(v <= 0.0 for a in with_letters for v in a.letter_logprobs.values())


def test_every_query_is_answered_and_judged_or_a_counted_failure(first: EvaluationOutput) -> None:
    rows = (first.folder / "answers" / "smollm.hallucination.jsonl").read_text("utf-8")
    answers = [json.loads(line) for line in rows.splitlines()]
    assert sorted(a["item_id"] for a in answers) == ["hq-de-0", "hq-hy-0"]
    for h in first.results.hallucination:
        judged = h.answers - h.failed
        assert h.rate.n == judged
        assert 0.0 <= h.token_share <= 1.0
    report = first.report.read_text("utf-8")
    assert "only as good as that judge" in report


def test_results_report_charts_card_and_comet_archive_are_written(
    first: EvaluationOutput, export_and_model: tuple[Path, Path]
) -> None:
    export, _ = export_and_model
    results = json.loads((first.folder / "results.json").read_text("utf-8"))
    assert {s["config"] for s in results["mcq"]} == {"syndarin-de", "syndarin-hy"}
    report = first.report.read_text("utf-8")
    for chart in first.charts:
        assert f"({chart.relative_to(first.folder).as_posix()})" in report
    card = (export / "README.md").read_text("utf-8")
    assert card.count(BEGIN) == 1 and "## Benchmark results" in card
    assert first.tracking is not None and first.tracking.archive is not None
    assert Path(first.tracking.archive).is_file()


def test_each_chart_is_a_png_of_its_size_and_not_blank(first: EvaluationOutput) -> None:
    names = sorted(c.name for c in first.charts)
    assert names == [
        "hallucination-rate-test.png",
        "mcq-accuracy-gold.png",
        "mcq-accuracy-test.png",
        "mcq-english-vs-target-gold.png",
        "mcq-english-vs-target-test.png",
    ]
    for chart in first.charts:
        with Image.open(chart) as image:
            assert image.format == "PNG"
            assert image.width >= 500 and image.height >= 400
            assert np.asarray(image.convert("L"), dtype=float).var() > 10.0


def test_a_rerun_sends_zero_requests_and_gives_the_same_results(
    first: EvaluationOutput, export_and_model: tuple[Path, Path]
) -> None:
    export, model_file = export_and_model
    again = evaluate_flow(str(export), settings(model_file), OFFLINE)
    before, after = first.results.usage["smollm"], again.results.usage["smollm"]
    assert before.requests > 0
    assert after.requests == 0
    assert after.cached_requests == before.requests + before.cached_requests
    assert again.results.mcq == first.results.mcq
    assert again.results.hallucination == first.results.hallucination
    card = (export / "README.md").read_text("utf-8")
    assert card.count(BEGIN) == 1


def test_the_cli_evaluates_from_the_cache_and_prints_each_accuracy(
    first: EvaluationOutput, export_and_model: tuple[Path, Path]
) -> None:
    export, model_file = export_and_model
    result = CliRunner().invoke(
        app,
        [
            "evaluate", str(export), "--model", f"smollm={model_file}",
            "--configs", "syndarin-*", "--max-items", "2",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "smollm syndarin-hy test: accuracy" in result.output
    assert "hallucinated span" not in result.output  # --configs left the queries out


def test_a_model_option_without_a_spec_is_one_clear_line(
    export_and_model: tuple[Path, Path],
) -> None:
    export, _ = export_and_model
    result = CliRunner().invoke(app, ["evaluate", str(export), "--model", "smollm"])
    assert result.exit_code == 2
    assert "write NAME=SPEC" in result.output


def test_a_run_config_evaluate_section_evaluates_that_runs_export(
    first: EvaluationOutput, export_and_model: tuple[Path, Path], tmp_path: Path
) -> None:
    export, model_file = export_and_model
    config = {
        "name": "evaluate-demo",
        "run_dir": str(export.parent),
        "languages": ["de", "hy"],
        "tracking": {"mode": "offline"},
        "evaluate": settings(model_file).model_dump(mode="json"),
    }
    path = tmp_path / "run.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    out = evaluate_config_flow(str(path))
    assert out.folder == first.folder
    assert out.results.usage["smollm"].requests == 0
    assert out.results.mcq == first.results.mcq
