"""What a stage and a recipe are: plain frozen declarations that everything else reads.

A stage names what it reads (an upstream stage, or a source reader of the run config), the
record type it writes, the async function that turns one batch into a balanced outcome, the
checks the executor applies to what that function made, and which LLM it talks to. A recipe
is its stages in order plus the facts the export, the gold check and the card need.
"""

from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeVar

from pydantic import BaseModel

from babelforge.generators.client import ChatClient
from babelforge.schemas.config import LLMConfig, RunConfig
from babelforge.schemas.gold_config import GoldKind
from babelforge.schemas.outcome import ShardOutcome, ShardSummary
from babelforge.schemas.validator_config import TranslationCheckSettings
from babelforge.validators.base import AnyValidator

T = TypeVar("T", bound=BaseModel)

LLMUse = Literal["none", "run", "studied"]
"""No LLM, the run's LLM (`llm:`), or the model under study (hallucination answers)."""


class ShardReader(Protocol):
    """Read access to the committed records of a run (the run store, seen from a recipe)."""

    def accepted(self, stage: str, language: str, model: type[T]) -> Iterator[T]: ...

    def summaries(self, stage: str | None = None) -> list[ShardSummary]: ...

    def shard_accepted(self, stage: str, language: str, index: int, model: type[T]) -> list[T]:
        """The accepted records of one committed shard."""
        ...


@dataclass(frozen=True)
class StageContext:
    """What a stage's function gets besides its batch: the run config, the language, the
    shard's index, the shared client of the stage's LLM, and the same shard of other stages
    (a stream join: the translate stage reads its mined pairs shard by shard)."""

    config: RunConfig
    language: str
    index: int
    offset: int
    client: ChatClient | None
    store: ShardReader

    def llm(self) -> ChatClient:
        """The stage's client; a stage declared `llm="none"` has none."""
        if self.client is None:
            raise RuntimeError("this stage is declared without an LLM (llm='none')")
        return self.client

    def peer(self, stage: str, model: type[T]) -> list[T]:
        """The accepted records of the same shard of `stage` (same language and index)."""
        return self.store.shard_accepted(stage, self.language, self.index, model)


Make = Callable[[StageContext, list[Any]], Awaitable[ShardOutcome[Any]]]
Reader = Callable[[RunConfig, str], Iterable[Any]]
Suite = Callable[[RunConfig, ChatClient | None], Sequence[AnyValidator]]


def run_shard_size(config: RunConfig) -> int:
    """The default shard size: the run's `shard_size`."""
    return config.shard_size


def always(config: RunConfig, language: str) -> bool:
    """The default: a stage runs for every language of a configured recipe."""
    return True


@dataclass(frozen=True)
class Dedup:
    """A corpus-wide near-duplicate step (flows/corpus_dedup.py): `text` is what a reader
    would call the record (compared by MinHash within a language), `settings` the recipe's
    validator settings whose `near_duplicate_threshold` and `near_duplicate_num_perm` it uses."""

    text: Callable[[Any], str]
    settings: Callable[[RunConfig], TranslationCheckSettings]


@dataclass(frozen=True)
class Stage:
    """One step of a recipe, declared once.

    `reads` is the name of the upstream stage (its shard i becomes this stage's shard i) or a
    reader `(config, language) -> inputs` cut into shards of `shard_size(config)`. `make` is
    None for a stage that only applies `checks`; `checks` is the declared suite the executor
    applies, with the one runner, to the records `make` accepted. `prompts` names the
    templates (generators/prompts/<id>.j2) the stage renders; None, the default, counts
    every template for a stage with an LLM and none without, so a template change re-runs
    what might use it (flows/fingerprint.py).
    """

    name: str
    reads: str | Reader
    output: type[BaseModel]
    make: Make | None = None
    checks: Suite | None = None
    llm: LLMUse = "none"
    shard_size: Callable[[RunConfig], int] = run_shard_size
    enabled: Callable[[RunConfig, str], bool] = always
    dedup: Dedup | None = None  # shard i once upstream shards 0..i of its language are done
    prompts: tuple[str, ...] | None = None

    @property
    def upstream(self) -> str | None:
        """The stage this one reads, or None when it reads a source."""
        return self.reads if isinstance(self.reads, str) else None


@dataclass(frozen=True)
class ExportSubset:
    """One exported kind of record: the stages whose accepted records form it, its model,
    Hub task categories, a one-line summary, and how a gold record of its recipe's gold kind
    becomes one of its rows (`from_gold`, None when the gold record does not belong here).
    `derived` adds columns computed from a record: (name, Python type, function)."""

    name: str
    stages: tuple[str, ...]
    model: type[BaseModel]
    task_categories: tuple[str, ...]
    summary: str
    gold_stages: tuple[str, ...]
    from_gold: Callable[[Mapping[str, Any]], BaseModel | None]
    derived: tuple[tuple[str, type, Callable[[Any], Any]], ...] = ()


Metrics = Callable[[RunConfig, ShardReader], dict[str, object]]


@dataclass(frozen=True)
class Recipe:
    """A recipe: its stages in run order and the facts every other place reads.

    `metrics` writes metrics/<name>.json after the run; `preflight` fails fast before any
    token is spent; `studied` is the LLM config of the stages declared `llm="studied"`.
    """

    name: str
    stages: tuple[Stage, ...]
    subsets: tuple[ExportSubset, ...]
    gold_kind: GoldKind
    gold_stages: tuple[str, ...]
    title: str
    method: str
    citations: tuple[str, ...]
    metrics: Metrics | None = None
    preflight: Callable[[RunConfig], None] | None = None
    studied: Callable[[RunConfig], LLMConfig] | None = None

    def configured(self, config: RunConfig) -> bool:
        """Whether the run config has this recipe's section."""
        return getattr(config, self.name) is not None

    def stage(self, name: str) -> Stage:
        """The stage of this recipe called `name`."""
        for stage in self.stages:
            if stage.name == name:
                return stage
        raise KeyError(f"recipe {self.name} has no stage {name}")


def merged(model: type[T], outcomes: Sequence[ShardOutcome[Any]]) -> ShardOutcome[T]:
    """One outcome of several (per-item chains gathered back into their shard), in order."""
    kind: Any = ShardOutcome[model]  # type: ignore[valid-type]
    result: ShardOutcome[T] = kind(
        n_input=sum(o.n_input for o in outcomes),
        accepted=tuple(r for o in outcomes for r in o.accepted),
        rejected=tuple(r for o in outcomes for r in o.rejected),
        failed=tuple(f for o in outcomes for f in o.failed),
    )
    return result
