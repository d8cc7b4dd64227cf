"""Where users run the classifier: a Scrapy item pipeline, a datatrove pipeline step (and, in
``classifier.html``, trafilatura in front).

Each integration lives in its own module and needs its own optional extra, so the core install stays
numpy-only. Importing ``classifier.integrations`` imports no third-party package; importing one of its
modules without the extra raises ``MissingExtraError`` with the command that installs it.

    pip install "paragraph-classifier[scrapy]"     # classifier.integrations.scrapy.CleanTextPipeline
    pip install "paragraph-classifier[datatrove]"  # classifier.integrations.datatrove.ParagraphCleaner
    pip install "paragraph-classifier[html]"       # classifier.clean_html
"""

from __future__ import annotations

import importlib
from types import ModuleType

from ..errors import ClassifierError

DIST_NAME = "paragraph-classifier"


class MissingExtraError(ClassifierError, ImportError):
    """An optional dependency is not installed; the message says which extra brings it.

    Both a ``ClassifierError`` (the library's one error family) and an ``ImportError`` (what code that
    probes for optional features catches).
    """


def install_hint(extra: str) -> str:
    """The pip command that installs an extra of this distribution."""
    return f'pip install "{DIST_NAME}[{extra}]"'


def require(module: str, extra: str, feature: str) -> ModuleType:
    """Import ``module``, or raise ``MissingExtraError`` naming ``feature`` and the extra to install."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        reason = "is not installed" if exc.name == module else f"cannot be imported ({' '.join(str(exc).split())})"
        raise MissingExtraError(
            f"{feature} needs the optional dependency '{module}', which {reason}; install it with: {install_hint(extra)}",
            name=module,
        ) from exc


__all__ = ["DIST_NAME", "MissingExtraError", "install_hint", "require"]
