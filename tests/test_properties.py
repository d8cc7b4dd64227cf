"""Properties over arbitrary text: no crash, cleaning is an in-order verbatim subsequence, probabilities sum to 1."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import classifier

lines = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80)
documents = st.lists(st.one_of(lines, st.sampled_from(["", " ", "\r", "Read more:", "© 2025"])), max_size=12)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(parts=documents, sep=st.sampled_from(["\n", "\r\n", "\n\n", "\r\n\r\n"]))
def test_clean_output_is_an_in_order_subsequence_of_paragraphs(
    trained_model: classifier.Model, parts: list[str], sep: str
) -> None:
    text = sep.join(parts)
    paragraphs = [p.text for p in trained_model.label(text)]
    for keep in (("reporting",), ("other", "related-links"), trained_model.labels):
        cleaned = trained_model.clean(text, keep=keep)
        kept = [p.text for p in trained_model.label(text) if p.label in keep]
        pos = 0
        for para in kept:
            found = cleaned.find(para, pos)
            assert found >= 0
            pos = found + len(para)
        assert all(p in paragraphs for p in kept)
    assert trained_model.clean(text, keep=trained_model.labels) == text


@SETTINGS
@given(paragraphs=st.lists(lines, max_size=10))
def test_probabilities_sum_to_one(trained_model: classifier.Model, paragraphs: list[str]) -> None:
    probs = trained_model.probabilities(paragraphs)
    assert probs.shape == (len(paragraphs), len(trained_model.labels))
    assert np.allclose(probs.sum(axis=1), 1.0)
    assert len(trained_model.classify(paragraphs)) == len(paragraphs)
