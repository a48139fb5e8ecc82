"""The charts of an evaluation and of a factory run: PNG files of the expected size, not blank."""

from pathlib import Path

import numpy as np
from PIL import Image

from babelforge.flows.charts import evaluation_charts, run_charts
from babelforge.flows.report import Report, StageRow
from babelforge.generators.evaluate.stats import proportion
from babelforge.schemas.evaluation import (
    EvaluationResults,
    HallucinationSummary,
    MCQSummary,
    ModelUsage,
)
from babelforge.schemas.provenance import Usage


def assert_png(path: Path, min_width: int, min_height: int) -> None:
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.width >= min_width and image.height >= min_height
        assert np.asarray(image.convert("L"), dtype=float).var() > 10.0


def mcq(model: str, language: str, right: int, english: int) -> MCQSummary:
    return MCQSummary(
        model=model,
        config=f"syndarin-{language}",
        split="test",
        language=language,
        items=40,
        failed=1,
        target=proportion(right, 40),
        english=proportion(english, 40),
        consistency=proportion(min(right, english), english),
    )


def test_evaluation_charts_show_accuracy_english_vs_target_and_hallucination(
    tmp_path: Path,
) -> None:
    results = EvaluationResults(
        export="/data/export",
        models={"smollm": "embedded", "qwen": "http://127.0.0.1:8000/v1"},
        judge="qwen",
        random_baseline=0.25,
        mcq=(
            mcq("smollm", "hy", 11, 14),
            mcq("smollm", "de", 12, 15),
            mcq("qwen", "hy", 25, 33),
            mcq("qwen", "de", 31, 34),
        ),
        hallucination=(
            HallucinationSummary(
                model="qwen",
                config="hallucination-qa-hy",
                split="test",
                language="hy",
                answers=30,
                failed=0,
                rate=proportion(12, 30),
                token_share=0.08,
                unmatched_spans=2,
            ),
        ),
        usage={
            "qwen": ModelUsage(requests=3, cached_requests=0, prompt_tokens=9, completion_tokens=3)
        },
    )
    charts = evaluation_charts(results, tmp_path / "charts")
    assert [c.name for c in charts] == [
        "mcq-accuracy-test.png",
        "mcq-english-vs-target-test.png",
        "hallucination-rate-test.png",
    ]
    for chart in charts:
        assert_png(chart, 500, 400)


def test_run_charts_show_yield_and_top_drop_reasons_per_language(tmp_path: Path) -> None:
    def row(stage: str, language: str, accepted: int, reasons: dict[str, int]) -> StageRow:
        rejected = sum(reasons.values())
        return StageRow(
            stage=stage,
            language=language,
            shards=1,
            input=accepted + rejected,
            accepted=accepted,
            rejected=rejected,
            failed=0,
            reasons=reasons,
            usage=Usage(),
        )

    report = Report(
        run_dir=str(tmp_path),
        stages=(
            row(
                "syndarin.validate",
                "hy",
                30,
                {"answer_match.not_in_paragraph": 52, "langid.wrong_language": 9},
            ),
            row("syndarin.validate", "de", 61, {"roundtrip_chrf.below_threshold": 12}),
            row("instructions.validate", "de", 80, {}),
        ),
        validators=(),
        usage=Usage(),
        metrics={},
    )
    charts = run_charts(report, tmp_path / "charts")
    assert [c.name for c in charts] == ["yield.png", "drop-reasons.png"]
    for chart in charts:
        assert_png(chart, 500, 250)
