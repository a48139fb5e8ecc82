"""How each recipe's record is seen by the translation checks: one view function per type.

- `mcq_view`: a SynDARin item's question and options (the target paragraph is human
  text, not a translation); protected spans are the source's verbatim kinds (code, URLs,
  tags, placeholders), found by the translator's own rule;
- `instruction_view`: an instruction's filled fields, with the spans recorded when it was
  translated;
- `halluc_text_view` / `halluc_query_view`: a hallucination sample's text or query,
  written or translated into the target language (no source text on the record).
"""

import re
from collections.abc import Callable
from functools import wraps
from threading import Lock
from typing import TypeVar

from babelforge.schemas.records import HallucinationSample, TranslatedMCQ
from babelforge.validators.halluc_candidate import HallucinationCandidate
from babelforge.validators.instr_candidate import InstructionCandidate
from babelforge.validators.protectable import VERBATIM_KINDS, find_spans
from babelforge.validators.spans import sample_of
from babelforge.validators.view import FieldView, ItemView, ProtectedSpan

R = TypeVar("R")
MEMO_SIZE = 4096  # records of a shard seen by every check before the next shard


def _memo(view: Callable[[R], ItemView]) -> Callable[[R], ItemView]:
    """`view`, remembered per record object: every check of a suite asks for the same view
    of the same record, and records are frozen. The record is kept with its view, so its
    id cannot be reused while the entry lives."""
    seen: dict[int, tuple[R, ItemView]] = {}
    lock = Lock()  # shards may be checked in threads (Prefect's task runner)

    @wraps(view)
    def memoised(record: R) -> ItemView:
        hit = seen.get(id(record))
        if hit is not None and hit[0] is record:
            return hit[1]
        found = view(record)
        with lock:
            if len(seen) >= MEMO_SIZE:
                del seen[next(iter(seen))]
            seen[id(record)] = (record, found)
        return found

    return memoised


# What every verbatim span starts with or holds (code, tags, placeholders, URLs): a source
# without any of these characters has no span, and the finder's regex is not run on it.
_SPAN_MARK = re.compile(r"[`<{%:]")


def _spans(field: str, source: str) -> tuple[ProtectedSpan, ...]:
    if not _SPAN_MARK.search(source):
        return ()  # none of the verbatim kinds can occur: skip the finder
    return tuple(
        ProtectedSpan(field=field, kind=kind, text=text)
        for kind, text in find_spans(source, VERBATIM_KINDS)
    )


@_memo
def mcq_view(record: TranslatedMCQ) -> ItemView:
    """The question and the four options, with their sources and back-translations."""
    back_options = record.back_translated_options or (None, None, None, None)
    fields = [
        FieldView(
            "question",
            record.source_question,
            record.question,
            record.back_translated_question,
            _spans("question", record.source_question),
        )
    ]
    for i, (source, target, back) in enumerate(
        zip(record.source_options, record.options, back_options, strict=True)
    ):
        name = f"option {i}"
        fields.append(FieldView(name, source, target, back, _spans(name, source)))
    return ItemView(record.id, record.language, tuple(fields))


@_memo
def instruction_view(record: InstructionCandidate) -> ItemView:
    """Every field the English fills, with its back-translation and protected spans."""
    back = record.back_translation
    fields = tuple(
        FieldView(
            name,
            source,
            translated,
            getattr(back, name) if back is not None else None,
            tuple(record.spans(name)),
        )
        for name, source, translated in record.field_pairs()
    )
    return ItemView(record.id, record.language, fields)


@_memo
def halluc_text_view(record: HallucinationSample | HallucinationCandidate) -> ItemView:
    """The sample's clean text (injected or translated), when it has one, beside the clean
    source text of a translation candidate ("" where there is none)."""
    sample = sample_of(record)
    source = (record.source_text or "") if isinstance(record, HallucinationCandidate) else ""
    fields = (FieldView("text", source, sample.text),) if sample.text.strip() else ()
    return ItemView(sample.id, sample.language, fields)


@_memo
def halluc_query_view(record: HallucinationSample | HallucinationCandidate) -> ItemView:
    """The sample's query, when it has one."""
    sample = sample_of(record)
    query = sample.query or ""
    fields = (FieldView("query", "", query),) if query.strip() else ()
    return ItemView(sample.id, sample.language, fields)
