"""A small run directory with real multilingual records and verdicts, as the recipes write it."""

from pathlib import Path

import yaml

from babelforge.flows.store import RunStore
from babelforge.schemas.base import stable_id
from babelforge.schemas.outcome import ShardOutcome
from babelforge.schemas.records import (
    HallucinationSample,
    InstructionRecord,
    Span,
    SpanType,
    TacoRecord,
    TranslatedMCQ,
)
from babelforge.schemas.verdict import Rejected, Verdict
from babelforge.validators.instr_candidate import InstructionCandidate

RUN_NAME = "gold-test-run"

ANSWER_OK = Verdict(validator="answer_match", keep=True, score=93.0)
ANSWER_BAD = Verdict(
    validator="answer_match", keep=False, reason="answer_match.not_in_paragraph", score=41.0
)
LANGID_OK = Verdict(validator="langid", keep=True, score=0.97)

MCQ_TEXTS = {
    "hy": (
        "Երևանը Հայաստանի մայրաքաղաքն է և ամենամեծ քաղաքը։ Այն հիմնադրվել է մ.թ.ա. 782 "
        "թվականին՝ որպես Էրեբունի ամրոց։",
        [
            ("Ե՞րբ է հիմնադրվել Էրեբունի ամրոցը։", "When was the Erebuni fortress founded?"),
            ("Ո՞րն է Հայաստանի մայրաքաղաքը։", "What is the capital of Armenia?"),
            ("Ինչպե՞ս էր կոչվում ամրոցը։", "What was the fortress called?"),
            ("Ո՞րն է Հայաստանի ամենամեծ քաղաքը։", "What is the largest city of Armenia?"),
            ("Ո՞ր դարում է հիմնադրվել Երևանը։", "In which century was Yerevan founded?"),
        ],
        ("մ.թ.ա. 782 թվականին", "1918 թվականին", "301 թվականին", "1991 թվականին"),
        ("in 782 BC", "in 1918", "in 301", "in 1991"),
    ),
    "de": (
        "Berlin ist die Hauptstadt Deutschlands. Die Stadt wurde 1237 erstmals urkundlich "
        "erwähnt und hat heute rund 3,8 Millionen Einwohner.",
        [
            ("Wann wurde Berlin erstmals urkundlich erwähnt?", "When was Berlin first mentioned?"),
            ("Was ist die Hauptstadt Deutschlands?", "What is the capital of Germany?"),
            ("Wie viele Einwohner hat Berlin?", "How many inhabitants does Berlin have?"),
            (
                "In welchem Jahrhundert wurde Berlin erwähnt?",
                "In which century was Berlin mentioned?",
            ),
            ("Welche Stadt wurde 1237 erwähnt?", "Which city was mentioned in 1237?"),
        ],
        ("1237", "1871", "1989", "1415"),
        ("1237", "1871", "1989", "1415"),
    ),
}


def mcq(language: str, n: int) -> TranslatedMCQ:
    """The n-th Armenian or German MCQ item of the fixture paragraph."""
    paragraph, questions, options, source_options = MCQ_TEXTS[language]
    question, source = questions[n]
    return TranslatedMCQ(
        id=stable_id("tmcq", language, n),
        mcq_id=stable_id("mcq", n),
        pair_id=stable_id("pair", language),
        language=language,
        question=question,
        options=options,
        answer_index=0,
        target_paragraph=paragraph,
        source_question=source,
        source_options=source_options,
    )


def instruction(n: int, copied: bool = False) -> InstructionCandidate:
    """An English instruction and its Armenian translation (or an untranslated copy)."""
    english = [
        ("Name three primary colours.", "", "Red, yellow and blue."),
        ("Translate the word 'house' into French.", "", "maison"),
        ("Summarise the text in one sentence.", "The sun is a star.", "The sun is a star."),
        ("Give an example of a prime number.", "", "7 is a prime number."),
    ][n]
    armenian = [
        ("Նշեք երեք հիմնական գույն։", "", "Կարմիր, դեղին և կապույտ։"),
        ("Թարգմանեք «house» բառը ֆրանսերեն։", "", "maison"),
        ("Ամփոփեք տեքստը մեկ նախադասությամբ։", "Արևը աստղ է։", "Արևը աստղ է։"),
        ("Բերեք պարզ թվի օրինակ։", "", "7-ը պարզ թիվ է։"),
    ][n]
    source = InstructionRecord(
        id=stable_id("src", n), language="en", instruction=english[0], input=english[1],
        output=english[2],
    )  # fmt: skip
    fields = english if copied else armenian
    translation = InstructionRecord(
        id=stable_id("mits", n, "hy"), language="hy", instruction=fields[0], input=fields[1],
        output=fields[2], source_id=source.id, source_language="en",
    )  # fmt: skip
    return InstructionCandidate(id=translation.id, source=source, translation=translation)


HALLUCINATION_TEXTS = [
    ("hi", "ताजमहल आगरा में स्थित है और इसे 1753 में पूरा किया गया था।", "1753", SpanType.ENTITY),
    ("hi", "गंगा नदी हिमालय से निकलती है और यह दुनिया की सबसे सुंदर नदी है।",
     "यह दुनिया की सबसे सुंदर नदी है", SpanType.SUBJECTIVE),
    ("hi", "कुतुब मीनार दिल्ली में है और इसे नेपोलियन ने बनवाया था।", "नेपोलियन", SpanType.ENTITY),
    ("de", "Der Eiffelturm 🗼 steht in Berlin und ist 330 Meter hoch.", "Berlin", SpanType.ENTITY),
]  # fmt: skip


def hallucination(n: int) -> HallucinationSample:
    """A labeled sample with one span (the German one has an emoji before its span)."""
    language, text, marked, kind = HALLUCINATION_TEXTS[n]
    start = text.index(marked)
    return HallucinationSample(
        id=stable_id("hs", n),
        language=language,
        text=text,
        spans=(Span(start=start, end=start + len(marked), type=kind),),
        method="injection",
    )


def _outcome(accepted: list, rejected: list, verdicts: tuple[Verdict, ...]) -> ShardOutcome:
    return ShardOutcome(
        n_input=len(accepted) + len(rejected),
        accepted=tuple(accepted),
        rejected=tuple(Rejected(stage="x", record=r, verdicts=verdicts) for r in rejected),
    )


def build_run(root: Path, name: str = RUN_NAME, gold: dict | None = None) -> RunStore:
    """Write the run: per language 3 accepted + 2 rejected MCQs (hy, de), 2 + 2 instructions
    (hy), 3 + 1 hallucination samples (hi, de), plus stages the gold check must skip."""
    store = RunStore(str(root))
    config = {
        "name": name,
        "run_dir": str(root),
        "languages": ["hy", "de", "hi"],
        "gold": gold or {"per_stratum": 2, "retries": 0, "retry_delay_s": 0},
    }
    store.write_text("config.yaml", yaml.safe_dump(config, allow_unicode=True))
    for language in ("hy", "de"):
        accepted = [
            mcq(language, n).model_copy(update={"verdicts": (ANSWER_OK, LANGID_OK)})
            for n in range(3)
        ]
        rejected = [
            mcq(language, n).model_copy(update={"verdicts": (ANSWER_BAD, LANGID_OK)})
            for n in (3, 4)
        ]
        store.write_shard(
            "syndarin.validate",
            language,
            0,
            _outcome(accepted, rejected, (ANSWER_BAD,)),
            TranslatedMCQ,
        )
    copy_bad = Verdict(validator="instr_copy", keep=False, reason="instr_copy.untranslated")
    store.write_shard(
        "instructions.validate", "hy", 0,
        _outcome(
            [instruction(0).model_copy(update={"verdicts": (LANGID_OK,)}), instruction(3)],
            [instruction(1, copied=True), instruction(2, copied=True)],
            (copy_bad,),
        ),
        InstructionCandidate,
    )  # fmt: skip
    tags_bad = Verdict(validator="halluc_tags", keep=False, reason="halluc_tags.unbalanced")
    store.write_shard(
        "hallucination.inject", "hi", 0,
        _outcome([hallucination(0), hallucination(1)], [hallucination(2)], (tags_bad,)),
        HallucinationSample,
    )  # fmt: skip
    store.write_shard(
        "hallucination.inject", "de", 0, _outcome([hallucination(3)], [], ()), HallucinationSample
    )
    query = HallucinationSample(
        id=stable_id("hq", 0), language="hi", text="", method="query", query="ताजमहल कहाँ है?"
    )
    store.write_shard(
        "hallucination.queries", "hi", 0, _outcome([query], [], ()), HallucinationSample
    )
    taco = TacoRecord(id="taco-1", language="hi", instruction="x", output="y", source_id="src-1")
    store.write_shard("hallucination.taco_like", "hi", 0, _outcome([taco], [], ()), TacoRecord)
    return store
