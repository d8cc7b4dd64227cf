"""From HTML to clean article text: trafilatura extracts the main text, the classifier removes the junk
it leaves behind ("Read more" lists, newsletter boxes, bylines, tag lines).

trafilatura is an optional dependency (``pip install ".[html]"``) and is imported on
first use only, so ``import classifier`` stays as fast as numpy allows. Without it, extracting text
raises ``MissingExtraError`` (a ``ClassifierError`` and an ``ImportError``) saying how to install it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from types import ModuleType

from .artifact import load
from .batch import FileResult, FileWork, emptied_warnings
from .errors import ClassifierError, InputError
from .files import Input, decode, read_bytes, refuse_binary, refuse_control_bytes, write_output
from .integrations import require
from .model import Model, labelled, without_unkept
from .segment import SplitMode, split_paragraphs

EXTRA = "html"
#: Files taken from directory inputs by ``classifier clean --html`` unless ``--glob`` says otherwise.
HTML_GLOB = "*.html"
#: The suffix of a cleaned page written under ``--output-dir`` (``a/page.html`` -> ``a/page.txt``).
OUTPUT_SUFFIX = ".txt"


def _trafilatura() -> ModuleType:
    """The trafilatura module, or ``MissingExtraError`` with the install command."""
    return require("trafilatura", EXTRA, "HTML input")


def extract_text(html: str | bytes, url: str | None = None) -> str:
    """The main text trafilatura finds in ``html``, one paragraph per line; "" when it finds none.

    Bytes are decoded by trafilatura (it reads the page's declared charset). ``url`` helps it resolve
    relative links and site-specific rules; no request is ever made.
    """
    if not isinstance(html, (str, bytes)):  # trafilatura would answer None as if the page were empty
        raise InputError(f"html must be str or bytes, not {type(html).__name__}")
    extracted = _trafilatura().extract(html, url=url, output_format="txt", include_comments=False)
    return extracted or ""


@cache
def _default_model() -> Model:
    return load()


def clean_html(
    html: str | bytes,
    url: str | None = None,
    *,
    model: Model | None = None,
    keep: Iterable[str] | None = None,
    split: SplitMode = "auto",
    threshold: float | None = None,
) -> str:
    """The article text of an HTML page: trafilatura's main text without the paragraphs not in ``keep``
    (None: the model's ``default_keep``).

    ``model`` defaults to the shipped model, loaded once per process. Kept paragraphs are trafilatura's
    lines byte-for-byte; a page with no main text gives "".
    """
    m = model if model is not None else _default_model()
    return m.clean(extract_text(html, url), keep=keep, split=split, threshold=threshold)


def _read_bytes(item: Input) -> bytes:
    return sys.stdin.buffer.read() if item.path is None else read_bytes(item.path)


def _extract_file(item: Input, result: FileResult, encoding: str | None = None) -> str:
    """The main text of one page. trafilatura decodes the bytes by the page's declared charset unless
    ``encoding`` overrides it: many pages declare none, and a guess can turn "café" into "cafĂ©"."""
    data = _read_bytes(item)
    if encoding is None:
        refuse_binary(data, item.name, "HTML")
        refuse_control_bytes(data, item.name)
        text = extract_text(data)
    else:
        text = extract_text(decode(data, item.name, encoding).text)
    if not text.strip():
        result.warnings.append(f"{item.name}: trafilatura found no main text")
    return text


def clean_html_file(
    model: Model,
    item: Input,
    keep: frozenset[str],
    split: SplitMode,
    output_dir: Path | None = None,
    in_place: bool = False,
    threshold: float | None = None,
    encoding: str | None = None,
) -> FileWork:
    """Extract and clean one HTML file: UTF-8 text, ending in a newline, to ``output_dir/relative.txt``
    or to stdout bytes.

    Same signature as ``batch.clean_one`` so the CLI runs either; HTML is never replaced in place.
    """
    result = FileResult(item.name)
    try:
        if in_place:
            raise InputError(f"{item.name}: HTML input cannot be cleaned in place")
        text = _extract_file(item, result, encoding)
        spans = split_paragraphs(text, split)
        probs = yield [s.text for s in spans]
        cleaned, result.dropped = without_unkept(model, text, spans, probs, keep, threshold)
        result.warnings += emptied_warnings(item.name, result.dropped, cleaned)
        data = (cleaned + "\n" if cleaned and not cleaned.endswith("\n") else cleaned).encode("utf-8")
        if output_dir is not None:
            write_output(output_dir / Path(item.relative).with_suffix(OUTPUT_SUFFIX), data)
        else:
            result.output = data
    except ClassifierError as exc:
        result.error = str(exc)
    return result


def label_html_file(model: Model, item: Input, split: SplitMode, encoding: str | None = None) -> FileWork:
    """Extract one HTML file's main text and label every paragraph (``batch.label_one`` for HTML)."""
    result = FileResult(item.name)
    try:
        spans = split_paragraphs(_extract_file(item, result, encoding), split)
        result.paragraphs = labelled(model, spans, (yield [s.text for s in spans]))
    except ClassifierError as exc:
        result.error = str(exc)
    return result


def check_available() -> None:
    """Raise ``MissingExtraError`` now, rather than once per file, when trafilatura is missing."""
    _trafilatura()


__all__ = ["check_available", "clean_html", "extract_text"]
