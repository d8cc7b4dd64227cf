"""Model directories: writing them, and loading them without ever executing their contents.

A model is a directory: ``config.json`` (format version, labels in column order, feature settings,
versions, training-data hash), ``weights.npz`` (plain arrays, read with ``allow_pickle=False``),
``metrics.json`` and a ``README.md`` model card. Everything is checked on load and any mismatch is one
``ModelError`` naming the problem: a model that half-loads is worse than one that refuses.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from .cohesion import COHESION_NAMES
from .context import n_context_features, n_refine_features
from .errors import ArgumentError, ModelError
from .features import DENSE_NAMES, MIN_DENSE
from .files import current_umask
from .model import NETWORK_ARRAYS, Model, Weights

#: 2 added stage-2 cohesion and heading features (``features.cohesion`` in config.json); 3 added the
#: refining stage, linear (``refine_coef``, ``refine_bias``); 4 made it a small network ensemble
#: (``refine_hidden``, ``refine_hidden_bias``, ``refine_out``, ``refine_out_bias``; its size in config.json's
#: ``refine_network``). Every older format still loads, and a model is saved in the oldest format that holds
#: its stages, so the versions of this package that wrote it can still read it.
FORMAT_VERSION = 4
REFINE_FORMAT = 3
NETWORK_FORMAT = 4
REFINE_ARRAYS = ("refine_coef", "refine_bias")
#: Bounds on a stage-3 network's size in config.json (a damaged number must not allocate gigabytes).
MAX_MEMBERS = 64
MAX_HIDDEN = 4096
#: Most training runs averaged into one model (``train --runs``): each adds its stage-3 networks to the
#: model's (3 each), and scoring time grows with them.
MAX_RUNS = 8
CONFIG_FILE = "config.json"
WEIGHTS_FILE = "weights.npz"
METRICS_FILE = "metrics.json"
CARD_FILE = "README.md"
#: The training pages' ``data_checks.fingerprint``: lets ``evaluate`` say which pages the model was trained
#: on. Optional: models saved before it, or saved without it, only lose that warning.
TRAINED_PAGES_FILE = "trained_pages.npy"
#: Every file a saved model directory holds; anything else in one stops a save (``check_destination``).
MODEL_FILES = frozenset({CONFIG_FILE, WEIGHTS_FILE, METRICS_FILE, CARD_FILE, TRAINED_PAGES_FILE})
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
    model: Model,
    directory: str | os.PathLike[str],
    metrics: dict[str, Any] | None = None,
    card: str | None = None,
    trained_pages: np.ndarray | None = None,
) -> Path:
    """Write ``model`` as the model directory ``directory``, replacing a model already there as a whole.

    A half-written model over a working one is the worst outcome of a save (a full disk would leave a new
    config beside truncated weights), so every file goes into a fresh staging directory beside the target
    (same filesystem, so the final rename is atomic), is fsynced, and only then is the staging directory
    swapped in. On any failure the staging directory is removed, an old model is left exactly as it was,
    and the error is one ``ModelError``. Only an empty or model directory is ever replaced.
    """
    out = Path(os.path.realpath(directory))  # through symlinks: replace the directory, not the link
    existed = out.is_dir()
    check_destination(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    except OSError as exc:
        raise ModelError(f"{out}: cannot write the model in {out.parent} ({exc.strerror or exc})") from None
    try:
        _write_model(staging, model, metrics, card, trained_pages)
        os.chmod(staging, _directory_mode(out))  # mkdtemp's owner-only 0700 would hide the model from others
        _swap_in(staging, out)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if not isinstance(exc, OSError):
            raise
        kept = "; the existing model is untouched" if existed else ""
        raise ModelError(f"{out}: cannot write the model ({exc.strerror or exc}){kept}") from None
    return Path(directory)


def check_destination(directory: str | os.PathLike[str]) -> None:
    """A ``ModelError`` unless ``directory`` can and may be written as a model directory.

    Only an empty directory, a model directory, or a path that does not exist yet is replaced, so a
    mistyped --output never wipes someone's files. The nearest existing ancestor is tried for writing
    (a directory made and removed at once) so that training, which takes minutes, never starts for
    an output it cannot save; trying, not ``os.access``, meets the very error the save would meet.
    """
    out = Path(directory)
    try:
        if out.exists() and not out.is_dir():
            raise ModelError(f"{out}: exists and is not a directory")
        is_model = (out / CONFIG_FILE).is_file() and "format_version" in read_json(out / CONFIG_FILE)
        if out.is_dir() and any(out.iterdir()) and not is_model:
            raise ModelError(f"{out}: directory is not empty and not a model directory; refusing to overwrite it")
        # A model directory is replaced as a whole: anything else kept in it (notes, data, a .git) would go.
        foreign = sorted(p.name for p in out.iterdir() if p.name not in MODEL_FILES) if is_model else []
        if foreign:
            shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
            raise ModelError(
                f"{out}: model directory also holds {shown}, which replacing the model would delete; "
                "move them out or choose another --output"
            )
    except OSError as exc:
        raise ModelError(f"{out}: cannot inspect the output directory ({exc.strerror or exc})") from None
    parent = out.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise ModelError(f"{out}: {parent} is not a directory")
    try:
        os.rmdir(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".probe", dir=parent))
    except OSError as exc:
        raise ModelError(f"{out}: cannot write in {parent} ({exc.strerror or exc})") from None


def _write_model(
    directory: Path,
    model: Model,
    metrics: dict[str, Any] | None,
    card: str | None,
    trained_pages: np.ndarray | None,
) -> None:
    """The model's files in ``directory``, each flushed to disk before the directory is swapped in."""
    w = model.weights
    config = dict(model.config)
    config.pop("refine_network", None)
    if w.refine_hidden is not None:
        members, _, hidden = w.refine_hidden.shape
        config.update(format_version=NETWORK_FORMAT, refine_network={"members": members, "hidden_units": hidden})
    else:
        config["format_version"] = REFINE_FORMAT if w.refine_coef is not None else REFINE_FORMAT - 1
    _write_durable(directory / CONFIG_FILE, _json_bytes(config))
    weights = io.BytesIO()
    np.savez(weights, **model.weights.as_arrays())  # type: ignore[arg-type]
    _write_durable(directory / WEIGHTS_FILE, weights.getvalue())
    if metrics is not None:
        _write_durable(directory / METRICS_FILE, _json_bytes(metrics))
    if card is not None:
        _write_durable(directory / CARD_FILE, card.encode("utf-8"))
    if trained_pages is not None:
        pages = io.BytesIO()
        np.save(pages, np.asarray(trained_pages, dtype=np.uint64))
        _write_durable(directory / TRAINED_PAGES_FILE, pages.getvalue())
    _fsync_directory(directory)


def _json_bytes(obj: dict[str, Any]) -> bytes:
    return (json.dumps(obj, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _write_durable(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync_directory(path: Path) -> None:
    """Flush a directory's entries (new names, renames) to disk; Windows cannot open a directory."""
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _directory_mode(out: Path) -> int:
    """The permission bits the model directory should have: the old directory's, else the umask's."""
    if out.is_dir():
        return out.stat().st_mode & 0o7777
    return 0o777 & ~current_umask()


#: Signals that stop the process in an orderly way (Ctrl-C, ``kill``, a closed terminal).
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


@contextlib.contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Hold back Ctrl-C (SIGINT), SIGTERM and SIGHUP for the block, then deliver them: the block is too
    short to wait for, and stopped halfway it would leave no model at the output path. Only the main
    thread can handle signals; elsewhere the block runs as it is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {signum: signal.signal(signum, lambda got, _frame: caught.append(got)) for signum in STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if caught:  # delivered again, to whatever the process had set (Python's SIGINT raises KeyboardInterrupt)
            signal.raise_signal(caught[0])


def _swap_in(staging: Path, out: Path) -> None:
    """Rename ``staging`` to ``out``; an existing ``out`` is renamed aside first and removed afterwards.

    POSIX has no portable atomic exchange of two directories, so for the instant between the two renames
    ``out`` does not exist: Ctrl-C is held back over them, and a crash there leaves the old model complete
    under the ``.old`` name beside it.
    If the second rename fails the old model is renamed back.
    """
    aside = None
    with _interrupts_deferred():  # a Ctrl-C between the renames would leave the model only under .old
        if out.exists():
            aside = staging.with_name(staging.name.removesuffix(".tmp") + ".old")  # unique, as mkdtemp's name is
            os.rename(out, aside)
        try:
            os.rename(staging, out)
        except OSError:
            if aside is not None:
                os.rename(aside, out)
            raise
        # The new model is in place: from here on a failure must not be reported as a failed save.
        with contextlib.suppress(OSError):
            _fsync_directory(out.parent)
        if aside is not None:
            shutil.rmtree(aside, ignore_errors=True)  # a leftover old copy is only clutter


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
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ModelError(f"{where}: config has no positive integer format_version; not a model of this tool")
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
    for section in ("training", "versions"):  # read by `info` and the card
        if not isinstance(config.get(section, {}), dict):
            raise ModelError(f"{where}: config '{section}' must be an object")
    keep = config.get("keep", [])
    if not (isinstance(keep, list) and set(keep) <= set(labels)):
        raise ModelError(f"{where}: config 'keep' must be a list of the model's labels")
    if feats.get("cohesion", []) not in ([], list(COHESION_NAMES)):
        raise ModelError(f"{where}: model was trained with cohesion features this version does not compute")
    if version >= NETWORK_FORMAT:
        net = config.get("refine_network")
        members, hidden = (net.get("members"), net.get("hidden_units")) if isinstance(net, dict) else (None, None)
        if not (_int_within(members, MAX_MEMBERS) and _int_within(hidden, MAX_HIDDEN)):
            raise ModelError(
                f"{where}: config 'refine_network' must give 'members' (1 to {MAX_MEMBERS}) and "
                f"'hidden_units' (1 to {MAX_HIDDEN}) of the third stage"
            )


def _int_within(value: object, most: int) -> bool:
    """An int (not a bool, which JSON's true would give) from 1 to ``most``."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= most


def _expected_arrays(config: dict[str, Any]) -> dict[str, tuple[int, ...]]:
    """The shape of every array the config's format and sizes call for, by name."""
    n_labels, n_dense = len(config["labels"]), len(config["features"]["dense"])
    n_cohesion = len(config["features"].get("cohesion", []))
    expected: dict[str, tuple[int, ...]] = {
        "hash_coef": (n_labels, 2 ** config["features"]["hash_bits"]),
        "dense_coef": (n_dense, n_labels),
        "stage1_bias": (n_labels,),
        "context_coef": (n_context_features(n_labels, n_dense, n_cohesion), n_labels),
        "stage2_bias": (n_labels,),
    }
    n_refine = n_refine_features(n_labels, n_dense, n_cohesion)
    version = config["format_version"]
    if version >= NETWORK_FORMAT:
        members, hidden = config["refine_network"]["members"], config["refine_network"]["hidden_units"]
        expected["refine_hidden"] = (members, n_refine, hidden)
        expected["refine_hidden_bias"] = (members, hidden)
        expected["refine_out"] = (members, hidden, n_labels)
        expected["refine_out_bias"] = (members, n_labels)
    elif version >= REFINE_FORMAT:
        expected["refine_coef"] = (n_refine, n_labels)
        expected["refine_bias"] = (n_labels,)
    return expected


def load(path: str | os.PathLike[str] | None = None) -> Model:
    """The model in directory ``path``, or the shipped default model when ``path`` is None."""
    if path is not None and not isinstance(path, (str, os.PathLike)):
        raise ArgumentError(f"a model is named by its directory's path (str or Path), not by {type(path).__name__}")
    if path is not None and not os.fspath(path):
        raise ArgumentError("a model path cannot be empty")
    where = default_model_path() if path is None else Path(path)
    if not where.exists():
        raise ModelError(f"{where}: model directory does not exist")
    if not where.is_dir():
        raise ModelError(f"{where}: not a directory (a model is a directory with {CONFIG_FILE} and {WEIGHTS_FILE})")
    config = read_json(where / CONFIG_FILE)
    _check_config(config, where)
    expected = _expected_arrays(config)
    try:
        with open(where / WEIGHTS_FILE, "rb") as fh, np.load(fh, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in expected if name in npz.files}
            stored = set(npz.files)
    except FileNotFoundError:
        raise ModelError(f"{where}: no {WEIGHTS_FILE}") from None
    except Exception as exc:  # numpy and zipfile raise many kinds (even MemoryError) on damaged headers
        if "pickle" in str(exc) and _looks_pickled(where / WEIGHTS_FILE):
            # numpy's own text would suggest loading the file "unsafely": never
            raise ModelError(
                f"{where / WEIGHTS_FILE}: holds pickled Python objects, which are never loaded "
                "(a model's weights are plain arrays)"
            ) from None
        if "pickle" in str(exc):  # numpy reads any file that is neither .npy nor a zip archive as a pickle
            raise ModelError(
                f"{where / WEIGHTS_FILE}: not a NumPy .npz archive (damaged, or another kind of file)"
            ) from None
        raise ModelError(f"{where / WEIGHTS_FILE}: corrupt or truncated ({type(exc).__name__}: {exc})") from None
    foreign = stored & set(REFINE_ARRAYS + NETWORK_ARRAYS) - set(expected)
    if foreign:  # e.g. a hand-edited version: loading would silently drop or misread the third stage
        saved_as = NETWORK_FORMAT if foreign & set(NETWORK_ARRAYS) else REFINE_FORMAT
        raise ModelError(
            f"{where}: weights hold a third stage of format {saved_as} but config.json says format "
            f"{config['format_version']}"
        )
    for name, shape in expected.items():
        if name not in arrays:
            raise ModelError(f"{where / WEIGHTS_FILE}: missing array '{name}'")
        arr = arrays[name]
        if arr.shape != shape:
            raise ModelError(f"{where / WEIGHTS_FILE}: array '{name}' has shape {arr.shape}, expected {shape}")
        if arr.dtype.kind != "f":
            raise ModelError(f"{where / WEIGHTS_FILE}: array '{name}' holds {arr.dtype}, expected floats")
        if not np.all(np.isfinite(arr)):
            raise ModelError(f"{where / WEIGHTS_FILE}: array '{name}' has non-finite values")
    return Model(Weights(**arrays), config, where)


def _looks_pickled(path: Path) -> bool:
    """Whether ``path`` is a zip archive (an .npz, whose arrays may hold objects) or starts as a pickle
    of protocol 2 or later does; anything else numpy refuses as "pickled" is just not an archive."""
    with contextlib.suppress(OSError), open(path, "rb") as fh:
        return fh.read(4).startswith((b"PK", b"\x80"))
    return False


def read_trained_pages(path: Path) -> np.ndarray | None:
    """The fingerprint of the pages the model in ``path`` was trained on, or None when it has none (an
    older model) or it cannot be read: it only feeds a warning, which must never stop an evaluation."""
    try:
        pages = np.load(path / TRAINED_PAGES_FILE, allow_pickle=False)
    except Exception:  # missing, damaged or not an array: the model simply has no fingerprint
        return None
    return pages if pages.dtype == np.uint64 and pages.ndim == 1 else None


def read_metrics(path: Path) -> dict[str, Any]:
    """The model's ``metrics.json``, or an empty dict when it has none."""
    try:
        return read_json(path / METRICS_FILE)
    except ModelError:
        return {}
