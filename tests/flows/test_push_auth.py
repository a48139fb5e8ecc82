"""`babelforge push` with a token the Hub refuses: one line naming the repository and the
variable, exit 2, and no retry (the stand-in Hub sees the refused request once). Transient
errors (the network, 429, 5xx) stay retryable; auth errors never are.

The Hub is `tests/hub_server.py` on 127.0.0.1, told which token is valid; the client is the
real `huggingface_hub`.
"""

import os
from pathlib import Path
from typing import cast

import httpx
import pytest
from huggingface_hub import HfApi

from babelforge.flows.export.export import export_folder
from babelforge.flows.export.push import (
    ApiFactory,
    HubApi,
    HubAuthError,
    MissingTokenError,
    is_transient,
    push_export,
)
from babelforge.flows.store import RunStore
from babelforge.generators.local_process import free_port
from babelforge.schemas.config import MiningConfig, RunConfig, SyndarinConfig
from tests.flows.test_push_hub import BABELFORGE
from tests.hub_server import HubServer
from tests.processes import run_bounded

GOOD = "hf_standInGoodToken0a1b2c3d4e5f"
BAD = "hf_standInRevokedToken9z8y7x6w5v"
REPO = "babelforge/armenian-qa"
CARD = "---\nlanguage:\n- hy\nlicense: cc-by-sa-4.0\n---\n# Armenian QA\n"


def hub_api(endpoint: str) -> ApiFactory:
    """The real Hub client, pointed at `endpoint`."""
    return lambda token: cast(HubApi, HfApi(endpoint=endpoint, token=token))


def finished_run(tmp: Path) -> str:
    """A run directory with its config and a small export (card and one data file)."""
    config = RunConfig(
        name="push-auth",
        run_dir=str(tmp / "run"),
        languages=("hy",),
        syndarin=SyndarinConfig(mining=MiningConfig(paired_path="pairs.jsonl")),
    )
    store = RunStore(config.run_dir)
    store.snapshot_config(config)
    folder = Path(export_folder(store, config))
    (folder / "data" / "syndarin-hy").mkdir(parents=True)
    (folder / "README.md").write_text(CARD, encoding="utf-8")
    row = '{"question": "Ո՞ր թվականին է հիմնադրվել Երևանը", "answer": "Ք.ա. 782"}\n'
    (folder / "data" / "syndarin-hy" / "test.jsonl").write_text(row, encoding="utf-8")
    return config.run_dir


@pytest.mark.slow
def test_push_with_a_refused_token_ends_in_one_line_and_exit_2(tmp_path: Path) -> None:
    run_dir = finished_run(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGINGFACE_"))}
    with HubServer(valid_tokens=frozenset({GOOD})) as hub:
        env |= {
            "HF_TOKEN": BAD,
            "HF_ENDPOINT": hub.endpoint,
            "HF_HOME": str(tmp_path / "hf-home"),
            "PREFECT_HOME": str(tmp_path / "prefect"),
            "COLUMNS": "200",
        }
        done = run_bounded([BABELFORGE, "push", run_dir, "--repo-id", REPO], env=env, timeout_s=300)
    assert done.returncode == 2, done.stdout
    (line,) = [x for x in done.stdout.splitlines() if x.startswith("error:")]
    assert REPO in line and "HF_TOKEN" in line and "write token" in line
    assert hub.state.requests.count("POST /api/repos/create") == 1, "the 401 was retried"
    assert hub.state.repos == {} and BAD not in done.stdout


def test_a_refused_token_is_an_auth_error_naming_repo_and_variable(tmp_path: Path) -> None:
    folder = Path(finished_run(tmp_path)) / "export"
    with (
        HubServer(valid_tokens=frozenset({GOOD})) as hub,
        pytest.raises(HubAuthError, match=f"{REPO}.*HF_TOKEN") as refused,
    ):
        push_export(
            str(folder),
            REPO,
            private=True,
            environ={"HF_TOKEN": BAD},
            api_factory=hub_api(hub.endpoint),
        )
    assert not is_transient(refused.value) and BAD not in str(refused.value)
    assert refused.value.exit_code == 2


def test_an_unreachable_hub_is_transient_and_a_missing_token_is_not(tmp_path: Path) -> None:
    folder = Path(finished_run(tmp_path)) / "export"
    closed = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(Exception) as unreachable:
        push_export(
            str(folder),
            REPO,
            private=True,
            environ={"HF_TOKEN": GOOD},
            api_factory=hub_api(closed),
        )
    assert is_transient(unreachable.value), repr(unreachable.value)
    with pytest.raises(MissingTokenError) as missing:
        push_export(str(folder), REPO, private=True, environ={})
    assert not is_transient(missing.value)
    assert is_transient(httpx.ConnectTimeout("connect timed out"))
