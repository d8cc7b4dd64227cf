"""Short pages: what the model keeps of pages of one to six paragraphs.

    python benchmarks/short_pages.py [--model DIR] [--data FILE]

Users pass short inputs too: a feed item's headline and lead, a paywalled page of which the extractor got
the headline, a paragraph and the paywall notice, a login or cookie wall with no article at all. Two checks:

* a grid: one widget line followed by one article sentence, alone and under a headline, 12 widget lines
  (newsletter, follow, donate, log-in, "Read more:", a related headline, a photo credit, in English,
  German, French and Spanish) times 5 sentences. Under a link heading ("Read more:") a lone sentence may
  as well be another story's teaser, so those pages are counted apart.
* ``benchmarks/data/short-pages.jsonl``: 320 labeled pages of 1-6 paragraphs in 27 languages (feed items,
  paywalls, briefs, live updates, deal posts, press releases, obituaries, podcast episodes, pages of
  nothing but junk), written for this benchmark by four writers who saw neither the training corpus nor
  the measurement pages. Scored as ``classifier evaluate`` scores, overall and by the kind of page.

Nothing asserts; the numbers for the shipped model are in BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

import classifier
from classifier.data import Document, load_documents
from classifier.metrics import score

DATA = Path(__file__).resolve().parent / "data" / "short-pages.jsonl"
LINK_HEADINGS = ("Read more:", "Lesen Sie auch:", "Leer más:")
WIDGETS = (
    "Sign up for our morning newsletter",
    "Subscribe to our newsletter",
    "Follow us on Twitter",
    "Read more:",
    "Support independent journalism: donate today",
    "Already a subscriber? Log in",
    "Related: Council budget vote delayed",
    "Photo: Jane Doe / Staff",
    "Abonnieren Sie unseren Newsletter",
    "Lesen Sie auch:",
    "Suivez-nous sur Facebook",
    "Leer más:",
)
SENTENCES = (
    "Gales forced the harbour authority to shut three ports on Tuesday, stranding lorries at the terminals.",
    "The council approved a budget of 4.2 million euros for the new bridge, with work due to start in spring.",
    "Police said the two men were arrested near the station late on Friday after a brief chase through the market.",
    "Der Stadtrat hat am Dienstag beschlossen, die alte Schwimmhalle bis zum Sommer zu sanieren.",
    "Le maire a annoncé mardi la réouverture de la piscine municipale après deux ans de travaux.",
)


def grid(model: classifier.Model) -> list[str]:
    """The widget × sentence pages: how often the sentence is dropped."""
    lines = []
    for headline in ("", "Headline of the day\n"):
        lost = {True: 0, False: 0}  # under a link heading or not
        for widget, sentence in itertools.product(WIDGETS, SENTENCES):
            lost[widget in LINK_HEADINGS] += sentence not in model.clean(f"{headline}{widget}\n{sentence}\n")
        shape = "headline + widget line + sentence" if headline else "widget line + sentence"
        others = len(WIDGETS) - len(LINK_HEADINGS)
        lines.append(
            f"| {shape} | {lost[False]} of {others * len(SENTENCES)} | "
            f"{lost[True]} of {len(LINK_HEADINGS) * len(SENTENCES)} |"
        )
    return [
        "| page | sentence dropped (9 widgets) | sentence dropped (under a link heading) |",
        "|---|---:|---:|",
        *lines,
    ]


def _kind(doc: Document) -> str:
    article = {label == "reporting" for label in doc.labels}
    return {frozenset({False}): "no article", frozenset({True}): "no junk"}.get(frozenset(article), "mixed")


def labeled(model: classifier.Model, path: Path) -> list[str]:
    """The labeled pages scored overall and by kind: all junk, all article, or both."""
    docs = load_documents([path])
    groups: dict[str, list[Document]] = {"all pages": docs}
    for doc in docs:
        groups.setdefault(_kind(doc), []).append(doc)
    rows = []
    for name in ("all pages", "mixed", "no junk", "no article"):
        group = groups.get(name, [])
        if not group:
            continue
        true = [label for d in group for label in d.labels]
        pred = [p.label for preds in model.classify_many(d.texts for d in group) for p in preds]
        texts = [t for d in group for t in d.texts]
        report = score(true, pred, texts, list(model.labels), list(model.default_keep))
        cleaning = report["cleaning"]
        kept, dropped = cleaning["reporting_chars_kept"], cleaning["other_chars_dropped"]
        f1 = f"{report['macro_f1']:.3f}" if name != "no article" else "–"
        rows.append(
            f"| {name} | {len(group)} | {len(true)} | {f1} | "
            f"{'–' if kept is None else f'{100 * kept:.2f}%'} | {'–' if dropped is None else f'{100 * dropped:.2f}%'} |"
        )
    return [
        f"| pages ({path.name}) | pages | paragraphs | macro F1 | article kept | junk dropped |",
        "|---|---:|---:|---:|---:|---:|",
        *rows,
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=None, help="model directory (default: the shipped model)")
    ap.add_argument("--data", type=Path, default=DATA, help="labeled short pages (default: %(default)s)")
    args = ap.parse_args()
    model = classifier.load(args.model)
    print("\n".join([*grid(model), "", *labeled(model, args.data)]))


if __name__ == "__main__":
    main()
