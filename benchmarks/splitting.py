"""How well ``split_paragraphs(text, "auto")`` recovers paragraphs from the layouts extractors and spiders
produce, rebuilt from labeled pages (default: ``training_data/``):

- wrapped: every page's ``reporting`` paragraphs over 150 characters, hard-wrapped at 72 and at 100
  columns (``textwrap.fill``) and joined with blank lines; share of paragraphs kept whole;
- wrapped-short: every page's first three ``reporting`` paragraphs (headline included, any length),
  wrapped at 72 columns with blank lines between them: a short article; share of pages split exactly;
- lines: every page, one paragraph per line; share of pages split into exactly their paragraphs;
- mixed: the ``reporting`` paragraphs joined with blank lines, then the junk at the page's end one per
  line (a spider that appends its footer); share of pages split exactly;
- wrapped+tail: the same with the ``reporting`` paragraphs hard-wrapped at 72 columns; share of pages
  whose junk lines all come out one paragraph each;
- wrapped+glued: the same with no blank line between the body and the junk lines (a spider that appends
  its footer with a bare newline); share of pages whose junk lines and last body paragraph come out whole;
- folded: every paragraph of the page hard-wrapped at 72 columns, with no blank lines at all (``fold -s``
  over one paragraph per line); share of paragraphs kept whole.

wrapped+glued and folded are also measured at 60 columns, where more of a line's breaks fall before a
capitalised word (German nouns) and fewer lines nearly fill the width.

- blocks-bytes, folded-bytes: blank-line blocks, and folded text, wrapped at 72 UTF-8 *bytes* as GNU
  ``fold -s`` counts, so a line of Cyrillic or Hindi holds half or a third as many characters as one of
  ASCII and line lengths in characters are uneven; share of paragraphs kept whole.
- blocks-fmt, folded-fmt: the same wrapped by GNU ``fmt -w 72`` (when installed), which balances the
  lengths of a paragraph's lines and so ends lines early where a greedy wrapper would not.

Run: python benchmarks/splitting.py [DATA...]
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from collections import Counter

from classifier import split_paragraphs
from classifier.data import load_documents


def fold_bytes(text: str, width: int = 72) -> str:
    """``text`` wrapped at spaces as ``fold -s -w width`` does, counting UTF-8 bytes (a word longer than
    the width stays whole here, where fold would cut it)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if line and len(candidate.encode()) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return "\n".join([*lines, line] if line else lines)


def fmt_paragraphs(texts: list[str], width: int = 72) -> list[str] | None:
    """Each of ``texts`` wrapped by ``fmt -w width`` (one call per page: fmt wraps each blank-line-separated
    paragraph on its own), or None where fmt is not installed or changed the paragraph count."""
    if shutil.which("fmt") is None:
        return None
    flat = [" ".join(t.split()) for t in texts]
    done = subprocess.run(["fmt", "-w", str(width)], input="\n\n".join(flat).encode(), capture_output=True)
    out = done.stdout.decode("utf-8", "replace").strip("\n").split("\n\n")
    return out if done.returncode == 0 and len(out) == len(texts) else None


def main(paths: list[str]) -> None:
    n = Counter()
    for doc in load_documents(paths):
        body = [t for t, label in zip(doc.texts, doc.labels, strict=True) if label == "reporting"]
        long = [t for t in body if len(t) > 150]
        if len(long) >= 3:
            for width in (72, 100):
                wrapped = [textwrap.fill(t, width) for t in long]
                got = {s.text for s in split_paragraphs("\n\n".join(wrapped))}
                n["wrapped"] += len(wrapped)
                n["wrapped_ok"] += sum(w in got for w in wrapped)
        if len(body) >= 2:  # a short article: its first paragraphs, headline included, whatever their length
            short = [textwrap.fill(t, 72) for t in body[:3]]
            n["wrapped-short"] += 1
            n["wrapped-short_ok"] += [s.text for s in split_paragraphs("\n\n".join(short))] == short
        n["lines"] += 1
        n["lines_ok"] += len(split_paragraphs("\n".join(doc.texts))) == len(doc.texts)
        for kind, width in (("folded", 72), ("folded@60", 60)):
            folded = [textwrap.fill(t, width) for t in doc.texts]
            got = {s.text for s in split_paragraphs("\n".join(folded))}
            n[kind] += len(folded)
            n[kind + "_ok"] += sum(f in got for f in folded)
        for wrapper, wrapped in (("bytes", [fold_bytes(t) for t in doc.texts]), ("fmt", fmt_paragraphs(doc.texts))):
            for kind, joint in ((f"blocks-{wrapper}", "\n\n"), (f"folded-{wrapper}", "\n")):
                if wrapped is not None:
                    got = {s.text for s in split_paragraphs(joint.join(wrapped))}
                    n[kind] += len(wrapped)
                    n[kind + "_ok"] += sum(f in got for f in wrapped)
        tail = 0
        while tail < len(doc.labels) and doc.labels[-1 - tail] != "reporting":
            tail += 1
        if tail >= 2 and body:
            text = "\n\n".join(body) + "\n\n" + "\n".join(doc.texts[-tail:])
            n["mixed"] += 1
            n["mixed_ok"] += len(split_paragraphs(text)) == len(body) + tail
            wrapped = "\n\n".join(textwrap.fill(t, 72) for t in body)
            got = {s.text for s in split_paragraphs(wrapped + "\n\n" + "\n".join(doc.texts[-tail:]))}
            n["wrapped+tail"] += 1
            n["wrapped+tail_ok"] += all(t in got for t in doc.texts[-tail:])
            for kind, width in (("wrapped+glued", 72), ("wrapped+glued@60", 60)):
                wrapped = "\n\n".join(textwrap.fill(t, width) for t in body)
                got = {s.text for s in split_paragraphs(wrapped + "\n" + "\n".join(doc.texts[-tail:]))}
                n[kind] += 1
                n[kind + "_ok"] += textwrap.fill(body[-1], width) in got and all(t in got for t in doc.texts[-tail:])
    for kind, what in (
        ("wrapped", "paragraphs kept whole"),
        ("wrapped-short", "pages split exactly"),
        ("lines", "pages split exactly"),
        ("mixed", "pages split exactly"),
        ("wrapped+tail", "pages with their junk lines split"),
        ("wrapped+glued", "pages with their junk lines split"),
        ("wrapped+glued@60", "the same, wrapped at 60 columns"),
        ("folded", "paragraphs kept whole"),
        ("folded@60", "the same, folded at 60 columns"),
        ("blocks-bytes", "paragraphs kept whole"),
        ("folded-bytes", "paragraphs kept whole"),
        ("blocks-fmt", "paragraphs kept whole"),
        ("folded-fmt", "paragraphs kept whole"),
    ):
        if n[kind]:  # pages without three long body paragraphs (or a junk tail) give no cases
            print(f"{kind:16s} {n[kind + '_ok'] / n[kind]:7.2%} {what} (of {n[kind]})")
        else:
            print(f"{kind:16s} no cases")


if __name__ == "__main__":
    main(sys.argv[1:] or ["training_data"])
