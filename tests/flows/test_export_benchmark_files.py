"""What the export writes for benchmarking, on a small export made by the project's own export
code: the English context of every MCQ row, lm-eval task files, Mu-SHROOM JSONL, the run's
report charts. No LLM."""

import json
from pathlib import Path

import datasets
import pytest
import yaml

from babelforge.flows.export.export import ExportSummary, export_run
from babelforge.flows.export.lm_eval import PROMPT
from babelforge.flows.report import build_report
from babelforge.flows.store import RunStore
from babelforge.generators.evaluate.stats import proportion
from babelforge.schemas.config import load_config
from babelforge.schemas.evaluation import EvaluationResults, MCQSummary
from tests.flows.evaluate_export import ITEMS, build_export


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunStore, ExportSummary]:
    return build_export(tmp_path_factory.mktemp("bench-export"))


def test_mcq_rows_carry_the_english_paragraph_and_question_type_in_every_split(
    exported: tuple[RunStore, ExportSummary],
) -> None:
    _, summary = exported
    loaded = datasets.load_dataset(summary.folder, "syndarin-hy")
    assert set(loaded) == {"test", "gold"}
    by_id = {row["id"]: row for split in loaded.values() for row in split}
    assert by_id["tmcq-hy-1"]["source_paragraph"] == ITEMS["hy"][1][0]
    assert by_id["tmcq-hy-1"]["question_type"] == "numerical"
    assert by_id["tmcq-hy-4"]["source_paragraph"] == ITEMS["hy"][4][0]  # the gold record


def test_every_mcq_config_and_split_gets_an_lm_eval_task(
    exported: tuple[RunStore, ExportSummary],
) -> None:
    _, summary = exported
    folder = Path(summary.folder) / "lm_eval"
    names = sorted(p.name for p in folder.glob("*.yaml"))
    assert names == [
        "babelforge_syndarin_de.yaml",
        "babelforge_syndarin_hy.yaml",
        "babelforge_syndarin_hy_gold.yaml",
    ]
    task = yaml.safe_load((folder / "babelforge_syndarin_hy_gold.yaml").read_text("utf-8"))
    assert task["dataset_path"] == str(Path(summary.folder).resolve())
    assert (task["dataset_name"], task["test_split"]) == ("syndarin-hy", "gold")
    assert task["output_type"] == "multiple_choice"
    assert task["doc_to_choice"] == ["A", "B", "C", "D"]
    assert task["doc_to_target"] == "answer_index"
    assert task["doc_to_text"] == PROMPT
    assert [m["metric"] for m in task["metric_list"]] == ["acc", "acc_norm"]


def test_span_configs_are_also_mushroom_jsonl(exported: tuple[RunStore, ExportSummary]) -> None:
    _, summary = exported
    path = Path(summary.folder) / "mushroom" / "hallucination-spans-hy" / "test.jsonl"
    (line,) = [json.loads(x) for x in path.read_text("utf-8").splitlines()]
    assert line["lang"] == "hy"
    assert line["model_output_text"][7:15] == "Վրաստանի"
    assert line["hard_labels"] == [[7, 15]]
    assert line["soft_labels"] == [{"start": 7, "end": 15, "prob": 1.0}]


def test_the_run_report_embeds_its_yield_and_drop_reason_charts(
    exported: tuple[RunStore, ExportSummary],
) -> None:
    store, _ = exported
    report = store.read_text("report.md")
    assert "![yield](charts/yield.png)" in report
    assert (Path(store.root) / "charts" / "yield.png").stat().st_size > 1000


def test_a_reexport_keeps_one_benchmark_results_section(tmp_path: Path) -> None:
    store, summary = build_export(tmp_path)
    results = EvaluationResults(
        export=summary.folder,
        models={"qwen7b": "http://127.0.0.1:8000/v1"},
        judge="qwen7b",
        random_baseline=0.25,
        mcq=(
            MCQSummary(
                model="qwen7b",
                config="syndarin-hy",
                split="test",
                language="hy",
                items=4,
                failed=0,
                target=proportion(3, 4),
            ),
        ),
        hallucination=(),
        usage={},
    )
    evaluation = Path(summary.folder) / "evaluation"
    evaluation.mkdir()
    (evaluation / "results.json").write_text(results.model_dump_json(), "utf-8")
    config = load_config(store.path("config.yaml"))
    for _ in range(2):
        export_run(store, config, build_report(store))
    card = (Path(summary.folder) / "README.md").read_text("utf-8")
    assert card.count("## Benchmark results") == 1
    assert card.index("## Benchmark results") < card.index("## Citation")
    assert "| qwen7b | `syndarin-hy` | test | 4 | 0 | 75.0% [" in card
