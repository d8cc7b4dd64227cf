"""Model directories: every way one can be broken gives one clear ModelError."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import classifier
from classifier.artifact import CONFIG_FILE, WEIGHTS_FILE


@pytest.fixture
def model_copy(trained_dir: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(trained_dir, tmp_path / "model"))


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(classifier.ModelError, match="does not exist"):
        classifier.load(tmp_path / "nope")


def test_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(classifier.ModelError, match="not a model directory"):
        classifier.load(tmp_path)


def test_file_instead_of_directory(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(classifier.ModelError, match="not a directory"):
        classifier.load(tmp_path / "f")


def test_corrupt_config(model_copy: Path) -> None:
    (model_copy / CONFIG_FILE).write_text("{not json")
    with pytest.raises(classifier.ModelError, match="corrupt"):
        classifier.load(model_copy)


def test_foreign_config(model_copy: Path) -> None:
    (model_copy / CONFIG_FILE).write_text(json.dumps({"architectures": ["Bert"]}))
    with pytest.raises(classifier.ModelError, match="format_version"):
        classifier.load(model_copy)


def test_newer_format_is_refused(model_copy: Path) -> None:
    config = json.loads((model_copy / CONFIG_FILE).read_text())
    config["format_version"] = 99
    (model_copy / CONFIG_FILE).write_text(json.dumps(config))
    with pytest.raises(classifier.ModelError, match="newer"):
        classifier.load(model_copy)


def test_truncated_weights(model_copy: Path) -> None:
    data = (model_copy / WEIGHTS_FILE).read_bytes()
    (model_copy / WEIGHTS_FILE).write_bytes(data[: len(data) // 2])
    with pytest.raises(classifier.ModelError, match="corrupt or truncated"):
        classifier.load(model_copy)


def test_missing_weights(model_copy: Path) -> None:
    (model_copy / WEIGHTS_FILE).unlink()
    with pytest.raises(classifier.ModelError, match=r"no weights\.npz"):
        classifier.load(model_copy)


def test_wrong_shapes(model_copy: Path) -> None:
    with np.load(model_copy / WEIGHTS_FILE) as npz:
        arrays = dict(npz)
    arrays["stage2_bias"] = np.zeros(7)
    np.savez(model_copy / WEIGHTS_FILE, **arrays)
    with pytest.raises(classifier.ModelError, match="stage2_bias"):
        classifier.load(model_copy)


def test_pickled_object_arrays_are_never_loaded(model_copy: Path) -> None:
    with np.load(model_copy / WEIGHTS_FILE) as npz:
        arrays = dict(npz)
    arrays["stage1_bias"] = np.array([object()] * 4, dtype=object)
    np.savez(model_copy / WEIGHTS_FILE, **arrays)
    with pytest.raises(classifier.ModelError, match="corrupt"):
        classifier.load(model_copy)


def test_format_1_model_without_cohesion_features_still_loads(model_copy: Path) -> None:
    """Models saved before stage 2 read document cohesion must keep working after an upgrade."""
    from classifier.context import n_context_features
    from classifier.features import DENSE_NAMES

    config = json.loads((model_copy / CONFIG_FILE).read_text())
    del config["features"]["cohesion"]
    config["format_version"] = 1
    (model_copy / CONFIG_FILE).write_text(json.dumps(config))
    with np.load(model_copy / WEIGHTS_FILE) as npz:
        arrays = dict(npz)
    n_labels = len(config["labels"])
    width = n_context_features(n_labels, len(DENSE_NAMES))
    assert width < len(arrays["context_coef"])
    arrays["context_coef"] = np.random.default_rng(0).normal(size=(width, n_labels))
    np.savez(model_copy / WEIGHTS_FILE, **arrays)
    model = classifier.load(model_copy)
    text = "A headline\n\nBody text of the story.\n\nRead more:\n\n" * 6000  # long enough for the chunked path
    labels = [p.label for p in model.label(text)]
    assert len(labels) == 18000 and set(labels) <= set(model.labels)


def test_unknown_cohesion_features_are_refused(model_copy: Path) -> None:
    config = json.loads((model_copy / CONFIG_FILE).read_text())
    config["features"]["cohesion"] = ["something_new"]
    (model_copy / CONFIG_FILE).write_text(json.dumps(config))
    with pytest.raises(classifier.ModelError, match="cohesion"):
        classifier.load(model_copy)


def test_model_directory_has_card_and_metrics(trained_dir: Path) -> None:
    config = json.loads((trained_dir / CONFIG_FILE).read_text())
    assert config["format_version"] == 2
    assert config["labels"] == ["reporting", "related-links", "support-appeal", "other"]
    assert len(config["training"]["data_sha256"]) == 64
    assert {"numpy", "scikit-learn", "classifier", "python"} <= set(config["versions"])
    metrics = json.loads((trained_dir / "metrics.json").read_text())
    assert 0.0 <= metrics["cross_validation"]["macro_f1"] <= 1.0
    assert "Cross-validation" in (trained_dir / "README.md").read_text()
