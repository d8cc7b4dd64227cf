"""Fitting a model from labeled documents (the only module that needs scikit-learn).

Three stacked stages: stage 1, a multinomial logistic regression, scores each paragraph from its own
n-grams and layout (trained also on case/punctuation variants of short lines, ``augment.py``); stage 2, a
second one, rescores it from its own and its neighbours' stage-1 probabilities, its position and the page's
cohesion; stage 3, a small ensemble of one-hidden-layer networks, rescores it once more from the same context
of the stage-2 probabilities (``context.refine_features``): it can learn the combinations a linear stage
cannot ("short, after a heading-like line, near the end, in a run of lines that look like links").
Each later stage is fitted on out-of-fold probabilities of the one before (folds grouped by document),
so it learns how much to trust them on text the earlier stage has not seen, and on augmented views of
each page (``views.py``; some boxes of teasers in them hold lines that stage 1 only scores, made by
``augment.glued_teasers``). The same folds give the cross-validation report.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import math
import numbers
import os
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import Any

import numpy as np

from .artifact import MAX_RUNS
from .augment import glued_teasers, short_line_variants
from .cohesion import COHESION_NAMES, cohesion
from .context import Rows, context_features, refine_features
from .data import Document
from .data_checks import blank_text_warnings, data_warnings, fingerprint, label_clashes, page_numbers, trained_on
from .errors import ArgumentError, DataError
from .features import DENSE_NAMES, HASH_BITS, NGRAM_MAX, NGRAM_MIN, dense_matrix, hashed_features
from .labels import DEFAULT_KEEP, DEFAULT_LABELS, Label, default_keep
from .metrics import NO_GROUP, score, score_groups
from .model import NETWORK_ARRAYS, Model, Weights, linear_scorer, refine_scorer
from .segment import is_blank
from .views import context_views

#: What training does with a paragraph without text (``data_checks.blank_text_warnings`` says it with its place).
BLANK_IN_TRAINING = (
    "they are left out of training: prediction reads blank items as no evidence, so learning from them would "
    "teach nothing it uses"
)
#: Inverse regularisation strength of stage 1 (n-grams) and stages 2 and 3 (context). Stage 1 at 16 rather than
#: 4 lets the n-grams of languages with few pages weigh enough: stage-1 out-of-fold macro-F1 0.764 -> 0.773
#: (Chinese 0.589 -> 0.623, Korean 0.700 -> 0.739), English unchanged; 64 adds little for 10 s more training.
STAGE1_C = 16.0
STAGE2_C = 1.0
MAX_ITER = 300
#: Solver tolerances: 1e-3 gave the same scores (CV and real pages within 0.001) in 1.6x the time, 6e-3 the
#: same as 3e-3 in 0.8x; 1e-2 gives the same again (stage 1: CV 0.8773 vs 0.8778, real pages 0.718 vs
#: 0.717; stage 2: CV 0.8770 vs 0.8773) and saves a fifth of the training time. Stage 1 at 2e-2 (5570
#: documents): CV 0.911 vs 0.910 (seed 1: 0.911 vs 0.912), real pages within the seed-to-seed spread, training
#: 105-109 -> 90-96 s, which keeps the default model inside its two-minute budget.
STAGE1_TOL = 2e-2
STAGE2_TOL = 1e-2
#: Stage 3 when it is linear (see NETWORK_MIN_PARAGRAPHS): CV 0.8874 vs 0.8885 at 1e-2, real pages 0.732 vs
#: 0.735, in two thirds of the time.
STAGE3_TOL = 2e-2
#: Stage 3: NETWORK_MEMBERS networks of NETWORK_HIDDEN ReLU units, each NETWORK_EPOCHS passes of Adam over
#: standardized features, averaged. Against the linear stage 3 on the same stage-2 probabilities (4323
#: documents): CV 0.891 -> 0.903, real pages 0.731 -> 0.779 macro-F1 (kept 99.38 -> 99.50%, dropped 60.0 ->
#: 62.0%). One network alone varies by +-0.02 on real pages from seed to seed; three average most of that
#: out. 64 units, 10 or 40 epochs or two layers did no better.
#: Below NETWORK_MIN_PARAGRAPHS training paragraphs (about 800 documents) stage 3 stays linear: a network
#: fitted for the same epochs on little data takes few steps and did worse (454 documents, ~20k stage-3
#: rows: CV 0.734 vs 0.738, real pages 0.369 vs 0.404), and the linear fit is faster; on 1,978 documents
#: (~100k rows) the network is ahead (CV 0.892 vs 0.877, real pages 0.721 vs 0.691). Counted in the data's
#: own paragraphs, not in stage-3 rows (about three per paragraph, with the augmented views): their number
#: moves with the seed and the order of the files, and near the cut one seed got a network and the next a
#: linear stage from the same data.
NETWORK_MIN_PARAGRAPHS = 16_000
NETWORK_MEMBERS = 3
NETWORK_HIDDEN = 32
NETWORK_EPOCHS = 20
NETWORK_ALPHA = 1e-4
#: Batches of 1024 rows rather than 512: 5.4 s per network instead of 7.8 s on 376,906 rows, a fold's F1
#: 0.8978 vs 0.8964; real pages 0.805 / 0.807 (seeds 0 / 1) vs 0.808 / 0.793.
NETWORK_BATCH = 1024
#: Document-grouped folds: 3 gives the same real-page scores as 5 in two thirds of the time (two rounds
#: of fits on two cores instead of three); its cross-validation estimate is a little lower (less data per fold).
FOLDS = 3
#: Largest label weight: the solver works in float32, and far before its limit (3e38) one label's weight
#: would drown every other.
MAX_LABEL_WEIGHT = 1e6
#: Documents featurized into one block of the stage-1 matrix (``_stage1_matrix``).
FEATURE_CHUNK = 400


def _require_training_packages() -> Any:
    """scikit-learn (returned) and scipy, or a ``MissingExtraError`` saying how to install them."""
    from .integrations import require

    require("scipy", "train", "training")
    return require("sklearn", "train", "training")


def _label_order(docs: Sequence[Document]) -> list[str]:
    """Labels of the data, the default set in its canonical order first, any others sorted after."""
    present = {label for d in docs for label in d.labels}
    if len(present) < 2:
        raise DataError(
            f"training needs at least two different labels, found {', '.join(map(repr, sorted(present))) or 'none'}"
        )
    for label in sorted(present):
        if "," in label or any(c in label for c in "\t\n\r"):
            # --keep takes comma-separated labels and predict's TSV has tab-separated cells.
            raise DataError(f"label {label!r} contains a comma, tab or line break, which a label cannot hold")
    clashes = label_clashes(docs)  # "Reporting" beside "reporting" is a typo, not a fifth class
    if clashes:
        raise DataError(f"labels {'; '.join(clashes)} differ only in case or spacing; use one spelling")
    return [x for x in DEFAULT_LABELS if x in present] + sorted(present - set(DEFAULT_LABELS))


def _stage1_matrix(docs: Sequence[Document], hash_bits: int) -> tuple[Any, list[np.ndarray]]:
    """The stage-1 design matrix (hashed n-grams, then layout columns; float32) and each document's
    layout matrix. Built FEATURE_CHUNK documents at a time and stacked: one matrix built from the whole
    corpus's coordinates at once took twice as long (13.7 s against 7.4 s for 114,894 paragraphs), its
    tens of millions of coordinates passing through memory several times."""
    from scipy import sparse

    n_hash = 2**hash_bits
    parts, dense_all = [], []
    for first in range(0, len(docs), FEATURE_CHUNK):
        rows_all, cols_all, vals_all, dense_part = [], [], [], []
        offset = 0
        for doc in docs[first : first + FEATURE_CHUNK]:
            rows, buckets, values = hashed_features(doc.texts, hash_bits)
            rows_all.append(rows + offset)
            cols_all.append(buckets)
            vals_all.append(values)
            dense_part.append(dense_matrix(doc.texts))
            offset += len(doc.texts)
        dense = np.vstack(dense_part)
        at_rows, at_cols = np.nonzero(dense)
        coordinates = (np.concatenate([*rows_all, at_rows]), np.concatenate([*cols_all, at_cols + n_hash]))
        values = np.concatenate([*vals_all, dense[at_rows, at_cols]])
        # Repeated n-grams add up in float64, then float32: saga runs a quarter faster on it, same
        # iterations and scores (as for ``_float32``).
        shape = (offset, n_hash + dense.shape[1])
        parts.append(sparse.csr_matrix((values, coordinates), shape=shape).astype(np.float32))
        dense_all += dense_part
    return sparse.vstack(parts, format="csr"), dense_all


def _fit(x: Any, y: np.ndarray, c: float, tol: float, seed: int, class_weight: dict[int, float] | None = None) -> Any:
    from sklearn.linear_model import LogisticRegression

    # saga handles 2**18 sparse columns in seconds where lbfgs takes minutes; the seed fixes its order.
    clf = LogisticRegression(
        C=c, solver="saga", tol=tol, max_iter=MAX_ITER, random_state=seed, class_weight=class_weight
    )
    return clf.fit(x, y)


def _submit_fits(
    pool: Executor,
    x: Any,
    y: np.ndarray,
    masks: list[np.ndarray | None],
    c: float,
    tol: float,
    seed: int,
    class_weight: dict[int, float] | None = None,
) -> list[Future[Any]]:
    """One fit per row mask (None: all rows), queued on ``pool``.

    A stage's fold fits are queued before its final fit: the next stage needs only the folds' out-of-fold
    probabilities, so its features are built while the final fit still runs (scikit-learn's solvers
    release the GIL). Each fit slices its rows inside the worker: at most ``jobs`` copies of ``x`` at once.
    """

    def fit_part(mask: np.ndarray | None) -> Any:
        if mask is None:
            return _fit(x, y, c, tol, seed, class_weight)
        return _fit(x[mask], y[mask], c, tol, seed, class_weight)

    return [pool.submit(fit_part, mask) for mask in masks]


def _fit_network(
    x: np.ndarray, y: np.ndarray, seed: int, class_weight: dict[int, float] | None, n_labels: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One stage-3 network as (hidden, hidden_bias, out, out_bias), ready for ``model.network_scorer``.

    The standardization it was trained with is folded into the first layer, so prediction needs no
    extra arrays; a feature constant in training gets zero weight (its spread says nothing of new text).
    Its outputs are one per label, as a logistic regression's rows (``_label_rows``).
    """
    from sklearn.neural_network import MLPClassifier

    std = x.std(axis=0, dtype=np.float64)
    varies = std > 1e-6
    # The network sees the matrix standardized in its own float32 (no float64 copy of it), so the fold
    # below uses those same float32 values, not the float64 statistics they were rounded from.
    mean = x.mean(axis=0, dtype=np.float64).astype(x.dtype)
    scale = np.where(varies, std, 1.0).astype(x.dtype)
    net = MLPClassifier(
        hidden_layer_sizes=(NETWORK_HIDDEN,),
        alpha=NETWORK_ALPHA,
        batch_size=min(NETWORK_BATCH, len(y)),
        max_iter=NETWORK_EPOCHS,
        tol=0.0,
        n_iter_no_change=NETWORK_EPOCHS + 1,  # a fixed number of epochs: same work, same result every time
        random_state=seed,
    )
    weights = None if class_weight is None else np.array([class_weight[i] for i in range(n_labels)])[y]
    standard = x - mean
    standard /= scale
    net.fit(standard, y, sample_weight=weights)
    del standard
    first, second = (np.asarray(a, dtype=np.float64) for a in net.coefs_)
    first_bias, second_bias = (np.asarray(a, dtype=np.float64) for a in net.intercepts_)
    hidden = first / scale.astype(np.float64)[:, None]
    hidden[~varies] = 0.0
    hidden_bias = first_bias - mean.astype(np.float64) @ hidden
    out, out_bias = _label_rows(second.T, second_bias, net.classes_, n_labels)
    return hidden, hidden_bias, np.ascontiguousarray(out.T), out_bias


def _submit_stage3(
    pool: Executor,
    x: np.ndarray,
    y: np.ndarray,
    masks: list[np.ndarray | None],
    seed: int,
    class_weight: dict[int, float] | None,
    n_labels: int,
    use_network: bool,
    network_seed: int,
) -> list[Callable[[], dict[str, np.ndarray]]]:
    """Stage-3 fits per row mask (None: all rows), queued on ``pool``; each returned function waits for
    its mask's fits and gives their arrays by ``Weights`` name.

    A network stage is NETWORK_MEMBERS fits for all rows (None), member m seeded ``network_seed + m`` so
    the ensemble does not depend on how many run at once, and one per fold; a linear one (``use_network``
    false) is one fit per mask, seeded ``seed``.
    """
    if not use_network:
        fits = _submit_fits(pool, x, y, masks, STAGE2_C, STAGE3_TOL, seed, class_weight)

        def linear(fit: Future[Any]) -> dict[str, np.ndarray]:
            coef, bias = _full_coef(fit.result(), n_labels)
            return {"refine_coef": np.ascontiguousarray(coef.T), "refine_bias": bias}

        return [functools.partial(linear, fit) for fit in fits]

    def fit_part(mask: np.ndarray | None, member: int) -> tuple[np.ndarray, ...]:
        rows = x if mask is None else x[mask]
        # scikit-learn takes seeds below 2**32, as --seed does: wrap rather than fail on the largest ones
        member_seed = (network_seed + member) % 2**32
        return _fit_network(rows, y if mask is None else y[mask], member_seed, class_weight, n_labels)

    def network(members: list[Future[tuple[np.ndarray, ...]]]) -> dict[str, np.ndarray]:
        parts = [f.result() for f in members]
        return {name: np.stack([p[i] for p in parts]) for i, name in enumerate(NETWORK_ARRAYS)}

    # The folds' fits only estimate the final one's quality for the cross-validation report: one network
    # each is enough for that (a slightly low estimate) and saves two thirds of their time.
    queued = [
        [pool.submit(fit_part, mask, m) for m in range(1 if mask is not None else NETWORK_MEMBERS)] for mask in masks
    ]
    return [functools.partial(network, members) for members in queued]


#: Held while a model trains: ``_fit_pool`` changes process-wide settings.
_TRAINING = threading.Lock()


#: Name prefix of the threads that run the fits (the CLI looks for them on Ctrl-C).
FIT_THREADS = "classifier-fit"


@contextlib.contextmanager
def _fit_pool(jobs: int) -> Iterator[Executor]:
    """Threads for the fits, ``jobs`` at a time. When training stops early (an error, Ctrl-C) the fits not
    yet started are dropped: a running solver cannot be stopped, but nothing new starts. On Ctrl-C control
    returns at once and the fits in progress finish in their threads; after any other error they are
    waited for.

    Stage 3's networks train for a fixed number of epochs by design; scikit-learn would warn of each
    that it stopped unconverged, so that one warning is silenced while the pool runs. Each fit gets one
    BLAS thread: two networks each running a multi-threaded BLAS on two cores took 9.1 s where one
    thread each took 5.9 s, and the thread count changes the last bits of the weights, which must not
    depend on ``jobs``.

    Both settings are process-wide, and each is restored to what it was on entry: so trainings in one
    process run one at a time (``_TRAINING``), or a second one would restore the first one's settings
    half-way through its own fits. While a model trains, BLAS runs single-threaded in the whole process.
    """
    from threadpoolctl import threadpool_limits  # installed with scikit-learn

    with _TRAINING, warnings.catch_warnings(), threadpool_limits(limits=1, user_api="blas"):
        warnings.filterwarnings("ignore", message="Stochastic Optimizer: Maximum iterations")
        pool = ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix=FIT_THREADS)
        try:
            yield pool
        except BaseException as exc:
            # Ctrl-C returns at once (the fits in progress end on their own); other errors wait for them.
            pool.shutdown(wait=not isinstance(exc, KeyboardInterrupt), cancel_futures=True)
            raise
        pool.shutdown(wait=True)


def _proba_full(clf: Any, x: Any, n_labels: int) -> np.ndarray:
    """Probabilities with a column per label, computed exactly as ``Model`` computes them."""
    coef, bias = _full_coef(clf, n_labels)
    return linear_scorer(coef.T, bias)(x)


def train_model(
    docs: Sequence[Document],
    seed: int = 0,
    folds: int = FOLDS,
    progress: Callable[[str], None] | None = None,
    jobs: int = 2,
    label_weights: Mapping[str, float] | None = None,
    keep: Sequence[str] | None = None,
    warn: Callable[[str], None] | None = None,
    runs: int = 1,
) -> tuple[Model, dict[str, Any]]:
    """Fit a model on ``docs``; returns it with a document-grouped cross-validation report.

    ``label_weights`` multiply the weight of each label's paragraphs in the context stages (2 and 3), a
    prior correction: written training pages usually carry far more junk than real ones, and weighting
    ``reporting`` up makes the model as reluctant to drop article text as real pages warrant.

    ``jobs`` fits run at once in threads; every fit has its own fixed seed, so the result does not
    depend on ``jobs``. ``keep`` becomes the model's ``default_keep`` (see ``_default_keep``). ``warn``
    gets each of ``data_warnings`` (default: Python's ``warnings.warn``).

    ``runs`` trains that many times, with seeds ``seed``, ``seed + 1``, …, and averages the runs into one
    model of the same size (see ``_averaged``): steadier and better on unseen pages, in ``runs`` times
    the training time. The cross-validation report scores the mean of the runs' out-of-fold probabilities.
    """
    runs = _whole_number("runs", runs, 1, MAX_RUNS)
    # numpy and scikit-learn take seeds from 0 to 2**32 - 1, and fail deep inside training otherwise
    seed = _whole_number("seed", seed, 0, 2**32 - 1, "2**32 - 1")
    _require_training_packages()
    for i, doc in enumerate(docs):  # documents built in Python, not read by load_documents
        if not isinstance(doc, Document) or len(doc.texts) != len(doc.labels):
            shown = (
                type(doc).__name__
                if not isinstance(doc, Document)
                else f"{len(doc.texts)} texts, {len(doc.labels)} labels"
            )
            raise DataError(f"document {i}: expected a classifier.data.Document with a label per text, got {shown}")
    for message in blank_text_warnings(docs, BLANK_IN_TRAINING):
        (warn or _python_warning)(message)
    docs = _without_blank_paragraphs(docs)
    started = time.perf_counter()

    def say(message: str) -> None:  # with the time so far: a run of minutes has few steps to show
        if progress is not None:
            progress(f"{message} [{time.perf_counter() - started:.0f} s since start]")

    labels = _label_order(docs)
    keep_labels = _default_keep(labels, keep)
    if len(keep_labels) == len(labels):  # said now, not first by every `clean` of the model
        (warn or _python_warning)("keep names every label of the data: cleaning with this model will remove nothing")
    # The views (views.py) take the first label for the article text whose pages they reshape, so the kept
    # labels lead: `body` must not lose that role to an `appeal` that sorts before it.
    labels = keep_labels + [x for x in labels if x not in keep_labels]
    index = {label: i for i, label in enumerate(labels)}
    class_weight = _class_weight(label_weights or {}, index)
    y = np.array([index[label] for d in docs for label in d.labels])
    texts = [t for d in docs for t in d.texts]
    groups = np.repeat(np.arange(len(docs)), [len(d.texts) for d in docs])
    page_of_doc = page_numbers(docs)
    n_pages = int(page_of_doc.max()) + 1
    n_folds = min(folds, n_pages)
    if n_folds < 2:
        copies = f" ({len(docs)} documents, all copies of one page, which count as one)" if len(docs) > 1 else ""
        raise DataError(f"training needs at least two different pages{copies}")
    for message in data_warnings(docs, n_pages, folds):
        (warn or _python_warning)(message)
    say(f"featurizing {len(docs)} documents, {len(y)} paragraphs")
    x1, dense = _stage1_matrix(docs, HASH_BITS)
    corpus = _Corpus(docs, labels, index, y, texts, groups, page_of_doc, n_pages, n_folds, x1, np.vstack(dense))
    fitted = []
    for run in range(runs):

        def say_run(message: str, prefix: str = f"run {run + 1} of {runs}: " if runs > 1 else "") -> None:
            say(prefix + message)

        # Run r has seed + r; its networks seed + r * NETWORK_MEMBERS onwards, so the runs' networks never
        # share a seed (with seed + r + m, runs 0-2 gave nine networks five seeds, and networks of one
        # seed came out alike: hidden weights correlated 0.66-0.80). Past 2**32 - 1 seeds wrap to 0.
        run_seed, network_seed = ((seed + offset) % 2**32 for offset in (run, run * NETWORK_MEMBERS))
        fitted.append(_train_run(corpus, run_seed, class_weight, jobs, say_run, network_seed))
    weights = _averaged([run_weights for run_weights, _ in fitted])
    # Each run's out-of-fold probabilities are held-out for that run; their mean is held-out for all.
    pred_oof = np.mean([oof for _, oof in fitted], axis=0).argmax(axis=1)
    if runs > 1:
        say(f"{runs} runs averaged into one model")

    config = {
        "labels": labels,
        "keep": keep_labels,
        "features": {
            "hash_bits": HASH_BITS,
            "ngram_range": [NGRAM_MIN, NGRAM_MAX],
            "dense": list(DENSE_NAMES),
            "cohesion": list(COHESION_NAMES),
        },
        "training": {
            "seed": seed,
            "runs": runs,
            "stages": 3,
            "folds": n_folds,
            "stage1_C": STAGE1_C,
            "stage2_C": STAGE2_C,
            "tolerances": [STAGE1_TOL, STAGE2_TOL],
            "stage3": _stage3_settings(weights.refine_hidden is not None),
            "label_weights": {labels[i]: w for i, w in sorted(class_weight.items())} if class_weight else {},
            "documents": len(docs),
            "paragraphs": len(y),
        },
    }
    true, pred = [labels[i] for i in y], [labels[i] for i in pred_oof]
    cv = score(true, pred, texts, labels, keep_labels)
    cv["folds"], cv["pages"] = n_folds, n_pages
    for field in ("lang", "kind"):  # where the data is weak, which the overall score hides
        by_group = score_groups(field, docs, true, pred, texts, labels, keep_labels)
        if list(by_group) != [NO_GROUP]:  # the data names no languages (or page kinds)
            cv[f"by_{field}"] = by_group
    cv["seconds"] = round(time.perf_counter() - started, 1)
    return Model(weights, config), cv


@dataclasses.dataclass(frozen=True)
class _Corpus:
    """What every run of ``train_model`` shares: the documents, their labels and stage-1 features."""

    docs: Sequence[Document]
    labels: list[str]
    index: dict[str, int]
    y: np.ndarray  # each paragraph's label index
    texts: list[str]
    groups: np.ndarray  # each paragraph's document
    page_of_doc: np.ndarray
    n_pages: int
    n_folds: int
    x1: Any  # sparse stage-1 matrix
    dense: np.ndarray  # each paragraph's layout features


def _train_run(
    corpus: _Corpus,
    seed: int,
    class_weight: dict[int, float] | None,
    jobs: int,
    say: Callable[[str], None],
    network_seed: int,
) -> tuple[Weights, np.ndarray]:
    """One seed's three stages: the fitted weights and each paragraph's out-of-fold stage-3 probabilities.

    ``network_seed`` seeds the stage-3 networks (``network_seed + m``), apart from ``seed`` so that the
    runs of one model never give two networks the same seed (see ``train_model``)."""
    docs, y, n_folds, labels = corpus.docs, corpus.y, corpus.n_folds, corpus.labels
    folds_of_docs = _assign_folds(corpus.n_pages, n_folds, seed)[corpus.page_of_doc]
    fold_of = folds_of_docs[corpus.groups]
    _check_folds(y, fold_of, n_folds, labels)
    x_fit, y_fit, fold_fit = _with_short_line_variants(docs, corpus.x1, y, fold_of, folds_of_docs, corpus.index, seed)
    x1, dense_all, texts, fold_of, glued = _with_glued_teasers(corpus, fold_of, folds_of_docs, seed)
    views, view_labels = context_views(docs, seed, y, folds_of_docs, labels, glued)
    rows2 = np.concatenate(views)
    y2, fold2 = np.concatenate(view_labels), fold_of[rows2]
    bounds = np.cumsum([0] + [len(v) for v in views])
    whole = np.arange(len(rows2)) < bounds[len(docs)]  # the documents' own rows come before the views'
    n_labels = len(labels)

    with _fit_pool(jobs) as pool:
        say(f"stage 1: {n_folds} folds and the final fit, {jobs} at a time")
        masks = [fold_fit != k for k in range(n_folds)] + [None]
        fits1 = _submit_fits(pool, x_fit, y_fit, masks, STAGE1_C, STAGE1_TOL, seed)
        pages = [cohesion([texts[i] for i in v]) for v in views]  # meanwhile: stage 1 needs no pages
        p1_oof = np.zeros((len(fold_of), n_labels))  # glued teasers too: stage 1 scores them, never fits them
        for k, fit in enumerate(fits1[:n_folds]):
            p1_oof[fold_of == k] = _proba_full(fit.result(), x1[fold_of == k], n_labels)
            say(f"stage 1: fold {k + 1} of {n_folds} fitted")
        x2 = _float32(
            [
                context_features(p1_oof[rows], dense_all[rows], page, where, _own_means(p1_oof[rows], where))
                for _, rows, page, where in _view_blocks(views, pages, bounds)
            ]
        )

        say("stage 2: folds and the final fit")
        masks2 = [fold2 != k for k in range(n_folds)] + [None]  # stage 3 fits the same rows
        fits2 = _submit_fits(pool, x2, y2, masks2, STAGE2_C, STAGE2_TOL, seed, class_weight)
        p2_oof = np.zeros((len(y2), n_labels))
        for k, fit in enumerate(fits2[:n_folds]):
            p2_oof[fold2 == k] = _proba_full(fit.result(), x2[fold2 == k], n_labels)
            say(f"stage 2: fold {k + 1} of {n_folds} fitted")
        del x2  # the final stage-2 fit holds its own reference until it is done
        x3 = _float32(
            [
                refine_features(
                    p2_oof[a : a + len(rows)],
                    p1_oof[rows],
                    dense_all[rows],
                    page,
                    where,
                    (_own_means(p2_oof[a : a + len(rows)], where), _own_means(p1_oof[rows], where)),
                )
                for a, rows, page, where in _view_blocks(views, pages, bounds)
            ]
        )

        network = len(y) >= NETWORK_MIN_PARAGRAPHS
        kind = (
            f"{NETWORK_MEMBERS} networks of {NETWORK_HIDDEN} units"
            if network
            else f"linear: fewer than {NETWORK_MIN_PARAGRAPHS:,} paragraphs"
        )
        say(f"stage 3 ({kind}): folds and the final fit")
        fits3 = _submit_stage3(pool, x3, y2, masks2, seed, class_weight, n_labels, network, network_seed)
        p3_oof = np.zeros((len(y), n_labels))
        for k, arrays in enumerate(fits3[:n_folds]):
            test_part = (fold2 == k) & whole
            p3_oof[rows2[test_part]] = _refine(arrays())(x3[test_part])
            say(f"stage 3: fold {k + 1} of {n_folds} fitted")
        stage1, stage2 = (fits[n_folds].result() for fits in (fits1, fits2))
        stage3 = fits3[n_folds]()
        say("final fits of the three stages done")

    n_hash = 2**HASH_BITS
    coef1, coef2 = (_full_coef(clf, len(labels)) for clf in (stage1, stage2))
    weights = Weights(
        hash_coef=np.ascontiguousarray(coef1[0][:, :n_hash], dtype=np.float32),
        dense_coef=np.ascontiguousarray(coef1[0][:, n_hash:].T),
        stage1_bias=coef1[1],
        context_coef=np.ascontiguousarray(coef2[0].T),
        stage2_bias=coef2[1],
        **stage3,
    )
    return weights, p3_oof


def _whole_number(name: str, value: Any, low: int, high: int, high_text: str = "") -> int:
    """``value`` as a plain int from ``low`` to ``high``, or an ArgumentError naming ``name``: numpy's
    integers are welcome (config.json would not take them), a bool, float or string is a mistake."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not low <= int(value) <= high:
        raise ArgumentError(f"{name} must be a whole number from {low} to {high_text or high}, got {value!r}")
    return int(value)


def _averaged(runs: list[Weights]) -> Weights:
    """One model from several runs' weights: the linear stages' coefficients averaged, the stage-3
    networks pooled (a network ensemble averages its members' probabilities).

    Runs differ only in their seed (folds, augmented views, solver order), so their linear stages are the
    same fit up to noise, and the mean coefficients score every page in the time of one run, where keeping
    the runs apart would score it once per run. On the corpus of 6,300 documents, three single-seed models
    (seeds 0-2) averaged this way by hand scored real pages 0.800 macro-F1 / 99.20% kept / 70.7% dropped
    against 0.793 / 0.790 / 0.795, 99.17% and 68.8 / 68.8 / 71.6% for the models alone, and 0.799 /
    99.20% / 70.2% for the mean of the three models' probabilities (those models' networks shared some
    seeds, which ``train_model`` now keeps apart).
    """
    if len(runs) == 1:
        return runs[0]
    merged: dict[str, np.ndarray | None] = {}
    for name in Weights.__dataclass_fields__:
        arrays = [getattr(run, name) for run in runs]
        if arrays[0] is None:
            merged[name] = None
        elif name in NETWORK_ARRAYS:
            merged[name] = np.concatenate(arrays)
        else:
            merged[name] = np.mean(arrays, axis=0, dtype=np.float64).astype(arrays[0].dtype)
    return Weights(**merged)  # type: ignore[arg-type]


def _refine(arrays: dict[str, np.ndarray]) -> Callable[[np.ndarray], np.ndarray]:
    scorer = refine_scorer(arrays)
    assert scorer is not None  # _submit_stage3 always gives one of the two kinds
    return scorer


def _stage3_settings(network: bool) -> dict[str, Any]:
    """What config.json's training section records of stage 3."""
    if not network:
        return {"kind": "linear", "C": STAGE2_C, "tol": STAGE3_TOL}
    return {
        "kind": "network",
        "members": NETWORK_MEMBERS,
        "hidden_units": NETWORK_HIDDEN,
        "epochs": NETWORK_EPOCHS,
        "alpha": NETWORK_ALPHA,
        "batch_size": NETWORK_BATCH,
    }


#: Views whose context rows are built as one matrix (``context.Rows`` keeps each row to its own view): a
#: few numpy passes for many documents instead of a few per document (the corpus's stage-2 and stage-3
#: rows: 18 s one document at a time, 2.4 s at once, identical), in blocks so that the float64
#: intermediates stay small beside the float32 matrix they are cast into.
VIEWS_PER_BLOCK = 512


def _view_blocks(
    views: list[np.ndarray], pages: list[np.ndarray], bounds: np.ndarray
) -> Iterator[tuple[int, np.ndarray, np.ndarray, Rows]]:
    """Per block of VIEWS_PER_BLOCK views: where its rows start among all views' rows (``bounds``: each
    view's start), its rows in order, their cohesion rows, and ``Rows``."""
    for i in range(0, len(views), VIEWS_PER_BLOCK):
        block = views[i : i + VIEWS_PER_BLOCK]
        where = Rows.of_documents([len(v) for v in block])
        yield int(bounds[i]), np.concatenate(block), np.vstack(pages[i : i + VIEWS_PER_BLOCK]), where


def _own_means(probs: np.ndarray, where: Rows) -> np.ndarray:
    """Each row's view's mean of ``probs``, as ``context_features`` takes of one view on its own."""
    return where.document_means(probs)[where.document]


def _float32(blocks: list[np.ndarray]) -> np.ndarray:
    """Rows of every view stacked as float32: the solver runs a quarter faster than on float64, with the
    same iterations and scores, and the matrix takes half the memory (cast while stacking, so no float64
    copy of the whole matrix is ever made)."""
    return np.concatenate(blocks, axis=0, dtype=np.float32)


def _default_keep(labels: list[str], keep: Sequence[str] | None) -> list[str]:
    """The labels cleaning keeps by default: ``keep`` if given, else ``reporting``. Data without a
    ``reporting`` label must name them: guessing (the label with the most text was the rule) picked a
    junk label in a tester's keep/junk data, and ``clean`` then printed only the junk, exit 0."""
    if isinstance(keep, str):  # one label, as ``Model.clean(keep="body")`` takes it
        keep = [keep]
    if keep is not None:
        unknown = sorted(set(keep) - set(labels))
        if unknown or not keep:
            named = f", not {', '.join(unknown)}" if unknown else ""
            raise ArgumentError(f"keep must name labels of the training data ({', '.join(labels)}){named}")
        return [x for x in labels if x in set(keep)]
    default = default_keep(labels)
    if not default:
        raise ArgumentError(
            f"the data has no '{DEFAULT_KEEP[0]}' label: name the labels cleaning keeps (--keep LABELS, or keep= "
            f"in Python; its labels: {', '.join(labels)})"
        )
    return list(default)


def _with_short_line_variants(
    docs: Sequence[Document],
    x1: Any,
    y: np.ndarray,
    fold_of: np.ndarray,
    folds_of_docs: np.ndarray,
    index: dict[str, int],
    seed: int,
) -> tuple[Any, np.ndarray, np.ndarray]:
    """Stage 1's training rows: the paragraphs, then the variants of ``augment.short_line_variants``,
    each variant in its document's fold so no fold is tested on a variant of its own training text."""
    from scipy.sparse import vstack

    variants = short_line_variants(docs, seed)
    x_var, _ = _stage1_matrix(variants, HASH_BITS)
    y_var = np.array([index[label] for d in variants for label in d.labels], dtype=y.dtype)
    fold_var = folds_of_docs[np.repeat(np.arange(len(docs)), [len(d.texts) for d in variants])]
    return vstack([x1, x_var], format="csr"), np.concatenate([y, y_var]), np.concatenate([fold_of, fold_var])


def _with_glued_teasers(
    corpus: _Corpus, fold_of: np.ndarray, folds_of_docs: np.ndarray, seed: int
) -> tuple[Any, np.ndarray, list[str], np.ndarray, list[int] | None]:
    """The corpus's stage-1 rows, layout rows, texts and folds, followed by the glued teaser lines of
    ``augment.glued_teasers`` (each in its page's fold), and each document's glued row or -1.

    The lines appear only in the context stages' teaser boxes: stage 1 never fits them, so their stage-1
    probabilities are what it makes of an unseen line of another story's words, as on a real page. Data
    without the default labels gets none (None: the views then make no such boxes)."""
    if corpus.labels[0] != DEFAULT_KEEP[0] or Label.RELATED_LINKS.value not in corpus.labels:
        return corpus.x1, corpus.dense, corpus.texts, fold_of, None
    from scipy.sparse import vstack

    body = np.split(corpus.y == 0, np.cumsum([len(d.texts) for d in corpus.docs])[:-1])
    lines, owners = glued_teasers(corpus.docs, body, seed)
    glued = np.full(len(corpus.docs), -1)
    glued[owners] = len(corpus.y) + np.arange(len(lines))
    x_lines, dense_lines = _stage1_matrix([Document("glued", lines, ["-"] * len(lines))], HASH_BITS)
    return (
        vstack([corpus.x1, x_lines], format="csr"),
        np.vstack([corpus.dense, *dense_lines]),
        [*corpus.texts, *lines],
        np.concatenate([fold_of, folds_of_docs[np.asarray(owners, dtype=np.int64)]]),
        glued.tolist(),
    )


def _class_weight(label_weights: Mapping[str, float], index: dict[str, int]) -> dict[int, float] | None:
    """Label-name weights as scikit-learn's class_weight (every label present; 1.0 unless given)."""
    unknown = sorted(set(label_weights) - set(index))
    if unknown:
        raise ArgumentError(
            f"label weights name labels the data does not have: {', '.join(unknown)} (it has {', '.join(index)})"
        )
    for label, weight in label_weights.items():
        if not (math.isfinite(weight) and 0 < weight <= MAX_LABEL_WEIGHT):
            raise ArgumentError(
                f"label weight {label}={weight}: a weight must be a positive number up to {MAX_LABEL_WEIGHT:g}"
            )
    if not label_weights:
        return None
    return {i: float(label_weights.get(label, 1.0)) for label, i in index.items()}


def _check_folds(y: np.ndarray, fold_of: np.ndarray, n_folds: int, labels: Sequence[str]) -> None:
    """A ``DataError`` now, instead of a solver traceback later, when some fit would see a single label."""
    for k in range(n_folds):
        rest = np.unique(y[fold_of != k])
        if len(rest) < 2:
            raise DataError(
                f"cross-validation fold {k + 1} of {n_folds} trains on documents labeled only "
                f"{labels[int(rest[0])]!r}; add documents or lower --folds"
            )


def _without_blank_paragraphs(docs: Sequence[Document]) -> list[Document]:
    """``docs`` without their blank paragraphs (and without documents left empty).

    Prediction leaves blank items out of every paragraph's context (``Model.probabilities``); training
    with them in would fit context features prediction never computes."""
    out: list[Document] = []
    for doc in docs:
        keep = [not is_blank(text) for text in doc.texts]
        if all(keep):
            out.append(doc)
            continue
        texts = [t for t, k in zip(doc.texts, keep, strict=True) if k]
        labels = [label for label, k in zip(doc.labels, keep, strict=True) if k]
        if texts:
            out.append(dataclasses.replace(doc, texts=texts, labels=labels))
    return out


def _python_warning(message: str) -> None:
    warnings.warn(message, UserWarning, stacklevel=3)


def _assign_folds(n_docs: int, n_folds: int, seed: int) -> np.ndarray:
    """A fold number per document: a seeded shuffle dealt round-robin, so folds differ by at most one doc."""
    order = np.random.default_rng(seed).permutation(n_docs)
    fold = np.empty(n_docs, dtype=np.int64)
    fold[order] = np.arange(n_docs) % n_folds
    return fold


def _full_coef(clf: Any, n_labels: int) -> tuple[np.ndarray, np.ndarray]:
    """(coef, intercept) of a fitted logistic regression with one row per label (see ``_label_rows``)."""
    return _label_rows(clf.coef_, clf.intercept_, clf.classes_, n_labels)


def _label_rows(
    coef: np.ndarray, bias: np.ndarray, classes: np.ndarray, n_labels: int
) -> tuple[np.ndarray, np.ndarray]:
    """Output weights (rows) and biases of a scikit-learn classifier fitted on ``classes``, as one row per
    label of the model: a model must score every label, whichever a fit saw.

    Two classes come as one row for the second (a logistic output): expanded to two symmetric rows with
    the same softmax. A label the fit never saw gets a bias it never wins with; a fit on one label
    (a single row) gives that label always.
    """
    if coef.shape[0] == 1 and len(classes) == 2:
        coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        bias = np.array([-bias[0] / 2, bias[0] / 2])
    elif len(classes) == 1:
        coef, bias = np.zeros_like(coef), np.zeros_like(bias)
    full_coef = np.zeros((n_labels, coef.shape[1]))
    full_bias = np.full(n_labels, -1e3 if len(classes) < n_labels else 0.0)
    full_coef[classes] = coef
    full_bias[classes] = bias
    return full_coef, full_bias.astype(np.float64)


def train_and_save(
    data: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    output: str | os.PathLike[str],
    seed: int = 0,
    folds: int = FOLDS,
    eval_sets: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] = (),
    command: str = "",
    progress: Callable[[str], None] | None = None,
    jobs: int = 2,
    label_weights: Mapping[str, float] | None = None,
    keep: Sequence[str] | None = None,
    warn: Callable[[str], None] | None = None,
    runs: int = 1,
) -> dict[str, Any]:
    """Train on ``data`` (files/directories), evaluate on ``eval_sets``, write the model directory.

    Returns the metrics written to ``metrics.json``. The config records versions, the data hash and the
    command, so the card says exactly how to rebuild the model. An evaluation set that shares no label
    with the training data is refused before training, not after it.
    """
    import platform

    from .artifact import check_destination, save

    data, eval_sets = ([x] if isinstance(x, (str, os.PathLike)) else list(x) for x in (data, eval_sets))
    runs = _whole_number("runs", runs, 1, MAX_RUNS)  # before reading the data, as train_model would after it
    check_destination(output)  # first: before a second spent importing scikit-learn, or minutes training
    sklearn = _require_training_packages()

    from . import __version__
    from .card import model_card
    from .data import data_sha256, is_project_corpus, load_documents, skipped_file_warnings
    from .evaluate import evaluate
    from .stats import corpus_stats

    docs = load_documents(data)
    for message in skipped_file_warnings(data):
        (warn or _python_warning)(message)
    eval_docs = {name: load_documents([name]) for name in eval_sets}
    trained = {label for d in docs for label in d.labels}
    for name, edocs in eval_docs.items():
        gold = {label for d in edocs for label in d.labels}
        if not gold & trained:
            raise DataError(
                f"{name}: none of its labels ({', '.join(sorted(gold))}) is in the training data "
                f"({', '.join(sorted(trained))})"
            )
    trained_pages = fingerprint(docs)
    shared_docs = {name: trained_on(edocs, trained_pages) for name, edocs in eval_docs.items()}
    for name, shared in shared_docs.items():
        if shared:
            (warn or _python_warning)(
                f"{name}: {shared} of its {len(eval_docs[name])} documents are also in the training data (the "
                "same page, or most of its paragraphs word for word); its scores will not be held-out"
            )
    model, cv = train_model(
        docs,
        seed=seed,
        folds=folds,
        progress=progress,
        jobs=jobs,
        label_weights=label_weights,
        keep=keep,
        warn=warn,
        runs=runs,
    )
    stats = corpus_stats(docs)
    model.config["training"].update(
        data_sha256=data_sha256(data),
        # The card may call the corpus "written for this project" only when it is: a user's own data with
        # the default labels is not.
        project_corpus=is_project_corpus(data),
        command=command,
        data_summary={"labels": stats["labels"], "languages": stats["languages"]},
    )
    model.config["versions"] = {
        "classifier": __version__,
        "numpy": np.__version__,
        "scikit-learn": sklearn.__version__,
        "python": platform.python_version(),
    }
    metrics: dict[str, Any] = {"train_seconds": cv.pop("seconds"), "cross_validation": cv, "evaluations": {}}
    for name, edocs in eval_docs.items():
        if progress:
            progress(f"evaluating on {name}")
        report = evaluate(model, edocs)
        report["command"] = f"classifier evaluate {name} --model {output}"
        report["documents_trained_on"] = shared_docs[name]
        metrics["evaluations"][name] = report
    # atomic: all or nothing
    save(model, output, metrics=metrics, card=model_card(model.config, metrics), trained_pages=trained_pages)
    return metrics
