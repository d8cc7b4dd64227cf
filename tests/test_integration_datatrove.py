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

BODY = [
    "Councillors in Millbrook voted 9 to 2 on Tuesday night to buy the disused Harlow gravel pit and turn its "
    "flooded basins into a wetland park with boardwalks, a bird hide and a small outdoor classroom.",
    "The site, which closed in 2011, has filled with rainwater and attracted herons, grebes and at least two "
    "pairs of nesting little ringed plovers, according to a survey commissioned by the town last summer.",
    "Work on fencing and the first section of boardwalk is expected to begin in the autumn, with the park "
    "opening in stages from spring 2026.",
]
JUNK = [
    "Sign up for our free Local Matters newsletter and get the week's top stories every Friday.",
    "Related stories",
    "- Heron numbers rise across the county, survey finds",
    "© 2025 The Millbrook Courier. All rights reserved.",
]
ONLY_JUNK = [
    "Subscribe to our newsletter",
    "Read more:",
    "- Heron numbers rise across the county, survey finds",
    "© 2025 The Millbrook Courier. All rights reserved.",
]
#: Input shards: one JSONL file per task. Each article doc drops 1 appeal, 2 links and 1 furniture line.
SHARDS = {
    "a.jsonl": [("a1", BODY + JUNK), ("a2", ONLY_JUNK), ("a3", BODY)],
    "b.jsonl": [("b1", BODY + JUNK), ("b2", [*BODY, *JUNK[1:3]])],
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


def test_local_executor_with_two_tasks_and_two_workers_cleans_and_counts(tmp_path: Path) -> None:
    write_shards(tmp_path / "in")
    executor = LocalPipelineExecutor(
        pipeline=[
            JsonlReader(str(tmp_path / "in")),
            ParagraphCleaner(
                min_chars=100, exclusion_writer=JsonlWriter(str(tmp_path / "too_short"), compression=None)
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

    per_task = sorted((tmp_path / "logs" / "stats").glob("*.json"))
    assert [p.name for p in per_task] == ["00000.json", "00001.json"]
    merged = json.loads((tmp_path / "logs" / "stats.json").read_text())
    ours = next(step["stats"] for step in merged if "Paragraph classifier" in step["name"])

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


def test_min_chars_zero_keeps_a_document_left_empty() -> None:
    step = ParagraphCleaner()
    docs = list(step.run(iter([Document(text="\n".join(ONLY_JUNK), id="x")])))
    assert [d.text for d in docs] == [""]
    assert docs[0].metadata[METADATA_KEY] == {"related-links": 2, "support-appeal": 1, "other": 1}


def test_keep_more_labels_and_a_custom_metadata_key() -> None:
    step = ParagraphCleaner(keep=("reporting", "related-links"), metadata_key="classifier")
    (doc,) = step.run(iter([Document(text="\n".join(BODY + JUNK), id="x")]))
    assert "Related stories" in doc.text and "newsletter" not in doc.text
    assert doc.metadata == {"classifier": {"support-appeal": 1, "other": 1}}


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="split"):
        ParagraphCleaner(split="sentences")
    with pytest.raises(ValueError, match="min_chars"):
        ParagraphCleaner(min_chars=-1)
    with pytest.raises(classifier.ClassifierError, match="unknown label"):
        ParagraphCleaner(keep=("news",)).format("text")


def test_missing_datatrove_is_a_classifier_error_with_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "classifier.integrations.datatrove")
    monkeypatch.setitem(sys.modules, "datatrove", None)  # what `import datatrove` sees when it is not installed
    with pytest.raises(MissingExtraError, match=r'pip install "paragraph-classifier\[datatrove\]"'):
        import classifier.integrations.datatrove  # noqa: F401
