"""The gold-push and gold-pull flows through Prefect, and what happens when the server fails."""

import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prefect.states import Failed

from babelforge.annotation.errors import (
    LabelStudioAuthError,
    LabelStudioUnreachable,
    MissingSettingError,
)
from babelforge.annotation.local_server import LocalLabelStudio
from babelforge.flows.gold import (
    _retry_when_unreachable,
    gold_pull_flow,
    gold_push_flow,
    gold_settings,
)
from babelforge.flows.store import RunStore
from babelforge.generators.local_process import free_port
from tests.annotation.conftest import Annotator
from tests.annotation.run_factory import build_run


@pytest.fixture
def closing_port() -> Iterator[tuple[int, list[int]]]:
    """A port that accepts connections and closes them at once; counts the attempts."""
    attempts: list[int] = []
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            attempts.append(1)
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], attempts
    stop.set()
    thread.join(timeout=5)
    server.close()


def test_push_and_pull_flows_write_the_gold_split_into_the_run_report(
    label_studio: LocalLabelStudio,
    annotators: tuple[Annotator, Annotator],
    gold_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    for name, value in gold_env.items():
        monkeypatch.setenv(name, value)
    store = build_run(tmp_path / "run", gold={"project_prefix": "flows", "per_stratum": 1})
    pushed = gold_push_flow(store.root)
    assert pushed.created == sum(s.sampled for s in pushed.strata) > 0
    assert json.loads(store.read_text("gold/push.json"))["run_id"] == "gold-test-run"
    anahit, _ = annotators
    project_id = pushed.kinds["instruction"].project_id
    task: Any = next(iter(anahit.sdk.tasks.list(project=project_id)))
    anahit.sdk.annotations.create(
        task.id,
        result=[{"from_name": "decision", "to_name": "output", "type": "choices",
                 "value": {"choices": ["drop"]}}],
    )  # fmt: skip
    pulled = gold_pull_flow(store.root)
    assert (pulled.gold_records, pulled.changed) == (1, True)
    report = json.loads(store.read_text("report.json"))
    assert report["metrics"]["gold"]["gold_records"] == 1
    assert "## gold" in store.read_text("report.md")


def test_an_unreachable_server_is_retried_and_the_last_gold_split_is_kept(
    closing_port: tuple[int, list[int]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    port, attempts = closing_port
    monkeypatch.setenv("LABEL_STUDIO_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "some-key")
    store = build_run(tmp_path / "run", gold={"retries": 2, "retry_delay_s": 0})
    store.write_text("gold/mcq/hy.jsonl", "previous pull\n")
    with pytest.raises(LabelStudioUnreachable, match=f"127.0.0.1:{port}.*run again"):
        gold_pull_flow(store.root)
    assert len(attempts) >= 3  # one try and two retries (a try may open two connections)
    assert store.read_text("gold/mcq/hy.jsonl") == "previous pull\n"


def test_a_refused_key_is_reported_without_the_key_and_not_retried(
    label_studio: LocalLabelStudio, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secret = "0123456789deadbeef0123456789deadbeef0000"
    monkeypatch.setenv("LABEL_STUDIO_URL", label_studio.url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", secret)
    store = build_run(tmp_path / "run")
    with pytest.raises(LabelStudioAuthError, match="refused the API key") as error:
        gold_push_flow(store.root)
    assert secret not in str(error.value)
    assert _retry_when_unreachable(None, None, Failed(data=error.value)) is False  # type: ignore[arg-type]
    assert _retry_when_unreachable(None, None, Failed(data=LabelStudioUnreachable("x"))) is True  # type: ignore[arg-type]


def test_missing_settings_name_the_variables(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    monkeypatch.setenv("LABEL_STUDIO_URL", f"http://127.0.0.1:{free_port()}")
    with pytest.raises(MissingSettingError, match="LABEL_STUDIO_API_KEY"):
        gold_pull_flow(build_run(tmp_path / "run").root)


def test_a_run_without_a_config_is_named_after_its_folder(tmp_path: Path) -> None:
    store = RunStore(str(tmp_path / "nightly-2026-11-28"))
    gold, run_id = gold_settings(store)
    assert run_id == "nightly-2026-11-28"
    assert gold.per_stratum == 5
