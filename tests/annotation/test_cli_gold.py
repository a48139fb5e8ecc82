"""`babelforge gold-push` and `gold-pull` as a user runs them, against the real Label Studio."""

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from babelforge.annotation.local_server import LocalLabelStudio
from babelforge.flows.cli import app
from tests.annotation.conftest import Annotator
from tests.annotation.run_factory import build_run

pytestmark = pytest.mark.slow


def test_gold_push_then_pull_from_the_command_line(
    label_studio: LocalLabelStudio,
    annotators: tuple[Annotator, Annotator],
    gold_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    for name, value in gold_env.items():
        monkeypatch.setenv(name, value)
    store = build_run(tmp_path / "run", gold={"project_prefix": "cli", "per_stratum": 1})
    runner = CliRunner()

    pushed = runner.invoke(app, ["gold-push", store.root])
    assert pushed.exit_code == 0, pushed.output
    summary = json.loads(store.read_text("gold/push.json"))
    created = sum(stratum["sampled"] for stratum in summary["strata"])
    assert created > 0
    assert f"gold push: {created} tasks created at {label_studio.url}" in pushed.output

    anahit, bernd = annotators
    project_id = summary["kinds"]["instruction"]["project_id"]
    task: Any = next(iter(anahit.sdk.tasks.list(project=project_id)))
    for person in (anahit, bernd):
        person.sdk.annotations.create(
            task.id,
            result=[{"from_name": "decision", "to_name": "output", "type": "choices",
                     "value": {"choices": ["drop"]}}],
        )  # fmt: skip

    pulled = runner.invoke(app, ["gold-pull", store.root])
    assert pulled.exit_code == 0, pulled.output
    assert "gold pull: 2 annotations (2 new), 1 gold records" in pulled.output
    assert len(store.read_text("gold/instruction/hy.jsonl").splitlines()) == 1
    assert api_key_absent(store.root, gold_env["LABEL_STUDIO_API_KEY"])

    again = runner.invoke(app, ["gold-pull", store.root])
    assert "gold pull: 2 annotations (0 new), 1 gold records" in again.output


def api_key_absent(root: str, key: str) -> bool:
    return not any(
        key in p.read_text(errors="ignore") for p in Path(root).rglob("*") if p.is_file()
    )
