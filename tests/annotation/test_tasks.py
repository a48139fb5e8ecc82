"""Tasks and predictions built from records match the label configs they are shown with."""

import re
import xml.etree.ElementTree as ET

import pytest

from babelforge.annotation.items import Item
from babelforge.annotation.kinds import KINDS, label_config
from babelforge.annotation.sample import stratified_sample
from babelforge.annotation.tasks import display_fields, task_payload
from babelforge.flows.store import RunStore
from babelforge.schemas.gold_config import GoldConfig, GoldKind
from babelforge.schemas.records import HallucinationSample


def _variables(kind: GoldKind) -> set[str]:
    return set(re.findall(r'value="\$(\w+)"', label_config(kind)))


def _controls(kind: GoldKind) -> dict[str, str]:
    root = ET.fromstring(label_config(kind))
    return {el.get("name", ""): el.tag for el in root.iter() if el.get("toName")}


def _items(store: RunStore) -> list[Item]:
    return list(stratified_sample(store, GoldConfig(per_stratum=5)).items)


@pytest.mark.parametrize("kind", KINDS)
def test_every_variable_of_a_label_config_is_in_the_task_data(
    run_store: RunStore, kind: GoldKind
) -> None:
    sample = stratified_sample(run_store, GoldConfig(per_stratum=5))
    items = [i for i in sample.items if i.kind == kind]
    assert items
    for item in items:
        data = task_payload(item, sample.stratum(item), "run-1")["data"]
        assert _variables(kind) <= set(data), _variables(kind) - set(data)
        assert data["record_id"] == item.id


@pytest.mark.parametrize("kind", KINDS)
def test_predictions_name_controls_of_the_config_and_carry_the_run_id(
    run_store: RunStore, kind: GoldKind
) -> None:
    controls = _controls(kind)
    sample = stratified_sample(run_store, GoldConfig(per_stratum=5))
    for item in (i for i in sample.items if i.kind == kind):
        (prediction,) = task_payload(item, sample.stratum(item), "run-1")["predictions"]
        assert prediction["model_version"] == "run-1"
        for result in prediction["result"]:
            assert result["from_name"] in controls
        decision = next(r for r in prediction["result"] if r["from_name"] == "decision")
        assert decision["value"]["choices"] == ["keep" if item.keep else "drop"]


def test_an_mcq_task_shows_the_armenian_question_options_and_the_english_original(
    run_store: RunStore,
) -> None:
    item = next(i for i in _items(run_store) if i.kind == "mcq" and i.language == "hy")
    data = task_payload(item, stratified_sample(run_store, GoldConfig()).strata[0], "r")["data"]
    assert data["option_a"] == "A. մ.թ.ա. 782 թվականին"
    assert data["source_options"].splitlines()[0] == "A. in 782 BC"
    assert "Երևանը" in data["target_paragraph"]


def test_an_instruction_task_shows_the_english_source_beside_the_translation(
    run_store: RunStore,
) -> None:
    item = next(i for i in _items(run_store) if i.kind == "instruction" and i.keep)
    data = task_payload(item, stratified_sample(run_store, GoldConfig()).strata[0], "r")["data"]
    assert data["translation_header"].startswith("Translation into Armenian (hy)")
    assert data["source_instruction"] != data["instruction"]


def test_a_hallucination_prediction_prefills_its_spans_at_code_point_offsets(
    run_store: RunStore,
) -> None:
    item = next(i for i in _items(run_store) if i.kind == "hallucination" and i.language == "de")
    stratum = stratified_sample(run_store, GoldConfig()).stratum(item)
    (prediction,) = task_payload(item, stratum, "r")["predictions"]
    (span,) = [r for r in prediction["result"] if r["from_name"] == "spans"]
    assert span["value"]["text"] == "Berlin"
    assert span["value"]["labels"] == ["entity"]
    # Label Studio counts code points like Python: the emoji before the span counts once
    assert isinstance(item.record, HallucinationSample)
    text = item.record.text
    assert text[span["value"]["start"] : span["value"]["end"]] == "Berlin"


def test_a_plain_instruction_record_says_its_english_source_is_not_available(
    run_store: RunStore,
) -> None:
    item = next(i for i in _items(run_store) if i.kind == "instruction")
    plain = item.model_copy(update={"record": item.record.translation})  # type: ignore[union-attr]
    fields = display_fields(plain)
    assert fields["source_output"] == "(not available in this run)"
    assert fields["output"] == item.record.translation.output  # type: ignore[union-attr]
