"""Reading article files as text and writing results back without ever losing data.

Decoding is lossless: UTF-8 (with or without BOM) and UTF-16 with BOM are recognised; bytes that are not
valid UTF-8 are carried through unchanged (``surrogateescape``) with a warning, so cleaning a file with
a stray Latin-1 byte neither crashes nor rewrites its kept paragraphs. Files with NUL bytes (and no
UTF-16 BOM) are binary and refused. Writes go to a temporary file in the target's directory, are
fsynced and renamed over the target, so a failure leaves the original untouched.
"""

from __future__ import annotations

import codecs
import contextlib
import fnmatch
import os
import stat
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from .errors import InputError

DEFAULT_GLOB = "*.txt"
STDIN = "-"
#: How standard input is named in messages and output prefixes, as Python and compilers name it.
STDIN_NAME = "<stdin>"


@dataclass(frozen=True)
class TextFile:
    """A decoded input: its text, and how to encode text back the way the file was."""

    text: str
    encoding: str  # "utf-8", "utf-8-sig", "utf-16-le" or "utf-16-be" (the last two written with their BOM)
    warning: str = ""

    def encode(self, text: str) -> bytes:
        """``text`` in the file's own encoding (BOM included), undecodable bytes restored as they were."""
        if self.encoding == "utf-16-le":
            return codecs.BOM_UTF16_LE + text.encode("utf-16-le", errors="surrogatepass")
        if self.encoding == "utf-16-be":
            return codecs.BOM_UTF16_BE + text.encode("utf-16-be", errors="surrogatepass")
        prefix = codecs.BOM_UTF8 if self.encoding == "utf-8-sig" else b""
        return prefix + text.encode("utf-8", errors="surrogateescape")


def refuse_binary(data: bytes, name: str, kind: str = "text") -> None:
    """An ``InputError`` for NUL bytes outside UTF-16 (a BOM says where UTF-16's NULs are legitimate)."""
    if b"\0" in data and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError(f"{name}: binary file (contains NUL bytes), not {kind}")


def decode(data: bytes, name: str) -> TextFile:
    """Decode an input file's bytes (see the module docstring for the rules)."""
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                return TextFile(data[len(bom) :].decode(encoding), encoding)
            except UnicodeDecodeError as exc:
                raise InputError(f"{name}: invalid UTF-16 ({exc.reason})") from None
    refuse_binary(data, name)
    encoding = "utf-8"
    if data.startswith(codecs.BOM_UTF8):
        data, encoding = data[len(codecs.BOM_UTF8) :], "utf-8-sig"
    try:
        return TextFile(data.decode("utf-8"), encoding)
    except UnicodeDecodeError as exc:
        warning = f"{name}: invalid UTF-8 at byte {exc.start}; undecodable bytes are passed through unchanged"
        return TextFile(data.decode("utf-8", errors="surrogateescape"), encoding, warning)


def read_bytes(path: str | os.PathLike[str]) -> bytes:
    """A file's bytes; an ``InputError`` names the file and the problem."""
    name = os.fspath(path)
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{name}: is a directory") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror})") from None


def read_text_file(path: str | os.PathLike[str]) -> TextFile:
    """Read and decode one file; an ``InputError`` names the file and the problem."""
    return decode(read_bytes(path), os.fspath(path))


def write_output(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` atomically, creating its directory first."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{target.parent}: cannot create output directory ({exc.strerror})") from None
    write_atomic(target, data)


class Input(NamedTuple):
    """One input: display name, path (None for stdin), and its name relative to the argument that named it.

    Plain strings, not ``Path`` objects: a crawl directory can hold a million files, and this list is
    the one thing a batch holds per file (about 200 bytes each instead of 700).
    """

    name: str
    path: str | None
    relative: str


def expand_inputs(
    inputs: Iterable[str], pattern: str = DEFAULT_GLOB, exclude: Path | None = None
) -> tuple[list[Input], list[str]]:
    """Inputs in order, directories walked recursively for file names matching ``pattern``; ``-`` is stdin.

    Directories under ``exclude`` (the output directory) are skipped, so a second run does not clean its
    own outputs. Also returns one error message per argument that names nothing usable, so the others
    still run.
    """
    skip = os.path.realpath(exclude) if exclude is not None else None
    found: list[Input] = []
    errors: list[str] = []
    for raw in inputs:
        if raw == STDIN:
            found.append(Input(STDIN_NAME, None, "stdin.txt"))
        elif os.path.isdir(raw):
            if skip is not None and _inside(os.path.realpath(raw), skip):
                # Else the walk skips it all as output and calls it empty. Inside the output directory,
                # outputs would land among the inputs, and over them when it is the output directory.
                where = "is the output directory" if os.path.realpath(raw) == skip else "is inside the output directory"
                errors.append(f"{raw}: directory {where}; use --in-place or another --output-dir")
                continue
            files = _walk(raw, pattern, skip)
            if not files:
                errors.append(f"{raw}: directory has no files matching {pattern}")
            found.extend(Input(f, f, os.path.relpath(f, raw)) for f in files)
        elif os.path.exists(raw):
            found.append(Input(raw, raw, os.path.basename(raw)))
        else:
            errors.append(f"{raw}: no such file or directory")
    return found, errors


def _walk(top: str, pattern: str, skip: str | None) -> list[str]:
    """Sorted paths of the files below ``top`` whose names match ``pattern``, outside ``skip``."""
    out: list[str] = []
    for dirpath, dirnames, filenames in os.walk(top, followlinks=True):
        if skip is not None and _inside(os.path.realpath(dirpath), skip):
            dirnames.clear()
            continue
        out.extend(os.path.join(dirpath, f) for f in fnmatch.filter(filenames, pattern))
    out.sort()
    return [f for f in out if os.path.isfile(f)]


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
    is removed and the original is untouched; the error surfaces as an ``InputError``.
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
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        kept = "original left untouched" if existed else "nothing written"
        raise InputError(f"{path}: write failed ({exc.strerror}); {kept}") from None
