"""Every reader of user input, fed truncated, binary, BOM, empty, huge-line and mis-encoded
files: a BOM is read like UTF-8 without one, and everything else either reads or ends in one
user error (exit status 2) that names the file, and the line where there is one. Never a raw
UnicodeDecodeError, JSONDecodeError, ArrowInvalid or OSError."""

import gzip
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from babelforge.flows.calibrate import calibrate_file
from babelforge.flows.deploy import read_specs
from babelforge.flows.validate_file import validate_file
from babelforge.generators.evaluate.endpoints import llm_for
from babelforge.generators.evaluate.items import card_configs, read_items
from babelforge.generators.hallucination.mushroom import read_mushroom
from babelforge.generators.hallucination.translate_tagged import read_tagged
from babelforge.generators.instructions.readers import read_instructions
from babelforge.generators.mining.pairing import read_link_table
from babelforge.generators.mining.readers import read_documents, read_paired
from babelforge.schemas.config import load_config
from babelforge.schemas.errors import BabelforgeError

BOM = b"\xef\xbb\xbf"
HUGE = 8 * 1024 * 1024  # one line of 8 MiB


@dataclass(frozen=True)
class Reader:
    """One input reader: the file name it expects, a valid content and how to read a file."""

    name: str
    file_name: str
    valid: bytes
    read: Callable[[Path], object]
    lines: bool = True  # its errors can name a line


def _validate(path: Path) -> object:
    return validate_file("syndarin", str(path), "de", str(path.parent / "out"), judges=False)


def _calibrate(path: Path) -> object:
    return calibrate_file(str(path), "syndarin", 0.9, str(path.parent / "cal"), judges=False)


def _export_card(path: Path) -> object:
    card_configs(str(path.parent))
    return read_items(str(path.parent), ["*"], ["train"])


READERS = (
    Reader(
        "run config",
        "run.yaml",
        b"name: x\nrun_dir: out/x\nlanguages: [de]\n",
        load_config,
    ),
    Reader(
        "pre-paired JSONL",
        "pairs.jsonl",
        b'{"source_language": "en", "source_text": "Hello", "target_language": "de", '
        b'"target_text": "Hallo Welt"}\n',
        lambda p: list(read_paired(str(p))),
    ),
    Reader(
        "mining documents JSONL",
        "de.jsonl",
        b'{"id": "Q64", "title": "Berlin", "text": "Berlin ist die Hauptstadt."}\n',
        lambda p: list(read_documents(str(p), "de")),
    ),
    Reader(
        "mining documents JSONL, gzip",
        "de.jsonl.gz",
        gzip.compress(b'{"id": "Q64", "title": "Berlin", "text": "Berlin ist gross."}\n'),
        lambda p: list(read_documents(str(p), "de")),
    ),
    Reader(
        "mining documents parquet",
        "de.parquet",
        b"",  # no valid parquet is written here: only the broken ones
        lambda p: list(read_documents(str(p), "de")),
        lines=False,
    ),
    Reader(
        "link table TSV",
        "langlinks.tsv",
        b"ll_from\tll_lang\tll_title\n1\tde\tBerlin\n",
        lambda p: read_link_table(str(p), "en", "de"),
    ),
    Reader(
        "instruction seeds JSON",
        "alpaca.json",
        b'[{"instruction": "Say hi", "input": "", "output": "Hi"}]\n',
        lambda p: list(read_instructions([str(p)], shape="alpaca")),
    ),
    Reader(
        "instruction seeds JSONL",
        "alpaca.jsonl",
        b'{"instruction": "Say hi", "input": "", "output": "Hi"}\n',
        lambda p: list(read_instructions([str(p)], shape="alpaca")),
    ),
    Reader(
        "Mu-SHROOM JSONL",
        "mushroom.jsonl",
        b'{"lang": "de", "model_output_text": "Berlin liegt in Polen.", '
        b'"hard_labels": [[16, 21]]}\n',
        lambda p: list(read_mushroom([str(p)])),
    ),
    Reader(
        "FAVA-tagged JSONL",
        "fava.jsonl",
        b'{"tagged": "Berlin is the capital of Germany."}\n',
        lambda p: list(read_tagged([str(p)])),
    ),
    Reader("validate JSONL", "items.jsonl", b"", _validate),
    Reader("calibrate JSONL", "labeled.jsonl", b"", _calibrate),
    Reader("evaluate export card", "README.md", b"---\nconfigs: []\n---\n", _export_card),
    Reader(
        "evaluate LLM config", "llm.yaml", b"backend: embedded\n", lambda p: llm_for("m", str(p))
    ),
    Reader("deployments file", "prefect.yaml", b"deployments: []\n", read_specs),
)

BAD = {
    "truncated": lambda valid: (valid or b'{"id": "a", "text": "Hal')[: max(8, len(valid) // 2)],
    "binary": lambda valid: bytes(range(256)) * 64,
    "mis-encoded": lambda valid: b'{"title": "Caf\xe9 M\xfcller"}\nname: caf\xe9\n',
    "huge line": lambda valid: b'{"text": "' + b"a" * HUGE,
    "empty": lambda valid: b"",
}


def _ids(reader: Reader) -> str:
    return reader.name


@pytest.mark.parametrize("reader", READERS, ids=_ids)
@pytest.mark.parametrize("kind", sorted(BAD))
def test_a_bad_file_reads_or_is_one_user_error_naming_it(
    reader: Reader, kind: str, tmp_path: Path
) -> None:
    path = tmp_path / reader.file_name
    content = BAD[kind](reader.valid)
    path.write_bytes(gzip.compress(content) if path.suffix == ".gz" else content)
    try:
        reader.read(path)
    except BabelforgeError as e:
        assert e.exit_code == 2
        assert str(path) in str(e) or str(path.parent) in str(e), str(e)
        if kind == "mis-encoded" and reader.lines:
            assert "line 1" in str(e) or ":1" in str(e), str(e)
        assert "\n" not in str(e).strip() or reader.name.endswith("config"), str(e)


@pytest.mark.parametrize("reader", [r for r in READERS if r.valid], ids=_ids)
def test_a_bom_reads_like_utf8_without_one(reader: Reader, tmp_path: Path) -> None:
    plain = tmp_path / "plain" / reader.file_name
    with_bom = tmp_path / "bom" / reader.file_name
    gz = plain.suffix == ".gz"
    text = gzip.decompress(reader.valid) if gz else reader.valid
    for path, content in ((plain, text), (with_bom, BOM + text)):
        path.parent.mkdir()
        path.write_bytes(gzip.compress(content) if gz else content)
    assert repr(reader.read(with_bom)).replace("bom", "plain") == repr(reader.read(plain))


@pytest.mark.parametrize("reader", READERS, ids=_ids)
def test_a_folder_or_a_missing_path_is_a_user_error_naming_it(
    reader: Reader, tmp_path: Path
) -> None:
    (tmp_path / "folder" / reader.file_name).mkdir(parents=True)
    for path in (tmp_path / "missing" / reader.file_name, tmp_path / "folder" / reader.file_name):
        with pytest.raises(BabelforgeError) as error:
            reader.read(path)
        assert error.value.exit_code == 2
        assert str(path) in str(error.value) or str(path.parent) in str(error.value)
