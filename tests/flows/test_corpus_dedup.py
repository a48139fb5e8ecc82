"""Near-duplicates across the whole corpus: a dedup stage drops each record that near-duplicates
an earlier one of its language (by shard index, then position) with the id it duplicates,
whatever order the shards completed in; it commits shard i once upstream shards 0..i are, so
the next stage starts before the upstream stage ends; it resumes a killed run without redoing
its committed shards."""

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np

from babelforge.flows.corpus_dedup import CorpusPass, Signatures, sign, signature_file
from babelforge.flows.executor import Engine, execute, lanes
from babelforge.flows.report import build_report
from babelforge.flows.store import RunStore
from babelforge.recipes.stage import Dedup, Recipe, Stage, StageContext
from babelforge.schemas.base import Record
from babelforge.schemas.config import RunConfig
from babelforge.schemas.outcome import ShardOutcome
from babelforge.schemas.validator_config import TranslationCheckSettings
from tests.processes import stop_group

REPO = Path(__file__).resolve().parents[2]
FOX = "The quick brown fox jumps over the lazy dog near the old river bank."
TEXTS = {  # shard_size 2: shard 0 = records 0-1, shard 1 = 2-3, shard 2 = 4-5
    "de": (
        FOX,
        "Der Zug nach Berlin fährt heute um acht Uhr ab.",
        "Wie viele Einwohner hat die Stadt Hamburg?",
        "The quick brown fox jumps over the lazy dog near the old river bank!",  # ~ de-0
        "Die Zugspitze ist der höchste Berg Deutschlands.",
        FOX,  # = de-0
    ),
    "hy": (  # FOX again: another language, never compared with de's
        "Երևանը Հայաստանի մայրաքաղաքն է և ամենամեծ քաղաքը։",
        FOX,
        "Արարատ լեռը երևում է Երևանից պարզ եղանակին։",
        "Գյումրին Հայաստանի երկրորդ մեծ քաղաքն է։",
        "Երևանը Հայաստանի մայրաքաղաքն է և ամենամեծ քաղաքը։",  # = hy-0
        "",  # blank: kept, never matched
    ),
}
EXPECTED = {"de": {"de-3": "de-0", "de-5": "de-0"}, "hy": {"hy-4": "hy-0"}}


class Text(Record):
    id: str
    language: str
    text: str


def texts(config: RunConfig, language: str) -> list[Text]:
    return [
        Text(id=f"{language}-{n}", language=language, text=t) for n, t in enumerate(TEXTS[language])
    ]


def text_recipe(order: tuple[int, ...] = (0, 1, 2), last_after_copy: bool = False) -> Recipe:
    """read -> dedup -> copy, no LLM; the read shards of each language commit in `order`;
    with `last_after_copy` the last of them waits until copy has made its shard 0."""
    done: dict[tuple[str, int], asyncio.Event] = {}

    def event(language: str, index: int) -> asyncio.Event:
        return done.setdefault((language, index), asyncio.Event())

    async def read(context: StageContext, batch: list[Text]) -> ShardOutcome[Text]:
        position = order.index(context.index)
        if position > 0:
            await asyncio.wait_for(event(context.language, order[position - 1]).wait(), 120)
        if last_after_copy and position == len(order) - 1:
            await asyncio.wait_for(event(context.language, -1).wait(), 60)
        event(context.language, context.index).set()
        return ShardOutcome[Text](n_input=len(batch), accepted=tuple(batch))

    async def copy(context: StageContext, batch: list[Text]) -> ShardOutcome[Text]:
        if context.index == 0:
            event(context.language, -1).set()
        return ShardOutcome[Text](n_input=len(batch), accepted=tuple(batch))

    return Recipe(
        name="texts",
        stages=(
            Stage(name="texts.read", reads=texts, output=Text, make=read),
            Stage(
                name="texts.dedup",
                reads="texts.read",
                output=Text,
                dedup=Dedup(text=lambda r: r.text, settings=lambda c: TranslationCheckSettings()),
            ),
            Stage(name="texts.copy", reads="texts.dedup", output=Text, make=copy),
        ),
        subsets=(),
        gold_kind="mcq",
        gold_stages=(),
        title="texts",
        method="test",
        citations=(),
    )


def run(
    run_dir: Path,
    order: tuple[int, ...] = (0, 1, 2),
    store: RunStore | None = None,
    last_after_copy: bool = False,
) -> RunStore:
    config = RunConfig(name="dedup", run_dir=str(run_dir), languages=("de", "hy"), shard_size=2)
    store = store or RunStore(config.run_dir)
    store.snapshot_config(config)
    engine = Engine(config=config, store=store, clients={})
    recipe = text_recipe(order, last_after_copy)
    asyncio.run(execute(engine, lanes(config, [recipe]), streaming=True))
    return store


def survivors(store: RunStore, stage: str = "texts.copy") -> dict[str, list[str]]:
    return {lang: [r.id for r in store.accepted(stage, lang, Text)] for lang in TEXTS}


def dropped(store: RunStore) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for language in TEXTS:
        for rejected in store.rejected("texts.dedup", language, Text):
            (verdict,) = rejected.verdicts
            assert verdict.reason == "near_duplicate.corpus" and verdict.score is not None
            assert verdict.score >= TranslationCheckSettings().near_duplicate_threshold
            duplicate_of = json.loads(verdict.detail or "{}")["duplicate_of"]
            out.setdefault(language, {})[rejected.record.id] = duplicate_of
    return out


def test_duplicates_in_other_shards_are_dropped_naming_the_record_they_duplicate(
    tmp_path: Path,
) -> None:
    store = run(tmp_path / "run", order=(2, 1, 0))

    assert dropped(store) == EXPECTED
    assert survivors(store) == {
        lang: [f"{lang}-{n}" for n in range(6) if f"{lang}-{n}" not in EXPECTED[lang]]
        for lang in TEXTS
    }
    for language in TEXTS:  # one dedup shard per upstream shard, each balanced
        shards = [s for s in store.summaries("texts.dedup") if s.language == language]
        assert [(s.index, s.n_input) for s in shards] == [(0, 2), (1, 2), (2, 2)]
        assert all(s.accepted + s.rejected + s.failed == s.n_input for s in shards)
        for index in range(3):
            assert store.exists(signature_file("texts.dedup", language, index))
    report = build_report(store)
    assert report.balanced
    rows = {(r.stage, r.language): r for r in report.stages}
    assert (rows[("texts.dedup", "de")].input, rows[("texts.dedup", "de")].rejected) == (6, 2)
    assert rows[("texts.dedup", "hy")].reasons == {"near_duplicate.corpus": 1}
    assert rows[("texts.copy", "de")].input == 4


def test_the_next_stage_starts_on_shard_0_before_the_upstream_stage_ends(tmp_path: Path) -> None:
    # read shard 2 waits until copy has made shard 0: a dedup waiting for all of read times out
    store = run(tmp_path / "run", last_after_copy=True)

    assert dropped(store) == EXPECTED
    assert survivors(store) == survivors(run(tmp_path / "plain"))


def test_the_same_records_survive_whatever_order_the_shards_complete_in(tmp_path: Path) -> None:
    first = run(tmp_path / "in-order", order=(0, 1, 2))
    for n, order in enumerate(((2, 1, 0), (1, 2, 0))):
        other = run(tmp_path / f"order-{n}", order=order)
        assert survivors(other) == survivors(first)
        assert dropped(other) == dropped(first) == EXPECTED


class KillingStore(RunStore):
    """A run store whose process is SIGKILLed as it commits dedup shard 1 of `de`."""

    def write_shard(self, stage, language, index, outcome, output):  # type: ignore[no-untyped-def]
        if (stage, language, index) == ("texts.dedup", "de", 1):
            os.kill(os.getpid(), signal.SIGKILL)
        return super().write_shard(stage, language, index, outcome, output)


def killed_run(run_dir: str) -> None:
    """The subprocess side of the kill test."""
    run(Path(run_dir), order=(2, 1, 0), store=KillingStore(run_dir))


def test_a_run_killed_in_the_dedup_step_resumes_without_redoing_committed_shards(
    tmp_path: Path,
) -> None:
    run_dir = tmp_path / "killed"
    code = f"from tests.flows.test_corpus_dedup import killed_run; killed_run({str(run_dir)!r})"
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), "PYTHONUNBUFFERED": "1"}
    log = tmp_path / "killed.log"
    with log.open("wb") as out:  # the Prefect server it starts outlives it: wait on the pid
        process = subprocess.Popen(
            [sys.executable, "-c", code], cwd=REPO, env=env, stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            returncode = process.wait(timeout=300)
        finally:
            stop_group(process)
    assert returncode == -signal.SIGKILL, log.read_text(errors="replace")[-3000:]
    store = RunStore(str(run_dir))
    before = store.summary("texts.dedup", "de", 0)
    assert before is not None and store.summary("texts.dedup", "de", 1) is None

    run(run_dir, order=(0, 1, 2))

    assert store.summary("texts.dedup", "de", 0) == before  # committed shard not redone
    assert dropped(store) == EXPECTED
    assert survivors(store) == survivors(run(tmp_path / "uninterrupted"))
    assert build_report(store).balanced


def test_the_lsh_pass_keeps_the_first_record_in_shard_then_position_order() -> None:
    near = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu"
    shards = [
        sign(["a0", "a1", "a2"], [near + " nu", "", near], 128),
        sign(["b0", "b1"], [near + " nu", "something else entirely, nothing alike"], 128),
        sign(["c0", "c1"], [near, ""], 128),
    ]
    corpus = CorpusPass(threshold=0.8, num_perm=128)
    found = [corpus.add(index, signatures) for index, signatures in enumerate(shards)]

    # a0 comes first; the exact repeat b0 and the near ones a2, c0 all name it; blanks stay
    assert [{k: v[0] for k, v in shard.items()} for shard in found] == [
        {(0, 2): "a0"}, {(1, 0): "a0"}, {(2, 0): "a0"}
    ]  # fmt: skip
    assert found[1][(1, 0)][1] == 1.0 and 0.8 <= found[0][(0, 2)][1] == found[2][(2, 0)][1] < 1.0


def test_signatures_survive_their_side_file_unchanged() -> None:
    made = sign(["x", "y"], ["Երևան", ""], 64, upstream_attempt="abc")
    back = Signatures.from_json(made.to_json())
    assert back.ids == made.ids and back.blank == frozenset({1}) == made.blank
    assert back.upstream_attempt == "abc" and back.scheme == made.scheme
    assert np.array_equal(back.hashvalues, made.hashvalues) and back.hashvalues.shape == (2, 64)
