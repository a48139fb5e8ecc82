"""Labeled data by translation: English FAVA-tagged text into a target language, tags kept.

Each tag becomes a unique numbered placeholder (`⟦0⟧`, `⟦1⟧`, ... via generators.protect),
the text is translated, the tags are put back and parsed again; the validators then compare
the tag sequence with the source's. The source's tags are first rewritten in canonical form
(repaired spelling), so a placeholder always stands for a well-formed tag.
"""

import json
from collections.abc import Iterable, Iterator, Sequence

from pydantic import ValidationError

from babelforge.generators.client import ChatClient
from babelforge.generators.hallucination.outcome import judge_candidates
from babelforge.generators.hallucination.tags import ParsedTags, parse_tags, render_tags
from babelforge.generators.translate import LLMTranslator, Translation, Translator
from babelforge.schemas.base import Record, stable_id
from babelforge.schemas.errors import InputError
from babelforge.schemas.languages import LanguageCode
from babelforge.schemas.outcome import ShardOutcome
from babelforge.schemas.provenance import Provenance, SamplingParams
from babelforge.schemas.records import HallucinationSample
from babelforge.schemas.text_input import read_lines
from babelforge.schemas.verdict import Failed
from babelforge.validators.base import Check
from babelforge.validators.halluc_candidate import HallucinationCandidate

TRANSLATE_STAGE = "hallucination.translate"


class TaggedSource(Record):
    """One FAVA-tagged text to translate (a line of a tagged JSONL file)."""

    id: str
    tagged: str
    language: LanguageCode = "en"


def read_tagged(paths: Iterable[str], language: str = "en") -> Iterator[TaggedSource]:
    """Stream `{"id", "tagged"}` objects from JSONL files (local paths or fsspec URLs).

    A missing `id` becomes a hash of the text; a bad line raises InputError naming the file
    and line.
    """
    for path in paths:
        for number, line in read_lines(path):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                data.setdefault("id", stable_id("fava", data.get("tagged")))
                data.setdefault("language", language)
                yield TaggedSource.model_validate(data)
            except (json.JSONDecodeError, AttributeError, ValidationError, RecursionError) as e:
                raise InputError(
                    f"{path}:{number}: not a tagged record ({e}); each line must be a JSON "
                    'object with a "tagged" field holding FAVA-tagged text'
                ) from e


def tag_translator(
    client: ChatClient, sampling: SamplingParams | None = None, parse_retries: int = 2
) -> LLMTranslator:
    """An LLM translator that protects tags only (the text's numbers and names are its own)."""
    return LLMTranslator(
        client, sampling=sampling, parse_retries=parse_retries, protect_kinds=("tag",)
    )


async def translate_tagged(
    translator: Translator,
    sources: Sequence[TaggedSource],
    target: str,
    validators: Sequence[Check],
) -> ShardOutcome[HallucinationSample]:
    """Translate each tagged source into `target`, parse the tags back, judge the result.

    A source whose own markup is broken beyond repair, or whose translation did not come
    back, is a failure with its reason; everything else is judged.
    """
    failed: list[Failed] = []
    usable: list[tuple[TaggedSource, ParsedTags]] = []
    for source in sources:
        parsed = parse_tags(source.tagged)
        if parsed.fatal:
            issues = ", ".join(f"{i.reason} {i.raw!r}" for i in parsed.fatal)
            failed.append(
                Failed(
                    stage=TRANSLATE_STAGE,
                    input_id=source.id,
                    reason="halluc_translate.bad_source",
                    error=f"the source's markup cannot be repaired: {issues}",
                )
            )
        else:
            usable.append((source, parsed))
    canonical = [render_tags(parsed.text, parsed.spans) for _, parsed in usable]
    translations = await _translate(translator, usable, canonical, target)
    candidates: list[HallucinationCandidate] = []
    for (source, parsed), text, translation in zip(usable, canonical, translations, strict=True):
        if translation.text is None:
            failed.append(
                Failed(
                    stage=TRANSLATE_STAGE,
                    input_id=source.id,
                    reason=translation.reason or "translate.failed",
                    error=translation.error or "the translation did not come back",
                    raw_text=translation.raw_text,
                )
            )
            continue
        candidate = _candidate(source, text, translation, target, translator)
        repaired = tuple((i.reason, i.raw) for i in parsed.issues)  # the source's own repairs
        candidates.append(candidate.model_copy(update={"issues": (*repaired, *candidate.issues)}))
    return await judge_candidates(candidates, validators, failed, stage=TRANSLATE_STAGE)


async def _translate(
    translator: Translator,
    usable: list[tuple[TaggedSource, ParsedTags]],
    canonical: list[str],
    target: str,
) -> list[Translation]:
    """Translate the texts one source language at a time; results in input order."""
    out: dict[int, Translation] = {}
    for language in dict.fromkeys(source.language for source, _ in usable):
        positions = [n for n, (source, _) in enumerate(usable) if source.language == language]
        done = await translator.translate(
            [canonical[n] for n in positions], language, target, stage=TRANSLATE_STAGE
        )
        out.update(zip(positions, done, strict=True))
    return [out[n] for n in range(len(usable))]


def _candidate(
    source: TaggedSource,
    canonical: str,
    translation: Translation,
    target: str,
    translator: Translator,
) -> HallucinationCandidate:
    tagged = translation.text or ""
    parsed = parse_tags(tagged)
    source_tags = parse_tags(canonical)
    reply = translation.reply
    sample = HallucinationSample(
        id=stable_id("htr", source.id, target, tagged),
        language=target,
        text=parsed.text,
        spans=parsed.spans,
        method="translation",
        source_id=source.id,
        provenance=Provenance(
            source_ids=(source.id,),
            source_language=source.language,
            model=reply.model if reply else translator.name,
            backend=reply.backend if reply else None,
            prompt_id="translate",
            prompt_version=translator.prompt_version,
            usage=reply.usage if reply else Provenance().usage,
            generated_at=reply.generated_at if reply else None,
        ),
    )
    return HallucinationCandidate(
        id=sample.id,
        sample=sample,
        tagged=tagged,
        events=parsed.events,
        issues=tuple((i.reason, i.raw) for i in parsed.issues),
        expected_events=source_tags.events,
        source_text=source_tags.text,
    )
