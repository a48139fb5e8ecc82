"""Mine parallel introductions: pair articles, score each pair, keep or drop it with reasons.

`mine_pairs` streams one result per source article (or pre-paired line): a ParallelPair
when every filter keeps it, else a Rejected[ParallelPair] whose verdicts say why (reason
codes in generators.mining.filters, plus `mining.no_counterpart`). Every pair, kept or not,
carries its scores and the filters' verdicts. When the counterpart is missing, the target is
an empty placeholder document (id "", text ""). Both sides of a pair carry the introduction,
not the whole article. `mine_shards` cuts the stream into ShardOutcomes for the run store.
"""

from collections.abc import Callable, Iterable, Iterator
from functools import partial
from itertools import islice

from babelforge.generators.mining.anchors import align
from babelforge.generators.mining.filters import Filter, mining_filters
from babelforge.generators.mining.pairing import Candidate, pair_documents
from babelforge.generators.mining.paragraphs import intro_paragraph, length_in
from babelforge.generators.mining.readers import read_paired
from babelforge.schemas.base import stable_id
from babelforge.schemas.config import MiningConfig
from babelforge.schemas.errors import ConfigError
from babelforge.schemas.outcome import ShardOutcome, ValidatorStats
from babelforge.schemas.provenance import Provenance
from babelforge.schemas.records import Document, ParallelPair
from babelforge.schemas.verdict import Rejected, Verdict

STAGE = "mine"
MiningResult = ParallelPair | Rejected[ParallelPair]


def mine_pairs(
    config: MiningConfig, source_language: str, target_language: str
) -> Iterator[MiningResult]:
    """Stream every candidate pair as a kept ParallelPair or a Rejected one.

    Stops after `config.max_pairs` kept pairs when that is set.
    """
    filters = mining_filters(config)
    kept = 0
    for candidate in candidates(config, source_language, target_language):
        result = judge(candidate, target_language, length_unit=config.length_unit, filters=filters)
        yield result
        if isinstance(result, ParallelPair):
            kept += 1
            if config.max_pairs is not None and kept >= config.max_pairs:
                return


def mine_shards(
    config: MiningConfig, source_language: str, target_language: str, shard_size: int
) -> Iterator[ShardOutcome[ParallelPair]]:
    """`mine_pairs` cut into balanced shard outcomes of at most `shard_size` inputs each."""
    results = mine_pairs(config, source_language, target_language)
    while shard := list(islice(results, shard_size)):
        yield to_outcome(shard)


def candidates(
    config: MiningConfig, source_language: str, target_language: str
) -> Iterator[Candidate]:
    """Introductions of source documents and their counterparts, from either input kind."""
    prepare = partial(introduction, max_chars=config.intro_max_chars)
    if config.paired_path is not None:
        yield from _prepaired(config.paired_path, source_language, target_language, prepare)
        return
    target_paths = config.target_paths.get(target_language)
    if not target_paths:
        raise ConfigError(
            f"mining.target_paths has no entry for {target_language!r}; add the "
            f"{target_language} corpus under target_paths or use a paired_path"
        )
    yield from pair_documents(
        config.source_paths,
        target_paths,
        source_language,
        target_language,
        pair_by=config.pair_by,
        links_path=config.langlinks_path,
        prepare=prepare,
    )


def judge(
    candidate: Candidate, target_language: str, *, length_unit: str, filters: Iterable[Filter]
) -> MiningResult:
    """Score a candidate and run the filters over it; keep it only if every filter does."""
    if candidate.target is None:
        where = f" for link {candidate.link!r}" if candidate.link else ""
        missing = Verdict(
            validator="counterpart",
            keep=False,
            reason="mining.no_counterpart",
            detail=f"no {target_language} article{where}",
        )
        placeholder = Document(id="", language=target_language, title="", text="")
        pair = build_pair(
            candidate.source, placeholder, length_unit=length_unit, verdicts=(missing,)
        )
        return Rejected[ParallelPair](stage=STAGE, record=pair, verdicts=(missing,))
    pair = build_pair(candidate.source, candidate.target, length_unit=length_unit)
    verdicts = tuple(check(pair) for check in filters)
    pair = pair.model_copy(update={"verdicts": verdicts})
    if all(v.keep for v in verdicts):
        return pair
    return Rejected[ParallelPair](stage=STAGE, record=pair, verdicts=verdicts)


def build_pair(
    source: Document,
    target: Document,
    *,
    length_unit: str,
    verdicts: tuple[Verdict, ...] = (),
) -> ParallelPair:
    """A ParallelPair with its length ratio, alignment score, shared anchors and provenance.

    The id hashes both documents' languages, ids and texts, so it is stable across reruns.
    """
    alignment = align(source.text, target.text) if target.text else None
    present = [d for d in (source, target) if d.id]
    return ParallelPair(
        id=stable_id(
            "pair", source.language, source.id, target.language, target.id, source.text, target.text
        ),
        source=source,
        target=target,
        length_ratio=length_ratio(source.text, target.text, length_unit),
        alignment_score=alignment.score if alignment else 0.0,
        shared_anchors=alignment.shared if alignment else (),
        verdicts=verdicts,
        provenance=Provenance(
            source_ids=tuple(d.id for d in present),
            source_urls=tuple(d.url for d in present if d.url),
            source_language=source.language,
        ),
    )


def length_ratio(source: str, target: str, unit: str) -> float:
    """Longer over shorter length in `unit` (>= 1); 0.0 when either side is empty."""
    a, b = length_in(source, unit), length_in(target, unit)
    if a == 0 or b == 0:
        return 0.0
    return round(max(a, b) / min(a, b), 4)


def introduction(doc: Document, *, max_chars: int) -> Document:
    """The document with its text cut down to the introductory paragraph(s)."""
    return doc.model_copy(update={"text": intro_paragraph(doc.text, max_chars=max_chars)})


def to_outcome(results: Iterable[MiningResult]) -> ShardOutcome[ParallelPair]:
    """Gather mining results into a balanced ShardOutcome with per-filter statistics."""
    accepted: list[ParallelPair] = []
    rejected: list[Rejected[ParallelPair]] = []
    verdicts: dict[str, list[Verdict]] = {}
    for result in results:
        if isinstance(result, ParallelPair):
            accepted.append(result)
            pair = result
        else:
            rejected.append(result)
            pair = result.record
        for verdict in pair.verdicts:
            verdicts.setdefault(verdict.validator, []).append(verdict)
    return ShardOutcome[ParallelPair](
        n_input=len(accepted) + len(rejected),
        accepted=tuple(accepted),
        rejected=tuple(rejected),
        validators={name: _stats(found) for name, found in verdicts.items()},
    )


def _prepaired(
    path: str, source_language: str, target_language: str, prepare: Callable[[Document], Document]
) -> Iterator[Candidate]:
    for pair in read_paired(path):
        if pair.source.language == source_language and pair.target.language == target_language:
            yield Candidate(source=prepare(pair.source), target=prepare(pair.target), link=pair.id)


def _stats(verdicts: list[Verdict]) -> ValidatorStats:
    return ValidatorStats(
        passed=sum(v.keep for v in verdicts),
        total=len(verdicts),
        scores=tuple(v.score for v in verdicts if v.score is not None),
    )
