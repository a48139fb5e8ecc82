"""The mining filters: small callables that keep or drop a candidate ParallelPair.

Each reads the scores already on the pair and returns a Verdict. Reason codes:

  mining.no_counterpart  the target corpus has no article linked to the source article
                         (decided while pairing; see generators.mining.mine)
  mining.too_short       an introduction is shorter than `min_chars` characters
  mining.unpopular       the article's popularity (views/edits) is below `min_popularity`
  mining.length_ratio    the longer introduction is more than `max_length_ratio` times the
                         shorter one (in chars or tokens)
  mining.low_alignment   the anchor alignment score is below `min_alignment`
"""

from collections.abc import Callable
from dataclasses import dataclass

from babelforge.schemas.config import MiningConfig
from babelforge.schemas.records import ParallelPair
from babelforge.schemas.verdict import Verdict

Filter = Callable[[ParallelPair], Verdict]


@dataclass(frozen=True)
class MinChars:
    """Drop pairs whose shorter introduction has fewer than `min_chars` characters.

    Reason: mining.too_short. Score: the shorter introduction's length in characters.
    """

    min_chars: int

    def __call__(self, pair: ParallelPair) -> Verdict:
        shorter = min(len(pair.source.text), len(pair.target.text))
        keep = shorter >= self.min_chars
        return Verdict(
            validator="min_chars",
            keep=keep,
            reason=None if keep else "mining.too_short",
            score=float(shorter),
            detail=None if keep else f"{shorter} chars < {self.min_chars}",
        )


@dataclass(frozen=True)
class Popularity:
    """Drop pairs whose article is less popular than `min_popularity`.

    The source article's popularity is used (the topic's reach), the target's when the
    source has none; a pair with neither is kept with a detail saying so.
    Reason: mining.unpopular. Score: the popularity used.
    """

    min_popularity: float

    def __call__(self, pair: ParallelPair) -> Verdict:
        value = pair.source.popularity
        if value is None:
            value = pair.target.popularity
        if value is None:
            return Verdict(validator="popularity", keep=True, detail="no popularity field")
        keep = value >= self.min_popularity
        return Verdict(
            validator="popularity",
            keep=keep,
            reason=None if keep else "mining.unpopular",
            score=value,
            detail=None if keep else f"{value:g} < {self.min_popularity:g}",
        )


@dataclass(frozen=True)
class LengthRatio:
    """Drop pairs whose introductions differ in length by more than `max_ratio` times.

    Reason: mining.length_ratio. Score: the pair's length ratio (longer / shorter).
    """

    max_ratio: float

    def __call__(self, pair: ParallelPair) -> Verdict:
        keep = 0 < pair.length_ratio <= self.max_ratio
        return Verdict(
            validator="length_ratio",
            keep=keep,
            reason=None if keep else "mining.length_ratio",
            score=pair.length_ratio,
            detail=None if keep else f"{pair.length_ratio:.2f} > {self.max_ratio:g}",
        )


@dataclass(frozen=True)
class Alignment:
    """Drop pairs whose anchor alignment score is below `min_alignment`.

    Reason: mining.low_alignment. Score: the alignment score in [0, 1].
    """

    min_alignment: float

    def __call__(self, pair: ParallelPair) -> Verdict:
        keep = pair.alignment_score >= self.min_alignment
        return Verdict(
            validator="alignment",
            keep=keep,
            reason=None if keep else "mining.low_alignment",
            score=pair.alignment_score,
            detail=None if keep else f"{pair.alignment_score:.2f} < {self.min_alignment:g}",
        )


def mining_filters(config: MiningConfig) -> tuple[Filter, ...]:
    """The filters a mining config asks for, in the order their reasons are reported."""
    filters: list[Filter] = [MinChars(config.min_chars)]
    if config.min_popularity is not None:
        filters.append(Popularity(config.min_popularity))
    filters += [LengthRatio(config.max_length_ratio), Alignment(config.min_alignment)]
    return tuple(filters)
