"""Label the paragraphs of extracted article text (reporting, related-links, support-appeal, other)
and clean away everything but the article.

    import classifier
    model = classifier.load()
    model.clean(text)
"""

__version__ = "0.1.0"

from .artifact import load
from .errors import ArgumentError, ClassifierError, DataError, InputError, ModelError
from .html import clean_html  # trafilatura itself is imported on the first call only
from .labels import DEFAULT_KEEP, DEFAULT_LABELS, Label
from .model import Model, Paragraph, Prediction
from .segment import Span, split_paragraphs

__all__ = [
    "DEFAULT_KEEP",
    "DEFAULT_LABELS",
    "ArgumentError",
    "ClassifierError",
    "DataError",
    "InputError",
    "Label",
    "Model",
    "ModelError",
    "Paragraph",
    "Prediction",
    "Span",
    "__version__",
    "clean_html",
    "load",
    "split_paragraphs",
]
