import pytest

from classifier import ClassifierError, split_paragraphs


def test_lines_mode_takes_each_non_blank_line() -> None:
    text = "One\n  \nTwo\r\nThree"
    spans = split_paragraphs(text, "lines")
    assert [s.text for s in spans] == ["One", "Two", "Three"]
    assert all(text[s.start : s.end] == s.text for s in spans)


def test_auto_uses_lines_without_blank_lines() -> None:
    assert [s.text for s in split_paragraphs("a\nb\nc\n")] == ["a", "b", "c"]


def test_auto_uses_blocks_with_blank_lines() -> None:
    text = "Title\n\nFirst line\nsecond line\n\n\nLast\n"
    spans = split_paragraphs(text)
    assert [s.text for s in spans] == ["Title", "First line\nsecond line", "Last"]
    assert all(text[s.start : s.end] == s.text for s in spans)


def test_blocks_with_crlf() -> None:
    text = "A\r\nB\r\n\r\nC\r\n"
    assert [s.text for s in split_paragraphs(text, "blocks")] == ["A\r\nB", "C"]


@pytest.mark.parametrize("text", ["", "   ", "\n\n\n", "\r\n \t\r\n"])
def test_empty_and_whitespace_text_has_no_paragraphs(text: str) -> None:
    assert split_paragraphs(text) == []


def test_auto_with_crlf_line_endings_and_no_blank_lines_uses_lines() -> None:
    assert [s.text for s in split_paragraphs("a\r\nb\r\nc\r\n")] == ["a", "b", "c"]
    assert [s.text for s in split_paragraphs("a\rb\r\rc")] == ["a\rb", "c"]


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ClassifierError, match="split mode"):
        split_paragraphs("x", "sentences")
