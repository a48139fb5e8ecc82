"""Critical translation errors (MLQE-PE en-de ERR) caught with and without the MQM judge.

MLQE-PE's critical-error set labels each English/German machine translation ERR (at least
one catastrophic error, by majority of 3 annotators) or NOT. A balanced random sample of it is
judged three ways, the positive class being ERR (a filter's job is to drop it):

- the LLM-free translation checks (the instruction suite's family: copy, protected spans,
  markdown, language ID, numbers, length ratio; no back-translation, so no round trip);
- the MQM judge alone, at its default threshold and at the best-F1 threshold of the sample
  (in-sample, so an upper bound);
- both (a record is dropped when either drops it).

The judge runs on the embedded model (a tiny model: expect little) unless `--base-url` names
an OpenAI-compatible endpoint (a vLLM server on a GPU box). Not a test; figures, side by side.

    .venv/bin/python -m bench.judges_mlqe [--n 40] [--base-url URL --model NAME]
"""

import argparse
import asyncio
import csv
import random
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

from babelforge.annotation.metrics import confusion
from babelforge.flows.calibration import Labeled, calibrate
from babelforge.generators.embedded import EmbeddedServer
from babelforge.generators.endpoint_probe import resolve_structured
from babelforge.generators.judges.mqm_judge import MQM_SAMPLING, MQMJudge
from babelforge.generators.openai_client import OpenAICompatibleClient, StructuredWire
from babelforge.schemas.instructions_config import InstructionValidatorSettings
from babelforge.schemas.records import InstructionRecord
from babelforge.schemas.verdict import Verdict
from babelforge.validators.instr_candidate import InstructionCandidate
from babelforge.validators.runner import apply_validators
from babelforge.validators.suites import instructions_suite
from babelforge.validators.views import instruction_view

DEFAULT_DATA = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "mlqe-pe-critical-errors"
    / "ende_majority_train.tsv"
)


def read_sample(path: Path, n: int, seed: int) -> list[tuple[InstructionCandidate, bool]]:
    """`n` pairs, half ERR and half NOT, as one-field candidates with their label (True: ERR)."""
    rows: dict[str, list[list[str]]] = {"ERR": [], "NOT": []}
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(row) == 5 and row[4] in rows:
                rows[row[4]].append(row)
    rng = random.Random(seed)
    picked = rng.sample(rows["ERR"], n // 2) + rng.sample(rows["NOT"], n - n // 2)
    rng.shuffle(picked)
    out = []
    for pid, english, german, _, label in picked:
        source = InstructionRecord(id=f"mlqe-{pid}", language="en", instruction=english, output="")
        target = source.model_copy(update={"language": "de", "instruction": german})
        out.append(
            (InstructionCandidate(id=source.id, source=source, translation=target), label == "ERR")
        )
    return out


def figures(name: str, dropped: Sequence[bool], bad: Sequence[bool]) -> str:
    c = confusion((d, b, 1.0) for d, b in zip(dropped, bad, strict=True))
    p, r, f = (f"{x:.2f}" if x is not None else "  - " for x in (c.precision, c.recall, c.f1))
    return f"{name:<34} dropped {c.tp + c.fp:>3}/{c.n:<3}  P {p}  R {r}  F1 {f}"


async def judge_all(
    client: OpenAICompatibleClient, records: list[InstructionCandidate], max_tokens: int
) -> list[Verdict | None]:
    judge = MQMJudge(
        client,
        instruction_view,
        parse_retries=1,
        sampling=MQM_SAMPLING.model_copy(update={"max_tokens": max_tokens}),
    )
    results = await asyncio.gather(*(judge.check(r) for r in records))
    return [r if isinstance(r, Verdict) else None for r in results]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--n", type=int, default=40, help="pairs (half ERR, half NOT)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--max-tokens", type=int, default=256, help="of one judge reply")
    parser.add_argument("--base-url", help="an OpenAI-compatible endpoint instead of embedded")
    parser.add_argument("--model", default="smollm2-135m-instruct")
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(f"skipped: MLQE-PE not found at {args.data} (pass --data PATH)")
        return 0
    sample = read_sample(args.data, args.n, args.seed)
    records = [c for c, _ in sample]
    bad = [b for _, b in sample]
    settings = InstructionValidatorSettings()
    enabled = tuple(n for n in settings.enabled if n != "roundtrip_chrf")
    cheap = instructions_suite(settings.model_copy(update={"enabled": enabled}), {})
    outcome = apply_validators(records, cheap, stage="bench")
    kept = {r.id for r in outcome.accepted}
    cheap_drops = [r.id not in kept for r in records]
    with ExitStack() as stack:
        if args.base_url:
            base_url, model, backend = args.base_url, args.model, "openai-compatible"
        else:
            server = stack.enter_context(EmbeddedServer(context_length=2048))
            base_url, model, backend = server.base_url, server.model, "llama.cpp"
        wire: StructuredWire = resolve_structured(base_url, model, "auto")  # what it accepts

        async def run() -> list[Verdict | None]:
            client = OpenAICompatibleClient(
                base_url, model, backend=backend, structured=wire, max_concurrency=2
            )
            try:
                return await judge_all(client, records, args.max_tokens)
            finally:
                await client.aclose()

        verdicts = asyncio.run(run())
    judged = [v is not None for v in verdicts]
    mqm_drops = [v is not None and not v.keep for v in verdicts]
    print(f"MLQE-PE en-de critical errors: {len(records)} pairs ({sum(bad)} ERR), judge {model}")
    print(f"MQM judge replies that parsed: {sum(judged)}/{len(records)} (the rest: kept)\n")
    print(figures("LLM-free checks", cheap_drops, bad))
    print(figures("MQM judge (min score -10)", mqm_drops, bad))
    points = [Labeled(score=v.score or 0.0, bad=b) for v, b in zip(verdicts, bad, strict=True) if v]
    best = calibrate(points, 1.0, "above").after if points else None
    if best is not None:
        cut = [v is not None and (v.score or 0.0) < best.threshold for v in verdicts]
        print(figures(f"MQM judge (best F1: {best.threshold:g})", cut, bad))
    both = [a or b for a, b in zip(cheap_drops, mqm_drops, strict=True)]
    print(figures("LLM-free checks + MQM judge", both, bad))
    print(figures("everything dropped (baseline)", [True] * len(bad), bad))
    scores = [v.score for v in verdicts if v is not None and v.score is not None]
    if scores:
        print(
            f"\nMQM scores: min {min(scores):g}, max {max(scores):g}, "
            f"mean {sum(scores) / len(scores):.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
