"""The one way babelforge reads a text input: UTF-8 with or without a BOM, local paths or
fsspec URLs (compression inferred from the name), line by line so memory stays flat; a
missing, unreadable or corrupt file and a byte that is not UTF-8 raise InputError naming the
file (and the line)."""

import lzma
from collections.abc import Iterator

import fsspec

from babelforge.schemas.errors import InputError

BOM = "\ufeff"


def read_lines(path: str, *, compression: str | None = "infer") -> Iterator[tuple[int, str]]:
    """Yield (1-based line number, line with its newline) of a UTF-8 text file."""
    lineno = 0
    try:
        with fsspec.open(path, "rb", compression=compression) as handle:
            for lineno, raw in enumerate(handle, start=1):
                yield lineno, decode_line(raw, path, lineno)
    except FileNotFoundError as e:
        raise InputError(f"{path}: no such file; check the path") from e
    except IsADirectoryError as e:
        raise InputError(f"{path}: is a folder, expected a file; check the path") from e
    except PermissionError as e:
        raise InputError(f"{path}: permission denied; check who may read it") from e
    except (OSError, EOFError, lzma.LZMAError) as e:
        raise InputError(
            f"{path}: line {lineno + 1}: unreadable ({e or type(e).__name__}); the file is "
            "truncated or not what its name says"
        ) from e


def read_text(path: str) -> str:
    """The whole text of a small UTF-8 file (a config), a leading BOM removed."""
    return "".join(line for _, line in read_lines(path, compression=None))


def decode_line(raw: bytes, path: str, lineno: int) -> str:
    """One line as text; a BOM is dropped on line 1, a bad byte names the file and line."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(
            f"{path}: line {lineno}: not valid UTF-8 ({e.reason} at byte {e.start + 1} of the "
            "line); save the file as UTF-8"
        ) from e
    return text.removeprefix(BOM) if lineno == 1 else text
