"""The shared translation checks on sentence pairs: Tatoeba and MLQE-PE (not a test).

1. Tatoeba (human translations, en-de, en-hi, en-hy): the share of clean pairs each
   LLM-free check rejects, per language (the human translation is a perfect
   back-translation, so round-trip chrF is left out: it would score 100 by construction).
2. MLQE-PE en-de critical errors (machine translations, human ERR/NOT majority labels,
   train split): precision, recall and F1 of each check and of all of them together at
   predicting ERR, next to labelling everything ERR.
3. Records/s of the default SynDARin suite through the runner, one process, on MCQ items
   of typical size built from Tatoeba sentences (question and options one sentence each).

`--dump PATH` writes every verdict the bench gets (each check's on each pair, the suite's
on each MCQ item), one JSON line per pair or item, to compare two versions of the checks.

    .venv/bin/python -m bench.validators_pairs [--data ../shared/data] [--dump PATH]
"""

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from babelforge.schemas.config import ValidatorSettings
from babelforge.schemas.records import TranslatedMCQ
from babelforge.schemas.verdict import Verdict
from babelforge.validators.base import Validator
from babelforge.validators.protectable import VERBATIM_KINDS, find_spans
from babelforge.validators.runner import apply_validators
from babelforge.validators.suites import mcq_suite, translation_check
from babelforge.validators.view import FieldView, ItemView, ProtectedSpan

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
TATOEBA = {"deu": "de", "hin": "hi", "hye": "hy"}
CHECKS = ("langid", "copy", "numbers", "length_ratio", "protected_spans")


@dataclass(frozen=True)
class Pair:
    """One English sentence, its translation, and whether humans marked a critical error."""

    id: str
    language: str
    source: str
    target: str
    back: str | None = None
    error: bool = False


def pair_view(pair: Pair) -> ItemView:
    """The pair as one field, protected spans found in the English by the translator's rule."""
    spans = tuple(
        ProtectedSpan(field="text", kind=k, text=t)
        for k, t in find_spans(pair.source, VERBATIM_KINDS)
    )
    return ItemView(
        pair.id, pair.language, (FieldView("text", pair.source, pair.target, pair.back, spans),)
    )


def tatoeba(root: Path, code: str) -> list[Pair]:
    """The Tatoeba pairs of one language, the English as the back-translation."""
    base = root / "tatoeba" / f"tatoeba.{code}-eng"
    eng = Path(f"{base}.eng").read_text("utf-8").splitlines()
    tgt = Path(f"{base}.{code}").read_text("utf-8").splitlines()
    return [
        Pair(f"{code}-{i}", TATOEBA[code], e, t, back=e)
        for i, (e, t) in enumerate(zip(eng, tgt, strict=True))
    ]


def mlqe(root: Path) -> list[Pair]:
    """MLQE-PE en-de train: id, source, machine translation, scores, ERR/NOT."""
    pairs = []
    path = root / "mlqe-pe-critical-errors" / "ende_majority_train.tsv"
    for line in path.read_text("utf-8").splitlines():
        cells = line.split("\t")
        pairs.append(Pair(f"mlqe-{cells[0]}", "de", cells[1], cells[2], error=cells[-1] == "ERR"))
    return pairs


def checks(settings: ValidatorSettings) -> dict[str, Validator]:
    """The LLM-free family checks on the pair view, with the SynDARin defaults."""
    built = {name: translation_check(name, settings, pair_view) for name in CHECKS}
    return {name: c for name, c in built.items() if isinstance(c, Validator)}


def prf(predicted: Sequence[bool], truth: Sequence[bool]) -> str:
    tp = sum(p and t for p, t in zip(predicted, truth, strict=True))
    fp = sum(p and not t for p, t in zip(predicted, truth, strict=True))
    fn = sum(t and not p for p, t in zip(predicted, truth, strict=True))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f"P {precision:5.2f}  R {recall:5.2f}  F1 {f1:5.2f}  (flagged {tp + fp})"


Dump = list[str]  # JSON lines: one pair's or item's verdicts each


def dump_line(where: str, record_id: str, verdicts: Sequence[Verdict]) -> str:
    """One JSON line: where the record was judged, its id and every verdict in full."""
    found = [v.model_dump(mode="json") for v in verdicts]
    return json.dumps({"set": where, "id": record_id, "verdicts": found}, ensure_ascii=False)


def judged(
    check: Validator, pairs: Sequence[Pair], dump: Dump | None, where: str, name: str
) -> list[Verdict]:
    """The check's verdict on each pair, each also written to `dump` when given."""
    found = [check(p) for p in pairs]
    if dump is not None:
        dump += [dump_line(f"{where} {name}", p.id, [v]) for p, v in zip(pairs, found, strict=True)]
    return found


def mcq_items(pairs: list[Pair]) -> list[TranslatedMCQ]:
    """MCQ items of typical size: five consecutive sentences as question and options."""
    items = []
    for n in range(0, len(pairs) - 6, 6):
        group = pairs[n : n + 6]
        items.append(
            TranslatedMCQ(
                id=f"t-{n}",
                mcq_id=f"m-{n}",
                pair_id=f"p-{n}",
                language=group[0].language,
                question=group[0].target,
                options=(group[1].target, group[2].target, group[3].target, group[4].target),
                answer_index=0,
                target_paragraph=" ".join(p.target for p in group),
                source_question=group[0].source,
                source_options=(group[1].source, group[2].source, group[3].source, group[4].source),
                back_translated_question=group[0].source,
                back_translated_options=(
                    group[1].source,
                    group[2].source,
                    group[3].source,
                    group[4].source,
                ),
            )
        )
    return items


def mcq_throughput(
    items: list[TranslatedMCQ], settings: ValidatorSettings, dump: Dump | None = None
) -> str:
    """Records/s of the default SynDARin suite through the runner, one process, measured
    first (the per-text caches cold) on the items the warm-up did not see; their verdicts
    go to `dump` when given (after the clock stops)."""
    suite = mcq_suite(settings, {})
    apply_validators(items[:30], suite, stage="bench")  # warm up: model load
    rest = items[30:]
    wall, cpu = time.perf_counter(), time.process_time()
    outcome = apply_validators(rest, suite, stage="bench")
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if dump is not None:
        judged = [*outcome.accepted, *(r.record for r in outcome.rejected)]
        by_id = {r.id: r.verdicts for r in judged}
        dump += [dump_line("mcq", r.id, by_id[r.id]) for r in rest]
    return (
        f"\n3. default SynDARin suite on {outcome.n_input} Tatoeba-sized MCQ items, one"
        f" process, cold caches:\n  {outcome.n_input / cpu:.0f} records/cpu-s,"
        f" {outcome.n_input / wall:.0f} records/s wall"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--dump", type=Path, help="write every verdict here (JSON lines)")
    args = parser.parse_args(argv)
    if not (args.data / "tatoeba").exists():
        print(f"skipped: no data at {args.data} (pass --data PATH)")
        return 0
    settings = ValidatorSettings()
    family = checks(settings)
    sets = {code: tatoeba(args.data, code) for code in TATOEBA}
    dump: Dump | None = [] if args.dump else None
    rate = mcq_throughput([i for code in TATOEBA for i in mcq_items(sets[code])], settings, dump)
    print("1. Tatoeba: % of clean human pairs rejected")
    print(f"{'check':<16}" + "".join(f"{lang:>8}" for lang in TATOEBA.values()))
    for name, check in family.items():
        cells = [
            100 * sum(not v.keep for v in judged(check, pairs, dump, "tatoeba", name)) / len(pairs)
            for pairs in sets.values()
        ]
        print(f"{name:<16}" + "".join(f"{c:8.1f}" for c in cells))
    print("\n2. MLQE-PE en-de train, predicting ERR")
    pairs = mlqe(args.data)
    truth = [p.error for p in pairs]
    flags = {
        name: [not v.keep for v in judged(check, pairs, dump, "mlqe", name)]
        for name, check in family.items()
    }
    print(f"{len(pairs)} pairs, {sum(truth)} ERR")
    for name, found in flags.items():
        print(f"  {name:<16}{prf(found, truth)}")
    together = [any(col) for col in zip(*flags.values(), strict=True)]
    print(f"  {'all together':<16}{prf(together, truth)}")
    print(f"  {'everything ERR':<16}{prf([True] * len(pairs), truth)}")
    print(rate)
    if args.dump and dump is not None:
        args.dump.write_text("".join(f"{line}\n" for line in dump), "utf-8")
        print(f"{len(dump)} verdict lines written to {args.dump}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
