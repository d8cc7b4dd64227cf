"""Splitting extracted text into paragraphs, with offsets so that cleaning can cut the original bytes.

Extractors emit one paragraph per line (trafilatura's default), blank-line-separated blocks (newspaper),
or a mix (a spider that joins the body with blank lines and appends its footer one line each). ``auto``
cuts at blank lines and then keeps a block whole only when it reads as one hard-wrapped paragraph;
otherwise each of its lines is a paragraph. So a stray empty line never glues a page of lines together,
a block of footer lines is still cleaned line by line, and wrapped prose is not cut mid-sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

from .errors import ArgumentError, InputError

SplitMode = Literal["auto", "lines", "blocks"]
SPLIT_MODES: tuple[str, ...] = ("auto", "lines", "blocks")

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")


@dataclass(frozen=True, slots=True)
class Span:
    """A paragraph of ``text`` as ``text[start:end]``; ``end`` excludes the line ending."""

    text: str
    start: int
    end: int


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end-without-line-ending) of every line, in order."""
    out = []
    for m in _LINE.finditer(text):
        if m.start() == len(text) and m.end() == m.start():
            break
        line = m.group()
        stripped = line.rstrip("\r\n")
        out.append((m.start(), m.start() + len(stripped)))
    return out


#: Characters that render as nothing: an "empty" ``<p>`` often holds one of them.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def is_blank(text: str) -> bool:
    """Whether ``text`` shows nothing: whitespace and zero-width characters only."""
    stripped = text.strip()
    if not stripped or ord(stripped[0]) not in _INVISIBLE:  # the common cases, without copying the text
        return not stripped
    return not stripped.translate(_INVISIBLE).strip()


def _check_mode(mode: str) -> str:
    """``mode`` if it is one of SPLIT_MODES, else an ``ArgumentError``."""
    if mode not in SPLIT_MODES:
        raise ArgumentError(f"split mode must be one of {', '.join(SPLIT_MODES)}, not {mode!r}")
    return mode


#: Hard wraps happen at a fixed width; lines longer than this are paragraphs, not wrapped lines.
MAX_WRAP_WIDTH = 160
#: A wrapped text's lines may run this much past the width its inner lines show (a wrapper that breaks
#: between Thai phrases leaves them short of it); a longer line means the text is not wrapped throughout.
WIDTH_SLACK = 1.2
#: A line shorter than this is never the inside of a wrapped paragraph.
MIN_WRAPPED_LINE = 20
# Sentence and clause ends in the scripts of the training languages (danda, Urdu and Arabic stops, Armenian
# and Ethiopic full stops), and closing quotes or brackets after them.
_CLOSED = re.compile(r"[.!?:;。！？…।॥۔؟։።\"'»”’)\]」』]\s*$")


def _blocks(text: str) -> list[list[tuple[int, int]]]:
    """Runs of consecutive non-blank lines, as (start, end) of each line."""
    blocks: list[list[tuple[int, int]]] = [[]]
    for start, end in _lines(text):
        if is_blank(text[start:end]):
            if blocks[-1]:
                blocks.append([])
        else:
            blocks[-1].append((start, end))
    return [b for b in blocks if b]


def _first_letter(line: str) -> str:
    return next((ch for ch in line if ch.isalpha()), "")


def _cased(text: str) -> bool:
    """Whether most of ``text``'s letters have case (Latin, Cyrillic, Greek…), as against Thai, CJK, Arabic."""
    letters = [ch for ch in text if ch.isalpha()]
    return 2 * sum(ch.isupper() or ch.islower() for ch in letters) > len(letters)


def _continues_in_lower_case(text: str, blocks: list[list[tuple[int, int]]]) -> bool:
    """Whether the text's lines that follow another line go on in lower case often enough for wrapped
    prose (a third of them at least, even in German), or the script has no case. Footer lines and
    headline lists start in capitals."""
    firsts = [_first_letter(text[c:d]) for block in blocks for c, d in block[1:]]
    cased = [ch for ch in firsts if ch.isupper() or ch.islower()]
    return 3 * sum(ch.islower() for ch in cased) >= len(cased)


def _unit(word: str) -> int:
    """Length of the smallest piece a wrapper can move to the next line from the start of ``word``: the
    word, or one character in the scripts written without spaces (CJK), which break anywhere."""
    return 1 if word and "\u2e80" <= word[0] <= "\uffef" else len(word)


def _full(upper: str, lower: str, width: int, uniform: bool) -> bool:
    """Whether a wrapper working at ``width`` had to break after ``upper``: it nearly fills the width, or,
    in a ``uniform`` text (``split_paragraphs``), ``lower``'s first word would not have fitted behind it.
    The second test is what a greedy wrapper guarantees; it matters in scripts that space phrases rather
    than words (Thai), whose lines end far short of the width. Without uniform lines the width is only the
    longest of a few short lines, and the test would join a footer's lines."""
    if width > MAX_WRAP_WIDTH:
        return False
    if len(upper) >= 0.9 * width:
        return True
    words = lower.split(maxsplit=1)
    return uniform and bool(words) and len(upper) + 1 + _unit(words[0]) > width


def _wraps(text: str, block: list[tuple[int, int]], width: int, uniform: bool) -> int:
    """How many of ``block``'s line breaks look like hard wraps: the upper line closes nothing and either
    fills the text's wrap ``width`` (``_full``, the test that works in every script) or the lower line
    starts in lower case."""
    wraps = 0
    for (a, b), (c, d) in pairwise(block):
        upper = text[a:b].rstrip()
        if len(upper) < MIN_WRAPPED_LINE or _CLOSED.search(upper):
            continue
        lower = text[c:d].strip()
        wraps += _full(upper, lower, width, uniform) or _first_letter(lower).islower()
    return wraps


def _wrapped(text: str, block: list[tuple[int, int]], wraps: int, uniform: bool) -> bool:
    """Whether ``block``, with ``wraps`` of its breaks looking like wraps (``_wraps``), reads as one wrapped
    paragraph: two thirds of its breaks are wraps and its last line closes a sentence (a headline list or
    a footer's last line usually does not). A script without sentence marks (Thai: no line of the block
    closes anything) gives no such sign, so there every break must be a wrap and the whole text must be
    ``uniform``: no line of it longer than the wrap width, as a wrapped text's lines never are, while a
    page of unwrapped paragraphs with a footer block has long lines above the footer."""
    last = text[block[-1][0] : block[-1][1]].rstrip()
    if _CLOSED.search(last):
        return 3 * wraps >= 2 * (len(block) - 1)
    if not uniform or wraps < len(block) - 1 or _cased(text[block[0][0] : block[-1][1]]):
        return False
    return not any(_CLOSED.search(text[a:b].rstrip()) for a, b in block)


def _line_spans(text: str, block: list[tuple[int, int]]) -> list[Span]:
    return [Span(text[a:b], a, b) for a, b in block]


def _block_span(text: str, block: list[tuple[int, int]]) -> Span:
    start, end = block[0][0], block[-1][1]
    return Span(text[start:end], start, end)


def require_text(text: object) -> None:
    """An ``InputError`` for anything but str: bytes would be split and classified as their repr."""
    if not isinstance(text, str):
        raise InputError(f"text must be str, not {type(text).__name__}; decode bytes first")


def _split_wrapped_text(text: str, blocks: list[list[tuple[int, int]]]) -> list[Span]:
    """Paragraphs of a text wrapped throughout (one width, lines stopping mid-sentence): every block is a
    paragraph, even one whose sentence happened to end at a line end, except a block none of whose breaks
    a wrapper could have made (short lines, each followed by a line in capitals whose first word would
    have fitted behind it): a footer appended one line each below the wrapped body. The width here is
    the one most inner lines reach, so that one long footer line does not stretch it."""
    inner = sorted(b - a for block in blocks for a, b in block[:-1])
    width = inner[len(inner) * 3 // 4]
    spans: list[Span] = []
    for block in blocks:
        lines = [text[a:b].strip() for a, b in block]
        if any(_full(u, w, width, True) or _first_letter(w).islower() for u, w in pairwise(lines)):
            spans.append(_block_span(text, block))
        else:
            spans.extend(_line_spans(text, block))
    return spans


def split_paragraphs(text: str, mode: str = "auto") -> list[Span]:
    """Paragraphs of ``text`` in page order; blank lines (whitespace or zero-width characters only) are
    never paragraphs. ``lines``: every line; ``blocks``: every blank-line-separated block; ``auto``: see
    the module docstring."""
    require_text(text)
    mode = _check_mode(mode)
    blocks = _blocks(text)
    if mode == "lines":
        return [span for block in blocks for span in _line_spans(text, block)]
    if mode == "blocks":
        return [_block_span(text, block) for block in blocks]
    if not _continues_in_lower_case(text, blocks):
        return [span for block in blocks for span in _line_spans(text, block)]
    width = max((b - a for block in blocks for a, b in block[:-1]), default=0)  # lines a wrap could have ended
    uniform = all(b - a <= WIDTH_SLACK * width for block in blocks for a, b in block)
    wraps = [_wraps(text, block, width, uniform) for block in blocks]
    breaks = sum(len(block) - 1 for block in blocks)
    if uniform and breaks >= 2 and 3 * sum(wraps) >= 2 * breaks:
        return _split_wrapped_text(text, blocks)
    spans: list[Span] = []
    for block, block_wraps in zip(blocks, wraps, strict=True):
        if len(block) > 1 and _wrapped(text, block, block_wraps, uniform):
            spans.append(_block_span(text, block))
        else:
            spans.extend(_line_spans(text, block))
    return spans


def join_kept(text: str, spans: list[Span], keep: list[bool]) -> str:
    """Rebuild ``text`` without the dropped spans.

    Every kept span appears verbatim and in order. Between two kept spans stands the separator that
    followed the first of them in the original; the text's leading and trailing whitespace stay. With
    nothing dropped the result is ``text`` itself; with everything dropped it is the empty string.
    """
    if all(keep):
        return text
    kept = [i for i, k in enumerate(keep) if k]
    if not kept:
        return ""
    parts = [text[: spans[0].start]]
    for j, i in enumerate(kept):
        parts.append(spans[i].text)
        if j + 1 < len(kept):
            following = spans[i + 1].start if i + 1 < len(spans) else len(text)
            parts.append(text[spans[i].end : following])
    parts.append(text[spans[-1].end :])
    return "".join(parts)
