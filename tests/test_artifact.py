"""Model directories: every way one can be broken gives one clear ModelError."""

import json
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest

import classifier
from classifier.artifact import CONFIG_FILE, WEIGHTS_FILE
from tests.conftest import edit_config


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


def test_pickled_weights_are_refused_without_advice_to_load_them(model_copy: Path) -> None:
    # numpy's own message suggests loading such a file "unsafely"; a model never needs that.
    (model_copy / WEIGHTS_FILE).write_bytes(pickle.dumps({"hash_coef": [0.0]}))
    with pytest.raises(classifier.ModelError, match="pickled Python objects, which are never loaded") as info:
        classifier.load(model_copy)
    assert "allow_pickle" not in str(info.value) and "unsafe" not in str(info.value)


def test_a_weights_file_that_is_no_archive_is_not_called_pickled(model_copy: Path) -> None:
    (model_copy / WEIGHTS_FILE).write_bytes(b"<html>moved</html>" * 40)  # what a failed download saves
    with pytest.raises(classifier.ModelError, match=r"weights\.npz: not a NumPy \.npz archive") as info:
        classifier.load(model_copy)
    assert "pickle" not in str(info.value)


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


def test_integer_weights_are_named_as_a_dtype_problem(model_copy: Path) -> None:
    with np.load(model_copy / WEIGHTS_FILE) as npz:
        arrays = dict(npz)
    arrays["stage2_bias"] = np.zeros(4, dtype=np.int64)
    np.savez(model_copy / WEIGHTS_FILE, **arrays)
    with pytest.raises(classifier.ModelError, match="stage2_bias' holds int64, expected floats"):
        classifier.load(model_copy)


@pytest.mark.parametrize(("key", "value"), [("training", "by hand"), ("versions", [1]), ("keep", ["news"])])
def test_hand_edited_config_sections_are_refused_at_load(model_copy: Path, key: str, value: object) -> None:
    config = json.loads((model_copy / CONFIG_FILE).read_text())
    config[key] = value
    (model_copy / CONFIG_FILE).write_text(json.dumps(config))
    with pytest.raises(classifier.ModelError, match=key):
        classifier.load(model_copy)


def test_pickled_object_arrays_are_never_loaded(model_copy: Path) -> None:
    with np.load(model_copy / WEIGHTS_FILE) as npz:
        arrays = dict(npz)
    arrays["stage1_bias"] = np.array([object()] * 4, dtype=object)
    np.savez(model_copy / WEIGHTS_FILE, **arrays)
    with pytest.raises(classifier.ModelError, match="pickled Python objects, which are never loaded"):
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
        arrays = {name: npz[name] for name in npz.files if not name.startswith("refine_")}
    n_labels = len(config["labels"])
    width = n_context_features(n_labels, len(DENSE_NAMES))
    assert width < len(arrays["context_coef"])
    arrays["context_coef"] = np.random.default_rng(0).normal(size=(width, n_labels))
    np.savez(model_copy / WEIGHTS_FILE, **arrays)
    model = classifier.load(model_copy)
    text = "A headline\n\nBody text of the story.\n\nRead more:\n\n" * 6000  # long enough for the chunked path
    labels = [p.label for p in model.label(text)]
    assert len(labels) == 18000 and set(labels) <= set(model.labels)


def test_model_saved_before_a_layout_feature_was_appended_still_loads(model_copy: Path) -> None:
    """An older model lacks the newest layout feature; it must load and give exactly the answers of the same
    model whose weights for that feature are zero."""
    from classifier.context import context_features, refine_features
    from classifier.features import DENSE_NAMES, MIN_DENSE

    config = json.loads((model_copy / CONFIG_FILE).read_text())
    with np.load(model_copy / WEIGHTS_FILE) as npz:
        arrays = dict(npz)
    # Which stage-2 and stage-3 columns read the last layout feature: those that move when only it moves.
    rng = np.random.default_rng(0)
    probs, later, dense = (
        rng.dirichlet(np.ones(4), size=9),
        rng.dirichlet(np.ones(4), size=9),
        rng.random((9, len(DENSE_NAMES))),
    )
    cohesion = rng.random((9, 4))
    flipped = dense.copy()
    flipped[:, -1] = 1.0 - flipped[:, -1]
    moved = np.any(context_features(probs, dense, cohesion) != context_features(probs, flipped, cohesion), axis=0)
    assert moved.sum() == 3  # the feature itself and its two neighbours' copies
    moved3 = np.any(
        refine_features(later, probs, dense, cohesion) != refine_features(later, probs, flipped, cohesion), axis=0
    )
    assert moved3.sum() == 3 and len(moved3) == len(arrays["refine_coef"])

    zeroed = {name: array.copy() for name, array in arrays.items()}
    zeroed["dense_coef"][-1] = 0.0
    zeroed["context_coef"][moved] = 0.0
    zeroed["refine_coef"][moved3] = 0.0
    np.savez(model_copy / WEIGHTS_FILE, **zeroed)
    text = "Headline  with a gap\n\nBody text of the story.\n\nRead more:\n\n- Another\tstory"
    expected = [p.score for p in classifier.load(model_copy).label(text)]

    config["features"]["dense"] = list(DENSE_NAMES[:-1])
    (model_copy / CONFIG_FILE).write_text(json.dumps(config))
    older = dict(
        arrays,
        dense_coef=arrays["dense_coef"][:-1],
        context_coef=arrays["context_coef"][~moved],
        refine_coef=arrays["refine_coef"][~moved3],
    )
    np.savez(model_copy / WEIGHTS_FILE, **older)
    assert [p.score for p in classifier.load(model_copy).label(text)] == pytest.approx(expected, abs=1e-12)

    config["features"]["dense"] = list(DENSE_NAMES[: MIN_DENSE - 1])
    (model_copy / CONFIG_FILE).write_text(json.dumps(config))
    with pytest.raises(classifier.ModelError, match="layout features"):
        classifier.load(model_copy)


def test_format_2_model_without_the_refining_stage_loads_predicts_and_saves_as_format_2(
    model_copy: Path, tmp_path: Path
) -> None:
    """Models saved before stage 3 keep working after an upgrade, giving their stage-2 answers, and a
    re-save keeps them readable by the versions that wrote them."""
    from classifier.artifact import save

    config = json.loads((model_copy / CONFIG_FILE).read_text())
    config["format_version"] = 2
    (model_copy / CONFIG_FILE).write_text(json.dumps(config))
    with np.load(model_copy / WEIGHTS_FILE) as npz:
        arrays = {name: npz[name] for name in npz.files if not name.startswith("refine_")}
    np.savez(model_copy / WEIGHTS_FILE, **arrays)
    paras = ["Read more:", "Council approves the budget", "The council approved the budget on Monday.", "Donate now"]
    model = classifier.load(model_copy)
    assert model.weights.refine_coef is None
    assert [p.label for p in model.classify(paras)] and set(model.probabilities(paras).sum(axis=1).round(9)) == {1.0}
    save(model, tmp_path / "again")
    assert json.loads((tmp_path / "again" / CONFIG_FILE).read_text())["format_version"] == 2
    assert classifier.load(tmp_path / "again").classify(paras) == model.classify(paras)


def test_format_3_model_without_refining_weights_is_refused(model_copy: Path) -> None:
    with np.load(model_copy / WEIGHTS_FILE) as npz:
        arrays = {name: npz[name] for name in npz.files if name != "refine_coef"}
    np.savez(model_copy / WEIGHTS_FILE, **arrays)
    with pytest.raises(classifier.ModelError, match="missing array 'refine_coef'"):
        classifier.load(model_copy)


def test_unknown_cohesion_features_are_refused(model_copy: Path) -> None:
    config = json.loads((model_copy / CONFIG_FILE).read_text())
    config["features"]["cohesion"] = ["something_new"]
    (model_copy / CONFIG_FILE).write_text(json.dumps(config))
    with pytest.raises(classifier.ModelError, match="cohesion"):
        classifier.load(model_copy)


def test_model_directory_has_card_and_metrics(trained_dir: Path) -> None:
    config = json.loads((trained_dir / CONFIG_FILE).read_text())
    assert config["format_version"] == 3
    assert config["labels"] == ["reporting", "related-links", "support-appeal", "other"]
    assert len(config["training"]["data_sha256"]) == 64
    assert {"numpy", "scikit-learn", "classifier", "python"} <= set(config["versions"])
    metrics = json.loads((trained_dir / "metrics.json").read_text())
    assert 0.0 <= metrics["cross_validation"]["macro_f1"] <= 1.0
    assert "Cross-validation" in (trained_dir / "README.md").read_text()


def test_saving_over_a_model_directory_that_holds_other_files_is_refused(model_copy: Path) -> None:
    """Replacing a model replaces its directory: a user's notes, data or .git kept in it must not vanish."""
    from classifier.artifact import save

    (model_copy / "notes.txt").write_text("why this model exists")
    (model_copy / ".git").mkdir()
    before = sorted(p.name for p in model_copy.iterdir())
    with pytest.raises(classifier.ModelError, match=r"also holds \.git, notes\.txt"):
        save(classifier.load(model_copy), model_copy)
    assert sorted(p.name for p in model_copy.iterdir()) == before
    assert (model_copy / "notes.txt").read_text() == "why this model exists"


@pytest.mark.parametrize("version", [0, -5, True, 2])
def test_format_version_that_does_not_match_the_weights_is_refused(model_copy: Path, version: object) -> None:
    """A hand-edited version must not make a model half-load (2: its third stage silently ignored)."""
    edit_config(model_copy, format_version=version)
    with pytest.raises(classifier.ModelError, match="format"):
        classifier.load(model_copy)


def test_damaged_array_header_is_one_model_error(model_copy: Path) -> None:
    data = bytearray((model_copy / WEIGHTS_FILE).read_bytes())
    at = data.index(b"{'descr'")  # the first array's .npy header, stored uncompressed
    data[at + 1 : at + 2] = b"("
    (model_copy / WEIGHTS_FILE).write_bytes(bytes(data))
    with pytest.raises(classifier.ModelError, match="corrupt"):
        classifier.load(model_copy)
