"""What every judge does with one structured request: ask, and turn a non-answer into Failed.

A judge that cannot get an answer (the endpoint failed for good, or no reply parsed after the
bounded retries) has learnt nothing about the record: the record is `Failed` with the judge's
reason (`<judge>.request_failed`, `<judge>.unavailable` for an outage: asked again by the next
run, `<judge>.unparseable`) and the raw reply, never a rejection
and never a crash.
"""

from typing import TypeVar

from pydantic import BaseModel

from babelforge.generators.client import ChatClient, user_message
from babelforge.generators.errors import UNAVAILABLE
from babelforge.generators.prompts import Prompt
from babelforge.generators.structured import Parsed, Unparsed, ask_structured
from babelforge.schemas.languages import language_name
from babelforge.schemas.provenance import SamplingParams
from babelforge.schemas.verdict import Failed

T = TypeVar("T", bound=BaseModel)

RAW_TEXT_CHARS = 2000


async def ask_judge(
    client: ChatClient,
    prompt_text: str,
    payload_type: type[T],
    *,
    judge: str,
    record_id: str,
    language: str,
    sampling: SamplingParams,
    parse_retries: int,
    stage: str,
) -> Parsed[T] | Failed:
    """Return the parsed payload, or the record's Failed carrying the judge's reason."""
    result = await ask_structured(
        client,
        user_message(prompt_text),
        payload_type,
        sampling=sampling,
        parse_retries=parse_retries,
        stage=stage,
        language=language,
    )
    if isinstance(result, Unparsed):
        failed = result.reason in ("llm.request_failed", f"llm.{UNAVAILABLE}")
        cause = result.reason.removeprefix("llm.") if failed else "unparseable"
        raw = None if result.raw_text is None else result.raw_text[:RAW_TEXT_CHARS]
        return Failed(
            stage=stage,
            input_id=record_id,
            reason=f"{judge}.{cause}",
            error=f"{result.error} (after {result.attempts} attempt(s))",
            raw_text=raw,
        )
    return result


def signature(client: ChatClient, prompt: Prompt) -> str:
    """`model, prompt id@version`: who judged, for the verdict's detail."""
    return f"{client.model}, prompt {prompt.id}@{prompt.version}"


def display_language(code: str) -> str:
    """The English name of a language code for a prompt, or the code itself when unknown."""
    try:
        return language_name(code)
    except ValueError:
        return code
