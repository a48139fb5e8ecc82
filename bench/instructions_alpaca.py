"""MITS/TaCo on the Stanford Alpaca seed tasks: validation throughput and broken spans.

Reads `../shared/data/alpaca-seed/seed_tasks.jsonl` (175 human-written tasks; not part of
the project, never used by tests) and measures, side by side in one run:

1. records/s through the full instruction validator suite (copy, protected, markdown,
   langid, length, round-trip chrF), in one process and in 2 worker processes (2 cores),
   next to the speed-up 2 processes get on a pure-Python loop (what the machine allows).
   Candidates are every seed with itself as translation and back-translation, plus the
   embedded model's real translations from part 2, repeated to `--repeat` passes;
2. for each prompt (`--prompts`), the share of records with protected spans (numbers,
   code, URLs, placeholders, tags) whose spans the embedded model's translation broke —
   as the translator itself saw it (placeholder markers lost, duplicated or reordered) —
   and the share `protected_spans` caught, with the reasons of the whole suite.

    .venv/bin/python -m bench.instructions_alpaca --sample 24 --language de

Not a test. A response cache (`--cache`) makes a rerun of part 2 free.
"""

import argparse
import asyncio
import multiprocessing
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from babelforge.generators.accounting import Accounting
from babelforge.generators.backends import chat_client
from babelforge.generators.cache_store import open_segment
from babelforge.generators.embedded import EmbeddedServer
from babelforge.generators.instructions.readers import read_instructions
from babelforge.generators.instructions.translate import protected_spans, translate_shard
from babelforge.generators.translate import LLMTranslator, Translation
from babelforge.schemas.config import LLMConfig
from babelforge.schemas.instructions_config import InstructionsConfig, InstructionValidatorSettings
from babelforge.schemas.provenance import SamplingParams
from babelforge.schemas.records import InstructionRecord
from babelforge.validators.instr_candidate import FIELDS, InstructionCandidate
from babelforge.validators.runner import apply_validators
from babelforge.validators.suites import instructions_suite

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "data" / "alpaca-seed" / "seed_tasks.jsonl"
KINDS: tuple[str, ...] = InstructionsConfig.model_fields["protect"].default


@dataclass(frozen=True)
class SpanFigures:
    """What part 2 measured for one prompt."""

    prompt: str
    records: int
    failed: int
    broken_by_model: int
    caught: int
    caught_of_broken: int
    reasons: dict[str, int]
    seconds: float


def identity_candidate(record: InstructionRecord, language: str) -> InstructionCandidate:
    """A candidate whose translation and back-translation are the English itself."""
    copy = record.model_copy(update={"language": language, "source_language": record.language})
    back = record.model_copy(update={"source_language": language})
    return InstructionCandidate(
        id=record.id,
        source=record,
        translation=copy,
        protected=protected_spans(record, KINDS),
        back_translation=back,
    )


def validate_chunk(chunk: Sequence[InstructionCandidate]) -> int:
    """Run the whole suite over one chunk; returns how many records it judged."""
    validators = instructions_suite(InstructionValidatorSettings(), {})
    outcome = apply_validators(chunk, validators, stage="bench")
    return outcome.n_input


_SHARED: list[InstructionCandidate] = []  # inherited by forked workers, never pickled


def _validate_range(bounds: tuple[int, int]) -> int:
    return validate_chunk(_SHARED[bounds[0] : bounds[1]])


def throughput(candidates: list[InstructionCandidate], workers: int, chunk: int = 100) -> float:
    """Records/s through the suite with `workers` forked processes (1: in this process)."""
    ranges = [(i, min(i + chunk, len(candidates))) for i in range(0, len(candidates), chunk)]
    _SHARED[:] = candidates
    if workers == 1:
        _validate_range(ranges[0])  # load the language-ID model before timing
        start = time.perf_counter()
        done = sum(_validate_range(r) for r in ranges)
        return done / (time.perf_counter() - start)
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        list(pool.map(_validate_range, [ranges[0]] * workers))  # warm the workers
        start = time.perf_counter()
        done = sum(pool.map(_validate_range, ranges))
        return done / (time.perf_counter() - start)


def _spin(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i
    return total


def machine_speedup(n: int = 3_000_000) -> float:
    """How much faster 2 processes run 4 pure-Python loops than one process does."""
    start = time.perf_counter()
    for _ in range(4):
        _spin(n)
    serial = time.perf_counter() - start
    with ProcessPoolExecutor(max_workers=2) as pool:
        list(pool.map(_spin, [10, 10]))
        start = time.perf_counter()
        list(pool.map(_spin, [n] * 4))
        return serial / (time.perf_counter() - start)


async def translate_sample(
    records: list[InstructionRecord],
    language: str,
    prompt: str,
    server: EmbeddedServer,
    cache_dir: Path,
) -> tuple[list[InstructionCandidate], int, list[list[Translation]]]:
    """Translate the sample with the embedded model; candidates, failures, per-field results."""
    config = LLMConfig(base_url=server.base_url, model=server.model, max_concurrency=2)
    sampling = SamplingParams(temperature=0.0, max_tokens=256, seed=0)
    async with (
        open_segment(str(cache_dir)) as cache,
        chat_client(config, cache=cache, accounting=Accounting()) as client,
    ):
        translator = LLMTranslator(
            client, sampling=sampling, parse_retries=1, protect_kinds=KINDS, prompt_id=prompt
        )
        outcome = await translate_shard(
            translator, records, language, stage="bench", protect_kinds=KINDS
        )
        fields = []
        for record in records:  # cache hits: the translator's own view of each placeholder
            texts = [getattr(record, f) for f in FIELDS]
            fields.append(await translator.translate(texts, record.language, language))
    return list(outcome.accepted), len(outcome.failed), fields


def span_figures(
    prompt: str,
    records: list[InstructionRecord],
    candidates: list[InstructionCandidate],
    fields: list[list[Translation]],
    failed: int,
    seconds: float,
) -> SpanFigures:
    broken = {
        r.id
        for r, translations in zip(records, fields, strict=True)
        if any(t.restored is not None and not t.restored.intact for t in translations)
    }
    settings = InstructionValidatorSettings(
        enabled=("copy", "protected_spans", "markdown", "langid", "length_ratio")
    )
    outcome = apply_validators(candidates, instructions_suite(settings, {}), stage="bench")
    caught = {
        r.record.id
        for r in outcome.rejected
        if any(v.validator == "protected_spans" and not v.keep for v in r.verdicts)
    }
    reasons: Counter[str] = Counter()
    for r in outcome.rejected:
        reasons.update(r.reasons)
    translated_ids = {c.source.id for c in candidates}
    return SpanFigures(
        prompt=prompt,
        records=len(records),
        failed=failed,
        broken_by_model=len(broken & translated_ids),
        caught=len(caught),
        caught_of_broken=len(caught & {c.id for c in candidates if c.source.id in broken}),
        reasons=dict(reasons.most_common()),
        seconds=seconds,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=Path, default=SEEDS)
    parser.add_argument("--sample", type=int, default=24, help="records the model translates")
    parser.add_argument("--language", default="de")
    parser.add_argument("--repeat", type=int, default=10, help="passes over the seeds, part 1")
    parser.add_argument("--cache", type=Path, default=None, help="response cache folder")
    parser.add_argument(
        "--prompts", nargs="+", default=["translate", "instructions_translate"], help="prompt ids"
    )
    args = parser.parse_args()
    if not args.seeds.exists():
        print(
            f"{args.seeds} not found: this benchmark needs the Alpaca seed tasks of "
            "../shared/data/alpaca-seed (see shared/data/README.md); pass --seeds PATH",
            file=sys.stderr,
        )
        return 2
    seeds = list(read_instructions([str(args.seeds)]))
    with_spans = [r for r in seeds if protected_spans(r, KINDS)][: args.sample]

    cache_path = args.cache or Path(tempfile.mkdtemp()) / "cache"
    figures: list[SpanFigures] = []
    translated_candidates: list[InstructionCandidate] = []
    with EmbeddedServer(threads=2, log_path=Path(tempfile.mkdtemp()) / "server.log") as server:
        for prompt in args.prompts:
            start = time.perf_counter()
            candidates, failed, fields = asyncio.run(
                translate_sample(with_spans, args.language, prompt, server, cache_path)
            )
            seconds = time.perf_counter() - start
            figures.append(span_figures(prompt, with_spans, candidates, fields, failed, seconds))
            translated_candidates += candidates

    pool = [identity_candidate(r, args.language) for r in seeds] + translated_candidates
    timed = pool * args.repeat
    one = throughput(timed, 1)
    two = throughput(timed, 2)
    machine = machine_speedup()

    print(f"seeds: {len(seeds)} records from {args.seeds}")
    print(f"part 1 - validation throughput over {len(timed)} candidates (6 validators):")
    print(f"  1 process : {one:8.1f} records/s")
    print(f"  2 workers : {two:8.1f} records/s  (x{two / one:.2f})")
    print(f"  machine   : 2 processes run pure Python x{machine:.2f} faster than 1")
    print(
        f"part 2 - embedded model -> {args.language}, {len(with_spans)} seeds with protected spans"
    )
    for f in figures:
        translated = f.records - f.failed
        print(f"  prompt {f.prompt} ({f.seconds:.0f}s):")
        print(f"    translation failed (no parseable reply): {f.failed}; translated: {translated}")
        if translated:
            print(
                f"    spans broken (translator's own marker check): {f.broken_by_model} "
                f"({f.broken_by_model / translated:.0%})"
            )
            print(
                f"    rejected by protected_spans: {f.caught} ({f.caught / translated:.0%}); "
                f"of the broken ones: {f.caught_of_broken}/{f.broken_by_model}"
            )
        print(f"    suite reasons (every failing verdict): {f.reasons}")
    print(f"  response cache: {cache_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
