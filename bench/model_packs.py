"""Speed of each installed model pack on this machine, side by side, and a German sample.

Each pack is served in turn by the embedded llama.cpp server (one at a time) and asked the
same short requests as `babelforge check-endpoint`; tokens/s are printed with the ratio to
the first pack measured, since a shared machine's absolute figures move from run to run.
Not a test.

    .venv/bin/python -m bench.model_packs [--packs NAME ...] [--threads 2]
"""

import argparse
import tempfile
from pathlib import Path

import httpx

from babelforge.generators.embedded import EmbeddedServer
from babelforge.generators.endpoint_check import check_endpoint
from babelforge.generators.model_packs import PACKS, missing_parts, resolve

_GERMAN = (
    "Translate into German. Reply with the translation only.\n"
    "Mount Aragats is the highest peak of Armenia; the Byurakan Observatory stands on its slopes."
)


def measure(name: str, threads: int) -> tuple[float, float, str, str]:
    """Serve one pack; return (tokens/s, 1-token latency, the mode auto picks, a German line)."""
    pack = next(p for p in PACKS if p.name == name)
    log = Path(tempfile.mkdtemp()) / "server.log"
    with EmbeddedServer(resolve(pack), alias=pack.name, threads=threads, log_path=log) as server:
        report = check_endpoint(server.base_url, server.model)
        reply = httpx.post(
            f"{server.base_url}/chat/completions",
            json={
                "messages": [{"role": "user", "content": _GERMAN}],
                "max_tokens": 60,
                "temperature": 0.0,
            },
            timeout=300,
        ).json()
    text = reply["choices"][0]["message"]["content"].strip().replace("\n", " ")
    return report.tokens_per_s, report.latency_s, report.chosen, text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    installed = [p.name for p in PACKS if not missing_parts(p)]
    parser.add_argument("--packs", nargs="*", default=installed)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    rows = [(name, *measure(name, args.threads)) for name in args.packs]
    base = rows[0][1] or 1.0
    print(f"{'pack':32} {'tok/s':>7} {'ratio':>6} {'latency':>8} {'auto':>12}  German sample")
    for name, speed, latency, mode, text in rows:
        print(f"{name:32} {speed:7.1f} {speed / base:6.2f} {latency:7.2f}s {mode:>12}  {text}")


if __name__ == "__main__":
    main()
