"""Awkward files: each gets a clear result or a one-line error, never a traceback or lost data."""

import codecs
import os
import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

from classifier.cli import app
from tests.conftest import ARTICLE

runner = CliRunner()
KEEP_ALL = "reporting,related-links,support-appeal,other"


def clean(*args: object, input: bytes | None = None):
    return runner.invoke(app, ["clean", *map(str, args)], input=input)


def test_missing_file() -> None:
    result = clean("/no/such/file.txt")
    assert result.exit_code == 1 and "no such file" in result.stderr


def test_directory_without_text_files(tmp_path: Path) -> None:
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    result = clean(tmp_path, "-o", tmp_path / "out")
    assert result.exit_code == 1 and "no files matching *.txt" in result.stderr


def test_binary_file(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_bytes(b"\x00\x01\x02binary")
    result = clean(tmp_path / "b.txt")
    assert result.exit_code == 1 and "binary file" in result.stderr


def test_invalid_utf8_passes_bytes_through_and_warns(tmp_path: Path) -> None:
    data = b"Caf\xe9 owner wins award\nThe owner said it was a surprise.\n"
    (tmp_path / "l1.txt").write_bytes(data)
    result = clean(tmp_path / "l1.txt", "--keep", KEEP_ALL)
    assert result.exit_code == 0
    assert result.stdout_bytes == data
    assert "invalid UTF-8" in result.stderr


def test_a_binary_file_without_nul_bytes_is_refused_and_left_alone(tmp_path: Path) -> None:
    # Random bytes without a NUL were read leniently as UTF-8, cleaned, and cut to about 70% in place.
    rng = random.Random(0)
    data = bytes(rng.randint(1, 255) for _ in range(20_000))
    target = tmp_path / "blob.txt"
    target.write_bytes(data)
    result = clean(target, "--in-place")
    assert result.exit_code == 1 and "binary file" in result.stderr
    assert len(result.stderr.splitlines()) == 1  # one failed input: one error line, no summary above it
    assert target.read_bytes() == data


def test_text_in_a_legacy_encoding_read_as_utf8_is_refused_with_a_hint(tmp_path: Path) -> None:
    text = "Городской совет утвердил бюджет на следующий год.\nПодписывайтесь на нашу рассылку!\n" * 3
    target = tmp_path / "ru.txt"
    target.write_bytes(text.encode("cp1251"))
    result = clean(target, "--in-place")
    assert result.exit_code == 1 and "not UTF-8 text" in result.stderr and "--encoding" in result.stderr
    assert target.read_bytes() == text.encode("cp1251")
    assert clean(target, "--encoding", "cp1251", "--keep", KEEP_ALL).stdout_bytes == text.encode("cp1251")


def test_central_european_text_in_its_legacy_encoding_is_refused_too(tmp_path: Path) -> None:
    # A tenth of its bytes not UTF-8: under the old limit of a fifth it was cleaned as gibberish, worse
    # than when read in its encoding, with only a warning.
    text = "Rada miasta zatwierdziła budżet na przyszły rok.\nMieszkańcy chcą więcej ścieżek rowerowych.\n" * 4
    target = tmp_path / "pl.txt"
    target.write_bytes(text.encode("iso8859-2"))
    result = clean(target)
    assert result.exit_code == 1 and "pl.txt: not UTF-8 text (" in result.stderr and "iso8859-2" in result.stderr
    assert clean(target, "--encoding", "iso8859-2", "--keep", KEEP_ALL).stdout_bytes == text.encode("iso8859-2")


def test_utf8_bom_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(codecs.BOM_UTF8 + ARTICLE.read_bytes())
    result = clean(path, "--in-place")
    assert result.exit_code == 0
    data = path.read_bytes()
    assert data.startswith(codecs.BOM_UTF8) and b"Tags:" not in data


def test_utf16_with_bom_is_read_and_written_back_as_utf16(tmp_path: Path) -> None:
    path = tmp_path / "u16.txt"
    path.write_bytes(ARTICLE.read_text(encoding="utf-8").encode("utf-16"))
    result = clean(path, "--in-place")
    assert result.exit_code == 0, result.output
    text = path.read_bytes().decode("utf-16")
    assert "wetland park" in text and "Tags:" not in text


def test_utf16_big_endian_stays_big_endian(tmp_path: Path) -> None:
    path = tmp_path / "be.txt"
    data = codecs.BOM_UTF16_BE + ARTICLE.read_text(encoding="utf-8").encode("utf-16-be")
    path.write_bytes(data)
    result = clean(path, "--keep", KEEP_ALL)
    assert result.exit_code == 0 and result.stdout_bytes == data


def test_in_place_through_a_symlink_cleans_the_target(tmp_path: Path) -> None:
    target = tmp_path / "real.txt"
    target.write_bytes(ARTICLE.read_bytes())
    (tmp_path / "link.txt").symlink_to(target)
    assert clean(tmp_path / "link.txt", "--in-place").exit_code == 0
    assert (tmp_path / "link.txt").is_symlink() and "Tags:" not in target.read_text()


def test_crlf_is_preserved(tmp_path: Path) -> None:
    path = tmp_path / "crlf.txt"
    path.write_bytes(ARTICLE.read_bytes().replace(b"\n", b"\r\n"))
    result = clean(path)
    assert result.exit_code == 0
    assert b"\r\n" in result.stdout_bytes and b"\n" not in result.stdout_bytes.replace(b"\r\n", b"")
    assert b"Tags:" not in result.stdout_bytes and b"wetland park" in result.stdout_bytes


@pytest.mark.parametrize("content", [b"", b"   \n\t\n", b"\r\n\r\n"])
def test_empty_and_whitespace_files_come_back_unchanged(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "e.txt"
    path.write_bytes(content)
    result = clean(path)
    assert result.exit_code == 0 and result.stdout_bytes == content


def test_fifty_megabyte_single_line(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"word " * 10_000_000)
    result = runner.invoke(app, ["predict", str(path), "--format", "tsv"])
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 2


def test_file_that_disappears_mid_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import classifier.batch as batch

    src = tmp_path / "in"
    src.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (src / name).write_bytes(ARTICLE.read_bytes())
    real_read = batch.read_text_file

    def vanish_then_read(path: str, encoding: str | None = None):
        if os.path.basename(path) == "b.txt":
            os.unlink(path)
        return real_read(path, encoding)

    monkeypatch.setattr(batch, "read_text_file", vanish_then_read)
    result = clean(src, "-o", tmp_path / "out")
    assert result.exit_code == 1 and "b.txt: no such file" in result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.txt", "c.txt"]


def test_unwritable_output_directory(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("I am a file")
    result = clean(ARTICLE, ARTICLE, "-o", blocker / "out")
    assert result.exit_code == 1 and "cannot create output directory" in result.stderr
    assert "Traceback" not in result.output


def test_failed_atomic_write_leaves_original_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "a.txt"
    target.write_bytes(ARTICLE.read_bytes())

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    result = clean(target, "--in-place")
    assert result.exit_code == 1 and "original left untouched" in result.stderr
    assert target.read_bytes() == ARTICLE.read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]
    result = clean(target, "-o", tmp_path / "out")  # a new output: there is no original to speak of
    assert result.exit_code == 1 and "write failed (No space left on device); nothing written" in result.stderr
    assert list((tmp_path / "out").iterdir()) == []


def test_nan_threshold_is_a_usage_error_and_the_file_is_untouched(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    target.write_bytes(ARTICLE.read_bytes())
    result = clean(target, "--in-place", "-t", "nan")  # typer's range check alone lets NaN through
    assert result.exit_code == 2 and "probability" in result.stderr
    assert target.read_bytes() == ARTICLE.read_bytes()


def test_new_output_files_get_the_umask_permissions(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        result = clean(ARTICLE, "-o", tmp_path / "out")
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "article.txt").stat().st_mode & 0o777 == 0o644


def test_empty_directory_says_what_is_missing(tmp_path: Path) -> None:
    result = clean(tmp_path)  # no --output-dir: the missing files are the problem, not the destination
    assert result.exit_code == 1 and "no files matching *.txt" in result.stderr


def test_output_directory_that_cannot_be_created_is_one_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    result = clean(ARTICLE, ARTICLE.parent, "-o", tmp_path / "file" / "out")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"classifier: error: {tmp_path / 'file' / 'out'}: cannot create output directory (Not a directory)"
    ]


def test_cleaning_away_everything_warns(tmp_path: Path) -> None:
    target = tmp_path / "junk.txt"
    target.write_text("Subscribe to our newsletter!\nRead more:\n", encoding="utf-8")
    result = clean(target, "--in-place")
    assert result.exit_code == 0 and "every paragraph was dropped" in result.stderr
    assert target.read_text(encoding="utf-8") == ""


def test_two_warnings_for_one_file_are_two_lines(tmp_path: Path) -> None:
    target = tmp_path / "junk.txt"
    target.write_bytes(b"Subscribe to our newsletter!\nRead more: Caf\xe9 owner wins award\n")
    result = clean(target, "-o", tmp_path / "out")
    lines = result.stderr.splitlines()
    assert result.exit_code == 0 and len(lines) == 2, result.stderr
    assert "invalid UTF-8" in lines[0] and "every paragraph was dropped" in lines[1]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_failing_stdout_is_a_one_line_error(tmp_path: Path) -> None:
    import shutil
    import subprocess
    import sys

    exe = shutil.which("classifier", path=os.path.dirname(sys.executable)) or shutil.which("classifier")
    with open("/dev/full", "wb") as full:
        done = subprocess.run([exe, "clean", str(ARTICLE)], stdout=full, stderr=subprocess.PIPE, timeout=60)
    assert done.returncode == 1
    assert done.stderr.decode().strip().splitlines() == [
        "classifier: error: cannot write output (No space left on device)"
    ]


def test_utf32_with_bom_is_read_and_written_back_as_utf32(tmp_path: Path) -> None:
    # UTF-32-LE's BOM begins with UTF-16-LE's: read as UTF-16 it was text with a NUL after every letter.
    path = tmp_path / "u32.txt"
    path.write_bytes(codecs.BOM_UTF32_LE + ARTICLE.read_text(encoding="utf-8").encode("utf-32-le"))
    result = clean(path)
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.startswith(codecs.BOM_UTF32_LE)
    text = result.stdout_bytes.decode("utf-32")
    assert "wetland park" in text and "Tags:" not in text and "\0" not in text


def test_utf16_without_bom_is_refused_with_the_option_that_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "u16.txt"
    path.write_bytes(ARTICLE.read_text(encoding="utf-8").encode("utf-16-le"))
    refused = clean(path)
    assert refused.exit_code == 1 and "--encoding utf-16-le" in refused.stderr
    result = clean(path, "--encoding", "utf-16-le")
    assert result.exit_code == 0, result.output
    assert not result.stdout_bytes.startswith(codecs.BOM_UTF16_LE)  # no BOM added that was not there
    text = result.stdout_bytes.decode("utf-16-le")
    assert "wetland park" in text and "Tags:" not in text


def test_legacy_encoding_is_read_and_written_back_in_it(tmp_path: Path) -> None:
    path = tmp_path / "cp.txt"
    data = ARTICLE.read_text(encoding="utf-8").replace("Councillors", "Councillors (Conseillers élus)").encode("cp1252")
    path.write_bytes(data)
    result = clean(path, "--encoding", "cp1252", "--in-place")
    assert result.exit_code == 0 and not result.stderr, result.output
    cleaned = path.read_bytes()
    assert "Conseillers élus".encode("cp1252") in cleaned and b"Tags:" not in cleaned
    kept_line = next(line for line in data.splitlines() if line.startswith(b"Councillors"))
    assert kept_line in cleaned.splitlines()  # byte-for-byte, in cp1252


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--encoding", "no-such-codec"], "unknown encoding"),
        (["--encoding", "rot13"], "not a text encoding"),
    ],
)
def test_bad_encoding_option_is_a_usage_error(args: list[str], message: str) -> None:
    for command in ("clean", "predict"):
        result = runner.invoke(app, [command, str(ARTICLE), *args])
        assert result.exit_code == 2 and message in result.stderr, (command, result.output)


def test_hidden_files_and_directories_inside_a_directory_are_skipped(tmp_path: Path) -> None:
    src = tmp_path / "crawl"
    (src / ".git").mkdir(parents=True)
    for name in ("a.txt", ".draft.txt", ".git/notes.txt"):
        (src / name).write_bytes(ARTICLE.read_bytes())
    result = clean(src, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "out").rglob("*")] == ["a.txt"]
    named = clean(src / ".git", "-o", tmp_path / "out2")  # a hidden directory the user names is walked
    assert named.exit_code == 0 and (tmp_path / "out2" / "notes.txt").exists()


def test_broken_symlink_in_a_directory_fails_by_name(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_bytes(ARTICLE.read_bytes())
    (src / "b.txt").symlink_to(tmp_path / "gone.txt")
    result = clean(src, "-o", tmp_path / "out")
    assert result.exit_code == 1 and "b.txt: broken symbolic link" in result.stderr
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["a.txt"]


def test_a_wrong_encoding_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    # UTF-8 read as UTF-16 is gibberish that would all be dropped: --in-place emptied the file.
    path = tmp_path / "a.txt"
    path.write_bytes(ARTICLE.read_bytes())
    for codec in ("utf-16", "utf-32-le", "punycode"):
        result = clean(path, "--encoding", codec, "--in-place")
        assert result.exit_code == 1 and "Traceback" not in result.output, (codec, result.output)
        assert "not valid" in result.stderr or "line breaks do not decode" in result.stderr, result.stderr
    assert path.read_bytes() == ARTICLE.read_bytes()


def test_utf32_without_bom_gets_the_option_that_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "u32.txt"
    path.write_bytes(ARTICLE.read_text(encoding="utf-8").encode("utf-32-le"))
    assert "--encoding utf-32-le" in clean(path).stderr
    result = clean(path, "--encoding", "utf-32-le")
    assert result.exit_code == 0 and "Tags:" not in result.stdout_bytes.decode("utf-32-le")


def test_naming_utf8_with_a_bom_adds_no_bom(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(ARTICLE.read_bytes())
    result = clean(path, "--encoding", "utf-8-sig", "--keep", KEEP_ALL)
    assert result.exit_code == 0 and result.stdout_bytes == ARTICLE.read_bytes()


def test_unreadable_subdirectory_fails_by_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import classifier.files as files

    src = tmp_path / "in"
    (src / "locked").mkdir(parents=True)
    (src / "a.txt").write_bytes(ARTICLE.read_bytes())
    (src / "locked" / "b.txt").write_bytes(ARTICLE.read_bytes())
    real_scandir = os.scandir

    def scandir(path):  # as for a directory without read permission (tests may run as root)
        if os.path.basename(path) == "locked":
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(files.os, "scandir", scandir)
    result = clean(src, "-o", tmp_path / "out")
    assert result.exit_code == 1 and "locked: cannot read directory (Permission denied)" in result.stderr
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["a.txt"]


def test_ctrl_c_while_cleaning_in_place_leaves_the_file_whole_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "article.txt"
    path.write_bytes(ARTICLE.read_bytes())

    def interrupted(fd: int) -> None:  # Ctrl-C while the cleaned copy is being flushed to disk
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    result = clean(path, "--in-place")
    assert result.exit_code == 130
    assert result.stderr == "classifier: interrupted; no file was left half-written\n"
    assert path.read_bytes() == ARTICLE.read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == ["article.txt"]  # no temp file left beside it
