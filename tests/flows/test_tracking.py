"""Comet tracking decisions that need no experiment: mode, secret scrubbing, attempt window.

The real offline archive is checked in test_factory.py."""

from pathlib import Path

import pytest

from babelforge.flows.report import build_report
from babelforge.flows.store import RunStore
from babelforge.flows.tracking import (
    committed_shards,
    run_metrics,
    run_parameters,
    run_window,
    sample_table,
    tracking_mode,
)
from babelforge.schemas.config import MiningConfig, RunConfig, SyndarinConfig
from babelforge.schemas.delivery_config import TrackingConfig
from babelforge.schemas.errors import ConfigError
from babelforge.schemas.outcome import ShardOutcome
from babelforge.schemas.provenance import Usage
from babelforge.schemas.records import Document, ParallelPair
from babelforge.schemas.secrets import redact, secret_values
from babelforge.schemas.verdict import Rejected, Verdict

KEY = "bftest-comet-4c3b2a1908"


def test_offline_unless_the_key_is_set_and_the_mode_allows_online() -> None:
    assert tracking_mode(TrackingConfig(), {}) == "offline"
    assert tracking_mode(TrackingConfig(), {"COMET_API_KEY": KEY}) == "online"
    assert tracking_mode(TrackingConfig(mode="offline"), {"COMET_API_KEY": KEY}) == "offline"
    with pytest.raises(ConfigError, match="COMET_API_KEY is not set"):
        tracking_mode(TrackingConfig(mode="online"), {})


def test_secret_looking_variables_are_scrubbed_from_parameters() -> None:
    environ = {"MY_SERVICE_TOKEN": KEY, "DEBUG": "1", "HOME": "/root", "SHORT_KEY": "abc"}
    secrets = secret_values(environ)
    assert KEY in secrets and not {"1", "/root", "abc"} & set(secrets)
    config = RunConfig(
        name="scrub",
        run_dir=f"/data/{KEY}/run",
        languages=("hy",),
        syndarin=SyndarinConfig(mining=MiningConfig(paired_path="pairs.jsonl")),
    )
    params = run_parameters(config, secrets)
    assert params["run_dir"] == "/data/***/run"
    assert params["syndarin.mining.paired_path"] == "pairs.jsonl"
    assert params["languages"] == '["hy"]'
    assert KEY not in str(params)
    assert redact(f"x {KEY} y", secrets) == "x *** y"


def pair(i: int) -> ParallelPair:
    english = Document(id=f"en-{i}", language="en", title="Yerevan", text="Yerevan is old.")
    armenian = Document(id=f"hy-{i}", language="hy", title="Երևան", text="Երևանը հին է։")
    return ParallelPair(
        id=f"pair-{i}", source=english, target=armenian, length_ratio=1.0, alignment_score=0.5
    )


def test_window_counts_only_this_attempt_and_the_table_holds_both_outcomes(
    tmp_path: Path,
) -> None:
    store = RunStore(str(tmp_path / "run"))
    outcome = ShardOutcome[ParallelPair](
        n_input=2,
        accepted=(pair(0),),
        rejected=(
            Rejected[ParallelPair](
                stage="syndarin.mine",
                record=pair(1),
                verdicts=(
                    Verdict(validator="length_ratio", keep=False, reason="length_ratio.high"),
                ),
            ),
        ),
        usage=Usage(prompt_tokens=10, completion_tokens=5, requests=1),
    )
    store.write_shard("syndarin.mine", "hy", 0, outcome, ParallelPair)
    before = committed_shards(store)
    store.write_shard("syndarin.mine", "hy", 1, outcome, ParallelPair)
    window = run_window(store, before, wall_s=2.0)
    assert (window.shards, window.records, window.usage.requests) == (1, 2, 1)

    report = build_report(store)
    metrics = run_metrics(report, window, export=None)
    assert metrics["syndarin.mine/hy/input"] == 4
    assert metrics["syndarin.mine/hy/yield"] == 0.5
    assert metrics["syndarin.mine/hy/reason/length_ratio.high"] == 2
    assert metrics["throughput/tokens_per_s"] == 7.5
    assert metrics["total/requests"] == 2

    rows = sample_table(store, report, per_group=1)
    assert [(r[2], r[3], r[4]) for r in rows] == [
        ("accepted", "", "pair-0"),
        ("rejected", "length_ratio.high", "pair-1"),
    ]
