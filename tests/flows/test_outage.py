"""Outages are pauses, not verdicts: a run against an endpoint that stops answering mid-run
ends with one line and exit code 3, commits no record as failed for it, and resumes once the
endpoint is back without paying any reply twice; requests that fail on the way leave their
shards for the next run while the other shards go on; a dedup stage never commits a shard
past a missing upstream one."""

from pathlib import Path
from typing import Any

import pytest
import yaml

from babelforge.flows.recipe_flow import run_recipes
from babelforge.flows.store import RunStore
from babelforge.generators.embedded import EmbeddedServer
from babelforge.generators.errors import OutageError
from babelforge.schemas.config import RunConfig
from tests.flows.test_endpoint_stop import cli_run
from tests.flows.test_sequential import records
from tests.generators.fault_proxy import FaultProxy

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _config(run_dir: Path, base_url: str, model: str) -> dict[str, Any]:
    return {
        "name": "outage",
        "run_dir": str(run_dir),
        "languages": ["de"],
        "shard_size": 1,
        "llm": {
            "backend": "openai",
            "base_url": base_url,
            "model": model,
            "structured_output": "json_object",
            "max_concurrency": 2,
            "max_retries": 0,
            "parse_retries": 0,
            "timeouts": {"dead_after_s": 2.0},
            "sampling": {"temperature": 0.3, "max_tokens": 24, "seed": 0},
        },
        "instructions": {
            "input_paths": [str(REPO / "samples" / "instructions" / "alpaca.json")],
            "shape": "alpaca",
            "max_records": 3,
            "max_tokens": 24,
            "roundtrip_sample_size": 1,
        },
        "export": {"enabled": False},
        "tracking": {"enabled": False},
    }


def _llm_reasons(run_dir: Path) -> list[str]:
    """Every failure reason of a committed shard that blames the endpoint (a reply that does
    not parse is the model's, and stays a verdict)."""
    return [
        reason
        for summary in RunStore(str(run_dir)).summaries()
        for reason in summary.reasons
        if reason in ("llm.request_failed", "llm.unavailable") or reason.endswith(".unavailable")
    ]


def _balanced(run_dir: Path) -> bool:
    summaries = RunStore(str(run_dir)).summaries()
    return bool(summaries) and all(
        s.accepted + s.rejected + s.failed == s.n_input for s in summaries
    )


def _cli_run(config: dict[str, Any], tmp_path: Path) -> tuple[int, str]:
    path = tmp_path / "outage.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return cli_run(path, tmp_path)


def test_an_endpoint_that_stops_answering_stops_the_run_and_it_resumes(
    embedded_server: EmbeddedServer, tmp_path: Path
) -> None:
    run_dir = tmp_path / "run"
    with FaultProxy(embedded_server.base_url, every=10**9, hang_after=3).running() as proxy:
        config = _config(run_dir, proxy.base_url, embedded_server.model)
        code, output = _cli_run(config, tmp_path)
        assert code == 3, output
        lines = [line for line in output.splitlines() if line.strip()]
        assert lines[-1].startswith("error: endpoint"), output
        assert "no reply for" in lines[-1] and lines[-1].endswith("the run is resumable")
        assert [line for line in lines if line.startswith("error:")] == lines[-1:]
        assert _llm_reasons(run_dir) == [], "an outage committed records as failed"

        proxy.hang_after = None
        assert run_recipes(RunConfig.model_validate(config)).balanced
    assert _balanced(run_dir) and _llm_reasons(run_dir) == []
    assert max(proxy.answered.values()) == 1, "a reply was paid twice"


def test_requests_failing_on_the_way_leave_their_shards_for_the_next_run(
    embedded_server: EmbeddedServer, tmp_path: Path
) -> None:
    run_dir = tmp_path / "run"
    with FaultProxy(embedded_server.base_url, every=10**9, fail_every=4).running() as proxy:
        given = _config(run_dir, proxy.base_url, embedded_server.model)
        given["cache"] = {"shared": str(tmp_path / "shared-cache")}
        config = RunConfig.model_validate(given)
        with pytest.raises(OutageError, match="left uncommitted") as paused:
            run_recipes(config)
        assert "llm.unavailable" in str(paused.value) and "resumable" in str(paused.value)
        store = RunStore(str(run_dir))
        assert store.summaries("instructions.translate"), "the other shards went on"
        assert len(store.summaries("instructions.translate")) < 3, "a shard was left"
        for language in config.languages:  # dedup shard i needs upstream shards 0..i
            validated = store.summaries("instructions.validate")
            made = {s.index for s in validated if s.language == language}
            first_missing = min(set(range(3)) - made, default=3)
            dedup = store.summaries("instructions.dedup")
            deduped = [s.index for s in dedup if s.language == language]
            assert all(i < first_missing for i in deduped), "dedup committed over a missing shard"
        assert _llm_reasons(run_dir) == []

        proxy.fail_every = None
        report = run_recipes(config)
        # An uninterrupted run given the same replies (the shared cache) writes the same records.
        uninterrupted = config.model_copy(update={"run_dir": str(tmp_path / "uninterrupted")})
        assert run_recipes(uninterrupted).usage.requests == 0
    assert records(uninterrupted) == records(config)
    assert _balanced(run_dir) and _llm_reasons(run_dir) == []
    assert len(RunStore(str(run_dir)).summaries("instructions.translate")) == 3
    assert max(proxy.answered.values()) == 1, "a reply was paid twice"
    assert report.usage.cached_requests > 0  # the paused shards' paid replies came back
