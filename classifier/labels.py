"""The default label set, defined once.

The trainer learns whatever labels its data carries, so a model's own labels live in its config; this
module names the set the shipped model and the bundled corpus use, and the label kept by default.
"""

from __future__ import annotations

from enum import Enum


class Label(str, Enum):
    """Labels of the default model, in the column order the bundled trainer uses."""

    REPORTING = "reporting"
    RELATED_LINKS = "related-links"
    SUPPORT_APPEAL = "support-appeal"
    OTHER = "other"


DEFAULT_LABELS: tuple[str, ...] = tuple(label.value for label in Label)
DEFAULT_KEEP: tuple[str, ...] = (Label.REPORTING.value,)
