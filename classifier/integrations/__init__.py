"""Where users run the classifier: a Scrapy item pipeline, a datatrove pipeline step (and, in
``classifier.html``, trafilatura in front).

Each integration lives in its own module and needs its own optional extra, so the core install stays
numpy-only. Importing ``classifier.integrations`` imports no third-party package; importing one of its
modules without the extra raises ``MissingExtraError`` with the command that installs it.

    pip install ".[scrapy]"     # from a checkout: classifier.integrations.scrapy.CleanTextPipeline
    pip install ".[datatrove]"  # classifier.integrations.datatrove.ParagraphCleaner
    pip install ".[html]"       # classifier.clean_html
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
    """The pip command that installs an extra's dependencies, named one by one from the installed
    package's metadata: ``pip install "paragraph-classifier[html]"`` would look the package up on an
    index, where it may not be (installed from a checkout), so that form is the fallback only."""
    import importlib.metadata  # only on this error path: it costs start-up time

    try:
        requires = importlib.metadata.requires(DIST_NAME) or []
    except importlib.metadata.PackageNotFoundError:
        requires = []
    wanted = [r.split(";")[0].strip() for r in requires if _for_extra(r, extra)]
    if not wanted:
        return f'pip install "{DIST_NAME}[{extra}]"'
    return "pip install " + " ".join(f'"{r}"' for r in wanted) + f' (the "{extra}" extra)'


def _for_extra(requirement: str, extra: str) -> bool:
    """Whether a metadata requirement line ("scipy>=1.10; extra == 'train'") belongs to ``extra`` only."""
    _, _, marker = requirement.partition(";")
    return marker.strip().replace('"', "'") == f"extra == '{extra}'"


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
