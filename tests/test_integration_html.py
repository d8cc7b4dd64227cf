"""trafilatura in front: classifier.clean_html and `classifier clean/predict --html` on small pages written here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import classifier
from classifier.cli import app
from classifier.integrations import MissingExtraError
from tests.conftest import BODY

HEADLINE = "Headline number 3 about the valley"
#: Junk that trafilatura keeps because it sits inside the article container.
JUNK = ["Subscribe to our newsletter", "Related stories", "Tags: council, budget", "© 2025 Valley Times."]


def page(charset: str = "utf-8", extra: str = "") -> str:
    """A news page from the sentences the test model was trained on: navigation and footer outside the
    article (trafilatura drops those), junk inside it (trafilatura keeps that)."""
    body = "\n".join(f"<p>{p}</p>" for p in BODY[:3])
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="{charset}"><title>The valley news</title></head>
<body>
<header><nav><a href="/">Home</a> <a href="/local">Local</a> <a href="/sport">Sport</a></nav></header>
<main><article>
<h1>{HEADLINE}</h1>
{body}{extra}
<p>Subscribe to our newsletter</p>
<h2>Related stories</h2>
<p>Tags: council, budget</p>
<p>© 2025 Valley Times. All rights reserved.</p>
</article></main>
<footer><p>Contact us | Privacy policy</p></footer>
</body></html>
"""


ARTICLE_TEXT = "\n".join([HEADLINE, *BODY[:3]])
EMPTY_PAGE = "<html><head><title>Gallery</title></head><body><img src='a.png'></body></html>"
runner = CliRunner()


def test_trafilatura_alone_leaves_junk_that_clean_html_removes(trained_model: classifier.Model) -> None:
    extracted = classifier.html.extract_text(page())
    assert extracted.splitlines() == [HEADLINE, *BODY[:3], "Subscribe to our newsletter", *JUNK[1:3],
                                      "© 2025 Valley Times. All rights reserved."]  # fmt: skip
    cleaned = classifier.clean_html(page(), url="https://news.example.org/local/valley", model=trained_model)
    assert cleaned == ARTICLE_TEXT


def test_clean_html_uses_the_shipped_model_by_default() -> None:
    cleaned = classifier.clean_html(page())
    assert cleaned == classifier.load().clean(classifier.html.extract_text(page()))
    assert set(cleaned.splitlines()) <= set(classifier.html.extract_text(page()).splitlines())


def test_clean_html_reads_bytes_in_the_charset_the_page_declares(trained_model: classifier.Model) -> None:
    html = page("iso-8859-1", extra="<p>Tickets for the café concert cost £5 at the door this year.</p>")
    everything = classifier.clean_html(html.encode("iso-8859-1"), model=trained_model, keep=trained_model.labels)
    assert "Tickets for the café concert cost £5 at the door this year." in everything.splitlines()


def test_clean_html_keeps_the_labels_asked_for(trained_model: classifier.Model) -> None:
    kept = classifier.clean_html(page(), model=trained_model, keep=("reporting", "related-links"))
    assert kept == "\n".join([ARTICLE_TEXT, *JUNK[1:3]])
    with pytest.raises(classifier.ClassifierError, match="unknown label"):
        classifier.clean_html(page(), model=trained_model, keep=("news",))


def test_page_without_main_text_cleans_to_empty_string(trained_model: classifier.Model) -> None:
    assert classifier.clean_html(EMPTY_PAGE, model=trained_model) == ""


def test_missing_trafilatura_is_a_classifier_error_with_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "trafilatura", None)  # what `import trafilatura` sees when it is not installed
    with pytest.raises(MissingExtraError) as info:
        classifier.html.extract_text(page())
    assert isinstance(info.value, classifier.ClassifierError) and isinstance(info.value, ImportError)
    assert "pip install " in str(info.value) and '"trafilatura>=1.8"' in str(info.value)  # works without an index
    result = runner.invoke(app, ["clean", "--html", "-"], input=page())
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and '(the "html" extra)' in result.stderr


def test_import_classifier_does_not_import_trafilatura() -> None:
    code = "import sys, classifier; print('trafilatura' in sys.modules, 'lxml' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.split() == ["False", "False"]


def test_cli_clean_html_page_to_stdout(trained_dir: Path) -> None:
    result = runner.invoke(app, ["clean", "--html", "-", "--model", str(trained_dir)], input=page())
    assert result.exit_code == 0, result.output
    assert result.stdout == ARTICLE_TEXT + "\n"


def test_cli_clean_html_directory_writes_txt_files_mirroring_names(tmp_path: Path, trained_dir: Path) -> None:
    src = tmp_path / "pages"
    (src / "local").mkdir(parents=True)
    (src / "front.html").write_text(page(), encoding="utf-8")
    (src / "local" / "valley.html").write_bytes(page("iso-8859-1").encode("iso-8859-1"))
    (src / "notes.txt").write_text("not a page", encoding="utf-8")
    args = ["clean", "--html", str(src), "--output-dir", str(tmp_path / "out"), "--jobs", "2", "-m", str(trained_dir)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    written = sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*"))
    assert written == ["front.txt", "local", "local/valley.txt"]
    assert (tmp_path / "out" / "local" / "valley.txt").read_text(encoding="utf-8") == ARTICLE_TEXT + "\n"


def test_cli_clean_html_warns_about_a_page_without_main_text(tmp_path: Path, trained_dir: Path) -> None:
    empty = tmp_path / "empty.html"
    empty.write_text(EMPTY_PAGE, encoding="utf-8")
    result = runner.invoke(app, ["clean", "--html", str(empty), "--model", str(trained_dir)])
    assert result.exit_code == 0
    assert result.stdout == "" and "empty.html: trafilatura found no main text" in result.stderr


def test_cli_clean_html_refuses_in_place(tmp_path: Path) -> None:
    target = tmp_path / "a.html"
    target.write_text(page(), encoding="utf-8")
    result = runner.invoke(app, ["clean", "--html", "--in-place", str(target)])
    assert result.exit_code == 2 and "--output-dir" in result.output
    assert target.read_text(encoding="utf-8") == page()


def test_cli_predict_html_labels_the_extracted_paragraphs(tmp_path: Path, trained_dir: Path) -> None:
    target = tmp_path / "a.html"
    target.write_text(page(), encoding="utf-8")
    result = runner.invoke(app, ["predict", "--html", str(target), "--format", "tsv", "--model", str(trained_dir)])
    assert result.exit_code == 0, result.output
    rows = [line.split("\t") for line in result.stdout.splitlines()[1:]]
    assert [(row[4], row[2]) for row in rows] == [
        (HEADLINE, "reporting"),
        *[(sentence, "reporting") for sentence in BODY[:3]],
        ("Subscribe to our newsletter", "support-appeal"),
        ("Related stories", "related-links"),
        ("Tags: council, budget", "related-links"),
        ("© 2025 Valley Times. All rights reserved.", "other"),
    ]


def test_cli_clean_html_refuses_binary_input(tmp_path: Path) -> None:
    binary = tmp_path / "b.html"
    binary.write_bytes(b"\x00\x01<html>\x00")
    result = runner.invoke(app, ["clean", "--html", str(binary)])
    assert result.exit_code == 1 and "binary file" in result.stderr


@pytest.mark.parametrize("bad", [None, 3])
def test_clean_html_refuses_what_is_not_a_page(trained_model: classifier.Model, bad: object) -> None:
    # None is what a failed download often gives; it is no page, not an empty one.
    with pytest.raises(classifier.InputError, match="html must be str or bytes"):
        classifier.clean_html(bad, model=trained_model)  # type: ignore[arg-type]


def test_cli_html_page_without_a_charset_is_read_in_the_encoding_given(tmp_path: Path, trained_dir: Path) -> None:
    # Many pages declare no charset; trafilatura's guess is then all there is, unless --encoding says.
    text = page().replace('<meta charset="utf-8">', "").replace(BODY[0], BODY[0] + " Café crème.")
    (tmp_path / "p.html").write_bytes(text.encode("latin-1"))
    args = ["clean", "--html", str(tmp_path / "p.html"), "--model", str(trained_dir)]
    result = runner.invoke(app, [*args, "--encoding", "latin-1"])
    assert result.exit_code == 0, result.output
    assert "Café crème." in result.stdout


def test_cli_clean_html_warns_when_the_extracted_text_is_all_dropped(tmp_path: Path, trained_dir: Path) -> None:
    # trafilatura finds text, the model drops all of it: the output is empty, which a batch should say.
    # The link heading first: an appeal as a page's first line reads as its headline to some seeds of the
    # tiny test model.
    junk = "".join(f"<p>{line}</p>" for line in [JUNK[1], JUNK[0], *JUNK[2:]])
    target = tmp_path / "junk.html"
    target.write_text(f"<html><body><article>{junk}</article></body></html>", encoding="utf-8")
    result = runner.invoke(app, ["clean", "--html", str(target), "--model", str(trained_dir)])
    assert result.exit_code == 0 and result.stdout == ""
    assert "junk.html: every paragraph was dropped" in result.stderr


def test_cli_clean_html_refuses_two_pages_that_would_write_one_text_file(tmp_path: Path, trained_dir: Path) -> None:
    # a.htm and a.html both become a.txt: the second silently replaced the first.
    src = tmp_path / "pages"
    src.mkdir()
    (src / "a.html").write_text(page(), encoding="utf-8")
    (src / "a.htm").write_text(page(), encoding="utf-8")
    args = ["clean", "--html", str(src), "--glob", "a.*", "-o", str(tmp_path / "out"), "-m", str(trained_dir)]
    result = runner.invoke(app, args)
    assert result.exit_code == 1 and "would overwrite the output of" in result.stderr
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["a.txt"]
