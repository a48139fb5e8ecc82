"""instr_markdown: lists, headings and tables keep their layout in the translation."""

import pytest

from babelforge.validators.instr_markdown import MarkdownStructureValidator, structure
from tests.validators.instr_items import CODE, candidate, english, greet, reset

check = MarkdownStructureValidator()


@pytest.mark.parametrize("language", ["de", "hy", "hi", "sw"])
def test_real_translations_keep_the_list(language: str) -> None:
    assert check(reset(language)).keep
    assert check(greet(language)).keep


def test_a_swahili_list_merged_into_one_line_changed_structure() -> None:
    merged = (
        "Fungua https://example.com/reset kwenye kivinjari chako, weka anwani ya barua pepe "
        "ya mtumiaji %s, kisha fuata kiungo kilicho kwenye barua pepe ndani ya saa 24."
    )
    verdict = check(reset("sw", output=merged))
    assert verdict.reason == "instr_markdown.structure_changed"
    assert "ordered" in (verdict.detail or "")


def test_lines_inside_code_blocks_are_not_structure() -> None:
    source = english(
        "Show a heading in Markdown.", "## Title\n\n```md\n# not a heading\n- nor a list\n```"
    )
    translated = candidate(
        source,
        "hy",
        "Ցույց տուր վերնագիր Markdown-ում։",
        "## Վերնագիր\n\n```md\n# not a heading\n- nor a list\n```",
    )
    assert structure(CODE) == []
    assert check(translated).keep
