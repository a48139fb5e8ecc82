"""What each translation-validation filter catches, on NTREX-128 documents (not a test).

Builds SynDARin-shaped items from NTREX-128 (English news documents with professional
translations, line-aligned): for each document, language and item,

- target paragraph: a window of consecutive target sentences of the document;
- correct option: a target sentence inside the window; distractors: target sentences of the
  same document outside the window (on topic, so they share names with the paragraph), or of
  other documents when the document is too short;
- question: another target sentence of the document; `source_question`/`source_options`:
  the aligned English sentences;
- back-translation: an oracle, the English aligned to whatever target text the item holds
  (after corruption, the English corrupted the same way), so round-trip chrF is measured for
  its sensitivity to content change, without MT noise (its clean false-rejection is 0 by
  construction).

Corrupted copies of every clean item: the paragraph swapped with another document's, the
question and options swapped with another document's item, question and options truncated
to 40%, left untranslated (English), replaced by another NTREX language, numbers changed.
For each validator and for the suite: the share of each corruption caught and the share of
clean items wrongly rejected; then throughput (records/s), one process and two processes.
near_duplicate judges each set as one batch: it targets repeated questions, not these
corruptions, so only its clean column says much.

    .venv/bin/python -m bench.validators_ntrex [--data ../shared/data/ntrex128]
"""

import argparse
import os
import random
import re
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from babelforge.schemas.config import ValidatorSettings
from babelforge.schemas.records import TranslatedMCQ
from babelforge.schemas.verdict import Verdict
from babelforge.validators.base import BatchValidator, Validator
from babelforge.validators.mcq_suite import mcq_validators
from babelforge.validators.runner import apply_validators

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "ntrex128"
LANGUAGES = {"hye": "hy", "deu": "de", "hin": "hi", "spa": "es", "swa": "sw", "ben": "bn"}
# The language each target is replaced by in the `other_language` corruption.
OTHER = {"hye": "hin", "deu": "spa", "hin": "ben", "spa": "deu", "swa": "spa", "ben": "hin"}
WINDOW = 6
TRUNCATE_TO = 0.4
CORRUPTIONS = (
    "swapped_paragraph",
    "swapped_translation",
    "truncated",
    "untranslated",
    "other_language",
    "numbers_changed",
)
PER_RECORD = (
    "options",
    "langid",
    "answer_match",
    "roundtrip_chrf",
    "length_ratio",
    "numbers",
)
DEFAULT_SUITE = tuple(
    n for n in ValidatorSettings().enabled if n not in {"near_duplicate", "llm_judge"}
)
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class Corpus:
    """NTREX lines per language (ISO 639-3 keys, 'eng' included) and document spans."""

    lines: dict[str, list[str]]
    documents: list[tuple[str, int, int]]  # (doc id, first line, end line)


@dataclass(frozen=True)
class Item:
    """Line numbers of one item: question, correct option, distractors, paragraph window."""

    doc: int
    question: int
    answer: int
    distractors: tuple[int, int, int]
    window: tuple[int, int]


def load_corpus(root: Path) -> Corpus:
    """Read the English source, the references and DOCUMENT_IDS.tsv."""
    lines = {"eng": _read(root / "newstest2019-src.eng.txt")}
    for code in LANGUAGES:
        lines[code] = _read(root / f"newstest2019-ref.{code}.txt")
    doc_ids = [line.split("\t")[0] for line in _read(root / "DOCUMENT_IDS.tsv")]
    documents: list[tuple[str, int, int]] = []
    start = 0
    for i in range(1, len(doc_ids) + 1):
        if i == len(doc_ids) or doc_ids[i] != doc_ids[start]:
            documents.append((doc_ids[start], start, i))
            start = i
    return Corpus(lines, documents)


def _read(path: Path) -> list[str]:
    return path.read_text("utf-8").splitlines()


def make_items(corpus: Corpus, per_doc: int, rng: random.Random) -> list[Item]:
    """Pick up to `per_doc` items per document of at least 4 sentences, each with its own
    question sentence (so that no two items of the set ask the same question)."""
    items: list[Item] = []
    all_lines = range(len(corpus.lines["eng"]))
    for d, (_, start, end) in enumerate(corpus.documents):
        if end - start < 4:
            continue
        questions = rng.sample(range(start, end), min(per_doc, end - start))
        for question in questions:
            w_start = rng.randrange(start, max(start + 1, end - WINDOW + 1))
            window = (w_start, min(end, w_start + WINDOW))
            answer = rng.choice([i for i in range(*window) if i != question])
            outside = [i for i in range(start, end) if not window[0] <= i < window[1]]
            outside = [i for i in outside if i != question]
            rng.shuffle(outside)
            picked = outside[:3]
            while len(picked) < 3:
                other = rng.choice(all_lines)
                if not start <= other < end and other not in picked:
                    picked.append(other)
            items.append(Item(d, question, answer, (picked[0], picked[1], picked[2]), window))
    return items


def build(corpus: Corpus, item: Item, lang: str, n: int) -> TranslatedMCQ:
    """Return the clean TranslatedMCQ of one item in one language (answer at index n % 4)."""
    tgt, eng = corpus.lines[lang], corpus.lines["eng"]
    order = list(item.distractors)
    answer_index = n % 4
    order.insert(answer_index, item.answer)
    options = (tgt[order[0]], tgt[order[1]], tgt[order[2]], tgt[order[3]])
    source_options = (eng[order[0]], eng[order[1]], eng[order[2]], eng[order[3]])
    return TranslatedMCQ(
        id=f"{lang}-{n}",
        mcq_id=f"mcq-{n}",
        pair_id=corpus.documents[item.doc][0],
        language=LANGUAGES[lang],
        question=tgt[item.question],
        options=options,
        answer_index=answer_index,
        target_paragraph=" ".join(tgt[item.window[0] : item.window[1]]),
        source_question=eng[item.question],
        source_options=source_options,
        back_translated_question=eng[item.question],
        back_translated_options=source_options,
    )


def _map_texts(
    r: TranslatedMCQ, f: Callable[[str], str], back: Callable[[str], str]
) -> dict[str, object]:
    return {
        "question": f(r.question),
        "options": tuple(f(o) for o in r.options),
        "back_translated_question": back(r.source_question),
        "back_translated_options": tuple(back(o) for o in r.source_options),
    }


def _truncate(text: str) -> str:
    cut = text[: max(1, int(len(text) * TRUNCATE_TO))]
    return cut.rsplit(" ", 1)[0] if " " in cut else cut


def _number_shift(rng: random.Random) -> Callable[[str], str]:
    shifts: dict[str, str] = {}

    def change(match: re.Match[str]) -> str:
        digits = match.group(0)
        if digits not in shifts:
            value = int(digits) + rng.randint(1, 9)
            shifts[digits] = str(value).zfill(len(digits))
        return shifts[digits]

    return lambda text: _DIGITS.sub(change, text)


def corrupt(
    kind: str,
    clean: list[TranslatedMCQ],
    corpus: Corpus,
    items: list[Item],
    lang: str,
    rng: random.Random,
) -> list[TranslatedMCQ]:
    """Return the corrupted copies of `clean` (one language) that the corruption applies to."""
    out: list[TranslatedMCQ] = []
    other_doc = _derangement(items, rng)
    for n, (record, item) in enumerate(zip(clean, items, strict=True)):
        partner = clean[other_doc[n]]
        update: dict[str, object]
        if kind == "swapped_paragraph":
            update = {"target_paragraph": partner.target_paragraph}
        elif kind == "swapped_translation":
            update = {
                "question": partner.question,
                "options": partner.options,
                "back_translated_question": partner.source_question,
                "back_translated_options": partner.source_options,
            }
        elif kind == "truncated":
            update = _map_texts(record, _truncate, _truncate)
        elif kind == "untranslated":
            update = {"question": record.source_question, "options": record.source_options}
        elif kind == "other_language":
            other = build(corpus, item, OTHER[lang], n)
            update = {"question": other.question, "options": other.options}
        elif kind == "numbers_changed":
            if not any(_DIGITS.search(t) for t in (record.question, *record.options)):
                continue
            shift = _number_shift(rng)
            update = _map_texts(record, shift, shift)
        else:
            raise ValueError(f"unknown corruption {kind!r}")
        out.append(record.model_copy(update={**update, "id": f"{record.id}-{kind}"}))
    return out


def _derangement(items: list[Item], rng: random.Random) -> list[int]:
    """For each item, the index of an item from another document; a permutation, so that
    no two corrupted copies share a partner. Items are grouped by document, and a shift by
    half the list never lands in the same document (none holds half of the items)."""
    shift = len(items) // 2 + rng.randrange(max(1, len(items) // 10))
    out = [(i + shift) % len(items) for i in range(len(items))]
    if any(items[i].doc == items[j].doc for i, j in enumerate(out)):
        raise ValueError("a document holds too many items for the swap corruptions")
    return out


Flags = dict[str, dict[str, list[bool]]]  # validator -> set ("clean" or corruption) -> drops


def drops(validator: Validator | BatchValidator, records: Sequence[TranslatedMCQ]) -> list[bool]:
    """Return, per record, whether the validator rejects it (batch validators: one batch)."""
    if isinstance(validator, BatchValidator):
        verdicts: list[Verdict] = validator.check_batch(records)
    else:
        verdicts = [validator(r) for r in records]
    return [not v.keep for v in verdicts]


def language_flags(
    lang: str, items: list[Item], corpus: Corpus, settings: ValidatorSettings, seed: int
) -> tuple[Flags, dict[str, int]]:
    """Build one language's clean and corrupted sets; return every validator's drops on each
    set, and the size of each set."""
    rng = random.Random(f"{seed}-{lang}")
    clean = [build(corpus, item, lang, n) for n, item in enumerate(items)]
    sets = {"clean": clean, **{k: corrupt(k, clean, corpus, items, lang, rng) for k in CORRUPTIONS}}
    flags: Flags = {}
    for v in _validators(settings):
        flags[v.name] = {kind: drops(v, recs) for kind, recs in sets.items()}
    for suite_name, members in (
        ("SUITE (default)", DEFAULT_SUITE),
        ("SUITE + numbers", (*DEFAULT_SUITE, "numbers")),
    ):
        flags[suite_name] = {
            kind: [any(col) for col in zip(*(flags[m][kind] for m in members), strict=True)]
            for kind in sets
        }
    return flags, {kind: len(recs) for kind, recs in sets.items()}


def pool(parts: Sequence[Flags]) -> Flags:
    """Concatenate the flags of several languages."""
    out: Flags = {}
    for part in parts:
        for name, kinds in part.items():
            for kind, found in kinds.items():
                out.setdefault(name, {}).setdefault(kind, []).extend(found)
    return out


def _share(flags: Sequence[bool]) -> str:
    return f"{100 * sum(flags) / len(flags):5.1f}" if flags else "    -"


def table(flags: Flags) -> list[str]:
    """Return the rows: % of clean items rejected, % of each corruption caught."""
    head = f"{'validator':<17}{'clean FP%':>10}" + "".join(f"{k[:14]:>16}" for k in CORRUPTIONS)
    rows = [head, "-" * len(head)]
    for name, cols in flags.items():
        cells = "".join(f"{_share(cols[k]):>16}" for k in CORRUPTIONS)
        rows.append(f"{name:<17}{_share(cols['clean']):>10}{cells}")
    return rows


def _validators(settings: ValidatorSettings) -> list[Validator | BatchValidator]:
    enabled = tuple(n for n in (*PER_RECORD, "near_duplicate") if n != "llm_judge")
    built = mcq_validators(settings.model_copy(update={"enabled": enabled}))
    return [v for v in built if isinstance(v, Validator | BatchValidator)]


def _throughput_worker(job: tuple[list[TranslatedMCQ], ValidatorSettings]) -> tuple[int, float]:
    records, settings = job
    start = time.process_time()
    n = apply_validators(records, _validators(settings), stage="bench").n_input
    return n, time.process_time() - start


def throughput(records: list[TranslatedMCQ], settings: ValidatorSettings) -> list[str]:
    """Return rows of records per CPU-second per validator and of the runner, one process and
    two; CPU time, not wall time, so that other load on the machine does not skew them."""
    rows = [f"{'validator':<17}{'records/cpu-s':>14}"]
    for v in _validators(settings):
        drops(v, records[:50])  # warm up (model load, caches)
        start = time.process_time()
        drops(v, records)
        rows.append(f"{v.name:<17}{len(records) / (time.process_time() - start):>14.0f}")
    n, cpu = _throughput_worker((records, settings))
    one = n / cpu
    rows.append(f"{'runner, 1 proc':<17}{one:>14.0f}")
    jobs = [(records[i::2], settings) for i in range(2)]
    with ProcessPoolExecutor(2) as workers:
        list(workers.map(_throughput_worker, [(r[:20], s) for r, s in jobs]))  # warm up
        wall = time.perf_counter()
        done = list(workers.map(_throughput_worker, jobs))
        wall = time.perf_counter() - wall
    two = sum(n / cpu for n, cpu in done)
    rows.append(f"{'runner, 2 procs':<17}{two:>14.0f}   (sum of both workers' records/cpu-s)")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    rows.append(
        f"{'  wall clock':<17}{sum(n for n, _ in done) / wall:>14.0f}   "
        f"(records/s with the machine's load average at {load:.1f})"
    )
    return rows


def _settings(pairs: Sequence[str]) -> ValidatorSettings:
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise SystemExit(f"--set wants KEY=VALUE, got {pair!r}")
        values[key] = value
    return ValidatorSettings.model_validate(values)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the ntrex128 folder")
    parser.add_argument("--per-doc", type=int, default=3, help="items per document")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--languages", nargs="*", default=list(LANGUAGES))
    parser.add_argument(
        "--set", nargs="*", default=[], metavar="KEY=VALUE", help="override ValidatorSettings"
    )
    parser.add_argument("--no-throughput", action="store_true")
    parser.add_argument("--no-tables", action="store_true")
    args = parser.parse_args(argv)
    if not (args.data / "DOCUMENT_IDS.tsv").exists():
        print(f"skipped: NTREX-128 not found at {args.data} (pass --data PATH)")
        return 0
    settings = _settings(args.set)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:2])
    corpus = load_corpus(args.data)
    items = make_items(corpus, args.per_doc, random.Random(args.seed))
    print(f"NTREX-128 at {args.data}: {len(corpus.documents)} documents, {len(items)} items")
    print(f"CPUs used: {len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else '?'}")
    print(f"settings: {settings.model_dump(exclude={'enabled'})}")
    print(f"default suite: {', '.join(DEFAULT_SUITE)} (near_duplicate shown apart)")
    print("cells: % of items rejected (clean) or caught (corrupted); '-' = none eligible\n")
    if not args.no_tables:
        jobs = [(lang, items, corpus, settings, args.seed) for lang in args.languages]
        with ProcessPoolExecutor(2) as workers:
            results = list(workers.map(_language_job, jobs))
        for lang, (flags, sizes) in zip(args.languages, results, strict=True):
            counts = ", ".join(f"{k} {n}" for k, n in sizes.items())
            print(f"== {lang} ({LANGUAGES[lang]}): {counts}")
            print("\n".join(table(flags)), end="\n\n")
        pooled = pool([flags for flags, _ in results])
        print(f"== all languages: {len(pooled['options']['clean'])} clean items")
        print("\n".join(table(pooled)), end="\n\n")
    if not args.no_throughput:
        records = [
            build(corpus, item, lang, n) for lang in args.languages for n, item in enumerate(items)
        ]
        sample = random.Random(args.seed).sample(records, min(len(records), 1200))
        print(f"== throughput on {len(sample)} clean items (all languages)")
        print("\n".join(throughput(sample, settings)))
    return 0


def _language_job(
    job: tuple[str, list[Item], Corpus, ValidatorSettings, int],
) -> tuple[Flags, dict[str, int]]:
    return language_flags(*job)


if __name__ == "__main__":
    sys.exit(main())
