"""``train --runs N``: N seeds' runs averaged into one model of the same size."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import classifier
from classifier import train
from classifier.artifact import CONFIG_FILE
from classifier.cli import app
from classifier.data import load_documents
from classifier.errors import ArgumentError
from tests.conftest import share_labelled_right


def test_averaged_model_is_the_mean_of_its_runs(network_training: None, tiny_data: Path) -> None:
    """Linear stages averaged, networks pooled: the linear parts are the mean of the runs trained alone,
    and the third stage holds every run's networks."""
    docs = load_documents([tiny_data])
    both, cv = train.train_model(docs, seed=5, folds=3, runs=2)
    first, _ = train.train_model(docs, seed=5, folds=3)
    second, _ = train.train_model(docs, seed=6, folds=3)
    merged, a, b = (m.weights.as_arrays() for m in (both, first, second))
    assert set(merged) == set(a)
    for name in ("hash_coef", "dense_coef", "stage1_bias", "context_coef", "stage2_bias"):
        assert merged[name].dtype == a[name].dtype and merged[name].shape == a[name].shape
        assert np.allclose(merged[name], (a[name].astype(np.float64) + b[name]) / 2, atol=1e-6), name
    for name in ("refine_hidden", "refine_hidden_bias", "refine_out", "refine_out_bias"):
        # the first run is the seed's own model; the second's networks have seeds of their own
        assert len(merged[name]) == 2 * train.NETWORK_MEMBERS
        assert np.array_equal(merged[name][: train.NETWORK_MEMBERS], a[name]), name
    assert both.config["training"]["seed"] == 5 and both.config["training"]["runs"] == 2
    assert 0.0 <= cv["macro_f1"] <= 1.0
    assert share_labelled_right(both) >= 0.9  # the averaged model still labels the pages it learned


def test_one_run_is_the_model_of_its_seed(tiny_data: Path) -> None:
    docs = load_documents([tiny_data])
    one, _ = train.train_model(docs, seed=4, folds=3, runs=1)
    plain, _ = train.train_model(docs, seed=4, folds=3)
    for name, arr in one.weights.as_arrays().items():
        assert np.array_equal(arr, plain.weights.as_arrays()[name]), name


@pytest.mark.parametrize("runs", [0, 9, True, 2.0, "2", None])
def test_train_model_refuses_runs_that_are_not_a_count_from_1_to_8(tiny_data: Path, runs: object) -> None:
    with pytest.raises(ArgumentError, match="runs must be a whole number from 1 to 8"):
        train.train_model(load_documents([tiny_data]), runs=runs)  # type: ignore[arg-type]


def test_numpy_integer_runs_are_saved_as_a_plain_count(tiny_data: Path, tmp_path: Path) -> None:
    # np.int64 trained to the end, then failed to save config.json
    train.train_and_save([str(tiny_data)], str(tmp_path / "m"), runs=np.int64(2))  # type: ignore[arg-type]
    assert json.loads((tmp_path / "m" / CONFIG_FILE).read_text())["training"]["runs"] == 2
    assert "- Command: none recorded (trained from Python)" in (tmp_path / "m" / "README.md").read_text()  # was ``


def test_runs_give_their_networks_seeds_of_their_own(network_training: None, tiny_data: Path) -> None:
    """Run r's networks were seeded seed + r + m, so runs shared seeds and their networks came out alike
    (hidden weights correlated 0.98 on this data): nine networks from five seeds."""
    model, _ = train.train_model(load_documents([tiny_data]), seed=0, folds=3, runs=3)
    hidden = model.weights.refine_hidden
    assert hidden is not None and len(hidden) == 3 * train.NETWORK_MEMBERS
    flat = hidden.reshape(len(hidden), -1)
    corr = np.corrcoef(flat)
    assert np.abs(corr[np.triu_indices(len(flat), 1)]).max() < 0.9


def test_cli_runs_saves_one_model_and_says_so(network_training: None, tiny_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "m"
    result = CliRunner().invoke(app, ["train", str(tiny_data), "-o", str(out), "--runs", "2", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "run 2 of 2: stage 3" in result.output and "2 runs averaged into one model" in result.output
    config = json.loads((out / CONFIG_FILE).read_text())
    assert config["training"]["runs"] == 2
    assert config["refine_network"]["members"] == 2 * train.NETWORK_MEMBERS
    card = (out / "README.md").read_text()
    assert "Seeds 3, 4: 2 training runs averaged into one model" in card
    assert f"the average of {2 * train.NETWORK_MEMBERS} small neural networks" in card
    assert "mean of the 2 runs' out-of-fold probabilities" in card
    model = classifier.load(out)
    assert [p.label for p in model.classify(["Read more:", "- Library extends its hours"])] == ["related-links"] * 2
    info = CliRunner().invoke(app, ["info", "-m", str(out)]).output
    assert "training: Seeds 3, 4: 2 training runs averaged" in info  # info said nothing of the runs


@pytest.mark.parametrize("runs", ["0", "9"])
def test_cli_refuses_runs_out_of_range_before_training(tiny_data: Path, tmp_path: Path, runs: str) -> None:
    result = CliRunner().invoke(app, ["train", str(tiny_data), "-o", str(tmp_path / "m"), "--runs", runs])
    assert result.exit_code == 2
    assert "--runs" in result.output and not (tmp_path / "m").exists()


def test_runs_past_the_largest_seed_wrap_to_zero_and_the_card_says_so(tiny_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "m"
    result = CliRunner().invoke(app, ["train", str(tiny_data), "-o", str(out), "--runs", "2", "--seed", str(2**32 - 1)])
    assert result.exit_code == 0, result.output
    card = (out / "README.md").read_text()
    assert (
        f"Seeds {2**32 - 1}, 0: 2 training runs averaged into one model (the linear stages' coefficients averaged)"
        in card
    )
    assert "pooled" not in card  # too little data for networks: its third stage is linear


@pytest.mark.parametrize("seed", [-1, 2**32, 1.5, True])
def test_train_model_refuses_seeds_numpy_would_reject(tiny_data: Path, seed: object) -> None:
    with pytest.raises(ArgumentError, match="seed must be a whole number from 0 to 2"):
        train.train_model(load_documents([tiny_data]), seed=seed)  # type: ignore[arg-type]
