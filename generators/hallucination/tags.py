"""FAVA inline tags -> clean text with character-offset spans, tolerant of broken markup.

FAVA marks hallucinations inline: `Messi is a <entity>Brazilian</entity> player.` The six
types are `entity`, `relation`, `contradictory`, `invented`, `subjective`, `unverifiable`.
FAVA's edit form `<entity><mark>Argentine</mark><delete>Brazilian</delete></entity>` is also
read: `<delete>` content is the hallucinated text and stays, `<mark>` content (the
correction) is left out of the clean text.

LLMs and translations break markup, so the parser never raises: it repairs what it safely can
and reports every problem as a reason code (`halluc_tags.<cause>`):

- `halluc_tags.misspelled`: a tag name that is close to a type (`<entiy>`, `<Entity>`,
  `<contradiction>`); read as that type.
- `halluc_tags.broken`: a tag missing `<` or `>` (`<entity Paris`, `Paris</entity`,
  `entity>`); read as the tag it stands for.
- `halluc_tags.closed_by_opening`: a span closed with a second opening tag of its type
  (`<entity>Eichen<entity>`), which annotators and LLMs often write; read as the closing
  tag (FAVA spans of one type never nest).
- `halluc_tags.unknown`: markup that names no FAVA type and no HTML element
  (`<hallucination>`): a tag the writer made up; removed. Literal HTML (`<br>`,
  `</span>`) is text: kept as it is, no issue, and protected like any tag in translation.
- `halluc_tags.unclosed`: an opening tag never closed; removed, no span.
- `halluc_tags.unopened`: a closing tag with nothing open; removed.
- `halluc_tags.mismatched`: a closing tag of another type than the open one, or crossing
  tags; the open span is closed with its own type.
- `halluc_tags.nested`: a span of one type opened inside a span of another; both kept.
- `halluc_tags.empty`: a tag pair around nothing but whitespace; no span.
"""

import re
from dataclasses import dataclass, field

from rapidfuzz.distance import Levenshtein

from babelforge.schemas.records import Span, SpanType
from babelforge.validators.halluc_tags import TOLERATED

FAVA_TYPES: tuple[SpanType, ...] = tuple(SpanType)
EDIT_TAGS = ("mark", "delete")

# HTML elements a text may hold literally (a scraped page, a code sample): text, not markup.
HTML_ELEMENTS: frozenset[str] = frozenset(
    {"a", "abbr", "b", "big", "blockquote", "body", "br", "center", "cite", "code", "dd"}
    | {"del", "div", "dl", "dt", "em", "font", "head", "hr", "html", "i", "img", "ins"}
    | {"kbd", "li", "nav", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strike"}
    | {"strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "tt", "u", "ul"}
    | {"var", "wbr", "section", "article", "header", "footer", "label", "input", "form"}
)

_NAME = r"[A-Za-z][A-Za-z_-]*"
_TAG = re.compile(
    rf"<\s*(?P<close>/)?\s*(?P<name>{_NAME})\s*(?P<self>/)?\s*>"
    rf"|<\s*(?P<bclose>/)?\s*(?P<bname>{_NAME})(?![A-Za-z_-]|\s*/?\s*>)"
    rf"|(?:(?P<tclose>/)|(?<![<\w/]))(?P<tname>{_NAME})>"
)


@dataclass(frozen=True)
class TagIssue:
    """One markup problem: its reason code, the raw markup, and its offset in the input."""

    reason: str
    raw: str
    offset: int


@dataclass(frozen=True)
class ParsedTags:
    """The clean text, its spans in order, the tag events seen, and the problems met.

    `events` lists the recognised type tags in input order as canonical markup
    (`<entity>`, `</entity>`), so two texts carry the same tags iff their events are equal.
    """

    text: str
    spans: tuple[Span, ...]
    events: tuple[str, ...]
    issues: tuple[TagIssue, ...] = ()

    @property
    def reasons(self) -> tuple[str, ...]:
        """The distinct reason codes, in the order first met."""
        return tuple(dict.fromkeys(i.reason for i in self.issues))

    @property
    def fatal(self) -> tuple[TagIssue, ...]:
        """Problems that make the labels untrustworthy (anything not repaired)."""
        return tuple(i for i in self.issues if i.reason not in TOLERATED)


def canonical_name(name: str) -> tuple[str | None, bool]:
    """Return (FAVA type or edit tag the name stands for, whether it was spelled exactly).

    Case, `_` and `-` are ignored; a Levenshtein distance of up to 1 (names up to 6
    letters) or 2 (longer), or a shared prefix of 6 letters, still counts as a match.
    """
    key = re.sub(r"[_-]", "", name.lower())
    known = (*(t.value for t in FAVA_TYPES), *EDIT_TAGS)
    if key in known:
        return key, name == key
    best: tuple[int, str] | None = None
    for candidate in known:
        limit = 1 if len(candidate) <= 6 else 2
        distance = Levenshtein.distance(key, candidate)
        prefix = len(key) >= 6 and key[:6] == candidate[:6] and candidate not in EDIT_TAGS
        if (distance <= limit or prefix) and (best is None or distance < best[0]):
            best = (distance, candidate)
    return (best[1], False) if best else (None, False)


@dataclass
class _Open:
    name: str
    start: int
    raw: str
    offset: int


@dataclass
class _State:
    pieces: list[str] = field(default_factory=list)
    length: int = 0
    stack: list[_Open] = field(default_factory=list)
    edits: list[_Open] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    issues: list[TagIssue] = field(default_factory=list)

    def emit(self, text: str) -> None:
        if any(e.name == "mark" for e in self.edits):
            return
        self.pieces.append(text)
        self.length += len(text)

    def note(self, reason: str, raw: str, offset: int) -> None:
        self.issues.append(TagIssue(f"halluc_tags.{reason}", raw, offset))


def parse_tags(tagged: str) -> ParsedTags:
    """Parse FAVA-tagged text into clean text and spans; never raises (see module docstring)."""
    state = _State()
    cursor = 0
    for match in _TAG.finditer(tagged):
        name = match["name"] or match["bname"] or match["tname"]
        canonical, exact = canonical_name(name)
        broken = match["name"] is None
        if canonical is None and (broken or _html(name)):
            continue  # prose such as "a <b" or "x>", or literal HTML: text, not FAVA markup
        state.emit(tagged[cursor : match.start()])
        cursor = match.end()
        raw, offset = match.group(0), match.start()
        if canonical is None:
            state.note("unknown", raw, offset)
            continue
        if broken:
            state.note("broken", raw, offset)
        elif not exact:
            state.note("misspelled", raw, offset)
        closing = bool(match["close"] or match["bclose"] or match["tclose"])
        if match["tname"] and not closing:
            closing = any(o.name == canonical for o in (*state.stack, *state.edits))
        if match["self"]:
            state.note("empty", raw, offset)
        elif canonical in EDIT_TAGS:
            _edit_tag(state, canonical, closing, raw, offset)
        elif closing:
            _close(state, canonical, raw, offset)
        elif state.stack and state.stack[-1].name == canonical:
            state.note("closed_by_opening", raw, offset)
            _close(state, canonical, raw, offset)
        else:
            if state.stack:
                state.note("nested", raw, offset)
            state.stack.append(_Open(canonical, state.length, raw, offset))
            state.events.append(f"<{canonical}>")
    state.emit(tagged[cursor:])
    for unclosed in (*state.stack, *state.edits):
        state.note("unclosed", unclosed.raw, unclosed.offset)
    spans = tuple(sorted(state.spans, key=lambda s: (s.start, s.end)))
    issues = tuple(sorted(state.issues, key=lambda i: i.offset))
    return ParsedTags("".join(state.pieces), spans, tuple(state.events), issues)


def _html(name: str) -> bool:
    key = name.lower()
    return key in HTML_ELEMENTS or (len(key) == 2 and key[0] == "h" and key[1].isdigit())


def _edit_tag(state: _State, name: str, closing: bool, raw: str, offset: int) -> None:
    if not closing:
        state.edits.append(_Open(name, state.length, raw, offset))
        return
    for n in range(len(state.edits) - 1, -1, -1):
        if state.edits[n].name == name:
            del state.edits[n]
            return
    state.note("unopened", raw, offset)


def _close(state: _State, name: str, raw: str, offset: int) -> None:
    state.events.append(f"</{name}>")
    if not state.stack:
        state.note("unopened", raw, offset)
        return
    index = next(
        (n for n in range(len(state.stack) - 1, -1, -1) if state.stack[n].name == name), None
    )
    if index is None or index != len(state.stack) - 1:
        state.note("mismatched", raw, offset)
    opened = state.stack.pop(len(state.stack) - 1 if index is None else index)
    text = "".join(state.pieces)
    start, end = _trim(text, opened.start, state.length)
    if end <= start:
        state.note("empty", opened.raw, opened.offset)
        return
    state.spans.append(Span(start=start, end=end, type=SpanType(opened.name)))


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def render_tags(text: str, spans: tuple[Span, ...]) -> str:
    """Return `text` with each span wrapped in its canonical tag (the inverse of parse_tags).

    Spans must not overlap; they are written in order of their start.
    """
    out: list[str] = []
    cursor = 0
    for span in sorted(spans, key=lambda s: s.start):
        if span.type is None:
            raise ValueError(f"span {span.start}-{span.end} has no FAVA type, so no tag to render")
        out += [text[cursor : span.start], f"<{span.type.value}>", text[span.start : span.end]]
        out.append(f"</{span.type.value}>")
        cursor = span.end
    out.append(text[cursor:])
    return "".join(out)


def span_texts(text: str, spans: tuple[Span, ...]) -> tuple[str, ...]:
    """Return the text of every span, in order."""
    return tuple(text[s.start : s.end] for s in spans)
