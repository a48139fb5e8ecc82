"""No secret value reaches a stored text, even when the upstream echoes it: an endpoint that
answers 401 quoting the API key, or 500 echoing the request's Authorization header.

`scrub` (schemas/secrets.py) knows the values read through the secret readers and those of
secret environment variables; `Failed` scrubs its texts when it is made. End to end, a real
`babelforge run` against a proxy in front of the real llama.cpp server (the proxy is what
answers the errors, since the real server cannot on demand), then a scan of every file the
run directory and Prefect's home hold.
"""

import logging
import os
import sys
from pathlib import Path

import pytest
import yaml

from babelforge.generators.embedded import EmbeddedServer
from babelforge.schemas.config import LLMConfig
from babelforge.schemas.secrets import scrub, scrub_logs, secret_values
from babelforge.schemas.verdict import Failed
from tests.generators.fault_proxy import FaultProxy
from tests.processes import run_bounded

# The variable's name looks like no secret, so only the config's api_key_env tells.
KEY_ENV = "LLM_ACCESS_FOR_RUN"
KEY = "sk-bftest-echoedKey-3c2b1a0f9e8d"
SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "wikipedia"
BABELFORGE = str(Path(sys.executable).with_name("babelforge"))


def test_a_key_read_through_the_config_is_scrubbed_from_failed_records() -> None:
    config = LLMConfig(backend="openai", base_url="http://127.0.0.1:9/v1", api_key_env=KEY_ENV)
    assert config.api_key({KEY_ENV: KEY}) is not None
    failed = Failed(
        stage="syndarin.generate",
        input_id="pair-1",
        reason="llm.request_failed",
        error=f"HTTP 401: Incorrect API key provided: {KEY}",
        raw_text=f"echo {KEY}",
    )
    assert failed.error == "HTTP 401: Incorrect API key provided: ***"
    assert failed.raw_text == "echo ***"
    assert KEY not in Failed.model_validate_json(failed.model_dump_json()).model_dump_json()


def test_values_of_known_and_secret_looking_variables_are_scrubbed_short_ones_not() -> None:
    environ = {"HF_TOKEN": "hf_abcdefgh12345", "MY_PASSWORD": "hunter2hunter2", "DEBUG": "1"}
    assert scrub("hf_abcdefgh12345 / hunter2hunter2 / 1", environ) == "*** / *** / 1"
    assert "1" not in secret_values(environ)


def test_log_records_reaching_a_handler_are_scrubbed_message_and_traceback() -> None:
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(logging.Formatter().format(record))

    logger = logging.getLogger("babelforge.tests.scrub")
    handler = Keep()
    logger.addHandler(handler)
    try:
        scrub_logs(["babelforge.tests.scrub"])
        LLMConfig(api_key_env=KEY_ENV).api_key({KEY_ENV: KEY})
        try:
            raise RuntimeError(f"upstream said {KEY}")
        except RuntimeError:
            logger.exception("retrying after HTTP 500: %s", KEY)
    finally:
        logger.removeHandler(handler)
    (text,) = records
    assert "retrying after HTTP 500: ***" in text and "upstream said ***" in text
    assert KEY not in text


def files_containing(root: Path, needle: bytes) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]


@pytest.mark.parametrize(
    "status, body",
    [
        (401, f"Incorrect API key provided: {KEY}. You can find your API key at ..."),
        (500, f"upstream failed; request headers were Authorization: Bearer {KEY}"),
    ],
)
def test_an_upstream_error_quoting_the_key_leaves_it_in_no_stored_file(
    embedded_server: EmbeddedServer, tmp_path: Path, status: int, body: str
) -> None:
    run_dir = tmp_path / "run"
    config = {
        "name": "scrub-test",
        "run_dir": str(run_dir),
        "languages": ["hy"],
        "llm": {
            "backend": "openai",
            "model": embedded_server.model,
            "api_key_env": KEY_ENV,
            "structured_output": "json_object",
            "max_retries": 0,
            "parse_retries": 0,
        },
        "syndarin": {
            "questions_per_paragraph": 1,
            "mining": {
                "source_paths": [str(SAMPLES / "en.parquet")],
                "target_paths": {"hy": [str(SAMPLES / "hy.parquet")]},
                "langlinks_path": str(SAMPLES / "langlinks.tsv"),
                "max_pairs": 1,
            },
        },
        "tracking": {"mode": "offline"},
    }
    with FaultProxy(embedded_server.base_url, always=(status, body)).running() as proxy:
        config["llm"]["base_url"] = proxy.base_url  # type: ignore[index]
        path = tmp_path / "scrub.yaml"
        path.write_text(yaml.safe_dump(config), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k != "COMET_API_KEY"}
        env |= {KEY_ENV: KEY, "PREFECT_HOME": str(tmp_path / "prefect"), "COLUMNS": "200"}
        done = run_bounded([BABELFORGE, "run", str(path)], env=env, timeout_s=420)
        assert proxy.requests >= 1, done.stdout  # the endpoint did echo the key
    assert (run_dir / "config.yaml").is_file(), done.stdout
    assert files_containing(run_dir, KEY.encode()) == []
    assert files_containing(tmp_path / "prefect", KEY.encode()) == []
    assert KEY not in done.stdout
