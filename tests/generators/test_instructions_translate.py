"""Translating instruction records with any Translator: candidates, failures, back-translation.

The translator here stands in for an MT system (the Translator protocol) and injects a
failed field; the LLM translator is exercised for real by the flow test.
"""

from collections.abc import Sequence

from babelforge.generators.instructions.translate import back_translate_shard, translate_shard
from babelforge.generators.translate import Translation
from babelforge.schemas.base import stable_id
from babelforge.schemas.records import InstructionRecord

KINDS = ("code_block", "inline_code", "url", "tag", "placeholder", "number")
GERMAN = {
    "Greet {name} in 2 words.": "Begrüße {name} mit 2 Wörtern.",
    "Hello {name}!": "Hallo {name}!",
    "Run `ls` to list files.": "Führe `ls` aus, um Dateien aufzulisten.",
    "Files are listed.": "Dateien werden aufgelistet.",
}
ENGLISH = {v: k for k, v in GERMAN.items()}


class DictionaryTranslator:
    """A table lookup in place of an MT system; texts it does not know fail."""

    name = "mt:dictionary"
    prompt_version = None

    async def translate(
        self, texts: Sequence[str], source: str, target: str, *, stage: str = ""
    ) -> list[Translation]:
        table = GERMAN if target == "de" else ENGLISH
        return [
            Translation(source=t, text=t)
            if not t.strip()
            else Translation(source=t, text=table[t])
            if t in table
            else Translation(
                source=t, text=None, reason="mt.unknown_text", error=f"no entry for {t!r}"
            )
            for t in texts
        ]


def record(instruction: str, output: str, input_text: str = "") -> InstructionRecord:
    return InstructionRecord(
        id=stable_id("instr", instruction),
        language="en",
        instruction=instruction,
        input=input_text,
        output=output,
    )


async def test_every_record_becomes_a_candidate_or_a_failure() -> None:
    good = record("Greet {name} in 2 words.", "Hello {name}!")
    unknown = record("Run `ls` to list files.", "Nobody translated this.")
    outcome = await translate_shard(
        DictionaryTranslator(),
        [good, unknown],
        "de",
        stage="instructions.translate",
        protect_kinds=KINDS,
    )
    assert outcome.n_input == 2 and len(outcome.accepted) == 1 and len(outcome.failed) == 1
    candidate = outcome.accepted[0]
    assert candidate.translation.instruction == "Begrüße {name} mit 2 Wörtern."
    assert candidate.translation.source_id == good.id
    assert [(s.field, s.kind, s.text) for s in candidate.protected] == [
        ("instruction", "placeholder", "{name}"),
        ("instruction", "number", "2"),
        ("output", "placeholder", "{name}"),
    ]
    failure = outcome.failed[0]
    assert failure.input_id == unknown.id and failure.reason == "mt.unknown_text"
    assert "field `output`" in failure.error


async def test_provenance_names_the_mt_system_and_ids_are_stable() -> None:
    good = record("Run `ls` to list files.", "Files are listed.")
    first = await translate_shard(
        DictionaryTranslator(), [good], "de", stage="t", protect_kinds=KINDS
    )
    again = await translate_shard(
        DictionaryTranslator(), [good], "de", stage="t", protect_kinds=KINDS
    )
    translation = first.accepted[0].translation
    assert translation.id == again.accepted[0].translation.id
    assert translation.provenance.model == "mt:dictionary"
    assert translation.provenance.prompt_id is None
    assert translation.provenance.source_ids == (good.id,)


async def test_back_translation_returns_to_english() -> None:
    good = record("Greet {name} in 2 words.", "Hello {name}!")
    translated = await translate_shard(
        DictionaryTranslator(), [good], "de", stage="t", protect_kinds=KINDS
    )
    back = await back_translate_shard(DictionaryTranslator(), translated.accepted, stage="bt")
    assert back.n_input == 1 and not back.failed
    round_trip = back.accepted[0].back_translation
    assert round_trip is not None
    assert round_trip.language == "en" and round_trip.source_language == "de"
    assert (round_trip.instruction, round_trip.output) == (good.instruction, good.output)
