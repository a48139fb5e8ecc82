"""Load YAML and remember the line of every key, so errors can point at them."""

from pathlib import Path
from typing import Any

import yaml

from babelforge.schemas.errors import ConfigError


def load_yaml_with_lines(path: Path) -> tuple[Any, dict[tuple[str, ...], int]]:
    """Return (data, {key path: 1-based line}); a missing or broken file raises ConfigError."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"{path}: cannot read the config ({e.strerror}); check the path") from e
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}{line}: not valid YAML ({e}); fix the syntax") from e
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the config must be a YAML mapping of fields")
    lines: dict[tuple[str, ...], int] = {}
    _walk(node, (), lines)
    return data, lines


def _walk(node: yaml.Node | None, prefix: tuple[str, ...], out: dict[tuple[str, ...], int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            path = (*prefix, str(key.value))
            out[path] = key.start_mark.line + 1
            _walk(value, path, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            path = (*prefix, str(i))
            out[path] = item.start_mark.line + 1
            _walk(item, path, out)
