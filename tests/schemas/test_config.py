"""A bad run config names the file, the line and the field, and says what to do."""

from pathlib import Path

import pytest

from babelforge.schemas.config import load_config
from babelforge.schemas.errors import ConfigError

GOOD = """\
name: demo
run_dir: {run_dir}
languages: [de, hy]
llm:
  backend: embedded
  max_concurrency: 2
"""


def test_a_good_config_loads(tmp_path: Path) -> None:
    path = tmp_path / "run.yaml"
    path.write_text(GOOD.format(run_dir=tmp_path / "run"))
    config = load_config(path)
    assert config.languages == ("de", "hy")
    assert config.llm.max_concurrency == 2


def test_a_language_name_is_refused_with_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "run.yaml"
    path.write_text(GOOD.format(run_dir="runs/x").replace("[de, hy]", "[de, Armenian]"))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert f"{path}:3" in message
    assert "languages.1" in message
    assert "not a language code" in message


def test_a_wrong_type_deep_in_the_config_points_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "run.yaml"
    path.write_text(
        GOOD.format(run_dir="runs/x").replace("max_concurrency: 2", "max_concurrency: lots")
    )
    with pytest.raises(ConfigError, match=rf"{path}:6: field 'llm.max_concurrency'"):
        load_config(path)


def test_an_unknown_field_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "run.yaml"
    path.write_text(GOOD.format(run_dir="runs/x") + "temperature: 0.3\n")
    with pytest.raises(ConfigError, match=r"run\.yaml:7: field 'temperature': Extra inputs"):
        load_config(path)


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "run.yaml"
    path.write_text("name: demo\nlanguages: [de\nrun_dir: x\n")
    with pytest.raises(ConfigError, match=r"run\.yaml:\d+: not valid YAML"):
        load_config(path)


def test_a_missing_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the config"):
        load_config(tmp_path / "nope.yaml")
