"""Does the QA judge catch a marked answer that is not the answer? NTREX-built items.

Items come from NTREX-128 as in bench/validators_ntrex.py (a window of 6 sentences of a
document as the target paragraph, one of them the correct option, three sentences of other
documents the distractors, the answer at a rotating position), with one change: NTREX has
no questions, so each item asks "Which of these sentences is in the paragraph?" (in the
target language), which only the paragraph answers. Per language, three sets:

- clean: the judge should keep it (a drop is a false reject);
- answer_is_distractor: the marked index moved to a distractor;
- answer_wrong_phrase: the correct option replaced by a sentence of the same document that
  is not in the paragraph (a wrong phrase on topic; with this question a phrase of the
  paragraph itself would be a right answer, so it comes from outside the window).

Printed: the clean keep rate and the catch rate of each corruption per language, and the
share of options the judge picks at each position (a tiny model picks by position). The
judge runs on the embedded model unless `--base-url` names an OpenAI-compatible endpoint.

    .venv/bin/python -m bench.judges_qa [--per-language 12] [--base-url URL --model NAME]
"""

import argparse
import asyncio
import random
import sys
from collections import Counter
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

from babelforge.generators.embedded import EmbeddedServer
from babelforge.generators.endpoint_probe import resolve_structured
from babelforge.generators.judges.qa_judge import QAJudge
from babelforge.generators.openai_client import OpenAICompatibleClient, StructuredWire
from babelforge.schemas.records import TranslatedMCQ
from babelforge.schemas.verdict import Verdict
from bench.validators_ntrex import DEFAULT_DATA, LANGUAGES, build, load_corpus, make_items

QUESTION = {
    "deu": "Welcher dieser Sätze steht im Absatz?",
    "spa": "¿Cuál de estas oraciones aparece en el párrafo?",
    "hin": "इनमें से कौन-सा वाक्य अनुच्छेद में है?",
}
ENGLISH = "Which of these sentences is in the paragraph?"
SETS = ("clean", "answer_is_distractor", "answer_wrong_phrase")


def item_sets(
    root: Path, per_language: int, seed: int, languages: Sequence[str]
) -> dict[str, dict[str, list[TranslatedMCQ]]]:
    """Per language, the clean items and their two corrupted copies."""
    corpus = load_corpus(root)
    items = make_items(corpus, 1, random.Random(seed))
    random.Random(seed).shuffle(items)
    out: dict[str, dict[str, list[TranslatedMCQ]]] = {}
    for lang in languages:
        question = QUESTION[lang]
        sets: dict[str, list[TranslatedMCQ]] = {name: [] for name in SETS}
        for n, item in enumerate(items[:per_language]):
            clean = build(corpus, item, lang, "other_docs", n).model_copy(
                update={"question": question, "source_question": ENGLISH,
                        "back_translated_question": ENGLISH}
            )  # fmt: skip
            i = clean.answer_index
            wrong = corpus.lines[lang][item.question]  # same document, outside the window
            options = (*clean.options[:i], wrong, *clean.options[i + 1 :])
            sets["clean"].append(clean)
            sets["answer_is_distractor"].append(
                clean.model_copy(update={"id": f"{clean.id}-d", "answer_index": (i + 1) % 4})
            )
            sets["answer_wrong_phrase"].append(
                clean.model_copy(update={"id": f"{clean.id}-w", "options": options})
            )
        out[LANGUAGES[lang]] = sets
    return out


async def judge_language(
    judge: QAJudge, by_set: dict[str, list[TranslatedMCQ]]
) -> dict[str, list[Verdict | None]]:
    """The judge's verdict on every item of one language's sets (None: no usable reply)."""
    found: dict[str, list[Verdict | None]] = {}
    for name, records in by_set.items():
        results = await asyncio.gather(*(judge.check(r) for r in records))
        found[name] = [r if isinstance(r, Verdict) else None for r in results]
    return found


def row(lang: str, by_set: dict[str, list[Verdict | None]], picks: Counter[str]) -> str:
    """One language's line of the table; counts the clean items' picked positions."""
    kept = [v is not None and v.keep for v in by_set["clean"]]
    caught = {name: [v is not None and not v.keep for v in by_set[name]] for name in SETS[1:]}
    unparsed = sum(v is None for vs in by_set.values() for v in vs)
    total = sum(len(vs) for vs in by_set.values())
    for v in by_set["clean"]:
        if v is not None and v.detail:
            picks[v.detail.split("option ")[1][0]] += 1
    return (
        f"{lang:<9} {_rate(kept):>10}  {_rate(caught['answer_is_distractor']):>17}  "
        f"{_rate(caught['answer_wrong_phrase']):>19}  {unparsed}/{total}"
    )


def _rate(flags: list[bool]) -> str:
    return f"{100 * sum(flags) / len(flags):5.1f}%" if flags else "   - "


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the ntrex128 folder")
    parser.add_argument("--per-language", type=int, default=12)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--languages", nargs="*", default=list(QUESTION), choices=list(QUESTION))
    parser.add_argument("--base-url", help="an OpenAI-compatible endpoint instead of embedded")
    parser.add_argument("--model", default="smollm2-135m-instruct")
    args = parser.parse_args(argv)
    if not (args.data / "DOCUMENT_IDS.tsv").exists():
        print(f"skipped: NTREX-128 not found at {args.data} (pass --data PATH)")
        return 0
    sets = item_sets(args.data, args.per_language, args.seed, args.languages)
    with ExitStack() as stack:
        if args.base_url:
            base_url, model, backend = args.base_url, args.model, "openai-compatible"
        else:
            server = stack.enter_context(EmbeddedServer(context_length=4096))
            base_url, model, backend = server.base_url, server.model, "llama.cpp"
        wire: StructuredWire = resolve_structured(base_url, model, "auto")  # what it accepts

        print(f"QA judge {model} on NTREX-128 items, {args.per_language} per language and set")
        print("language  clean kept  distractor caught  wrong phrase caught  unparsed", flush=True)
        picks: Counter[str] = Counter()

        async def run() -> None:
            client = OpenAICompatibleClient(
                base_url, model, backend=backend, structured=wire, max_concurrency=2
            )
            judge = QAJudge(client, parse_retries=1)
            try:
                for lang, by_set in sets.items():
                    print(row(lang, await judge_language(judge, by_set), picks), flush=True)
            finally:
                await client.aclose()

        asyncio.run(run())
    total_picks = sum(picks.values())
    if total_picks:
        shares = ", ".join(f"{k}: {100 * n / total_picks:.0f}%" for k, n in sorted(picks.items()))
        print(f"options picked on clean items (answers rotate evenly over 0-3): {shares}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
