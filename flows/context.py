"""What a recipe flow opens for one run: the store and the response cache."""

from dataclasses import dataclass

from babelforge.flows.store import RunStore
from babelforge.generators.cache import ResponseCache
from babelforge.schemas.config import RunConfig


@dataclass
class RunContext:
    """The run directory and response cache of one run."""

    config: RunConfig
    store: RunStore
    cache: ResponseCache

    @classmethod
    def open(cls, config: RunConfig) -> "RunContext":
        store = RunStore(config.run_dir)
        store.snapshot_config(config)
        cache = ResponseCache(store.local_dir("cache") / "responses.sqlite")
        return cls(config=config, store=store, cache=cache)
