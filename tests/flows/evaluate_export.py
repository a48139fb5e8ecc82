"""A small export to benchmark on, written the way the factory writes one: records in a run
directory (English MCQs, their Armenian and German translations, a gold split, queries with
references, injected spans), exported with the project's own export code. No LLM."""

from pathlib import Path

from babelforge.annotation.gold import GoldRecord
from babelforge.annotation.labels import HumanLabel
from babelforge.flows.export.export import ExportSummary, export_run
from babelforge.flows.report import build_report
from babelforge.flows.store import RunStore
from babelforge.schemas.config import MiningConfig, RunConfig, SyndarinConfig
from babelforge.schemas.delivery_config import ExportConfig
from babelforge.schemas.hallucination_config import HallucinationConfig
from babelforge.schemas.outcome import ShardOutcome
from babelforge.schemas.records import (
    HallucinationSample,
    MCQItem,
    QuestionType,
    Span,
    SpanType,
    TranslatedMCQ,
)

# (English paragraph, question, options, answer, type; translation: question, options, paragraph)
ITEMS: dict[
    str, list[tuple[str, str, tuple[str, ...], int, QuestionType, str, tuple[str, ...], str]]
] = {
    "hy": [
        (
            "Erebuni Fortress was founded by King Argishti I in 782 BC.",
            "Who founded Erebuni Fortress?",
            ("Argishti I", "Tigranes the Great", "Ashot I", "Artaxias I"),
            0,
            "factual",
            "Ո՞վ է հիմնադրել Էրեբունի ամրոցը։",
            ("Արգիշտի I", "Տիգրան Մեծ", "Աշոտ I", "Արտաշես I"),
            "Էրեբունի ամրոցը հիմնադրել է Արգիշտի I թագավորը մ.թ.ա. 782 թվականին։",
        ),
        (
            "Lake Sevan lies at 1,900 metres above sea level.",
            "At what altitude does Lake Sevan lie?",
            ("900 metres", "1,900 metres", "2,900 metres", "190 metres"),
            1,
            "numerical",
            "Ի՞նչ բարձրության վրա է գտնվում Սևանա լիճը։",
            ("900 մետր", "1900 մետր", "2900 մետր", "190 մետր"),
            "Սևանա լիճը գտնվում է ծովի մակերևույթից 1900 մետր բարձրության վրա։",
        ),
        (
            "Mesrop Mashtots created the Armenian alphabet in 405.",
            "When was the Armenian alphabet created?",
            ("301", "451", "405", "1918"),
            2,
            "temporal",
            "Ե՞րբ է ստեղծվել հայոց այբուբենը։",
            ("301", "451", "405", "1918"),
            "Մեսրոպ Մաշտոցը ստեղծել է հայոց այբուբենը 405 թվականին։",
        ),
        (
            "Yerevan became the capital of Armenia in 1918.",
            "Since when is Yerevan the capital?",
            ("1991", "1828", "1936", "1918"),
            3,
            "temporal",
            "Ե՞րբ է Երևանը դարձել մայրաքաղաք։",
            ("1991", "1828", "1936", "1918"),
            "Երևանը Հայաստանի մայրաքաղաքը դարձել է 1918 թվականին։",
        ),
        (
            "Mount Aragats is the highest peak of Armenia.",
            "Which is the highest peak of Armenia?",
            ("Aragats", "Ararat", "Kapudzhukh", "Azhdahak"),
            0,
            "comparison",
            "Ո՞րն է Հայաստանի ամենաբարձր գագաթը։",
            ("Արագած", "Արարատ", "Կապուտջուղ", "Աժդահակ"),
            "Արագած լեռը Հայաստանի ամենաբարձր գագաթն է։",
        ),
    ],
    "de": [
        (
            "The Brandenburg Gate was completed in 1791.",
            "When was the Brandenburg Gate completed?",
            ("1791", "1871", "1989", "1618"),
            0,
            "temporal",
            "Wann wurde das Brandenburger Tor fertiggestellt?",
            ("1791", "1871", "1989", "1618"),
            "Das Brandenburger Tor wurde im Jahr 1791 fertiggestellt.",
        ),
        (
            "The Rhine flows into the North Sea.",
            "Into which sea does the Rhine flow?",
            ("the Baltic Sea", "the North Sea", "the Black Sea", "the Mediterranean"),
            1,
            "factual",
            "In welches Meer fließt der Rhein?",
            ("die Ostsee", "die Nordsee", "das Schwarze Meer", "das Mittelmeer"),
            "Der Rhein mündet in die Nordsee.",
        ),
        (
            "The Zugspitze is 2,962 metres high.",
            "How high is the Zugspitze?",
            ("1,962 metres", "3,962 metres", "2,962 metres", "962 metres"),
            2,
            "numerical",
            "Wie hoch ist die Zugspitze?",
            ("1962 Meter", "3962 Meter", "2962 Meter", "962 Meter"),
            "Die Zugspitze ist 2962 Meter hoch.",
        ),
    ],
}
QUERIES = {
    "de": [
        (
            "Seit wann ist Jerewan die Hauptstadt Armeniens?",
            ("Seit 1918 ist Jerewan die Hauptstadt Armeniens.",),
        ),
    ],
    "hy": [
        ("Ո՞վ է հիմնադրել Էրեբունի ամրոցը։", (ITEMS["hy"][0][7],)),
    ],
}


def english(language: str, i: int) -> MCQItem:
    paragraph, question, options, right, kind, *_ = ITEMS[language][i]
    return MCQItem(
        id=f"mcq-{language}-{i}",
        pair_id=f"pair-{language}-{i}",
        language="en",
        paragraph=paragraph,
        question=question,
        options=options,  # type: ignore[arg-type]
        answer_index=right,
        question_type=kind,
    )


def translated(language: str, i: int) -> TranslatedMCQ:
    _, question, options, right, _, t_question, t_options, t_paragraph = ITEMS[language][i]
    return TranslatedMCQ(
        id=f"tmcq-{language}-{i}",
        mcq_id=f"mcq-{language}-{i}",
        pair_id=f"pair-{language}-{i}",
        language=language,
        question=t_question,
        options=t_options,  # type: ignore[arg-type]
        answer_index=right,
        target_paragraph=t_paragraph,
        source_question=question,
        source_options=options,  # type: ignore[arg-type]
    )


def query(language: str, i: int) -> HallucinationSample:
    text, references = QUERIES[language][i]
    return HallucinationSample(
        id=f"hq-{language}-{i}",
        language=language,
        text="",
        method="query",
        query=text,
        references=references,
    )


def injected() -> HallucinationSample:
    text = "Երևանը Վրաստանի մայրաքաղաքն է 1918 թվականից։"
    return HallucinationSample(
        id="inj-hy-0",
        language="hy",
        text=text,
        spans=(Span(start=7, end=15, type=SpanType.ENTITY),),
        method="injection",
        references=(ITEMS["hy"][3][7],),
    )


def gold_line(record: TranslatedMCQ, human: bool) -> str:
    return GoldRecord(
        id=record.id,
        kind="mcq",
        language=record.language,
        stage="syndarin.validate",
        task_id=1,
        automatic_keep=True,
        labels=(HumanLabel(annotation_id=1, annotator="ani@example.org", keep=human),),
        human_keep=human,
        record=record,
    ).model_dump_json()


def build_export(tmp: Path) -> tuple[RunStore, ExportSummary]:
    """Write the run directory and export it; the last Armenian MCQ goes to the gold split
    (kept by its annotator), a second gold record is one the annotator dropped."""
    config = RunConfig(
        name="evaluate-demo",
        run_dir=str(tmp / "run"),
        languages=("de", "hy"),
        syndarin=SyndarinConfig(mining=MiningConfig(paired_path="pairs.jsonl")),
        hallucination=HallucinationConfig(),
        export=ExportConfig(test_fraction=0.99),
    )
    store = RunStore(config.run_dir)
    store.snapshot_config(config)
    for language, items in ITEMS.items():
        n = len(items)
        store.write_shard(
            "syndarin.generate",
            language,
            0,
            ShardOutcome[MCQItem](
                n_input=n, accepted=tuple(english(language, i) for i in range(n))
            ),
            MCQItem,
        )
        store.write_shard(
            "syndarin.validate",
            language,
            0,
            ShardOutcome[TranslatedMCQ](
                n_input=n, accepted=tuple(translated(language, i) for i in range(n))
            ),
            TranslatedMCQ,
        )
        queries = tuple(query(language, i) for i in range(len(QUERIES[language])))
        store.write_shard(
            "hallucination.answers",
            language,
            0,
            ShardOutcome[HallucinationSample](n_input=len(queries), accepted=queries),
            HallucinationSample,
        )
    store.write_shard(
        "hallucination.inject",
        "hy",
        0,
        ShardOutcome[HallucinationSample](n_input=1, accepted=(injected(),)),
        HallucinationSample,
    )
    dropped = translated("hy", 0).model_copy(update={"id": "tmcq-hy-dropped"})
    store.write_text(
        "gold/mcq/hy.jsonl",
        gold_line(translated("hy", 4), human=True) + "\n" + gold_line(dropped, human=False) + "\n",
    )
    return store, export_run(store, config, build_report(store))
