"""How long a run takes to stop once its endpoint dies mid-run, with the default timeouts.

Starts the embedded llama.cpp server behind the test suite's fault proxy and runs
`babelforge run` (instructions, one language) through it; once the proxy has relayed N replies
the endpoint dies, either hanging (accepts connections, never answers: /models included) or
refusing connections (the proxy is shut down). Prints the seconds from the death to the run's
exit, the exit code and the last line. Goal (issue 13): under 60 s, exit code 3. Not a test.

    .venv/bin/python -m bench.outage [--after 4]
"""

import argparse
import subprocess
import tempfile
import time
from pathlib import Path

import yaml

from babelforge.generators.embedded import EmbeddedServer
from tests.generators.fault_proxy import FaultProxy

REPO = Path(__file__).resolve().parents[1]


def _config(work: Path, base_url: str, model: str, name: str) -> Path:
    config = {
        "name": name,
        "run_dir": str(work / name),
        "languages": ["de"],
        "shard_size": 1,
        "llm": {
            "backend": "openai",
            "base_url": base_url,
            "model": model,
            "structured_output": "json_object",
            "sampling": {"temperature": 0.3, "max_tokens": 24, "seed": 0},
        },
        "instructions": {
            "input_paths": [str(REPO / "samples" / "instructions" / "alpaca.json")],
            "shape": "alpaca",
            "max_records": 6,
            "max_tokens": 24,
        },
        "export": {"enabled": False},
        "tracking": {"enabled": False},
    }
    path = work / f"{name}.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def stop_time(server: EmbeddedServer, work: Path, how: str, after: int) -> tuple[float, int, str]:
    """(seconds from the endpoint's death to the run's exit, exit code, last line)."""
    proxy = FaultProxy(server.base_url, every=10**9, hang_after=after if how == "hang" else None)
    with proxy.running():
        config = _config(work, proxy.base_url, server.model, how)
        run = subprocess.Popen(
            [str(REPO / ".venv" / "bin" / "babelforge"), "run", str(config)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=REPO,
        )  # fmt: skip
        while proxy.forwarded < after and run.poll() is None:
            time.sleep(0.05)
        if how == "hang":
            died = time.monotonic()
            output, _ = run.communicate(timeout=900)
    if how == "refuse":  # the proxy's server is shut: connections are refused from now on
        died = time.monotonic()
        output, _ = run.communicate(timeout=900)
    lines = [line for line in output.splitlines() if line.strip()]
    return time.monotonic() - died, run.returncode, lines[-1] if lines else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--after", type=int, default=4, help="replies before the endpoint dies")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bf-outage-"))
    with EmbeddedServer(log_path=work / "llm.log") as server:
        for how in ("hang", "refuse"):
            seconds, code, last = stop_time(server, work, how, args.after)
            print(f"{how:>6}: exit {code} {seconds:5.1f} s after the endpoint died | {last[:160]}")


if __name__ == "__main__":
    main()
