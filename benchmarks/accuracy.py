"""Accuracy beside the alternatives, on the same labeled documents.

    python benchmarks/accuracy.py ../shared/realdev/scrapinghub-news.jsonl [--update BENCHMARKS.md]

Four ways to clean every document's paragraphs:

* keep-all: the extractor alone (nothing removed);
* jusText and the C4 line rules (see ``common.py``): each keeps or drops a paragraph;
* our model (``classifier.load()`` or ``--model DIR``): keeps what it labels ``reporting``.

The baselines only decide keep/drop, so everyone is scored on the binary task: "kept" counts as
``reporting`` and "dropped" as ``junk`` (any other gold label). Per-class scores for the three junk labels
exist only for our model; for the baselines we show, per junk label, the share of its paragraphs dropped.
Scores come from ``classifier.metrics.score``, the function ``classifier evaluate`` uses.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import classifier
from classifier.data import load_documents
from classifier.errors import ClassifierError
from classifier.labels import DEFAULT_KEEP
from classifier.metrics import score

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (
    OUT_DIR,
    REPO,
    C4Lines,
    Justext,
    command_line,
    f3,
    machine,
    machine_markdown,
    pct,
    table,
    update_section,
)

JUNK = "junk"


def shown(path: str) -> str:
    try:
        return os.path.relpath(Path(path).resolve(), REPO)
    except ValueError:
        return path


def run(paths: list[str], model_dir: str | None) -> dict[str, Any]:
    docs = load_documents(paths)
    model = classifier.load(model_dir)
    keep_labels = set(DEFAULT_KEEP)
    jt, c4 = Justext(), C4Lines()

    true: list[str] = []
    texts: list[str] = []
    model_labels: list[str] = []
    keeps: dict[str, list[bool]] = {
        "keep-all (extractor alone)": [],
        "jusText": [],
        "C4 line rules": [],
        "our model": [],
    }
    seconds = dict.fromkeys(keeps, 0.0)
    for doc in docs:
        true += doc.labels
        texts += doc.texts
        keeps["keep-all (extractor alone)"] += [True] * len(doc.texts)

        t = time.perf_counter()
        html = jt.html(doc.texts)
        k = jt.keep_html(html, len(doc.texts))
        seconds["jusText"] += time.perf_counter() - t
        keeps["jusText"] += k

        t = time.perf_counter()
        keeps["C4 line rules"] += c4.keep(doc.texts)
        seconds["C4 line rules"] += time.perf_counter() - t

        t = time.perf_counter()
        labels = [p.label for p in model.classify(doc.texts)]
        seconds["our model"] += time.perf_counter() - t
        model_labels += labels
        keeps["our model"] += [x in keep_labels for x in labels]

    true_bin = ["reporting" if t in keep_labels else JUNK for t in true]
    junk_labels = [x for x in dict.fromkeys([*model.labels, *sorted(set(true))]) if x not in keep_labels]
    methods = {}
    for name, keep in keeps.items():
        pred_bin = ["reporting" if k else JUNK for k in keep]
        report = score(true_bin, pred_bin, texts, ["reporting", JUNK], keep=("reporting",))
        dropped = {}
        for label in junk_labels:
            idx = [i for i, t in enumerate(true) if t == label]
            if idx:
                dropped[label] = sum(not keep[i] for i in idx) / len(idx)
        methods[name] = {"binary": report, "junk_dropped_by_label": dropped, "seconds": seconds.get(name, 0.0)}

    all_labels = list(model.labels) + sorted(set(true) - set(model.labels))
    four = score(true, model_labels, texts, all_labels, keep=tuple(DEFAULT_KEEP))
    training = model.config.get("training", {})
    return {
        "data": [shown(p) for p in paths],
        "documents": len(docs),
        "paragraphs": len(true),
        "gold_labels": {label: true.count(label) for label in dict.fromkeys(true)},
        "justext_unreturned": jt.unreturned,
        "model": {
            "path": shown(str(model.path)),
            "training_documents": training.get("documents"),
            "training_paragraphs": training.get("paragraphs"),
            "data_sha256": training.get("data_sha256", ""),
            "command": training.get("command", ""),
        },
        "methods": methods,
        "model_per_class": four,
        "machine": machine(),
        "command": command_line(),
    }


def markdown(res: dict[str, Any]) -> str:
    m = res["model"]
    out = [
        f"Data: {', '.join(f'`{p}`' for p in res['data'])}: {res['documents']} documents, "
        f"{res['paragraphs']} paragraphs ("
        + ", ".join(f"{label} {n}" for label, n in res["gold_labels"].items())
        + ").",
        f"Model: `{m['path']}`, trained on {m['training_documents']} documents / {m['training_paragraphs']} "
        f"paragraphs (data SHA-256 `{m['data_sha256'][:16]}…`).",
        "",
        machine_markdown(res["machine"], res["command"]),
        "",
        "**Cleaning view and reporting-vs-junk scores** (kept = `reporting`, dropped = junk; "
        "characters are counted over paragraph text):",
        "",
    ]
    rows = []
    for name, r in res["methods"].items():
        b, c = r["binary"], r["binary"]["cleaning"]
        rep, junk = b["per_class"]["reporting"], b["per_class"][JUNK]
        rows.append(
            [
                name,
                pct(c["reporting_chars_kept"]),
                pct(c["other_chars_dropped"]),
                pct(c["kept_text_precision"]),
                f3(rep["precision"]),
                f3(rep["recall"]),
                f3(rep["f1"]),
                f3(junk["precision"]),
                f3(junk["recall"]),
                f3(junk["f1"]),
                f3(b["macro_f1"]),
            ]
        )
    out.append(
        table(
            [
                "method",
                "reporting chars kept",
                "non-reporting chars dropped",
                "kept-text precision",
                "reporting P",
                "reporting R",
                "reporting F1",
                "junk P",
                "junk R",
                "junk F1",
                "macro-F1 (2 classes)",
            ],
            rows,
        )
    )
    junk_labels = list(next(iter(res["methods"].values()))["junk_dropped_by_label"])
    out += [
        "",
        "**Junk caught, per gold label** (share of that label's paragraphs dropped; the baselines cannot say "
        "*which* junk a paragraph is, so this is the only per-label view they have):",
        "",
        table(
            ["method", *junk_labels],
            [[name, *(pct(r["junk_dropped_by_label"][x]) for x in junk_labels)] for name, r in res["methods"].items()],
        ),
    ]
    four = res["model_per_class"]
    rows = [
        [label, f3(c["precision"]), f3(c["recall"]), f3(c["f1"]), str(c["support"])]
        for label, c in four["per_class"].items()
    ]
    rows.append(["**macro-F1**", "", "", f"**{four['macro_f1']:.3f}**", str(four["paragraphs"])])
    out += [
        "",
        "**Our model, all labels** (per-class scores for `related-links`, `support-appeal` and `other` exist "
        "only for our model; the baselines have no such labels):",
        "",
        table(["label", "precision", "recall", "F1", "support"], rows),
    ]
    if res["justext_unreturned"]:
        out += ["", f"{res['justext_unreturned']} paragraphs that jusText did not return (blank) count as dropped."]
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("data", nargs="+", help="labeled .jsonl/.tsv files or directories (classifier's data format)")
    ap.add_argument("--model", default=None, help="model directory (default: the shipped model)")
    ap.add_argument("--update", type=Path, default=None, help="write the tables into this Markdown file's markers")
    ap.add_argument("--section", default="accuracy", help="marker name in --update's file (default: accuracy)")
    ap.add_argument("--json", type=Path, default=OUT_DIR / "accuracy.json", help="where to write the raw results")
    args = ap.parse_args()
    try:
        res = run(args.data, args.model)
    except ClassifierError as exc:  # a missing or malformed data file: one line, like the CLI
        sys.exit(f"accuracy.py: error: {exc}")
    text = markdown(res)
    print(text)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if args.update:
        update_section(args.update, args.section, text)
        print(f"\nupdated {args.update}", file=sys.stderr)


if __name__ == "__main__":
    main()
