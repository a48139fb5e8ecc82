"""`babelforge push` end to end: the real `huggingface_hub` client against a stand-in Hub.

The Hugging Face Hub itself is not reachable from the test machines, so `tests/hub_server.py`
serves the Hub endpoints the client calls (create repo, validate the card's YAML, preupload,
commit) on 127.0.0.1 and `HF_ENDPOINT` points the client there. The CLI runs as a subprocess
(the client reads `HF_ENDPOINT` when it is imported), through the Prefect push flow, exactly as
a user runs it; only the address of the Hub differs.
"""

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from babelforge.flows.export.export import export_run
from babelforge.flows.export.lm_eval import hub_task
from babelforge.flows.export.push import PUSHED
from babelforge.flows.report import build_report
from tests.flows.test_export import run_config, write_run
from tests.hub_server import HubServer, HubState
from tests.processes import run_bounded

pytestmark = pytest.mark.slow

TOKEN = "hf_standInHubToken9f8e7d6c5b4a"
BABELFORGE = str(Path(sys.executable).with_name("babelforge"))


@dataclass(frozen=True)
class Pushed:
    """One `babelforge push` of a finished run: what the stand-in Hub got, what was printed."""

    hub: HubState
    output: str
    run_dir: Path
    export: Path
    home: Path


def push(run_dir: str, home: Path, *flags: str) -> Pushed:
    """`babelforge push` with the token in HF_TOKEN against a fresh stand-in Hub; it must
    succeed. HF_HOME and PREFECT_HOME are under `home`, so the token scan covers them."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGINGFACE_"))}
    with HubServer() as hub:
        env |= {
            "HF_TOKEN": TOKEN,
            "HF_ENDPOINT": hub.endpoint,
            "HF_HOME": str(home / "hf-home"),
            "HF_HUB_DISABLE_TELEMETRY": "1",
            "PREFECT_HOME": str(home / "prefect"),
            "PREFECT_LOGGING_LEVEL": "DEBUG",
            "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
            "COLUMNS": "200",
        }
        done = run_bounded(
            [BABELFORGE, "push", run_dir, "--repo-id", "babelforge/armenian-qa", *flags],
            env=env,
            timeout_s=300,
        )
    assert done.returncode == 0, done.stdout
    return Pushed(hub.state, done.stdout, Path(run_dir), Path(run_dir) / "export", home)


def finished_run(tmp: Path) -> str:
    """A finished run of the three recipes with its export (written by hand, no LLM)."""
    config = run_config(tmp)
    store = write_run(config)
    export_run(store, config, build_report(store))
    return config.run_dir


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """HF_HOME and PREFECT_HOME of both pushes (Prefect's database is created once)."""
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="module")
def pushed(tmp_path_factory: pytest.TempPathFactory, home: Path) -> Pushed:
    """`babelforge push RUN --repo-id babelforge/armenian-qa`, no other flag."""
    return push(finished_run(tmp_path_factory.mktemp("private")), home)


def files_containing(root: Path, needle: bytes) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]


def test_push_creates_a_private_dataset_repo_by_default(pushed: Pushed) -> None:
    repo = pushed.hub.repos["babelforge/armenian-qa"]
    assert (repo.repo_type, repo.visibility) == ("dataset", "private")
    assert "pushed to" in pushed.output and "babelforge/armenian-qa" in pushed.output
    assert pushed.hub.unknown == []


def test_push_uploads_every_export_file_and_the_card_in_one_commit(pushed: Pushed) -> None:
    repo = pushed.hub.repos["babelforge/armenian-qa"]
    local = {
        str(p.relative_to(pushed.export)): p.read_bytes()
        for p in pushed.export.rglob("*")
        if p.is_file()
        and (p.name == "README.md" or p.relative_to(pushed.export).parts[0] in PUSHED)
    }
    assert sum(name.endswith(".parquet") for name in local) >= 4
    assert any(name.startswith("mushroom/") for name in local)
    assert any(name.startswith("lm_eval/") for name in local)
    assert repo.files.keys() == local.keys()
    for name, data in repo.files.items():
        if name.startswith("lm_eval/"):  # the pushed task loads the pushed dataset
            assert yaml.safe_load(data)["dataset_path"] == "babelforge/armenian-qa"
            assert data == hub_task(local[name].decode(), "babelforge/armenian-qa").encode()
        else:
            assert data == local[name], name
    card = repo.files["README.md"].decode()
    assert card.startswith("---\n") and "- hy" in card
    assert len(repo.commits) == 1


def test_push_sends_the_token_to_the_hub_and_writes_it_nowhere(pushed: Pushed) -> None:
    assert pushed.hub.tokens == {TOKEN}
    assert TOKEN not in pushed.output, "the token reached the command's output or logs"
    assert files_containing(pushed.run_dir, TOKEN.encode()) == []
    assert (pushed.home / "prefect").is_dir(), "Prefect recorded the run (and its logs) there"
    assert files_containing(pushed.home, TOKEN.encode()) == [], "HF_HOME or Prefect's database"


def test_push_public_flag_makes_the_repo_public(tmp_path: Path, home: Path, pushed: Pushed) -> None:
    public = push(finished_run(tmp_path), home, "--public")
    assert public.hub.repos["babelforge/armenian-qa"].visibility == "public"
    assert files_containing(home, TOKEN.encode()) == []
