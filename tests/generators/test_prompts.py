"""Prompts are versioned files: the version is a hash of the template, rendering is strict."""

import jinja2
import pytest

from babelforge.generators.mcq import _TYPE_HINTS, QUESTION_TYPES
from babelforge.generators.prompts import Prompt, load_prompt

PARAGRAPH = "Երևանը Հայաստանի մայրաքաղաքն է։ It was founded in 782 BC as Erebuni."


@pytest.mark.parametrize("prompt_id", ["mcq", "mcq_fewshot"])
def test_mcq_prompts_render_every_question_type(prompt_id: str) -> None:
    prompt = load_prompt(prompt_id)
    for qtype in QUESTION_TYPES:
        text = prompt.render(paragraph=PARAGRAPH, question_type=qtype, type_hint=_TYPE_HINTS[qtype])
        assert PARAGRAPH in text and qtype in text


def test_the_version_is_a_hash_of_the_template() -> None:
    a, b = Prompt("p", "Translate {{ text }}"), Prompt("p", "Translate: {{ text }}")
    assert a.version != b.version
    assert a.version == Prompt("p", "Translate {{ text }}").version
    assert len(load_prompt("mcq").version) == 12


def test_a_missing_variable_is_an_error_not_an_empty_string() -> None:
    with pytest.raises(jinja2.UndefinedError):
        load_prompt("translate").render(text="Hallo")
