"""The model card (``README.md`` of a model directory), written from the config and the metrics.

Generated, never edited by hand, so its numbers are always the ones the training run measured.
"""

from __future__ import annotations

from typing import Any

from .labels import DEFAULT_LABELS, default_keep
from .metrics import few_documents_note, few_pages_note, percent


def _table(report: dict[str, Any]) -> list[str]:
    lines = ["| label | precision | recall | F1 | support |", "|---|---:|---:|---:|---:|"]
    for label in report["labels"]:
        c = report["per_class"][label]
        lines.append(f"| {label} | {c['precision']:.3f} | {c['recall']:.3f} | {c['f1']:.3f} | {c['support']} |")
    c = report["cleaning"]
    lines += [f"| **macro F1** | | | **{report['macro_f1']:.3f}** | {report['paragraphs']} |", ""]
    if not c["keep_labels"]:
        return [*lines, "Cleaning view: n/a (no labels to keep)."]
    kept = ",".join(c["keep_labels"])
    lines.append(
        f"Cleaning view (keep `{kept}`): `{kept}` characters kept **{percent(c['reporting_chars_kept'])}**, "
        f"characters of the labels not kept dropped **{percent(c['other_chars_dropped'])}**, "
        f"kept-text precision {percent(c['kept_text_precision'])}."
    )
    return lines


def model_card(config: dict[str, Any], metrics: dict[str, Any]) -> str:
    """Markdown model card for a model with ``config`` and ``metrics`` (as ``train`` writes them)."""
    t = config.get("training", {})
    v = config.get("versions", {})
    # The shipped label set's card may speak of the news junk it was made for; a custom label set's may not.
    ours = tuple(config["labels"]) == tuple(DEFAULT_LABELS)
    lines = [
        "# Paragraph boilerplate classifier — model card",
        "",
        "Labels each paragraph of text extracted from a web page as "
        + ", ".join(f"`{x}`" for x in config["labels"])
        + ". "
        + _keep_sentence(config),
        "",
        "## Intended use",
        (
            "Removing navigation, related-link lists, donation/subscription/newsletter prompts, bylines and legal "
            "lines from article text that an extractor (trafilatura, newspaper, readability, a custom spider) "
            "already pulled from a page."
            if ours
            else "Labeling the paragraphs of extracted text with the labels of its training data, and keeping "
            "the kept labels' paragraphs when cleaning."
        )
        + " Input: one document's paragraphs in page order. Not meant for raw HTML, "
        "for ranking documents by quality, or for deciding whether a page is an article at all.",
        "",
        "## How it was made",
        f"- Command: `{t['command']}`" if t.get("command") else "- Command: none recorded (trained from Python)",
        f"- Data: {t.get('documents')} documents, {t.get('paragraphs')} paragraphs; SHA-256 `{t.get('data_sha256', '')}`",
        f"- {seeds_line(t)}, {t.get('folds')}-fold document-grouped cross-validation; "
        f"trained in {metrics.get('train_seconds', '?')} s",
        *_weights_line(t.get("label_weights") or {}),
        f"- Versions: classifier {v.get('classifier')}, numpy {v.get('numpy')}, scikit-learn {v.get('scikit-learn')}, "
        f"Python {v.get('python')}",
        f"- Features: hashed character {config['features']['ngram_range'][0]}–{config['features']['ngram_range'][1]}-grams "
        f"(2^{config['features']['hash_bits']} buckets), each paragraph's first words and last word, and "
        f"{len(config['features']['dense'])} layout features; "
        "a second stage reads neighbours' first-stage probabilities, the paragraph's position and how "
        "much of its vocabulary the rest of the page shares" + _third_stage(config),
    ]
    summary = t.get("data_summary")
    if summary:
        lines += ["", "### Training data", "", "| label | paragraphs |", "|---|---:|"]
        lines += [f"| {k} | {n} |" for k, n in summary.get("labels", {}).items()]
        langs = summary.get("languages", {})
        if langs:
            lines += ["", "Languages (documents): " + ", ".join(f"{k} {n}" for k, n in langs.items())]
    cv = metrics.get("cross_validation")
    if cv:
        lines += ["", "## Cross-validation (training data, grouped by document)", "", *_table(cv)]
        few = few_pages_note(cv)
        lines += ["", f"({few}.)"] if few else []
        if t.get("runs", 1) > 1:
            lines += ["", f"Scored on the mean of the {t['runs']} runs' out-of-fold probabilities."]
        if (t.get("stage3") or {}).get("kind") == "network":
            lines += ["", "Each fold's third stage is one network, not an ensemble: a slightly low estimate."]
        for field, title in (("lang", "language"), ("kind", "page kind")):
            if cv.get(f"by_{field}"):
                groups = cv[f"by_{field}"]
                lines += ["", f"### Cross-validation by {title}", "", *_group_table(title, groups)]
                note = few_documents_note(groups)
                lines += ["", f"({note}.)"] if note else []
    for name, report in metrics.get("evaluations", {}).items():
        shared = report.get("documents_trained_on", 0)
        title = f"Evaluation on training data: `{name}`" if shared else f"Held-out evaluation: `{name}`"
        lines += ["", f"## {title}", "", f"Command: `{report.get('command', '')}`", ""]
        if shared:
            lines += [f"{shared} of its {report.get('documents', '?')} documents were also trained on.", ""]
        lines += _table(report)
    project = t.get("project_corpus", ours)  # cards written before the key existed: the shipped model's
    lines += [
        "",
        "## Known limits",
        (
            "- The training corpus is written for this project (synthetic pages imitating extractor output); real "
            "sites have widgets it has never seen, and scores on real pages are lower than cross-validation."
            if project
            else "- Cross-validation scores text like the training data; expect lower scores on text unlike it."
        ),
        "- Languages with few or no training documents"
        + (" (see the data card)" if project else "")
        + " fall back on layout features and context; expect more errors there.",
        "- Short lines are the hard cases: an ALL-CAPS subheading, a product name in a list or a one-line "
        "quote can look like page furniture.",
        *(
            [
                "- Every training page has an article, so the model looks for one on every page: of a page that is "
                "nothing but a cookie notice, a login wall or a newsletter box it keeps about a third "
                "(`python benchmarks/short_pages.py`)."
            ]
            if project
            else []
        ),
        "",
    ]
    return "\n".join(lines)


def _group_table(title: str, groups: dict[str, dict[str, Any]]) -> list[str]:
    """Markdown rows of ``metrics.score_groups``: small groups score noisily, so documents come first."""
    lines = [f"| {title} | documents | paragraphs | macro F1 | kept | dropped |", "|---|---:|---:|---:|---:|---:|"]
    for group, row in groups.items():
        lines.append(
            f"| {group} | {row['documents']} | {row['paragraphs']} | {row['macro_f1']:.3f} | "
            f"{percent(row['reporting_chars_kept'])} | {percent(row['other_chars_dropped'])} |"
        )
    return lines


def _third_stage(config: dict[str, Any]) -> str:
    """How the card's feature line ends: what the third stage is, if the model has one."""
    t = config.get("training", {})
    stage3 = t.get("stage3") or {}
    if stage3.get("kind") == "network":
        runs = t.get("runs", 1)
        each = f", {stage3['members']} from each run" if runs > 1 else ""
        return (
            f"; a third, the average of {stage3['members'] * runs} small neural networks ({stage3['hidden_units']} "
            f"hidden units each{each}), reads the same context of the second stage's probabilities."
        )
    if t.get("stages", 2) >= 3:
        return "; a third reads the same context of the second stage's probabilities."
    return "."


def seeds_line(training: dict[str, Any]) -> str:
    """The card's (and ``info``'s) seed line: one seed, or the seeds of the runs averaged into the model."""
    seed, runs = training.get("seed"), training.get("runs", 1)
    if runs == 1 or not isinstance(seed, int):
        return f"Seed {seed}"
    seeds = ", ".join(str((seed + run) % 2**32) for run in range(runs))  # past the largest seed, 0 follows
    pooled = ", the networks pooled" if (training.get("stage3") or {}).get("kind") == "network" else ""
    return f"Seeds {seeds}: {runs} training runs averaged into one model (the linear stages' coefficients averaged{pooled})"


def _weights_line(weights: dict[str, float]) -> list[str]:
    """The card line for ``train --weight``, or nothing when every label weighed 1."""
    given = ", ".join(f"{label} ×{w:g}" for label, w in weights.items() if w != 1.0)
    if not given:
        return []
    return [
        f"- Label weights in the context stages (2 and 3): {given} (each paragraph of the label counts that many "
        "times there: a prior correction when the training pages hold a label more or less often than real ones)"
    ]


def _keep_sentence(config: dict[str, Any]) -> str:
    keep = default_keep(config["labels"], config.get("keep"))
    if not keep:
        return "It records no default labels to keep: name them when cleaning (`--keep`, `keep=`)."
    return "Cleaning keeps " + ", ".join(f"`{x}`" for x in keep) + " by default."
