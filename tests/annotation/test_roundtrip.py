"""Push a run's sample to a real Label Studio, annotate as two people, pull the gold split."""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from babelforge.annotation.client import Connection, GoldClient
from babelforge.annotation.gold import GoldRecord
from babelforge.annotation.items import Item
from babelforge.annotation.kinds import project_title
from babelforge.annotation.local_server import LocalLabelStudio
from babelforge.annotation.pull import PullSummary, pull_gold
from babelforge.annotation.push import PushSummary, push_sample
from babelforge.annotation.sample import stratified_sample
from babelforge.flows.store import RunStore
from babelforge.schemas.gold_config import GoldConfig
from babelforge.schemas.records import HallucinationSample, InstructionRecord, TranslatedMCQ
from babelforge.validators.instr_candidate import InstructionCandidate
from tests.annotation.conftest import Annotator
from tests.annotation.run_factory import RUN_NAME, build_run

JSON = dict


def choice(control: str, target: str, value: str) -> JSON:
    return {
        "from_name": control,
        "to_name": target,
        "type": "choices",
        "value": {"choices": [value]},
    }


def rating(control: str, value: int) -> JSON:
    return {"from_name": control, "to_name": "output", "type": "rating", "value": {"rating": value}}


def span(text: str, start: int, end: int, label: str) -> JSON:
    """A span as Label Studio stores it: offsets in code points (the page converts UTF-16)."""
    value = {"start": start, "end": end, "text": text[start:end], "labels": [label]}
    return {"from_name": "spans", "to_name": "text", "type": "labels", "value": value}


def mcq_answer(decision: str, option: str = "a") -> list[JSON]:
    return [
        choice("faithful", "question", "yes"),
        choice("answerable", "target_paragraph", "yes"),
        choice("correct_option", "question", option),
        choice("decision", "question", decision),
    ]


# (language, automatic verdict, rank among those records by id) -> (Anahit, Bernd) decisions
MCQ_PLAN = {
    ("hy", True, 0): ("keep", "keep"),
    ("hy", True, 1): ("drop", "drop"),  # the filter let a bad item through
    ("hy", False, 0): ("drop", "drop"),
    ("hy", False, 1): ("drop", "keep"),  # a tie: no human verdict
    ("de", True, 0): ("keep", "keep"),
    ("de", True, 1): ("keep", "keep"),
    ("de", False, 0): ("drop", "drop"),
    ("de", False, 1): ("keep", "keep"),  # the filter dropped a good item
}


@dataclass
class AnnotatedRun:
    store: RunStore
    config: GoldConfig
    client: GoldClient
    push: PushSummary
    tasks: dict[str, int]
    items: dict[str, Item]
    pull: PullSummary

    def gold(self, kind: str, language: str) -> list[GoldRecord]:
        text = self.store.read_text(f"gold/{kind}/{language}.jsonl")
        return [GoldRecord.model_validate_json(line) for line in text.splitlines()]

    def ranked(self, kind: str, language: str, keep: bool) -> list[Item]:
        return sorted(
            (
                i
                for i in self.items.values()
                if (i.kind, i.language, i.keep) == (kind, language, keep)
            ),
            key=lambda i: i.id,
        )


def admin_client(server: LocalLabelStudio) -> GoldClient:
    return GoldClient(Connection(server.url, SecretStr(server.token)))


def annotate_all(run: AnnotatedRun, anahit: Annotator, bernd: Annotator) -> None:
    """Anahit and Bernd label every task; Bernd leaves one instruction for later."""
    for (language, keep, rank), decisions in MCQ_PLAN.items():
        item = run.ranked("mcq", language, keep)[rank]
        for person, decision in zip((anahit, bernd), decisions, strict=True):
            option = (
                "none" if (person is bernd and (language, keep, rank) == ("hy", False, 0)) else "a"
            )
            person.sdk.annotations.create(run.tasks[item.id], result=mcq_answer(decision, option))
    for keep in (True, False):
        for rank, item in enumerate(run.ranked("instruction", "hy", keep)):
            decision = "keep" if keep else "drop"
            for person, adequacy in ((anahit, 5 if keep else 1), (bernd, 4 if keep else 1)):
                if person is bernd and (keep, rank) == (False, 1):
                    continue
                person.sdk.annotations.create(
                    run.tasks[item.id],
                    result=[rating("adequacy", adequacy), rating("fluency", 4 if keep else 2),
                            choice("decision", "output", decision)],
                )  # fmt: skip
    for item in (i for i in run.items.values() if i.kind == "hallucination"):
        record = item.record
        assert isinstance(record, HallucinationSample)
        (marked,) = record.spans
        for person in (anahit, bernd):
            label = str(marked.type)
            if person is bernd and item.language == "de":
                label = "contradictory"
            person.sdk.annotations.create(
                run.tasks[item.id],
                result=[span(record.text, marked.start, marked.end, label),
                        choice("decision", "text", "keep" if item.keep else "drop")],
            )  # fmt: skip


@pytest.fixture(scope="module")
def annotated(
    label_studio: LocalLabelStudio,
    annotators: tuple[Annotator, Annotator],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[AnnotatedRun]:
    store = build_run(tmp_path_factory.mktemp("gold") / "run")
    config = GoldConfig(project_prefix="roundtrip", per_stratum=2)
    client = admin_client(label_studio)
    sample = stratified_sample(store, config)
    pushed = push_sample(client, store, config, sample, RUN_NAME)
    tasks: dict[str, int] = {}
    for kind in pushed.kinds:
        project_id = client.find_project(project_title("roundtrip", kind))
        assert project_id is not None
        tasks.update({rid: ref.task_id for rid, ref in client.task_refs(project_id).items()})
    run = AnnotatedRun(
        store,
        config,
        client,
        pushed,
        tasks,
        {i.id: i for i in sample.items},
        None,  # type: ignore[arg-type]
    )
    annotate_all(run, *annotators)
    run.pull = pull_gold(client, store, config, RUN_NAME)
    yield run


def test_push_creates_a_project_per_kind_with_every_sampled_record(annotated: AnnotatedRun) -> None:
    kinds = annotated.push.kinds
    assert {k: v.created for k, v in kinds.items()} == {
        "mcq": 8,
        "instruction": 4,
        "hallucination": 4,
    }
    assert len(annotated.tasks) == 16
    assert set(annotated.tasks) == set(annotated.items)


def test_predictions_carry_the_validators_verdict_under_the_run_id(annotated: AnnotatedRun) -> None:
    project_id = annotated.push.kinds["mcq"].project_id
    task: Any
    for task in annotated.client.sdk.tasks.list(project=project_id, fields="all"):
        (prediction,) = task.predictions
        assert prediction.model_version == RUN_NAME
        decision = next(r for r in prediction.result if r["from_name"] == "decision")
        assert decision["value"]["choices"] == [task.data["automatic"]]


def test_pushing_again_creates_no_duplicate_and_a_second_run_only_adds_its_prediction(
    annotated: AnnotatedRun, tmp_path: Path
) -> None:
    sample = stratified_sample(annotated.store, annotated.config)
    again = push_sample(annotated.client, annotated.store, annotated.config, sample, RUN_NAME)
    assert again.created == 0
    assert sum(k.already_present for k in again.kinds.values()) == 16
    assert sum(k.predictions_added for k in again.kinds.values()) == 0
    rerun = build_run(tmp_path / "rerun", name="gold-test-rerun")
    second = push_sample(annotated.client, rerun, annotated.config, sample, "gold-test-rerun")
    assert second.created == 0
    assert sum(k.predictions_added for k in second.kinds.values()) == 16
    task = annotated.client.sdk.tasks.get(str(next(iter(annotated.tasks.values()))))
    assert {p.model_version for p in task.predictions or ()} == {RUN_NAME, "gold-test-rerun"}
    assert (
        annotated.client.find_project(project_title("roundtrip", "mcq"))
        == annotated.push.kinds["mcq"].project_id
    )


def test_the_gold_split_holds_every_annotated_record_with_its_labels(
    annotated: AnnotatedRun,
) -> None:
    assert annotated.pull.gold_records == 16
    assert annotated.pull.annotations == 8 * 2 + 7 + 4 * 2
    assert set(annotated.pull.files) == {
        "gold/mcq/hy.jsonl", "gold/mcq/de.jsonl", "gold/instruction/hy.jsonl",
        "gold/hallucination/hi.jsonl", "gold/hallucination/de.jsonl",
    }  # fmt: skip
    mcq = annotated.gold("mcq", "hy")
    assert all(isinstance(r.record, TranslatedMCQ) for r in mcq)
    tie = next(r for r in mcq if r.id == annotated.ranked("mcq", "hy", False)[1].id)
    assert tie.human_keep is None and len(tie.labels) == 2
    instructions = annotated.gold("instruction", "hy")
    assert all(isinstance(r.record, InstructionCandidate) for r in instructions)
    assert not any(isinstance(r.record, InstructionRecord) for r in instructions)
    assert sorted(len(r.labels) for r in instructions) == [1, 2, 2, 2]


def test_spans_come_back_at_python_offsets_and_only_agreed_spans_are_gold(
    annotated: AnnotatedRun,
) -> None:
    (german,) = annotated.gold("hallucination", "de")
    assert isinstance(german.record, HallucinationSample)
    expected = german.record.spans[0]
    anahit, bernd = german.labels
    assert anahit.spans == (expected,)
    assert german.record.text[anahit.spans[0].start : anahit.spans[0].end] == "Berlin"
    assert bernd.spans[0].type == "contradictory"
    assert german.spans == ()
    for record in annotated.gold("hallucination", "hi"):
        assert isinstance(record.record, HallucinationSample)
        assert record.spans == record.record.spans


def test_agreement_between_the_two_annotators(annotated: AnnotatedRun) -> None:
    metrics = annotated.store.read_text("metrics/gold.json")
    import json

    agreement = json.loads(metrics)["agreement"]
    decision = agreement["mcq"]["keep"]
    assert decision["units"] == 8 and decision["annotators"] == 2
    assert decision["observed"] == pytest.approx(7 / 8)
    assert decision["cohen_kappa"] == pytest.approx(0.75)
    assert decision["krippendorff_alpha"] is not None
    assert agreement["instruction"]["keep"]["units"] == 3
    assert agreement["instruction"]["adequacy"]["level"] == "ordinal"
    assert agreement["hallucination"]["spans"]["krippendorff_alpha"] < 1.0


def test_precision_and_recall_of_the_filter_and_each_validator_per_language(
    annotated: AnnotatedRun,
) -> None:
    import json

    quality = json.loads(annotated.store.read_text("metrics/gold.json"))["quality"]
    hy, de, both = quality["mcq"]["hy"], quality["mcq"]["de"], quality["mcq"]["all"]
    assert (hy["judged"], hy["ties"]) == (3, 1)
    assert (hy["filter"]["tp"], hy["filter"]["fn"], hy["filter"]["fp"]) == (1, 1, 0)
    assert hy["filter"]["precision"] == 1.0 and hy["filter"]["recall"] == 0.5
    # accepted Armenian items stand for 3 records each 2 sampled: weight 1.5 vs 1.0
    assert hy["filter"]["weighted_recall"] == pytest.approx(0.4)
    assert de["filter"]["precision"] == 0.5 and de["filter"]["recall"] == 1.0
    assert both["filter"]["precision"] == pytest.approx(0.6667, abs=1e-4)
    assert hy["validators"]["answer_match"] == hy["filter"]
    assert hy["validators"]["langid"]["tp"] == 0 and hy["validators"]["langid"]["recall"] == 0.0
    assert both["answer_confirmed"] == 1.0
    instructions = quality["instruction"]["hy"]
    assert instructions["filter"]["precision"] == 1.0 and instructions["filter"]["recall"] == 1.0
    assert instructions["adequacy_mean"] == {"accepted": 4.5, "rejected": 1.0}
    # the sample run's verdicts carry the old `instr_copy` name: counted under today's `copy`
    assert instructions["validators"]["copy"]["tp"] == 2


def test_a_scheduled_pull_picks_up_only_new_annotations(
    label_studio: LocalLabelStudio, annotators: tuple[Annotator, Annotator], tmp_path: Path
) -> None:
    anahit, bernd = annotators
    store = build_run(tmp_path / "run")
    config = GoldConfig(project_prefix="incremental", per_stratum=1)
    client = admin_client(label_studio)
    push_sample(client, store, config, stratified_sample(store, config), RUN_NAME)
    project_id = client.find_project(project_title("incremental", "mcq"))
    assert project_id is not None
    task_id = min(ref.task_id for ref in client.task_refs(project_id).values())
    anahit.sdk.annotations.create(task_id, result=mcq_answer("keep"))
    first = pull_gold(client, store, config, RUN_NAME)
    assert (first.changed, first.annotations, first.new_annotations, first.gold_records) == (
        True,
        1,
        1,
        1,
    )
    idle = pull_gold(client, store, config, RUN_NAME)
    assert (idle.changed, idle.new_annotations, idle.gold_records) == (False, 0, 1)
    bernd.sdk.annotations.create(task_id, result=mcq_answer("drop"))
    second = pull_gold(client, store, config, RUN_NAME)
    assert (second.changed, second.annotations, second.new_annotations) == (True, 2, 1)
    (record,) = [
        GoldRecord.model_validate_json(line)
        for f in second.files
        for line in store.read_text(f).splitlines()
    ]
    assert len(record.labels) == 2 and record.human_keep is None
