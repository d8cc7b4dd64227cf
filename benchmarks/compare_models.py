"""Scoring time of two or more models on the same pages, measured side by side.

    python benchmarks/compare_models.py ../shared/realdev/scrapinghub-news.jsonl models/default OTHER_MODEL

Rates on this shared machine move with its load; ratios measured side by side much less, if the turns
are short. So the models take turns page by page (one ``probabilities`` call each, the order rotating
from page to page, so neither always goes first), and each round sums every model's calls; a model's
median round is compared with the first model's. A model compared with itself reads within a few
percent of 1.00×.
"""

from __future__ import annotations

import argparse
import statistics
import time

import classifier
from classifier.data import load_documents


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", help="labeled JSONL file or directory (only the paragraph texts are used)")
    ap.add_argument("models", nargs="+", help="model directories; the first is the reference")
    ap.add_argument("--rounds", type=int, default=7, help="interleaved rounds (default 7)")
    a = ap.parse_args()
    pages = [list(doc.texts) for doc in load_documents([a.data])]
    models = [classifier.load(path) for path in a.models]
    for model in models:  # warm-up: first-call costs are not scoring
        model.probabilities(pages[0])
    rounds: list[list[float]] = [[] for _ in models]
    for _ in range(a.rounds):
        spent = [0.0] * len(models)
        for p, page in enumerate(pages):
            for k in range(len(models)):
                i = (p + k) % len(models)
                start = time.perf_counter()
                models[i].probabilities(page)
                spent[i] += time.perf_counter() - start
        for i, seconds in enumerate(spent):
            rounds[i].append(seconds)
    n = sum(map(len, pages))
    reference = statistics.median(rounds[0])
    print(f"{len(pages)} pages, {n} paragraphs, {a.rounds} rounds, one call per page and model, interleaved")
    for path, times in zip(a.models, rounds, strict=True):
        median = statistics.median(times)
        print(f"{path}: median {median:.3f} s, {n / median:,.0f} paragraphs/s, {median / reference:.2f}× the first")


if __name__ == "__main__":
    main()
