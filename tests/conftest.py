"""Shared fixtures: a tiny corpus written for the tests and a model trained on it in seconds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import classifier

BODY = [
    "The council approved the new budget on Tuesday after a long debate about road repairs.",
    "Engineers said the bridge would reopen in spring once the steel supports are replaced.",
    "Farmers in the valley reported a late frost that damaged much of the early fruit crop.",
    "The museum will show forty paintings that have not been seen in public for decades.",
    "Police said the driver was taken to hospital with minor injuries after the collision.",
    "Scientists measured the glacier's retreat using drones flown over the ice each month.",
    "The school plans to add two classrooms and a small library before the next term begins.",
    "Ticket sales for the festival doubled compared with last year, organisers told reporters.",
]
JUNK = {
    "related-links": ["Read more:", "Related stories", "- Town hall opens new cafe", "Tags: council, budget"],
    "support-appeal": [
        "Subscribe to our newsletter",
        "Support our journalism for the price of a coffee",
        "Follow us on social media",
        "Already a subscriber? Log in",
    ],
    "other": [
        "By Sam Reed | 4 March 2025",
        "© 2025 Valley Times. All rights reserved.",
        "Photo: Valley Times",
        "Updated 3 hours ago",
    ],
}
#: More headline bullets, so the test model learns "- Short title" as a link with a margin that does not
#: hang on solver tolerance or seed.
LINK_BULLETS = [
    "- Harbour festival returns in May",
    "- New bus routes for the east side",
    "- Library extends its hours",
]


def tiny_documents() -> list[dict]:
    """Twelve small labeled documents with each label in several positions."""
    docs = []
    for i in range(12):
        paras = [{"text": f"Headline number {i} about the valley", "label": "reporting"}]
        if i % 3 == 0:
            paras.insert(0, {"text": JUNK["other"][i % 4], "label": "other"})
        for j in range(3):
            paras.append({"text": BODY[(i + j) % len(BODY)], "label": "reporting"})
        for label, lines in JUNK.items():
            paras.append({"text": lines[(i + len(label)) % len(lines)], "label": label})
            if label == "related-links" and i % 2 == 0:
                paras.append({"text": LINK_BULLETS[i % 3], "label": label})
        docs.append({"doc_id": f"t{i}", "lang": "en", "source": "news/test", "paragraphs": paras})
    return docs


def share_labelled_right(model: classifier.Model) -> float:
    """Share of the tiny corpus's paragraphs the model labels as written: a model trained on it that
    misreads its own training pages has a fault in how its weights are built or combined."""
    right = total = 0
    for doc in tiny_documents():
        predicted = [p.label for p in model.classify([p["text"] for p in doc["paragraphs"]])]
        right += sum(p == q["label"] for p, q in zip(predicted, doc["paragraphs"], strict=True))
        total += len(predicted)
    return right / total


def edit_config(model_dir: Path, **changes: object) -> dict:
    """Set top-level keys of a saved model's config.json (to damage it on purpose); returns the new config."""
    path = model_dir / "config.json"
    config = dict(json.loads(path.read_text()), **changes)
    path.write_text(json.dumps(config))
    return config


@pytest.fixture
def network_training(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tiny corpus is far below ``train.NETWORK_MIN_PARAGRAPHS``: lower it to get a network stage."""
    from classifier import train

    monkeypatch.setattr(train, "NETWORK_MIN_PARAGRAPHS", 0)


@pytest.fixture(scope="session")
def tiny_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("data") / "tiny.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in tiny_documents()), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def trained_dir(tiny_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from classifier.train import train_and_save

    out = tmp_path_factory.mktemp("model") / "m"
    train_and_save([str(tiny_data)], str(out), seed=0, folds=3)
    return out


@pytest.fixture(scope="session")
def trained_model(trained_dir: Path) -> classifier.Model:
    return classifier.load(trained_dir)


@pytest.fixture(scope="session")
def default_model() -> classifier.Model:
    return classifier.load()


ARTICLE = Path(__file__).parent.parent / "examples" / "article.txt"
