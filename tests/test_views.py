"""The training views of the context stages: which rows they show, and the labels they show them with."""

from pathlib import Path

import numpy as np

from classifier.augment import glued_teasers
from classifier.data import load_documents
from classifier.train import _assign_folds, _label_order
from classifier.views import context_views


def _corpus(tiny_data: Path) -> tuple[list, list[str], np.ndarray, np.ndarray, np.ndarray]:
    docs = load_documents([tiny_data])
    names = _label_order(docs)
    labels = np.array([names.index(label) for doc in docs for label in doc.labels])
    folds = _assign_folds(len(docs), 3, 0)
    owner = np.repeat(np.arange(len(docs)), [len(doc.texts) for doc in docs])
    return docs, names, labels, folds, owner


def test_documents_come_first_as_written_and_every_view_is_reproducible(tiny_data: Path) -> None:
    docs, names, labels, folds, owner = _corpus(tiny_data)
    views, view_labels = context_views(docs, 0, labels, folds, names)
    again, again_labels = context_views(docs, 0, labels, folds, names)
    assert all(np.array_equal(a, b) for a, b in zip(views + view_labels, again + again_labels, strict=True))
    for i in range(len(docs)):
        assert np.array_equal(views[i], np.flatnonzero(owner == i))
        assert np.array_equal(view_labels[i], labels[owner == i])


def test_a_teaser_box_is_other_pages_article_text_labelled_as_links_in_the_same_fold(tiny_data: Path) -> None:
    docs, names, labels, folds, owner = _corpus(tiny_data)
    last_row = {i: int(np.flatnonzero(owner == i)[-1]) for i in range(len(docs))}
    link, boxes, headed, headless, after_tail = names.index("related-links"), 0, 0, 0, 0
    for seed in range(4):  # the tiny corpus makes few boxes per seed
        views, view_labels = context_views(docs, seed, labels, folds, names)
        for rows, shown in zip(views, view_labels, strict=True):
            host = owner[rows[0]]  # a view starts on its own page
            moved = shown != labels[rows]
            if not moved.any():
                assert set(owner[rows]) == {host}  # crops and moves keep to their own page
                continue
            boxes += 1
            assert (shown[moved] == link).all() and (labels[rows[moved]] == 0).all()
            assert (owner[rows[moved]] != host).all() and (folds[owner[rows[moved]]] == folds[host]).all()
            box = np.flatnonzero(moved)
            assert box[-1] - box[0] + 1 == len(box)  # one block
            top = box[0]
            if owner[rows[top - 1]] != host:  # under a link heading from another page
                assert shown[top - 1] == link
                headed, top = headed + 1, top - 1
            else:  # or with none, after the host's article text: nothing below it is the host's body
                assert (labels[rows[box[-1] + 1 :]] != 0).all()
                headless += 1
            if rows[top - 1] == last_row[host]:  # below the page's last line, widgets and all
                assert box[-1] == len(rows) - 1
                after_tail += 1
    assert boxes > 0 and headed > 0 and headless > 0 and after_tail > 0


def test_no_teaser_boxes_without_a_related_links_label(tiny_data: Path) -> None:
    docs, names, labels, folds, owner = _corpus(tiny_data)
    renamed = [name.replace("related-links", "pointers") for name in names]
    views, view_labels = context_views(docs, 0, labels, folds, renamed)
    for rows, shown in zip(views, view_labels, strict=True):
        assert np.array_equal(shown, labels[rows]) and len(set(owner[rows])) == 1


def test_boxes_of_glued_teasers_show_another_page_s_headline_and_lead_on_one_line(tiny_data: Path) -> None:
    docs, names, labels, folds, owner = _corpus(tiny_data)
    body = np.split(labels == 0, np.cumsum([len(doc.texts) for doc in docs])[:-1])
    lines, owners = glued_teasers(docs, body, 0)
    assert lines and len(lines) == len(owners)
    for line, i in zip(lines, owners, strict=True):
        texts = [text.strip() for text, is_body in zip(docs[i].texts, body[i], strict=True) if is_body]
        assert texts[0] in line and line.lstrip("-•*▶ ").startswith(texts[0])  # the headline, then
        rest = line.lstrip("-•*▶ ")[len(texts[0]) :].strip(" –:|.").rstrip("….")
        assert any(text.startswith(rest) for text in texts[1:4])  # the start of one of the next paragraphs
    glued = np.full(len(docs), -1)
    glued[owners] = len(labels) + np.arange(len(lines))
    link, shown_glued = names.index("related-links"), 0
    for seed in range(4):
        views, view_labels = context_views(docs, seed, labels, folds, names, glued.tolist())
        for rows, shown in zip(views, view_labels, strict=True):
            extra = rows >= len(labels)
            if extra.any():
                shown_glued += int(extra.sum())
                page = owners[int(rows[extra][0]) - len(labels)]
                assert (shown[extra] == link).all() and page != owner[rows[0]] and folds[page] == folds[owner[rows[0]]]
    assert shown_glued > 0
    unglued, _ = context_views(docs, 0, labels, folds, names)
    assert all((rows < len(labels)).all() for rows in unglued)  # none unless training asks for them


def test_every_page_with_a_widget_is_also_shown_short_ending_in_its_own_body(tiny_data: Path) -> None:
    # Written pages are long; users also pass a widget line and a paragraph or two of article (a feed's
    # snippet), and a model that never saw that took the lone body paragraph for a teaser.
    docs, names, labels, folds, owner = _corpus(tiny_data)
    views, view_labels = context_views(docs, 0, labels, folds, names)
    short = {}
    for rows, shown in zip(views, view_labels, strict=True):
        page = owner[rows]
        ends = rows[-1] == rows[-2] + 1 if len(rows) > 2 else len(rows) == 2
        if len(rows) <= 4 and (page == page[0]).all() and shown[-1] == 0 and ends and (shown[:-1] != 0).any():
            assert np.array_equal(shown, labels[rows])  # shown with the labels written for them
            short[int(page[0])] = rows
    with_widget = {i for i in range(len(docs)) if (labels[owner == i] != 0).any()}
    assert len(short) >= len(with_widget) // 2 > 0


def test_some_pages_are_also_shown_as_a_feed_item_of_headline_and_lead(tiny_data: Path) -> None:
    # An RSS entry or a search snippet is a headline and a paragraph or two: a model that had only seen
    # long pages took such a headline for another story's link.
    docs, names, labels, folds, owner = _corpus(tiny_data)
    feeds = 0
    for seed in range(4):  # FEED_SHARE of the documents: a few per seed in the tiny corpus
        views, view_labels = context_views(docs, seed, labels, folds, names)
        for rows, shown in zip(views[len(docs) :], view_labels[len(docs) :], strict=True):
            body = np.flatnonzero((owner == owner[rows[0]]) & (labels == 0))
            if (shown == 0).all() and 2 <= len(rows) <= 3 and np.array_equal(rows, body[: len(rows)]):
                feeds += 1
    assert feeds > 0
