"""The library surface scrapers use: classify, label, clean, pickling, threads, save/load."""

import copy
import pickle
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

import classifier
from classifier.artifact import save
from tests.conftest import ARTICLE


def test_classify_empty_document(trained_model: classifier.Model) -> None:
    assert trained_model.classify([]) == []


def test_classify_returns_one_prediction_per_paragraph(trained_model: classifier.Model) -> None:
    preds = trained_model.classify(["Read more:", "", "   ", "The council approved the budget on Tuesday."])
    assert len(preds) == 4
    for p in preds:
        assert p.label in trained_model.labels
        assert p.score == pytest.approx(max(p.scores.values()))
        assert sum(p.scores.values()) == pytest.approx(1.0)
        assert list(p.scores) == list(trained_model.labels)


def test_default_model_separates_article_from_junk(default_model: classifier.Model) -> None:
    preds = default_model.classify(
        [
            "Hospital strike ends after nurses accept new pay offer",
            "Nurses at the city's two main hospitals voted on Friday to accept a revised pay offer, ending a "
            "strike that had lasted eleven days and forced the cancellation of hundreds of operations.",
            "Union officials said the deal included a 6 per cent rise this year and a review of night-shift rates.",
            "Read more:",
            "- Ambulance waiting times reach record high",
            "- Ministers promise review of hospital parking charges",
            "Support independent journalism: become a member today for just £5 a month.",
            "© 2025 City Chronicle Ltd. All rights reserved.",
        ]
    )
    assert [p.label for p in preds] == ["reporting"] * 3 + ["related-links"] * 3 + ["support-appeal", "other"]


def test_label_offsets_point_into_the_text(trained_model: classifier.Model) -> None:
    text = "Headline\r\n\r\nBody one.\r\nstill body.\r\n\r\nRead more:\r\n"
    paras = trained_model.label(text, split="blocks")
    assert [p.text for p in paras] == ["Headline", "Body one.\r\nstill body.", "Read more:"]
    for p in paras:
        assert text[p.start : p.end] == p.text


def test_clean_keeps_text_with_nothing_to_drop_identical(trained_model: classifier.Model) -> None:
    text = "Anything at all\n\n\nmore text\r\n"
    assert trained_model.clean(text, keep=trained_model.labels) == text


def test_clean_drops_only_unkept_paragraphs(default_model: classifier.Model) -> None:
    text = ARTICLE.read_text(encoding="utf-8")
    cleaned = default_model.clean(text)
    kept = [p for p in default_model.label(text) if p.label == "reporting"]
    assert cleaned == "\n".join(p.text for p in kept) + "\n"
    assert "Read more" not in cleaned and "newsletter" not in cleaned


def test_clean_preserves_crlf_and_separators(trained_model: classifier.Model) -> None:
    text = "Keep one\r\n\r\nKeep two\r\n\r\n"
    assert trained_model.clean(text, keep=trained_model.labels) == text
    labels = [p.label for p in trained_model.label(text)]
    only_first = trained_model.clean(text, keep=[labels[0]])
    assert only_first.startswith("Keep one")


def test_clean_rejects_unknown_keep_label(trained_model: classifier.Model) -> None:
    with pytest.raises(classifier.ClassifierError, match="unknown label"):
        trained_model.clean("text", keep=["reportage"])


@pytest.mark.parametrize("bad", ["a whole text", b"bytes", [1, 2], None, 3, {"Headline": 1}, {"a", "b"}])
def test_classify_refuses_what_is_not_a_list_of_paragraphs(trained_model: classifier.Model, bad: object) -> None:
    with pytest.raises(classifier.InputError):
        trained_model.classify(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [None, b"bytes", 3])
def test_text_functions_refuse_what_is_not_text(trained_model: classifier.Model, bad: object) -> None:
    for call in (classifier.split_paragraphs, trained_model.label, trained_model.clean):
        with pytest.raises(classifier.InputError, match="text must be str") as caught:
            call(bad)  # type: ignore[arg-type]
        assert ("decode bytes first" in str(caught.value)) == isinstance(bad, bytes)


def test_clean_accepts_one_label_as_a_string_and_refuses_bad_keep_values(trained_model: classifier.Model) -> None:
    text = "Read more:\nThe council approved the budget on Tuesday."
    assert trained_model.clean(text, keep="reporting") == trained_model.clean(text, keep=["reporting"])
    with pytest.raises(classifier.ClassifierError, match="at least one"):
        trained_model.clean(text, keep=[])
    assert trained_model.clean(text, keep=None) == trained_model.clean(text)  # None: the model's default
    with pytest.raises(classifier.ClassifierError, match="label names"):
        trained_model.clean(text, keep=3)  # type: ignore[arg-type]
    with pytest.raises(classifier.ClassifierError, match="non-empty"):
        trained_model.clean(text, keep="")


def test_blank_items_are_no_evidence_for_their_neighbours(default_model: classifier.Model) -> None:
    # A spider's list of <p> texts with an empty one after every paragraph: the real paragraphs must get
    # exactly what they get without the blanks, and each blank the prediction of the paragraph before it.
    paras = ARTICLE.read_text(encoding="utf-8").split("\n")
    paras = [p for p in paras if p.strip()]
    spaced = [item for p in paras for item in (p, "", " \u200b\t")]
    alone, together = default_model.classify(paras), default_model.classify(spaced)
    assert together[0::3] == alone
    assert together[1::3] == alone and together[2::3] == alone
    assert default_model.classify(["", "  "]) == [default_model.classify(["", "  "])[0]] * 2
    assert {p.label for p in alone} > {"reporting"}  # the page has junk, so the check can fail


def test_keeping_every_label_at_threshold_one_keeps_everything(default_model: classifier.Model) -> None:
    text = ARTICLE.read_text(encoding="utf-8")
    assert default_model.clean(text, keep=default_model.labels, threshold=1.0) == text


def test_loaded_weights_are_read_only(trained_model: classifier.Model) -> None:
    # Also in a pickled or deep-copied model, the documented way to hand one to worker processes.
    for model in (
        trained_model,
        classifier.load(),
        pickle.loads(pickle.dumps(trained_model)),
        copy.deepcopy(trained_model),
    ):
        with pytest.raises(ValueError, match="read-only"):
            model.weights.hash_coef[0, 0] = 1.0


def test_long_documents_are_scored_in_chunks_with_identical_results(
    default_model: classifier.Model, monkeypatch: pytest.MonkeyPatch
) -> None:
    import classifier.model as model_module

    paras = ARTICLE.read_text(encoding="utf-8").splitlines() * 5
    whole = default_model.probabilities(paras)
    monkeypatch.setattr(model_module, "CHUNK_CHARS", 300)
    assert np.allclose(default_model.probabilities(paras), whole)


def test_a_page_of_many_short_lines_is_scored_in_bounded_memory(default_model: classifier.Model) -> None:
    # Chunks were bounded by characters only: 30,000 one-letter lines made one chunk, and its later-stage
    # feature rows (hundreds of floats each) took 107 MB (356 MB for 100,000); a row bound keeps it at 23 MB.
    paras = ["x"] * 30_000
    tracemalloc.start()
    try:
        default_model.probabilities(paras)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 60e6, f"{peak / 1e6:.0f} MB"


def test_model_pickles_and_predicts_the_same(trained_model: classifier.Model) -> None:
    paras = ["Read more:", "The council approved the budget.", "Follow us on social media"]
    clone = pickle.loads(pickle.dumps(trained_model))
    assert clone.classify(paras) == trained_model.classify(paras)


def test_model_is_thread_safe(default_model: classifier.Model) -> None:
    docs = [ARTICLE.read_text(encoding="utf-8").splitlines()[i:] for i in range(8)]
    expected = [default_model.classify(d) for d in docs]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(default_model.classify, docs * 4))
    assert got == expected * 4


def test_save_load_round_trip_gives_identical_probabilities(trained_model: classifier.Model, tmp_path: Path) -> None:
    paras = ["Headline", "The bridge will reopen in spring.", "Tags: council", "© 2025 Someone"]
    save(trained_model, tmp_path / "copy")
    again = classifier.load(tmp_path / "copy")
    assert np.array_equal(again.probabilities(paras), trained_model.probabilities(paras))


def test_training_is_reproducible(tiny_data: Path) -> None:
    from classifier.data import load_documents
    from classifier.train import train_model

    docs = load_documents([tiny_data])
    a, _ = train_model(docs, seed=3, folds=3)
    b, _ = train_model(docs, seed=3, folds=3)
    for name, arr in a.weights.as_arrays().items():
        assert np.array_equal(arr, b.weights.as_arrays()[name]), name


def test_prediction_does_not_import_scikit_learn() -> None:
    import subprocess
    import sys

    code = (
        "import sys, classifier; m = classifier.load(); m.clean('Read more:\\nSome text.');"
        "bad = [k for k in sys.modules if k.split('.')[0] in ('sklearn', 'scipy')]; assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_training_does_not_depend_on_the_number_of_jobs(tiny_data: Path) -> None:
    from classifier.data import load_documents
    from classifier.train import train_model

    docs = load_documents([tiny_data])
    one, _ = train_model(docs, seed=1, folds=3, jobs=1)
    two, _ = train_model(docs, seed=1, folds=3, jobs=2)
    for name, arr in one.weights.as_arrays().items():
        assert np.array_equal(arr, two.weights.as_arrays()[name]), name


def test_clean_threshold_keeps_exactly_the_paragraphs_that_reach_it(default_model: classifier.Model) -> None:
    text = ARTICLE.read_text(encoding="utf-8")
    paragraphs = default_model.label(text)
    for threshold in (0.0, 0.3, 0.7, 0.95):
        expected = [p.text for p in paragraphs if p.scores["reporting"] >= threshold]
        assert default_model.clean(text, threshold=threshold) == "\n".join(expected) + "\n" * bool(expected)
    assert default_model.clean(text, threshold=0.0) == text  # every paragraph reaches 0
    assert len(default_model.clean(text, threshold=0.2)) >= len(default_model.clean(text, threshold=0.9))


def test_clean_threshold_sums_the_kept_labels(trained_model: classifier.Model) -> None:
    paras = ["Read more:", "The council approved the budget on Tuesday.", "Subscribe to our newsletter"]
    keep = ("reporting", "related-links")
    expected = [
        p
        for p, pr in zip(paras, trained_model.classify(paras), strict=True)
        if pr.scores[keep[0]] + pr.scores[keep[1]] >= 0.5
    ]
    assert trained_model.clean("\n".join(paras), keep=keep, threshold=0.5) == "\n".join(expected)


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan"), "0.5", True])
def test_clean_refuses_a_threshold_that_is_not_a_probability(trained_model: classifier.Model, bad: object) -> None:
    with pytest.raises(classifier.ClassifierError, match="threshold must be a probability"):
        trained_model.clean("Some text.", threshold=bad)  # type: ignore[arg-type]


def test_evaluate_counts_gold_only_keep_labels_with_or_without_threshold(trained_model: classifier.Model) -> None:
    from classifier.data import Document
    from classifier.evaluate import evaluate

    doc = Document("d", ["The council approved the budget on Tuesday.", "Advertisement"], ["reporting", "promo"])
    for threshold in (None, 0.5):
        report = evaluate(trained_model, [doc], keep=("reporting", "promo"), threshold=threshold)
        assert report["unknown_labels"] == ["promo"] and report["cleaning"]["threshold"] == threshold


@pytest.mark.parametrize(
    "kwargs", [{"keep": ("bogus",)}, {"keep": ()}, {"threshold": 1.1}, {"split": "Lines"}, {"keep": [""]}]
)
def test_bad_arguments_raise_argument_error(trained_model: classifier.Model, kwargs: dict) -> None:
    """Callers catch bad arguments apart from unreadable input (InputError) and broken models (ModelError)."""
    with pytest.raises(classifier.ArgumentError) as caught:
        trained_model.clean("Council approves the budget.\n\nRead more:", **kwargs)
    assert isinstance(caught.value, classifier.ClassifierError) and "\n" not in str(caught.value)


@pytest.mark.parametrize("bad", [123, ["models/default"]])
def test_load_refuses_what_is_not_a_path(bad: object) -> None:
    with pytest.raises(classifier.ArgumentError, match="directory's path"):
        classifier.load(bad)  # type: ignore[arg-type]


def test_a_numpy_threshold_is_a_threshold(trained_model: classifier.Model) -> None:
    import numpy as np

    text = "Read more:\nThe council approved the budget on Tuesday."
    assert trained_model.clean(text, threshold=np.float32(0.5)) == trained_model.clean(text, threshold=0.5)


def _pages() -> list[list[str]]:
    lines = ARTICLE.read_text(encoding="utf-8").splitlines()
    return [
        lines,
        [],
        ["", "  "],
        lines[:1],
        ["", *lines[3:9], ""],
        *(lines[i : i + 5] for i in range(0, len(lines), 4)),
    ]


@pytest.mark.parametrize("batch_rows", [3, 2048])
def test_classify_many_labels_each_document_as_classify_does(
    default_model: classifier.Model, monkeypatch: pytest.MonkeyPatch, batch_rows: int
) -> None:
    # Documents scored together (in batches of 3 paragraphs, or all in one) see only their own
    # neighbours: every page's labels and scores are those of a call of its own.
    import classifier.model as model_module

    monkeypatch.setattr(model_module, "BATCH_ROWS", batch_rows)
    pages = _pages()
    many = list(default_model.classify_many(iter(pages)))
    assert len(many) == len(pages)
    for page, got in zip(pages, many, strict=True):
        alone = default_model.classify(page)
        assert [p.label for p in got] == [p.label for p in alone]
        assert np.allclose([p.score for p in got], [p.score for p in alone], rtol=0, atol=1e-12)


def test_classify_many_reads_documents_as_results_are_taken(
    default_model: classifier.Model, monkeypatch: pytest.MonkeyPatch
) -> None:
    import classifier.model as model_module

    monkeypatch.setattr(model_module, "BATCH_ROWS", 10)
    read = []

    def stream():
        for i, page in enumerate(_pages() * 20):
            read.append(i)
            yield page

    results = default_model.classify_many(stream())
    next(results)
    assert 0 < len(read) < 20


def test_clean_many_cleans_each_text_as_clean_does_and_checks_its_arguments_first(
    default_model: classifier.Model,
) -> None:
    texts = ["\n".join(page) for page in _pages()] + ["Read more:\n- Other story\n\nA body line.\r\n"]
    for kwargs in ({}, {"keep": ["reporting", "other"]}, {"threshold": 0.7, "split": "lines"}):
        assert list(default_model.clean_many(texts, **kwargs)) == [default_model.clean(t, **kwargs) for t in texts]
    for bad in ({"keep": "news"}, {"threshold": 2.0}, {"split": "sentences"}):
        with pytest.raises(classifier.ArgumentError):
            default_model.clean_many(iter(()), **bad)
    with pytest.raises(classifier.InputError):
        list(default_model.clean_many(["fine", b"bytes"]))  # type: ignore[list-item]


def test_many_calls_say_which_page_is_wrong_and_refuse_what_is_no_iterable_of_pages(
    default_model: classifier.Model,
) -> None:
    with pytest.raises(classifier.InputError, match="clean_many takes an iterable of pages, not one str"):
        default_model.clean_many("Read more:\nA body line.")  # was cleaned a character a page
    for bad in (None, 5):
        with pytest.raises(classifier.InputError, match="takes an iterable of pages"):
            default_model.classify_many(bad)  # type: ignore[arg-type]
        with pytest.raises(classifier.InputError, match="takes an iterable of pages"):
            default_model.clean_many(bad)  # type: ignore[arg-type]
    with pytest.raises(classifier.InputError, match="page 0: classify_many takes lists of paragraphs"):
        list(default_model.classify_many(["one page's first paragraph", "and its second"]))
    pages: list[object] = [["A body line."]] * 10 + [None]
    with pytest.raises(classifier.InputError, match="page 10: paragraphs must be a list of str, not NoneType"):
        list(default_model.classify_many(pages))  # type: ignore[arg-type]
    with pytest.raises(classifier.InputError, match="page 1: clean_many takes str texts, not bytes"):
        list(default_model.clean_many(["fine", b"bytes"]))  # type: ignore[list-item]


def test_paragraphs_may_come_from_any_iterable(default_model: classifier.Model) -> None:
    # classify is typed Iterable[str]: a generator of paragraphs (a spider yielding <p> texts) or a tuple
    # is one page just as a list is, and classify_many takes generators of generators.
    page = _pages()[0]
    expected = [(p.label, p.score) for p in default_model.classify(list(page))]
    assert [(p.label, p.score) for p in default_model.classify(t for t in page)] == expected
    assert [(p.label, p.score) for p in default_model.classify(tuple(page))] == expected
    (many,) = default_model.classify_many((t for t in p) for p in [page])
    assert [(p.label, p.score) for p in many] == expected
