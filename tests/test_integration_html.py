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

BODY = [
    "Councillors in Millbrook voted 9 to 2 on Tuesday night to buy the disused Harlow gravel pit and turn its "
    "flooded basins into a wetland park with boardwalks, a bird hide and a small outdoor classroom.",
    "The site, which closed in 2011, has filled with rainwater and attracted herons, grebes and at least two "
    "pairs of nesting little ringed plovers, according to a survey commissioned by the town last summer.",
    "The purchase will cost the town £410,000, most of it covered by a regional biodiversity grant. Opponents "
    "argued the money would be better spent on road repairs.",
    "Work on fencing and the first section of boardwalk is expected to begin in the autumn, with the park "
    "opening in stages from spring 2026.",
]


def page(charset: str = "utf-8") -> str:
    """A news page: navigation and footer outside the article, junk that extractors keep inside it."""
    body = "\n".join(f"<p>{p}</p>" for p in BODY[:2])
    rest = "\n".join(f"<p>{p}</p>" for p in BODY[2:])
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="{charset}"><title>Town votes for wetland park</title></head>
<body>
<header><nav><a href="/">Home</a> <a href="/local">Local</a> <a href="/sport">Sport</a></nav></header>
<main><article>
<h1>Riverside town votes to turn former gravel pit into a public wetland park</h1>
<p class="byline">By Dana Whitfield | Published 3 March 2025, 08:15</p>
{body}
{rest}
<p>Sign up for our free Local Matters newsletter and get the week's top stories every Friday.</p>
<h2>Related stories</h2>
<ul>
<li><a href="/a">Plans for new cycle path along the canal move forward</a></li>
<li><a href="/b">Heron numbers rise across the county, survey finds</a></li>
</ul>
<p>Tags: Millbrook, wetlands, council, wildlife</p>
<p>© 2025 The Millbrook Courier. All rights reserved.</p>
</article></main>
<footer><p>© 2025 The Millbrook Courier. All rights reserved.</p></footer>
</body></html>
"""


JUNK = ["Dana Whitfield", "newsletter", "Related stories", "Heron numbers", "Tags:", "©", "Home"]
EMPTY_PAGE = "<html><head><title>Gallery</title></head><body><img src='a.png'></body></html>"
runner = CliRunner()


def assert_is_the_article(text: str) -> None:
    for paragraph in BODY:
        assert paragraph in text
    for junk in JUNK:
        assert junk not in text


def test_clean_html_keeps_the_article_and_drops_links_appeals_and_tags() -> None:
    cleaned = classifier.clean_html(page(), url="https://news.example.org/local/wetland-park")
    assert_is_the_article(cleaned)
    extracted = classifier.html.extract_text(page())
    assert "newsletter" in extracted and "Related stories" in extracted  # trafilatura alone leaves the junk in
    assert set(cleaned.splitlines()) <= set(extracted.splitlines())  # kept lines are trafilatura's, verbatim


def test_clean_html_reads_bytes_in_the_charset_the_page_declares() -> None:
    cleaned = classifier.clean_html(page("iso-8859-1").encode("iso-8859-1"))
    assert "£410,000" in cleaned


def test_clean_html_takes_keep_and_another_model(trained_model: classifier.Model) -> None:
    kept = classifier.clean_html(page(), keep=("reporting", "related-links"))
    assert "- Heron numbers rise across the county" in kept and "newsletter" not in kept
    assert isinstance(classifier.clean_html(page(), model=trained_model), str)
    with pytest.raises(classifier.ClassifierError, match="unknown label"):
        classifier.clean_html(page(), keep=("news",))


def test_page_without_main_text_cleans_to_empty_string() -> None:
    assert classifier.clean_html(EMPTY_PAGE) == ""


def test_missing_trafilatura_is_a_classifier_error_with_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "trafilatura", None)  # what `import trafilatura` sees when it is not installed
    with pytest.raises(MissingExtraError) as info:
        classifier.clean_html(page())
    assert isinstance(info.value, classifier.ClassifierError) and isinstance(info.value, ImportError)
    assert 'pip install "paragraph-classifier[html]"' in str(info.value)
    result = runner.invoke(app, ["clean", "--html", "-"], input=page())
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0 and "paragraph-classifier[html]" in result.stderr


def test_import_classifier_does_not_import_trafilatura() -> None:
    code = "import sys, classifier; print('trafilatura' in sys.modules, 'lxml' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.split() == ["False", "False"]


def test_cli_clean_html_page_to_stdout() -> None:
    result = runner.invoke(app, ["clean", "--html", "-"], input=page())
    assert result.exit_code == 0, result.output
    assert_is_the_article(result.stdout)
    assert result.stdout.endswith("2026.\n")


def test_cli_clean_html_directory_writes_txt_files_mirroring_names(tmp_path: Path) -> None:
    src = tmp_path / "pages"
    (src / "local").mkdir(parents=True)
    (src / "front.html").write_text(page(), encoding="utf-8")
    (src / "local" / "park.html").write_bytes(page("iso-8859-1").encode("iso-8859-1"))
    (src / "notes.txt").write_text("not a page", encoding="utf-8")
    result = runner.invoke(app, ["clean", "--html", str(src), "--output-dir", str(tmp_path / "out"), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    written = sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*"))
    assert written == ["front.txt", "local", "local/park.txt"]
    assert_is_the_article((tmp_path / "out" / "local" / "park.txt").read_text(encoding="utf-8"))


def test_cli_clean_html_warns_about_a_page_without_main_text(tmp_path: Path) -> None:
    empty = tmp_path / "empty.html"
    empty.write_text(EMPTY_PAGE, encoding="utf-8")
    result = runner.invoke(app, ["clean", "--html", str(empty)])
    assert result.exit_code == 0
    assert result.stdout == "" and "found no main text" in result.stderr


def test_cli_clean_html_refuses_in_place(tmp_path: Path) -> None:
    target = tmp_path / "a.html"
    target.write_text(page(), encoding="utf-8")
    result = runner.invoke(app, ["clean", "--html", "--in-place", str(target)])
    assert result.exit_code == 2 and "--output-dir" in result.output
    assert target.read_text(encoding="utf-8") == page()


def test_cli_predict_html_labels_the_extracted_paragraphs(tmp_path: Path) -> None:
    target = tmp_path / "a.html"
    target.write_text(page(), encoding="utf-8")
    result = runner.invoke(app, ["predict", "--html", str(target), "--format", "tsv"])
    assert result.exit_code == 0, result.output
    rows = [line.split("\t") for line in result.stdout.splitlines()[1:]]
    labels = {row[4]: row[2] for row in rows}
    assert labels[BODY[0]] == "reporting"
    assert labels["Sign up for our free Local Matters newsletter and get the week's top stories every Friday."] == (
        "support-appeal"
    )
    assert labels["- Heron numbers rise across the county, survey finds"] == "related-links"
