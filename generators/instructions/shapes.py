"""Normalise Alpaca, Dolly and ShareGPT/Vicuna rows into InstructionRecords.

- Alpaca: `instruction, input, output`; the Self-Instruct seed layout (`instruction`,
  `instances: [{input, output}, ...]`) gives one record per instance.
- Dolly: `instruction, context, response, category`; context becomes `input`.
  InstructionRecord has no category field, so the category is not carried.
- ShareGPT/Vicuna: `conversations: [{from|role, value|content}, ...]`; every user turn and
  the assistant turn after it become one record (a trailing question gets an empty output),
  and a system message is put in front of the next user turn so nothing is lost.
"""

from collections.abc import Iterator
from typing import Any, Literal

from babelforge.generators.instructions.rows import RawRow
from babelforge.schemas.base import stable_id
from babelforge.schemas.errors import InputError
from babelforge.schemas.provenance import Provenance
from babelforge.schemas.records import InstructionRecord

Shape = Literal["alpaca", "dolly", "sharegpt"]

_USER = {"human", "user"}
_ASSISTANT = {"gpt", "assistant", "chatgpt", "bard", "bing", "model"}
_SYSTEM = {"system"}
_FIELDS = {
    "alpaca": "`instruction`, `input`, `output` (or `instances`)",
    "dolly": "`instruction`, `context`, `response`, `category`",
    "sharegpt": "`conversations` (a list of {from, value})",
}


def detect_shape(row: RawRow) -> Shape:
    """Tell the shape of one row from its fields; raise InputError when none fits."""
    data = _object(row)
    if "conversations" in data:
        return "sharegpt"
    if "response" in data:
        return "dolly"
    if "output" in data or "instances" in data:
        return "alpaca"
    raise InputError(
        f"{row.where()}: cannot tell the record's shape from its fields {sorted(data)}; "
        f"expected Alpaca {_FIELDS['alpaca']}, Dolly {_FIELDS['dolly']} or ShareGPT "
        f"{_FIELDS['sharegpt']}: rename the fields or set instructions.shape"
    )


def to_records(row: RawRow, shape: Shape, language: str) -> Iterator[InstructionRecord]:
    """Yield the InstructionRecords of one row (several for seed instances and chats)."""
    if shape == "alpaca":
        yield from _alpaca(row, language)
    elif shape == "dolly":
        yield _dolly(row, language)
    else:
        yield from _sharegpt(row, language)


def _alpaca(row: RawRow, language: str) -> Iterator[InstructionRecord]:
    data = _object(row)
    instruction = _text(row, data, "instruction", "alpaca", required=True)
    native = _native_id(data)
    if "instances" in data and "output" not in data:
        instances = data["instances"]
        if not isinstance(instances, list) or not instances:
            raise InputError(
                f"{row.where()}: `instances` must be a non-empty list of {{input, output}} "
                "objects; fix the record or drop it"
            )
        for i, instance in enumerate(instances):
            where = RawRow(row.path, f"{row.position}, instance {i + 1}", instance)
            item = _object(where)
            yield _record(
                where,
                language,
                instruction,
                _text(where, item, "input", "alpaca"),
                _text(where, item, "output", "alpaca", required=True, allow_blank=True),
                native if len(instances) == 1 or native is None else f"{native}/{i + 1}",
            )
        return
    yield _record(
        row,
        language,
        instruction,
        _text(row, data, "input", "alpaca"),
        _text(row, data, "output", "alpaca", required=True, allow_blank=True),
        native,
    )


def _dolly(row: RawRow, language: str) -> InstructionRecord:
    data = _object(row)
    return _record(
        row,
        language,
        _text(row, data, "instruction", "dolly", required=True),
        _text(row, data, "context", "dolly"),
        _text(row, data, "response", "dolly", required=True, allow_blank=True),
        _native_id(data),
    )


def _sharegpt(row: RawRow, language: str) -> Iterator[InstructionRecord]:
    data = _object(row)
    turns = data.get("conversations")
    if not isinstance(turns, list) or not turns:
        raise InputError(
            f"{row.where()}: `conversations` must be a non-empty list of {{from, value}} "
            "turns; fix the record or drop it"
        )
    native = _native_id(data)
    system, question, n = "", None, 0
    for i, turn in enumerate(turns):
        where = RawRow(row.path, f"{row.position}, turn {i + 1}", turn)
        role, text = _turn(where)
        if role == "system":
            system = f"{system}\n\n{text}".strip()
        elif role == "user":
            if question is not None:
                n += 1
                yield _chat_record(where, language, question, "", native, n)
            question, system = (f"{system}\n\n{text}" if system else text), ""
        else:
            if question is None:
                raise InputError(
                    f"{where.where()}: an assistant turn with no user turn before it; "
                    "start the conversation with a `human`/`user` turn"
                )
            n += 1
            yield _chat_record(where, language, question, text, native, n)
            question = None
    if question is not None:
        n += 1
        yield _chat_record(row, language, question, "", native, n)
    if n == 0:
        raise InputError(
            f"{row.where()}: the conversation has no user turn; add one or drop the record"
        )


def _chat_record(
    row: RawRow, language: str, question: str, answer: str, native: str | None, n: int
) -> InstructionRecord:
    return _record(row, language, question, "", answer, f"{native}#{n}" if native else None)


def _turn(row: RawRow) -> tuple[str, str]:
    turn = _object(row)
    role = turn.get("from", turn.get("role"))
    text = turn.get("value", turn.get("content"))
    if not isinstance(role, str) or not isinstance(text, str):
        raise InputError(
            f"{row.where()}: a turn needs string fields `from` and `value` "
            "(or `role` and `content`); fix the turn"
        )
    role = role.strip().lower()
    if role in _USER:
        return "user", text
    if role in _ASSISTANT:
        return "assistant", text
    if role in _SYSTEM:
        return "system", text
    raise InputError(
        f"{row.where()}: unknown speaker {role!r}; use human/user, gpt/assistant or system"
    )


def _record(
    row: RawRow,
    language: str,
    instruction: str,
    input_text: str,
    output: str,
    native: str | None,
) -> InstructionRecord:
    source = native or f"{row.path.rsplit('/', 1)[-1]}:{row.position}"
    return InstructionRecord(
        id=stable_id("instr", language, instruction, input_text, output),
        language=language,
        instruction=instruction,
        input=input_text,
        output=output,
        source_id=source,
        provenance=Provenance(source_ids=(source,), source_language=language),
    )


def _object(row: RawRow) -> dict[str, Any]:
    if not isinstance(row.data, dict):
        raise InputError(
            f"{row.where()}: expected a JSON object, got {type(row.data).__name__}; "
            "write each record as an object with named fields"
        )
    return row.data


def _text(
    row: RawRow,
    data: dict[str, Any],
    field: str,
    shape: str,
    *,
    required: bool = False,
    allow_blank: bool = False,
) -> str:
    value = data.get(field)
    if value is None and not required:
        return ""
    if value is None:
        raise InputError(
            f"{row.where()}: missing field `{field}` of a {shape} record "
            f"({_FIELDS[shape]}); add it or drop the record"
        )
    if not isinstance(value, str):
        raise InputError(
            f"{row.where()}: field `{field}` must be a string, got {type(value).__name__}; "
            "fix the record"
        )
    if required and not allow_blank and not value.strip():
        raise InputError(f"{row.where()}: field `{field}` is empty; fill it or drop the record")
    return value


def _native_id(data: dict[str, Any]) -> str | None:
    for key in ("id", "question_id"):
        value = data.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value):
            return str(value)
    return None
