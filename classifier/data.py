"""Labeled documents: reading the JSONL corpus format and the TSV that ``predict`` writes.

JSONL: one document per line, ``{"doc_id", "lang", "source", "paragraphs": [{"text", "label"}]}``
(``lang`` and ``source`` optional). TSV: ``file, index, label, score, text`` with a header; rows of
one ``file`` form one document in ``index`` order, so a person can correct predictions and train on them.
Any malformed line stops with ``FILE:LINE: what is wrong`` rather than training on half the data.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DataError

DATA_SUFFIXES = (".jsonl", ".tsv")
#: The project's own corpus, beside the package in a checkout (absent from an installed wheel).
PROJECT_CORPUS = Path(__file__).resolve().parent.parent / "training_data"
TSV_COLUMNS = ("file", "index", "label", "score", "text")
_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_UNESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}


@dataclass
class Document:
    """One page's paragraphs in order, with their labels."""

    doc_id: str
    texts: list[str]
    labels: list[str]
    lang: str = ""
    source: str = ""
    #: "FILE:LINE" of the page (a TSV page's first row), for warnings; "" for documents built in Python.
    origin: str = field(default="", compare=False)
    #: Keys of the JSON object the loader did not read: a misspelt "language" or "id" would otherwise
    #: silently leave the field empty (``data_checks.unread_key_warnings``).
    unread_keys: tuple[str, ...] = field(default=(), compare=False)
    #: Paragraph indices a TSV page skips (rows deleted by hand): its neighbours then read as adjacent
    #: (``data_checks.missing_row_warnings``).
    missing: tuple[int, ...] = field(default=(), compare=False)


#: The keys of a JSONL document the loader reads (``url`` is common metadata: read by no one, warned of never).
DOCUMENT_KEYS = frozenset({"doc_id", "lang", "source", "paragraphs", "url"})


def tsv_escape(text: str) -> str:
    """Escape backslash, tab and line breaks so a paragraph fits in one TSV cell."""
    return "".join(_ESCAPES.get(ch, ch) for ch in text)


def tsv_cell(text: str) -> str:
    """``text`` as one cell of the TSV ``predict`` writes: escaped, then quoted as CSV tools quote (in
    double quotes, inner ones doubled) when it holds a double quote. A spreadsheet or ``csv`` module
    reading a bare cell that opens with a quote takes the quote for the start of a quoted field and joins
    or drops text, and a quoted paragraph opens with one often."""
    cell = tsv_escape(text)
    return f'"{cell.replace(chr(34), chr(34) * 2)}"' if '"' in cell else cell


def tsv_text(cell: str) -> str:
    """Inverse of ``tsv_cell``. A cell wrapped in double quotes whose inner ones all come in pairs is a
    quoted field (as ``tsv_cell`` and CSV tools write it); any other cell is taken as it stands, as
    files written before cells were quoted hold them."""
    inner = cell[1:-1]
    if len(cell) >= 2 and cell[0] == cell[-1] == '"' and '"' not in inner.replace('""', ""):
        cell = inner.replace('""', '"')
    return tsv_unescape(cell)


def tsv_unescape(cell: str) -> str:
    """Inverse of ``tsv_escape``."""
    out, i = [], 0
    while i < len(cell):
        ch = cell[i]
        if ch == "\\" and i + 1 < len(cell) and cell[i + 1] in _UNESCAPES:
            out.append(_UNESCAPES[cell[i + 1]])
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def data_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The data files named by ``paths``: files as given, directories searched for *.jsonl / *.tsv.

    Suffixes match in any case (``.JSONL`` is still data). Inside a directory, hidden files and
    directories are skipped: editors' backups, ``.git`` and half-written staging files are not data.
    A file named twice (listed twice, or a directory and a file in it) counts once: its documents
    twice would land in different cross-validation folds and test the model on its own training text.
    The files come sorted by their resolved paths, whatever order the arguments name them in.
    """
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if _is_data_file(p, path))
            if not found:
                raise DataError(f"{path}: directory has no .jsonl or .tsv files")
            files.extend(found)
        elif path.is_file():
            if path.suffix.lower() not in DATA_SUFFIXES:
                raise DataError(f"{path}: expected labeled data in a .jsonl or .tsv file")
            files.append(path)
        else:
            raise DataError(f"{path}: no such file or directory")
    unique: dict[str, Path] = {}
    for file in files:
        unique.setdefault(os.path.realpath(file), file)
    # In one order whatever the order of the arguments: documents' order decides their folds, so the
    # same files named in another order gave another model.
    return sorted(unique.values(), key=lambda file: os.path.realpath(file))


#: Suffixes of files that look like labeled data in a form not read: said when a directory skips them.
_DATA_LIKE = (".json", ".ndjson", ".jl", ".csv", ".gz", ".bz2", ".xz", ".zst", ".zip")


def skipped_file_warnings(paths: Iterable[str | os.PathLike[str]]) -> list[str]:
    """One warning per directory in ``paths`` holding files that look like data but are not read (a
    ``.json`` export, a compressed ``.jsonl.gz``): a folder run trained on less than its owner thought,
    in silence."""
    out = []
    for raw in paths:
        top = Path(raw)
        if not top.is_dir():
            continue
        skipped = sorted(
            p for p in top.rglob("*") if p.suffix.lower() in _DATA_LIKE and not _is_hidden(p, top) and p.is_file()
        )
        if skipped:
            shown = ", ".join(str(p.relative_to(top)) for p in skipped[:3]) + (", …" if len(skipped) > 3 else "")
            out.append(
                f"{top}: {len(skipped)} file{'s' * (len(skipped) != 1)} not read ({shown}): only .jsonl and .tsv "
                "files are data"
            )
    return out


def _is_hidden(path: Path, top: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(top).parts)


def _is_data_file(path: Path, top: Path) -> bool:
    """A visible .jsonl/.tsv file below ``top`` (``top`` itself may be hidden: the user named it)."""
    return not _is_hidden(path, top) and path.suffix.lower() in DATA_SUFFIXES and path.is_file()


def _read_lines(path: Path) -> Iterator[tuple[int, str]]:
    """Numbered lines of a data file: UTF-8 (with or without BOM), or UTF-16 with a BOM, as Windows tools
    write it (PowerShell's ``>`` turns ``predict --format tsv`` output into UTF-16)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror})") from None
    encoding = "utf-16" if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1 if encoding != "utf-16" else "?"
        kind = "UTF-16" if encoding == "utf-16" else "UTF-8"
        raise DataError(f"{path}:{line}: not {kind} text ({exc.reason} at byte {exc.start})") from None
    yield from enumerate(io.StringIO(text, newline=None), 1)


def _jsonl_documents(path: Path) -> Iterator[Document]:
    for n, line in _read_lines(path):
        if not line.strip():
            continue
        where = f"{path}:{n}"
        try:
            obj = json.loads(line.rstrip("\n"))  # a cut-off line's error is at its end, not "column 1" of the next
        except json.JSONDecodeError as exc:
            raise DataError(f"{where}: bad JSON ({exc.msg}: column {exc.colno})") from None
        if not isinstance(obj, dict):
            raise DataError(f"{where}: expected a JSON object, got {type(obj).__name__}")
        paras = obj.get("paragraphs")
        if not isinstance(paras, list) or not paras:
            keys = "" if "paragraphs" in obj else f" (its keys: {', '.join(map(repr, obj)) or 'none'})"
            raise DataError(f"{where}: 'paragraphs' must be a non-empty list{keys}")
        texts, labels = [], []
        for i, para in enumerate(paras, 1):  # counted from 1, like the line numbers beside them
            if not isinstance(para, dict):
                raise DataError(f"{where}: paragraph {i} must be an object with 'text' and 'label'")
            text, label = para.get("text"), para.get("label")
            keys = f" (its keys: {', '.join(map(repr, para))})" if set(para) - {"text", "label"} else ""
            if not isinstance(text, str):
                raise DataError(f"{where}: paragraph {i} has no string 'text'{keys}")
            if not isinstance(label, str) or not label.strip():
                raise DataError(f"{where}: paragraph {i} has no valid 'label' (a non-empty string){keys}")
            if label != label.strip():
                raise DataError(f"{where}: paragraph {i} label {label!r} has leading or trailing whitespace")
            texts.append(text)
            labels.append(label)
        doc_id = obj.get("doc_id")
        if isinstance(doc_id, int) and not isinstance(doc_id, bool):  # exports often number their pages
            doc_id = str(doc_id)
        for key, value in (("doc_id", doc_id), ("lang", obj.get("lang")), ("source", obj.get("source"))):
            if value is not None and not isinstance(value, str):
                raise DataError(f"{where}: '{key}' must be a string{' or a whole number' * (key == 'doc_id')}")
        yield Document(
            doc_id if isinstance(doc_id, str) and doc_id else f"{path.name}:{n}",
            texts,
            labels,
            obj.get("lang") or "",  # null reads as absent
            obj.get("source") or "",
            where,
            tuple(key for key in obj if key not in DOCUMENT_KEYS),
        )


def _tsv_documents(path: Path) -> Iterator[Document]:
    docs: dict[str, list[tuple[int, str, str]]] = {}
    seen: dict[tuple[str, int], int] = {}  # (file, index) -> the line that gave it
    header_seen = False
    for n, line in _read_lines(path):
        line = line.rstrip("\r\n")
        if not line:
            continue
        cells = [tsv_text(cell) for cell in line.split("\t")]
        if tuple(cells) == TSV_COLUMNS:  # the first line; again where `predict >> fix.tsv` appended a run
            header_seen = True
            continue
        if not header_seen:
            raise DataError(f"{path}:{n}: expected the header '{chr(9).join(TSV_COLUMNS)}'")
        if len(cells) != len(TSV_COLUMNS):
            raise DataError(f"{path}:{n}: expected {len(TSV_COLUMNS)} tab-separated cells, found {len(cells)}")
        file, index, label = cells[0], cells[1], cells[2].strip()
        if not (index.isascii() and index.isdigit()):  # "²" is a digit to isdigit() but not to int()
            raise DataError(f"{path}:{n}: index must be a whole number, not {index!r}")
        if not label:
            raise DataError(f"{path}:{n}: empty label")
        rows = docs.setdefault(file, [])
        first = seen.setdefault((file, int(index)), n)
        if first != n:  # twice in a page would change its neighbours' context, and may disagree in label
            raise DataError(f"{path}:{n}: {file} paragraph {index} is given twice (first on line {first})")
        rows.append((int(index), label, cells[4]))
    for file, rows in docs.items():
        rows.sort()
        missing = tuple(sorted(set(range(rows[-1][0] + 1)) - {r[0] for r in rows}))
        origin = f"{path}:{min(seen[file, r[0]] for r in rows)}"  # a page's first row, as JSONL gives its line
        yield Document(file, [r[2] for r in rows], [r[1] for r in rows], origin=origin, missing=missing)


def load_documents(paths: Iterable[str | os.PathLike[str]]) -> list[Document]:
    """All documents in ``paths`` (files or directories), in a stable order."""
    docs: list[Document] = []
    for path in data_files(paths):
        reader = _tsv_documents if path.suffix.lower() == ".tsv" else _jsonl_documents
        docs.extend(reader(path))
    if not docs:
        raise DataError("no documents in the given data")
    return docs


def is_project_corpus(paths: Iterable[str | os.PathLike[str]]) -> bool:
    """Whether every data file is in this checkout's ``training_data/``: what lets a model card or the
    data card speak of "the corpus written for this project" and hold it to that corpus's minimums."""
    return all(PROJECT_CORPUS in path.resolve().parents for path in data_files(paths))


def data_sha256(paths: Iterable[str | os.PathLike[str]]) -> str:
    """SHA-256 over the data files' names and bytes, in order: the model card's training-data hash."""
    digest = hashlib.sha256()
    for path in data_files(paths):
        digest.update(path.name.encode("utf-8") + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()
