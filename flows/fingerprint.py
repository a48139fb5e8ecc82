"""What each stage's shards are made from, so a run directory knows what it holds.

A lane's fingerprint (one stage of one recipe for one language) hashes, part by part:

    config    the recipe's section (language-keyed paths cut to the lane's language), the
              source and target language, the shard size
    llm       the stage's LLM: model, sampling, structured output... (not endpoints, keys,
              concurrency, timeouts or retry counts: they change where and how fast, not what)
    inputs    the contents of every file the recipe's section names (`*_path`, `*_paths`),
              streamed and hashed once per run
    prompts   the versions of the templates the stage may render (Stage.prompts)
    schema    the stage's name and the JSON schema of its output record
    upstream  the upstream lane's fingerprint

A committed shard holds for a run when its marker has the lane's fingerprint and names the
commit of the upstream shard it was made from as the one committed now; otherwise it is
re-made (its replies still valid come back from its cache segment). `--retry-failed` also
re-makes committed shards holding any `llm.*` failure.
"""

import hashlib
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources

import fsspec

from babelforge.flows.executor import Lane
from babelforge.flows.store import RunStore
from babelforge.generators.prompts import load_prompt
from babelforge.recipes.stage import Recipe, Stage
from babelforge.schemas.config import LLMConfig, RunConfig
from babelforge.schemas.outcome import Fingerprint, ShardSummary

Logger = logging.Logger | logging.LoggerAdapter[logging.Logger]
RETRIED_PREFIX = "llm."
_WHERE_NOT_WHAT = {"base_url", "api_key_env", "endpoints", "max_retries"}
_WHERE_NOT_WHAT_PARTS = ("timeout", "concurrency", "api_key", "endpoint")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class StageExpectation:
    """What this run expects of one lane's markers (RunStore.committed asks it)."""

    fingerprint: Fingerprint
    upstream: str | None
    language: str
    retry: frozenset[int] = field(default_factory=frozenset)

    def holds(self, store: RunStore, summary: ShardSummary) -> bool:
        """The marker has this fingerprint, is not queued for retry, and was made from the
        upstream shard committed now."""
        if summary.fingerprint is None or summary.fingerprint.digest != self.fingerprint.digest:
            return False
        if summary.index in self.retry:
            return False
        return self.upstream is None or summary.upstream_attempt == self.upstream_attempt(
            store, summary.index
        )

    def upstream_attempt(self, store: RunStore, index: int) -> str | None:
        if self.upstream is None:
            return None
        upstream = store.summary(self.upstream, self.language, index)
        return upstream.attempt if upstream is not None else None


def digest(value: object) -> str:
    """A short stable hash of a JSON-able value."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _what(value: object) -> object:
    """`value` without the keys that change where and how fast, not what."""
    if isinstance(value, dict):
        return {
            k: _what(v)
            for k, v in value.items()
            if k not in _WHERE_NOT_WHAT and not any(p in k for p in _WHERE_NOT_WHAT_PARTS)
        }
    if isinstance(value, list | tuple):
        return [_what(v) for v in value]
    return value


def _for_language(value: object, language: str) -> object:
    """Path maps keyed by language cut to the lane's language (a French file is not the
    German lane's input)."""
    if isinstance(value, dict):
        return {
            k: ({language: v.get(language)} if _is_path_key(k) and isinstance(v, dict) else
                _for_language(v, language))
            for k, v in value.items()
        }  # fmt: skip
    if isinstance(value, list):
        return [_for_language(v, language) for v in value]
    return value


def _is_path_key(key: str) -> bool:
    return key.endswith(("_path", "_paths"))


def _paths(value: object) -> Iterator[str]:
    """Every path named under a `*_path` or `*_paths` key."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from (_strings(v) if _is_path_key(k) else _paths(v))
    elif isinstance(value, list):
        for v in value:
            yield from _paths(v)


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)


def content_digest(path: str) -> str:
    """The sha256 of a file's contents (of every file, in order, under a folder), streamed;
    'missing' for a path that does not exist (its reader will say so)."""
    fs, root = fsspec.core.url_to_fs(path)
    if not fs.exists(root):
        return "missing"
    files = sorted(fs.find(root)) if fs.isdir(root) else [root]
    sha = hashlib.sha256()
    for name in files:
        sha.update(name.removeprefix(root).encode("utf-8") + b"\0")
        with fs.open(name, "rb") as f:
            while chunk := f.read(_CHUNK):
                sha.update(chunk)
    return sha.hexdigest()


def prompt_versions(stage: Stage) -> dict[str, str]:
    """The versions of the templates the stage may render."""
    if stage.prompts is not None:
        ids: Iterable[str] = stage.prompts
    elif stage.llm == "none":
        ids = ()
    else:
        folder = resources.files("babelforge.generators").joinpath("prompts")
        ids = sorted(p.name.removesuffix(".j2") for p in folder.iterdir() if p.name.endswith(".j2"))
    return {prompt_id: load_prompt(prompt_id).version for prompt_id in ids}


def _llm(config: RunConfig, recipe: Recipe, stage: Stage) -> LLMConfig | None:
    if stage.llm == "none":
        return None
    if stage.llm == "studied" and recipe.studied is not None:
        return recipe.studied(config)
    return config.llm


class Fingerprinter:
    """Fingerprints of a run's lanes; each input file is read once per run."""

    def __init__(self, config: RunConfig) -> None:
        self.config = config
        self._files: dict[str, str] = {}

    def _file(self, path: str) -> str:
        if path not in self._files:
            self._files[path] = content_digest(path)
        return self._files[path]

    def lane(self, lane: Lane, upstream: Fingerprint | None) -> Fingerprint:
        """The fingerprint of one lane, given its upstream lane's."""
        config, recipe, stage = self.config, lane.recipe, lane.stage
        section = getattr(config, recipe.name)
        dumped = _for_language(section.model_dump(mode="json"), lane.language)
        llm = _llm(config, recipe, stage)
        schema = stage.output.model_json_schema()
        parts = {
            "config": digest(
                {
                    "section": _what(dumped),
                    "source_language": config.source_language,
                    "language": lane.language,
                    "shard_size": stage.shard_size(config),
                }
            ),
            "llm": digest(_what(llm.model_dump(mode="json")) if llm is not None else None),
            "inputs": digest({p: self._file(p) for p in sorted(set(_paths(dumped)))}),
            "prompts": digest(prompt_versions(stage)),
            "schema": digest({"stage": stage.name, "output": schema}),
            "upstream": upstream.digest if upstream is not None else "",
        }
        return Fingerprint(digest=digest(parts), parts=parts)


def expectations(
    config: RunConfig,
    store: RunStore,
    chains: list[list[Lane]],
    log: Logger,
    *,
    retry_failed: bool,
) -> dict[tuple[str, str], StageExpectation]:
    """What this run expects of every lane's markers; logs, per lane with committed shards,
    whether they hold or how many re-run and why (one line per lane)."""
    fingerprinter = Fingerprinter(config)
    out: dict[tuple[str, str], StageExpectation] = {}
    for chain in chains:
        made: dict[str, Fingerprint] = {}
        again: dict[str, set[int]] = {}
        for lane in chain:
            stage, language = lane.stage, lane.language
            fingerprint = fingerprinter.lane(lane, made.get(stage.upstream or ""))
            made[stage.name] = fingerprint
            markers = [s for s in store.summaries(stage.name) if s.language == language]
            retry = {s.index for s in markers if retry_failed and _llm_failed(s)}
            out[(stage.name, language)] = StageExpectation(
                fingerprint, stage.upstream, language, frozenset(retry)
            )
            stale = [s for s in markers if _changed(fingerprint, s)]
            after = again.get(stage.upstream or "", set())
            rerun = {s.index for s in stale} | retry | (after & {s.index for s in markers})
            again[stage.name] = rerun
            _say(log, f"{stage.name}/{language}", markers, stale, fingerprint, retry, rerun)
    return out


def _llm_failed(summary: ShardSummary) -> bool:
    return any(reason.startswith(RETRIED_PREFIX) for reason in summary.reasons)


def _changed(fingerprint: Fingerprint, summary: ShardSummary) -> bool:
    return summary.fingerprint is None or summary.fingerprint.digest != fingerprint.digest


def _say(
    log: Logger,
    lane: str,
    markers: list[ShardSummary],
    stale: list[ShardSummary],
    fingerprint: Fingerprint,
    retry: set[int],
    rerun: set[int],
) -> None:
    if not markers:
        return
    if not rerun:
        log.info("%s: all %d committed shards hold (fingerprint unchanged)", lane, len(markers))
        return
    why = []
    if stale:
        changed = sorted({p for s in stale for p in fingerprint.changed(s.fingerprint)})
        why.append(f"{len(stale)} made from another {'/'.join(changed)}")
    if retry:
        why.append(f"{len(retry)} holding llm.* failures (--retry-failed)")
    if rest := len(rerun - retry - {s.index for s in stale}):
        why.append(f"{rest} after their upstream shard")
    log.info(
        "%s: re-running %d of %d committed shards (%s); replies still valid come from the cache",
        lane, len(rerun), len(markers), "; ".join(why),
    )  # fmt: skip
