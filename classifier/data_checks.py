"""Training data that loads but is probably wrong: warned about before minutes of training, not
trained on in silence (``train_model`` passes each warning to its caller)."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence

import numpy as np

from .data import DOCUMENT_KEYS, Document
from .segment import is_blank

#: A label is taken for a misspelling of another when that one is this many times as frequent and the
#: names are a quarter of the longer one's letters apart (at least one edit: "bdoy", "reportng").
RARE_LABEL_RATIO = 10
#: Fewer paragraphs than this cannot teach a label (and are often a stray edit: "navigation" once, "nav"
#: everywhere else), so they are pointed out.
FEW_PARAGRAPHS = 5


def page_key(doc: Document) -> tuple[str, ...]:
    """A document's paragraphs with whitespace folded: the same page under another doc_id or file."""
    return tuple(" ".join(text.split()) for text in doc.texts)


def page_numbers(docs: Sequence[Document]) -> np.ndarray:
    """A page number per document: documents sharing a ``doc_id``, or the same paragraphs under another
    id (a page predicted, corrected as TSV and trained on beside its JSONL), are one page, so
    cross-validation never tests on a copy of a page it trained on. With distinct pages it is just the
    position."""
    by_id: dict[str, int] = {}
    by_text: dict[tuple[str, ...], int] = {}
    numbers: list[int] = []
    pages = 0
    for doc in docs:
        key = page_key(doc)
        number = by_id.get(doc.doc_id, by_text.get(key, pages))
        pages += number == pages
        by_id.setdefault(doc.doc_id, number)
        by_text.setdefault(key, number)
        numbers.append(number)
    return np.array(numbers, dtype=np.int64)


#: Paragraphs this long or longer are evidence that a page was trained on; short ones ("Read more:",
#: "Share") recur on every site.
OWN_PARAGRAPH_CHARS = 40


def fingerprint(docs: Sequence[Document]) -> np.ndarray:
    """What ``trained_on`` needs to know of training pages, as sorted unique 64-bit hashes: each page's
    paragraphs (whitespace folded) and each paragraph of OWN_PARAGRAPH_CHARS or more. Saved with a model,
    so ``evaluate`` can tell pages it was trained on, without the training data (about 1 MB for the
    default corpus)."""
    keys = {_hash("page", "\n".join(page_key(doc))) for doc in docs}
    keys |= {_hash("paragraph", p) for doc in docs for p in page_key(doc) if len(p) >= OWN_PARAGRAPH_CHARS}
    return np.array(sorted(keys), dtype=np.uint64)


def _hash(kind: str, text: str) -> int:
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8, person=kind.encode()[:16])
    return int.from_bytes(digest.digest(), "little")


def trained_on(docs: Sequence[Document], training: np.ndarray) -> int:
    """How many of ``docs`` were trained on, by the ``fingerprint`` of the training pages: the same page
    (whitespace aside), or one at least half of whose paragraphs of OWN_PARAGRAPH_CHARS or more are
    training paragraphs word for word (the training pages cut up or regrouped under other ids, which
    scored 1.000 as "held-out" for a tester)."""
    known = set(training.tolist())
    count = 0
    for doc in docs:
        key = page_key(doc)
        own = [p for p in key if len(p) >= OWN_PARAGRAPH_CHARS]
        found = sum(_hash("paragraph", p) in known for p in own)
        count += _hash("page", "\n".join(key)) in known or (bool(own) and 2 * found >= len(own))
    return count


def data_warnings(docs: Sequence[Document], n_pages: int, folds: int) -> list[str]:
    """What in the training data is probably a mistake but still trainable: repeated document ids,
    more folds asked than there are pages, labels that look like misspellings of another, and labels with
    too few paragraphs to learn.

    A typo in a hand-corrected TSV ("reportng") would otherwise become a label of its own, quietly.
    """
    out: list[str] = unread_key_warnings(docs) + missing_row_warnings(docs)
    ids = Counter(d.doc_id for d in docs)
    if len(ids) < len(docs):
        repeated = next(i for i, n in ids.items() if n > 1)
        extra = len(docs) - len(ids)
        out.append(
            f"{extra} document{'s' * (extra != 1)} repeat{'s' * (extra == 1)} the doc_id of an earlier one "
            f"(first: {repeated!r}); documents with one id are kept in one cross-validation fold"
        )
    first_id: dict[tuple[str, ...], str] = {}
    copies = [(d, first_id.setdefault(page_key(d), d.doc_id)) for d in docs]
    copies = [(d, first) for d, first in copies if first != d.doc_id]
    if copies:
        doc, first = copies[0]
        out.append(
            f"{len(copies)} document{'s' * (len(copies) != 1)} repeat{'s' * (len(copies) == 1)} the paragraphs "
            f"of an earlier one under another id (first: {doc.doc_id!r} = {first!r}); each copy is trained on "
            "again, and kept in its page's cross-validation fold"
        )
    if folds > n_pages:
        out.append(f"{folds} cross-validation folds for {n_pages} distinct documents: using {n_pages} folds")
    out += [f"labels {clash} differ only in case or spacing; training refuses them" for clash in label_clashes(docs)]
    out += [
        f"label {label!r} contains a comma, tab or line break (--keep splits at commas, TSV cells at tabs); "
        "training refuses it"
        for label in sorted({label for d in docs for label in d.labels})
        if "," in label or any(c in label for c in "\t\n\r")
    ]
    out += label_scheme_warnings(docs)
    counts = Counter(label for d in docs for label in d.labels)
    for label, count in sorted(counts.items(), key=lambda item: item[1]):
        common = [x for x, n in counts.items() if x != label and n >= RARE_LABEL_RATIO * count]
        close = [x for x in common if _edit_distance(label, x) <= max(1, max(len(label), len(x)) // 4)]
        if not close and count >= FEW_PARAGRAPHS:
            continue
        where = next(d for d in docs if label in d.labels)
        found = f"label {label!r} ({count} paragraph{'s' * (count != 1)}, first in {where.origin or where.doc_id})"
        if close:
            out.append(
                f"{found} looks like a misspelling of {close[0]!r} ({counts[close[0]]}); it is trained as a label "
                "of its own"
            )
        else:
            out.append(
                f"{found} has too few examples to be learned (fewer than {FEW_PARAGRAPHS} paragraphs); it is "
                "trained as a label of its own"
            )
    return out


def label_key(label: str) -> str:
    """A label as typos leave it alone: case, spacing and ``_``/``-`` folded ("Related_Links" is
    "related-links")."""
    return " ".join(label.replace("_", "-").split()).lower()


def label_clashes(docs: Sequence[Document]) -> list[str]:
    """Every set of labels that differ only in case or spacing ("Body" beside "body"), each spelling
    with where it first appears: a typo, not a label of its own."""
    first: dict[str, str] = {}
    for d in docs:
        for label in d.labels:
            first.setdefault(label, d.origin or d.doc_id)
    spellings: dict[str, list[str]] = {}
    for label in sorted(first):
        spellings.setdefault(label_key(label), []).append(label)
    return [
        " and ".join(f"{label!r} (first in {first[label]})" for label in labels)
        for labels in spellings.values()
        if len(labels) > 1
    ]


def misspelt_label_warnings(docs: Sequence[Document], labels: Sequence[str]) -> list[str]:
    """Evaluation data labels that look like a model's label (case, spacing, ``_``/``-``, or a typo a
    quarter of the letters long): counted as errors, they pull macro-F1 down with no sign of why."""
    spelled = {label_key(x): x for x in labels}

    def meant(label: str) -> str | None:
        if label_key(label) in spelled:
            return spelled[label_key(label)]
        return next((x for x in labels if _edit_distance(label, x) <= max(1, max(len(label), len(x)) // 4)), None)

    first: dict[str, str] = {}
    for d in docs:
        for label in d.labels:
            first.setdefault(label, d.origin or d.doc_id)
    out = []
    for label, where in first.items():
        model_label = None if label in labels else meant(label)
        if model_label is not None:
            out.append(
                f"{where}: label {label!r} looks like the model's {model_label!r} (case, spacing, _/- or a typo); "
                "it is counted as a label the model never predicts"
            )
    return out


def label_scheme_warnings(docs: Sequence[Document]) -> list[str]:
    """A warning when the labels fall into groups of two or more that never share a document: files
    labelled under two schemes (the shipped corpus beside a team's own body/nav/ad pages, or a 5-label
    and a keep/drop file in one folder), which would make one model of all their labels, keeping only
    one scheme's by default."""
    group = {label: label for d in docs for label in d.labels}

    def root(label: str) -> str:
        while group[label] != label:
            group[label] = group[group[label]]
            label = group[label]
        return label

    for d in docs:
        for label in d.labels[1:]:
            group[root(label)] = root(d.labels[0])
    members: dict[str, list[str]] = {}
    for label in group:
        members.setdefault(root(label), []).append(label)
    schemes = [labels for labels in members.values() if len(labels) > 1]
    if len(schemes) < 2:
        return []
    described = []
    for labels in schemes:
        where = next(d for d in docs if d.labels and root(d.labels[0]) == root(labels[0]))
        described.append(f"{{{', '.join(sorted(labels))}}} (first in {where.origin or where.doc_id})")
    return [
        f"the labels fall into {len(schemes)} groups that never share a document: {' and '.join(described)}; one "
        f"model of all {len(group)} labels is trained: are these files meant to go together?"
    ]


#: Keys users write for the ones the loader reads.
_KEY_ALIASES = {
    "language": "lang",
    "id": "doc_id",
    "docid": "doc_id",
    "document_id": "doc_id",
    "page_kind": "source",
    "kind": "source",
    "paras": "paragraphs",
}


def missing_row_warnings(docs: Sequence[Document]) -> list[str]:
    """One warning per file whose TSV pages skip paragraph indices: a row deleted from a corrected TSV takes
    its paragraph out of the page, and the paragraphs around it are then read as neighbours."""
    by_file: dict[str, list[Document]] = {}
    for doc in docs:
        if doc.missing:
            by_file.setdefault(doc.origin.rpartition(":")[0] or doc.origin, []).append(doc)
    out = []
    for path, pages in by_file.items():
        named = "; ".join(
            f"{page.doc_id}: {', '.join(map(str, page.missing[:5]))}{', …' * (len(page.missing) > 5)}"
            for page in pages[:3]
        ) + ("; …" if len(pages) > 3 else "")
        out.append(
            f"{path}: {len(pages)} page{'s skip' if len(pages) != 1 else ' skips'} paragraph indices ({named}); "
            "they are read without those paragraphs, their neighbours as adjacent: relabel a row rather than "
            "delete it"
        )
    return out


def blank_text_warnings(docs: Sequence[Document], fate: str) -> list[str]:
    """A warning when paragraphs have no text, with the first one's place: pandas re-saving a TSV read
    without ``keep_default_na=False`` empties cells reading "None", "N/A" or "null", and a scrape may
    emit empty items; either way the label beside the empty cell no longer describes any text."""
    blanks = [(doc, i) for doc in docs for i, text in enumerate(doc.texts) if is_blank(text)]
    if not blanks:
        return []
    doc, i = blanks[0]
    if doc.origin.rpartition(":")[0].lower().endswith(".tsv"):  # the row's index cell, counted from 0
        missing = set(doc.missing)
        which = f"index {[k for k in range(len(doc.texts) + len(missing)) if k not in missing][i]}"
    else:
        which = f"paragraph {i + 1}"
    n = len(blanks)
    return [
        f"{n} paragraph{'s have' if n != 1 else ' has'} no text (first: {doc.origin or doc.doc_id}, page "
        f"{doc.doc_id!r}, {which}); {fate}. pandas empties texts such as 'None', 'N/A' or 'null' unless the "
        "TSV is read with keep_default_na=False"
    ]


def unread_key_warnings(docs: Sequence[Document]) -> list[str]:
    """One warning per document key that looks like a misspelling or another name of a key the loader
    reads ("language" for "lang", "id" for "doc_id", "sorce"), with its first place and how many
    documents have it: such a key is ignored, and grouping by language or keeping a page in one
    cross-validation fold quietly stop working. Other extra keys (a title, a date) are metadata, left be."""
    first: dict[str, tuple[str, str]] = {}
    count: Counter[str] = Counter()
    for doc in docs:
        for key in doc.unread_keys:
            meant = _KEY_ALIASES.get(key.lower()) or next(
                (k for k in sorted(DOCUMENT_KEYS) if _edit_distance(key.lower(), k) <= max(1, len(k) // 4)), None
            )
            if meant is None:
                continue
            first.setdefault(key, (doc.origin or doc.doc_id, meant))
            count[key] += 1
    return [
        f"{where}: key {key!r} is not read (did you mean {meant!r}?); {count[key]} document"
        f"{'s have' if count[key] != 1 else ' has'} it"
        for key, (where, meant) in first.items()
    ]


def _edit_distance(a: str, b: str) -> int:
    """Edits (insert, delete, substitute, swap two neighbours) from ``a`` to ``b``: a swap is the
    commonest typo ("bdoy"), so it counts as one edit, not two."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], prev2[j - 2] + 1)
        prev2, prev = prev, row
    return prev[-1]
