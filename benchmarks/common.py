"""Shared by ``accuracy.py`` and ``speed.py``: the two baselines, machine facts, Markdown output.

The baselines are the tools a user would otherwise reach for, applied to the same paragraphs as our model:

* jusText: every paragraph becomes one ``<p>`` of a minimal HTML page, classified with jusText's default
  settings and the union of all its stoplists (we do not know each page's language); a paragraph is kept
  when jusText's final class is ``good``.
* the C4 line rules, exactly as datatrove's ``C4QualityFilter`` applies them to each line: terminal
  punctuation, at least 3 words, no "javascript", no policy phrases (and no word over 1000 characters).
  The page-level rules (fewer than 5 sentences, "lorem ipsum", curly brackets) drop whole pages, not
  lines, and are switched off: the question here is which paragraphs of an article survive.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import platform
import re
import sys
from html import escape
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT_DIR = REPO / "benchmarks" / "out"

_P_INDEX = re.compile(r"/p\[(\d+)\]$")


class Justext:
    """jusText with the union of all its stoplists, one ``<p>`` per paragraph."""

    def __init__(self) -> None:
        import justext

        self._justext = justext.justext
        self.unreturned = 0  # paragraphs jusText did not return (blank ones): counted as dropped
        self.stoplist = frozenset().union(*(justext.get_stoplist(name) for name in justext.get_stoplists()))

    @staticmethod
    def html(paragraphs: list[str]) -> str:
        """The HTML page jusText is given: each paragraph escaped and wrapped in ``<p>``."""
        body = "".join(f"<p>{escape(p, quote=False)}</p>" for p in paragraphs)
        return f"<html><body>{body}</body></html>"

    def keep_html(self, html: str, n: int) -> list[bool]:
        """Keep (True) / drop per paragraph; a paragraph jusText does not return (blank) counts as dropped."""
        keep = [False] * n
        returned = 0
        for para in self._justext(html, self.stoplist):
            m = _P_INDEX.search(para.xpath)
            if m and 0 < int(m.group(1)) <= n:
                keep[int(m.group(1)) - 1] = not para.is_boilerplate
                returned += 1
        self.unreturned += n - returned
        return keep

    def keep(self, paragraphs: list[str]) -> list[bool]:
        return self.keep_html(self.html(paragraphs), len(paragraphs))


class C4Lines:
    """datatrove's ``C4QualityFilter`` with only its per-line rules switched on."""

    def __init__(self) -> None:
        from datatrove.data import Document
        from datatrove.pipeline.filters.c4_filters import C4QualityFilter

        self._document = Document
        self.filter = C4QualityFilter(
            split_paragraph=True,  # one line at a time, as in C4
            min_num_sentences=-1,  # page-level: off
            filter_lorem_ipsum=False,  # page-level: off
            filter_curly_bracket=False,  # page-level: off
        )

    def clean_text(self, text: str) -> str:
        """The text with the lines the rules drop removed (what the filter does to a page)."""
        doc = self._document(text=text, id="0")
        self.filter.filter(doc)
        return doc.text

    def keep(self, paragraphs: list[str]) -> list[bool]:
        """Keep (True) / drop per paragraph: the filter run on each paragraph as its own page."""
        out = []
        for i, text in enumerate(paragraphs):
            doc = self._document(text=text, id=str(i))
            result = self.filter.filter(doc)
            out.append(result is True and bool(doc.text.strip()))
        return out


def version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def memory_gib() -> float:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        return float("nan")


def machine() -> dict[str, str]:
    """Date, machine and software versions, for the header of every results table."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    env = {k: v for k, v in os.environ.items() if k.startswith("OPENBLAS_")}
    return {
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu_model(),
        "cores": str(cores),
        "memory": f"{memory_gib():.0f} GiB",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "packages": ", ".join(
            f"{name} {version(dist)}"
            for name, dist in (
                ("classifier", "paragraph-classifier"),
                ("numpy", "numpy"),
                ("jusText", "justext"),
                ("lxml", "lxml"),
                ("datatrove", "datatrove"),
                ("scikit-learn", "scikit-learn"),
            )
        ),
        "environment": ", ".join(f"{k}={v}" for k, v in sorted(env.items())) or "-",
        "load": load_average(),
    }


def load_average() -> str:
    """1-minute load average: other work on the machine slows every tool here alike, but it adds noise."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except (OSError, AttributeError):
        return "?"


def machine_markdown(info: dict[str, str], command: str) -> str:
    return "\n".join(
        [
            f"- Date: {info['date']}",
            f"- Machine: {info['cores']} cores, {info['cpu']}, {info['memory']} RAM, {info['os']}",
            f"- Software: Python {info['python']}; {info['packages']}",
            f"- Environment: {info['environment']}; 1-minute load average at start {info['load']}"
            + (f", at end {info['load_end']}" if info.get("load_end") else ""),
            f"- Command: `{command}`",
        ]
    )


def command_line() -> str:
    """How this script was invoked, relative to the repository root when possible."""
    script = Path(sys.argv[0]).resolve()
    try:
        shown = script.relative_to(REPO).as_posix()
    except ValueError:
        shown = str(script)
    args = []
    for arg in sys.argv[1:]:
        path = Path(arg)
        if path.exists():
            with contextlib.suppress(ValueError):
                arg = os.path.relpath(path.resolve(), REPO)
        args.append(arg)
    return " ".join(["python", shown, *args])


def table(headers: list[str], rows: list[list[str]], right: set[int] | None = None) -> str:
    """A Markdown table; columns in ``right`` are right-aligned (default: all but the first)."""
    right = set(range(1, len(headers))) if right is None else right
    lines = ["| " + " | ".join(headers) + " |"]
    lines.append("|" + "|".join("---:" if i in right else "---" for i in range(len(headers))) + "|")
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def update_section(path: Path, name: str, content: str) -> None:
    """Replace the text between ``<!-- NAME:begin -->`` and ``<!-- NAME:end -->`` in ``path``."""
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    text = path.read_text(encoding="utf-8")
    if begin not in text or end not in text:
        raise SystemExit(f"{path}: no {begin} ... {end} markers to update")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    path.write_text(f"{head}{begin}\n{content.strip()}\n{end}{tail}", encoding="utf-8")


def pct(x: float) -> str:
    return f"{x:.2%}"


def f3(x: float) -> str:
    return f"{x:.3f}"
