"""What ``clean`` keeps and drops when labeled pages arrive as text files in the layouts extractors and
spiders write, against the paragraphs as given (what ``classifier evaluate`` scores).

    python benchmarks/layouts.py ../shared/realdev/scrapinghub-news.jsonl [--model DIR]

Each page is written out as one text and cleaned by ``Model.clean`` (split, classify, cut), as
``classifier clean`` does:

- given: the paragraphs as labeled, no splitting (the ``evaluate`` view);
- lines: one paragraph per line (trafilatura);
- blocks: paragraphs separated by blank lines (newspaper);
- wrapped: blocks hard-wrapped at 72 columns, blank lines between them;
- folded: every paragraph hard-wrapped at 72 (and 60) columns with no blank lines at all (``fold -s``).

For each: the share of ``reporting`` characters kept, of the other labels' characters dropped, and how
many ``reporting`` paragraphs came out cut (some of their characters kept, some dropped): splitting
errors show up there, and as lost shares against ``given``.
"""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Callable

import classifier
from classifier.data import Document, load_documents
from classifier.segment import split_paragraphs

LAYOUTS: dict[str, tuple[Callable[[str], str], str]] = {
    "lines": (lambda t: t, "\n"),
    "blocks": (lambda t: t, "\n\n"),
    "wrapped": (lambda t: textwrap.fill(t, 72), "\n\n"),
    "folded": (lambda t: textwrap.fill(t, 72), "\n"),
    "folded@60": (lambda t: textwrap.fill(t, 60), "\n"),
}


def _given(model: classifier.Model, doc: Document) -> list[float]:
    """Per paragraph, the share of its characters kept (0 or 1): the paragraphs as labeled."""
    return [1.0 if p.label == "reporting" else 0.0 for p in model.classify(doc.texts)]


def _through_text(model: classifier.Model, doc: Document, shape: Callable[[str], str], sep: str) -> list[float]:
    """Per paragraph, the share of its characters that ``clean`` keeps once the page is one text."""
    pieces = [shape(t) for t in doc.texts]
    text = sep.join(pieces)
    bounds, pos = [], 0
    for piece in pieces:
        bounds.append((pos, pos + len(piece)))
        pos += len(piece) + len(sep)
    spans = split_paragraphs(text)
    keep = [p.label == "reporting" for p in model.classify([s.text for s in spans])]
    shares = []
    for start, end in bounds:
        inside = [(s, k) for s, k in zip(spans, keep, strict=True) if s.start < end and s.end > start]
        total = sum(len(s.text) for s, _ in inside)
        shares.append(sum(len(s.text) for s, k in inside if k) / total if total else 1.0)
    return shares


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", nargs="+")
    parser.add_argument("--model", default=None)
    args = parser.parse_args()
    model = classifier.load(args.model)
    docs = [d for d in load_documents(args.data) if all(t.strip() and "\n" not in t for t in d.texts)]
    views: dict[str, Callable[[Document], list[float]]] = {"given": lambda d: _given(model, d)}
    for name, (shape, sep) in LAYOUTS.items():
        views[name] = lambda d, shape=shape, sep=sep: _through_text(model, d, shape, sep)
    print(f"{len(docs)} pages (pages with multi-line or blank paragraphs left out)")
    print(f"{'layout':10s} {'kept':>8s} {'dropped':>8s}  reporting paragraphs cut")
    for name, view in views.items():
        kept = rep = dropped = junk = cut = n_rep = 0.0
        for doc in docs:
            for text, label, share in zip(doc.texts, doc.labels, view(doc), strict=True):
                if label == "reporting":
                    rep += len(text)
                    kept += share * len(text)
                    n_rep += 1
                    cut += 0.0 < share < 1.0
                else:
                    junk += len(text)
                    dropped += (1.0 - share) * len(text)
        print(f"{name:10s} {kept / rep:8.2%} {dropped / junk:8.2%}  {int(cut)} of {int(n_rep)}")


if __name__ == "__main__":
    main()
