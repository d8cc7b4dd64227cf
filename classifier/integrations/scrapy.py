"""A Scrapy item pipeline that cleans text fields of scraped items as they come out of the spider.

Enable it in ``settings.py`` (or a spider's ``custom_settings``)::

    ITEM_PIPELINES = {"classifier.integrations.scrapy.CleanTextPipeline": 300}
    CLASSIFIER_FIELDS = ["text"]            # item fields to clean (default: text)
    CLASSIFIER_MODEL = None                 # model directory (default: the shipped model)
    CLASSIFIER_KEEP = ["reporting"]         # labels to keep (default: the model's, i.e. reporting)
    CLASSIFIER_LABELS_FIELD = "paragraph_labels"  # store {field: [label per paragraph]} (default: off)
    CLASSIFIER_DROP_EMPTY = True            # DropItem when no text is left (default: False)
    CLASSIFIER_SPLIT = "auto"               # paragraphs: auto, lines or blocks (default: auto)
    CLASSIFIER_THRESHOLD = 0.6              # keep when P(kept labels) >= this (default: most likely label)

A field holding a string is cleaned like ``Model.clean`` (kept paragraphs byte-for-byte); a field
holding a list of strings is taken as one page's paragraphs in order, and the kept ones remain. Items
without any of the fields pass through untouched. The model is loaded once per crawler, in
``from_crawler``; a bad model path or an unknown label stops the crawl at start-up, not item by item.
Works on dicts, ``scrapy.Item`` and every other item type ``itemadapter`` knows. Counts of dropped
paragraphs per label land in the crawl stats under ``classifier/``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar, cast

from ..artifact import load
from ..errors import ArgumentError, InputError
from ..model import Model, check_threshold, kept
from ..segment import SPLIT_MODES, SplitMode, join_kept, split_paragraphs
from . import require

EXTRA = "scrapy"
_FEATURE = "classifier.integrations.scrapy"
require("scrapy", EXTRA, _FEATURE)
_itemadapter = require("itemadapter", EXTRA, _FEATURE)

from scrapy.exceptions import DropItem  # noqa: E402  (after the check that explains a missing extra)

DEFAULT_FIELDS: tuple[str, ...] = ("text",)
#: Prefix of the crawl-stats keys this pipeline writes.
STATS_PREFIX = "classifier"


def _names(raw: Sequence[str]) -> list[str]:
    """A list setting's names without the spaces Scrapy leaves after the commas of "text, body"."""
    return [name.strip() for name in raw if name.strip()]


def _threshold_setting(raw: Any) -> float | None:
    """CLASSIFIER_THRESHOLD as a float (None when unset), or an ``ArgumentError`` naming the setting and
    the bad value (a crawl that fails at start-up should say which line of settings.py to fix)."""
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise ArgumentError(f"CLASSIFIER_THRESHOLD must be a number from 0 to 1, not {raw!r}")
    return value


#: The item type a pipeline returns as it was given (a dict, a scrapy.Item, a dataclass…).
ItemT = TypeVar("ItemT")


class CleanTextPipeline:
    """Remove the paragraphs whose label is not kept from the configured text fields of every item."""

    def __init__(
        self,
        model: Model | None = None,
        fields: Sequence[str] = DEFAULT_FIELDS,
        keep: Iterable[str] | None = None,
        labels_field: str | None = None,
        drop_empty: bool = False,
        split: str = "auto",
        stats: Any = None,
        threshold: float | None = None,
    ) -> None:
        self.model = model if model is not None else load()
        # One string is one field list, as Scrapy reads the setting: "text" or "text, body", never its letters.
        self.fields = tuple(_names(fields.split(",") if isinstance(fields, str) else fields))
        if not self.fields:
            raise ArgumentError("CLASSIFIER_FIELDS is empty: name at least one item field to clean")
        self.keep = self.model.keep_labels(keep)
        self.labels_field = labels_field or None
        self.drop_empty = drop_empty
        if split not in SPLIT_MODES:
            raise ArgumentError(f"CLASSIFIER_SPLIT must be one of {', '.join(SPLIT_MODES)}, not {split!r}")
        self.split = cast(SplitMode, split)  # a setting read as a string, checked just above
        self.stats = stats
        self.threshold = check_threshold(threshold)

    @classmethod
    def from_crawler(cls, crawler: Any) -> CleanTextPipeline:
        """Build the pipeline from the crawler's settings, loading the model once for this crawler."""
        s = crawler.settings
        return cls(
            model=load(s.get("CLASSIFIER_MODEL") or None),
            fields=_names(s.getlist("CLASSIFIER_FIELDS", list(DEFAULT_FIELDS))),
            keep=_names(s.getlist("CLASSIFIER_KEEP")) or None,
            labels_field=s.get("CLASSIFIER_LABELS_FIELD") or None,
            drop_empty=s.getbool("CLASSIFIER_DROP_EMPTY", False),
            split=s.get("CLASSIFIER_SPLIT", "auto"),
            stats=crawler.stats,
            threshold=_threshold_setting(s.get("CLASSIFIER_THRESHOLD")),
        )

    def process_item(self, item: ItemT, spider: Any = None) -> ItemT:
        """Clean the item's fields in place and return it; raise ``DropItem`` if asked and nothing is left.

        ``spider`` is optional so current Scrapy calls this without it (and warns about nothing) while
        older Scrapy, which always passes it, still works.
        """
        adapter = _itemadapter.ItemAdapter(item)
        labels: dict[str, list[str]] = {}
        cleaned: dict[str, Any] = {}
        for name in self.fields:
            value = adapter.get(name)
            if value is not None:
                cleaned[name], labels[name] = self._clean_value(name, value)
        if self.labels_field and labels:  # first: an item that cannot take it is left as it came
            try:
                adapter[self.labels_field] = labels
            except KeyError:
                raise ArgumentError(
                    f"{type(item).__name__} has no field {self.labels_field!r} for CLASSIFIER_LABELS_FIELD; "
                    "declare it on the item class"
                ) from None
        for name, value in cleaned.items():
            adapter[name] = value
        left = [_has_text(value) for value in cleaned.values()]
        if self.drop_empty and left and not any(left):
            self._inc("items_dropped_empty")
            raise DropItem(f"no text left after cleaning {', '.join(labels)}")
        return item

    def _clean_value(self, name: str, value: Any) -> tuple[Any, list[str]]:
        """The cleaned value of one field and the label of each of its paragraphs."""
        if isinstance(value, str):
            spans = split_paragraphs(value, self.split)
            paragraphs = [s.text for s in spans]
        elif isinstance(value, (list, tuple)):
            bad = next(((i, v) for i, v in enumerate(value) if not isinstance(v, str)), None)
            if bad is not None:
                raise InputError(
                    f"item field {name!r} is a {type(value).__name__} with {type(bad[1]).__name__} at index {bad[0]}; "
                    "expected text or a list of paragraph strings"
                )
            paragraphs = list(value)
        else:
            raise InputError(f"item field {name!r} holds {type(value).__name__}; expected text or a list of paragraphs")
        predictions = self.model.classify(paragraphs)
        predicted = [p.label for p in predictions]
        mask = kept(predictions, self.keep, self.threshold)
        self._count(predicted, mask)
        if isinstance(value, str):
            return join_kept(value, spans, mask), predicted
        return type(value)(p for p, k in zip(paragraphs, mask, strict=True) if k), predicted

    def _count(self, labels: list[str], mask: list[bool]) -> None:
        self._inc("paragraphs", len(labels))
        for label, n in Counter(label for label, k in zip(labels, mask, strict=True) if not k).items():
            self._inc(f"paragraphs_dropped/{label}", n)

    def _inc(self, key: str, count: int = 1) -> None:
        if self.stats is not None and count:
            self.stats.inc_value(f"{STATS_PREFIX}/{key}", count)


def _has_text(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return any(p.strip() for p in value)


__all__ = ["CleanTextPipeline"]
