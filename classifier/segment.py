"""Splitting extracted text into paragraphs, with offsets so that cleaning can cut the original bytes.

Extractors emit either one paragraph per line (trafilatura's default) or blank-line-separated blocks.
``auto`` picks blocks when the text has at least one blank line between non-blank lines, else lines.
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
    """The concrete mode ``auto`` stands for on this text."""
    if mode not in SPLIT_MODES:
        raise ClassifierError(f"split mode must be one of {', '.join(SPLIT_MODES)}, not {mode!r}")
    if mode != "auto":
        return mode
    seen_text = blank_after_text = False
    for start, end in _lines(text):
        if text[start:end].strip():
            if blank_after_text:
                return "blocks"
            seen_text = True
        elif seen_text:
            blank_after_text = True
    return "lines"


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
