"""The MQM judge: an LLM annotates translation errors GEMBA-MQM style, for every recipe.

It reads a record's field view (validators/view.py: field, source, target), asks for error spans
with an MQM category and severity, scores them with GEMBA-MQM's weights (mqm_errors.py) and
keeps the record when the score reaches the threshold. The spans stay on the record: the
verdict's detail is a JSON object `{"score", "errors": [{field, span, category, severity,
start, end}], "judge"}` that `mqm_errors(verdict)` reads back.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from babelforge.generators.client import ChatClient
from babelforge.generators.judges.ask import ask_judge, display_language, signature
from babelforge.generators.judges.mqm_errors import MQMReply, detail_json, locate, mqm_score
from babelforge.generators.prompts import Prompt, load_prompt
from babelforge.schemas.provenance import SamplingParams
from babelforge.schemas.verdict import Failed, Verdict
from babelforge.validators.base import drop, keep
from babelforge.validators.view import FieldView, ItemView

NAME = "mqm_judge"
MQM_SAMPLING = SamplingParams(temperature=0.0, max_tokens=512, seed=0)


def mqm_prompt() -> Prompt:
    """The versioned template `generators/prompts/mqm_judge.j2`."""
    return load_prompt(NAME)


@dataclass(frozen=True)
class MQMJudge:
    """Keep a translation whose MQM score (0 best, -25 worst) is at least `min_score`.

    Reason codes: `mqm_judge.low_score` (the errors found weigh more than the threshold
    allows; the detail lists them). Score: the MQM score. A record the model could not judge
    is `Failed`: `mqm_judge.request_failed` or `mqm_judge.unparseable` (raw reply kept).
    A record with no translated text to read is kept with score 0 and says so. `view` is
    the recipe's view function (validators/views.py: `mcq_view`, `instruction_view`, ...).
    """

    client: ChatClient
    view: Callable[[Any], ItemView]
    min_score: float = -10.0
    source_language: str = "en"
    sampling: SamplingParams = MQM_SAMPLING
    parse_retries: int = 2
    max_field_chars: int = 2000
    stage: str = "validate"
    name: str = NAME
    prompt: Prompt = field(default_factory=mqm_prompt)

    def render(self, view: ItemView) -> str:
        """The prompt for one record's view: every field's source and translation."""
        cut = self.max_field_chars
        return self.prompt.render(
            source_name=display_language(self.source_language),
            target_name=display_language(view.language),
            pairs=[FieldView(p.field, p.source[:cut], p.target[:cut]) for p in view.fields],
        )

    async def check(self, record: Any) -> Verdict | Failed:
        """Ask for the errors; the verdict with its spans, or Failed when no answer came."""
        full = self.view(record)
        view = ItemView(full.id, full.language, tuple(p for p in full.fields if p.target.strip()))
        by = signature(self.client, self.prompt)
        if not view.fields:
            return keep(self.name, 0.0, detail_json(0.0, (), f"{by}; no translated field"))
        result = await ask_judge(
            self.client,
            self.render(view),
            MQMReply,
            judge=self.name,
            record_id=view.id,
            language=view.language,
            sampling=self.sampling,
            parse_retries=self.parse_retries,
            stage=self.stage,
        )
        if isinstance(result, Failed):
            return result
        errors = locate(result.payload.errors, {p.field: p.target for p in view.fields})
        score = mqm_score(errors)
        detail = detail_json(score, errors, by)
        if score < self.min_score:
            return drop(self.name, "low_score", score, detail)
        return keep(self.name, score, detail)
