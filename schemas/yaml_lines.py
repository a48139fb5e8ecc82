"""Load YAML and remember the line of every key, so errors can point at them."""

from pathlib import Path
from typing import Any

import yaml

from babelforge.schemas.errors import ConfigError, InputError
from babelforge.schemas.text_input import read_text


def load_yaml_with_lines(path: Path) -> tuple[Any, dict[tuple[str, ...], int]]:
    """Return (data, {key path: 1-based line}); a missing or broken file raises ConfigError."""
    try:
        text = read_text(str(path))
    except InputError as e:
        detail = str(e).removeprefix(f"{path}: ")
        raise ConfigError(f"{path}: cannot read the config ({detail})") from e
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError) as e:
        raise ConfigError(f"{path}:{_yaml_problem(e, text)}; fix the syntax") from e
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the config must be a YAML mapping of fields")
    lines: dict[tuple[str, ...], int] = {}
    _walk(node, (), lines)
    return data, lines


def _yaml_problem(error: Exception, text: str) -> str:
    """`line: what`, on one line; PyYAML's marks count lines from 0, and the line that opened
    an unclosed bracket or quote (its context) is where the fix goes."""
    context = getattr(error, "context_mark", None)
    problem = getattr(error, "problem_mark", None)
    mark = context or problem
    if mark is None:
        return f" not valid YAML ({error})"
    lines = text.splitlines()
    source = lines[mark.line].strip() if mark.line < len(lines) else ""
    what = ": ".join(
        str(part)
        for part in (getattr(error, "context", None), getattr(error, "problem", None))
        if part
    )
    at = f" (found at line {problem.line + 1})" if context and problem else ""
    return f"{mark.line + 1}: not valid YAML: {what}{at}, in {source!r}"


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
