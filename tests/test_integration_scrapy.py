"""The Scrapy item pipeline: item handling in-process, and a real crawl of pages served on 127.0.0.1.

The crawl runs in a subprocess because a Twisted reactor cannot be restarted inside one process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import scrapy
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

import classifier
from classifier.artifact import default_model_path
from classifier.integrations import MissingExtraError
from classifier.integrations.scrapy import CleanTextPipeline
from tests.conftest import BODY as SENTENCES
from tests.conftest import JUNK as JUNK_BY_LABEL

# Documents made of the sentences the session's test model (conftest.trained_model) was trained on, so the
# expected labels do not depend on the shipped model's borderline calls.
BODY = SENTENCES[:3]
JUNK = [
    JUNK_BY_LABEL["support-appeal"][0],
    JUNK_BY_LABEL["related-links"][1],
    JUNK_BY_LABEL["related-links"][2],
    JUNK_BY_LABEL["other"][1],
]
JUNK_LABELS = ["support-appeal", "related-links", "related-links", "other"]
# Opening with the link heading: an appeal as a page's first line reads as its headline to some seeds of
# the tiny test model, which the page's point (nothing in it is article text) does not depend on.
ONLY_JUNK = [
    JUNK_BY_LABEL["related-links"][0],
    JUNK_BY_LABEL["support-appeal"][0],
    JUNK_BY_LABEL["related-links"][2],
    JUNK_BY_LABEL["other"][1],
]
LINKS = [JUNK_BY_LABEL["related-links"][0], JUNK_BY_LABEL["related-links"][3]]


class Article(scrapy.Item):
    url = scrapy.Field()
    paragraphs = scrapy.Field()
    paragraph_labels = scrapy.Field()


class BareArticle(scrapy.Item):
    text = scrapy.Field()


@pytest.fixture
def pipeline(trained_model: classifier.Model) -> CleanTextPipeline:
    return CleanTextPipeline(trained_model, labels_field="paragraph_labels", drop_empty=True)


def test_dict_item_text_is_cleaned_and_labels_are_stored(pipeline: CleanTextPipeline) -> None:
    item = {"url": "http://x/1", "text": "\n".join(BODY + JUNK)}
    out = pipeline.process_item(item)
    assert out is item and out["url"] == "http://x/1"
    assert out["text"] == "\n".join(BODY)
    assert out["paragraph_labels"] == {"text": ["reporting"] * 3 + JUNK_LABELS}


def test_scrapy_item_list_field_keeps_the_reporting_paragraphs(trained_model: classifier.Model) -> None:
    pipe = CleanTextPipeline(trained_model, fields=["paragraphs"], labels_field="paragraph_labels")
    item = Article(url="http://x/2", paragraphs=BODY + JUNK)
    out = pipe.process_item(item, spider=None)  # older Scrapy passes the spider; current Scrapy does not
    assert isinstance(out, Article)
    assert out["paragraphs"] == BODY
    assert out["paragraph_labels"] == {"paragraphs": ["reporting"] * 3 + JUNK_LABELS}


def test_item_left_without_text_is_dropped_only_when_asked(pipeline: CleanTextPipeline) -> None:
    with pytest.raises(DropItem, match="no text left"):
        pipeline.process_item({"text": "\n".join(ONLY_JUNK)})
    keeps = CleanTextPipeline(pipeline.model)
    assert keeps.process_item({"text": "\n".join(ONLY_JUNK)}) == {"text": ""}


def test_item_without_the_configured_fields_passes_untouched(pipeline: CleanTextPipeline) -> None:
    item = {"url": "http://x/3", "title": "Read more:"}
    assert pipeline.process_item(item) == {"url": "http://x/3", "title": "Read more:"}


def test_undeclared_labels_field_on_a_scrapy_item_is_a_clear_error_and_leaves_the_item_as_it_came(
    pipeline: CleanTextPipeline,
) -> None:
    item = BareArticle(text="\n".join(BODY + JUNK))
    with pytest.raises(classifier.ClassifierError, match="BareArticle has no field 'paragraph_labels'"):
        pipeline.process_item(item)
    assert item["text"] == "\n".join(BODY + JUNK)


def test_fields_given_as_one_string_name_fields_not_letters(trained_model: classifier.Model) -> None:
    assert CleanTextPipeline(trained_model, fields="text").fields == ("text",)
    assert CleanTextPipeline(trained_model, fields="text, body").fields == ("text", "body")
    item = CleanTextPipeline(trained_model, fields="text").process_item({"text": "\n".join(BODY + JUNK)})
    assert item["text"] == "\n".join(BODY)


def test_field_that_is_not_text_is_a_clear_error(pipeline: CleanTextPipeline) -> None:
    with pytest.raises(classifier.InputError, match="'text' holds int"):
        pipeline.process_item({"text": 3})
    with pytest.raises(classifier.InputError, match="'text' is a list with NoneType at index 1"):
        pipeline.process_item({"text": ["A paragraph.", None]})


def test_bad_settings_fail_when_the_pipeline_is_built(trained_model: classifier.Model) -> None:
    with pytest.raises(classifier.ClassifierError, match="unknown label"):
        CleanTextPipeline(trained_model, keep=["news"])
    with pytest.raises(classifier.ArgumentError, match="CLASSIFIER_SPLIT"):
        CleanTextPipeline(trained_model, split="sentences")
    with pytest.raises(classifier.ArgumentError, match="CLASSIFIER_FIELDS"):
        CleanTextPipeline(trained_model, fields=[])
    with pytest.raises(classifier.ClassifierError, match="threshold"):
        CleanTextPipeline(trained_model, threshold=3.0)
    for bad in ("high", "1.5", -0.1):
        with pytest.raises(classifier.ArgumentError, match="CLASSIFIER_THRESHOLD must be a number from 0 to 1"):
            CleanTextPipeline.from_crawler(get_crawler(settings_dict={"CLASSIFIER_THRESHOLD": bad}))


def test_threshold_zero_keeps_every_paragraph(trained_model: classifier.Model) -> None:
    paragraphs = [*SENTENCES[:2], *JUNK_BY_LABEL["other"][:2]]
    item = CleanTextPipeline(trained_model, threshold=0.0).process_item({"text": list(paragraphs)})
    assert item["text"] == paragraphs


def test_from_crawler_reads_the_settings(trained_dir: Path) -> None:
    settings = {
        "CLASSIFIER_MODEL": str(trained_dir),
        "CLASSIFIER_FIELDS": "body, summary",  # spaces after commas, as people write them
        "CLASSIFIER_KEEP": ["reporting", "other"],
        "CLASSIFIER_LABELS_FIELD": "labels",
        "CLASSIFIER_DROP_EMPTY": "True",
        "CLASSIFIER_SPLIT": "lines",
        "CLASSIFIER_THRESHOLD": "0.4",
    }
    pipe = CleanTextPipeline.from_crawler(get_crawler(settings_dict=settings))
    assert pipe.model.path == trained_dir
    assert pipe.fields == ("body", "summary") and pipe.keep == {"reporting", "other"}
    assert (pipe.labels_field, pipe.drop_empty, pipe.split, pipe.threshold) == ("labels", True, "lines", 0.4)
    defaults = CleanTextPipeline.from_crawler(get_crawler())
    assert defaults.fields == ("text",) and defaults.keep == {"reporting"} and defaults.labels_field is None
    assert defaults.threshold is None
    assert defaults.model.path == default_model_path()  # the shipped model


def test_missing_scrapy_is_a_classifier_error_with_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "classifier.integrations.scrapy")
    monkeypatch.setitem(sys.modules, "scrapy", None)  # what `import scrapy` sees when it is not installed
    with pytest.raises(MissingExtraError, match=r'pip install .*"scrapy>=2\.11".*\(the "scrapy" extra\)'):
        import classifier.integrations.scrapy  # noqa: F401


# --- a real crawl -------------------------------------------------------------------------------------

PAGES = {
    "/": '<html><body><a href="/park.html">park</a> <a href="/bridge.html">bridge</a> '
    '<a href="/promo.html">promo</a></body></html>',
    "/park.html": BODY + JUNK,
    "/bridge.html": [*SENTENCES[3:5], *LINKS],
    "/promo.html": ONLY_JUNK,
}

CRAWL = r'''
import json, logging, sys, warnings

class Warnings(logging.Handler):
    """Scrapy sends warnings to the py.warnings logger once it configures logging; keep them too."""
    def emit(self, record):
        caught.append(record.getMessage())

logging.getLogger("py.warnings").addHandler(Warnings())
with warnings.catch_warnings(record=True) as recorded:
    warnings.simplefilter("always")
    caught = []
    import scrapy
    from scrapy.crawler import CrawlerProcess

    import classifier.integrations.scrapy as pipeline_module

    base, out, model = sys.argv[1:4]
    loads = []
    real_load = pipeline_module.load
    pipeline_module.load = lambda path=None: loads.append(path) or real_load(path)

    class Article(scrapy.Item):
        url = scrapy.Field()
        paragraphs = scrapy.Field()
        paragraph_labels = scrapy.Field()

    class Pages(scrapy.Spider):
        """A hand-written spider: one page, one string of text, paragraphs one per line."""
        name = "pages"
        custom_settings = {
            "CLASSIFIER_DROP_EMPTY": True,
            "FEEDS": {f"{out}/pages.jsonl": {"format": "jsonlines"}},
        }

        def parse(self, response):
            if response.url.endswith("/"):
                yield from response.follow_all(css="a")
                return
            lines = [" ".join(p.xpath("string()").get().split()) for p in response.css("article p")]
            yield {"url": response.url, "text": "\n".join(lines)}

    class Items(Pages):
        """The same pages as scrapy.Item objects holding a list of paragraphs."""
        name = "items"
        custom_settings = {
            "CLASSIFIER_FIELDS": ["paragraphs"],
            "CLASSIFIER_LABELS_FIELD": "paragraph_labels",
            "FEEDS": {f"{out}/items.jsonl": {"format": "jsonlines"}},
        }

        def parse(self, response):
            for item in super().parse(response):
                if isinstance(item, dict):
                    item = Article(url=item["url"], paragraphs=item["text"].split("\n"))
                yield item

    process = CrawlerProcess(settings={
        "ITEM_PIPELINES": {"classifier.integrations.scrapy.CleanTextPipeline": 300},
        "CLASSIFIER_MODEL": model,
        "LOG_LEVEL": "WARNING",
        "TELNETCONSOLE_ENABLED": False,
        "HTTPPROXY_ENABLED": False,
        "ROBOTSTXT_OBEY": False,
    })
    crawlers = [process.create_crawler(Pages), process.create_crawler(Items)]
    errors = []
    for crawler in crawlers:
        process.crawl(crawler, start_urls=[base + "/"]).addErrback(lambda f: errors.append(f.getTraceback()))
    process.start()

report = {
    "errors": errors,
    "loads": len(loads),
    "stats": {c.spider.name: c.stats.get_stats() for c in crawlers},
    "warnings": [f"{w.category.__name__}: {w.message} ({w.filename}:{w.lineno})" for w in recorded] + caught,
}
with open(f"{out}/report.json", "w") as fh:
    json.dump(report, fh, default=str)
'''


class _Pages(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        content = PAGES.get(self.path)
        if content is None:
            self.send_error(404)
            return
        if isinstance(content, list):
            paragraphs = "".join(f"<p>{p}</p>" for p in content)
            content = f"<html><body><nav><p>Home</p></nav><article>{paragraphs}</article></body></html>"
        data = content.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def read_jsonl(path: Path) -> dict[str, dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return {row["url"].rsplit("/", 1)[1]: row for row in rows}


def test_real_crawl_yields_cleaned_items_and_drops_pages_with_no_article(
    site: str, tmp_path: Path, trained_dir: Path
) -> None:
    script = tmp_path / "crawl.py"
    script.write_text(CRAWL, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script), site, str(tmp_path), str(trained_dir)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["errors"] == []
    assert report["warnings"] == []  # no deprecation warnings from Scrapy about the pipeline
    assert report["loads"] == 2  # once per crawler, not per item

    pages = read_jsonl(tmp_path / "pages.jsonl")
    assert sorted(pages) == ["bridge.html", "park.html"]  # promo.html had nothing left: dropped
    assert pages["park.html"]["text"] == "\n".join(BODY)
    assert pages["bridge.html"]["text"] == "\n".join(SENTENCES[3:5])
    assert "paragraph_labels" not in pages["park.html"]

    items = read_jsonl(tmp_path / "items.jsonl")
    assert sorted(items) == ["bridge.html", "park.html", "promo.html"]  # CLASSIFIER_DROP_EMPTY is off here
    assert items["park.html"]["paragraphs"] == BODY
    assert items["promo.html"]["paragraphs"] == []
    assert items["park.html"]["paragraph_labels"] == {"paragraphs": ["reporting"] * 3 + JUNK_LABELS}

    stats = report["stats"]
    assert stats["pages"]["item_scraped_count"] == 2 and stats["pages"]["item_dropped_count"] == 1
    assert stats["pages"]["classifier/items_dropped_empty"] == 1
    assert stats["items"]["item_scraped_count"] == 3
    for name in ("pages", "items"):
        assert stats[name]["classifier/paragraphs"] == 7 + 4 + 4
        assert stats[name]["classifier/paragraphs_dropped/related-links"] == 2 + 2 + 2
        assert stats[name]["classifier/paragraphs_dropped/support-appeal"] == 1 + 0 + 1
        assert stats[name]["classifier/paragraphs_dropped/other"] == 1 + 0 + 1
