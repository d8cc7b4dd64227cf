import classifier


def test_public_api_is_exactly_this() -> None:
    assert sorted(classifier.__all__) == sorted(
        [
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
    )
    for name in classifier.__all__:
        assert hasattr(classifier, name)


def test_default_labels_match_the_enum() -> None:
    assert classifier.DEFAULT_LABELS == ("reporting", "related-links", "support-appeal", "other")
    assert classifier.DEFAULT_KEEP == ("reporting",)


def test_a_label_member_reads_as_its_name_in_strings() -> None:
    # An f-string of a (str, Enum) member gave "Label.OTHER", which --keep and keep= then refused.
    assert f"{classifier.Label.OTHER}" == str(classifier.Label.OTHER) == "other"
    assert f"{classifier.Label.REPORTING:>10}" == " reporting"
    assert classifier.load().keep_labels([f"{classifier.Label.REPORTING}"]) == {"reporting"}
