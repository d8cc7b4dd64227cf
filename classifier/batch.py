"""Cleaning and labeling many files: one function per file, run in order or in worker processes.

Each file's outcome is a ``FileResult``; a failure is recorded and the batch goes on, so one bad file
never stops the others and the CLI can list failures at the end.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .artifact import STOP_SIGNALS
from .errors import ClassifierError
from .files import Input, Inputs, TextFile, decode, read_text_file, write_atomic, write_output
from .model import BATCH_ROWS, Model, Paragraph, labelled, without_unkept
from .segment import SplitMode, split_paragraphs

if TYPE_CHECKING:  # the worker pool is imported when used: a plain `clean FILE` starts faster without it
    from concurrent.futures import Future, ProcessPoolExecutor


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


def _read(item: Input, encoding: str | None) -> TextFile:
    if item.path is None:
        return decode(sys.stdin.buffer.read(), item.name, encoding)
    return read_text_file(item.path, encoding)


#: Lines above which one input is probably many pages: the longest real page of our measurement set has
#: 242 paragraphs, and a 10,000-word article wrapped at 72 columns about 900 lines.
MANY_LINES = 3000


_HTML_START = re.compile(r"^\s*<(?:!doctype html|html|head|body)\b", re.I)
#: A line that opens with a tag ("<p>", "</div>", "<a href=…>"), not with "< Back" or "<3".
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")


def page_warnings(name: str, text: str) -> list[str]:
    """Warnings for an input that is probably not one page. Each input is read as one page, its
    paragraphs' neighbours and place in it being evidence: the 181 measurement pages cleaned ten to a
    file drop 34% of their junk characters instead of 69%, all in one file 12%."""
    lines = sum(1 for line in text.splitlines() if line.strip())  # blank lines are no paragraphs
    head = [line.strip() for line in text[:20_000].splitlines() if line.strip()][:20]
    if head and 2 * sum(line.startswith("{") and line.endswith("}") for line in head) > len(head):
        return [
            f"{name}: looks like JSON lines; each line is read as a paragraph of one page (clean text files, "
            "one page each, or use the library or the datatrove step on JSONL)"
        ]
    if _HTML_START.search(text[:2000]) or (head and 2 * sum(bool(_TAG.match(line)) for line in head) > len(head)):
        return [
            f"{name}: looks like HTML; its tags are read as text and mislead the model (use --html, which "
            "extracts the article text first)"
        ]
    if lines > MANY_LINES:
        return [
            f"{name}: {lines} non-blank lines read as one page; many pages in one file clean far worse than one page "
            "per file (a page's neighbours and position are evidence)"
        ]
    return []


def emptied_warnings(name: str, dropped: int, cleaned: str) -> list[str]:
    """Say so when cleaning left nothing: an emptied file is easy to miss in a batch."""
    return (
        [f"{name}: every paragraph was dropped; the cleaned text is empty"] if dropped and not cleaned.strip() else []
    )


#: One file's work, as a generator: it reads and splits the file, yields the paragraphs to score, is sent
#: their probabilities, and returns the file's result; a file that fails before it has paragraphs
#: returns without yielding. Written this way, each file's steps read in order, and ``run`` can score
#: the paragraphs of many files together (the fixed cost of a ``Model`` call then paid once per batch).
FileWork = Generator[list[str], np.ndarray, FileResult]


def clean_one(
    model: Model,
    item: Input,
    keep: frozenset[str],
    split: SplitMode,
    output_dir: Path | None = None,
    in_place: bool = False,
    threshold: float | None = None,
    encoding: str | None = None,
) -> FileWork:
    """Clean one input to stdout bytes, to ``output_dir/relative``, or in place, written back in the
    encoding it was read in (``encoding``: that of inputs without a BOM, default UTF-8)."""
    result = FileResult(item.name)
    try:
        source = _read(item, encoding)
        result.warnings += [source.warning] if source.warning else []
        result.warnings += page_warnings(item.name, source.text)
        spans = split_paragraphs(source.text, split)
        probs = yield [s.text for s in spans]
        text, result.dropped = without_unkept(model, source.text, spans, probs, keep, threshold)
        result.warnings += emptied_warnings(item.name, result.dropped, text)
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


def label_one(model: Model, item: Input, split: SplitMode, encoding: str | None = None) -> FileWork:
    """Label every paragraph of one input."""
    result = FileResult(item.name)
    try:
        source = _read(item, encoding)
        result.warnings += [source.warning] if source.warning else []
        result.warnings += page_warnings(item.name, source.text)
        spans = split_paragraphs(source.text, split)
        result.paragraphs = labelled(model, spans, (yield [s.text for s in spans]))
    except ClassifierError as exc:
        result.error = str(exc)
    return result


def run_files(
    func: Callable[..., FileWork], model: Model, items: Iterable[Input], extra: tuple[Any, ...] = ()
) -> list[FileResult]:
    """The results of ``func(model, item, *extra)`` for ``items``, in order, their paragraphs scored
    together about BATCH_ROWS at a time (and so never more than that many held waiting)."""
    results: list[FileResult] = []
    waiting: list[tuple[int, FileWork, list[str]]] = []
    rows = 0

    def score() -> None:
        scored = model.probabilities_many(paragraphs for _, _, paragraphs in waiting)
        for (i, work, _), probs in zip(waiting, scored, strict=True):
            results[i] = _finished(work, probs)
        waiting.clear()

    for item in items:
        work = func(model, item, *extra)
        try:
            paragraphs = next(work)
        except StopIteration as done:  # failed before it had paragraphs to score
            results.append(done.value)
            continue
        results.append(FileResult(item.name))  # replaced once scored
        waiting.append((len(results) - 1, work, paragraphs))
        rows += len(paragraphs)
        if rows >= BATCH_ROWS:
            score()
            rows = 0
    score()
    return results


def _finished(work: FileWork, probs: np.ndarray) -> FileResult:
    try:
        work.send(probs)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    raise RuntimeError("a file's work asked for scores twice")


def _digest(path: str) -> bytes:
    """A 16-byte stand-in for a resolved path: what a batch keeps per file to spot repeats and clashes,
    a third of the path string's memory (collisions are out of reach at 128 bits)."""
    return hashlib.blake2b(path.encode("utf-8", "surrogateescape"), digest_size=16).digest()


def check_destinations(
    items: Inputs,
    output_dir: Path,
    errors: list[str],
    warn: Callable[[str], None] = lambda _: None,
    suffix: str | None = None,
) -> Iterator[Input]:
    """The inputs whose mirrored path under ``output_dir`` is safe to write, as they come; an error is
    appended to ``errors`` for each other. A file that an earlier argument already gave (named twice,
    or inside a directory also given) is cleaned once: ``warn`` is told, as ``distinct_files`` does.

    An output that is its own input would replace the original without --in-place, and a second input
    mirroring to a name already written would overwrite that output: both are refused, never silently
    done. ``suffix`` replaces the inputs' suffixes in the outputs' names (``--html`` writes ``.txt``). Memory stays flat over a crawl of one directory: the relative names under one argument are
    distinct, so only the destinations a later argument could also claim are remembered (as digests),
    until a destination resolves through a symlink in the output directory; from then on all are, the
    earlier ones found by walking the inputs again. The first claimants of clashes (rare) are found the
    same way, in one walk for all clashes up to the one found.
    """
    base = os.path.realpath(output_dir)
    last = len(items.args) - 1

    def output_of(item: Input) -> str:
        relative = item.relative if suffix is None else str(Path(item.relative).with_suffix(suffix))
        return os.path.join(base, relative)

    def key_of(item: Input) -> bytes:
        return _digest(os.path.realpath(output_of(item)))

    def source_of(item: Input) -> bytes | None:
        return None if item.path is None else _digest(os.path.realpath(item.path))

    claimed: set[bytes] = set()
    firsts: dict[bytes, str] = {}  # built at the first clash only: sibling directories clash on many names
    sources: set[bytes] = set()  # of the arguments before the last: only a later one can repeat them
    remember_all = suffix is not None  # a new suffix can make one argument's names meet (a.htm, a.html)
    for position, (index, item) in enumerate(items.numbered()):
        source = source_of(item) if last else None  # one argument never names a file twice
        if source is not None and source in sources:
            first = next((i.name for i in items if source_of(i) == source), "an earlier input")
            warn(_cleaned_once(item.name, first))
            continue
        if source is not None and index < last:
            sources.add(source)
        plain = output_of(item)
        target = os.path.realpath(plain)
        key = _digest(target)
        if target != plain and not remember_all:  # a symlink can make two distinct names meet
            remember_all = True
            claimed.update(key_of(i) for i in islice(items, position))
        if item.path is not None and os.path.realpath(item.path) == target:
            errors.append(f"{item.name}: output would overwrite the input; use --in-place or another --output-dir")
        elif key in claimed:
            if key not in firsts:  # one walk names the first claimants of every clash up to here
                firsts.update((key_of(i), i.name) for i in islice(items, position) if key_of(i) not in firsts)
            first = firsts.get(key, "an earlier input")
            errors.append(f"{item.name}: output {target} would overwrite the output of {first} ({MIRRORING})")
        else:
            if remember_all or index < last:
                claimed.add(key)
            yield item


#: Why two inputs can claim one output, and the way out.
MIRRORING = (
    "inputs are mirrored relative to the argument that named them: name their common parent directory, "
    "or clean them to separate --output-dir"
)


def _cleaned_once(name: str, first: str, done: str = "cleaned") -> str:
    """The warning for an input that repeats the file of an earlier one, ``first``."""
    return f"{name}: {'listed twice in the inputs' if first == name else f'same file as {first}'}; {done} once"


def distinct_files(items: Iterable[Input], warn: Callable[[str], None], done: str = "cleaned") -> Iterator[Input]:
    """``items`` without later names of a file already listed (a symlink, a file named twice), calling
    ``warn`` for each name left out.

    Cleaning in place twice would clean the already-cleaned text again, and a second pass can drop more.
    """
    first: dict[bytes, str] = {}
    for item in items:
        key = _digest(os.path.realpath(item.path)) if item.path is not None else None
        if key is not None and key in first:
            warn(_cleaned_once(item.name, first[key], done))
            continue
        if key is not None:
            first[key] = item.name
        yield item


def run(
    func: Callable[..., FileWork],
    model: Model,
    items: Iterable[Input],
    extra: tuple[Any, ...] = (),
    jobs: int = 1,
    count: int | None = None,
) -> Iterator[FileResult]:
    """The result of ``func(model, item, *extra)`` for every item, in input order, taking items as they
    come, up to FILES_PER_TASK at a time (``run_files``).

    ``jobs`` > 1 uses worker processes, at most one per core and per item (``count``, when known: more
    only cost start-up). Stdin can only be read in this process, so a batch that includes it must run
    with ``jobs`` 1.
    """
    jobs = min(jobs, os.cpu_count() or 1, jobs if count is None else count)
    # A few tasks per worker at least, so that twenty long files still keep two workers busy.
    per_task = FILES_PER_TASK if count is None or jobs <= 1 else max(1, min(FILES_PER_TASK, count // (4 * jobs)))
    tasks = iter(functools.partial(_take, iter(items), per_task), [])
    if jobs <= 1:
        for task in tasks:
            yield from run_files(func, model, task, extra)
        return
    yield from _in_workers(func, model, tasks, extra, jobs)


#: Files a worker (or the main process) reads, scores together and writes as one task: enough to share
#: the fixed cost of scoring, few enough that Ctrl-C waits for little and one task holds little.
FILES_PER_TASK = 16
#: Tasks handed to the workers ahead of the one whose results are awaited, per worker: enough that a slow
#: file does not idle the others, few enough that a directory of a million names is not all queued.
AHEAD_PER_WORKER = 2


def _take(items: Iterator[Input], n: int) -> list[Input]:
    return list(islice(items, n))


def _in_workers(
    func: Callable[..., FileWork],
    model: Model,
    tasks: Iterator[list[Input]],
    extra: tuple[Any, ...],
    jobs: int,
) -> Iterator[FileResult]:
    """The parallel ``run``. Workers ignore SIGINT, so a Ctrl-C (which the terminal sends to every
    process of the group) or a supervisor's SIGINT to this process stops the batch here: the tasks not
    yet started are cancelled and the ones running are finished, so no output is cut short and no
    temporary file is left behind. Workers start fresh (``spawn``) rather than forked from a process
    that may hold threads."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    source: str | Model = str(model.path) if model.path is not None else model
    with _blas_threads_for_children(max(1, (os.cpu_count() or 1) // jobs)):
        with _stop_signals_held():  # the pool starts its resource tracker (see there)
            pool = ProcessPoolExecutor(
                jobs, mp_context=multiprocessing.get_context("spawn"), initializer=_start_worker, initargs=(source,)
            )
        pending: deque[Future[list[FileResult]]] = deque()
        with _stop_signals_deferred() as act_on_stop:
            try:
                for task in tasks:
                    with _stop_signals_held():  # a submit may start a worker (see there)
                        pending.append(pool.submit(_in_worker, func, task, extra))
                    act_on_stop()
                    if len(pending) >= AHEAD_PER_WORKER * jobs:
                        yield from _results(pending.popleft(), act_on_stop)
                while pending:
                    yield from _results(pending.popleft(), act_on_stop)
            finally:
                _stop_pool(pool, pending)


#: Seconds an idle worker gets to take the pool's stop sentinel before it is told to stop by a signal.
STOP_GRACE = 2.0


def _stop_pool(pool: ProcessPoolExecutor, pending: deque[Future[list[FileResult]]]) -> None:
    """Stop the pool, also when the consumer stopped early (``| head``, Ctrl-C, an error): queued tasks
    are dropped and running ones finish (FILES_PER_TASK files at most, so the wait is short). Then every
    worker is idle, and one still alive after STOP_GRACE, which the pool's stop sentinel did not reach, is
    sent SIGTERM, which an idle worker obeys at once: the interpreter's exit waits for the workers, and
    once waited forever (see ``_stop_signals_deferred``). The pool cancels the queued tasks itself: a
    future cancelled here that the pool still tracks makes its manager thread fail with a traceback when
    a signal has stopped the workers."""
    from concurrent.futures import wait

    workers = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    unfinished = set(pending)
    while unfinished and any(w.is_alive() for w in workers) and (manager is None or manager.is_alive()):
        unfinished = wait(unfinished, timeout=0.1).not_done  # workers stopped by a signal run nothing more
    for worker in workers:
        worker.join(STOP_GRACE)
        if worker.is_alive():
            worker.terminate()
            worker.join()
    pool.shutdown(wait=True)


@contextlib.contextmanager
def _stop_signals_held() -> Iterator[None]:
    """Ctrl-C, SIGTERM and SIGHUP blocked for the block: delivered (and acted on here) when it ends,
    never lost. A process started meanwhile inherits them blocked: a worker, so that a Ctrl-C reaching it
    while it still imports, before its initializer takes over, cannot kill it with a traceback; and
    multiprocessing's resource tracker, which ignores SIGINT and SIGTERM but died of a SIGHUP to the
    group and then filled stderr with its warnings."""
    if not hasattr(signal, "pthread_sigmask"):  # not on Windows
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, set(STOP_SIGNALS))
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


#: Thread-count settings of the BLAS and OpenMP libraries numpy may be built with.
_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


@contextlib.contextmanager
def _blas_threads_for_children(threads: int) -> Iterator[None]:
    """The environment of worker processes started in the block: numpy would start a BLAS thread per core
    in each, and two workers on two cores then run slower than one. Workers start when first needed, so
    the setting holds for the pool's life; values the user set are left alone."""
    added = [name for name in _THREAD_VARIABLES if name not in os.environ]
    for name in added:
        os.environ[name] = str(threads)
    try:
        yield
    finally:
        for name in added:
            os.environ.pop(name, None)


@contextlib.contextmanager
def _stop_signals_deferred() -> Iterator[Callable[[], None]]:
    """Ctrl-C, SIGTERM and SIGHUP only noted while the pool runs; the function yielded acts on one at a
    point where no lock is held, by restoring the handlers and raising the signal again (so the caller's
    own handling runs), and leaving the block does the same. A KeyboardInterrupt raised inside a wait on
    a future could leave that future's lock held: the pool's manager thread then blocked on it forever
    when shutting down, and the process never exited (2 to 4 runs in 8 of a Ctrl-C 1.3 s into
    ``clean DIR -o OUT --jobs 2``). A signal this process ignores (``nohup``) stays ignored."""
    if threading.current_thread() is not threading.main_thread():  # only the main thread gets signals
        yield lambda: None
        return
    heard: list[int] = []
    handlers = {signum: signal.getsignal(signum) for signum in STOP_SIGNALS}
    previous = {signum: handler for signum, handler in handlers.items() if handler != signal.SIG_IGN}

    def restore() -> None:
        for signum, handler in previous.items():
            signal.signal(signum, handler)

    def act_on_stop() -> None:
        if heard:
            restore()
            signal.raise_signal(heard[0])

    for signum in previous:
        signal.signal(signum, lambda signum, _frame: heard.append(signum))
    try:
        yield act_on_stop
    finally:
        restore()
    act_on_stop()


#: Seconds between looks for a noted stop signal while a result is awaited.
SIGNAL_POLL = 0.1


def _results(future: Future[list[FileResult]], act_on_stop: Callable[[], None]) -> list[FileResult]:
    from concurrent.futures import wait
    from concurrent.futures.process import BrokenProcessPool

    while not future.done():
        wait([future], timeout=SIGNAL_POLL)
        act_on_stop()
    try:
        return future.result()
    except BrokenProcessPool:
        raise ClassifierError(
            "a worker process died (killed by the system, perhaps out of memory); the files written so far"
            " are complete; rerun with --jobs 1 to go on in one process"
        ) from None


_worker_source: str | Model | None = None


def _start_worker(source: str | Model) -> None:
    """A worker leaves stopping to the parent (see ``_in_workers``): it ignores Ctrl-C, which the parent
    turns into an orderly stop. A SIGTERM or SIGHUP (sent to the whole process group, or by the pool
    ending a broken run) ends it at once when idle, and after the files of its task when busy, so no
    file is left half-written. If the parent dies without a word (SIGKILL, the OOM killer), the worker
    ends itself rather than wait forever on a queue nobody feeds, after its task's files too."""
    global _worker_source
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for signum in STOP_SIGNALS[1:]:
        signal.signal(signum, _stop_worker)
    if hasattr(signal, "pthread_sigmask"):  # started with them blocked (``_stop_signals_held``)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, set(STOP_SIGNALS[1:]))
    _worker_source = source
    import multiprocessing

    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent.sentinel,), daemon=True).start()


#: "stop": the exit status a busy worker ends with once its task's files are written (0: go on).
_worker_state = {"busy": False, "stop": 0}


def _stop_worker(signum: int, _frame: object) -> None:
    _stop_after_task(128 + signum)


def _exit_with(sentinel: int) -> None:
    from multiprocessing.connection import wait

    wait([sentinel])
    _stop_after_task(1)  # a SIGKILLed parent: ended mid-write, a worker left a temporary file behind


def _stop_after_task(status: int) -> None:
    """Exit now when idle, else once the task's files are whole (``_in_worker`` checks the flag). The
    flag is set before ``busy`` is read, and ``_in_worker`` clears ``busy`` before reading the flag: a
    task that ends in between is seen by one side or the other."""
    _worker_state["stop"] = status
    if not _worker_state["busy"]:
        os._exit(status)


@functools.lru_cache(maxsize=1)
def _worker_model() -> Model:
    """The worker's model, loaded on its first file: a model sent by path is read once per worker from
    its directory (cheaper than pickling its arrays, and a failure is reported with the file)."""
    if isinstance(_worker_source, Model):
        return _worker_source
    from .artifact import load

    return load(_worker_source)


def _in_worker(func: Callable[..., FileWork], task: list[Input], extra: tuple[Any, ...]) -> list[FileResult]:
    _worker_state["busy"] = True
    try:
        return run_files(func, _worker_model(), task, extra)
    finally:
        _worker_state["busy"] = False
        if _worker_state["stop"]:  # told to stop while writing: the files are whole now
            os._exit(_worker_state["stop"])
