"""Corpus statistics for the data card: counts per label × language × page kind, and the minimums."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from .data import Document
from .labels import DEFAULT_LABELS
from .metrics import NO_GROUP

START_MARK = "<!-- data-stats:start -->"
END_MARK = "<!-- data-stats:end -->"

#: Topics of the appeals and links the model removes. A reporting paragraph on one of them is a hard
#: negative: the words of junk, the purpose of article text. Word stems in the corpus's main languages;
#: the count is an estimate (a keyword match), reported as such.
HARD_NEGATIVE_TOPICS = re.compile(
    r"donat|donor|spend|spende|fundrais|crowdfund|charit|subscri|abonn|abbona|assinat|suscri|newsletter|paywall"
    r"|bezahlschrank|member|mitglied|adhérent|socio|patreon|steady|follower|instagram|facebook|tiktok|youtube"
    r"|twitter|telegram|copyright|urheberrecht|droit d.auteur|diritto d.autore|derechos de autor|direitos autorais"
    r"|cookie|app\b|podcast|subskryp|prenumer|darowizn|zbiórk|подпис|пожертв|донат|благодійн|благотвор"
    r"|авторськ|авторск|abone|bağış|lidmaatschap|donatie|abonnement",
    re.IGNORECASE,
)
REQUIRED_LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "pl", "nl", "uk", "ru")
#: A reporting paragraph of at most this many words counts as a short reporting line.
SHORT_WORDS = 8

#: The corpus issue's minimums: (description, function of the stats dict -> measured value, required).
MINIMUMS: tuple[tuple[str, str, int], ...] = (
    ("documents", "documents", 600),
    ("paragraphs", "paragraphs", 10_000),
    ("languages with >= 30 documents", "languages_30", 10),
    ("English documents", "language:en", 100),
    ("German documents", "language:de", 100),
    ("required languages (en de fr es it pt pl nl uk ru) with every label", "labels_everywhere", 10),
    ("support-appeal paragraphs", "label:support-appeal", 800),
    ("support-appeal distinct wordings", "distinct:support-appeal", 500),
    ("related-links paragraphs", "label:related-links", 800),
    ("other paragraphs", "label:other", 800),
    ("hard-negative reporting paragraphs (keyword estimate)", "hard_negatives", 500),
    ("documents without boilerplate (% of all)", "clean_percent", 20),
)


def corpus_stats(docs: Sequence[Document], minimums: bool | None = None) -> dict[str, Any]:
    """Counts a data card needs, as plain data."""
    labels: Counter[str] = Counter()
    by_lang: dict[str, Counter[str]] = {}
    docs_by_lang: Counter[str] = Counter()
    docs_by_kind: Counter[str] = Counter()
    kind_labels: dict[str, Counter[str]] = {}
    distinct: dict[str, set[str]] = {}
    clean_docs = hard_negatives = short_reporting = 0
    for d in docs:
        lang, kind = d.lang or NO_GROUP, (d.source or NO_GROUP).split("/")[0]
        docs_by_lang[lang] += 1
        docs_by_kind[kind] += 1
        clean_docs += all(x == "reporting" for x in d.labels)
        for text, label in zip(d.texts, d.labels, strict=False):
            labels[label] += 1
            by_lang.setdefault(lang, Counter())[label] += 1
            kind_labels.setdefault(kind, Counter())[label] += 1
            distinct.setdefault(label, set()).add(" ".join(text.lower().split()))
            if label == "reporting":
                hard_negatives += bool(HARD_NEGATIVE_TOPICS.search(text))
                short_reporting += len(text.split()) <= SHORT_WORDS
    stats: dict[str, Any] = {
        "documents": len(docs),
        "paragraphs": sum(labels.values()),
        "labels": dict(labels.most_common()),
        "distinct": {k: len(v) for k, v in sorted(distinct.items())},
        "documents_without_boilerplate": clean_docs,
        "languages": dict(docs_by_lang.most_common()),
        "label_by_language": {k: dict(by_lang[k]) for k, _ in docs_by_lang.most_common()},
        "kinds": dict(docs_by_kind.most_common()),
        "label_by_kind": {k: dict(kind_labels[k]) for k, _ in docs_by_kind.most_common()},
    }
    # The minimums are the project corpus's; other data (``minimums`` False), or data with labels of its
    # own when the caller cannot tell (None), is not held to them, and gets none of the counts they read:
    # "0 hard negatives" of a body/nav/ad data set only misleads.
    held = set(labels) <= set(DEFAULT_LABELS) if minimums is None else minimums
    if not held:
        if "reporting" not in labels:  # "without boilerplate" means all `reporting`
            del stats["documents_without_boilerplate"]
        return {**stats, "minimums": []}
    stats.update(
        hard_negatives=hard_negatives,
        short_reporting=short_reporting,
        languages_30=sum(n >= 30 for n in docs_by_lang.values()),
        clean_percent=round(100 * clean_docs / max(len(docs), 1)),
        labels_everywhere=sum(len(by_lang.get(lang, {})) >= len(labels) for lang in REQUIRED_LANGUAGES),
    )
    stats["minimums"] = [
        {"what": what, "value": _lookup(stats, key), "required": need, "met": _lookup(stats, key) >= need}
        for what, key, need in MINIMUMS
    ]
    return stats


def _lookup(stats: dict[str, Any], key: str) -> int:
    kind, _, name = key.partition(":")
    if name:
        table = {"label": "labels", "language": "languages"}.get(kind, kind)
        return int(stats[table].get(name, 0))
    return int(stats[key])


def stats_markdown(stats: dict[str, Any]) -> str:
    """The statistics as the Markdown tables of the data card."""
    labels = list(stats["labels"])
    clean = stats.get("documents_without_boilerplate")
    lines = [
        f"- Documents: **{stats['documents']}**; paragraphs: **{stats['paragraphs']}**"
        + (
            f"; documents without boilerplate: **{clean}** ({clean / max(stats['documents'], 1):.0%})"
            if clean is not None
            else ""
        ),
        "- Paragraphs per label (distinct wordings): "
        + ", ".join(f"{k} {n} ({stats['distinct'][k]})" for k, n in stats["labels"].items()),
    ]
    if stats["minimums"]:
        lines += [
            f"- Short reporting lines (<= {SHORT_WORDS} words): {stats['short_reporting']}; hard-negative "
            f"reporting paragraphs (on donation, subscription, social-media, copyright… topics; keyword "
            f"estimate): {stats['hard_negatives']}",
            "",
            "| minimum | value | required | met |",
            "|---|---:|---:|---|",
            *(
                f"| {m['what']} | {m['value']} | {m['required']} | {'yes' if m['met'] else 'NO'} |"
                for m in stats["minimums"]
            ),
        ]
    lines += [
        "",
        "| language | documents | " + " | ".join(labels) + " |",
        "|---|---:|" + "---:|" * len(labels),
    ]
    for lang, counts in stats["label_by_language"].items():
        lines.append(
            f"| {lang} | {stats['languages'][lang]} | " + " | ".join(str(counts.get(x, 0)) for x in labels) + " |"
        )
    lines += ["", "| page kind | documents | " + " | ".join(labels) + " |", "|---|---:|" + "---:|" * len(labels)]
    for kind, counts in stats["label_by_kind"].items():
        lines.append(f"| {kind} | {stats['kinds'][kind]} | " + " | ".join(str(counts.get(x, 0)) for x in labels) + " |")
    return "\n".join(lines)


def update_card(card: str, stats: dict[str, Any]) -> str:
    """``card`` with the text between the data-stats markers replaced by fresh tables."""
    table = stats_markdown(stats)
    if START_MARK in card and END_MARK in card:
        head, rest = card.split(START_MARK, 1)
        _, tail = rest.split(END_MARK, 1)
        return f"{head}{START_MARK}\n{table}\n{END_MARK}{tail}"
    return f"{card.rstrip()}\n\n{START_MARK}\n{table}\n{END_MARK}\n"
