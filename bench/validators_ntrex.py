"""What the SynDARin checks reject, on real professional translations (not a test).

Items are built from NTREX-128 (English news documents with professional translations,
line-aligned, joined into documents by DOCUMENT_IDS.tsv) the way the SynDARin validate stage
sees them: per document, language and item,

- target paragraph: a window of 6 consecutive target sentences of the document;
- correct option: a target sentence inside the window; question: a target sentence outside
  it, each asked once per document; `source_*`: the aligned English; back-translation: the
  English aligned to whatever the item holds (the human translation as a perfect
  back-translation);
- distractors, two kinds, two clean sets: 3 sentences of OTHER documents, or 3 other
  sentences of THE SAME PARAGRAPH (on topic, found in the paragraph, as a good LLM writes).

Corrupted copies of every clean item (both distractor kinds): the paragraph swapped with
another document's, the correct option truncated to 40%, the paragraph cut in the middle of
the answer, question and options untranslated (English) or in another NTREX language,
numbers changed (items with digits), the answer index moved to a distractor, the correct
option replaced by another sentence of the same paragraph. The last two are for the QA
judge (another helper's): this prints what the LLM-free suite does with them.

Printed: the clean false-reject rate per language and per check for both distractor kinds,
the catch rate of every corruption per check and for the default suite, and records/s of
the default suite through the runner in one process. `--dump PATH` writes every check's
verdict on every record the bench judges, one JSON line per record, to compare two versions
of the checks.

    .venv/bin/python -m bench.validators_ntrex [--data ../shared/data/ntrex128] [--dump PATH]
"""

import argparse
import json
import random
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from babelforge.schemas.config import ValidatorSettings
from babelforge.schemas.records import TranslatedMCQ
from babelforge.schemas.verdict import Verdict
from babelforge.validators.base import BatchValidator, Check, Validator
from babelforge.validators.runner import apply_validators
from babelforge.validators.suites import mcq_suite

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "ntrex128"
LANGUAGES = {"deu": "de", "spa": "es", "hin": "hi", "hye": "hy", "swa": "sw", "ben": "bn"}
OTHER = {"hye": "hin", "deu": "spa", "hin": "ben", "spa": "deu", "swa": "spa", "ben": "hin"}
WINDOW = 6
TRUNCATE_TO = 0.4
KINDS = ("other_docs", "same_paragraph")
CORRUPTIONS = (
    "swapped_paragraph",
    "truncated_answer",
    "truncated_paragraph",
    "untranslated",
    "other_language",
    "numbers_changed",
    "answer_is_distractor",
    "answer_wrong_phrase",
)
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class Corpus:
    """NTREX lines per language (ISO 639-3 keys, 'eng' included) and document spans."""

    lines: dict[str, list[str]]
    documents: list[tuple[int, int]]  # (first line, end line)


@dataclass(frozen=True)
class Item:
    """Line numbers of one item: question, answer, both distractor kinds, paragraph, spare."""

    doc: int
    question: int
    answer: int
    window: tuple[int, int]
    same: tuple[int, int, int]
    other: tuple[int, int, int]
    spare: int  # a sentence of the paragraph that is no option: the wrong phrase


def load_corpus(root: Path) -> Corpus:
    """Read the English source, the references and DOCUMENT_IDS.tsv."""
    lines = {"eng": _read(root / "newstest2019-src.eng.txt")}
    for code in LANGUAGES:
        lines[code] = _read(root / f"newstest2019-ref.{code}.txt")
    ids = [line.split("\t")[0] for line in _read(root / "DOCUMENT_IDS.tsv")]
    starts = [i for i in range(len(ids)) if i == 0 or ids[i] != ids[i - 1]]
    return Corpus(lines, list(zip(starts, [*starts[1:], len(ids)], strict=True)))


def _read(path: Path) -> list[str]:
    return path.read_text("utf-8").splitlines()


def make_items(corpus: Corpus, per_doc: int, rng: random.Random) -> list[Item]:
    """Up to `per_doc` items per document long enough for a window and a question."""
    items: list[Item] = []
    n_lines = len(corpus.lines["eng"])
    for d, (start, end) in enumerate(corpus.documents):
        if end - start < WINDOW + 1:
            continue
        asked: set[int] = set()  # each question once: repeated ones are near-duplicates
        for _ in range(per_doc):
            w = rng.randrange(start, end - WINDOW + 1)
            inside = list(range(w, w + WINDOW))
            rng.shuffle(inside)
            answer, s1, s2, s3, spare = inside[:5]
            free = [i for i in range(start, end) if not w <= i < w + WINDOW and i not in asked]
            if not free:
                break
            question = rng.choice(free)
            asked.add(question)
            other: list[int] = []
            while len(other) < 3:
                pick = rng.randrange(n_lines)
                if not start <= pick < end and pick not in other:
                    other.append(pick)
            items.append(
                Item(d, question, answer, (w, w + WINDOW), (s1, s2, s3), (*other,), spare)  # type: ignore[arg-type]
            )
    return items


def build(corpus: Corpus, item: Item, lang: str, kind: str, n: int) -> TranslatedMCQ:
    """The clean item in `lang` with distractors of `kind` (answer at index n % 4)."""
    tgt, eng = corpus.lines[lang], corpus.lines["eng"]
    order = list(item.same if kind == "same_paragraph" else item.other)
    answer_index = n % 4
    order.insert(answer_index, item.answer)
    options = (tgt[order[0]], tgt[order[1]], tgt[order[2]], tgt[order[3]])
    english = (eng[order[0]], eng[order[1]], eng[order[2]], eng[order[3]])
    return TranslatedMCQ(
        id=f"{lang}-{kind}-{n}",
        mcq_id=f"mcq-{n}",
        pair_id=f"doc-{item.doc}",
        language=LANGUAGES[lang],
        question=tgt[item.question],
        options=options,
        answer_index=answer_index,
        target_paragraph=" ".join(tgt[item.window[0] : item.window[1]]),
        source_question=eng[item.question],
        source_options=english,
        back_translated_question=eng[item.question],
        back_translated_options=english,
    )


def _truncate(text: str) -> str:
    cut = text[: max(1, int(len(text) * TRUNCATE_TO))]
    return cut.rsplit(" ", 1)[0] if " " in cut else cut


def _shift_numbers(text: str) -> str:
    return _DIGITS.sub(lambda m: str(int(m.group(0)) + 3).zfill(len(m.group(0))), text)


def _with_option(record: TranslatedMCQ, target: str, english: str) -> dict[str, object]:
    i = record.answer_index

    def put(options: tuple[str, ...], value: str) -> tuple[str, ...]:
        return (*options[:i], value, *options[i + 1 :])

    return {
        "options": put(record.options, target),
        "source_options": put(record.source_options, english),
        "back_translated_options": put(record.source_options, english),
    }


def corrupt(
    kind: str,
    record: TranslatedMCQ,
    partner: TranslatedMCQ,
    other: TranslatedMCQ,
    spare: tuple[str, str],
) -> TranslatedMCQ | None:
    """The corrupted copy of `record` (None when the corruption does not apply to it).

    `partner`: the same item of another document; `other`: the item in another language;
    `spare`: (target, English) of a paragraph sentence that is no option."""
    update: dict[str, object]
    if kind == "swapped_paragraph":
        update = {"target_paragraph": partner.target_paragraph}
    elif kind == "truncated_answer":
        update = _with_option(
            record, _truncate(record.answer), _truncate(record.source_options[record.answer_index])
        )
        update["source_options"] = record.source_options
    elif kind == "truncated_paragraph":
        at = record.target_paragraph.find(record.answer) + len(record.answer) // 2
        update = {"target_paragraph": record.target_paragraph[:at]}
    elif kind == "untranslated":
        update = {"question": record.source_question, "options": record.source_options}
    elif kind == "other_language":
        update = {"question": other.question, "options": other.options}
    elif kind == "numbers_changed":
        if not any(_DIGITS.search(t) for t in (record.question, *record.options)):
            return None
        update = {
            "question": _shift_numbers(record.question),
            "options": tuple(_shift_numbers(o) for o in record.options),
            "back_translated_question": _shift_numbers(record.source_question),
            "back_translated_options": tuple(_shift_numbers(o) for o in record.source_options),
        }
    elif kind == "answer_is_distractor":
        update = {"answer_index": (record.answer_index + 1) % 4}
    elif kind == "answer_wrong_phrase":
        update = _with_option(record, *spare)
    else:
        raise ValueError(f"unknown corruption {kind!r}")
    return record.model_copy(update={**update, "id": f"{record.id}-{kind}"})


Drops = dict[str, list[bool]]  # check name -> one flag per record
Dump = list[str]  # JSON lines: one record's verdicts each


def dump_line(where: str, record_id: str, verdicts: Sequence[Verdict]) -> str:
    """One JSON line: where the record was judged, its id and every verdict in full."""
    found = [v.model_dump(mode="json") for v in verdicts]
    return json.dumps({"set": where, "id": record_id, "verdicts": found}, ensure_ascii=False)


def drops(
    checks: Sequence[Check],
    records: Sequence[TranslatedMCQ],
    dump: Dump | None = None,
    where: str = "",
) -> Drops:
    """Per check, whether it rejects each record (batch checks see the set as one shard);
    every verdict goes to `dump` when given."""
    verdicts: dict[str, list[Verdict]] = {}
    for check in checks:
        if isinstance(check, BatchValidator):
            verdicts[check.name] = check.check_batch(records)
        elif isinstance(check, Validator):
            verdicts[check.name] = [check(r) for r in records]
    if dump is not None:
        for i, record in enumerate(records):
            dump.append(dump_line(where, record.id, [vs[i] for vs in verdicts.values()]))
    out: Drops = {name: [not v.keep for v in vs] for name, vs in verdicts.items()}
    names = list(out)
    out["SUITE"] = [any(out[n][i] for n in names) for i in range(len(records))]
    return out


def _pct(flags: Sequence[bool]) -> str:
    return f"{100 * sum(flags) / len(flags):6.1f}" if flags else "     -"


def sets_for(
    corpus: Corpus, items: list[Item], lang: str, kind: str
) -> dict[str, list[TranslatedMCQ]]:
    """The clean set of one language and distractor kind, and each corrupted set."""
    clean = [build(corpus, it, lang, kind, n) for n, it in enumerate(items)]
    half = len(items) // 2
    out: dict[str, list[TranslatedMCQ]] = {"clean": clean}
    for corruption in CORRUPTIONS:
        built = []
        for n, (record, item) in enumerate(zip(clean, items, strict=True)):
            partner = clean[(n + half) % len(clean)]
            if items[(n + half) % len(items)].doc == item.doc:
                continue
            other = build(corpus, item, OTHER[lang], kind, n)
            spare = (corpus.lines[lang][item.spare], corpus.lines["eng"][item.spare])
            found = corrupt(corruption, record, partner, other, spare)
            if found is not None:
                built.append(found)
        out[corruption] = built
    return out


def table(title: str, columns: dict[str, Drops]) -> list[str]:
    """Rows: one per check, one column per set (% rejected)."""
    names = list(next(iter(columns.values())))
    head = f"{title:<16}" + "".join(f"{c[:13]:>14}" for c in columns)
    rows = [head, "-" * len(head)]
    for name in names:
        rows.append(f"{name:<16}" + "".join(f"{_pct(d[name]):>14}" for d in columns.values()))
    return rows


def throughput(
    records: list[TranslatedMCQ], settings: ValidatorSettings, dump: Dump | None = None
) -> str:
    """Records/s of the default suite through the runner, one process (CPU and wall time);
    the verdicts of the timed records go to `dump` when given (after the clock stops)."""
    checks = mcq_suite(settings, {})
    apply_validators(records[:50], checks, stage="bench")  # warm up: model load
    rest = records[50:]  # not seen by the warm-up: its texts are in no cache
    wall, cpu = time.perf_counter(), time.process_time()
    outcome = apply_validators(rest, checks, stage="bench")
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if dump is not None:
        judged = [*outcome.accepted, *(r.record for r in outcome.rejected)]
        by_id = {r.id: r.verdicts for r in judged}
        dump += [dump_line("throughput", r.id, by_id[r.id]) for r in rest]
    n = len(rest)
    return f"{n} records: {n / cpu:.0f} records/cpu-s, {n / wall:.0f} records/s wall"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the ntrex128 folder")
    parser.add_argument("--per-doc", type=int, default=3, help="items per document")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--languages", nargs="*", default=list(LANGUAGES))
    parser.add_argument("--dump", type=Path, help="write every verdict here (JSON lines)")
    args = parser.parse_args(argv)
    if not (args.data / "DOCUMENT_IDS.tsv").exists():
        print(f"skipped: NTREX-128 not found at {args.data} (pass --data PATH)")
        return 0
    settings = ValidatorSettings()
    checks = mcq_suite(settings, {})
    corpus = load_corpus(args.data)
    items = make_items(corpus, args.per_doc, random.Random(args.seed))
    print(f"NTREX-128: {len(corpus.documents)} documents, {len(items)} items per language")
    print(f"default suite: {', '.join(settings.enabled)}\n")
    records = [
        build(corpus, it, lang, "same_paragraph", n)
        for lang in args.languages
        for n, it in enumerate(items)
    ]
    sample = random.Random(args.seed).sample(records, min(len(records), 2000))
    # First, while the per-text caches are cold: the figure a new shard sees.
    dump: Dump | None = [] if args.dump else None
    rate = throughput(sample, settings, dump)
    clean: dict[str, Drops] = {}
    pooled: dict[str, dict[str, Drops]] = {kind: {} for kind in KINDS}
    for lang in args.languages:
        for kind in KINDS:
            found = {
                name: drops(checks, recs, dump, f"{lang} {kind} {name}")
                for name, recs in sets_for(corpus, items, lang, kind).items()
            }
            clean[f"{LANGUAGES[lang]} {kind[:5]}"] = found["clean"]
            for name, flags in found.items():
                merged = pooled[kind].setdefault(name, {})
                for check, values in flags.items():
                    merged.setdefault(check, []).extend(values)
    print("clean false-reject % per language (other = distractors from other documents,")
    print("same = distractors from the same paragraph)")
    print("\n".join(table("check", clean)), end="\n\n")
    for kind in KINDS:
        print(f"catch % per corruption, all languages, distractors: {kind}")
        print("\n".join(table("check", pooled[kind])), end="\n\n")
    print("throughput of the default suite, one process, cold caches: " + rate)
    if args.dump and dump is not None:
        args.dump.write_text("".join(f"{line}\n" for line in dump), "utf-8")
        print(f"{len(dump)} records' verdicts written to {args.dump}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
