"""HaluEval answer pairs -> FAVA-tagged samples -> translated: how many keep every span?

Reads `../shared/data/halueval/qa_one-turn_data.json` (HaluEval QA, JSONL of `knowledge,
question, right_answer, hallucinated_answer`; not part of the project, never used by tests),
tags each hallucinated answer where it departs from the right one (a word diff,
generators.hallucination.pairs), and translates the tagged answers with the embedded model
into each language, side by side in one run:

1. `protected`: every tag replaced by a numbered placeholder, restored afterwards (the
   recipe's way, generators.hallucination.translate_tagged);
2. `raw`: the tagged text sent as it is, tags and all (the naive way);
3. `copy` (control, no model): placeholders put in and restored around an identity
   "translation", which shows the protection machinery itself loses no span.

For each, per language: translations that came back, samples whose tags all survived in order
(`halluc_tags`), whose spans are usable (`spans`), in the target language (`langid`),
and kept by all three, with the drop reasons.

    .venv/bin/python -m bench.hallucination_halueval --sample 20 --languages de hy

Not a test. A response cache (`--cache`) makes a rerun free.
"""

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import asdict, dataclass
from pathlib import Path

from babelforge.generators.accounting import Accounting
from babelforge.generators.backends import chat_client
from babelforge.generators.cache_store import CacheSegment, open_segment
from babelforge.generators.embedded import EmbeddedServer
from babelforge.generators.hallucination.pairs import diff_spans
from babelforge.generators.hallucination.tags import render_tags
from babelforge.generators.hallucination.translate_tagged import TaggedSource, translate_tagged
from babelforge.generators.protect import protect, restore
from babelforge.generators.translate import LLMTranslator, Translation, Translator
from babelforge.schemas.base import stable_id
from babelforge.schemas.config import LLMConfig
from babelforge.schemas.hallucination_config import HallucinationConfig
from babelforge.schemas.outcome import ShardOutcome
from babelforge.schemas.provenance import SamplingParams
from babelforge.schemas.records import HallucinationSample
from babelforge.validators.base import BatchValidator, Validator
from babelforge.validators.suites import halluc_translate_suite

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "halueval"
FILE = "qa_one-turn_data.json"


def tagged_sources(path: Path, sample: int) -> list[TaggedSource]:
    """The first `sample` records whose hallucinated answer differs, tagged by word diff."""
    out: list[TaggedSource] = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            spans = diff_spans(row["right_answer"], row["hallucinated_answer"])
            if not spans:
                continue
            tagged = render_tags(row["hallucinated_answer"], spans)
            out.append(TaggedSource(id=stable_id("halueval", row["question"]), tagged=tagged))
            if len(out) == sample:
                break
    return out


@dataclass(frozen=True)
class Figures:
    """What one language and mode measured."""

    input: int
    translated: int
    failed: int
    every_span_intact: int
    langid_ok: int
    kept: int
    reasons: dict[str, int]
    seconds: float


def figures(outcome: ShardOutcome[HallucinationSample], seconds: float) -> Figures:
    """Count the translations, those whose tags and spans all passed, langid, and kept."""
    judged = [*outcome.accepted, *(r.record for r in outcome.rejected)]

    def passed(sample: HallucinationSample, *names: str) -> bool:
        return all(any(v.validator == n and v.keep for v in sample.verdicts) for n in names)

    return Figures(
        input=outcome.n_input,
        translated=len(judged),
        failed=len(outcome.failed),
        every_span_intact=sum(passed(s, "halluc_tags", "spans") for s in judged),
        langid_ok=sum(passed(s, "langid") for s in judged),
        kept=len(outcome.accepted),
        reasons=dict(Counter(outcome.reason_counts()).most_common()),
        seconds=round(seconds, 1),
    )


class CopyTranslator:
    """The control: protect the tags, "translate" by copying, restore (no model involved)."""

    name = "copy"
    prompt_version = None

    async def translate(
        self, texts: Sequence[str], source: str, target: str, *, stage: str = ""
    ) -> list[Translation]:
        out = []
        for text in texts:
            masked = protect(text, ("tag",))
            restored = restore(masked.text, masked)
            out.append(Translation(source=text, text=restored.text, restored=restored))
        return out


async def run(
    sources: list[TaggedSource],
    languages: list[str],
    server: EmbeddedServer,
    cache_dir: Path | None,
    max_tokens: int,
) -> dict[str, dict[str, Figures]]:
    config = LLMConfig(base_url=server.base_url, model=server.model, max_concurrency=2)
    suite = halluc_translate_suite(HallucinationConfig().validators, {})
    validators = [v for v in suite if isinstance(v, Validator | BatchValidator)]
    sampling = SamplingParams(temperature=0.0, max_tokens=max_tokens)
    results: dict[str, dict[str, Figures]] = {}
    segment: AbstractAsyncContextManager[CacheSegment | None] = (
        open_segment(str(cache_dir)) if cache_dir is not None else nullcontext()
    )
    async with (
        segment as cache,
        chat_client(config, cache=cache, accounting=Accounting()) as client,
    ):
        modes: dict[str, Translator] = {
            "copy": CopyTranslator(),
            "protected": LLMTranslator(
                client, sampling=sampling, parse_retries=0, protect_kinds=("tag",)
            ),
            "raw": LLMTranslator(client, sampling=sampling, parse_retries=0, protect_kinds=()),
        }
        for language in languages:
            results[language] = {}
            for mode, translator in modes.items():
                started = time.perf_counter()
                outcome = await translate_tagged(translator, sources, language, validators)
                results[language][mode] = figures(outcome, time.perf_counter() - started)
    return results


def print_table(results: dict[str, dict[str, Figures]]) -> None:
    print("lang | mode      | input | translated | every span intact | langid ok | kept     | s")
    for language, modes in results.items():
        for mode, f in modes.items():
            print(
                f"{language:4} | {mode:9} | {f.input:5} | {f.translated:10} | "
                f"{f.every_span_intact:3} ({f.every_span_intact / max(f.input, 1):4.0%})       | "
                f"{f.langid_ok:9} | {f.kept:3} ({f.kept / max(f.input, 1):4.0%}) | {f.seconds}"
            )
            print(f"    reasons: {f.reasons}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the halueval folder")
    parser.add_argument("--sample", type=int, default=20, help="tagged answers per language")
    parser.add_argument("--languages", nargs="+", default=["de", "hy"])
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--cache", type=Path, default=None, help="response cache folder")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    path = args.data / FILE
    if not path.exists():
        print(
            f"HaluEval data not found at {path}: this benchmark needs the shared data folder "
            "(../shared/data/halueval, or pass --data)",
            file=sys.stderr,
        )
        return 2
    sources = tagged_sources(path, args.sample)
    tags = sum(s.tagged.count("</") for s in sources)
    print(f"{len(sources)} tagged HaluEval answers ({tags} spans) from {path}")
    with EmbeddedServer(threads=2, log_path=Path(tempfile.mkdtemp()) / "server.log") as server:
        results = asyncio.run(run(sources, args.languages, server, args.cache, args.max_tokens))
    print_table(results)
    if args.json:
        data = {lang: {m: asdict(f) for m, f in modes.items()} for lang, modes in results.items()}
        args.json.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
