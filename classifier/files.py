"""Reading article files as text and writing results back without ever losing data.

Decoding is lossless: UTF-8 (with or without BOM), UTF-16 and UTF-32 with BOM are recognised; bytes that
are not valid UTF-8 are carried through unchanged (``surrogateescape``) with a warning, so cleaning a file
with a stray Latin-1 byte neither crashes nor rewrites its kept paragraphs. A file in a legacy encoding
is read and written back in it when the caller names it (``--encoding cp1252``), and refused when that
encoding plainly does not fit (its newline bytes decode to no line break). Files with NUL bytes (and no
BOM) are binary and refused, with a hint when they look like UTF-16 or UTF-32 without their BOM; so are
files without NULs that are full of control bytes, or read as UTF-8 and mostly not UTF-8. Writes
go to a temporary file in the target's directory, are fsynced and renamed over the target, so a failure
leaves the original untouched.
"""

from __future__ import annotations

import codecs
import contextlib
import fnmatch
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from .errors import ArgumentError, InputError

DEFAULT_GLOB = "*.txt"
STDIN = "-"
#: How standard input is named in messages and output prefixes, as Python and compilers name it.
STDIN_NAME = "<stdin>"


@dataclass(frozen=True)
class TextFile:
    """A decoded input: its text, and how to encode text back the way the file was."""

    text: str
    encoding: str  # a Python codec name
    bom: bytes = b""  # the byte-order mark the file began with, written back before the text
    warning: str = ""

    def encode(self, text: str) -> bytes:
        """``text`` in the file's own encoding (BOM included), undecodable bytes restored as they were."""
        # UTF-8 read leniently carries bad bytes as lone surrogates (surrogateescape); in UTF-16/32 a lone
        # surrogate is legal input text and goes back as it came (surrogatepass); other codecs were strict.
        errors = {"utf-8": "surrogateescape"}.get(
            self.encoding, "surrogatepass" if "utf" in self.encoding else "strict"
        )
        return self.bom + text.encode(self.encoding, errors=errors)


#: Encodings recognised by their byte-order mark. UTF-32-LE's BOM begins with UTF-16-LE's, so it is first.
BOM_ENCODINGS = {
    "utf-32-le": codecs.BOM_UTF32_LE,
    "utf-32-be": codecs.BOM_UTF32_BE,
    "utf-16-le": codecs.BOM_UTF16_LE,
    "utf-16-be": codecs.BOM_UTF16_BE,
}


def refuse_binary(data: bytes, name: str, kind: str = "text") -> None:
    """An ``InputError`` for NUL bytes without a UTF-16/32 BOM (which says where NULs are legitimate)."""
    if b"\0" in data and not data.startswith(tuple(BOM_ENCODINGS.values())):
        guess = _bomless_unicode(data)
        hint = (
            f"; if it is {guess[:6].upper()} text without its byte-order mark, give --encoding {guess}" if guess else ""
        )
        raise InputError(f"{name}: binary file (contains NUL bytes), not {kind}{hint}")


#: Control bytes (C0, besides tab, line and page breaks and escape) a text file may hold, as a share of
#: its bytes: a stray backspace or end-of-file marker is text, one byte in nine (random bytes) is not.
MAX_CONTROL_SHARE = 0.01
#: Bytes that are not UTF-8 a file read as UTF-8 may hold, as a share of its bytes, and in number: a
#: stray Latin-1 "é" passes with a warning. More is text in another encoding: Greek, Cyrillic or Japanese
#: has a half of such bytes or more, Central European, Turkish or Vietnamese text 5-14% (measured by a
#: tester, who found such pages cleaned far worse than when read in their encoding: a page's paywall
#: lines all kept, a third of another's article dropped), and the model reads them as gibberish.
MAX_INVALID_SHARE = 0.02
MAX_INVALID_BYTES = 10
_CONTROL = bytes(b for b in range(32) if b not in b"\t\n\x0b\x0c\r\x1b")


def refuse_control_bytes(data: bytes, name: str) -> None:
    """An ``InputError`` for a file without NULs that is full of control bytes: a binary file that a
    lenient or 8-bit decoding would turn into "text" and cleaning would cut up (a random file lost a
    quarter of its bytes in place, exit 0)."""
    controls = len(data) - len(data.translate(None, _CONTROL))
    if controls > MAX_CONTROL_SHARE * max(len(data), 1):
        raise InputError(f"{name}: binary file ({controls} control bytes), not text")


def refuse_mostly_invalid(data: bytes, text: str, name: str) -> None:
    """An ``InputError`` for bytes read leniently as UTF-8 (``text``) of which too many are not UTF-8:
    text in another encoding, which ``--encoding`` names, or binary."""
    invalid = len(text) - len(text.encode("utf-8", "ignore").decode("utf-8"))  # surrogateescape's stand-ins
    if invalid > max(MAX_INVALID_SHARE * len(data), MAX_INVALID_BYTES):
        raise InputError(
            f"{name}: not UTF-8 text ({invalid} of its bytes, {100 * invalid / len(data):.0f}%, are not UTF-8); "
            "if it is text, give its encoding, e.g. --encoding cp1252, iso8859-2, cp1251 or shift_jis"
        )


def _bomless_unicode(data: bytes) -> str:
    """The codec of Latin-script UTF-16 or UTF-32 whose BOM was lost, told by where its NULs fall: the
    last two bytes of each four are always NUL in UTF-32-LE, the first two in -BE; in UTF-16 most bytes
    on one side of each pair and none on the other. "" for anything else."""
    head = data[: min(len(data), 4096) // 4 * 4]
    lanes = [head[i::4].count(0) for i in range(4)]
    quarter = len(head) // 4
    if quarter and lanes[2] == lanes[3] == quarter and lanes[0] < quarter:
        return "utf-32-le"
    if quarter and lanes[0] == lanes[1] == quarter and lanes[3] < quarter:
        return "utf-32-be"
    even, odd = lanes[0] + lanes[2], lanes[1] + lanes[3]
    if quarter and odd > quarter * 0.6 and even == 0:
        return "utf-16-le"
    if quarter and even > quarter * 0.6 and odd == 0:
        return "utf-16-be"
    return ""


def check_encoding(name: str) -> str:
    """The codec name for a user's ``--encoding``; an ``ArgumentError`` for a name Python does not know
    or for a codec that does not turn bytes into text (rot13, base64)."""
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise ArgumentError(f"unknown encoding: {name!r}") from None
    if not getattr(info, "_is_text_encoding", True):
        raise ArgumentError(f"{name!r} is not a text encoding")
    return info.name


def decode(data: bytes, name: str, encoding: str | None = None) -> TextFile:
    """Decode an input file's bytes (see the module docstring for the rules). ``encoding`` is what a file
    without a BOM is in (default UTF-8); other than UTF-8 it decodes strictly, so that what is written
    back is that encoding too."""
    for codec, bom in BOM_ENCODINGS.items():
        if data.startswith(bom):
            return _decode_as(data, name, codec, bom)
    codec = codecs.lookup(encoding).name if encoding is not None else "utf-8"
    wide = codec.startswith(("utf-16", "utf-32"))  # where NULs and control bytes are part of the text
    if not wide:
        refuse_binary(data, name)
        refuse_control_bytes(data, name)
    if codec not in ("utf-8", "utf-8-sig"):  # UTF-8's BOM is found above, and is kept or left out as it was
        # Without a BOM, Python reads bare UTF-16/32 as little-endian and would write a BOM back: name it.
        return _decode_as(data, name, codec + "-le" if codec in ("utf-16", "utf-32") else codec)
    bom = codecs.BOM_UTF8 if data.startswith(codecs.BOM_UTF8) else b""
    try:
        text = data[len(bom) :].decode("utf-8")
    except UnicodeDecodeError as exc:
        text = data[len(bom) :].decode("utf-8", errors="surrogateescape")
        refuse_mostly_invalid(data, text, name)
        warning = (
            f"{name}: invalid UTF-8 at byte {exc.start}; kept paragraphs keep those bytes unchanged "
            "(--encoding reads a file in another encoding)"
        )
        return TextFile(text, "utf-8", bom, warning)
    return TextFile(text, "utf-8", bom)


def _decode_as(data: bytes, name: str, encoding: str, bom: bytes = b"") -> TextFile:
    """Strict decoding, for a codec named by a BOM or by the user: a bad byte is an error, not guessed at.

    A file whose bytes hold line feeds that decode to no line break at all was read in the wrong
    encoding (UTF-8 read as UTF-16 pairs each newline byte with its neighbour): its "paragraphs" would be
    gibberish, all dropped, and ``--in-place`` would empty the file, so it is refused instead."""
    try:
        text = data[len(bom) :].decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not valid {encoding} at byte {exc.start} ({exc.reason})") from None
    except (UnicodeError, ValueError) as exc:  # codecs that fail otherwise (punycode, "undefined")
        raise InputError(f"{name}: not valid {encoding} ({exc})") from None
    if b"\n" in data and not any(ch in text for ch in "\n\r\x85\u2028"):
        raise InputError(f"{name}: not {encoding} text (its line breaks do not decode as line breaks)")
    return TextFile(text, encoding, bom)


def read_bytes(path: str | os.PathLike[str]) -> bytes:
    """A file's bytes; an ``InputError`` names the file and the problem."""
    name = os.fspath(path)
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        what = "broken symbolic link" if os.path.islink(name) else "no such file"
        raise InputError(f"{name}: {what}") from None
    except IsADirectoryError:
        raise InputError(f"{name}: is a directory") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror})") from None


def read_text_file(path: str | os.PathLike[str], encoding: str | None = None) -> TextFile:
    """Read and decode one file; an ``InputError`` names the file and the problem."""
    return decode(read_bytes(path), os.fspath(path), encoding)


def write_output(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` atomically, creating its directory first."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{target.parent}: cannot create output directory ({exc.strerror})") from None
    write_atomic(target, data)


class Input(NamedTuple):
    """One input: display name, path (None for stdin), and its name relative to the argument that named it."""

    name: str
    path: str | None
    relative: str


class Inputs:
    """The inputs that command-line arguments name, in order: directories walked recursively for file
    names matching ``pattern``, ``-`` for stdin.

    A crawl directory can hold a million files, so the files are never listed in memory: one walk
    counts them and finds the arguments that name nothing usable (``errors``, so that the others still
    run), and each iteration walks again, one directory at a time, in the order a sort of the whole
    paths would give. Directories under ``exclude`` (the output directory) are skipped, so a second run
    does not clean its own outputs; an argument that is that directory, or inside it, is an error.
    """

    def __init__(self, args: Iterable[str], pattern: str = DEFAULT_GLOB, exclude: Path | None = None) -> None:
        self.args = list(args)
        self.pattern = pattern
        self.skip = os.path.realpath(exclude) if exclude is not None else None
        self.errors: list[str] = []
        self._count = 0
        for raw in self.args:
            if raw == STDIN or (os.path.exists(raw) and not os.path.isdir(raw)):
                self._count += 1
            elif not os.path.isdir(raw):
                self.errors.append(f"{raw}: no such file or directory")
            elif self.skip is not None and _inside(os.path.realpath(raw), self.skip):
                # Else the walk skips it all as output and calls it empty. Inside the output directory,
                # outputs would land among the inputs, and over them when it is the output directory.
                where = "the output directory" if os.path.realpath(raw) == self.skip else "inside the output directory"
                self.errors.append(f"{raw}: directory is {where}; use --in-place or another --output-dir")
            else:
                unreadable = len(self.errors)
                found = sum(1 for _ in _walk(raw, pattern, self.skip, errors=self.errors))
                if not found and len(self.errors) == unreadable:
                    self.errors.append(f"{raw}: directory has no files matching {pattern}")
                self._count += found

    def __len__(self) -> int:
        """How many inputs the arguments named when they were walked."""
        return self._count

    @property
    def has_stdin(self) -> bool:
        return STDIN in self.args

    def __iter__(self) -> Iterator[Input]:
        return (item for _, item in self.numbered())

    def numbered(self) -> Iterator[tuple[int, Input]]:
        """The inputs with the index of the argument that named each."""
        for index, raw in enumerate(self.args):
            if raw == STDIN:
                yield index, Input(STDIN_NAME, None, "stdin.txt")
            elif not os.path.isdir(raw):
                if os.path.exists(raw):
                    yield index, Input(raw, raw, os.path.basename(raw))
            elif self.skip is None or not _inside(os.path.realpath(raw), self.skip):
                for f in _walk(raw, self.pattern, self.skip):
                    yield index, Input(f, f, os.path.relpath(f, raw))


def _walk(
    top: str, pattern: str, skip: str | None, seen: set[str] | None = None, errors: list[str] | None = None
) -> Iterator[str]:
    """Paths of the files below ``top`` whose names match ``pattern``, outside ``skip``, in sorted order.

    Entries of each directory are sorted with a subdirectory's name read as ``name/``, which is the
    order a sort of the whole paths gives, without holding more than one directory's entries per level.
    Hidden entries (``.git``, ``.DS_Store``…) are skipped, as the data loaders skip them; ``top`` itself
    may be hidden, since the user named it. A directory that cannot be read is passed over and said in
    ``errors`` when given (``Inputs`` gives it on its counting walk, so the batch fails by name instead of
    cleaning part of the tree in silence). Symlinks to directories are followed, each directory once
    (``seen``), so a link back up the tree is no endless loop. A symlink to nothing is listed, so that
    reading it fails with its name rather than the file silently going missing from the batch.
    """
    real = os.path.realpath(top)
    seen = set() if seen is None else seen
    if (skip is not None and _inside(real, skip)) or real in seen:
        return
    seen.add(real)
    try:
        with os.scandir(top) as it:
            entries = list(it)
    except OSError as exc:
        if errors is not None:
            errors.append(f"{top}: cannot read directory ({exc.strerror})")
        return
    keyed: list[tuple[str, str, bool]] = []
    for entry in entries:
        if entry.name.startswith("."):  # .git, editors' and sync tools' files: never articles
            continue
        try:
            if entry.is_dir():
                keyed.append((entry.name + os.sep, entry.path, True))
            elif fnmatch.fnmatch(entry.name, pattern) and (entry.is_file() or _dangling(entry)):
                keyed.append((entry.name, entry.path, False))  # a broken link is listed, to fail by name
        except OSError:
            continue
    keyed.sort()
    for _, path, is_dir in keyed:
        if is_dir:
            yield from _walk(path, pattern, skip, seen, errors)
        else:
            yield path


def _dangling(entry: os.DirEntry[str]) -> bool:
    return entry.is_symlink() and not os.path.exists(entry.path)


def _inside(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


def current_umask() -> int:
    """The process umask; reading it means setting it, so it is set straight back."""
    current = os.umask(0o022)
    os.umask(current)
    return current


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically: temp file in the same directory, fsync, rename.

    The original's permission bits, and its owner and group where this process may set them, are kept
    (a new file gets the umask's bits). On any failure the temp file
    is removed and the original is untouched (also on Ctrl-C); the error surfaces as an ``InputError``.
    """
    path = Path(os.path.realpath(path))  # through symlinks: replace the file, not the link
    directory = path.parent
    owner: tuple[int, int] | None = None
    existed = path.exists()
    if existed:
        info = path.stat()
        mode = info.st_mode & 0o7777
        if hasattr(os, "chown") and (info.st_uid, info.st_gid) != (os.getuid(), os.getgid()):  # POSIX only
            owner = (info.st_uid, info.st_gid)
        if not mode & stat.S_IWUSR:  # checked by mode, not access(): root may write anything
            raise InputError(f"{path}: file is read-only; not modified")
    else:  # a new file gets what open() would give it, not mkstemp's owner-only 0600
        mode = 0o666 & ~current_umask()
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise InputError(f"{path}: cannot write in {directory} ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if owner is not None:  # root cleaning another user's file must not take it over
            with contextlib.suppress(OSError):
                os.chown(tmp, *owner)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException as exc:  # Ctrl-C included: no half-written temp file is left beside the original
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if not isinstance(exc, OSError):
            raise
        kept = "original left untouched" if existed else "nothing written"
        raise InputError(f"{path}: write failed ({exc.strerror}); {kept}") from None
