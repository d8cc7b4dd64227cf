"""The default label set, defined once.

The trainer learns whatever labels its data carries, so a model's own labels live in its config; this
module names the set the shipped model and the bundled corpus use, and the label kept by default.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum


class Label(str, Enum):
    """Labels of the default model, in the column order the bundled trainer uses."""

    REPORTING = "reporting"
    RELATED_LINKS = "related-links"
    SUPPORT_APPEAL = "support-appeal"
    OTHER = "other"

    def __str__(self) -> str:
        """The label's name as models and data files spell it, in ``str()`` and f-strings alike (a plain
        ``(str, Enum)`` gives ``Label.OTHER`` there, which is no label)."""
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)


DEFAULT_LABELS: tuple[str, ...] = tuple(label.value for label in Label)
DEFAULT_KEEP: tuple[str, ...] = (Label.REPORTING.value,)


def default_keep(labels: Sequence[str], recorded: Sequence[str] | None = None) -> tuple[str, ...]:
    """The labels cleaning keeps when nobody names any: those a model ``recorded`` (``keep`` in its
    config), else the default keep labels it has; empty for a custom-label model that recorded none."""
    return tuple(recorded or [x for x in DEFAULT_KEEP if x in labels])
