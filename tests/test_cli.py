"""Every command through typer's CliRunner, and the installed console script as a real subprocess."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from classifier.cli import app
from tests.conftest import ARTICLE

runner = CliRunner()
README = Path(__file__).parent.parent / "README.md"
COMMANDS = ["clean", "predict", "train", "evaluate", "info", "data-stats"]


def invoke(*args: str, input: bytes | str | None = None):
    return runner.invoke(app, [str(a) for a in args], input=input)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example_and_is_in_the_readme(command: str) -> None:
    result = invoke(command, "-h")
    assert result.exit_code == 0, result.output
    last = [line for line in result.output.splitlines() if line.strip()][-1].strip()
    assert last.startswith("Example: classifier " + command), last
    assert f"classifier {command}" in README.read_text(encoding="utf-8")


def test_clean_one_file_to_stdout() -> None:
    result = invoke("clean", ARTICLE)
    assert result.exit_code == 0
    assert "wetland park" in result.stdout and "newsletter" not in result.stdout


def test_clean_a_page_with_one_stray_blank_line_drops_the_same_junk() -> None:
    lines = ARTICLE.read_text(encoding="utf-8").splitlines()
    stray = "\n".join([*lines[:6], "", *lines[6:]]) + "\n"
    plain, spaced = invoke("clean", "-", input=ARTICLE.read_bytes()), invoke("clean", "-", input=stray)
    assert plain.exit_code == spaced.exit_code == 0
    assert [x for x in spaced.stdout.splitlines() if x.strip()] == plain.stdout.splitlines()
    assert len(plain.stdout.splitlines()) < len(lines)


def test_clean_stdin_to_stdout() -> None:
    result = invoke("clean", "-", input=ARTICLE.read_bytes())
    assert result.exit_code == 0 and "Councillors in Millbrook" in result.stdout


def test_clean_keep_all_labels_is_identity(tmp_path: Path) -> None:
    src = tmp_path / "a.txt"
    src.write_bytes(ARTICLE.read_bytes().replace(b"\n", b"\r\n"))
    result = invoke("clean", src, "--keep", "reporting,related-links,support-appeal,other")
    assert result.exit_code == 0 and result.stdout_bytes == src.read_bytes()
    assert result.stderr == "classifier: warning: --keep names every label of the model: nothing will be removed\n"


def test_clean_many_files_to_output_dir_mirrors_names(tmp_path: Path) -> None:
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    shutil.copy(ARTICLE, src / "one.txt")
    shutil.copy(ARTICLE, src / "sub" / "two.txt")
    result = invoke("clean", src, "--output-dir", tmp_path / "out", "--jobs", "2")
    assert result.exit_code == 0, result.output
    out = sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.txt"))
    assert out == ["one.txt", "sub/two.txt"]
    assert "Tags:" not in (tmp_path / "out" / "sub" / "two.txt").read_text()


def test_clean_in_place_rewrites_and_keeps_permissions(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    shutil.copy(ARTICLE, target)
    target.chmod(0o640)
    result = invoke("clean", target, "--in-place")
    assert result.exit_code == 0
    assert "Tags:" not in target.read_text() and "wetland park" in target.read_text()
    assert target.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root can give a file away")
def test_clean_in_place_as_root_keeps_the_files_owner(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    shutil.copy(ARTICLE, target)
    os.chown(target, 65534, 65534)
    assert invoke("clean", target, "--in-place").exit_code == 0
    assert "Tags:" not in target.read_text()
    assert (target.stat().st_uid, target.stat().st_gid) == (65534, 65534)


def test_clean_in_place_refuses_read_only_file_and_leaves_it(tmp_path: Path) -> None:
    target = tmp_path / "ro.txt"
    shutil.copy(ARTICLE, target)
    target.chmod(0o444)
    result = invoke("clean", target, "--in-place")
    assert result.exit_code == 1
    assert "read-only" in result.stderr
    assert target.read_bytes() == ARTICLE.read_bytes()


def test_many_inputs_without_destination_is_a_usage_error(tmp_path: Path) -> None:
    result = invoke("clean", ARTICLE, ARTICLE)
    assert result.exit_code == 2 and "--output-dir" in result.output


@pytest.mark.parametrize(
    ("keep", "message"), [("news", "unknown label"), ("", "at least one label"), (",", "at least one")]
)
def test_bad_keep_is_a_usage_error(keep: str, message: str) -> None:
    result = invoke("clean", ARTICLE, "--keep", keep)
    assert result.exit_code == 2 and message in result.output


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0 and result.stdout.startswith("classifier ")


def test_output_names_that_collide_are_refused_not_overwritten(tmp_path: Path) -> None:
    for sub in ("d1", "d2"):
        (tmp_path / sub).mkdir()
        shutil.copy(ARTICLE, tmp_path / sub / "a.txt")
    result = invoke("clean", tmp_path / "d1" / "a.txt", tmp_path / "d2" / "a.txt", "-o", tmp_path / "out")
    assert result.exit_code == 1 and "would overwrite the output of" in result.stderr
    assert "nothing was written" in result.stderr and not (tmp_path / "out" / "a.txt").exists()


def test_two_directories_whose_outputs_clash_are_refused_before_any_file_is_written(tmp_path: Path) -> None:
    # The first directory's files used to be written before the second's clashing name failed.
    for sub in ("d1", "d2"):
        (tmp_path / sub).mkdir()
        shutil.copy(ARTICLE, tmp_path / sub / "a.txt")
    shutil.copy(ARTICLE, tmp_path / "d2" / "b.txt")
    result = invoke("clean", tmp_path / "d1", tmp_path / "d2", "-o", tmp_path / "out")
    assert result.exit_code == 1 and "d2/a.txt" in result.stderr and "nothing was written" in result.stderr
    assert len(result.stderr.splitlines()) == 1  # one clash: one line
    assert not (tmp_path / "out").exists()  # not even the output directory


def test_output_dir_equal_to_input_dir_does_not_touch_originals(tmp_path: Path) -> None:
    shutil.copy(ARTICLE, tmp_path / "a.txt")
    result = invoke("clean", tmp_path / "a.txt", tmp_path / "a.txt", "-o", tmp_path)
    assert result.exit_code == 1 and "would overwrite the input" in result.stderr
    result = invoke("clean", tmp_path, "-o", tmp_path)
    assert result.exit_code == 1 and "directory is the output directory; use --in-place" in result.stderr
    (tmp_path / "sub").mkdir()
    shutil.copy(ARTICLE, tmp_path / "sub" / "a.txt")
    result = invoke("clean", tmp_path / "sub", "-o", tmp_path)
    assert result.exit_code == 1 and "directory is inside the output directory" in result.stderr
    assert (tmp_path / "a.txt").read_bytes() == ARTICLE.read_bytes()


def test_outputs_inside_an_input_directory_are_not_cleaned_again(tmp_path: Path) -> None:
    shutil.copy(ARTICLE, tmp_path / "a.txt")
    for _ in range(2):
        assert invoke("clean", tmp_path, "-o", tmp_path / "out").exit_code == 0
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.txt")) == ["a.txt", "out/a.txt"]


def test_train_refuses_to_overwrite_a_directory_that_is_not_a_model(tmp_path: Path, tiny_data: Path) -> None:
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "README.md").write_text("mine")
    result = invoke("train", tiny_data, "--output", tmp_path / "proj")
    assert result.exit_code == 1 and "not a model directory" in result.stderr
    assert (tmp_path / "proj" / "README.md").read_text() == "mine"
    (tmp_path / "file").write_text("x")
    result = invoke("train", tiny_data, "--output", tmp_path / "file" / "sub")
    assert result.exit_code == 1 and "is not a directory" in result.stderr and "Traceback" not in result.output


def test_failed_inputs_are_listed_and_others_still_processed(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    shutil.copy(ARTICLE, good)
    (tmp_path / "bin.txt").write_bytes(b"abc\0def")
    result = invoke("clean", good, tmp_path / "bin.txt", tmp_path / "missing.txt", "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert (tmp_path / "out" / "good.txt").exists()
    assert "binary file" in result.stderr and "missing.txt: no such file" in result.stderr
    assert "Traceback" not in result.output


def test_predict_formats(tmp_path: Path) -> None:
    text = invoke("predict", ARTICLE)
    assert text.exit_code == 0 and "support-appeal" in text.stdout
    jsonl = invoke("predict", ARTICLE, "--format", "jsonl")
    rows = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert set(rows[0]) == {"file", "index", "start", "end", "label", "score", "scores", "text", "kept"}
    assert [r["index"] for r in rows] == list(range(len(rows)))
    tsv = invoke("predict", ARTICLE, "--format", "tsv")
    assert tsv.stdout.splitlines()[0] == "file\tindex\tlabel\tscore\ttext"
    assert len(tsv.stdout.splitlines()) == len(rows) + 1


def test_predicted_tsv_can_be_corrected_and_used_for_train_and_evaluate(tmp_path: Path, tiny_data: Path) -> None:
    tsv = tmp_path / "labels.tsv"
    tsv.write_text(invoke("predict", ARTICLE, "--format", "tsv").stdout, encoding="utf-8")
    result = invoke("evaluate", tsv, "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["accuracy"] == 1.0
    trained = invoke("train", tiny_data, tsv, "--output", tmp_path / "m", "--folds", "3")
    assert trained.exit_code == 0, trained.output
    assert "macro F1" in trained.stdout


def test_predicted_tsv_survives_a_csv_tool_and_appended_runs(tmp_path: Path) -> None:
    # A spreadsheet or Python's csv module reads a cell that opens with a quote as a quoted field: a quoted
    # paragraph lost its quotes and took in the text after them. predict quotes such cells as CSV tools do,
    # and the loader reads them back, after a round trip through csv too; a second run appended with `>>`
    # repeats the header, which is read as one.
    import csv

    page = tmp_path / "page.txt"
    lines = [
        '"We will not close the school," the mayor said on Monday.',
        'He called it a "temporary" measure.',
        '"Yes"',
    ]
    page.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = invoke("predict", page, "--format", "tsv").stdout
    tsv = tmp_path / "fix.tsv"
    tsv.write_text(out + out.replace(str(page), "again.txt"), encoding="utf-8")
    with tsv.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f, delimiter="\t"))
    assert [r[4] for r in rows[1:4]] == lines
    resaved = tmp_path / "resaved.tsv"
    with resaved.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, delimiter="\t", lineterminator="\n").writerows(rows)
    for data in (tsv, resaved):
        result = invoke("evaluate", data, "--json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["documents"] == 2
    from classifier.data import load_documents

    assert [d.texts for d in load_documents([resaved])] == [lines, lines]


def test_a_row_deleted_from_a_corrected_tsv_is_pointed_out(tmp_path: Path) -> None:
    # Deleting a row takes its paragraph out of the page and makes its neighbours adjacent (trial 16).
    rows = invoke("predict", ARTICLE, "--format", "tsv").stdout.splitlines(keepends=True)
    whole, cut = tmp_path / "whole.tsv", tmp_path / "cut.tsv"
    whole.write_text("".join(rows), encoding="utf-8")
    cut.write_text("".join(rows[:3] + rows[5:]), encoding="utf-8")  # paragraphs 2 and 3 deleted
    assert "paragraph indices" not in invoke("evaluate", whole).stderr
    result = invoke("evaluate", cut)
    assert result.exit_code == 0
    assert f"{cut}: 1 page skips paragraph indices ({ARTICLE}: 2, 3); they are read" in result.stderr
    assert "skips paragraph indices" in invoke("data-stats", cut).stderr


def test_rows_deleted_from_several_tsv_pages_name_each_page(tmp_path: Path) -> None:
    other = tmp_path / "other.txt"
    other.write_bytes(ARTICLE.read_bytes())
    rows = invoke("predict", ARTICLE, other, "--format", "tsv").stdout.splitlines(keepends=True)
    n = len(rows) // 2  # header + the first page's rows, then the second page's
    cut = tmp_path / "cut.tsv"
    cut.write_text("".join(rows[:2] + rows[3 : n + 4] + rows[n + 5 :]), encoding="utf-8")
    result = invoke("evaluate", cut)
    assert f"2 pages skip paragraph indices ({ARTICLE}: 1; {other}: 3)" in result.stderr


def test_a_paragraph_emptied_by_a_spreadsheet_is_pointed_out_by_its_row(tmp_path: Path) -> None:
    # pandas re-saving a TSV empties texts reading "N/A" or "None" unless told not to (trial 16 follow-up).
    rows = [line.split("\t") for line in invoke("predict", ARTICLE, "--format", "tsv").stdout.splitlines()]
    rows[3][4] = ""
    data = tmp_path / "emptied.tsv"
    data.write_text("".join("\t".join(row) + "\n" for row in rows), encoding="utf-8")
    for command in ("evaluate", "data-stats"):
        result = invoke(command, data)
        assert result.exit_code == 0, result.output
        assert f"1 paragraph has no text (first: {data}:2, page '{ARTICLE}', index 2)" in result.stderr
        assert "keep_default_na=False" in result.stderr


def test_evaluating_a_model_on_its_own_training_data_says_so(
    tiny_data: Path, trained_dir: Path, tmp_path: Path
) -> None:
    # 0.99 macro-F1 on the training pages read as a held-out score (trial 16); other data gets no warning.
    note = "this is the data the model was trained on"
    same = invoke("evaluate", tiny_data, "-m", trained_dir, "--json")
    assert same.exit_code == 0 and note in same.stderr and json.loads(same.stdout)["documents"] == 12
    held_out = tmp_path / "held-out.tsv"
    held_out.write_text(invoke("predict", ARTICLE, "--format", "tsv").stdout, encoding="utf-8")
    other = invoke("evaluate", held_out, "-m", trained_dir)
    assert other.exit_code == 0 and note not in other.stderr


def test_evaluate_names_training_pages_mixed_with_new_ones_or_regrouped(
    tiny_data: Path, trained_dir: Path, tmp_path: Path
) -> None:
    # The whole-file SHA-256 missed training pages copied into another file (verification helper, session 23).
    from tests.conftest import tiny_documents

    docs = tiny_documents()
    regrouped = [dict(d, doc_id=f"copy-{i}") for i, d in enumerate(docs[:3])]
    regrouped[0]["paragraphs"] = regrouped[0]["paragraphs"] + [{"text": "A line of its own.", "label": "other"}]
    new_page = {
        "doc_id": "new",
        "paragraphs": [{"text": "The ferry timetable changes on Monday.", "label": "reporting"}],
    }
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text("".join(json.dumps(d) + "\n" for d in [*regrouped, new_page]), encoding="utf-8")
    result = invoke("evaluate", mixed, "-m", trained_dir, "--json")
    assert result.exit_code == 0, result.output
    assert "3 of the 4 documents are pages the model was trained on" in result.stderr
    assert json.loads(result.stdout)["documents_trained_on"] == 3
    # A model saved without the fingerprint (older versions) still knows its whole training data.
    old = tmp_path / "old"
    shutil.copytree(trained_dir, old)
    (old / "trained_pages.npy").unlink()
    assert "this is the data the model was trained on" in invoke("evaluate", tiny_data, "-m", old).stderr
    assert "trained on" not in invoke("evaluate", mixed, "-m", old).stderr


def test_train_prints_cross_validation_and_writes_model(tmp_path: Path, tiny_data: Path) -> None:
    result = invoke("train", tiny_data, "--output", tmp_path / "m", "--folds", "3", "--seed", "1", "--eval", tiny_data)
    assert result.exit_code == 0, result.output
    assert "cross-validation (3 folds" in result.stdout and "confusion" in result.stdout
    # Evaluating on the training data itself is allowed, but never presented as held-out.
    assert f"classifier: warning: {tiny_data}: 12 of its 12 documents are also in the training data" in result.stderr
    assert "held-out" not in result.stdout and f"evaluation (also trained on): {tiny_data}" in result.stdout
    card = (tmp_path / "m" / "README.md").read_text(encoding="utf-8")
    assert "Held-out" not in card and "12 of its 12 documents were also trained on." in card
    # twelve pages score 1.000 as easily as 0.5: the report, the card and info say so (trial 16)
    assert "(cross-validation over 12 pages: too few for these scores" in result.stdout
    assert "cross-validation over 12 pages: too few" in card
    assert "(12 pages: too few to judge by)" in invoke("info", "--model", tmp_path / "m").stdout
    assert "too few to judge by" not in invoke("info").stdout
    info = invoke("info", "--model", tmp_path / "m")
    assert info.exit_code == 0 and "related-links" in info.stdout and "macro-F1" in info.stdout
    assert f"{tiny_data} (also trained on: 12 of its 12 documents)" in info.stdout


def test_train_label_weight_is_recorded_and_shifts_decisions(tmp_path: Path) -> None:
    # One line labeled `other` on four pages and `reporting` on two: unweighted, `other` wins; weighing
    # `other` down to a tenth must turn it into article text. Probabilities of separable lines hardly move
    # with a class weight, so the test looks where a weight is meant to act: contested evidence.
    from tests.conftest import BODY, tiny_documents

    contested = "Weather update at noon"
    docs = tiny_documents()
    for i in range(6):
        label = "reporting" if i < 2 else "other"
        texts = [(BODY[i], "reporting"), (contested, label), (BODY[i + 1], "reporting")]
        docs.append(
            {
                "doc_id": f"w{i}",
                "lang": "en",
                "source": "news/test",
                "paragraphs": [{"text": t, "label": lab} for t, lab in texts],
            }
        )
    data = tmp_path / "contested.jsonl"
    data.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    result = invoke("train", data, "--output", tmp_path / "m", "--folds", "3", "--weight", "other=0.1")
    assert result.exit_code == 0, result.output
    config = json.loads((tmp_path / "m" / "config.json").read_text())
    assert config["training"]["label_weights"] == {
        "reporting": 1.0,
        "related-links": 1.0,
        "support-appeal": 1.0,
        "other": 0.1,
    }
    assert "other ×0.1" in (tmp_path / "m" / "README.md").read_text()
    import classifier

    page = [BODY[5], contested, BODY[6]]
    assert classifier.load(tmp_path / "m").classify(page)[1].label == "reporting"
    assert invoke("train", data, "--output", tmp_path / "p", "--folds", "3").exit_code == 0
    assert classifier.load(tmp_path / "p").classify(page)[1].label == "other"


@pytest.mark.parametrize(
    ("weight", "code", "message"),
    [
        ("reporting", 2, "is not LABEL=NUMBER"),
        ("reporting=lots", 2, "is not LABEL=NUMBER"),
        ("=2", 2, "is not LABEL=NUMBER"),
        ("headline=2", 2, "label weights name labels the data does not have: headline"),
        ("reporting=-1", 2, "a weight must be a positive number"),
        ("reporting=1e39", 2, "a weight must be a positive number up to 1e+06"),
    ],
)
def test_train_bad_label_weight_is_one_line_error(
    tmp_path: Path, tiny_data: Path, weight: str, code: int, message: str
) -> None:
    result = invoke("train", tiny_data, "--output", tmp_path / "m", "--weight", weight)
    assert result.exit_code == code
    assert message in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "m").exists()


def test_train_refuses_a_label_weighted_twice(tmp_path: Path, tiny_data: Path) -> None:
    result = invoke("train", tiny_data, "-o", tmp_path / "m", "--weight", "other=2", "--weight", "other=1")
    assert result.exit_code == 2 and "weighted twice" in result.stderr


@pytest.mark.parametrize("label", ["ad,banner", "ad\tbanner"])
def test_train_refuses_labels_that_keep_and_tsv_cannot_carry(tmp_path: Path, label: str) -> None:
    data = tmp_path / "d.jsonl"
    docs = [
        {
            "doc_id": f"d{i}",
            "paragraphs": [{"text": "Story text here.", "label": "article"}, {"text": "x", "label": label}],
        }
        for i in range(4)
    ]
    data.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    result = invoke("train", data, "--output", tmp_path / "m")
    assert result.exit_code == 1 and "comma, tab or line break" in result.stderr
    assert not (tmp_path / "m").exists()
    stats = invoke("data-stats", data)  # what train refuses, data-stats warns of
    assert stats.exit_code == 0 and f"label {label!r} contains a comma, tab or line break" in stats.stderr


def test_clean_in_place_cleans_a_file_once_however_often_it_is_named(tmp_path: Path) -> None:
    src = tmp_path / "pages"
    src.mkdir()
    shutil.copy(ARTICLE, src / "a.txt")
    (src / "b.txt").symlink_to("a.txt")
    once = invoke("clean", ARTICLE).stdout
    result = invoke("clean", src, src / "a.txt", "--in-place")
    assert result.exit_code == 0, result.output
    assert (src / "a.txt").read_text(encoding="utf-8") == once
    assert (src / "b.txt").is_symlink()
    warnings = [line for line in result.stderr.splitlines() if line.endswith("; cleaned once")]
    assert len(warnings) == 2 and "same file as" in warnings[0] and "listed twice in the inputs" in warnings[1]


def test_clean_to_a_directory_cleans_a_file_once_however_often_it_is_named(tmp_path: Path) -> None:
    src = tmp_path / "pages"
    (src / "sub").mkdir(parents=True)
    shutil.copy(ARTICLE, src / "sub" / "a.txt")
    twice = invoke("clean", src / "sub" / "a.txt", src / "sub" / "a.txt", "-o", tmp_path / "out1")
    assert twice.exit_code == 0, twice.output  # was: its second name clashed with its own output
    assert [p.name for p in (tmp_path / "out1").iterdir()] == ["a.txt"]
    nested = invoke("clean", src, src / "sub", "-o", tmp_path / "out2")
    assert nested.exit_code == 0, nested.output
    assert sorted(str(p.relative_to(tmp_path / "out2")) for p in (tmp_path / "out2").rglob("*.txt")) == ["sub/a.txt"]
    for result in (twice, nested):
        assert result.stderr.count("; cleaned once") == 1


def test_predict_json_is_jsonl_and_names_with_tabs_stay_one_column(tmp_path: Path) -> None:
    odd = tmp_path / "a\tb.txt"
    shutil.copy(ARTICLE, odd)
    rows = [json.loads(line) for line in invoke("predict", ARTICLE, "--json").stdout.splitlines()]
    assert rows and {"file", "index", "label", "score", "text"} <= set(rows[0])
    assert invoke("predict", ARTICLE, "--json", "--format", "tsv").exit_code == 2
    assert invoke("predict", ARTICLE, "--json", "--format", "text").exit_code == 2  # was JSONL in silence
    assert invoke("predict", ARTICLE, "--json", "--format", "jsonl").exit_code == 0
    text = invoke("predict", odd, ARTICLE).stdout.splitlines()
    assert all(line.count("\t") == 1 for line in text)
    assert text[0].startswith(str(odd).replace("\t", "\\t") + ":0\t")


def test_predict_jsonl_offsets_point_into_the_file_text(tmp_path: Path) -> None:
    """A program lines paragraphs up with the file by their offsets: CRLF line endings, a hard-wrapped
    paragraph, a BOM and text beyond ASCII must not shift them."""
    wrapped = " ".join(["Die Stadtwerke erneuern die Leitungen in der Altstadt, sagt die Sprecherin."] * 3)
    lines = [
        "Read more:",
        "- Größere Busse für die Linie 4",
        "",
        *textwrap.wrap(wrapped, 60),
        "",
        "Ünd ein Schluss.",
    ]
    page = tmp_path / "page.txt"
    page.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8"))
    rows = [json.loads(line) for line in invoke("predict", page, "--json").stdout.splitlines()]
    text = page.read_bytes().decode("utf-8-sig")
    assert len(rows) == 4 and "\r\n" in rows[2]["text"]
    for row in rows:
        assert text[row["start"] : row["end"]] == row["text"]
    assert [row["start"] for row in rows] == sorted(row["start"] for row in rows)


def test_predict_jsonl_offsets_count_a_byte_that_is_not_utf8_as_one_character(tmp_path: Path) -> None:
    # A Latin-1 "é" in a UTF-8 file: read as the README says (surrogateescape), the offsets still line up,
    # and the JSON text shows the byte as U+FFFD rather than failing to encode it.
    page = tmp_path / "page.txt"
    page.write_bytes(b"Caf\xe9 owners protest rent rise\nThe owners of the caf\xe9 said the rent had doubled.\n")
    rows = [json.loads(line) for line in invoke("predict", page, "--json").stdout.splitlines()]
    text = page.read_bytes().decode("utf-8", errors="surrogateescape")
    assert len(rows) == 2 and rows[0]["text"] == "Caf\ufffd owners protest rent rise"
    for row in rows:
        shown = text[row["start"] : row["end"]].encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        assert shown == row["text"]


def test_train_reports_bad_data_with_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"paragraphs": [{"text": "x", "label": "other"}]}\n{oops\n')
    result = invoke("train", bad, "--output", tmp_path / "m")
    assert result.exit_code == 1
    assert re.search(r"bad\.jsonl:2: bad JSON", result.stderr)


def _jsonl(path: Path, docs: list[list[tuple[str, str]]]) -> Path:
    rows = [{"doc_id": f"d{i}", "paragraphs": [{"text": t, "label": lab} for t, lab in d]} for i, d in enumerate(docs)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_train_on_too_few_documents_for_the_folds_is_one_line_error(tmp_path: Path) -> None:
    data = _jsonl(
        tmp_path / "few.jsonl",
        [[("Read more:", "related-links"), ("The council met.", "reporting")], [("The budget passed.", "reporting")]],
    )
    result = invoke("train", data, "--output", tmp_path / "m")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "fold" in result.stderr and "only 'reporting'" in result.stderr
    assert not (tmp_path / "m").exists()


def test_train_refuses_labels_that_differ_only_in_case(tmp_path: Path) -> None:
    data = _jsonl(
        tmp_path / "typo.jsonl",
        [[("Read more:", "related-links"), ("The council met.", "Reporting")], [("It passed.", "reporting")]],
    )
    result = invoke("train", data, "--output", tmp_path / "m")
    assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1
    assert f"labels 'Reporting' (first in {data}:1) and 'reporting' (first in {data}:2) differ only in case" in (
        result.stderr
    )
    # data-stats, where a team checks its data before training, says the same as a warning
    stats = invoke("data-stats", data)
    assert stats.exit_code == 0 and "'Reporting' (first in" in stats.stderr and "training refuses them" in stats.stderr
    # and evaluate names the model's label a misspelt one stands for
    evaluated = invoke("evaluate", data)
    assert f"{data}:1: label 'Reporting' looks like the model's 'reporting' (case, spacing" in evaluated.stderr


def test_readme_library_example_prints_what_the_readme_says() -> None:
    import ast

    import classifier

    text = README.read_text(encoding="utf-8")
    page = ast.literal_eval(re.search(r"page = (\[.*?\])\n", text, re.S).group(1))
    claimed = ast.literal_eval(re.search(r"\[p\.label for p in preds\]\n# (\[.*?\])\n", text).group(1))
    assert [p.label for p in classifier.load().classify(page)] == claimed


def test_evaluate_prints_scores_and_cleaning_view(tiny_data: Path) -> None:
    result = invoke("evaluate", tiny_data)
    assert result.exit_code == 0
    assert "macro F1" in result.stdout and "reporting chars kept" in result.stdout


def test_the_cleaning_view_does_not_call_what_it_drops_by_a_label_it_keeps(tiny_data: Path) -> None:
    # With `other` kept, "other chars dropped" read as if the kept label had been dropped.
    result = invoke("evaluate", tiny_data, "--keep", "reporting,other")
    assert result.exit_code == 0 and "other chars dropped" not in result.stdout
    assert "junk (labels not kept) chars dropped" in result.stdout
    assert "cleaning (keep reporting,other)" in result.stdout  # in the model's label order, as elsewhere


def test_evaluate_by_language_scores_each_group_as_if_evaluated_alone(tmp_path: Path, trained_dir: Path) -> None:
    from tests.conftest import tiny_documents

    docs = tiny_documents()
    for i, doc in enumerate(docs):
        doc["lang"] = ["en", "de", ""][i % 3]  # a third say no language
        doc["source"] = ["news/local", "blog"][i % 2]
    mixed, german = tmp_path / "mixed.jsonl", tmp_path / "de.jsonl"
    mixed.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    german.write_text("".join(json.dumps(d) + "\n" for d in docs if d["lang"] == "de"), encoding="utf-8")
    report = json.loads(
        invoke("evaluate", mixed, "--model", trained_dir, "--json", "--by", "lang", "--by", "kind").stdout
    )
    alone = json.loads(invoke("evaluate", german, "--model", trained_dir, "--json").stdout)
    assert list(report["by_lang"]) == ["(none)", "de", "en"]  # four documents each: ties in name order
    # comma-separated as --keep takes labels; a page with no language is "(none)" in data-stats too
    assert json.loads(invoke("evaluate", mixed, "-m", trained_dir, "--json", "--by", "lang,kind").stdout) == report
    assert json.loads(invoke("data-stats", mixed, "--json").stdout)["languages"] == {"(none)": 4, "de": 4, "en": 4}
    de = report["by_lang"]["de"]
    assert (de["documents"], de["paragraphs"]) == (alone["documents"], alone["paragraphs"])
    assert de["macro_f1"] == alone["macro_f1"]
    assert de["other_chars_dropped"] == alone["cleaning"]["other_chars_dropped"]
    assert {k: v["documents"] for k, v in report["by_kind"].items()} == {"blog": 6, "news": 6}
    text = invoke("evaluate", mixed, "--model", trained_dir, "--by", "lang").stdout
    assert re.search(r"^de\s+4\s+" + str(alone["paragraphs"]) + r"\s", text, re.M), text
    # groups this small are flagged: one page's macro F1 was read as a weak language
    assert "(fewer than 5 documents: 3 of the 3 groups;" in text
    assert "fewer than" not in invoke("evaluate", mixed, "--model", trained_dir, "--by", "kind").stdout


@pytest.mark.parametrize("field", ["country", "", ","])
def test_evaluate_by_an_unknown_or_empty_field_is_a_one_line_error(tiny_data: Path, field: str) -> None:
    result = invoke("evaluate", tiny_data, "--by", field)  # "" as from an unset shell variable
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "lang, source, kind" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "(see 'classifier evaluate -h')" in result.stderr  # like every other usage error


def test_evaluate_threshold_moves_the_cleaning_view_and_matches_clean(tmp_path: Path, tiny_data: Path) -> None:
    low, high = (
        json.loads(invoke("evaluate", tiny_data, "--json", "-t", t).stdout)["cleaning"] for t in ("0.05", "0.95")
    )
    assert (low["threshold"], high["threshold"]) == (0.05, 0.95)
    assert low["reporting_chars_kept"] >= high["reporting_chars_kept"]
    assert low["other_chars_dropped"] <= high["other_chars_dropped"]
    assert (
        low["other_chars_dropped"] < high["other_chars_dropped"]
        or low["reporting_chars_kept"] > high["reporting_chars_kept"]
    )
    assert "threshold 0.95" in invoke("evaluate", tiny_data, "-t", "0.95").stdout


def test_clean_threshold_option(tmp_path: Path) -> None:
    everything = invoke("clean", ARTICLE, "--threshold", "0")
    assert everything.exit_code == 0 and everything.stdout_bytes == ARTICLE.read_bytes()
    strict, default = invoke("clean", ARTICLE, "-t", "0.99"), invoke("clean", ARTICLE)
    assert strict.exit_code == 0 and len(strict.stdout) <= len(default.stdout)
    bad = invoke("clean", ARTICLE, "--threshold", "2")
    assert bad.exit_code == 2 and "--threshold" in bad.stderr


def test_data_stats_writes_card_between_markers(tmp_path: Path, tiny_data: Path) -> None:
    card = tmp_path / "README.md"
    card.write_text("# Data\n\nprose\n\n<!-- data-stats:start -->\nold\n<!-- data-stats:end -->\n\nmore prose\n")
    result = invoke("data-stats", tiny_data, "--write-card", card)
    assert result.exit_code == 0
    text = card.read_text()
    assert "old" not in text and "| en | 12 |" in text and text.endswith("more prose\n")


def test_data_stats_card_in_a_missing_directory_names_the_path(tmp_path: Path, tiny_data: Path) -> None:
    card = tmp_path / "nodir" / "card.md"
    result = invoke("data-stats", tiny_data, "--write-card", card)
    assert result.exit_code == 1 and f"{card}: cannot write" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("state", ["empty", "corrupt", "newer"])
def test_bad_model_directory_is_one_line_error(tmp_path: Path, trained_dir: Path, state: str) -> None:
    model = tmp_path / "model"
    if state == "empty":
        model.mkdir()
    else:
        shutil.copytree(trained_dir, model)
        config = model / "config.json"
        config.write_text(
            "{" if state == "corrupt" else re.sub(r'"format_version": \d+', '"format_version": 70', config.read_text())
        )
    result = invoke("clean", ARTICLE, "--model", model)
    assert result.exit_code == (2 if state == "empty" else 1)  # no model there: a usage error; a damaged one fails
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_installed_console_script_runs_as_subprocess(tmp_path: Path) -> None:
    exe = shutil.which("classifier", path=os.path.dirname(sys.executable)) or shutil.which("classifier")
    assert exe, "console script not installed"
    done = subprocess.run([exe, "clean", str(ARTICLE)], capture_output=True, cwd=tmp_path, timeout=60)
    assert done.returncode == 0 and b"wetland park" in done.stdout and b"Tags:" not in done.stdout
    usage = subprocess.run([exe, "clean"], capture_output=True, cwd=tmp_path, timeout=60)
    assert usage.returncode == 2
    module = subprocess.run([sys.executable, "-m", "classifier", "info"], capture_output=True, timeout=60)
    assert module.returncode == 0 and b"labels:" in module.stdout


def test_train_without_scikit_learn_says_how_to_install_it(
    tmp_path: Path, tiny_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "sklearn", None)
    result = invoke("train", tiny_data, "--output", tmp_path / "m")
    assert result.exit_code == 1 and '"scikit-learn>=1.7"' in result.stderr and '(the "train" extra)' in result.stderr
    assert not (tmp_path / "m").exists()


def test_a_data_file_named_twice_is_read_once(tmp_path: Path, tiny_data: Path) -> None:
    """Its documents twice would sit in different folds and inflate cross-validation."""
    once = json.loads(invoke("data-stats", tiny_data, "--json").stdout)
    twice = json.loads(invoke("data-stats", tiny_data.parent, tiny_data, tiny_data, "--json").stdout)
    assert twice["documents"] == once["documents"] and twice["paragraphs"] == once["paragraphs"]


def test_train_eval_and_evaluate_both_name_labels_the_model_lacks(tmp_path: Path, tiny_data: Path) -> None:
    lines = tiny_data.read_text(encoding="utf-8").splitlines()
    doc = json.loads(lines[0])
    doc["paragraphs"][0]["label"] = "comment"
    foreign = tmp_path / "foreign.jsonl"
    foreign.write_text(json.dumps(doc) + "\n", encoding="utf-8")
    note = "labels unknown to the model (counted as errors): comment"
    trained = invoke("train", tiny_data, "-o", tmp_path / "m", "--eval", foreign)
    assert trained.exit_code == 0 and note in trained.stdout
    evaluated = invoke("evaluate", foreign, "--model", tmp_path / "m")
    assert evaluated.exit_code == 0 and note in evaluated.stdout


def test_parallel_predict_into_a_closed_pipe_exits_quietly(tmp_path: Path) -> None:
    # `classifier predict DIR --jobs 2 | head -1`: the files still queued for the workers are dropped
    # without a warning or a traceback.
    for i in range(200):
        shutil.copy(ARTICLE, tmp_path / f"a{i:03d}.txt")
    cmd = [sys.executable, "-m", "classifier", "predict", str(tmp_path), "--jobs", "2"]
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()
        proc.stdout.close()
        err = proc.stderr.read()
        assert proc.wait(timeout=60) == 1
    # On a loaded machine loky's resource tracker (a separate process) may still report a semaphore of
    # the cancelled pool at exit: its own cosmetic notice, not ours, and not what this test is about.
    ours, theirs = b"", False
    for line in err.splitlines(keepends=True):
        theirs = b"resource_tracker" in line or (theirs and line.startswith(b" "))  # a warning and its source line
        ours += b"" if theirs else line
    assert first.startswith(str(tmp_path / "a000.txt").encode()) and ours == b"", err.decode()


@pytest.mark.parametrize(("pattern", "message"), [("", "give a file name pattern"), ("sub/*.txt", "names a path")])
def test_a_glob_that_can_match_nothing_is_a_usage_error(tmp_path: Path, pattern: str, message: str) -> None:
    (tmp_path / "sub").mkdir()
    shutil.copy(ARTICLE, tmp_path / "sub" / "a.txt")
    result = invoke("predict", tmp_path, "--glob", pattern)
    assert result.exit_code == 2 and message in result.stderr


def test_directory_inputs_come_in_sorted_path_order_and_a_link_loop_ends(tmp_path: Path) -> None:
    # Files are walked one directory at a time (a crawl can hold a million), yet come in the order a sort
    # of their whole paths gives; a symlink back up the tree is followed once, not forever.
    names = ["b.txt", "b-c.txt", "b/c.txt", "b/c/z.txt", "a b/x.txt", "a.txt", "B.txt"]
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ARTICLE, tmp_path / name)
    (tmp_path / "b" / "loop").symlink_to(tmp_path)
    result = invoke("predict", tmp_path, "--format", "tsv")
    assert result.exit_code == 0, result.output
    files = list(dict.fromkeys(line.split("\t")[0] for line in result.stdout.splitlines()[1:]))
    assert files == sorted(str(tmp_path / name) for name in names)


def test_outputs_that_meet_through_a_symlink_in_the_output_directory_are_refused(tmp_path: Path) -> None:
    for sub in ("a", "b"):
        (tmp_path / "in" / sub).mkdir(parents=True)
        shutil.copy(ARTICLE, tmp_path / "in" / sub / "x.txt")
    (tmp_path / "out" / "a").mkdir(parents=True)
    (tmp_path / "out" / "b").symlink_to(tmp_path / "out" / "a")
    result = invoke("clean", tmp_path / "in", "-o", tmp_path / "out")
    assert result.exit_code == 1 and "would overwrite the output of" in result.stderr
    assert str(tmp_path / "in" / "a" / "x.txt") in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["clean"],  # missing argument
        ["clean", "a.txt", "--no-such-option"],
        ["clean", "a.txt", "--threshold", "5"],  # out of range
        ["predict", "a.txt", "--format", "xml"],  # not a choice
        ["train", "training_data"],  # missing --output
        ["no-such-command"],
    ],
)
def test_usage_errors_are_one_line_naming_the_help(args: list[str]) -> None:
    result = runner.invoke(app, args)
    lines = result.stderr.splitlines()
    assert result.exit_code == 2, result.output
    assert len(lines) == 1 and lines[0].startswith("classifier: error: ") and " -h')" in lines[0], lines


def test_no_arguments_print_the_help() -> None:
    result = runner.invoke(app, [])
    assert result.exit_code == 2 and "Commands" in result.output and "clean" in result.output


def test_predict_tsv_of_a_file_name_that_is_not_utf8_can_be_trained_on(tmp_path: Path, trained_dir: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    with open(os.path.join(os.fsencode(src), b"bad\xffname.txt"), "wb") as f:
        f.write(ARTICLE.read_bytes())
    result = runner.invoke(app, ["predict", str(src), "--format", "tsv", "--model", str(trained_dir)])
    assert result.exit_code == 0, result.output
    (tmp_path / "fix.tsv").write_bytes(result.stdout_bytes)
    scored = runner.invoke(app, ["evaluate", str(tmp_path / "fix.tsv"), "--model", str(trained_dir)])
    assert scored.exit_code == 0, scored.output


def test_a_file_that_is_not_one_page_is_pointed_out(tmp_path: Path) -> None:
    # Each input is read as one page; a JSONL dump or a file of many pages is cleaned, but far worse.
    dump = tmp_path / "dump.jsonl"
    dump.write_text("".join(f'{{"id": {i}, "text": "Story number {i}."}}\n' for i in range(5)), encoding="utf-8")
    many = tmp_path / "many.txt"
    many.write_text(ARTICLE.read_text(encoding="utf-8") * 300, encoding="utf-8")
    lines = sum(1 for line in ARTICLE.read_text(encoding="utf-8").splitlines() if line.strip()) * 300
    just = tmp_path / "just.txt"  # exactly the limit, blank lines not counted: no warning
    just.write_text("A line of the article.\n\n" * 3000, encoding="utf-8")
    assert "read as one page" not in invoke("predict", just).stderr
    plain = tmp_path / "plain.txt"  # lines that open with "<" but no tag
    plain.write_text("< Back to news\n<3 from the team\n<< Previous story\nA line of the article.\n", encoding="utf-8")
    assert "HTML" not in invoke("clean", plain).stderr
    result = invoke("clean", dump)
    assert result.exit_code == 0 and "dump.jsonl: looks like JSON lines" in result.stderr
    result = invoke("predict", many)
    assert result.exit_code == 0 and f"many.txt: {lines} non-blank lines read as one page" in result.stderr
    page = tmp_path / "page.txt"  # a saved page: its tags would be read as words
    page.write_text("<!DOCTYPE html>\n<html><body><h1>Storm closes ports</h1><p>Gales forced...</p>", encoding="utf-8")
    tags = tmp_path / "tags.txt"
    tags.write_text(
        "<h1>Storm closes ports</h1>\n<p>Gales forced three ports shut.</p>\n<p>Read more:</p>\n", encoding="utf-8"
    )
    for html in (page, tags):
        result = invoke("clean", html)
        assert result.exit_code == 0 and f"{html.name}: looks like HTML" in result.stderr and "--html" in result.stderr
    result = invoke("clean", ARTICLE)
    assert result.exit_code == 0 and "warning" not in result.stderr


def test_predict_marks_what_clean_keeps_with_the_same_keep_and_threshold() -> None:
    # A preview of clean: the same rule, so the kept rows are exactly the paragraphs clean writes out.
    for options in ((), ("--threshold", "0.9"), ("--keep", "reporting,other", "-t", "0.3")):
        rows = [json.loads(line) for line in invoke("predict", ARTICLE, "--json", *options).stdout.splitlines()]
        cleaned = invoke("clean", ARTICLE, *options).stdout.splitlines()
        assert [r["text"] for r in rows if r["kept"]] == [line for line in cleaned if line.strip()]
        text = invoke("predict", ARTICLE, *options).stdout.splitlines()
        assert [line.split()[3] for line in text] == ["+" if r["kept"] else "-" for r in rows]


def test_many_clashing_outputs_are_summed_up_with_the_reason_said_once(tmp_path: Path) -> None:
    for sub in ("s0", "s1"):
        (tmp_path / sub).mkdir()
        for i in range(14):
            shutil.copy(ARTICLE, tmp_path / sub / f"story{i:02d}.txt")
    result = invoke("clean", tmp_path / "s0", tmp_path / "s1", "-o", tmp_path / "out")
    lines = result.stderr.splitlines()
    assert result.exit_code == 1 and "14 input(s) cannot be cleaned as asked; nothing was written" in lines[0]
    assert len(lines) == 12 and lines[-1] == "  … and 4 more"
    assert result.stderr.count("mirrored relative to the argument") == 1
    assert "s1/story00.txt" in lines[1] and "the output of" in lines[1] and "s0/story00.txt" in lines[1]


def test_predict_labels_a_file_named_twice_once(tmp_path: Path) -> None:
    shutil.copy(ARTICLE, tmp_path / "a.txt")
    once = invoke("predict", tmp_path / "a.txt", "--json").stdout.splitlines()
    result = invoke("predict", tmp_path / "a.txt", tmp_path, "--json")
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == len(once)
    assert "cleaned once" not in result.stderr and "labeled once" in result.stderr


def test_keep_given_twice_keeps_both_labels() -> None:
    # The last --keep alone would have kept the byline and dropped the article.
    both = invoke("clean", ARTICLE, "-k", "reporting", "-k", "other")
    assert both.exit_code == 0 and both.stdout == invoke("clean", ARTICLE, "-k", "reporting,other").stdout


def _session_processes(session: int) -> list[str]:
    """Processes still alive (not zombies) in ``session``, from /proc."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session and fields[0] != "Z":
            alive.append(stat.parent.name)
    return alive


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
@pytest.mark.parametrize(
    ("whom", "signum", "status"),
    [
        ("group", signal.SIGINT, 130),  # Ctrl-C in a terminal
        ("parent", signal.SIGINT, 130),  # a supervisor's SIGINT
        ("parent", signal.SIGTERM, 143),  # kill, timeout
        ("group", signal.SIGHUP, 129),  # the terminal or ssh session closed
        ("parent", signal.SIGKILL, -9),  # the OOM killer: nothing to say, but the workers must not stay
    ],
)
def test_a_stopped_parallel_clean_in_place_leaves_each_file_whole_and_no_process_behind(
    tmp_path: Path, whom: str, signum: int, status: int
) -> None:
    # Each file is the original or its cleaned text and no temporary file is left beside it (joblib killed
    # its workers mid-write on SIGINT: 5 runs in 12 left one); after SIGTERM or SIGKILL to the parent, its
    # workers ran on forever, and a reader of its stderr hung.
    cleaned = invoke("clean", ARTICLE).stdout_bytes
    original = ARTICLE.read_bytes()
    for i in range(400):
        shutil.copy(ARTICLE, tmp_path / f"a{i:03d}.txt")
    cmd = [sys.executable, "-m", "classifier", "clean", str(tmp_path), "--in-place", "--jobs", "2"]
    with subprocess.Popen(cmd, stderr=subprocess.PIPE, start_new_session=True) as proc:
        first = [tmp_path / f"a{i:03d}.txt" for i in range(3)]  # by name: temporary files come and go
        while proc.poll() is None and all(p.read_bytes() == original for p in first):
            time.sleep(0.02)
        if whom == "group":
            os.killpg(proc.pid, signum)
        else:
            proc.send_signal(signum)
        assert proc.stderr is not None
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=60) == status, err
    if signum != signal.SIGKILL:
        assert err == "classifier: interrupted; no file was left half-written\n"
    deadline = time.monotonic() + 20
    while _session_processes(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _session_processes(proc.pid) == []
    contents = {p.name: p.read_bytes() for p in tmp_path.iterdir()}  # SIGKILL left temporary files before
    assert len(contents) == 400 and set(contents.values()) <= {original, cleaned}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_files_scored_together_come_out_as_each_cleaned_alone(tmp_path: Path, jobs: str) -> None:
    # Files are read, scored and written FILES_PER_TASK at a time; each is still its own page, and a file
    # that fails in the middle of a task neither shifts nor stops the others.
    lines = ARTICLE.read_text(encoding="utf-8").splitlines()
    src = tmp_path / "in"
    src.mkdir()
    for i in range(40):
        (src / f"p{i:02d}.txt").write_text("\n".join(lines[i % 7 :] if i % 3 else lines[: 5 + i % 9]) + "\n")
    (src / "p05.txt").write_bytes(b"\x00\x01binary")  # fails when read
    (src / "p06.txt").write_text("")  # no paragraphs
    result = invoke("clean", src, "-o", tmp_path / "out", "--jobs", jobs)
    assert result.exit_code == 1 and "p05.txt" in result.stderr
    for path in sorted(src.iterdir()):
        if path.name == "p05.txt":
            assert not (tmp_path / "out" / path.name).exists()
            continue
        assert (tmp_path / "out" / path.name).read_bytes() == invoke("clean", path).stdout_bytes, path.name
    labelled = [json.loads(row) for row in invoke("predict", src, "--json", "--jobs", jobs).stdout.splitlines()]
    alone = [
        json.loads(row)
        for path in sorted(src.iterdir())
        for row in invoke("predict", path, "--json").stdout.splitlines()
    ]
    assert [(r["index"], r["label"], r["text"]) for r in labelled] == [
        (r["index"], r["label"], r["text"]) for r in alone
    ]


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads signal dispositions from /proc")
def test_a_hangup_ignored_by_nohup_stays_ignored() -> None:
    # `nohup classifier clean …` must outlive the terminal: the command installed its own SIGHUP handler
    # over nohup's, and a closed ssh session stopped the run with status 129.
    def ignore_hangup() -> None:
        signal.signal(signal.SIGHUP, signal.SIG_IGN)

    cmd = [sys.executable, "-m", "classifier", "clean", "-"]
    with subprocess.Popen(
        cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=ignore_hangup
    ) as proc:
        deadline = time.monotonic() + 30
        status = Path(f"/proc/{proc.pid}/status")
        # Once SIGTERM is caught, the command has set its handlers up and is reading stdin.
        while time.monotonic() < deadline and not int(
            re.search(r"SigCgt:\s*(\w+)", status.read_text())[1],
            16,  # type: ignore[index]
        ) & (1 << (signal.SIGTERM - 1)):
            time.sleep(0.02)
        proc.send_signal(signal.SIGHUP)
        out, err = proc.communicate(ARTICLE.read_bytes(), timeout=60)
    assert proc.returncode == 0, err
    assert out.strip()
