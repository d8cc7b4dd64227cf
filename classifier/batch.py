"""Cleaning and labeling many files: one function per file, run in order or in joblib workers.

Each file's outcome is a ``FileResult``; a failure is recorded and the batch goes on, so one bad file
never stops the others and the CLI can list failures at the end.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ClassifierError
from .files import Input, TextFile, decode, read_text_file, write_atomic, write_output
from .model import Model, Paragraph, kept
from .segment import join_kept, split_paragraphs


@dataclass
class FileResult:
    """What happened to one input."""

    name: str
    error: str = ""
    warnings: list[str] = field(default_factory=list)  # one line each on stderr
    output: bytes = b""  # cleaned bytes, for inputs whose result goes to stdout
    paragraphs: list[Paragraph] = field(default_factory=list)
    dropped: int = 0

    @property
    def ok(self) -> bool:
        return not self.error


def _read(item: Input) -> TextFile:
    if item.path is None:
        return decode(sys.stdin.buffer.read(), item.name)
    return read_text_file(item.path)


def drop_unkept(
    model: Model, text: str, keep: frozenset[str], split: str, threshold: float | None = None
) -> tuple[str, int]:
    """``text`` without its unkept paragraphs, and how many were dropped (``Model.clean`` plus the count)."""
    spans = split_paragraphs(text, split)
    keep_mask = kept(model.classify([s.text for s in spans]), keep, threshold)
    return join_kept(text, spans, keep_mask), keep_mask.count(False)


def clean_one(
    model: Model,
    item: Input,
    keep: frozenset[str],
    split: str,
    output_dir: Path | None = None,
    in_place: bool = False,
    threshold: float | None = None,
) -> FileResult:
    """Clean one input to stdout bytes, to ``output_dir/relative``, or in place."""
    result = FileResult(item.name)
    try:
        source = _read(item)
        result.warnings += [source.warning] if source.warning else []
        text, result.dropped = drop_unkept(model, source.text, keep, split, threshold)
        if result.dropped and not text.strip():  # say so: an emptied file is easy to miss in a batch
            result.warnings.append(f"{item.name}: every paragraph was dropped; the cleaned text is empty")
        cleaned = source.encode(text)
        if in_place and item.path is not None:
            if result.dropped:
                write_atomic(Path(item.path), cleaned)
        elif output_dir is not None:
            write_output(output_dir / item.relative, cleaned)
        else:
            result.output = cleaned
    except ClassifierError as exc:
        result.error = str(exc)
    return result


def label_one(model: Model, item: Input, split: str) -> FileResult:
    """Label every paragraph of one input."""
    result = FileResult(item.name)
    try:
        source = _read(item)
        result.warnings += [source.warning] if source.warning else []
        result.paragraphs = model.label(source.text, split)
    except ClassifierError as exc:
        result.error = str(exc)
    return result


def check_destinations(items: Sequence[Input], output_dir: Path) -> tuple[list[Input], list[str]]:
    """Inputs whose mirrored path under ``output_dir`` is safe to write, and errors for the others.

    Two inputs that mirror to one name would overwrite each other, and an output that is its own
    input would replace the original without --in-place: both are refused, never silently done.
    """
    ok: list[Input] = []
    errors: list[str] = []
    claimed: dict[str, str] = {}  # strings, not Paths: a third of the memory per file in large batches
    for item in items:
        target = os.path.realpath(os.path.join(output_dir, item.relative))
        if item.path is not None and os.path.realpath(item.path) == target:
            errors.append(f"{item.name}: output would overwrite the input; use --in-place or another --output-dir")
        elif target in claimed:
            errors.append(f"{item.name}: output {target} would overwrite the output of {claimed[target]}")
        else:
            claimed[target] = item.name
            ok.append(item)
    return ok, errors


def distinct_files(items: Sequence[Input]) -> tuple[list[Input], list[str]]:
    """``items`` without later names of a file already listed (a symlink, a file named twice), and a
    warning for each name left out.

    Cleaning in place twice would clean the already-cleaned text again, and a second pass can drop more.
    """
    first: dict[str, str] = {}
    out: list[Input] = []
    repeats: list[str] = []
    for item in items:
        key = os.path.realpath(item.path) if item.path is not None else None
        if key is not None and key in first:
            again = "named twice" if first[key] == item.name else f"same file as {first[key]}"
            repeats.append(f"{item.name}: {again}; cleaned once")
            continue
        if key is not None:
            first[key] = item.name
        out.append(item)
    return out, repeats


def run(
    func: Callable[..., FileResult], model: Model, items: Sequence[Input], extra: tuple[Any, ...] = (), jobs: int = 1
) -> Iterator[FileResult]:
    """``func(model, item, *extra)`` for every item, in input order; ``jobs`` > 1 uses joblib processes.

    Stdin can only be read in this process, so a batch that includes it runs here.
    """
    jobs = min(jobs, len(items), os.cpu_count() or 1)  # more processes than files or cores only cost start-up
    if jobs <= 1 or any(i.path is None for i in items):
        for item in items:
            yield func(model, item, *extra)
        return
    from joblib import Parallel, delayed

    parallel = Parallel(n_jobs=jobs, return_as="generator", batch_size="auto")
    results = parallel(delayed(func)(model, item, *extra) for item in items)
    try:
        for result in results:  # noqa: UP028 - ``yield from`` would close ``results`` outside the filter
            yield result
    finally:
        # The consumer stopped early (``| head``, Ctrl-C, an error): cancelling the queued files is the
        # point, not something to warn the user about.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r".*have been cancelled", category=UserWarning)
            results.close()
