"""Writing a model directory: all or nothing, refused before training when it cannot be written."""

import errno
import json
import os
import shutil
import signal
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import classifier
from classifier import artifact
from classifier.artifact import save
from classifier.cli import app
from tests.conftest import tiny_documents

runner = CliRunner()
PAGE = ["Headline", "The bridge will reopen in spring.", "Read more:", "Tags: council", "© 2025 Someone"]


def invoke(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def _contents(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def test_failed_save_over_an_existing_model_leaves_it_untouched(
    tmp_path: Path, tiny_data: Path, trained_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = Path(shutil.copytree(trained_dir, tmp_path / "m"))
    before, expected = _contents(target), classifier.load(target).probabilities(PAGE)

    def disk_full_halfway(file: object, *args: object, **kwargs: object) -> None:
        file.write(b"PK\x03\x04 half a zip archive")  # type: ignore[attr-defined]
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(np, "savez", disk_full_halfway)
    result = invoke("train", tiny_data, "--output", target, "--folds", "3", "--seed", "1")
    assert result.exit_code == 1
    errors = [
        line for line in result.stderr.splitlines() if not line.startswith(("featurizing", "stage ", "final fits"))
    ]
    assert errors == [  # progress lines, then one error line
        f"classifier: error: {os.path.realpath(target)}: cannot write the model (No space left on device); "
        "the existing model is untouched"
    ]
    assert "Traceback" not in result.output
    assert _contents(target) == before
    assert os.listdir(tmp_path) == ["m"]  # no staging or set-aside directory left behind
    assert np.array_equal(classifier.load(target).probabilities(PAGE), expected)


def test_save_replaces_a_model_whole_through_a_symlink(
    trained_model: classifier.Model, trained_dir: Path, tmp_path: Path
) -> None:
    target = Path(shutil.copytree(trained_dir, tmp_path / "m"))
    target.chmod(0o750)
    (tmp_path / "current").symlink_to(target)
    save(trained_model, tmp_path / "current")  # no metrics or card: stale ones must not survive
    assert (tmp_path / "current").is_symlink()
    assert sorted(p.name for p in target.iterdir()) == ["config.json", "weights.npz"]
    assert target.stat().st_mode & 0o777 == 0o750
    assert sorted(os.listdir(tmp_path)) == ["current", "m"]
    assert np.array_equal(classifier.load(target).probabilities(PAGE), trained_model.probabilities(PAGE))


def test_save_refuses_a_directory_that_is_not_a_model(trained_model: classifier.Model, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(classifier.ModelError, match="not a model directory"):
        save(trained_model, tmp_path)
    assert os.listdir(tmp_path) == ["notes.txt"]


def test_train_into_a_read_only_directory_fails_before_training(
    tmp_path: Path, tiny_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import classifier.train

    monkeypatch.setattr(classifier.train, "train_model", lambda *a, **k: pytest.fail("trained for nothing"))
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    if os.geteuid() == 0:  # root writes anywhere: refuse it as the kernel refuses everyone else

        def refuse(*args: object, dir: object = None, **kwargs: object) -> str:
            if dir is not None and Path(str(dir)) == locked:
                raise PermissionError(errno.EACCES, "Permission denied")
            return real_mkdtemp(*args, dir=dir, **kwargs)  # type: ignore[call-overload, no-any-return]

        real_mkdtemp = tempfile.mkdtemp
        monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    try:
        started = time.perf_counter()
        result = invoke("train", tiny_data, "--output", locked / "sub" / "m", "--folds", "3")
        elapsed = time.perf_counter() - started
    finally:
        locked.chmod(0o755)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"classifier: error: {locked / 'sub' / 'm'}: cannot write in {locked} (Permission denied)"
    ]
    assert elapsed < 1.0
    assert os.listdir(locked) == []


@pytest.mark.parametrize("seed", ["-5", "99999999999999999999", str(2**32)])
def test_train_seed_out_of_range_is_a_usage_error(tmp_path: Path, tiny_data: Path, seed: str) -> None:
    result = invoke("train", tiny_data, "--output", tmp_path / "m", "--seed", seed)
    assert result.exit_code == 2
    assert "--seed" in result.stderr and "4294967295" in result.stderr
    assert "Traceback" not in result.output and not (tmp_path / "m").exists()


def test_train_accepts_the_largest_seed(tmp_path: Path, tiny_data: Path) -> None:
    result = invoke("train", tiny_data, "--output", tmp_path / "m", "--folds", "3", "--seed", str(2**32 - 1))
    assert result.exit_code == 0, result.output
    assert classifier.load(tmp_path / "m").config["training"]["seed"] == 2**32 - 1


def test_cross_validation_is_broken_down_by_language_and_page_kind(trained_dir: Path) -> None:
    import json

    cv = json.loads((trained_dir / "metrics.json").read_text())["cross_validation"]
    # the tiny corpus is one language and one page kind: each group's numbers are the whole's
    for field, group in (("by_lang", "en"), ("by_kind", "news")):
        assert list(cv[field]) == [group]
        row = cv[field][group]
        assert (row["documents"], row["paragraphs"], row["macro_f1"]) == (12, cv["paragraphs"], cv["macro_f1"])
        assert row["other_chars_dropped"] == cv["cleaning"]["other_chars_dropped"]
    card = (trained_dir / "README.md").read_text()
    assert "### Cross-validation by language" in card and "| en | 12 |" in card
    assert "### Cross-validation by page kind" in card and "| news | 12 |" in card
    assert "data card" not in card  # a user's own corpus has none


def test_the_order_data_files_are_named_in_does_not_change_the_model(tmp_path: Path) -> None:
    # Documents' order decides their folds: the same files named the other way round gave another model.
    docs = tiny_documents()
    for name, part in (("a.jsonl", docs[:6]), ("b.jsonl", docs[6:])):
        (tmp_path / name).write_text("".join(json.dumps(d) + "\n" for d in part), encoding="utf-8")
    for out, order in (("m1", ("a.jsonl", "b.jsonl")), ("m2", ("b.jsonl", "a.jsonl"))):
        result = invoke("train", *(tmp_path / f for f in order), "-o", tmp_path / out)
        assert result.exit_code == 0, result.output
    assert (tmp_path / "m1" / "weights.npz").read_bytes() == (tmp_path / "m2" / "weights.npz").read_bytes()


def test_ctrl_c_while_a_model_is_swapped_in_leaves_the_new_model_in_place(
    trained_model: classifier.Model, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Between renaming the old model aside and the new one in, the output path holds nothing; a Ctrl-C
    # there is held back until the swap is done, then delivered.
    save(trained_model, tmp_path / "m")
    before = _contents(tmp_path / "m")
    real_rename = os.rename

    def rename_then_interrupt(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        real_rename(src, dst)
        if str(dst).endswith(".old"):
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(artifact.os, "rename", rename_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        save(trained_model, tmp_path / "m", metrics={"note": "second save"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]  # nothing left aside
    assert _contents(tmp_path / "m") != before and classifier.load(tmp_path / "m").labels == trained_model.labels


def test_training_from_python_takes_a_path_and_says_what_is_wrong_with_built_documents(
    tiny_data: Path, tmp_path: Path
) -> None:
    from classifier.data import Document
    from classifier.train import train_and_save, train_model

    messages: list[str] = []
    metrics = train_and_save(tiny_data, tmp_path / "m", progress=messages.append)  # one path, not a list
    assert metrics["cross_validation"]["paragraphs"] > 0 and any("stage 3" in m for m in messages)
    # a line as each fold's fit comes in (a stage could be silent for minutes), with the time since the start
    fitted = [m.split(" [")[0] for m in messages if "fitted" in m]
    n = len(fitted) // 3
    assert n >= 2 and fitted == [
        f"stage {stage}: fold {k} of {n} fitted" for stage in (1, 2, 3) for k in range(1, n + 1)
    ]
    assert all(m.endswith(" s since start]") for m in messages)
    assert classifier.load(tmp_path / "m").labels
    with pytest.raises(classifier.DataError, match=r"document 1: expected .* got 2 texts, 1 labels"):
        train_model([Document("a", ["x"], ["reporting"]), Document("b", ["y", "z"], ["other"])])
    with pytest.raises(classifier.DataError, match=r"document 0: expected .* got dict"):
        train_model([{"doc_id": "a", "texts": ["x"], "labels": ["reporting"]}])  # type: ignore[list-item]


def test_card_flags_cross_validation_groups_of_few_documents(tmp_path: Path) -> None:
    # evaluate --by says it under its table; the card's language table showed a 1-page language's 0.43 bare
    docs = tiny_documents()
    for doc in docs[:2]:
        doc["lang"] = "de"
    data = tmp_path / "data.jsonl"
    data.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    assert invoke("train", data, "-o", tmp_path / "m").exit_code == 0
    card = (tmp_path / "m" / "README.md").read_text()
    assert "(fewer than 5 documents: 1 of the 2 groups;" in card
