"""User errors are one clear line on stderr and a non-zero exit."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from babelforge.flows.cli import app
from babelforge.flows.store import RunStore
from babelforge.schemas.config import RunConfig

runner = CliRunner()


def test_run_with_a_missing_config_names_the_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "nope.yaml: cannot read the config" in result.output
    assert result.output.count("\n") == 1


def test_run_with_a_bad_field_names_line_and_field(tmp_path: Path) -> None:
    config = tmp_path / "run.yaml"
    config.write_text("name: x\nrun_dir: out/x\nlanguages: [Armenian]\n")
    result = runner.invoke(app, ["run", str(config)])
    assert result.exit_code == 2
    assert "run.yaml:3: field 'languages.0'" in result.output


def test_report_of_a_folder_that_is_no_run_says_so(tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", str(tmp_path)])
    assert result.exit_code == 2
    assert "is not a babelforge run directory" in result.output


def test_gold_push_without_label_studio_settings_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    store = RunStore(str(tmp_path / "run"))
    store.snapshot_config(
        RunConfig(name="cli-test", run_dir=str(tmp_path / "run"), languages=("hy",))
    )
    result = runner.invoke(app, ["gold-push", str(tmp_path / "run")])
    assert result.exit_code == 2
    assert result.output.startswith("error: set LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY")
    assert result.output.count("\n") == 1
