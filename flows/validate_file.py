"""`babelforge validate`: a recipe's filters on records a user already has, from one JSONL file.

Every line is read and checked first (a malformed line stops the command before anything is
written, naming the file and line). The recipe's cheap checks run on every record, the LLM
judges (when the config's backend is not the embedded model, or when asked) on those the
cheap checks kept, through the response cache in OUT/cache. Written to OUT, atomically:
`accepted.jsonl` and `rejected.jsonl` (each line the input plus its `verdicts`),
`failed.jsonl` (records a judge could not judge, with the reason and the raw reply) and
`summary.json`; accepted + rejected + failed == input, always.
"""

import asyncio
import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babelforge.flows.store import RunStore
from babelforge.flows.validate_output import ValidateSummary, write_outputs
from babelforge.flows.validate_rows import (
    Checked,
    RecipeName,
    parse_row,
    source_text,
    tagged_view,
    to_record,
)
from babelforge.generators.accounting import Accounting
from babelforge.generators.backends import chat_client, llm_endpoint
from babelforge.generators.cache_store import open_segment
from babelforge.generators.judges.build import build_judges, judges_wanted
from babelforge.generators.mining.readers import jsonl_rows
from babelforge.schemas.config import LLMConfig, RunConfig, ValidatorSettings, load_config
from babelforge.schemas.errors import InputError
from babelforge.schemas.hallucination_config import HallucinationValidatorSettings
from babelforge.schemas.instructions_config import InstructionsConfig, InstructionValidatorSettings
from babelforge.schemas.judge_config import JudgeSettings
from babelforge.schemas.languages import validate_language_code
from babelforge.schemas.outcome import ShardOutcome
from babelforge.schemas.records import TranslatedMCQ
from babelforge.validators.base import AsyncValidator, Check
from babelforge.validators.instr_candidate import InstructionCandidate
from babelforge.validators.runner import apply_validators_async
from babelforge.validators.suites import halluc_translate_suite, instructions_suite, mcq_suite

STAGE = "validate"
CHUNK = 1000


@dataclass(frozen=True)
class Line:
    """One input line: its place, the object as read, the record the checks read, and
    (tagged rows) the English clean text the MQM judge compares with."""

    where: str
    raw: Mapping[str, object]
    record: Checked
    source: str = ""

    @property
    def record_id(self) -> str:
        return self.record.id


@dataclass(frozen=True)
class Settings:
    """The recipe's filter settings, judge settings and LLM, from the config or defaults."""

    checks: ValidatorSettings | InstructionValidatorSettings | HallucinationValidatorSettings
    judges: JudgeSettings
    llm: LLMConfig
    source_language: str
    protect: tuple[str, ...]


def recipe_settings(recipe: RecipeName, config: RunConfig | None) -> Settings:
    """The settings `--config` gives the recipe, defaults where it gives none."""
    checks: ValidatorSettings | InstructionValidatorSettings | HallucinationValidatorSettings
    protect: tuple[str, ...] = InstructionsConfig.model_fields["protect"].default
    if recipe == "syndarin":
        checks = config.syndarin.validators if config and config.syndarin else ValidatorSettings()
    elif recipe == "instructions":
        section = config.instructions if config else None
        checks = section.validators if section else InstructionValidatorSettings()
        protect = section.protect if section else protect
    else:
        section_h = config.hallucination if config else None
        checks = section_h.validators if section_h else HallucinationValidatorSettings()
    return Settings(
        checks=checks,
        judges=checks.judges,
        llm=config.llm if config else LLMConfig(),
        source_language=config.source_language if config else "en",
        protect=protect,
    )


def with_judges(settings: Settings, judges: bool | None) -> Settings:
    """The settings with the judges forced on (True) or off (False); None leaves them."""
    if judges is None:
        return settings
    mode = "on" if judges else "off"
    return dataclasses.replace(settings, judges=settings.judges.model_copy(update={"mode": mode}))


def suite(settings: Settings, judges: Mapping[str, Check]) -> list[Check]:
    """The recipe's declared checks, the judges given last (the validate stage's suite;
    hallucination: the translate stage's, whose records these tagged pairs are)."""
    checks = settings.checks
    if isinstance(checks, ValidatorSettings):
        return mcq_suite(checks, judges)
    if isinstance(checks, InstructionValidatorSettings):
        return instructions_suite(checks, judges)
    return halluc_translate_suite(checks, judges)


def read_lines(recipe: RecipeName, path: str, language: str, settings: Settings) -> list[Line]:
    """Every line of the file as a record; InputError at the first bad or repeated one."""
    lines: list[Line] = []
    seen: dict[str, str] = {}
    for where, raw in jsonl_rows(path):
        row = parse_row(recipe, raw, where=f"{path}: {where}", language=language)
        if row.id in seen:
            raise InputError(
                f"{path}: {where}: id {row.id!r} already used at {seen[row.id]}; ids must be "
                "unique (the verdicts are matched to lines by id)"
            )
        seen[row.id] = where
        record = to_record(
            row, language, source_language=settings.source_language, protect=settings.protect
        )
        lines.append(Line(where, raw, record, source_text(row)))
    return lines


def validate_file(
    recipe: RecipeName,
    input_path: str,
    language: str,
    out_dir: str,
    *,
    config_path: str | Path | None = None,
    judges: bool | None = None,
) -> ValidateSummary:
    """Apply the recipe's filters to the file; write the four outputs; return the summary.

    `judges`: True runs the LLM judges whatever the backend, False never, None as the
    config's judge settings say (on unless the backend is the embedded model).
    """
    try:
        language = validate_language_code(language)
    except ValueError as e:
        raise InputError(f"--language {language!r}: {e}") from e
    config = load_config(config_path) if config_path is not None else None
    settings = recipe_settings(recipe, config)
    settings = with_judges(settings, judges)
    lines = read_lines(recipe, input_path, language, settings)
    skipped: tuple[str, ...] = ()
    if not any(_has_back_translation(line.record) for line in lines):
        settings, skipped = _without_roundtrip(settings)
    store = RunStore(out_dir)
    outcome, model, names = asyncio.run(_judge_all(recipe, lines, settings, store))
    return write_outputs(store, input_path, lines, outcome, names, model, skipped)


async def _judge_all(
    recipe: RecipeName, lines: list[Line], settings: Settings, store: RunStore
) -> tuple[list[ShardOutcome[Any]], str | None, tuple[str, ...]]:
    async with open_judges(recipe, lines, settings, store) as (judges, model):
        checks = suite(settings, judges)
        outcomes = []
        for chunk in _chunks([line.record for line in lines], CHUNK):
            outcomes.append(await apply_validators_async(chunk, checks, stage=STAGE))
    return outcomes, model, tuple(v.name for v in checks)


@asynccontextmanager
async def open_judges(
    recipe: RecipeName, lines: list[Line], settings: Settings, store: RunStore
) -> Any:
    """Yield (judges by name, model) with a cached client open, or ({}, None) when off."""
    if not judges_wanted(settings.judges, settings.llm.backend):
        yield {}, None
        return
    view: Callable[[Any], Any] | None = None
    if recipe == "hallucination":
        view = tagged_view({line.record.id: line.source for line in lines})
    with llm_endpoint(settings.llm, store.local_dir("logs") / "llm.log") as llm:
        async with (
            open_segment(store.path("cache"), store.fs) as cache,
            chat_client(llm, cache=cache, accounting=Accounting()) as client,
        ):
            built: dict[str, AsyncValidator] = build_judges(
                settings.judges,
                client,
                recipe=recipe,
                backend=settings.llm.backend,
                source_language=settings.source_language,
                parse_retries=settings.llm.parse_retries,
                stage=STAGE,
                view=view,
            )
            yield built, client.model


def _has_back_translation(record: Checked) -> bool:
    if isinstance(record, TranslatedMCQ):
        return record.back_translated_question is not None
    if isinstance(record, InstructionCandidate):
        return record.back_translation is not None
    return False


def _without_roundtrip(settings: Settings) -> tuple[Settings, tuple[str, ...]]:
    """No line has a back-translation: round-trip chrF cannot judge any, so it is skipped
    (and said so in the summary) rather than rejecting every record."""
    checks = settings.checks
    if isinstance(checks, HallucinationValidatorSettings) or "roundtrip_chrf" not in checks.enabled:
        return settings, ()
    enabled = tuple(n for n in checks.enabled if n != "roundtrip_chrf")
    note = "roundtrip_chrf: no line has a back-translation"
    without = checks.model_copy(update={"enabled": enabled})
    return dataclasses.replace(settings, checks=without), (note,)


def _chunks(items: Sequence[Checked], size: int) -> Iterator[list[Checked]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])
