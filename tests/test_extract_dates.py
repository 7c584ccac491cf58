"""Publication dates on pages the rules were not written for: which of a page's candidate dates is the
published one (shown near the headline > meta published > others; an update, a signing date, a printed
link's path never). Pages: tests/fixtures/extract/zh-new (copies of bench/pages, provenance in each
truth.json) and real-shaped snippets."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

from crawler.extract import extract
from crawler.extract.dates import find_published, parse_text_date

NEW = Path(__file__).parent / "fixtures" / "extract" / "zh-new"
_PARA = "<p>" + "国家卫生健康委员会近日印发通知，要求各地进一步加强基层医疗卫生服务能力建设，提升群众就医获得感。" * 3 + "</p>"


def page(name: str):
    folder = NEW / name
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    return extract(gzip.decompress((folder / "page.html.gz").read_bytes()), truth.get("url")), truth


def _doc(header: str = "", lead: str = "", head: str = "", after: str = "") -> bytes:
    return ("<html><head><meta charset='utf-8'><title>加强基层医疗卫生服务能力建设 - 示例网</title>" + head +
            "</head><body><div class='art'><h1>加强基层医疗卫生服务能力建设</h1>" + header +
            "<div class='content'>" + lead + _PARA + _PARA + after + "</div></div></body></html>").encode()


def test_a_date_in_a_printed_link_is_not_a_shown_date():
    # a court's repost ends with the e-paper's address ".../html/2017-01/04/content_19257.htm"; the page shows no date
    article, truth = page("nttzfy_1")
    assert not truth["published"] and article.published is None
    assert parse_text_date("http://epaper.ntrb.com.cn/new/jhwb/html/2017-01/04/content_19257.htm") is None
    assert parse_text_date("来源：www.gov.cn/zhengce/2019-01/17/content_5358604.htm") is None
    # the same date as text, or after a link, is one
    assert parse_text_date("发布时间：2017-01/04").d == 4
    assert parse_text_date("http://www.gov.cn/ 2019-01-17").d == 17


def test_a_time_stamp_opening_the_body_is_the_shown_date_before_the_meta():
    # "中国质量新闻网 2015-12-04 09:59:47" opens the body's block; <meta name=date> holds a later render time
    article, truth = page("cqn_1")
    assert article.published == truth["published"] == "2015-12-04T09:59:47+08:00"
    meta = "<meta name='PubDate' content='2019-01-30 16:05'>"
    assert extract(_doc(lead="<p>示例日报 2019-01-29 08:30:12</p>", head=meta)).published == "2019-01-29T08:30:12+08:00"
    # a bare day opening the body is a gov document's 成文日期 or an event's: the meta's publication stands
    meta = {"meta": {"pubdate": "2019-01-30 16:05"}, "jsonld": {}}
    assert find_published("", meta, "", None, True, lead_text="国办发〔2019〕2号\n2019年1月17日") \
        == "2019-01-30T16:05:00+08:00"
    assert find_published("", meta, "", None, True, lead_text="示例日报 2019-01-29 08:30") == "2019-01-29T08:30:00+08:00"
