"""The ``classifier`` command: thin wrappers that parse options, call the library, print results.

Results go to stdout, progress and messages to stderr. Exit status: 0 success, 1 some input failed (the
others are still processed and the failures listed at the end), 2 usage error.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shlex
import signal
import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from typer.core import TyperGroup

from .artifact import CONFIG_FILE, MAX_RUNS, STOP_SIGNALS
from .artifact import load as load_model
from .batch import MIRRORING, FileResult, check_destinations, clean_one, distinct_files, label_one, run
from .data import TSV_COLUMNS, Document, tsv_cell, tsv_escape
from .errors import ArgumentError, ClassifierError
from .files import DEFAULT_GLOB, STDIN, Input, Inputs, check_encoding, write_atomic
from .html import HTML_GLOB, OUTPUT_SUFFIX, check_available, clean_html_file, label_html_file
from .model import Model, kept

# click's error classes, found through the one typer exports: newer typer versions vendor click, so
# ``import click`` would name other classes than the ones raised.
_USAGE_ERROR: Any = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")
_CLICK_ERROR: type[Exception] = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


class _OneLineErrors(TyperGroup):
    """Usage errors as one line, in the form every other error of the tool takes ("classifier: error:
    …", exit 2), instead of click's four (usage, hint, blank, error): a script's log then holds one
    kind of line per failure, and a person still learns where help is."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        if not kwargs.get("standalone_mode", True):
            return super().main(*args, **kwargs)
        kwargs["standalone_mode"] = False  # errors come back here rather than being printed by click
        try:
            code = super().main(*args, **kwargs)
        except _CLICK_ERROR as exc:
            sys.exit(_report(exc))
        except typer.Abort:
            typer.echo("Aborted!", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as exc:
            _interrupted(getattr(exc, "status", 130))
            raise typer.Exit(getattr(exc, "status", 130)) from None


class _Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP (``kill``, ``timeout``, a closed ssh session), taken as Ctrl-C is: the same
    orderly stop (queued files dropped, running ones finished, worker processes ended), with the exit
    status of the signal."""

    def __init__(self, signum: int) -> None:
        super().__init__()
        self.status = 128 + signum


def _stop_on(signum: int, _frame: object) -> None:
    raise _Stopped(signum)


def _interrupted(status: int = 130) -> None:
    """Say that Ctrl-C was heard, then leave. Every file this tool writes is swapped in whole, so nothing
    is half-written. The fits a training had running cannot be stopped, and the interpreter would wait
    for them at exit (a minute, silently), so while they run the process ends at once; anything else
    (the worker processes of ``--jobs``) is left to finish and clean up as usual."""
    clear = CLEAR_LINE if sys.stderr is not None and sys.stderr.isatty() else ""
    print(f"{clear}classifier: interrupted; no file was left half-written", file=sys.stderr, flush=True)
    fitting = "classifier.train" in sys.modules and sys.modules["classifier.train"].FIT_THREADS
    if fitting and any(t.name.startswith(fitting) and t.is_alive() for t in threading.enumerate()):
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
        os._exit(status)


def _report(exc: Any) -> int:
    """Print a click error as one line (the help, for a command given no arguments); its exit status."""
    if type(exc).__name__ == "NoArgsIsHelpError":
        exc.show()
    elif isinstance(exc, _USAGE_ERROR):  # the command it was given to, for its help
        where = exc.ctx.command_path if exc.ctx is not None else "classifier"
        _fail(f"{exc.format_message().rstrip('.')} (see '{where} -h')")
    else:
        _fail(exc.format_message())
    return int(exc.exit_code)


app = typer.Typer(
    cls=_OneLineErrors,
    name="classifier",
    help="Label and clean the paragraphs of extracted article text.",
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    epilog="Example: classifier clean article.txt > clean.txt",
)


def _version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"classifier {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Label and clean the paragraphs of extracted article text."""


class Split(str, Enum):
    auto = "auto"
    lines = "lines"
    blocks = "blocks"


class Format(str, Enum):
    text = "text"
    tsv = "tsv"
    jsonl = "jsonl"


ModelOpt = Annotated[Optional[str], typer.Option("--model", "-m", help="Model directory (default: the shipped model).")]
SplitOpt = Annotated[
    Split,
    typer.Option(
        "--split",
        help="Paragraphs are lines, blank-line blocks, or auto: one per line, except that the lines of a "
        "hard-wrapped paragraph (found from the width the text was wrapped at) stay together.",
    ),
]
JobsOpt = Annotated[int, typer.Option("--jobs", "-j", min=1, help="Worker processes for many files.")]
GlobOpt = Annotated[
    str,
    typer.Option(
        "--glob",
        help="Files to take from directory inputs, by file name (not path), searched in every subdirectory: "
        "'*.md', 'page-*.txt'.",
    ),
]


def _probability(value: Optional[float]) -> Optional[float]:
    """Typer's range check lets NaN through (every comparison with it is false); NaN would drop everything."""
    if value is not None and math.isnan(value):
        raise typer.BadParameter("must be a probability from 0 to 1, not nan")
    return value


ThresholdOpt = Annotated[
    Optional[float],
    typer.Option(
        "--threshold",
        "-t",
        min=0.0,
        max=1.0,
        callback=_probability,
        help="Keep a paragraph when the kept labels together reach this probability (default: when a kept "
        "label is the most likely). Lower keeps more article text, higher drops more junk.",
        show_default=False,
    ),
]
InputsArg = Annotated[
    list[str],
    typer.Argument(
        help="Files, directories (searched recursively) or - for stdin.", show_default=False, metavar="FILE|DIR|-..."
    ),
]
HtmlOpt = Annotated[
    bool,
    typer.Option(
        "--html",
        help="Inputs are HTML pages: extract the main text with trafilatura first (needs the html extra); "
        f"directories give {HTML_GLOB} unless --glob says otherwise.",
    ),
]


EncodingOpt = Annotated[
    Optional[str],
    typer.Option(
        "--encoding",
        "-e",
        help="Encoding of inputs without a byte-order mark, e.g. cp1252, latin-1, shift_jis (default: UTF-8; "
        "for --html, the page's declared charset). clean writes text files back in the encoding they were read in.",
        show_default=False,
    ),
]


def _encoding(name: Optional[str]) -> Optional[str]:
    """The codec --encoding names, checked before any file is read."""
    if name is None:
        return None
    try:
        return check_encoding(name)
    except ArgumentError as exc:
        raise typer.BadParameter(str(exc), param_hint="--encoding") from None


#: Carriage return and ANSI erase-line: what a terminal needs to write over the progress bar.
CLEAR_LINE = "\r\x1b[K"


def _fail(message: str) -> None:
    typer.echo(f"classifier: error: {message}", err=True)


#: Set while a progress bar is drawn on stderr: a message must first clear the bar's line, or it is
#: written onto the end of the bar (the bar redraws itself on the next line at its next step).
_bar_showing = False


def _warn(message: str) -> None:
    typer.echo(f"{CLEAR_LINE if _bar_showing else ''}classifier: warning: {message}", err=True)


@contextmanager
def _library_errors() -> Iterator[None]:
    """Turn library errors into one line on stderr and exit status 1, or 2 for an option value the library
    refused (an unknown label to keep or weight, an unknown --by field): a usage error, as in typer."""
    try:
        yield
    except ClassifierError as exc:
        _fail(str(exc))
        raise typer.Exit(2 if isinstance(exc, ArgumentError) else 1) from None


def _load(model: Optional[str]) -> Model:
    """The model --model names (default: the shipped one). A --model that names no model directory (none
    there, a file, a directory without a config.json) is a usage error (exit 2), like any other bad option
    value; a damaged model directory is a failure (exit 1)."""
    try:
        return load_model(model)
    except ClassifierError as exc:
        _fail(str(exc))
        usage = isinstance(exc, ArgumentError) or (model is not None and not (Path(model) / CONFIG_FILE).is_file())
        raise typer.Exit(2 if usage else 1) from None


def _trained_on(model: Model, data: list[str], documents: list[Document]) -> int | None:
    """How many of ``documents`` the model was trained on (warned of: their scores look held-out and are
    not), by the training pages' fingerprint; models saved without one can only tell their whole training
    data by its SHA-256, and say None."""
    from .artifact import read_trained_pages
    from .data import data_sha256
    from .data_checks import trained_on

    pages = read_trained_pages(model.path) if model.path else None
    if pages is None:
        recorded = model.config.get("training", {}).get("data_sha256")
        if recorded and data_sha256(data) == recorded:
            _warn(TRAINED_ON_ALL)
        return None
    own = trained_on(documents, pages)
    if own == len(documents):
        _warn(TRAINED_ON_ALL)
    elif own:
        _warn(
            f"{own} of the {len(documents)} documents are pages the model was trained on (the same page, or most "
            "of its paragraphs word for word): the scores are not held-out"
        )
    return own


TRAINED_ON_ALL = (
    "this is the data the model was trained on: the scores show what it learnt, not how it does on new pages"
)


def _comma_list(option: list[str]) -> list[str]:
    """A list option, comma-separated and repeatable ("-k reporting,other" or "-k reporting -k other",
    "--by lang,kind"), as names in the order given; empty items are ignored."""
    return [x.strip() for value in option for x in value.split(",") if x.strip()]


def _keep_labels(model: Model, keep: list[str] | None) -> frozenset[str]:
    """The --keep option as a label set (omitted: the model's default); empty or unknown labels, or no
    default on a model that records none, are usage errors. Given twice, both count: the last alone
    would have dropped the article for "-k reporting -k other"."""
    wanted = None if not keep else _comma_list(keep)
    if wanted is None and not model.default_keep:
        _fail(
            f"this model records no default labels to keep; pass --keep LABELS (its labels: {', '.join(model.labels)})"
        )
        raise typer.Exit(2)
    if wanted == []:
        raise typer.BadParameter("name at least one label to keep", param_hint="--keep")
    try:
        return model.keep_labels(wanted)
    except ClassifierError as exc:
        raise typer.BadParameter(str(exc), param_hint="--keep") from None


def _inputs(inputs: list[str], pattern: str, html: bool = False, exclude: Optional[Path] = None) -> Inputs:
    if not pattern.strip():
        raise typer.BadParameter("give a file name pattern such as '*.txt'", param_hint="--glob")
    if "/" in pattern or os.sep in pattern:
        raise typer.BadParameter(
            f"{pattern!r} names a path; the pattern matches file names, in every subdirectory", param_hint="--glob"
        )
    if html:
        with _library_errors():
            check_available()
        pattern = HTML_GLOB if pattern == DEFAULT_GLOB else pattern
    if inputs.count(STDIN) > 1:
        raise typer.BadParameter("stdin (-) can be given only once", param_hint="FILE|DIR|-")
    return Inputs(inputs, pattern, exclude)


def _progress(results: Iterator[FileResult], total: int, jobs: int = 1) -> Iterator[FileResult]:
    """Show a progress bar on stderr for batches when a person is watching. Worker processes start and
    load the model before the first file is done, which the bar's estimate took for the pace of every
    file (a 7-second run showed 17 minutes to go), so with ``jobs`` > 1 it shows no time left."""
    global _bar_showing
    if total < 2 or not sys.stderr.isatty():
        with _library_errors():  # a worker process that died: one line, exit 1
            yield from results
        return
    with typer.progressbar(length=total, label="files", file=sys.stderr, show_eta=jobs <= 1) as bar:
        _bar_showing = True
        try:
            with _library_errors():
                for result in results:
                    yield result
                    bar.update(1)
        finally:
            _bar_showing = False


def _finish(failures: list[str], what: str = "failed", shown: int | None = None) -> None:
    """Exit 1 if anything failed. One failure is one error line; several are a count (``what`` happened
    to them), then one indented line each, the first ``shown`` of them when a limit is given."""
    if len(failures) == 1:
        _fail(failures[0] if what == "failed" else f"{failures[0]}; {what}")
        raise typer.Exit(1)
    if failures:
        _fail(f"{len(failures)} input(s) {what}:")
        for message in failures[:shown]:
            typer.echo(f"  {message}", err=True)
        if shown is not None and len(failures) > shown:
            typer.echo(f"  … and {len(failures) - shown} more", err=True)
        raise typer.Exit(1)


@app.command(epilog="Example: classifier clean article.txt > article.clean.txt")
def clean(
    inputs: InputsArg,
    model: ModelOpt = None,
    keep: Annotated[
        Optional[list[str]],
        typer.Option(
            "--keep",
            "-k",
            help="Labels to keep, comma-separated or repeated (default: the model's own; reporting for the shipped one).",
        ),
    ] = None,
    output_dir: Annotated[
        Optional[Path], typer.Option("--output-dir", "-o", help="Write cleaned files here, mirroring input names.")
    ] = None,
    in_place: Annotated[
        bool, typer.Option("--in-place", help="Replace each input file atomically with its cleaned text.")
    ] = False,
    split: SplitOpt = Split.auto,
    jobs: JobsOpt = 1,
    glob: GlobOpt = DEFAULT_GLOB,
    html: HtmlOpt = False,
    threshold: ThresholdOpt = None,
    encoding: EncodingOpt = None,
) -> None:
    """Remove every paragraph whose label is not kept; kept paragraphs stay byte-for-byte.

    One input goes to stdout; many need --output-dir or --in-place. With --html, each page's extracted
    text is cleaned and written as UTF-8 (page.html becomes page.txt under --output-dir).

    Each input is one page: its paragraphs' neighbours and position are evidence, so a file of many pages
    (or JSON lines) cleans far worse; give one page per file.
    """
    if output_dir and in_place:
        raise typer.BadParameter("use either --output-dir or --in-place, not both", param_hint="--in-place")
    if html and in_place:
        raise typer.BadParameter("HTML pages are not replaced by text; use --output-dir", param_hint="--in-place")
    if output_dir is not None and output_dir.exists() and not output_dir.is_dir():
        raise typer.BadParameter(f"{output_dir} exists and is not a directory", param_hint="--output-dir")
    codec = _encoding(encoding)
    found = _inputs(inputs, glob, html, exclude=output_dir)
    failures = found.errors
    if in_place and found.has_stdin:
        raise typer.BadParameter("stdin cannot be cleaned in place", param_hint="--in-place")
    if not found:
        _finish(failures)
    if not (output_dir or in_place) and (len(found) + len(failures) > 1 or any(Path(x).is_dir() for x in inputs)):
        where = "--output-dir DIR" if html else "--output-dir DIR or --in-place"
        raise typer.BadParameter(f"a directory or several inputs need {where}", param_hint="FILE|DIR|-")
    if output_dir is not None and len(found.args) > 1:
        _refuse_clashes(found, output_dir, failures, html)  # before the output directory is made: nothing written
    if output_dir is not None:
        try:
            output_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            _fail(f"{output_dir}: cannot create output directory ({exc.strerror})")
            raise typer.Exit(1) from None
    m = _load(model)
    wanted = _keep_labels(m, keep)
    if wanted == set(m.labels):
        _warn("--keep names every label of the model: nothing will be removed")
    items: Iterable[Input] = found
    if in_place:
        items = distinct_files(items, _warn)
    elif output_dir is not None:
        items = check_destinations(found, output_dir, failures, _warn, OUTPUT_SUFFIX if html else None)
    func = clean_html_file if html else clean_one
    extra = (wanted, split.value, output_dir, in_place, threshold, codec)
    workers = 1 if found.has_stdin else jobs
    results = run(func, m, items, extra, workers, len(found))
    for result in _progress(results, len(found), workers):
        for warning in result.warnings:
            _warn(warning)
        if result.error:
            failures.append(result.error)
        elif result.output:
            sys.stdout.buffer.write(result.output)
            sys.stdout.buffer.flush()
    _finish(failures)


#: Clashing inputs listed by name before the rest are counted.
SHOWN_CLASHES = 10


def _refuse_clashes(found: Inputs, output_dir: Path, failures: list[str], html: bool = False) -> None:
    """Refuse, before anything is written, inputs of several arguments whose outputs would clash
    (``x1/a.txt`` and ``x2/a.txt`` both to ``OUT/a.txt``): found while cleaning, the first was already
    written when the second failed. One argument mirrors to distinct names, so it needs no such walk."""
    clashes: list[str] = []
    for _ in check_destinations(found, output_dir, clashes, suffix=OUTPUT_SUFFIX if html else None):
        pass
    if clashes:
        # Sibling directories of a crawl (`clean crawl/*/ -o OUT`) can clash on thousands of names: a few
        # show the pattern, and the reason is said once.
        problems = [*failures, *(c.removesuffix(f" ({MIRRORING})") for c in clashes)]
        what = f"nothing was written ({MIRRORING})"
        _finish(problems, what if len(problems) == 1 else f"cannot be cleaned as asked; {what}", SHOWN_CLASHES)


def _prediction_rows(result: FileResult) -> Iterator[dict[str, Any]]:
    for i, p in enumerate(result.paragraphs):
        yield {
            "file": result.name,
            "index": i,
            # where the paragraph is in the text as decoded (line endings as in the file; for --html, in
            # the extracted text): a program lines paragraphs up with the file without searching for them
            "start": p.start,
            "end": p.end,
            "label": p.label,
            "score": round(p.score, 4),
            "scores": {k: round(v, 4) for k, v in p.scores.items()},
            "text": p.text,
        }


def _printable(text: str) -> str:
    """Text safe to print: bytes that were not UTF-8 become U+FFFD."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


@app.command(epilog="Example: classifier predict article.txt --format tsv > labels.tsv")
def predict(
    inputs: InputsArg,
    model: ModelOpt = None,
    fmt: Annotated[
        Optional[Format],
        typer.Option(
            "--format",
            "-f",
            help="text for reading (default), tsv for correcting and retraining, jsonl for programs.",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Same as --format jsonl (as in evaluate and info).", show_default=False)
    ] = False,
    split: SplitOpt = Split.auto,
    jobs: JobsOpt = 1,
    glob: GlobOpt = DEFAULT_GLOB,
    html: HtmlOpt = False,
    encoding: EncodingOpt = None,
    keep: Annotated[
        Optional[list[str]],
        typer.Option("--keep", "-k", help="Labels 'clean' would keep, for the kept mark (default: the model's)."),
    ] = None,
    threshold: ThresholdOpt = None,
) -> None:
    """Print the label and probability of every paragraph, and whether 'clean' would keep it.

    Text output marks each paragraph + (kept) or - (dropped) by the same --keep and --threshold as
    'clean'; jsonl rows carry "kept", and "start" and "end", the paragraph's character offsets in the
    file's text as read (decoded, after any byte-order mark, line endings as in the file; with --html, in
    the text extracted from the page). Text output shows a hard-wrapped paragraph on one line. The TSV can be corrected
    by hand and given to 'classifier train' or 'classifier evaluate'.
    """
    if as_json and fmt not in (None, Format.jsonl):  # an explicit --format text is a contradiction too
        raise typer.BadParameter(f"--json means --format jsonl, not {fmt.value}", param_hint="--json")
    fmt = Format.jsonl if as_json else fmt or Format.text
    codec = _encoding(encoding)
    items = _inputs(inputs, glob, html)
    failures = items.errors
    m = _load(model)
    wanted = _keep_labels(m, keep) if keep or m.default_keep else frozenset()
    out = sys.stdout
    if fmt is Format.tsv:
        out.write("\t".join(TSV_COLUMNS) + "\n")
    func = label_html_file if html else label_one
    workers = 1 if items.has_stdin else jobs
    # A file named twice (or inside a directory also named) is labeled once, as clean cleans it once. One
    # argument names each file once (symlinks aside), and needs no memory of every file it gave.
    named: Iterable[Input] = distinct_files(items, _warn, "labeled") if len(items.args) > 1 else items
    results = run(func, m, named, (split.value, codec), workers, len(items))
    for result in _progress(results, len(items), workers):
        for warning in result.warnings:
            _warn(warning)
        if result.error:
            failures.append(result.error)
            continue
        # A model without default keep labels, and no --keep: there is no clean to preview.
        marks: list[bool | None] = (
            [*kept(result.paragraphs, wanted, threshold)] if wanted else [None] * len(result.paragraphs)
        )
        for row, stays in zip(_prediction_rows(result), marks, strict=True):
            text = _printable(row["text"])
            if fmt is Format.jsonl:
                fields = {**row, "text": text} if stays is None else {**row, "text": text, "kept": stays}
                out.write(json.dumps(fields, ensure_ascii=False) + "\n")
            elif fmt is Format.tsv:
                out.write(
                    f"{tsv_cell(_printable(row['file']))}\t{row['index']}\t{row['label']}\t{row['score']:.4f}\t"
                    f"{tsv_cell(text)}\n"
                )
            else:
                name = tsv_escape(_printable(row["file"]))  # a tab or newline in a name would break the columns
                prefix = f"{name}:{row['index']}" if len(items) > 1 else str(row["index"])
                mark = {True: "+", False: "-", None: " "}[stays]
                out.write(f"{prefix}\t{row['label']:<15} {row['score']:.2f} {mark} {' '.join(text.split())}\n")
        out.flush()
    _finish(failures)


@app.command(epilog="Example: classifier train training_data/ --output models/default")
def train(
    data: Annotated[
        list[str],
        typer.Argument(help="Labeled .jsonl/.tsv files or directories.", show_default=False, metavar="DATA..."),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Model directory to write.")],
    seed: Annotated[
        int,
        # numpy and scikit-learn take seeds from 0 to 2**32 - 1 and raise tracebacks outside that range.
        typer.Option(min=0, max=2**32 - 1, help="Seed for fold assignment and the solver (0 to 2**32 - 1)."),
    ] = 0,
    runs: Annotated[
        int,
        typer.Option(
            min=1,
            max=MAX_RUNS,
            help="Train N times (seeds SEED, SEED+1, …) and average the runs into one model: steadier and "
            "usually better on unseen pages, for N times the training time; scoring time nearly unchanged.",
            metavar="N",
        ),
    ] = 1,
    folds: Annotated[
        Optional[int], typer.Option(min=2, help="Cross-validation folds, grouped by document (default: 3).")
    ] = None,
    eval_sets: Annotated[
        Optional[list[str]],
        typer.Option("--eval", help="Held-out labeled data to score and record in the model card (repeatable)."),
    ] = None,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=1, help="Fits run at once (threads); the model does not depend on it.")
    ] = 2,
    weights: Annotated[
        Optional[list[str]],
        typer.Option(
            "--weight",
            help="LABEL=W: weight of a label's paragraphs in the context stages (2 and 3), e.g. reporting=2 when the training "
            "pages carry more junk than real ones (repeatable).",
            metavar="LABEL=W",
        ),
    ] = None,
    keep: Annotated[
        Optional[list[str]],
        typer.Option(
            "--keep",
            "-k",
            help="Comma-separated labels that cleaning with this model keeps by default (default: reporting; "
            "required when the data has no reporting label).",
        ),
    ] = None,
) -> None:
    """Train a model, print its cross-validation scores, and write the model directory."""
    from .metrics import few_pages_note, format_report
    from .train import FOLDS, train_and_save

    # Quoted, so that the command the model card records can be pasted back into a shell.
    command = "classifier " + shlex.join(sys.argv[1:]) if sys.argv[1:2] == ["train"] else ""
    for name in eval_sets or []:
        if not os.path.exists(name):
            raise typer.BadParameter(f"{name}: no such file or directory", param_hint="--eval")
    with _library_errors():
        metrics = train_and_save(
            data,
            str(output),
            seed=seed,
            runs=runs,
            folds=folds or FOLDS,
            eval_sets=eval_sets or [],
            command=command,
            progress=lambda msg: typer.echo(msg, err=True),
            jobs=jobs,
            label_weights=_label_weights(weights or []),
            keep=_comma_list(keep) if keep else None,
            warn=_warn,
        )
    typer.echo(f"cross-validation ({metrics['cross_validation']['folds']} folds, grouped by document):")
    typer.echo(format_report(metrics["cross_validation"]))
    few = few_pages_note(metrics["cross_validation"])
    if few:
        typer.echo(f"({few})")
    for name, report in metrics["evaluations"].items():
        typer.echo(f"\n{'evaluation (also trained on)' if report.get('documents_trained_on') else 'held-out'}: {name}")
        typer.echo(format_report(report))
    kept = ", ".join(metrics["cross_validation"]["cleaning"]["keep_labels"])
    typer.echo(f"\nwrote {output} (trained in {metrics['train_seconds']} s; cleaning keeps {kept} by default)")


def _label_weights(items: list[str]) -> dict[str, float]:
    """``["reporting=2"]`` as ``{"reporting": 2.0}``; a malformed item is a usage error."""
    out: dict[str, float] = {}
    for item in items:
        label, _, value = item.partition("=")
        try:
            weight = float(value)
        except ValueError:
            weight = None
        if weight is None or not label.strip():
            raise typer.BadParameter(f"{item!r} is not LABEL=NUMBER", param_hint="--weight")
        if label.strip() in out:
            raise typer.BadParameter(f"{label.strip()!r} is weighted twice", param_hint="--weight")
        out[label.strip()] = weight
    return out


@app.command(epilog="Example: classifier evaluate labeled/*.jsonl --by lang")
def evaluate(
    data: Annotated[
        list[str],
        typer.Argument(help="Labeled .jsonl/.tsv files or directories.", show_default=False, metavar="DATA..."),
    ],
    model: ModelOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    keep: Annotated[
        Optional[list[str]],
        typer.Option("--keep", "-k", help="Labels counted as kept in the cleaning view (default: the model's)."),
    ] = None,
    threshold: ThresholdOpt = None,
    by: Annotated[
        Optional[list[str]],
        typer.Option(
            "--by",
            help="Also score each group of documents: lang, source, or kind (source up to its first '/'). Repeatable or comma-separated.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Score a model on labeled documents: per-class P/R/F1, macro-F1, confusion, cleaning view.

    --threshold changes the cleaning view only (what 'clean --threshold' would keep); labels stay argmax.
    """
    from .data import load_documents, skipped_file_warnings
    from .data_checks import blank_text_warnings, missing_row_warnings, misspelt_label_warnings, unread_key_warnings
    from .evaluate import check_group_fields
    from .evaluate import evaluate as run_evaluation
    from .metrics import GROUP_FIELDS, format_groups, format_report

    if by and not _comma_list(by):  # "--by ''" from an empty shell variable: say so, as --keep does
        raise typer.BadParameter(f"name a field to group by: {', '.join(GROUP_FIELDS)}", param_hint="--by")
    by = _comma_list(by or [])  # "--by lang,kind" as --keep takes its labels
    try:  # a usage error, said before the data is read and its warnings printed
        check_group_fields(by)
    except ArgumentError as exc:
        raise typer.BadParameter(str(exc), param_hint="--by") from None
    m = _load(model)
    # No --keep on a model without default keep labels: the per-label scores, and the cleaning view n/a.
    chosen = _keep_labels(m, keep) if keep or m.default_keep else None
    wanted = None if chosen is None else [label for label in m.labels if label in chosen]  # the model's order
    with _library_errors():
        documents = load_documents(data)
        said = skipped_file_warnings(data) + unread_key_warnings(documents) + missing_row_warnings(documents)
        said += blank_text_warnings(documents, "each is scored with the prediction of the paragraph before it")
        for warning in said + misspelt_label_warnings(documents, m.labels):
            _warn(warning)
        own = _trained_on(m, data, documents)
        report = run_evaluation(m, documents, keep=wanted, threshold=threshold, by=by)
    if own is not None:
        report["documents_trained_on"] = own
    if as_json:
        typer.echo(json.dumps(report, indent=2))
        return
    docs, paras = report["documents"], report["paragraphs"]
    typer.echo(f"{docs} document{'s' * (docs != 1)}, {paras} paragraph{'s' * (paras != 1)}")
    typer.echo(format_report(report))
    for field in dict.fromkeys(by or ()):
        typer.echo("\n" + format_groups(field, report[f"by_{field}"]))


@app.command(epilog="Example: classifier info --json")
def info(
    model: ModelOpt = None, as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False
) -> None:
    """Show a model's labels, training data, metrics and versions."""
    from .artifact import read_metrics
    from .card import seeds_line
    from .metrics import few_pages_note, percent

    m = _load(model)
    assert m.path is not None
    metrics = read_metrics(m.path)
    if as_json:
        report = {"path": str(m.path), "default_keep": list(m.default_keep), "config": m.config, "metrics": metrics}
        typer.echo(json.dumps(report, indent=2))
        return
    t = m.config.get("training", {})
    typer.echo(f"model:    {m.path}")
    typer.echo(f"labels:   {', '.join(m.labels)}")
    typer.echo(f"keeps:    {', '.join(m.default_keep) or 'nothing by default (name --keep)'}")
    net = m.config.get("refine_network") if m.weights.refine_hidden is not None else None  # checked on load
    stage3 = f" (stage 3: {net['members']} networks × {net['hidden_units']} units)" if net else ""
    typer.echo(f"format:   {m.config.get('format_version')}{stage3}")
    typer.echo(
        f"data:     {t.get('documents')} documents, {t.get('paragraphs')} paragraphs, sha256 {t.get('data_sha256', '?')[:16]}"
    )
    typer.echo(f"training: {seeds_line(t)}")
    typer.echo(f"command:  {t.get('command', '')}")
    cv = metrics.get("cross_validation")
    if cv:
        few = f" ({cv['pages']} pages: too few to judge by)" if few_pages_note(cv) else ""
        typer.echo(f"cv:       macro-F1 {cv['macro_f1']:.3f}{few}")
    for name, report in metrics.get("evaluations", {}).items():
        c = report["cleaning"]
        kept = ",".join(c["keep_labels"]) or "nothing"
        shared = report.get("documents_trained_on", 0)
        also = f" (also trained on: {shared} of its {report.get('documents', '?')} documents)" if shared else ""
        typer.echo(
            f"eval:     {name}{also}: macro-F1 {report['macro_f1']:.3f}, {kept} kept "
            f"{percent(c['reporting_chars_kept'])}, junk dropped {percent(c['other_chars_dropped'])}"
        )
    versions = m.config.get("versions", {})
    typer.echo("versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()))


@app.command("data-stats", epilog="Example: classifier data-stats training_data/ --json")
def data_stats(
    data: Annotated[
        list[str],
        typer.Argument(help="Labeled .jsonl/.tsv files or directories.", show_default=False, metavar="DATA..."),
    ],
    write_card: Annotated[
        Optional[Path],
        typer.Option("--write-card", help="Update the tables between the data-stats markers of this Markdown file."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Count documents and paragraphs per label, language and page kind."""
    from .data import is_project_corpus, load_documents, skipped_file_warnings
    from .data_checks import blank_text_warnings, data_warnings, page_numbers
    from .stats import corpus_stats, stats_markdown, update_card
    from .train import BLANK_IN_TRAINING

    with _library_errors():
        documents = load_documents(data)
        # what train would warn of (or refuse): this is where a team checks its data before training
        pages = int(page_numbers(documents).max()) + 1 if documents else 0
        said = data_warnings(documents, pages, folds=0) + blank_text_warnings(documents, BLANK_IN_TRAINING)
        for warning in skipped_file_warnings(data) + said:
            _warn(warning)
        stats = corpus_stats(documents, minimums=is_project_corpus(data))
    if write_card is not None:
        try:
            old = write_card.read_text(encoding="utf-8") if write_card.exists() else ""
            write_atomic(write_card, update_card(old, stats).encode("utf-8"))
        except ClassifierError as exc:  # write_atomic's own one-line message
            _fail(str(exc))
            raise typer.Exit(1) from None
        except (OSError, UnicodeDecodeError) as exc:
            _fail(f"{write_card}: cannot update the card ({getattr(exc, 'strerror', None) or exc})")
            raise typer.Exit(1) from None
        typer.echo(f"updated {write_card}", err=True)
    typer.echo(json.dumps(stats, indent=2, ensure_ascii=False) if as_json else stats_markdown(stats))


def main() -> None:
    """Console entry point: run the app, and exit quietly when stdout is closed early (``| head``)."""
    if sys.stdout is None:  # started with stdout closed (`>&-`): nowhere to write results
        if sys.stderr is not None:
            print("classifier: error: standard output is closed", file=sys.stderr)
        sys.exit(1)
    for signum in STOP_SIGNALS[1:]:  # SIGINT already raises KeyboardInterrupt
        if signal.getsignal(signum) != signal.SIG_IGN:  # `nohup classifier …` must outlive the terminal
            signal.signal(signum, _stop_on)
    try:
        app()
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(1)
    except OSError as exc:  # writing results failed (disk full, device error); inputs are never modified
        print(f"classifier: error: cannot write output ({exc.strerror or exc})", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt as exc:  # outside a command (while starting up)
        _interrupted(getattr(exc, "status", 130))
        sys.exit(getattr(exc, "status", 130))
