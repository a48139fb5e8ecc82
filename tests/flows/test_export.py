"""The Hugging Face export of a run directory, loaded back with the real `datasets` library.

The run directory is written by hand (records of every recipe, a rejected record, a gold
split in the gold check's format), so every config, split and column is known; no LLM.
"""

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from babelforge.annotation.gold import GoldRecord
from babelforge.annotation.labels import HumanLabel
from babelforge.flows.export.export import (
    ExportSummary,
    export_fingerprint,
    export_intact,
    export_run,
)
from babelforge.flows.export.push import MissingTokenError, push_export
from babelforge.flows.report import build_report
from babelforge.flows.store import RunStore
from babelforge.schemas.config import MiningConfig, RunConfig, SyndarinConfig
from babelforge.schemas.delivery_config import ExportConfig
from babelforge.schemas.hallucination_config import HallucinationConfig
from babelforge.schemas.instructions_config import InstructionsConfig
from babelforge.schemas.outcome import ShardOutcome, ValidatorStats
from babelforge.schemas.provenance import Provenance
from babelforge.schemas.records import (
    HallucinationSample,
    InstructionRecord,
    Span,
    SpanType,
    TacoRecord,
    TranslatedMCQ,
)
from babelforge.schemas.verdict import Rejected, Verdict
from babelforge.validators.instr_candidate import InstructionCandidate

PROV = Provenance(
    model="smollm2-135m-instruct",
    backend="llama.cpp",
    prompt_id="translate",
    prompt_version="0123456789ab",
    source_ids=("en-42",),
)
ARMENIAN = "Էրեբունի ամրոցը հիմնադրել է Արգիշտի I թագավորը մ.թ.ա. 782 թվականին։"


def mcq(i: int) -> TranslatedMCQ:
    return TranslatedMCQ(
        id=f"tmcq-{i:03d}",
        mcq_id=f"mcq-{i:03d}",
        pair_id="pair-1",
        language="hy",
        question=f"Ո՞ր թվականին է հիմնադրվել Էրեբունին ({i})։",
        options=("մ.թ.ա. 782", "1918", "301", "1991"),
        answer_index=0,
        target_paragraph=ARMENIAN,
        source_question=f"In which year was Erebuni founded ({i})?",
        source_options=("782 BC", "1918", "301", "1991"),
        verdicts=(Verdict(validator="answer_match", keep=True, score=91.0),),
        provenance=PROV,
    )


def instruction_pair(i: int) -> InstructionCandidate:
    english = InstructionRecord(
        id=f"alpaca-{i}",
        language="en",
        instruction="Give three tips for staying healthy.",
        output="Eat well, sleep 8 hours and walk daily.",
    )
    german = InstructionRecord(
        id=f"mits-{i}",
        language="de",
        instruction="Gib drei Tipps, um gesund zu bleiben.",
        output="Iss gut, schlafe 8 Stunden und geh täglich spazieren.",
        source_id=english.id,
        source_language="en",
        provenance=PROV,
    )
    return InstructionCandidate(id=f"cand-{i}", source=english, translation=german)


def taco(i: int) -> TacoRecord:
    return TacoRecord(
        id=f"taco-{i}",
        language="de",
        instruction="Gib drei Tipps, um gesund zu bleiben.",
        output="Instruction in English: Give three tips for staying healthy.\n"
        "Response in English: Eat well.\nResponse in German: Iss gut.",
        source_id=f"alpaca-{i}",
        provenance=PROV,
    )


def injected(i: int) -> HallucinationSample:
    text = "Երևանը Վրաստանի մայրաքաղաքն է 1918 թվականից։"
    return HallucinationSample(
        id=f"inj-{i}",
        language="hy",
        text=text,
        spans=(Span(start=8, end=16, type=SpanType.ENTITY),),
        method="injection",
        references=(ARMENIAN,),
        provenance=PROV,
    )


def answer(i: int) -> HallucinationSample:
    return HallucinationSample(
        id=f"ans-{i}",
        language="de",
        text="Jerewan ist seit 1918 die Hauptstadt Armeniens.",
        method="query",
        query="Seit wann ist Jerewan die Hauptstadt Armeniens?",
        references=("Seit 1918 ist Jerewan die Hauptstadt Armeniens.",),
        provenance=PROV,
    )


def gold(record: Any, kind: str, language: str, stage: str, keep: bool, human: bool) -> str:
    spans = () if not isinstance(record, HallucinationSample) else record.spans
    return GoldRecord(
        id=record.id,
        kind=kind,  # type: ignore[arg-type]
        language=language,
        stage=stage,
        task_id=1,
        automatic_keep=keep,
        labels=(HumanLabel(annotation_id=1, annotator="ani@example.org", keep=human),),
        human_keep=human,
        spans=spans if spans else None,
        record=record,
    ).model_dump_json()


def run_config(tmp: Path, **export: Any) -> RunConfig:
    return RunConfig(
        name="export-test",
        run_dir=str(tmp / "run"),
        languages=("de", "hy"),
        syndarin=SyndarinConfig(mining=MiningConfig(paired_path="pairs.jsonl")),
        instructions=InstructionsConfig(input_paths=("alpaca.json",)),
        hallucination=HallucinationConfig(),
        export=ExportConfig(test_fraction=0.25, **export),
    )


def write_run(config: RunConfig) -> RunStore:
    """A finished run of all three recipes, with a gold split."""
    store = RunStore(config.run_dir)
    store.snapshot_config(config)
    bad = mcq(99)
    store.write_shard(
        "syndarin.validate",
        "hy",
        0,
        ShardOutcome[TranslatedMCQ](
            n_input=13,
            accepted=tuple(mcq(i) for i in range(12)),
            rejected=(
                Rejected[TranslatedMCQ](
                    stage="syndarin.validate",
                    record=bad,
                    verdicts=(
                        Verdict(
                            validator="answer_match",
                            keep=False,
                            reason="answer_match.not_in_paragraph",
                            score=31.0,
                        ),
                    ),
                ),
            ),
            validators={"answer_match": ValidatorStats(passed=12, total=13, scores=(91.0, 31.0))},
        ),
        TranslatedMCQ,
    )
    mits = tuple(instruction_pair(i).translation for i in range(3))
    store.write_shard(
        "instructions.mits",
        "de",
        0,
        ShardOutcome[InstructionRecord](n_input=3, accepted=mits),
        InstructionRecord,
    )
    tacos = tuple(taco(i) for i in range(3))
    store.write_shard(
        "instructions.taco",
        "de",
        0,
        ShardOutcome[TacoRecord](n_input=3, accepted=tacos),
        TacoRecord,
    )
    store.write_shard(
        "hallucination.inject",
        "hy",
        0,
        ShardOutcome[HallucinationSample](n_input=2, accepted=(injected(0), injected(1))),
        HallucinationSample,
    )
    store.write_shard(
        "hallucination.answers",
        "de",
        0,
        ShardOutcome[HallucinationSample](n_input=1, accepted=(answer(0),)),
        HallucinationSample,
    )
    store.write_text(
        "gold/mcq/hy.jsonl",
        gold(mcq(0), "mcq", "hy", "syndarin.validate", keep=True, human=True)
        + "\n"
        + gold(bad, "mcq", "hy", "syndarin.validate", keep=False, human=False)
        + "\n",
    )
    store.write_text(
        "gold/instruction/de.jsonl",
        gold(instruction_pair(7), "instruction", "de", "instructions.validate", True, True) + "\n",
    )
    store.write_text(
        "gold/hallucination/hy.jsonl",
        gold(injected(5), "hallucination", "hy", "hallucination.inject", True, True) + "\n",
    )
    store.write_json(
        "metrics/gold.json",
        {"gold_records": 5, "filter_quality": {"mcq": {"hy": {"precision": 1.0, "recall": 1.0}}}},
    )
    return store


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunConfig, ExportSummary]:
    tmp = tmp_path_factory.mktemp("export")
    config = run_config(tmp)
    store = write_run(config)
    return config, export_run(store, config, build_report(store))


def card_header(folder: str) -> dict[str, Any]:
    text = (Path(folder) / "README.md").read_text(encoding="utf-8")
    assert text.startswith("---\n")
    return dict(yaml.safe_load(text.split("---\n")[1]))


def test_every_config_loads_back_with_datasets(
    exported: tuple[RunConfig, ExportSummary], tmp_path: Path
) -> None:
    import datasets

    _, summary = exported
    names = {c.name for c in summary.configs}
    assert names == {
        "syndarin-hy",
        "instructions-mits-de",
        "instructions-taco-de",
        "hallucination-spans-hy",
        "hallucination-qa-de",
    }
    for config in summary.configs:
        loaded = datasets.load_dataset(summary.folder, config.name, cache_dir=str(tmp_path))
        assert {s.split: s.rows for s in config.splits} == {k: len(v) for k, v in loaded.items()}

    mcqs = datasets.load_dataset(summary.folder, "syndarin-hy", cache_dir=str(tmp_path))
    assert set(mcqs) == {"train", "test", "gold"}
    assert len(mcqs["train"]) + len(mcqs["test"]) == 11  # 12 accepted, one of them in gold
    assert len(mcqs["test"]) > 0
    row = mcqs["train"][0]
    assert row["options"][row["answer_index"]] == row["answer"] == "մ.թ.ա. 782"
    assert row["prompt_version"] == "0123456789ab" and row["automatic_keep"] is True
    assert json.loads(row["provenance"])["model"] == "smollm2-135m-instruct"
    gold_rows = {r["id"]: r for r in mcqs["gold"]}
    assert gold_rows["tmcq-099"]["automatic_keep"] is False
    assert gold_rows["tmcq-099"]["human_keep"] is False
    split_ids = {r["id"] for split in ("train", "test") for r in mcqs[split]}
    assert not split_ids & set(gold_rows), "gold records must not leak into train or test"

    spans = datasets.load_dataset(summary.folder, "hallucination-spans-hy", cache_dir=str(tmp_path))
    span = {"start": 8, "end": 16, "type": "entity", "probability": None}
    assert spans["train"][0]["spans"] == [span]
    assert spans["gold"][0]["human_spans"] == [span]
    mits = datasets.load_dataset(summary.folder, "instructions-mits-de", cache_dir=str(tmp_path))
    assert mits["gold"][0]["id"] == "mits-7"  # the gold candidate, as its MITS record
    taco_gold = datasets.load_dataset(
        summary.folder, "instructions-taco-de", cache_dir=str(tmp_path)
    )["gold"]
    assert taco_gold[0]["output"].startswith("Instruction in English: Give three tips")


def test_card_header_declares_configs_languages_license_tasks_and_size(
    exported: tuple[RunConfig, ExportSummary],
) -> None:
    _, summary = exported
    header = card_header(summary.folder)
    assert header["license"] == "cc-by-sa-4.0"
    assert header["language"] == ["de", "en", "hy"]
    assert header["size_categories"] == ["n<1K"]
    assert {"question-answering", "multiple-choice", "text-generation"} <= set(
        header["task_categories"]
    )
    configs = {c["config_name"]: c["data_files"] for c in header["configs"]}
    assert {"split": "gold", "path": "data/syndarin-hy/gold-00000-of-00001.parquet"} in configs[
        "syndarin-hy"
    ]
    for files in configs.values():
        for entry in files:
            assert (Path(summary.folder) / entry["path"]).is_file()


def test_card_body_tells_recipe_models_prompts_yields_gold_and_citations(
    exported: tuple[RunConfig, ExportSummary],
) -> None:
    _, summary = exported
    body = (Path(summary.folder) / "README.md").read_text(encoding="utf-8").split("---\n", 2)[2]
    for text in (
        "## Recipe: SynDARin multiple-choice QA",
        "## Recipe: MITS / TaCo translated instructions",
        "## Recipe: Multilingual hallucination data",
        "smollm2-135m-instruct (llama.cpp)",
        "`translate@0123456789ab`",
        "| syndarin.validate | hy | 13 | 12 | 1 | 0 | 92% | `answer_match.not_in_paragraph` 1 |",
        "| syndarin.validate | hy | answer_match | 12/13 (92%) |",
        '"precision": 1.0',
        "arXiv:2406.14425",  # SynDARin
        "arXiv:2311.10797",  # TaCo
        "arXiv:2502.12769",  # Islam, Lauscher, Glavaš
        "arXiv:2401.06855",  # FAVA
    ):
        assert text in body, text


def test_reexport_removes_files_of_configs_that_are_gone(tmp_path: Path) -> None:
    config = run_config(tmp_path)
    store = write_run(config)
    first = export_run(store, config, build_report(store))
    gold_file = Path(first.folder) / "data/syndarin-hy/gold-00000-of-00001.parquet"
    assert gold_file.is_file()
    store.write_text("gold/mcq/hy.jsonl", "")
    second = export_run(store, config, build_report(store))
    assert not gold_file.exists()
    assert {s.split for c in second.configs if c.name == "syndarin-hy" for s in c.splits} <= {
        "train",
        "test",
    }


def test_fingerprint_follows_the_inputs_and_a_damaged_export_is_seen(tmp_path: Path) -> None:
    config = run_config(tmp_path)
    store = write_run(config)
    before = export_fingerprint(store, config)
    assert not export_intact(store, config)
    summary = export_run(store, config, build_report(store))
    assert export_intact(store, config)
    assert export_fingerprint(store, config) == before
    (Path(summary.folder) / summary.configs[0].splits[0].path).unlink()
    assert not export_intact(store, config)
    store.write_text("gold/hallucination/hy.jsonl", "")
    assert export_fingerprint(store, config) != before


class RecordingHub:
    """Stands in for huggingface_hub.HfApi at the network boundary: records the calls."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def create_repo(self, repo_id: str, **kwargs: Any) -> Any:
        self.calls.append(("create_repo", {"repo_id": repo_id, **kwargs}))
        return f"https://huggingface.co/datasets/{repo_id}"

    def upload_folder(self, **kwargs: Any) -> Any:
        staged = Path(kwargs["folder_path"])  # removed once the push returns
        files = {str(p.relative_to(staged)) for p in staged.rglob("*") if p.is_file()}
        self.calls.append(("upload_folder", {**kwargs, "files": files}))
        return None


@pytest.mark.parametrize("private", [True, False])
def test_push_hands_the_token_to_the_client_and_passes_visibility_through(
    exported: tuple[RunConfig, ExportSummary], private: bool
) -> None:
    """The unit view of push_export; the default (private), the CLI's --public and the token
    never reaching disk are proven end to end with the real Hub client in test_push_hub.py."""
    hubs: list[RecordingHub] = []

    def factory(token: str) -> RecordingHub:
        hubs.append(RecordingHub(token))
        return hubs[-1]

    _, summary = exported
    pushed = push_export(
        summary.folder,
        "babelforge/armenian-mcq",
        private=private,
        environ={"HF_TOKEN": "hf_pushTestToken1234567890"},
        api_factory=factory,
    )
    (hub,) = hubs
    assert hub.token == "hf_pushTestToken1234567890"
    (create, create_args), (upload, upload_args) = hub.calls
    assert create == "create_repo" and create_args["private"] is private
    assert create_args["repo_type"] == "dataset"
    assert upload == "upload_folder" and "README.md" in upload_args["files"]
    assert upload_args["repo_type"] == "dataset"
    assert "token" not in upload_args and "token" not in create_args
    assert pushed.private is private and pushed.repo_id == "babelforge/armenian-mcq"


def test_push_without_token_is_one_clear_line(
    exported: tuple[RunConfig, ExportSummary], monkeypatch: pytest.MonkeyPatch
) -> None:
    from babelforge.flows.cli import app

    config, _ = exported
    with pytest.raises(MissingTokenError, match="HF_TOKEN is not set"):
        push_export(str(Path(config.run_dir) / "export"), "a/b", private=True, environ={})
    monkeypatch.delenv("HF_TOKEN", raising=False)
    result = CliRunner().invoke(app, ["push", config.run_dir, "--repo-id", "a/b"])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: HF_TOKEN is not set")
