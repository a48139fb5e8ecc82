"""Every way a command ends is an exit code a script can test and, for a user error, one
literal line on stderr: no traceback, no Prefect log, the file and line named."""

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

import pytest
import typer
from typer.testing import CliRunner

from babelforge.flows.cli import app, guarded, user_error
from babelforge.generators.errors import EndpointError
from babelforge.schemas.errors import InputError
from babelforge.schemas.outcome import ShardOutcome
from tests.processes import run_bounded

REPO = Path(__file__).resolve().parents[2]
ALPACA = REPO / "samples" / "instructions" / "alpaca.json"
BABELFORGE = str(Path(sys.executable).with_name("babelforge"))
runner = CliRunner()


def instructions_config(tmp_path: Path, run_dir: Path, inputs: Path, records: int = 2) -> Path:
    """A small instructions run on the embedded model."""
    config = tmp_path / "run.yaml"
    config.write_text(
        f"name: cli-errors\nrun_dir: {run_dir}\nsource_language: en\nlanguages: [de]\n"
        "llm:\n  backend: embedded\n  sampling:\n    max_tokens: 16\n"
        f"instructions:\n  input_paths: [{inputs}]\n  shape: alpaca\n  max_records: {records}\n",
        encoding="utf-8",
    )
    return config


def babelforge_run(
    config: Path, env: Mapping[str, str] = os.environ, timeout_s: float = 240
) -> subprocess.CompletedProcess[str]:
    return run_bounded([BABELFORGE, "run", str(config)], env=env, timeout_s=timeout_s)


class Ended(NamedTuple):
    """A real `babelforge run` that ended in a user error, and the path its line must name."""

    named: Path
    result: subprocess.CompletedProcess[str]


@pytest.fixture(scope="module")
def user_errors(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Ended]:
    """Real `babelforge run`s that each end in a user error inside the flow, once Prefect's
    ephemeral server is up. Most of each is start-up, so they run side by side; each is a
    process of its own with its own PREFECT_HOME, and shows exactly what a user sees."""
    root = tmp_path_factory.mktemp("user-errors")
    taken = root / "taken"
    taken.write_text("not a folder\n")
    read_only = root / "read-only"
    read_only.mkdir()
    read_only.chmod(0o555)
    # root writes anywhere: then use a path the kernel refuses
    refused = (Path("/sys") if os.access(read_only, os.W_OK) else read_only) / "run"
    seeds = root / "seeds.json"
    seeds.write_bytes(
        b'[{"instruction": "Say hi", "input": "", "output": "Hi"},\n'
        b'{"instruction": "Caf\xe9", "input": "", "output": "x"}]\n'
    )
    cases = {  # name: (run_dir, inputs, the path the error line names)
        "run_dir_is_a_file": (taken, ALPACA, taken),
        "read_only_run_dir": (refused, ALPACA, refused),
        "bad_byte_in_seeds": (root / "bad-byte" / "run", seeds, seeds),
    }

    def end(name: str, run_dir: Path, inputs: Path) -> subprocess.CompletedProcess[str]:
        case = root / name
        case.mkdir()
        env = {**os.environ, "PREFECT_HOME": str(case / "prefect")}
        return babelforge_run(instructions_config(case, run_dir, inputs), env=env)

    try:
        with ThreadPoolExecutor(len(cases)) as pool:
            running = {
                name: pool.submit(end, name, run_dir, inputs)
                for name, (run_dir, inputs, _) in cases.items()
            }
            return {name: Ended(cases[name][2], run.result()) for name, run in running.items()}
    finally:
        read_only.chmod(0o755)


def one_line(output: str) -> str:
    lines = output.splitlines()
    assert len(lines) == 1, output
    assert "Traceback" not in output
    return lines[0]


def test_a_yaml_error_prints_literally_on_one_line_with_the_line_it_opened_on(
    tmp_path: Path,
) -> None:
    config = tmp_path / "run.yaml"
    config.write_text("name: x\nrun_dir: out/x\nlanguages: [de\n", encoding="utf-8")
    result = runner.invoke(app, ["run", str(config)])
    assert result.exit_code == 2
    line = one_line(result.output)
    assert line.startswith(f"error: {config}:3: not valid YAML")
    assert "'languages: [de'" in line


def test_a_yaml_error_line_number_counts_from_one(tmp_path: Path) -> None:
    config = tmp_path / "run.yaml"
    config.write_text("name: x\nrun_dir: out/x\n  bad: indent\n", encoding="utf-8")
    result = runner.invoke(app, ["run", str(config)])
    assert result.exit_code == 2
    assert one_line(result.output).startswith(f"error: {config}:3: ")


def test_a_config_with_a_bom_loads_and_one_with_a_bad_byte_names_its_line(tmp_path: Path) -> None:
    config = tmp_path / "run.yaml"
    config.write_bytes(b"\xef\xbb\xbfname: x\nrun_dir: out/x\nlanguages: [Armenian]\n")
    result = runner.invoke(app, ["run", str(config)])
    assert "run.yaml:3: field 'languages.0'" in one_line(result.output)  # the BOM was read
    config.write_bytes(b"name: x\nrun_dir: out/\xe9\n")
    result = runner.invoke(app, ["run", str(config)])
    assert result.exit_code == 2
    line = one_line(result.output)
    assert line.startswith(f"error: {config}: cannot read the config (line 2: not valid UTF-8")


def test_verbose_adds_the_traceback(tmp_path: Path) -> None:
    config = tmp_path / "run.yaml"
    config.write_text("name: x\n  bad: indent\n", encoding="utf-8")
    result = runner.invoke(app, ["--verbose", "run", str(config)])
    assert result.exit_code == 2
    assert "Traceback" in result.output
    assert result.output.rstrip().splitlines()[-1].startswith(f"error: {config}:2: ")


def test_an_endpoint_error_wins_over_other_errors_of_a_stage_group() -> None:
    endpoint = EndpointError("http://127.0.0.1:9/v1", "connection refused", "start the server")
    group = ExceptionGroup("stages", [InputError("a.jsonl: line 3: bad"), endpoint])
    assert user_error(ExceptionGroup("run", [group])) is endpoint
    assert user_error(ExceptionGroup("run", [KeyError("bug")])) is None


def test_raw_path_errors_become_a_line_naming_the_path() -> None:
    error = user_error(PermissionError(13, "Permission denied", "/data/run"))
    assert error is not None and error.exit_code == 2
    assert str(error).startswith("/data/run: Permission denied")
    error = user_error(FileExistsError(17, "File exists", "/data/run"))
    assert error is not None and "a file is where a folder should be" in str(error)


def test_a_stage_that_does_not_balance_exits_4() -> None:
    def unbalanced() -> None:
        ShardOutcome(n_input=2)

    with pytest.raises(typer.Exit) as stopped:
        guarded(unbalanced)()
    assert stopped.value.exit_code == 4


@pytest.mark.slow
def test_a_run_directory_that_is_a_file_ends_in_one_line_naming_it(
    user_errors: dict[str, Ended],
) -> None:
    run_dir, result = user_errors["run_dir_is_a_file"]
    assert result.returncode == 2
    assert one_line(result.stdout).startswith(f"error: {run_dir}: a file is where a folder")


@pytest.mark.slow
def test_a_read_only_run_directory_ends_in_one_line_naming_it(
    user_errors: dict[str, Ended],
) -> None:
    run_dir, result = user_errors["read_only_run_dir"]
    assert result.returncode == 2
    line = one_line(result.stdout)
    assert line.startswith(f"error: {run_dir}") and "check the path and its permissions" in line


@pytest.mark.slow
def test_a_bad_byte_in_an_instructions_file_names_file_and_line(
    user_errors: dict[str, Ended],
) -> None:
    seeds, result = user_errors["bad_byte_in_seeds"]
    assert result.returncode == 2
    assert one_line(result.stdout).startswith(f"error: {seeds}: line 2: not valid UTF-8")


@pytest.mark.slow
def test_sigterm_stops_a_run_that_then_resumes(tmp_path: Path) -> None:
    config = instructions_config(tmp_path, tmp_path / "run", ALPACA, records=1)
    process = subprocess.Popen(
        [BABELFORGE, "run", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    watchdog = threading.Timer(300, process.kill)  # bounds the read loop below
    watchdog.start()
    try:
        assert process.stderr is not None
        seen = []
        for line in process.stderr:
            seen.append(line)
            if "structured output" in line:  # the LLM is serving: requests are in flight
                break
        asked = time.monotonic()
        process.send_signal(signal.SIGTERM)
        _, rest = process.communicate(timeout=60)
        print(f"SIGTERM to exit: {time.monotonic() - asked:.1f} s")
    finally:
        watchdog.cancel()
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    output = "".join(seen) + rest
    assert process.returncode == 143, output
    assert output.rstrip().splitlines()[-1].startswith("stopped by SIGTERM"), output
    assert "Traceback" not in output
    resumed = babelforge_run(config)
    assert resumed.returncode == 0, resumed.stdout
    assert "report:" in resumed.stdout
