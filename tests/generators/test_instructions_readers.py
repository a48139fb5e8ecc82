"""Readers of instruction sets: three shapes, three file formats, streaming, clear errors."""

import gzip
import json
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from babelforge.generators.instructions.readers import read_instructions
from babelforge.schemas.errors import InputError

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "instructions"

ALPACA = [
    {"instruction": "Greet {name}.", "input": "", "output": "Hello {name}!"},
    {"instruction": "Add the numbers.", "input": "2 and 3", "output": "2 + 3 = 5"},
]


def write_jsonl(path: Path, rows: Sequence[object]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_the_same_alpaca_records_read_alike_from_json_jsonl_parquet_and_gzip(
    tmp_path: Path,
) -> None:
    (tmp_path / "a.json").write_text(json.dumps(ALPACA, indent=2), encoding="utf-8")
    write_jsonl(tmp_path / "a.jsonl", ALPACA)
    pq.write_table(pa.Table.from_pylist(ALPACA), tmp_path / "a.parquet")
    with gzip.open(tmp_path / "a.jsonl.gz", "wt", encoding="utf-8") as f:
        f.write("".join(json.dumps(r) + "\n" for r in ALPACA))
    reads = [
        list(read_instructions([str(tmp_path / name)]))
        for name in ("a.json", "a.jsonl", "a.parquet", "a.jsonl.gz")
    ]
    ids = [[r.id for r in records] for records in reads]
    assert all(i == ids[0] for i in ids) and len(set(ids[0])) == 2
    assert reads[2][1].input == "2 and 3" and reads[2][1].output == "2 + 3 = 5"


def test_the_samples_of_every_shape_are_read() -> None:
    alpaca = list(read_instructions([str(SAMPLES / "alpaca.json")]))
    dolly = list(read_instructions([str(SAMPLES / "dolly.jsonl")]))
    chats = list(read_instructions([str(SAMPLES / "sharegpt.json")]))
    assert len(alpaca) == 11 and len(dolly) == 4 and len(chats) == 4
    assert dolly[1].input.startswith("The library opens at 8:00")
    assert [c.source_id for c in chats] == ["chat-1#1", "chat-1#2", "chat-2#1", "chat-3#1"]
    assert chats[2].instruction.startswith("You are a helpful assistant.\n\n")
    assert chats[3].output == ""
    assert all(r.language == "en" and r.provenance.source_ids for r in alpaca + dolly + chats)


def test_self_instruct_seed_instances_become_one_record_each(tmp_path: Path) -> None:
    seed = {
        "id": "seed_task_9",
        "instruction": "Convert the temperature.",
        "instances": [{"input": "10 C", "output": "50 F"}, {"input": "0 C", "output": "32 F"}],
    }
    records = list(read_instructions([str(write_jsonl(tmp_path / "seed.jsonl", [seed]))]))
    assert [r.source_id for r in records] == ["seed_task_9/1", "seed_task_9/2"]
    assert [r.output for r in records] == ["50 F", "32 F"]


def test_reading_stops_after_max_records(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "many.jsonl", ALPACA * 50)
    assert len(list(read_instructions([str(path)], max_records=7))) == 7


def test_a_large_json_array_streams_with_exact_line_numbers(tmp_path: Path) -> None:
    rows: list[object] = [
        {"instruction": f"Task {i}", "input": "x" * 500, "output": f"Answer {i}"}
        for i in range(5000)
    ]
    rows.append({"instruction": "Broken", "input": ""})
    path = tmp_path / "big.json"
    path.write_text("[\n" + ",\n".join(json.dumps(r) for r in rows) + "\n]\n", encoding="utf-8")
    records = read_instructions([str(path)], shape="alpaca")
    assert next(records).instruction == "Task 0"
    with pytest.raises(InputError) as error:
        for _ in records:
            pass
    message = str(error.value)
    assert str(path) in message and "record 5001 (line 5002)" in message
    assert "missing field `output`" in message


def test_a_record_missing_a_field_names_file_line_and_fix(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "dolly.jsonl",
        [{"instruction": "Hi", "response": "Hello"}, {"instruction": "Hi", "context": ""}],
    )
    with pytest.raises(InputError, match=r"dolly\.jsonl, line 2: missing field `response`.*add it"):
        list(read_instructions([str(path)], shape="dolly"))


def test_a_row_of_unknown_shape_lists_the_expected_fields(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "odd.jsonl", [{"prompt": "Hi", "completion": "Hello"}])
    with pytest.raises(InputError, match=r"line 1: cannot tell the record's shape.*Alpaca"):
        list(read_instructions([str(path)]))


def test_invalid_json_and_wrong_types_are_input_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"instruction": "a", "output": "b"}\n{"instruction": \n', encoding="utf-8")
    with pytest.raises(InputError, match="line 2: not a complete JSON object"):
        list(read_instructions([str(broken)]))
    typed = write_jsonl(tmp_path / "typed.jsonl", [{"instruction": "a", "output": 3}])
    with pytest.raises(InputError, match="field `output` must be a string, got int"):
        list(read_instructions([str(typed)]))


def test_a_chat_with_an_unknown_speaker_names_the_turn(tmp_path: Path) -> None:
    chat = {"conversations": [{"from": "human", "value": "Hi"}, {"from": "robot", "value": "Yo"}]}
    path = tmp_path / "chat.json"
    path.write_text(json.dumps([chat]), encoding="utf-8")
    with pytest.raises(InputError, match=r"record 1 \(line 1\), turn 2: unknown speaker 'robot'"):
        list(read_instructions([str(path)]))


def test_an_unknown_file_type_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"\*\.json, \*\.jsonl or \*\.parquet"):
        list(read_instructions([str(tmp_path / "data.csv")]))
