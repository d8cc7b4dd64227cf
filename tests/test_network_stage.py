"""Stage 3 as a network ensemble (format 4), which training chooses on large data.

The test corpus is tiny, so these tests lower ``train.NETWORK_MIN_PARAGRAPHS`` to get a network from it; the
default model (trained on the full corpus) is a format-4 model too and is exercised by the other tests.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import classifier
from classifier import train
from classifier.artifact import CONFIG_FILE, WEIGHTS_FILE, save
from classifier.data import load_documents
from tests.conftest import edit_config, share_labelled_right, tiny_documents


@pytest.fixture(scope="module")
def network_dir(tiny_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("network") / "m"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(train, "NETWORK_MIN_PARAGRAPHS", 0)
        train.train_and_save([str(tiny_data)], str(out), seed=0, folds=3)
    return out


@pytest.fixture
def network_copy(network_dir: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(network_dir, tmp_path / "model"))


def test_network_model_is_saved_as_format_4_with_its_size(network_dir: Path) -> None:
    config = json.loads((network_dir / CONFIG_FILE).read_text())
    assert config["format_version"] == 4
    assert config["refine_network"] == {"members": train.NETWORK_MEMBERS, "hidden_units": train.NETWORK_HIDDEN}
    assert config["training"]["stage3"]["kind"] == "network"
    with np.load(network_dir / WEIGHTS_FILE) as npz:
        assert "refine_hidden" in npz.files and "refine_coef" not in npz.files
    card = (network_dir / "README.md").read_text()
    assert f"the average of {train.NETWORK_MEMBERS} small neural networks" in card and "Each fold's third" in card


def test_small_data_keeps_a_linear_third_stage(trained_dir: Path) -> None:
    config = json.loads((trained_dir / CONFIG_FILE).read_text())
    assert config["format_version"] == 3 and config["training"]["stage3"]["kind"] == "linear"
    assert "refine_network" not in config
    assert "neural" not in (trained_dir / "README.md").read_text()


def test_network_model_labels_the_pages_it_learned(network_dir: Path) -> None:
    """The standardization folded into the first layer must reproduce what the network learned: a sign or
    scale slip there leaves a model that mislabels even its own training pages."""
    model = classifier.load(network_dir)
    assert share_labelled_right(model) >= 0.9
    probs = model.probabilities(["Read more:", "The council approved the budget on Tuesday.", "Donate now"])
    assert np.allclose(probs.sum(axis=1), 1.0) and probs.min() >= 0.0


def test_network_training_is_reproducible_whatever_the_jobs(network_training: None, tiny_data: Path) -> None:
    docs = load_documents([tiny_data])
    one, _ = train.train_model(docs, seed=2, folds=3, jobs=1)
    two, _ = train.train_model(docs, seed=2, folds=3, jobs=2)
    assert one.weights.refine_hidden is not None
    for name, arr in one.weights.as_arrays().items():
        assert np.array_equal(arr, two.weights.as_arrays()[name]), name


def test_network_model_round_trips_and_resaves_as_format_4(network_dir: Path, tmp_path: Path) -> None:
    model = classifier.load(network_dir)
    paras = ["Headline", "The bridge will reopen in spring.", "Tags: council", "© 2025 Someone"]
    save(model, tmp_path / "again")
    again = classifier.load(tmp_path / "again")
    assert np.array_equal(again.probabilities(paras), model.probabilities(paras))
    assert json.loads((tmp_path / "again" / CONFIG_FILE).read_text())["format_version"] == 4


def test_two_label_data_gets_a_working_network(network_training: None, tmp_path: Path) -> None:
    """scikit-learn fits two labels with one logistic output; the saved network must still give both."""
    docs = tiny_documents()
    for doc in docs:
        for para in doc["paragraphs"]:
            para["label"] = "keep" if para["label"] == "reporting" else "drop"
    data = tmp_path / "two.jsonl"
    data.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    train.train_and_save([str(data)], str(tmp_path / "m"), folds=3, keep=["keep"])
    model = classifier.load(tmp_path / "m")
    labels = [p.label for p in model.classify(["The council approved the new budget on Tuesday.", "Read more:"])]
    assert model.labels == ("keep", "drop") and labels == ["keep", "drop"]  # the kept label first


@pytest.mark.parametrize(
    "network",
    [None, {"members": 0, "hidden_units": 32}, {"members": True, "hidden_units": 32}, {"members": 3}, "3x32"],
)
def test_bad_network_size_in_config_is_refused(network_copy: Path, network: object) -> None:
    edit_config(network_copy, refine_network=network)
    with pytest.raises(classifier.ModelError, match="refine_network"):
        classifier.load(network_copy)


def test_network_size_that_does_not_match_the_weights_is_refused(network_copy: Path) -> None:
    size = json.loads((network_copy / CONFIG_FILE).read_text())["refine_network"]
    edit_config(network_copy, refine_network=dict(size, hidden_units=size["hidden_units"] + 1))
    with pytest.raises(classifier.ModelError, match="'refine_hidden' has shape"):
        classifier.load(network_copy)


@pytest.mark.parametrize("version", [2, 3])
def test_older_format_number_on_a_network_model_is_refused(network_copy: Path, version: int) -> None:
    """Loading it as format 3 would look for a linear third stage, as 2 would drop the third stage."""
    edit_config(network_copy, format_version=version)
    with pytest.raises(classifier.ModelError, match="third stage of format 4"):
        classifier.load(network_copy)


def test_largest_seed_trains_a_network(network_training: None, tiny_data: Path) -> None:
    """Each member's seed is the run's seed plus its number; --seed accepts up to 2**32 - 1."""
    model, _ = train.train_model(load_documents([tiny_data]), seed=2**32 - 1, folds=3)
    assert model.weights.refine_hidden is not None


def test_training_leaves_process_settings_as_it_found_them(network_training: None, tiny_data: Path) -> None:
    """Training silences a warning and limits BLAS threads while it runs; two trainings in threads of one
    process must neither leave either behind nor give different weights than one alone."""
    import warnings
    from concurrent.futures import ThreadPoolExecutor

    from threadpoolctl import threadpool_info

    docs = load_documents([tiny_data])
    filters, blas = list(warnings.filters), [p["num_threads"] for p in threadpool_info()]
    alone, _ = train.train_model(docs, seed=4, folds=3)
    with ThreadPoolExecutor(2) as pool:
        models = [f.result()[0] for f in [pool.submit(train.train_model, docs, seed=4, folds=3) for _ in range(2)]]
    assert list(warnings.filters) == filters and [p["num_threads"] for p in threadpool_info()] == blas
    for model in models:
        for name, arr in alone.weights.as_arrays().items():
            assert np.array_equal(arr, model.weights.as_arrays()[name]), name


def test_info_shows_the_network_only_for_a_network_model(network_dir: Path, trained_dir: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from classifier.cli import app

    linear = Path(shutil.copytree(trained_dir, tmp_path / "linear"))
    edit_config(linear, refine_network="3x32")  # a stray key a format-3 model does not use
    shown = CliRunner().invoke(app, ["info", "--model", str(linear)])
    assert shown.exit_code == 0 and "format:   3\n" in shown.stdout
    shown = CliRunner().invoke(app, ["info", "--model", str(network_dir)])
    assert shown.exit_code == 0 and f"format:   4 (stage 3: {train.NETWORK_MEMBERS} networks" in shown.stdout
