"""What the hallucination validators judge: a sample, its tagged form, and what was expected.

The tag parser (generators/hallucination/tags.py) reads the tagged text an LLM or a
translation produced; the candidate carries what it found (tag events, problems met) next to
the clean sample, so the validators compare without parsing markup themselves.
"""

from babelforge.schemas.base import Record
from babelforge.schemas.records import HallucinationSample
from babelforge.schemas.verdict import Verdict


class HallucinationCandidate(Record):
    """A hallucination sample on its way through the validators.

    `events`: the recognised tags of `tagged` in order (`<entity>`, `</entity>`, ...);
    `issues`: the parser's reason codes (`halluc_tags.<cause>`) with their raw markup;
    `expected_events`: for a translation, the events of the source text;
    `original`: for an injection, the correct text the hallucinations were put into;
    `source_text`: for a translation, the clean text of the source (what the MQM judge and
    the translation checks compare the translation with).
    """

    id: str
    sample: HallucinationSample
    tagged: str
    events: tuple[str, ...] = ()
    issues: tuple[tuple[str, str], ...] = ()
    expected_events: tuple[str, ...] | None = None
    original: str | None = None
    source_text: str | None = None
    verdicts: tuple[Verdict, ...] = ()

    @property
    def language(self) -> str:
        return self.sample.language

    def with_verdicts(self) -> HallucinationSample:
        """The sample carrying the candidate's verdicts (what the stage stores)."""
        return self.sample.model_copy(update={"verdicts": (*self.sample.verdicts, *self.verdicts)})
