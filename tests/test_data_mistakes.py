"""Mistakes in training and evaluation data that are still readable: warned about, or refused early,
never trained on in silence (a typo'd label, a repeated page, data for another model)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import classifier
from classifier.cli import app
from tests.conftest import tiny_documents

runner = CliRunner()


def invoke(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def _write(path: Path, docs: list[dict]) -> Path:
    path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    return path


def test_train_warns_of_a_typo_label_a_repeated_page_and_too_many_folds(tmp_path: Path) -> None:
    docs = tiny_documents()
    docs[4]["paragraphs"][1]["label"] = "reportnig"  # one corrected line with a typo
    docs.append(dict(docs[0]))  # the same page twice
    data = _write(tmp_path / "corrected.jsonl", docs)
    result = invoke("train", data, "-o", tmp_path / "m", "--folds", "40")
    assert result.exit_code == 0, result.output
    assert "label 'reportnig' (1 paragraph, first in " in result.stderr
    assert "looks like a misspelling of 'reporting'" in result.stderr
    assert "1 document repeats the doc_id of an earlier one (first: 't0')" in result.stderr
    assert "40 cross-validation folds for 12 distinct documents: using 12 folds" in result.stderr
    assert "reportnig" in classifier.load(tmp_path / "m").labels  # warned, not refused


def test_labels_of_their_own_are_not_taken_for_typos(tmp_path: Path) -> None:
    docs = tiny_documents()
    for doc in docs[:6]:
        doc["paragraphs"][1]["label"] = "quote"
    result = invoke("train", _write(tmp_path / "mine.jsonl", docs), "-o", tmp_path / "m")
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr


def test_a_label_given_once_is_pointed_out(tmp_path: Path) -> None:
    docs = tiny_documents()
    docs[4]["paragraphs"][1]["label"] = "footer"  # a stray label, no misspelling of another
    result = invoke("train", _write(tmp_path / "mine.jsonl", docs), "-o", tmp_path / "m")
    assert result.exit_code == 0, result.output
    assert (
        "classifier: warning: label 'footer' (1 paragraph, first in " in result.stderr
        and "has too few examples to be learned (fewer than 5 paragraphs); it is trained as a label of its own"
        in result.stderr
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"paragraphs": [{"text": "a", "label": "x"}, {"text": "b"}]}', "paragraph 2 has no valid 'label'"),
        (r'{"paragraphs": [{"text": "a\u12"}]}', r"bad JSON (Invalid \uXXXX escape: column 29)"),
        ('{"paragraphs": [{"text": "a", "label": "x"}', "bad JSON (Expecting ',' delimiter: column 44)"),
        (
            '{"paragraphs": [{"text": "a", "lable": "x"}]}',
            "paragraph 1 has no valid 'label' (a non-empty string) (its keys: 'text', 'lable')",
        ),
    ],
)
def test_data_errors_count_paragraphs_from_one_and_read_cleanly(tmp_path: Path, line: str, message: str) -> None:
    data = tmp_path / "bad.jsonl"
    data.write_text(line + "\n", encoding="utf-8")
    result = invoke("data-stats", data)
    assert result.exit_code == 1 and f"bad.jsonl:1: {message}" in result.stderr


def test_evaluating_data_with_none_of_the_models_labels_is_an_error(trained_dir: Path, tmp_path: Path) -> None:
    docs = tiny_documents()
    for doc in docs:
        for para in doc["paragraphs"]:
            para["label"] = "keep" if para["label"] == "reporting" else "drop"
    data = _write(tmp_path / "other-labels.jsonl", docs)
    result = invoke("evaluate", data, "-m", trained_dir)
    assert result.exit_code == 1
    assert "none of the data's labels (drop, keep) is one this model predicts" in result.stderr
    early = invoke("train", data, "-o", tmp_path / "m2", "--eval", data.parent / "never.jsonl")
    assert early.exit_code == 2 and "never.jsonl: no such file or directory" in early.output


def test_train_refuses_an_eval_set_with_other_labels_before_training(tiny_data: Path, tmp_path: Path) -> None:
    docs = tiny_documents()
    for doc in docs:
        for para in doc["paragraphs"]:
            para["label"] = para["label"].upper()
    other = _write(tmp_path / "upper.jsonl", docs)
    result = invoke("train", tiny_data, "-o", tmp_path / "m", "--eval", other)
    assert result.exit_code == 1
    assert "upper.jsonl: none of its labels (OTHER, RELATED-LINKS, REPORTING, SUPPORT-APPEAL)" in result.stderr
    assert "stage 1" not in result.stderr and not (tmp_path / "m").exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [("", "a model path cannot be empty"), ("nope", "does not exist"), (".", "not a model directory (no config.json)")],
)
def test_a_model_option_naming_no_model_directory_is_a_usage_error(value: str, message: str, tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text("Headline\nBody text of the page.\n", encoding="utf-8")
    result = invoke("predict", page, "-m", tmp_path / value if value == "." else value)
    assert result.exit_code == 2 and message in result.stderr
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / "config.json").write_text("{", encoding="utf-8")
    assert invoke("predict", page, "-m", damaged).exit_code == 1  # a model directory that is broken: a failure


def test_one_label_given_as_a_string_is_one_label(trained_model: classifier.Model) -> None:
    assert trained_model.check_labels("reporting") == frozenset({"reporting"})
    with pytest.raises(classifier.ArgumentError, match="unknown label"):
        trained_model.check_labels("reportin")


def test_a_misnamed_document_key_is_pointed_out_and_metadata_is_not(tmp_path: Path) -> None:
    # "language" for "lang" was ignored in silence: every document then grouped under "(none)".
    docs = tiny_documents()
    for doc in docs:
        doc["language"] = doc.pop("lang", "en")
        doc["title"] = "A headline"  # metadata of the user's own: read by no one, and no mistake
    data = _write(tmp_path / "mine.jsonl", docs)
    for command in ("data-stats", "evaluate"):
        result = invoke(command, data)
        assert result.exit_code == 0, result.output
        assert (
            f"mine.jsonl:1: key 'language' is not read (did you mean 'lang'?); {len(docs)} documents have it"
            in result.stderr
        )
        assert "title" not in result.stderr


def test_the_same_page_under_another_id_is_pointed_out(tmp_path: Path) -> None:
    # A page predicted, corrected as TSV and trained on beside its JSONL: two ids, one page.
    docs = tiny_documents()
    docs.append({**docs[3], "doc_id": "corrected-copy"})
    result = invoke("train", _write(tmp_path / "mine.jsonl", docs), "-o", tmp_path / "m")
    assert result.exit_code == 0, result.output
    assert (
        "1 document repeats the paragraphs of an earlier one under another id (first: 'corrected-copy' = 't3')"
        in result.stderr
    )


def test_blank_paragraphs_are_left_out_of_training(tmp_path: Path) -> None:
    # Prediction reads a blank item as no evidence; a model trained with one in is the model without it.
    docs = tiny_documents()
    with_blank = json.loads(json.dumps(docs))
    with_blank[2]["paragraphs"].insert(1, {"text": " \u200b ", "label": "other"})
    for name, data in (("plain", docs), ("blank", with_blank)):
        result = invoke("train", _write(tmp_path / f"{name}.jsonl", data), "-o", tmp_path / name)
        assert result.exit_code == 0, result.output
    assert f"1 paragraph has no text (first: {tmp_path / 'blank.jsonl'}:3, page " in result.stderr
    assert "paragraph 2); they are left out of training" in result.stderr
    weights = [(tmp_path / name / "weights.npz").read_bytes() for name in ("plain", "blank")]
    assert weights[0] == weights[1]


def test_files_labelled_under_two_schemes_are_pointed_out(tmp_path: Path) -> None:
    # A folder holding the project's four labels beside a team's keep/drop pages trained one six-label
    # model in silence, which by default kept only `reporting`.
    (tmp_path / "data").mkdir()
    _write(tmp_path / "data" / "news.jsonl", tiny_documents())
    mine = tiny_documents()
    for doc in mine:
        doc["doc_id"] = "mine-" + doc["doc_id"]
        for para in doc["paragraphs"]:
            para["label"] = "keep" if para["label"] == "reporting" else "drop"
    _write(tmp_path / "data" / "mine.jsonl", mine)
    result = invoke("data-stats", tmp_path / "data")
    assert result.exit_code == 0
    assert "the labels fall into 2 groups that never share a document: {drop, keep} (first in " in result.stderr
    assert "one model of all 6 labels is trained" in result.stderr
    alone = invoke("data-stats", tmp_path / "data" / "news.jsonl")
    assert "groups" not in alone.stderr


def test_a_numbered_doc_id_is_an_id_and_a_misnamed_paragraphs_key_is_shown(tmp_path: Path) -> None:
    docs = tiny_documents()
    for i, doc in enumerate(docs):
        doc["doc_id"] = 1000 + i  # spreadsheet and database exports number their rows
    docs[1]["lang"] = None
    numbered = _write(tmp_path / "numbered.jsonl", docs)
    loaded = classifier.data.load_documents([numbered])
    assert [d.doc_id for d in loaded][:2] == ["1000", "1001"] and loaded[1].lang == ""
    bad = _write(tmp_path / "bad.jsonl", [{"doc_id": "a", "paras": [{"text": "x", "label": "other"}]}])
    with pytest.raises(
        classifier.DataError, match=r"'paragraphs' must be a non-empty list \(its keys: 'doc_id', 'paras'\)"
    ):
        classifier.data.load_documents([bad])


def test_an_eval_set_cut_from_the_training_pages_is_not_called_held_out(tmp_path: Path) -> None:
    # Training pages regrouped under new ids shared no whole page with the training data, so the card
    # called their perfect score held-out.
    docs = tiny_documents()
    data = _write(tmp_path / "train.jsonl", docs)
    regrouped = [
        {"doc_id": f"new-{i}", "paragraphs": a["paragraphs"][::-1] + b["paragraphs"][:2]}
        for i, (a, b) in enumerate(zip(docs[::2], docs[1::2], strict=True))
    ]
    fresh = [
        {
            "doc_id": "fresh",
            "paragraphs": [
                {
                    "text": "The ferry company said on Friday that winter sailings would start a week early.",
                    "label": "reporting",
                },
                {
                    "text": "Passengers with booked tickets will be moved to the new timetable automatically.",
                    "label": "reporting",
                },
                {"text": "Read more:", "label": "related-links"},
            ],
        }
    ]
    result = invoke(
        "train", data, "-o", tmp_path / "m", "--folds", "3",
        "--eval", _write(tmp_path / "cut.jsonl", regrouped), "--eval", _write(tmp_path / "fresh.jsonl", fresh),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (
        f"cut.jsonl: {len(regrouped)} of its {len(regrouped)} documents are also in the training data" in result.stderr
    )
    assert "fresh.jsonl:" not in result.stderr
    card = (tmp_path / "m" / "README.md").read_text(encoding="utf-8")
    assert "Evaluation on training data: `" in card and "Held-out evaluation: `" in card


def test_evaluate_points_at_a_misspelt_label_and_train_reads_one_keep_label_whole(tmp_path: Path) -> None:
    docs = tiny_documents()
    docs[2]["paragraphs"][0]["label"] = "reportng"
    data = _write(tmp_path / "typo.jsonl", docs)
    result = invoke("evaluate", data)
    assert result.exit_code == 0 and "label 'reportng' looks like the model's 'reporting'" in result.stderr
    mine = tiny_documents()
    for doc in mine:
        for para in doc["paragraphs"]:
            para["label"] = "body" if para["label"] == "reporting" else "junk"
    model_dir = tmp_path / "m"
    from classifier.train import train_and_save

    train_and_save(_write(tmp_path / "mine.jsonl", mine), model_dir, folds=3, keep="body")
    assert classifier.load(model_dir).default_keep == ("body",)  # was read letter by letter: "not b, d, o, y"


def test_files_in_a_data_folder_that_are_not_read_are_named(tmp_path: Path) -> None:
    # A team's .json export and a compressed file in the folder were skipped in silence.
    (tmp_path / "data").mkdir()
    _write(tmp_path / "data" / "pages.jsonl", tiny_documents())
    (tmp_path / "data" / "more.json").write_text("[]", encoding="utf-8")
    (tmp_path / "data" / "old.jsonl.gz").write_bytes(b"\x1f\x8b")
    (tmp_path / "data" / "notes.md").write_text("about the data", encoding="utf-8")
    for command in ("data-stats", "evaluate"):
        result = invoke(command, tmp_path / "data")
        assert result.exit_code == 0, result.output
        assert "data: 2 files not read (more.json, old.jsonl.gz): only .jsonl and .tsv files are data" in result.stderr


def test_training_on_copies_of_one_page_names_the_copies(tmp_path: Path) -> None:
    # Two lines holding one page count as one page (cross-validation never tests on a copy of what it
    # trained on); "needs at least two documents" sent a tester looking for a missing line.
    page = {
        "paragraphs": [
            {"text": "Council backs the bridge plan.", "label": "reporting"},
            {"text": "Read more:", "label": "related-links"},
        ]
    }
    data = tmp_path / "twice.jsonl"
    data.write_text((json.dumps(page) + "\n") * 2, encoding="utf-8")
    result = invoke("train", data, "-o", tmp_path / "m")
    assert result.exit_code == 1
    assert "needs at least two different pages (2 documents, all copies of one page" in result.stderr
    data.write_text(json.dumps(page) + "\n", encoding="utf-8")
    assert "needs at least two different pages\n" in invoke("train", data, "-o", tmp_path / "m").stderr
