"""Publication dates on pages the rules were not written for: which of a page's candidate dates is the
published one (shown near the headline > meta published > others; an update, a signing date, a printed
link's path never). Pages: tests/fixtures/extract/zh-new (copies of bench/pages, provenance in each
truth.json) and real-shaped snippets."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

from bench.extract_bench import date_ok
from crawler.extract import extract
from crawler.extract.dates import find_published, parse_text_date
from tests.conftest import bench_page

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


_SIGNED = "<p>国家卫生健康委办公厅</p><p>2024年1月3日</p>"  # the 落款: signing office and date closing the document


def test_a_signing_or_effective_date_gives_way_to_the_published_one():
    # one info line, the 成文日期 first: the 发布日期 is the publication (bench/pages/README.md, conventions)
    for info, published in (("成文日期：2024-01-03 发布日期：2024-01-05 来源：办公厅", "2024-01-05"),
                            ("发布日期：2024-01-05 实施日期：2024-03-01", "2024-01-05"),
                            ("印发时间：2024年1月3日 发布时间：2024年1月5日", "2024-01-05")):
        assert extract(_doc(header=f"<div class='info'>{info}</div>", after=_SIGNED)).published == published, info
    # an event's date in a notice's header ranks below its publication too
    assert parse_text_date("报名时间：2024-06-01 至 2024-06-10\n发布时间：2024-05-20").d == 20
    assert parse_text_date("开标时间：2024-06-01 09:30 发布日期：2024-05-20").d == 20
    # shown alone, a 成文日期 is still the page's date
    assert parse_text_date("成文日期：2024-01-03").d == 3


def test_a_metadata_table_labelled_fabu_shijian_gives_the_published_date():
    # the 索引号 table above the headline, its publication labelled 发布时间 (NHSA, provincial gkml tables)
    table = ("<table><tr><td>索引号：</td><td>000013610/2024-00001</td><td>主题分类：</td><td>医疗管理</td></tr>"
             "<tr><td>发文机关：</td><td>国家卫生健康委</td><td>成文日期：</td><td>2024年01月03日</td></tr>"
             "<tr><td>发文字号：</td><td>国卫医政函〔2024〕1号</td><td>发布时间：</td><td>2024年01月05日</td></tr></table>")
    html = _doc(after=_SIGNED).replace(b"<h1>", table.encode() + b"<h1>")
    article = extract(html)
    assert article.published == "2024-01-05" and article.gov_meta["成文日期"] == "2024年01月03日"


def test_a_table_value_stops_at_the_next_label():
    # NHSA: <span>发布时间：2024-05-09</span><span>来源：国家医疗保障局</span>, one cell's text without a space
    html = (Path(__file__).parent / "fixtures" / "sources" / "nhsa-policy" / "art_104_12298.html").read_bytes()
    gov = extract(html).gov_meta
    assert gov["发布时间"] == gov["发布日期"] == "2024-05-09" and gov["发布机构"] == "国家医疗保障局"
    from crawler.extract.govmeta import gov_table
    from lxml import html as lhtml
    root = lhtml.fromstring("<div><div>发布机构：国家医疗保障局发布日期：2024-05-09</div></div>")
    assert gov_table(root) == {"发布机构": "国家医疗保障局", "发布日期": "2024-05-09"}


def test_a_label_alone_on_the_line_above_labels_the_date():
    # a table's cells walked one per line (吉林省人民政府's 索引号 table): "成文日期：" above its value
    column = "索引号：\n11220000013544357T/2022-00426\n成文日期：\n2022年01月27日\n标 题：\n关于…的通告\n发布日期：\n2022年01月28日"
    assert (parse_text_date(column).m, parse_text_date(column).d) == (1, 28)
    assert parse_text_date("成 文 日 期：\n2022年01月27日\n2022年01月28日").d == 28
    # two bare dates, no label: the first one shown (a sentence above is no label)
    assert parse_text_date("2022年01月27日\n2022年01月28日").d == 27
    assert parse_text_date("据介绍，会议已于近日召开：\n2022年01月27日\n2022年01月28日").d == 27


def test_an_unpadded_date_path_is_a_url_date():
    from crawler.extract.dates import url_date
    # the Hanweb CMS of many gov sites: /art/<y>/<m>/<d>/art_…
    f = url_date("https://www.nhsa.gov.cn/art/2024/5/9/art_104_12298.html")
    assert (f.y, f.m, f.d) == (2024, 5, 9)
    assert url_date("http://example.cn/2024/13/09/a.html") is None
    assert url_date("http://example.cn/list/2024/1/") is None  # a month archive names no day


def test_a_twelve_hour_clock_and_a_weekday_before_the_time():
    def hm(text):
        f = parse_text_date(text)
        return f.H, f.M
    # Taiwan's and Hong Kong's sites print 上午/下午 (or AM/PM); a masthead-style weekday may sit before the time
    assert hm("2018/09/16 下午 03:31") == hm("下午 03:31 2018/09/16") == hm("2018年9月16日 下午3:31") == (15, 31)
    assert hm("2018-9-16 3:31 PM") == (15, 31) and hm("2018-9-16 12:31 AM") == (0, 31) and hm("2018-9-16 上午 09:05") == (9, 5)
    assert hm("2018-09-16 星期日 15:31") == hm("2018年9月16日 周日 下午3:31") == (15, 31)
    assert hm("2018-09-16 下午 15:31") == (15, 31)  # already 24-hour
    assert hm("2005-09-07 | 11:57") == (11, 57) and hm("2024-05-20 · 10:30 来源：示例日报") == (10, 30)  # a bar or dot
    assert parse_text_date("2024-05-20 | 来源：新华网").H is None
    # the weekday in brackets, before the zone word (Hong Kong government press releases close so)
    assert hm("2024年5月20日（星期一）\n香港時間16時30分") == (16, 30)
    assert parse_text_date("2024年5月20日（星期一）\n香港時間16時30分").tz == "+08:00"
    # a weekday with no time after it is still a masthead's day (rank 2): a labelled date beats it
    assert parse_text_date("2018年9月16日 星期日\n发布时间：2018-09-15 08:00").d == 15


def test_a_date_labelled_as_the_publication_beside_the_body_beats_the_meta():
    # 万载: the body repeats the headline, so the zone from that copy on is empty; "来源： 访问量：199 发布日期：2017-05-15
    # 10:49:00" sits between the two headlines and <meta PubDate> holds a re-save time (2022-04-24)
    article, truth = page("wanzai_2")
    assert article.published == truth["published"] == "2017-05-15T10:49:00+08:00"
    from crawler.extract.dates import labelled_published
    assert labelled_published("活动时间：2024-06-01\n发布日期：\n2024-05-20").d == 20
    assert labelled_published("时间：2024-06-01 截止日期：2024-06-30") is None  # events and deadlines are not it
    assert labelled_published("發佈時間：2024/05/20 10:30").d == 20 and labelled_published("刊登日期：2024-05-20").d == 20


def test_the_information_table_dates_a_gov_page_before_its_meta():
    # 万载: "索 引 号" spaced to the column's width and 生成日期 the only date of the 信息公开 table
    article, truth = page("wanzai_1")
    assert article.published == truth["published"] == "2023-05-11"
    assert article.gov_meta["生成日期"] == "2023-05-11" and article.gov_meta["责任部门"] == "万载县统计局"
    # 宜春: 发文日期 is the table's only date (the bulletin is dated 2023年4月12日 in its text): before the meta
    article, truth = page("yichun_1")
    assert article.published == truth["published"] == "2023-04-18"
    # 湖北: 发文日期 2023-08-25 is the document's own date; "2023-08-28 08:15 | 湖北省市场监督管理局" under the headline wins
    article, truth = page("scjg_hubei_1")
    assert article.gov_meta["发文日期"] == "2023-08-25"
    assert article.published == "2023-08-28T08:15:00+08:00" and truth["published"].startswith("2023-08-28T08:15")


def test_the_doc_number_is_the_documents_own_not_a_cited_one():
    from crawler.extract.govmeta import doc_number
    # 凯里: the first paragraph cites 黔人发〔2006〕4号 and others; the page has no 文号 of its own
    article, truth = page("kaili_1")
    assert not truth["doc_number"] and article.doc_number is None
    # 湖北: the 文号 cell says 便函 (an informal letter): no number
    article, truth = page("scjg_hubei_1")
    assert not truth["doc_number"] and article.doc_number is None
    # a number on its own line under the headline, or in the headline, is the document's
    assert doc_number({}, ["", "国办发〔2019〕2号\n各省、自治区、直辖市人民政府："]) == "国办发〔2019〕2号"
    assert doc_number({}, ["关于印发试点方案的通知（国卫办医函〔2024〕1号）"]) == "国卫办医函〔2024〕1号"
    assert doc_number({"文号": "国发〔2018〕43号"}, []) == "国发〔2018〕43号"


def test_the_responsible_office_issues_an_item_whose_table_names_no_issuer():
    article, truth = page("wanzai_1")  # 信息公开 table: 责任部门 万载县统计局, no 发文机关/发布机构
    assert article.issuing_agency == truth["publisher"] == "万载县统计局"


def test_a_date_in_chinese_numerals():
    def ymd(text):
        f = parse_text_date(text)
        return f and (f.y, f.m, f.d)
    assert ymd("二〇二二年一月二十七日") == (2022, 1, 27) and ymd("一九九八年三月六日") == (1998, 3, 6)
    assert ymd("二〇〇五年十二月三十一日") == (2005, 12, 31) and ymd("二零二四年五月二十日") == (2024, 5, 20)
    assert ymd("二〇〇五年二月三十日") is None and ymd("二〇〇五年三月") is None  # no such day; no day
    assert ymd("2005年3月6日\n二〇〇五年三月七日") == (2005, 3, 6)  # the figures first
    assert extract(_doc(header="<div>二〇〇五年三月六日</div>")).published == "2005-03-06"


def test_a_header_showing_only_a_signing_or_effective_date_gives_way_to_the_meta():
    meta = {"meta": {"pubdate": "2024-05-20 10:30"}, "jsonld": {}}
    for zone in ("成文日期：2024-05-10", "施行日期：2024-07-01", "2024年5月22日 星期三"):
        assert find_published(zone, meta, "", None, True) == "2024-05-20T10:30:00+08:00", zone
        # no meta: it is still the page's date
        assert find_published(zone, {"meta": {}, "jsonld": {}}, "", None, True)[:4] == "2024", zone
    # a date labelled as the publication, or unlabelled, beats the meta as before
    assert find_published("发布日期：2024-05-19", meta, "", None, True) == "2024-05-19"
    assert find_published("2024-05-19 来源：示例日报", meta, "", None, True) == "2024-05-19"


def test_a_list_of_labelled_items_names_no_publication():
    from crawler.extract.dates import labelled_published
    items = "相关文章\n关于开展义诊活动的通知 发布时间：2024-05-01\n关于调整门诊时间的公告 发布时间：2024-04-18"
    assert labelled_published(items) is None
    assert labelled_published("发布时间：2024-05-01 10:00\n来源：办公室\n发布日期：2024-05-01").d == 1


def test_english_pages_dated_only_by_a_month_first_meta_a_month_named_url_or_page_data():
    from crawler.extract.dates import parse_meta_value, script_published, url_date
    f = parse_meta_value("03-09-2026")  # <meta property=article:published_time content=03-09-2026> (a US CMS)
    assert (f.y, f.m, f.d) == (2026, 3, 9)
    assert parse_meta_value("13-09-2026") is None  # no month 13: not guessed day-first
    f = url_date("https://www.wsetglobal.com/knowledge-centre/blog/2023/october/03/how-many-wine-types/")
    assert (f.y, f.m, f.d) == (2023, 10, 3)
    # Next.js page data, HTML-escaped in an attribute; values that disagree (a list of posts) give none
    props = "data-props='{&quot;datePublished&quot;:&quot;2025-11-17T09:00:00-05:00&quot;}'"
    f = script_published(props)
    assert (f.y, f.m, f.d) == (2025, 11, 17)
    assert script_published('"datePublished":"2025-11-17" "datePublished":"2025-10-02"') is None
    page = ("<html><head><title>Full EV cars guide</title></head><body><article><h1>Full EV cars guide</h1>"
            "<p>" + "Electric cars have become a practical choice for many drivers who charge at home. " * 5 + "</p>"
            "</article><div " + props + "></div></body></html>")
    assert extract(page.encode()).published == "2025-11-17T09:00:00-05:00"


def test_an_english_date_line_above_the_headline():
    body = "<p>" + "Renting a car for the first time takes a little planning, a valid licence and a credit card. " * 5 + "</p>"
    tpl = ("<html><head><title>How to rent a car | Driving Tests</title>{head}</head><body><div class='nav'>Home</div>"
           "<article><div class='meta'>Travel September 8, 2021 -- min read</div><h1>How to rent a car</h1>"
           + body + body + "</article></body></html>")
    # the JSON-LD's datePublished is the site's first version of the URL (2012): the shown date wins
    old = "<script type='application/ld+json'>{\"@type\": \"Article\", \"datePublished\": \"2012-09-12T16:45:28+00:00\"}</script>"
    assert extract(tpl.format(head=old).encode()).published == "2021-09-08"
    # a published JSON-LD of the shown day gives its time of day
    same = "<script type='application/ld+json'>{\"@type\": \"Article\", \"datePublished\": \"2021-09-08T18:02:10+00:00\"}</script>"
    assert extract(tpl.format(head=same).encode()).published == "2021-09-08T18:02:10+00:00"


def test_an_english_date_labelled_published_beside_the_body():
    from crawler.extract.dates import _en_labelled_published
    f = _en_labelled_published("Documentation\nShare\nPublished: October 29, 2024\nReading time 5 min")
    assert (f.y, f.m, f.d) == (2024, 10, 29)
    assert _en_labelled_published("Posted on 3 May 2024\nPosted on 9 May 2024") is None  # a list of posts
    assert _en_labelled_published("Updated: October 29, 2024") is None
    f = _en_labelled_published("Published: 2024-10-29 09:30")  # in figures too
    assert (f.m, f.d, f.H, f.M) == (10, 29, 9, 30)
    meta = {"meta": {"article:published_time": "2025-11-29"}, "jsonld": {}}
    assert find_published("", meta, "", None, False, near_text="Published: October 29, 2024") == "2024-10-29"


def test_a_table_naming_its_issuer_as_a_unit_and_its_date_as_gongbu():
    table = ("<table><tr><td>发文单位：</td><td>示例市卫生健康委员会</td><td>文件编号：</td><td>示卫发〔2024〕3号</td></tr>"
             "<tr><td>成文日期：</td><td>2024-01-03</td><td>公布日期：</td><td>2024-01-05</td></tr></table>")
    article = extract(_doc(after=_SIGNED).replace(b"<h1>", table.encode() + b"<h1>"))
    assert article.published == "2024-01-05"
    assert article.issuing_agency == "示例市卫生健康委员会" and article.doc_number == "示卫发〔2024〕3号"


def test_a_date_that_only_sits_in_a_script():
    from crawler.extract.dates import script_date
    assert script_date('<script>window.DATA = {"publishTime":1716172200000,"title":"x"}</script>').iso("+08:00") \
        == "2024-05-20T10:30:00+08:00"  # an epoch in milliseconds (Beijing time)
    assert script_date("<script>var pubDate = '2024/5/20 10:30';</script>").iso("+08:00") == "2024-05-20T10:30:00+08:00"
    # a list's items, each with its own time, date no page
    assert script_date('{"publishTime":1716172200000},{"publishTime":1716000000000}') is None
    assert script_date('"pubtime": 1716172200.5') is None  # not an epoch
    page = ("<html><head><meta charset='utf-8'><title>示例标题新闻报道 - 示例网</title></head><body><div class='art'>"
            "<h1>示例标题新闻报道</h1><div class='content'>" + _PARA + _PARA + "</div></div>"
            "<script>var DATA = {\"publish_time\": \"1716172200\"};</script></body></html>")
    assert extract(page.encode()).published == "2024-05-20T10:30:00+08:00"


def test_the_headers_meta_line_date_beats_an_events_labelled_date_further_down():
    # ccgp_1: '2021年06月10日 17:35 来源： 【打印】' under the headline, then the notice's own facts
    # '本项目招标公告日期：2021年05月26日' and '成交日期：2021年06月09日' (a tender's dates, not the page's)
    article, truth = bench_page("zh-gov-spent-2", "ccgp_1")
    assert article.published.startswith("2021-06-10T17:35")


def test_a_chinese_pages_meta_time_in_another_offset_is_given_at_plus_eight():
    # sspai_1 shows '03/31 08:37' (no year); its meta says 2025-03-31T00:37:22+00:00: the same instant
    article, truth = bench_page("zh-news-spent-2", "sspai_1")
    assert article.published == "2025-03-31T08:37:22+08:00"
    from crawler.extract.dates import Found, in_china_time
    assert in_china_time(Found(2024, 12, 31, 20, 5, None, "-05:00")).iso(None) == "2025-01-01T09:05:00+08:00"
    assert in_china_time(Found(2024, 5, 20, 9, 30, None, "+08:00")).iso(None) == "2024-05-20T09:30:00+08:00"


def test_a_field_date_a_list_items_time_or_a_ranges_end_gives_way_to_the_headers_date():
    # "招标公告日期：", "中标日期：" (zh818_1), "2.时间：2017年4月15日" (zgsydw_1) under the header's unlabelled date; a
    # poster's "注册时间：" on a forum page; the end of a range
    for set_name, name in (("zh-news-spent-7", "zh818_1"), ("zh-news-spent-7", "zgsydw_1"), ("zh-news-spent-5", "mala_1")):
        article, truth = bench_page(set_name, name)
        assert date_ok(article.published, truth["published"]), name
    for info, day in (("<div>2024-05-20 10:30 卫健委</div><div>招标公告日期：2024-04-01</div>", "2024-05-20"),
                      ("<div>注册时间：2015-03-02</div><div>Posted: 2024-05-20 10:30</div>", "2024-05-20"),
                      ("<div>有效日期：2024/5/20 ～ 2024/6/30</div>", "2024-05-20"),
                      ("<div>发布日期：2024-05-20</div>", "2024-05-20")):
        page = ("<html><head><meta charset='utf-8'><title>卫健委发布通知</title></head><body><h1>卫健委发布通知</h1>" + info
                + "<p>国家卫生健康委员会近日印发通知，要求各地进一步加强基层医疗卫生服务能力建设，推动优质医疗资源下沉。</p>" * 4 + "</body></html>")
        assert extract(page.encode()).published[:10] == day, info


def test_the_pages_own_header_over_a_copied_originals_repeated_under_it():
    # "标题 / 时间：2005-06-30 03:29:58 来源：不详 / 标题 / 标签： / 标题 / 文章来源：瑞星… 2005-4-9" (smzy_1), a repost whose
    # headline recurs inside the text (id028_1)
    for set_name, name in (("zh-news-spent-7", "smzy_1"), ("zh-news-spent-6", "id028_1")):
        article, truth = bench_page(set_name, name)
        assert date_ok(article.published, truth["published"]), name


def test_a_publication_date_stated_only_below_the_text_and_a_copied_pieces_first_outlet():
    # "发布日期：2016年05月12日 所属分类：…" in a box under the text (28et_1, chinaubi_1), "在线出版日期：" of a journal
    # record (wanfangdata_1); "本文发表于2015年3月23日的《瞭望》" under the header's own date (gzh_1)
    for set_name, name in (("zh-news-spent-6", "28et_1"), ("zh-news-spent-5", "chinaubi_1"),
                           ("zh-news-spent-5", "wanfangdata_1"), ("zh-news-spent-6", "gzh_1")):
        article, truth = bench_page(set_name, name)
        assert date_ok(article.published, truth["published"]), name
    # far from the text, a list of items, each with its own 发布时间, names no one page's date
    items = "<p>相关</p><p>推荐</p><p>更多</p><p>阅读</p>" + "".join(f"<li>发布时间：2024-05-{d:02d}</li>" for d in (3, 9, 17))
    page = ("<html><head><meta charset='utf-8'><title>卫健委发布通知</title></head><body><h1>卫健委发布通知</h1>"
            + "<p>国家卫生健康委员会近日印发通知，要求各地进一步加强基层医疗卫生服务能力建设，推动优质医疗资源下沉。</p>" * 4
            + f"<ul>{items}</ul></body></html>")
    assert extract(page.encode()).published is None
    assert extract(page.replace("05-09", "05-03").replace("05-17", "05-03").encode()).published == "2024-05-03"
