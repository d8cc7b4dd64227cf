"""Training data: the loader's errors and formats, and checks of the bundled corpus."""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from classifier import DEFAULT_LABELS, DataError
from classifier.data import load_documents, tsv_escape, tsv_unescape

CORPUS = Path(__file__).parent.parent / "training_data"
ALLOWED_DUPLICATES = CORPUS / "allowed_duplicates.txt"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{bad json", "bad JSON"),
        ('["a list"]', "expected a JSON object"),
        ('{"paragraphs": []}', "non-empty list"),
        ('{"paragraphs": [{"label": "other"}]}', "no string 'text'"),
        ('{"paragraphs": [{"text": "x", "label": 3}]}', "no valid 'label'"),
        ('{"paragraphs": [{"text": "x", "label": " other"}]}', "label ' other' has leading or trailing whitespace"),
        ('{"paragraphs": [{"text": "x", "label": "other"}], "lang": 5}', "'lang' must be a string"),
    ],
)
def test_bad_line_is_reported_with_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "d.jsonl"
    good = json.dumps({"paragraphs": [{"text": "x", "label": "other"}]})
    path.write_text(f"{good}\n{line}\n", encoding="utf-8")
    with pytest.raises(DataError, match=re.escape(f"{path}:2: ") + ".*" + re.escape(message)):
        load_documents([path])


def test_tsv_escape_round_trip() -> None:
    text = "a\tb\\n\nc\r\n"
    assert "\t" not in tsv_escape(text) and "\n" not in tsv_escape(text)
    assert tsv_unescape(tsv_escape(text)) == text


def test_tsv_documents_are_grouped_by_file_in_index_order(tmp_path: Path) -> None:
    path = tmp_path / "labels.tsv"
    path.write_text(
        "file\tindex\tlabel\tscore\ttext\nb.txt\t1\tother\t0.9\tsecond\nb.txt\t0\treporting\t0.8\tfirst\\nline\n"
        "a.txt\t0\tother\t0.5\tx\n",
        encoding="utf-8",
    )
    docs = load_documents([path])
    assert [(d.doc_id, d.texts, d.labels) for d in docs] == [
        ("b.txt", ["first\nline", "second"], ["reporting", "other"]),
        ("a.txt", ["x"], ["other"]),
    ]


def test_a_tsv_paragraph_given_twice_is_refused_with_both_lines(tmp_path: Path) -> None:
    # Two rows for one paragraph (a correction appended rather than edited) put it twice in its page.
    path = tmp_path / "labels.tsv"
    path.write_text(
        "file\tindex\tlabel\tscore\ttext\na.txt\t0\treporting\t0.9\tx\na.txt\t1\tother\t0.5\ty\n"
        "a.txt\t0\tother\t0.9\tx\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError, match=r"labels.tsv:4: a.txt paragraph 0 is given twice \(first on line 2\)"):
        load_documents([path])


def test_missing_data_path() -> None:
    with pytest.raises(DataError, match="no such file"):
        load_documents(["/nonexistent/data.jsonl"])


def _doc_line(doc_id: str) -> str:
    return json.dumps({"doc_id": doc_id, "paragraphs": [{"text": "x", "label": "other"}]}) + "\n"


def test_utf16_data_files_load_like_utf8(tmp_path: Path) -> None:
    doc = {"doc_id": "d", "paragraphs": [{"text": "Grüße aus Köln", "label": "reporting"}]}
    line = json.dumps(doc, ensure_ascii=False) + "\r\n"
    (tmp_path / "a.jsonl").write_text(line, encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(line, encoding="utf-16")  # with a BOM, as Windows tools write it
    a, b = load_documents([tmp_path / "a.jsonl"]), load_documents([tmp_path / "b.jsonl"])
    assert a[0].texts == b[0].texts == ["Grüße aus Köln"]


def test_undecodable_data_file_names_the_line(tmp_path: Path) -> None:
    doc = {"doc_id": "d", "paragraphs": [{"text": "Köln", "label": "reporting"}]}
    good = json.dumps(doc, ensure_ascii=False) + "\n"
    (tmp_path / "latin1.jsonl").write_bytes(good.encode("utf-8") * 2 + good.encode("latin-1"))
    with pytest.raises(DataError, match=r"latin1\.jsonl:3: not UTF-8 text"):
        load_documents([tmp_path / "latin1.jsonl"])


def test_tsv_index_that_is_a_unicode_digit_is_one_line_error(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from classifier.cli import app

    path = tmp_path / "bad.tsv"
    path.write_text("file\tindex\tlabel\tscore\ttext\na.txt\t\u00b2\tother\t0.5\tx\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["data-stats", str(path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.strip() == f"classifier: error: {path}:2: index must be a whole number, not '\u00b2'"


def test_hidden_files_and_directories_are_not_data(tmp_path: Path) -> None:
    top = tmp_path / ".corpus"  # a hidden directory named by the user is searched
    (top / ".hidden").mkdir(parents=True)
    (top / "good.jsonl").write_text(_doc_line("good"), encoding="utf-8")
    (top / ".hidden" / "bad.jsonl").write_text("{broken\n", encoding="utf-8")
    (top / ".backup.jsonl").write_text("{broken\n", encoding="utf-8")
    assert [d.doc_id for d in load_documents([top])] == ["good"]


def test_data_suffixes_match_in_any_case(tmp_path: Path) -> None:
    (tmp_path / "a.JSONL").write_text(_doc_line("upper"), encoding="utf-8")
    (tmp_path / "b.Tsv").write_text("file\tindex\tlabel\tscore\ttext\nb.txt\t0\tother\t0.5\tx\n", encoding="utf-8")
    assert [d.doc_id for d in load_documents([tmp_path])] == ["upper", "b.txt"]
    assert [d.doc_id for d in load_documents([tmp_path / "b.Tsv"])] == ["b.txt"]


# --- the bundled corpus ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus() -> list:
    return load_documents([CORPUS])


def test_every_corpus_document_is_well_formed(corpus: list) -> None:
    ids = Counter(d.doc_id for d in corpus)
    assert not [i for i, n in ids.items() if n > 1], "duplicate doc_id"
    for doc in corpus:
        assert doc.texts, doc.doc_id
        assert set(doc.labels) <= set(DEFAULT_LABELS), doc.doc_id
        assert re.fullmatch(r"[a-z]{2}", doc.lang), doc.doc_id
        assert doc.source, doc.doc_id
        assert all(t.strip() for t in doc.texts), doc.doc_id


def test_no_paragraph_is_repeated_across_documents(corpus: list) -> None:
    allowed = {
        line.strip().lower()
        for line in ALLOWED_DUPLICATES.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("# ")  # "###" (a press-release end mark) is a line
    }
    seen: dict[str, str] = {}
    repeated = set()
    for doc in corpus:
        for text in set(" ".join(t.split()).lower() for t in doc.texts):
            if text in seen and seen[text] != doc.doc_id and text not in allowed:
                repeated.add(text)
            seen.setdefault(text, doc.doc_id)
    assert not repeated, f"{len(repeated)} repeated paragraphs, e.g. {sorted(repeated)[:5]}"


def test_corpus_meets_the_minimums_of_its_data_card(corpus: list) -> None:
    from classifier.stats import corpus_stats

    missed = [m for m in corpus_stats(corpus)["minimums"] if not m["met"]]
    assert not missed, missed


def test_tsv_cells_written_before_quoting_read_as_they_stand(tmp_path: Path) -> None:
    # Files predict wrote before it quoted cells hold bare quotes: only a cell wrapped in quotes with every
    # inner one doubled is a quoted field.
    path = tmp_path / "old.tsv"
    texts = ['"Closed," he said.', 'He said "no" twice.', '"A" and "B"']
    rows = "".join(f"a.txt\t{i}\treporting\t0.9\t{t}\n" for i, t in enumerate(texts))
    path.write_text("file\tindex\tlabel\tscore\ttext\n" + rows, encoding="utf-8")
    assert load_documents([path])[0].texts == texts
