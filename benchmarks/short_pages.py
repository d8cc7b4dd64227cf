"""Short pages: how often the model drops the only article paragraph of a page of two or three lines.

    python benchmarks/short_pages.py [--model DIR]

Users pass short inputs too (a feed's snippet, a paywalled page's lead under a sign-up line). Each page
here is one widget line followed by one article sentence, and the same under a headline: 12 widget lines
(newsletter, follow, donate, log-in, "Read more:", a related headline, a photo credit, in English, German,
French and Spanish) times 5 article sentences. The pages were written for this check; nothing asserts.
"""

from __future__ import annotations

import argparse
import itertools

import classifier

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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=None, help="model directory (default: the shipped model)")
    model = classifier.load(ap.parse_args().model)
    pages = list(itertools.product(WIDGETS, SENTENCES))
    alone = sum(sentence not in model.clean(f"{widget}\n{sentence}\n") for widget, sentence in pages)
    headed = sum(
        sentence not in model.clean(f"Headline of the day\n{widget}\n{sentence}\n") for widget, sentence in pages
    )
    print(f"widget line + article sentence: the sentence dropped in {alone} of {len(pages)} pages")
    print(f"headline + widget line + article sentence: the sentence dropped in {headed} of {len(pages)} pages")


if __name__ == "__main__":
    main()
