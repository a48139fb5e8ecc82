"""Label Studio tasks from sampled records: the data a person reads and the pre-filled verdict.

Field names here match the `$variables` and control names of annotation/configs/*.xml.
Span offsets are Python's (code points): Label Studio's text tag converts the browser's
UTF-16 offsets to code points before it stores a region, so no conversion is needed.
"""

from typing import Any

from babelforge.annotation.items import Item
from babelforge.annotation.sample import Stratum
from babelforge.schemas.languages import language_name
from babelforge.schemas.records import (
    HallucinationSample,
    InstructionRecord,
    SpanType,
    TranslatedMCQ,
)
from babelforge.validators.instr_candidate import InstructionCandidate

LETTERS = ("a", "b", "c", "d")
NOT_AVAILABLE = "(not available in this run)"
EMPTY = "(empty)"

# The control each kind's `decision` choice is attached to (its toName in the XML).
DECISION_TARGET = {"mcq": "question", "instruction": "output", "hallucination": "text"}

JSON = dict[str, Any]


def task_payload(item: Item, stratum: Stratum, run_id: str) -> JSON:
    """One task to import: its data (display fields + bookkeeping) and this run's prediction."""
    return {"data": task_data(item, stratum, run_id), "predictions": [prediction(item, run_id)]}


def task_data(item: Item, stratum: Stratum, run_id: str) -> JSON:
    """What Label Studio stores with the task; `record_id` is the key of the round trip."""
    return {
        "record_id": item.id,
        "kind": item.kind,
        "language": item.language,
        "stage": item.stage,
        "run_id": run_id,
        "automatic": "keep" if item.keep else "drop",
        "reasons": ", ".join(v.reason for v in item.verdicts if not v.keep and v.reason),
        "stratum_population": stratum.population,
        "stratum_sampled": stratum.sampled,
        **display_fields(item),
    }


def display_fields(item: Item) -> dict[str, str]:
    """The texts the label config shows for the item's record."""
    record = item.record
    if isinstance(record, TranslatedMCQ):
        return _mcq_fields(record)
    if isinstance(record, InstructionCandidate):
        return _instruction_fields(record.translation, record.source)
    if isinstance(record, InstructionRecord):
        return _instruction_fields(record, None)
    return _hallucination_fields(record)


def prediction(item: Item, run_id: str) -> JSON:
    """The automatic verdict as a Label Studio prediction whose model_version is the run id."""
    results: list[JSON] = [
        _choice("decision", DECISION_TARGET[item.kind], "keep" if item.keep else "drop")
    ]
    record = item.record
    if isinstance(record, TranslatedMCQ):
        results.append(_choice("correct_option", "question", LETTERS[record.answer_index]))
    if isinstance(record, HallucinationSample):
        results.extend(
            # Label Studio needs one of its labels: an untyped (Mu-SHROOM) span shows as
            # unverifiable, the FAVA type that means "not supported by the references".
            _span_result(record, span.start, span.end, span.type or SpanType.UNVERIFIABLE)
            for span in record.spans
        )
    kept = sum(v.keep for v in item.verdicts)
    score = kept / len(item.verdicts) if item.verdicts else (1.0 if item.keep else 0.0)
    return {"model_version": run_id, "score": round(score, 4), "result": results}


def _choice(control: str, target: str, value: str) -> JSON:
    return {
        "from_name": control,
        "to_name": target,
        "type": "choices",
        "value": {"choices": [value]},
    }


def _span_result(record: HallucinationSample, start: int, end: int, label: str) -> JSON:
    return {
        "from_name": "spans",
        "to_name": "text",
        "type": "labels",
        "value": {
            "start": start,
            "end": end,
            "text": record.text[start:end],
            "labels": [label],
        },
    }


def _mcq_fields(record: TranslatedMCQ) -> dict[str, str]:
    fields = {
        f"option_{letter}": f"{letter.upper()}. {option}"
        for letter, option in zip(LETTERS, record.options, strict=True)
    }
    return {
        "target_paragraph": record.target_paragraph,
        "question": record.question,
        **fields,
        "source_question": record.source_question,
        "source_options": "\n".join(
            f"{letter.upper()}. {option}"
            for letter, option in zip(LETTERS, record.source_options, strict=True)
        ),
    }


def _instruction_fields(
    translation: InstructionRecord, source: InstructionRecord | None
) -> dict[str, str]:
    def shown(text: str) -> str:
        return text if text.strip() else EMPTY

    return {
        "source_instruction": shown(source.instruction) if source else NOT_AVAILABLE,
        "source_input": shown(source.input) if source else NOT_AVAILABLE,
        "source_output": shown(source.output) if source else NOT_AVAILABLE,
        "translation_header": (
            f"Translation into {language_name(translation.language)} ({translation.language}): "
            "instruction, input, output"
        ),
        "instruction": shown(translation.instruction),
        "input": shown(translation.input),
        "output": shown(translation.output),
    }


def _hallucination_fields(record: HallucinationSample) -> dict[str, str]:
    references = "\n\n".join(f"[{n}] {ref}" for n, ref in enumerate(record.references, start=1))
    return {
        "text": record.text,
        "query": record.query or EMPTY,
        "references": references or EMPTY,
    }
