"""Model directories: writing them, and loading them without ever executing their contents.

A model is a directory: ``config.json`` (format version, labels in column order, feature settings,
versions, training-data hash), ``weights.npz`` (plain arrays, read with ``allow_pickle=False``),
``metrics.json`` and a ``README.md`` model card. Everything is checked on load and any mismatch is one
``ModelError`` naming the problem: a model that half-loads is worse than one that refuses.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from .cohesion import COHESION_NAMES
from .context import n_context_features
from .errors import ModelError
from .features import DENSE_NAMES, MIN_DENSE
from .model import Model, Weights

#: 2 added stage-2 cohesion and heading features (``features.cohesion`` in config.json); format 1 still loads.
FORMAT_VERSION = 2
CONFIG_FILE = "config.json"
WEIGHTS_FILE = "weights.npz"
METRICS_FILE = "metrics.json"
CARD_FILE = "README.md"
#: Where the default model sits inside an installed package (copied there from models/default).
_PACKAGED = Path(__file__).parent / "default_model"
#: The source of truth in a checkout; used when the package is installed editable or run from source.
_CHECKOUT = Path(__file__).parent.parent / "models" / "default"


def default_model_path() -> Path:
    """The shipped default model's directory."""
    for candidate in (_PACKAGED, _CHECKOUT):
        if (candidate / CONFIG_FILE).is_file():
            return candidate
    raise ModelError(
        "the default model is not installed (no models/default); train one with "
        "'classifier train training_data/ --output models/default' or pass --model DIR"
    )


def save(
    model: Model, directory: str | os.PathLike[str], metrics: dict[str, Any] | None = None, card: str | None = None
) -> Path:
    """Write ``model`` as a model directory; existing files of the same names are replaced."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    config = dict(model.config, format_version=FORMAT_VERSION)
    (out / CONFIG_FILE).write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    np.savez(out / WEIGHTS_FILE, **model.weights.as_arrays())  # type: ignore[arg-type]
    if metrics is not None:
        (out / METRICS_FILE).write_text(json.dumps(metrics, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if card is not None:
        (out / CARD_FILE).write_text(card, encoding="utf-8")
    return out


def read_json(path: Path) -> dict[str, Any]:
    """A JSON object from ``path``, or a ModelError saying why not."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{path.parent}: not a model directory (no {path.name})") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{path}: unreadable or corrupt ({exc.__class__.__name__}: {exc})") from None
    if not isinstance(data, dict):
        raise ModelError(f"{path}: corrupt (expected a JSON object)")
    return data


def _check_config(config: dict[str, Any], where: Path) -> None:
    version = config.get("format_version")
    if not isinstance(version, int):
        raise ModelError(f"{where}: config has no integer format_version; not a model of this tool")
    if version > FORMAT_VERSION:
        raise ModelError(
            f"{where}: model format {version} is newer than this version of classifier understands "
            f"(up to {FORMAT_VERSION}); upgrade the classifier package"
        )
    labels = config.get("labels")
    if not isinstance(labels, list) or len(labels) < 2 or not all(isinstance(x, str) and x for x in labels):
        raise ModelError(f"{where}: config 'labels' must be a list of at least two label names")
    if len(set(labels)) != len(labels):
        raise ModelError(f"{where}: config 'labels' has duplicates")
    feats = config.get("features")
    if not isinstance(feats, dict):
        raise ModelError(f"{where}: config has no 'features' settings")
    bits, rng, dense = feats.get("hash_bits"), feats.get("ngram_range"), feats.get("dense")
    if not (isinstance(bits, int) and 8 <= bits <= 24):
        raise ModelError(f"{where}: config features.hash_bits must be an integer from 8 to 24")
    if not (
        isinstance(rng, list) and len(rng) == 2 and all(isinstance(x, int) for x in rng) and 1 <= rng[0] <= rng[1] <= 8
    ):
        raise ModelError(f"{where}: config features.ngram_range must be [min, max] with 1 <= min <= max <= 8")
    if not (isinstance(dense, list) and len(dense) >= MIN_DENSE and dense == list(DENSE_NAMES[: len(dense)])):
        raise ModelError(f"{where}: model was trained with layout features this version does not compute")
    if feats.get("cohesion", []) not in ([], list(COHESION_NAMES)):
        raise ModelError(f"{where}: model was trained with cohesion features this version does not compute")


def load(path: str | os.PathLike[str] | None = None) -> Model:
    """The model in directory ``path``, or the shipped default model when ``path`` is None."""
    where = default_model_path() if path is None else Path(path)
    if not where.exists():
        raise ModelError(f"{where}: model directory does not exist")
    if not where.is_dir():
        raise ModelError(f"{where}: not a directory (a model is a directory with {CONFIG_FILE} and {WEIGHTS_FILE})")
    config = read_json(where / CONFIG_FILE)
    _check_config(config, where)
    n_labels, n_dense = len(config["labels"]), len(config["features"]["dense"])
    n_cohesion = len(config["features"].get("cohesion", []))
    expected = {
        "hash_coef": (n_labels, 2 ** config["features"]["hash_bits"]),
        "dense_coef": (n_dense, n_labels),
        "stage1_bias": (n_labels,),
        "context_coef": (n_context_features(n_labels, n_dense, n_cohesion), n_labels),
        "stage2_bias": (n_labels,),
    }
    try:
        with open(where / WEIGHTS_FILE, "rb") as fh, np.load(fh, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in expected if name in npz.files}
    except FileNotFoundError:
        raise ModelError(f"{where}: no {WEIGHTS_FILE}") from None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise ModelError(f"{where / WEIGHTS_FILE}: corrupt or truncated ({exc})") from None
    for name, shape in expected.items():
        if name not in arrays:
            raise ModelError(f"{where / WEIGHTS_FILE}: missing array '{name}'")
        arr = arrays[name]
        if arr.shape != shape or arr.dtype.kind != "f":
            raise ModelError(f"{where / WEIGHTS_FILE}: array '{name}' has shape {arr.shape}, expected {shape}")
        if not np.all(np.isfinite(arr)):
            raise ModelError(f"{where / WEIGHTS_FILE}: array '{name}' has non-finite values")
    return Model(Weights(**arrays), config, where)


def read_metrics(path: Path) -> dict[str, Any]:
    """The model's ``metrics.json``, or an empty dict when it has none."""
    try:
        return read_json(path / METRICS_FILE)
    except ModelError:
        return {}
