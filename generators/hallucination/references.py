"""Articles -> reference sets: up to 5 references of at most 3 sentences (Islam et al. 2025).

An article is kept when it is long enough: length counts words, or characters in languages
written without spaces between words (Chinese, Japanese, Thai, ...), where one character
carries about as much as a word elsewhere. A reference is also bounded in characters so that
five of them fit the context window of small models.
"""

import re
from collections.abc import Iterable, Iterator
from itertools import chain, islice

from pydantic import Field

from babelforge.generators.mining.readers import read_documents
from babelforge.schemas.base import Record, stable_id
from babelforge.schemas.languages import LanguageCode, base_language
from babelforge.schemas.records import Document

NO_SPACE_LANGUAGES = frozenset({"zh", "ja", "th", "lo", "km", "my", "bo", "yue", "wuu"})

# A sentence ends at . ! ? (Latin, Greek, Cyrillic), ։ (Armenian), । ॥ (Devanagari, Bengali),
# ۔ ؟ (Arabic script), 。！？ (CJK); Latin-style marks need a space or the end after them.
# A line break ends a sentence too (headings, list items). Armenian ends sentences with ։
# only, and uses the full stop inside abbreviations (մ.թ.ա.).
_SENTENCE_END = re.compile(r"\s*\n\s*|(?<=[.!?])\s+|(?<=[։।॥۔؟።])\s*|(?<=[。！？])\s*")
_NO_LATIN_STOP = frozenset({"hy"})
_FINAL = re.compile(r"[.!?։।॥۔؟።。！？…\"'»”)\]]$")
_SENTENCE_END_NO_LATIN = re.compile(r"\s*\n\s*|(?<=[։।॥۔؟።])\s*|(?<=[。！？])\s*")
_ABBREVIATIONS = frozenset(
    {"Dr.", "Mr.", "Mrs.", "St.", "Nr.", "No.", "bzw.", "etc.", "vs.", "ca.", "Chr.", "Jh."}
)


class ReferenceSet(Record):
    """The references taken from one article, with the article's id, title and url."""

    id: str
    language: LanguageCode
    article_id: str
    title: str
    url: str | None = None
    references: tuple[str, ...] = Field(min_length=1, max_length=5)


def text_length(text: str, language: str) -> int:
    """Return the length of `text` in words, or in letters for languages without spaces."""
    if base_language(language) in NO_SPACE_LANGUAGES:
        return sum(1 for ch in text if not ch.isspace())
    return len(text.split())


def split_sentences(text: str, language: str | None = None) -> list[str]:
    """Split text into sentences at the sentence marks of the common scripts."""
    no_latin = language is not None and base_language(language) in _NO_LATIN_STOP
    pattern = _SENTENCE_END_NO_LATIN if no_latin else _SENTENCE_END
    sentences: list[str] = []
    pending = ""
    for part in pattern.split(text.strip()):
        pending = f"{pending} {part}" if pending else part
        if _ends_in_abbreviation(pending):
            continue
        if pending.strip():
            sentences.append(pending.strip())
        pending = ""
    if pending.strip():
        sentences.append(pending.strip())
    return sentences


def _ends_in_abbreviation(sentence: str) -> bool:
    words = sentence.rsplit(None, 1)
    last = words[-1] if words else ""
    initial = len(last) == 2 and last[0].isalpha() and last[1] == "."
    return initial or last in _ABBREVIATIONS


def references(
    text: str,
    *,
    language: str,
    max_references: int = 5,
    max_sentences: int = 3,
    max_chars: int = 600,
) -> tuple[str, ...]:
    """Group consecutive sentences into at most `max_references` references.

    Each holds at most `max_sentences` sentences and at most `max_chars` characters; a
    single sentence longer than that is cut at a word boundary (at a character in
    languages without spaces).
    """
    out: list[str] = []
    current: list[str] = []
    joiner = "" if base_language(language) in NO_SPACE_LANGUAGES else " "
    for sentence in split_sentences(text, language):
        if is_heading(sentence):
            continue
        sentence = _cut(sentence, max_chars, language)
        candidate = joiner.join([*current, sentence])
        if current and (len(current) == max_sentences or len(candidate) > max_chars):
            out.append(joiner.join(current))
            current = []
            if len(out) == max_references:
                return tuple(out)
        current.append(sentence)
    if current and len(out) < max_references:
        out.append(joiner.join(current))
    return tuple(out)


def is_heading(line: str) -> bool:
    """True for a short line without a sentence mark at its end (a section heading)."""
    return not _FINAL.search(line) and len(line.split()) <= 5


def _cut(sentence: str, max_chars: int, language: str) -> str:
    if len(sentence) <= max_chars:
        return sentence
    head = sentence[:max_chars]
    if base_language(language) in NO_SPACE_LANGUAGES or " " not in head:
        return head
    return head.rsplit(" ", 1)[0]


def reference_sets(
    articles: Iterable[Document],
    *,
    min_length: int,
    max_references: int = 5,
    max_sentences: int = 3,
    max_chars: int = 600,
) -> Iterator[ReferenceSet]:
    """Yield the reference set of every article at least `min_length` long (see text_length)."""
    for doc in articles:
        if text_length(doc.text, doc.language) < min_length:
            continue
        refs = references(
            doc.text,
            language=doc.language,
            max_references=max_references,
            max_sentences=max_sentences,
            max_chars=max_chars,
        )
        if refs:
            yield ReferenceSet(
                id=stable_id("refs", doc.id, doc.language, refs),
                language=doc.language,
                article_id=doc.id,
                title=doc.title,
                url=doc.url,
                references=refs,
            )


def read_reference_sets(
    paths: Iterable[str],
    language: str,
    *,
    min_length: int,
    limit: int | None = None,
    max_references: int = 5,
    max_sentences: int = 3,
    max_chars: int = 600,
) -> Iterator[ReferenceSet]:
    """Stream the reference sets of the first `limit` long-enough articles of the files."""
    articles = chain.from_iterable(read_documents(path, language) for path in paths)
    sets = reference_sets(
        articles,
        min_length=min_length,
        max_references=max_references,
        max_sentences=max_sentences,
        max_chars=max_chars,
    )
    return islice(sets, limit) if limit is not None else sets
