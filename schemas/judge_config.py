"""Settings of the LLM judges (QA judge, MQM judge), shared by the three recipes' validators."""

from typing import Literal

from pydantic import Field

from babelforge.schemas.base import Record

JudgeMode = Literal["auto", "on", "off"]
JudgeName = Literal["qa_judge", "mqm_judge"]


class JudgeSettings(Record):
    """Which LLM judges run after the cheap checks, and their thresholds.

    `mode: auto` runs them whenever `llm.backend` is not the embedded model (a 135M model
    judges no better than chance and would only spend time); `on` and `off` force it.
    `names` lists the judges wanted; a recipe builds only those it has (`qa_judge` reads an
    MCQ, so only `syndarin` has it).
    """

    mode: JudgeMode = "auto"
    names: tuple[JudgeName, ...] = ("qa_judge", "mqm_judge")
    mqm_min_score: float = Field(
        default=-10.0,
        ge=-25.0,
        le=0.0,
        description="keep a record whose MQM score (0 best, -25 worst) is at least this",
    )
    max_paragraph_chars: int = Field(
        default=4000, ge=100, description="of the target paragraph shown to the QA judge"
    )
    max_tokens: int = Field(default=512, ge=16, description="of one MQM judge reply")
