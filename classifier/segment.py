"""Splitting extracted text into paragraphs, with offsets so that cleaning can cut the original bytes.

Extractors emit either one paragraph per line (trafilatura's default) or blank-line-separated blocks.
``auto`` picks blocks when blank lines are how the text separates its paragraphs (see ``resolve_mode``),
else lines: one stray blank line, such as an empty ``<p>`` joined with the others, must not glue a whole
page of one-per-line paragraphs into two blocks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from .errors import ClassifierError, InputError

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


def resolve_mode(text: str, mode: str = "auto") -> str:
    """The concrete mode ``auto`` stands for on this text.

    Blocks when at least half of the breaks between non-blank lines are blank lines, or when the lines
    that touch look hard-wrapped (most continue a sentence: the upper line has no closing punctuation and
    the lower one starts in lower case); lines otherwise.
    """
    if mode not in SPLIT_MODES:
        raise ClassifierError(f"split mode must be one of {', '.join(SPLIT_MODES)}, not {mode!r}")
    if mode != "auto":
        return mode
    blank = touching = wrapped = 0
    previous = ""
    gap = False
    for start, end in _lines(text):
        line = text[start:end]
        if not line.strip():
            gap = bool(previous)
            continue
        if previous:
            if gap:
                blank += 1
            else:
                touching += 1
                wrapped += _continues(previous, line)
        previous, gap = line, False
    if blank == 0:
        return "lines"
    return "blocks" if blank >= touching or 2 * wrapped >= touching else "lines"


_CLOSED = re.compile(r"[.!?:;。！？…\"'»”’)\]]\s*$")


def _continues(upper: str, lower: str) -> bool:
    """Whether ``lower`` reads as the rest of a sentence that ``upper`` broke off (a hard wrap)."""
    first = lower.lstrip()[:1]
    return first.islower() and not _CLOSED.search(upper)


def require_text(text: object) -> None:
    """An ``InputError`` for anything but str: bytes would be split and classified as their repr."""
    if not isinstance(text, str):
        raise InputError(f"text must be str, not {type(text).__name__}; decode bytes first")


def split_paragraphs(text: str, mode: str = "auto") -> list[Span]:
    """Paragraphs of ``text`` in page order; whitespace-only lines are never paragraphs."""
    require_text(text)
    resolved = resolve_mode(text, mode)
    spans: list[Span] = []
    if resolved == "lines":
        for start, end in _lines(text):
            if text[start:end].strip():
                spans.append(Span(text[start:end], start, end))
        return spans
    block_start = block_end = -1
    for start, end in _lines(text):
        if text[start:end].strip():
            if block_start < 0:
                block_start = start
            block_end = end
        elif block_start >= 0:
            spans.append(Span(text[block_start:block_end], block_start, block_end))
            block_start = -1
    if block_start >= 0:
        spans.append(Span(text[block_start:block_end], block_start, block_end))
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
