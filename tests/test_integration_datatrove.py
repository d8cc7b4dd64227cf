"""The datatrove step: a LocalPipelineExecutor run with 2 tasks and 2 worker processes, and the step alone."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import dill
import pytest
from datatrove.data import Document
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter

import classifier
from classifier.integrations import MissingExtraError
from classifier.integrations.datatrove import METADATA_KEY, ParagraphCleaner
from tests.conftest import BODY as SENTENCES
from tests.conftest import JUNK as JUNK_BY_LABEL

# Documents made of the sentences the session's test model (conftest.trained_model) was trained on, so the
# expected labels do not depend on the shipped model's borderline calls.
BODY = SENTENCES[:3]
JUNK = [
    JUNK_BY_LABEL["support-appeal"][0],
    JUNK_BY_LABEL["related-links"][1],
    JUNK_BY_LABEL["related-links"][2],
    JUNK_BY_LABEL["other"][1],
]
# Opening with the link heading: an appeal as a page's first line reads as its headline to some seeds of
# the tiny test model, which the page's point (nothing in it is article text) does not depend on.
ONLY_JUNK = [
    JUNK_BY_LABEL["related-links"][0],
    JUNK_BY_LABEL["support-appeal"][0],
    JUNK_BY_LABEL["related-links"][2],
    JUNK_BY_LABEL["other"][1],
]
LINKS = [JUNK_BY_LABEL["related-links"][0], JUNK_BY_LABEL["related-links"][3]]

#: Input shards, one JSONL file per task. a2 is all junk: left empty, it falls under min_chars.
SHARDS = {
    "a.jsonl": [("a1", BODY + JUNK), ("a2", ONLY_JUNK), ("a3", BODY)],
    "b.jsonl": [("b1", BODY + JUNK), ("b2", [*BODY, *LINKS])],
}
DROPPED = {
    "a1": {"related-links": 2, "support-appeal": 1, "other": 1},
    "a3": {"related-links": 0, "support-appeal": 0, "other": 0},
    "b1": {"related-links": 2, "support-appeal": 1, "other": 1},
    "b2": {"related-links": 2, "support-appeal": 0, "other": 0},
}


def write_shards(folder: Path) -> None:
    folder.mkdir()
    for name, docs in SHARDS.items():
        lines = [json.dumps({"id": doc_id, "text": "\n".join(paras)}) for doc_id, paras in docs]
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def read_output(folder: Path) -> dict[str, dict]:
    rows = [json.loads(line) for path in sorted(folder.glob("*.jsonl")) for line in path.read_text().splitlines()]
    return {row["id"]: row for row in rows}


def test_local_executor_with_two_tasks_and_two_workers_cleans_and_counts(tmp_path: Path, trained_dir: Path) -> None:
    write_shards(tmp_path / "in")
    executor = LocalPipelineExecutor(
        pipeline=[
            JsonlReader(str(tmp_path / "in")),
            ParagraphCleaner(
                trained_dir, min_chars=100, exclusion_writer=JsonlWriter(str(tmp_path / "too_short"), compression=None)
            ),
            JsonlWriter(str(tmp_path / "out"), compression=None),
        ],
        tasks=2,
        workers=2,
        logging_dir=str(tmp_path / "logs"),
    )
    executor.run()

    out = read_output(tmp_path / "out")
    assert sorted(out) == ["a1", "a3", "b1", "b2"]
    for doc in out.values():
        assert doc["text"] == "\n".join(BODY)
        assert doc["metadata"][METADATA_KEY] == DROPPED[doc["id"]]
    excluded = read_output(tmp_path / "too_short")
    assert list(excluded) == ["a2"] and excluded["a2"]["metadata"]["filter_reason"] == "too_short"
    assert excluded["a2"]["text"] == "\n".join(ONLY_JUNK)  # as it arrived: what min_chars threw away

    def our_stats(path: Path) -> dict:
        return next(step["stats"] for step in json.loads(path.read_text()) if "Paragraph classifier" in step["name"])

    per_task = sorted((tmp_path / "logs" / "stats").glob("*.json"))
    assert [p.name for p in per_task] == ["00000.json", "00001.json"]
    assert sorted(our_stats(p)["total"] for p in per_task) == [2, 3]  # each task cleaned its own shard
    ours = our_stats(tmp_path / "logs" / "stats.json")  # merged over the tasks

    def total(key: str) -> float:
        value = ours[key]
        return value["total"] if isinstance(value, dict) else value

    assert total("total") == 5 and total("forwarded") == 4 and total("dropped") == 1
    assert total("dropped_too_short") == 1
    assert total("paragraphs") == 7 + 4 + 3 + 7 + 5
    assert total("paragraphs_dropped_related-links") == 2 + 2 + 0 + 2 + 2
    assert total("paragraphs_dropped_support-appeal") == 1 + 1 + 0 + 1 + 0
    assert total("paragraphs_dropped_other") == 1 + 1 + 0 + 1 + 0


def test_step_pickles_its_settings_not_the_model(trained_dir: Path) -> None:
    step = ParagraphCleaner(trained_dir, keep=("reporting", "other"))
    assert step._model is None  # nothing is loaded until the first document
    before = step.format("Read more:\nThe council approved the new budget on Tuesday after a long debate.")
    assert step._model is not None
    blob = dill.dumps(step)  # how datatrove's executors ship a pipeline to workers
    assert len(blob) < 20_000  # the model's arrays are megabytes; the path is a few bytes
    copy = dill.loads(blob)
    assert copy._model is None and copy.model_path == str(trained_dir)
    assert copy.format("Read more:\nThe council approved the new budget on Tuesday after a long debate.") == before


def test_min_chars_zero_keeps_a_document_left_empty(trained_dir: Path) -> None:
    step = ParagraphCleaner(trained_dir)
    docs = list(step.run(iter([Document(text="\n".join(ONLY_JUNK), id="x")])))
    assert [d.text for d in docs] == [""]
    assert docs[0].metadata[METADATA_KEY] == {"related-links": 2, "support-appeal": 1, "other": 1}


def test_keep_more_labels_and_a_custom_metadata_key(trained_dir: Path) -> None:
    step = ParagraphCleaner(trained_dir, keep=("reporting", "related-links"), metadata_key="classifier")
    (doc,) = step.run(iter([Document(text="\n".join(BODY + JUNK), id="x")]))
    assert doc.text == "\n".join(BODY + JUNK[1:3])
    assert doc.metadata == {"classifier": {"support-appeal": 1, "other": 1}}


def test_threshold_zero_keeps_every_paragraph(trained_dir: Path) -> None:
    step = ParagraphCleaner(trained_dir, threshold=0.0)
    (doc,) = step.run(iter([Document(text="\n".join(BODY + JUNK), id="x")]))
    assert doc.text == "\n".join(BODY + JUNK)
    assert set(doc.metadata[METADATA_KEY].values()) == {0}


def test_a_threshold_that_drops_article_paragraphs_counts_them_too(trained_dir: Path) -> None:
    # Above the article lines' probability they go as well; the counts then add up to what was removed.
    step = ParagraphCleaner(trained_dir, threshold=1.0)
    (doc,) = step.run(iter([Document(text="\n".join(BODY + JUNK), id="x")]))
    counts = doc.metadata[METADATA_KEY]
    assert set(counts) == set(classifier.load(trained_dir).labels)
    assert sum(counts.values()) == len(BODY + JUNK) - len(doc.text.splitlines())
    assert counts["reporting"] > 0


def test_a_relative_model_path_does_not_depend_on_the_worker_directory(
    trained_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(trained_dir.parent)
    step = ParagraphCleaner(trained_dir.name)
    monkeypatch.chdir(tmp_path)  # a Slurm or Ray worker started elsewhere
    assert step.format("\n".join(BODY + JUNK)) == "\n".join(BODY)


def test_bad_settings_are_refused(trained_dir: Path) -> None:
    with pytest.raises(classifier.ArgumentError, match="split"):
        ParagraphCleaner(split="sentences")
    for bad in (-1, "5", 2.5, True):
        with pytest.raises(classifier.ArgumentError, match="min_chars must be a whole number"):
            ParagraphCleaner(min_chars=bad)  # type: ignore[arg-type]
    with pytest.raises(classifier.ClassifierError, match="threshold"):
        ParagraphCleaner(threshold=-0.5)
    with pytest.raises(classifier.ClassifierError, match="unknown label"):
        ParagraphCleaner(trained_dir, keep=("news",)).format("text")


def test_missing_datatrove_is_a_classifier_error_with_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "classifier.integrations.datatrove")
    monkeypatch.setitem(sys.modules, "datatrove", None)  # what `import datatrove` sees when it is not installed
    with pytest.raises(MissingExtraError, match=r'pip install .*"datatrove>=0\.4".*\(the "datatrove" extra\)'):
        import classifier.integrations.datatrove  # noqa: F401


def test_documents_cleaned_in_batches_come_out_as_each_alone(trained_dir: Path) -> None:
    # run() scores 64 documents at a time; each still reads only its own paragraphs as neighbours, and
    # the order, texts, counts and min_chars decisions are those of one document at a time.
    pages = [BODY + JUNK, ONLY_JUNK, BODY, [*BODY, *LINKS], JUNK[:1] + BODY, [""], BODY[:1]] * 20
    step = ParagraphCleaner(trained_dir, min_chars=30)
    alone = [step.clean_document("\n".join(paras)) for paras in pages]
    docs = list(step.run(iter(Document(text="\n".join(p), id=str(i)) for i, p in enumerate(pages))))
    kept_alone = [(str(i), text, counts) for i, (text, counts) in enumerate(alone) if len("".join(text.split())) >= 30]
    assert [(d.id, d.text, d.metadata[METADATA_KEY]) for d in docs] == kept_alone
    assert 0 < len(docs) < len(pages)
