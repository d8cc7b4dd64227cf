"""Splitting extracted text into paragraphs, with offsets so that cleaning can cut the original bytes.

Extractors emit one paragraph per line (trafilatura's default), blank-line-separated blocks (newspaper),
or a mix (a spider that joins the body with blank lines and appends its footer one line each). ``auto``
cuts at blank lines and then keeps a block whole only when it reads as one hard-wrapped paragraph;
otherwise each of its lines is a paragraph. So a stray empty line never glues a page of lines together,
a block of footer lines is still cleaned line by line, and wrapped prose is not cut mid-sentence.
A text wrapped throughout is cut at every break a wrapper could not have made, blank line or not: a
footer appended below the wrapped body, with or without a blank line, comes apart line by line, and a
text folded with no blank lines at all (``fold -s``) keeps its paragraphs whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

from .errors import ArgumentError, InputError

SplitMode = Literal["auto", "lines", "blocks"]
SPLIT_MODES: tuple[str, ...] = ("auto", "lines", "blocks")

#: Line endings are those of ``str.splitlines``: besides CR and LF, the Unicode line and paragraph
#: separators, NEL, and the vertical tab and form feed that text taken from PDFs and Word files carries.
_ENDINGS = "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_LINE = re.compile(f"[^{_ENDINGS}]*(?:\r\n|[{_ENDINGS}]|$)")


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
        stripped = line.rstrip(_ENDINGS)
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
#: Room past the longest line that surely ends in a wrap (the next goes on in lower case).
SURE_SLACK = 1.05
#: A line shorter than this is never the inside of a wrapped paragraph.
MIN_WRAPPED_LINE = 20
# Sentence and clause ends in the scripts of the training languages (danda, Urdu and Arabic stops, Armenian
# and Ethiopic full stops), and closing quotes or brackets after them.
_CLOSED = re.compile(r"[.!?:;。！？…।॥۔؟։።\"'»”’)\]」』]\s*$")


def _blocks(text: str) -> list[list[tuple[int, int]]]:
    """Runs of consecutive non-blank lines, as (start, end) of each line. A line ended by U+2029, the
    Unicode paragraph separator (Word and some CMS exports), ends its run as a blank line would."""
    blocks: list[list[tuple[int, int]]] = [[]]
    for start, end in _lines(text):
        if is_blank(text[start:end]):
            if blocks[-1]:
                blocks.append([])
        else:
            blocks[-1].append((start, end))
            if text.startswith("\u2029", end):
                blocks.append([])
    return [b for b in blocks if b]


def _goes_on(lower: str) -> bool:
    """Whether ``lower`` reads as the rest of the sentence above it: it starts, past bullets, quotes and
    brackets, with a lower-case letter. A line starting with a number tells nothing: the "a" of
    "1a etapa" or the "t" of "5 things to know" below a headline is no sign of a wrap (counting it as
    one glued one-per-line pages of numbered items into one paragraph; ``benchmarks/splitting.py``:
    folded text kept whole 77.6 -> 79.2%, footers below wrapped bodies split 79.8 -> 81.4%, short
    wrapped articles 98.31 -> 98.25%, where a headline wrapped before a number)."""
    first = next((ch for ch in lower if ch.isalnum()), "")
    return first.islower()


def _cased(text: str) -> bool:
    """Whether most of ``text``'s letters have case (Latin, Cyrillic, Greek…), as against Thai, CJK, Arabic."""
    letters = [ch for ch in text if ch.isalpha()]
    return 2 * sum(ch.isupper() or ch.islower() for ch in letters) > len(letters)


def _continues_in_lower_case(text: str, blocks: list[list[tuple[int, int]]]) -> bool:
    """Whether the text's lines that follow another line go on in lower case often enough for wrapped
    prose (a third of them at least, even in German), or the script has no case. Footer lines and
    headline lists start in capitals. Here the first letter past a number counts too ("© 2025 Harbour
    Times" is a line in capitals), unlike in ``_goes_on``, which judges one break. Where most lines start
    with letters without case, the few in Latin capitals (a byline, a brand) do not decide: they had made
    folded Hindi pages with an English byline one paragraph per line (``benchmarks/splitting.py``: folded
    81.29 -> 81.38%, at 60 columns 79.35 -> 79.55%, the other layouts within 0.04 points)."""
    firsts = [next((ch for ch in text[c:d] if ch.isalpha()), "") for block in blocks for c, d in block[1:]]
    cased = [ch for ch in firsts if ch.isupper() or ch.islower()]
    if 2 * len(cased) < sum(map(bool, firsts)):
        return True
    return 3 * sum(ch.islower() for ch in cased) >= len(cased)


def _unit(word: str) -> int:
    """Length of the smallest piece a wrapper can move to the next line from the start of ``word``: the
    word, or one character in the scripts written without spaces (CJK), which break anywhere."""
    return 1 if word and "\u2e80" <= word[0] <= "\uffef" else len(word)


def _sure_width(text: str, blocks: list[list[tuple[int, int]]]) -> int:
    """The width a text was wrapped at, if at least two of its lines surely end in a wrap (the next
    goes on in lower case): the longest of those up to ``MAX_WRAP_WIDTH``; else 0. A longer line is an
    unwrapped paragraph, and in a script whose letters are all lower case (Georgian) any line is
    followed by one in lower case."""
    wrapped = [
        len(upper)
        for block in blocks
        for (a, b), (c, d) in pairwise(block)
        if MIN_WRAPPED_LINE <= len(upper := text[a:b].strip()) <= MAX_WRAP_WIDTH and _goes_on(text[c:d])
    ]
    return max(wrapped) if len(wrapped) >= 2 else 0


def _quartile_width(blocks: list[list[tuple[int, int]]]) -> int:
    """The width of a text without case wrapped throughout: the length three quarters of the lines a wrap
    could have ended reach. Taking the longest would let one long footer line appended below the body
    stretch the width; lines run up to ``WIDTH_SLACK`` past it."""
    inner = sorted(b - a for block in blocks for a, b in block[:-1] if b - a <= MAX_WRAP_WIDTH)
    return inner[len(inner) * 3 // 4] if inner else 0


def _no_room(upper: str, lower: str, width: int) -> bool:
    """Whether ``lower``'s first word would not have fitted behind ``upper`` at ``width``: what a greedy
    wrapper guarantees at each of its breaks. It matters in scripts that space phrases rather than words
    (Thai), whose lines end far short of the width, and where a sentence ends at a line end."""
    words = lower.split(maxsplit=1)
    return bool(words) and len(upper) + 1 + _unit(words[0]) > width


#: Share of the width a line plus the next line's first word must stay within for the break to be no
#: wrap. Wrappers that count bytes (``fold -s``) or columns make line lengths in characters uneven by
#: about a tenth; at the full width, such text folded at 72 bytes lost 0.2 points of blocks kept whole.
ROOM_SHARE = 0.9
#: The same where ``_is_wrap`` judges a break of a uniform text (cased scripts, or any script's blank-line
#: blocks), where a short line before a capitalised word was taken for a wrap if it merely went on in
#: lower case or nearly filled the width. With more to spare: at 0.9, blank-line blocks folded at 72
#: bytes lost 0.4 points kept whole; at 0.75 they lose 0.02 while glued footers split 65.3 -> 65.7%,
#: folded text 80.4 -> 81.3% (``benchmarks/splitting.py``).
CASED_ROOM_SHARE = 0.75


def _room_for_word(upper: str, lower: str, width: int, share: float = ROOM_SHARE) -> bool:
    """Whether ``lower``'s whole first word would have fitted behind ``upper`` at ``width``, with room to
    spare (``ROOM_SHARE``): then no greedy wrapper broke there, and the break ends a paragraph. Unlike
    ``_no_room`` a CJK or Hangul word counts whole, so a break that a space-breaking wrapper made before
    one is never taken for an end."""
    words = lower.split(maxsplit=1)
    return bool(words) and len(upper) + 1 + len(words[0]) <= share * width


def _is_wrap(
    upper: str, lower: str, width: int, uniform: bool, slack: float = WIDTH_SLACK, open_greedy: bool = False
) -> bool:
    """Whether a wrapper working at ``width`` could have made the break between ``upper`` and ``lower``
    (stripped lines). Neither line may run past the width. Where the upper line closes a sentence, only
    the greedy test (``_no_room``) of a ``uniform`` text (``split_paragraphs``) says so: else that is a
    paragraph's end with a footer line below. Otherwise the upper line nearly fills the width, or the
    lower line goes on in lower case, or the greedy test holds; but never in a uniform text where the
    lower line's first word would have fitted with room to spare (``CASED_ROOM_SHARE``). Without uniform
    lines the width is only the longest of a few short lines, and the greedy test would join a footer's
    lines; ``open_greedy`` still applies it where the upper line closes nothing (see
    ``_split_surely_wrapped``)."""
    if len(upper) < MIN_WRAPPED_LINE or max(len(upper), len(lower)) > slack * width:
        return False
    fixed = width <= MAX_WRAP_WIDTH  # else no wrapper width to fill: the lines are paragraphs
    if fixed and uniform and _room_for_word(upper, lower, width, CASED_ROOM_SHARE):
        return False
    greedy = fixed and uniform and _no_room(upper, lower, width)
    if _CLOSED.search(upper):  # in scripts that break anywhere (CJK), a full line is no sign of a wrap
        return greedy and _unit(lower) > 1
    greedy = greedy or (open_greedy and fixed and _no_room(upper, lower, width))
    return greedy or (fixed and len(upper) >= 0.9 * width) or _goes_on(lower)


def _wrapped(text: str, block: list[tuple[int, int]], wraps: int, uniform: bool) -> bool:
    """Whether ``block``, with ``wraps`` of its breaks looking like wraps (``_is_wrap``), reads as one
    wrapped paragraph: two thirds of its breaks are wraps and its last line closes a sentence (a headline
    list or a footer's last line usually does not). A script without sentence marks (Thai: no line of the
    block closes anything) gives no such sign, so there every break must be a wrap and the whole text
    must be ``uniform``: no line of it longer than the wrap width, as a wrapped text's lines never are,
    while a page of unwrapped paragraphs with a footer block has long lines above the footer."""
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


def _chains(block: list[tuple[int, int]], joins: list[bool]) -> list[list[tuple[int, int]]]:
    """``block`` cut at every break that ``joins`` does not mark as a wrap."""
    chains = [[block[0]]]
    for line, join in zip(block[1:], joins, strict=True):
        if join:
            chains[-1].append(line)
        else:
            chains.append([line])
    return chains


def _joins(
    text: str,
    blocks: list[list[tuple[int, int]]],
    width: int,
    uniform: bool,
    slack: float = WIDTH_SLACK,
    open_greedy: bool = False,
) -> list[list[bool]]:
    """For every block, which of its line breaks could be wraps (``_is_wrap``)."""
    return [
        [
            _is_wrap(text[a:b].strip(), text[c:d].strip(), width, uniform, slack, open_greedy)
            for (a, b), (c, d) in pairwise(block)
        ]
        for block in blocks
    ]


def _mostly_chained(text: str, blocks: list[list[tuple[int, int]]], joins: list[list[bool]], limit: float) -> bool:
    """Whether the text is wrapped throughout: two thirds of its characters sit in lines joined to a
    neighbour by a wrap. A block of one line counts only when it runs past ``limit``, a paragraph the
    wrapper did not wrap; a short one tells nothing. Counting characters rather than breaks keeps a
    footer of many short lines, appended below the wrapped body, from outvoting it."""
    joined = total = 0
    for block, block_joins in zip(blocks, joins, strict=True):
        if len(block) == 1 and block[0][1] - block[0][0] <= limit:
            continue
        for chain in _chains(block, block_joins):
            size = sum(b - a for a, b in chain)
            total += size
            joined += size if len(chain) > 1 else 0
    return total > 0 and 3 * joined >= 2 * total


def _split_surely_wrapped(text: str, blocks: list[list[tuple[int, int]]], sure: int) -> list[Span] | None:
    """The paragraphs of a text with lines that surely end in wraps (``_sure_width``), if two thirds of
    it sit in chains of wrapped lines (a short block of one line tells nothing either way); else None.
    Each break is decided alone, so that the lines of a footer below the body come apart, long or
    short, blank line or not. The two-thirds test counts a break whose upper line closes nothing as a
    wrap by the greedy test too: in German most wrapped lines go on with a capitalised word, and at 60
    columns few lines nearly fill the width (German corpus pages wrapped at 60 with a glued footer:
    60.0 -> 64.6% split right; the layouts of ``benchmarks/splitting.py`` within 0.2 points)."""
    if not _mostly_chained(text, blocks, _joins(text, blocks, sure, False, SURE_SLACK, True), SURE_SLACK * sure):
        return None
    wraps = _joins(text, blocks, sure, True, SURE_SLACK)
    return [_block_span(text, c) for block, j in zip(blocks, wraps, strict=True) for c in _chains(block, j)]


#: Lines a text folded without blank lines must have (besides its last) before its lengths are read.
MIN_FOLDED_LINES = 6
#: A folded line is "full" from this share of the longest line on; half of them must be.
FULL_LINE = 0.8


def _folded(text: str, blocks: list[list[tuple[int, int]]], joins: list[list[bool]]) -> bool:
    """Whether a text without case and without blank lines reads as wrapped throughout even though many
    of its breaks close a sentence (``fold -s`` of a page whose paragraphs are short): at least
    ``MIN_FOLDED_LINES`` lines, half of them ``FULL_LINE`` (80%) of the longest (a wrapper fills its lines;
    a page of one paragraph per line has lengths all over), and two thirds of its characters in chains
    of wrapped lines (``_mostly_chained``). Folded text in Arabic kept whole 56 -> 69%, Hindi 53 -> 64%,
    Hebrew 59 -> 68% (it was one paragraph); a page with blank lines never gets here (footers after one
    came apart less often)."""
    lengths = [b - a for block in blocks for a, b in block[:-1]]
    if len(blocks) > 1 or len(lengths) < MIN_FOLDED_LINES:
        return False
    inner = max(lengths)
    full = [text[a:b].rstrip() for a, b in blocks[0][:-1] if b - a >= FULL_LINE * inner]
    if 2 * sum(bool(_CLOSED.search(line)) for line in full) > len(full):
        return False  # full lines that end sentences: a page of short paragraphs one per line, not folded
    return 2 * len(full) >= len(lengths) and _mostly_chained(text, blocks, joins, WIDTH_SLACK * inner)


def _split_uncased_wrapped(
    text: str, blocks: list[list[tuple[int, int]]], joins: list[list[bool]], uniform: bool
) -> list[Span] | None:
    """The paragraphs of a text without such sure wraps (scripts without case), if two thirds of its
    breaks are wraps (``joins``, found at the longest line's width) whose upper line closes nothing, or
    it is ``_folded``, in a uniform text; else None. A block is then one paragraph when any of its
    breaks could be a wrap at the width most lines reach, since the lines of a script that spaces
    phrases (Thai) stop at very different lengths, and otherwise a block of lines; except that it is
    cut wherever the next line's first word would have fitted (``_room_for_word``), where a footer line
    glued below the body, or the next paragraph of folded text, begins (``benchmarks/splitting.py``, with ``_folded``: glued footers
    split 64.1 -> 65.3%, at 60 columns 60.6 -> 61.9%, footers below a blank line 81.6 -> 81.7%, folded
    text 79.3 -> 80.4%, at 60 columns 76.6 -> 78.6%, folded at 72 bytes 75.2 -> 76.5%; the other
    layouts unchanged)."""
    breaks = sum(len(block) - 1 for block in blocks)
    open_wraps = sum(
        join and not _CLOSED.search(text[a:b].rstrip())
        for block, block_joins in zip(blocks, joins, strict=True)
        for ((a, b), _), join in zip(pairwise(block), block_joins, strict=True)
    )
    if not uniform or breaks < 2:
        return None
    if 3 * open_wraps < 2 * breaks and not _folded(text, blocks, joins):
        return None
    width = _quartile_width(blocks)
    spans: list[Span] = []
    for block in blocks:
        lines = [text[a:b].strip() for a, b in block]
        if any(_no_room(u, w, width) or len(u) >= 0.9 * width or _goes_on(w) for u, w in pairwise(lines)):
            ends = [_room_for_word(u, w, width) for u, w in pairwise(lines)]
            spans.extend(_block_span(text, c) for c in _chains(block, [not end for end in ends]))
        else:
            spans.extend(_line_spans(text, block))
    return spans


def require_text(text: object) -> None:
    """An ``InputError`` for anything but str: bytes would be split and classified as their repr."""
    if not isinstance(text, str):
        hint = "; decode bytes first" if isinstance(text, (bytes, bytearray)) else ""
        raise InputError(f"text must be str, not {type(text).__name__}{hint}")


def split_paragraphs(text: str, split: SplitMode = "auto") -> list[Span]:
    """Paragraphs of ``text`` in page order; blank lines (whitespace or zero-width characters only) are
    never paragraphs. ``split`` (named as in ``Model.label``, ``Model.clean`` and ``--split``):
    ``lines``, every line; ``blocks``, every blank-line-separated block; ``auto``, see the module
    docstring."""
    require_text(text)
    mode = _check_mode(split)
    if is_blank(text):  # nothing to find; a million empty lines took a second to walk
        return []
    blocks = _blocks(text)
    if mode == "lines":
        return [span for block in blocks for span in _line_spans(text, block)]
    if mode == "blocks":
        return [_block_span(text, block) for block in blocks]
    sure = _sure_width(text, blocks)
    inner = [b - a for block in blocks for a, b in block[:-1]]  # lines a wrap could have ended
    width = max(inner, default=0)
    uniform = all(b - a <= WIDTH_SLACK * width for block in blocks for a, b in block)
    # Few lines going on in lower case mean lines, unless the text is blank-line blocks of lines at one
    # width: German wraps mostly before a capitalised noun, and a short article gives no sure width.
    if not sure and not _continues_in_lower_case(text, blocks) and not (uniform and len(blocks) > 1):
        return [span for block in blocks for span in _line_spans(text, block)]
    wrapped = _split_surely_wrapped(text, blocks, sure) if sure else None
    if wrapped is not None:
        return wrapped
    joins = _joins(text, blocks, width, uniform)
    wrapped = None if sure else _split_uncased_wrapped(text, blocks, joins, uniform)
    if wrapped is not None:
        return wrapped
    spans: list[Span] = []
    for block, block_joins in zip(blocks, joins, strict=True):
        if len(block) > 1 and _wrapped(text, block, sum(block_joins), uniform):
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
