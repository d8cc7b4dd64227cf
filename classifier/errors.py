"""One error family, so callers (and the CLI) can catch everything the library raises on bad input."""

from __future__ import annotations


class ClassifierError(Exception):
    """Base class: a problem with the caller's input, data or model, explained in one line."""


class ModelError(ClassifierError):
    """A model directory is missing, corrupt, foreign or of a newer format than this code understands."""


class DataError(ClassifierError):
    """Training or evaluation data is malformed; the message starts with FILE:LINE."""


class InputError(ClassifierError):
    """An input is not text: a file that cannot be read as text (missing, binary, undecodable), or a
    value given to ``classify``, ``label``, ``clean`` or their ``_many`` forms that is not a str (None,
    bytes) or not a list of them."""


class ArgumentError(ClassifierError):
    """An argument the model or function does not accept: an unknown label to keep, a threshold outside
    0..1, an unknown split mode."""
