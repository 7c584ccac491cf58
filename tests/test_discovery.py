"""Discovery kinds on documents in the shape real sites serve, and multi-page articles end to end."""
import gzip
import json
import sqlite3

from crawler.fetch.challenge import challenge
from crawler.config import ApiSpec, Source
from crawler.discovery import discover
from crawler.discovery.api import page_request
from crawler.discovery.article_pages import continuation_urls
from tests.conftest import run_cli
from tests.sitekit import NewsSite, fixture_articles, write_config


def source(kind="list", **options) -> Source:
    return Source(name="t", start_urls=["https://example.gov.cn/"], kind=kind, **options)


def test_sitemap_index_lists_child_sitemaps_newest_first_and_urlsets_list_articles():
    index = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>http://www.people.com.cn/sitemap/2024-04.xml</loc><lastmod>2024-04-30</lastmod></sitemap>
  <sitemap><loc>http://www.people.com.cn/sitemap/2024-05.xml</loc><lastmod>2024-05-31</lastmod></sitemap>
</sitemapindex>"""
    found = discover(source("sitemap"), index, "http://www.people.com.cn/sitemap_index.xml")
    assert found.pages == ["http://www.people.com.cn/sitemap/2024-05.xml", "http://www.people.com.cn/sitemap/2024-04.xml"]

    news = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>http://health.people.com.cn/n1/2024/0520/c14739-40239991.html</loc>
    <news:news><news:publication_date>2024-05-20T08:21:00+08:00</news:publication_date>
    <news:title>国家卫健委：推进紧密型医联体建设</news:title></news:news></url>
  <url><loc>http://health.people.com.cn/GB/408564/index.html</loc><lastmod>2024-05-20</lastmod></url>
</urlset>""".encode()
    found = discover(source("sitemap", article_pattern=r"/n1/\d{4}/\d{4}/c\d+-\d+\.html$"), gzip.compress(news),
                     "http://www.people.com.cn/sitemap/2024-05.xml.gz")
    assert [(a.url, a.title, a.published) for a in found.articles] == [
        ("http://health.people.com.cn/n1/2024/0520/c14739-40239991.html", "国家卫健委：推进紧密型医联体建设",
         "2024-05-20T08:21:00+08:00")]
    assert discover(source("sitemap"), b"<html><body>no</body></html>", "http://x.cn/s.xml").problem


def test_feeds_rss_and_atom_and_a_broken_feed():
    rss = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>中新网 健康</title>
<item><title>多地推进医保门诊共济</title><link>https://www.chinanews.com.cn/jk/2024/06-12/10227689.shtml</link>
<pubDate>Wed, 12 Jun 2024 07:56:00 GMT</pubDate></item></channel></rss>""".encode()
    [link] = discover(source("feed"), rss, "https://www.chinanews.com.cn/rss/health.xml").articles
    assert link.url.endswith("/jk/2024/06-12/10227689.shtml") and link.published == "2024-06-12T15:56:00+08:00"
    atom = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
<entry><title>China expands elderly care</title><link href="https://www.chinadaily.com.cn/a/202405/20/WS664a.html"/>
<updated>2024-05-20T02:00:00Z</updated></entry></feed>"""
    [link] = discover(source("feed"), atom, "https://www.chinadaily.com.cn/rss/china_rss.xml").articles
    assert link.title == "China expands elderly care" and link.published == "2024-05-20T10:00:00+08:00"
    assert discover(source("feed"), b"\x00\x01 not a feed", "https://x.cn/rss.xml").problem


def test_api_json_with_wildcard_path_keep_filter_and_page_placeholders():
    spec = ApiSpec(url="https://sousuo.www.gov.cn/search-gov/data?t=zhengcelibrary_bm&p={page}&n=20",
                   items="searchVO.catMap.*.listVO", url_field="url", title_field="title", date_field="pubtimeStr",
                   keep={"puborg": ["卫生健康委", "医保局"]})
    answer = {"searchVO": {"catMap": {"bumenfile": {"listVO": [
        {"title": "关于印发<em>医疗</em>机构管理办法的通知", "url": "https://www.gov.cn/zhengce/zhengceku/202405/content_6952179.htm",
         "pubtimeStr": "2024.05.20", "puborg": "国家卫生健康委员会"},
        {"title": "关于做好农业生产的通知", "url": "https://www.gov.cn/zhengce/zhengceku/202405/content_6952180.htm",
         "pubtimeStr": "2024.05.20", "puborg": "农业农村部"}]}}}}
    found = discover(source("api", api=spec), json.dumps(answer, ensure_ascii=False).encode(), spec.url)
    assert [(a.url, a.title, a.published[:10]) for a in found.articles] == [
        ("https://www.gov.cn/zhengce/zhengceku/202405/content_6952179.htm", "关于印发医疗机构管理办法的通知", "2024-05-20")]
    assert page_request(spec, 3)["url"].endswith("&p=3&n=20")
    assert discover(source("api", api=spec), b"<html>error</html>", spec.url).problem


def test_api_xml_records_post_body_and_jsonp_with_url_template():
    spec = ApiSpec(url="https://www.nhsa.gov.cn/module/web/jpage/dataproxy.jsp?startrecord={start}&endrecord={end}&perpage=15",
                   method="POST", body={"columnid": "104", "unitid": "2464"}, format="xml", items="record",
                   html_field="html", page_size=45)
    request = page_request(spec, 2)
    assert "startrecord=46&endrecord=90" in request["url"] and request["method"] == "POST"
    assert request["body"] == "columnid=104&unitid=2464"
    answer = """<?xml version="1.0" encoding="UTF-8"?><datastore><nextgroup><![CDATA[<a href="x"></a>]]></nextgroup>
<recordset><record><![CDATA[<li><span>1</span><a href="/art/2024/5/20/art_104_12345.html" title="关于做好2024年医疗保障工作的通知">关于做好…</a><span>医保发〔2024〕12号</span><span>2024-05-20</span></li>]]></record>
</recordset></datastore>""".encode()
    [link] = discover(source("api", api=spec), answer, request["url"]).articles
    assert link.url == "https://www.nhsa.gov.cn/art/2024/5/20/art_104_12345.html"
    assert link.title == "关于做好2024年医疗保障工作的通知"

    paper = ApiSpec(url="https://api.thepaper.cn/contentapi/nodeCont/getByNodeIdPortal", method="POST",
                    body={"nodeId": 25950, "pageNum": "{page}"}, body_format="json", format="jsonp",
                    items="data.list", url_template="https://www.thepaper.cn/newsDetail_forward_{contId}",
                    title_field="name", date_field="pubTimeLong")
    assert json.loads(page_request(paper, 2)["body"]) == {"nodeId": 25950, "pageNum": 2}
    body = 'cb({"data": {"list": [{"contId": 27712345, "name": "医保新政", "pubTimeLong": 1716172200000}]}});'.encode()
    [link] = discover(source("api", api=paper), body, paper.url).articles
    assert link.url == "https://www.thepaper.cn/newsDetail_forward_27712345"
    assert link.published == "2024-05-20T10:30:00+08:00"


def test_list_selector_and_links_in_inline_json():
    page = """<html><body><div class="hot"><a href="/news/industryNews/2024/0101/1.html">热门</a></div>
<div id="ttde_data">[{"title":"基层卫生","url":"https:\\/\\/www.jkb.com.cn\\/news\\/industryNews\\/2024\\/0520\\/2.html"}]</div>
<ul class="list"><li><a href="/news/industryNews/2024/0521/3.html">医改</a></li></ul></body></html>""".encode()
    pattern = r"/news/\w+/\d{4}/\d{4}/\d+\.html$"
    everything = discover(source(article_pattern=pattern), page, "https://www.jkb.com.cn/news/industryNews/")
    assert sorted(a.url.rsplit("/", 1)[1] for a in everything.articles) == ["1.html", "2.html", "3.html"]
    listed = discover(source(article_pattern=pattern, list_selector="ul.list, #ttde_data"), page,
                      "https://www.jkb.com.cn/news/industryNews/")
    assert sorted(a.url.rsplit("/", 1)[1] for a in listed.articles) == ["2.html", "3.html"]


def test_challenge_pages_are_recognised_and_articles_mentioning_the_words_are_not():
    ts_page = b'<html><head><script>$_ts=window["$_ts"];$_ts.cd="qEcr";</script><script src="/c.js"></script></head><body></body></html>'
    assert "412" in challenge(412, ts_page)
    assert challenge(200, ts_page)
    assert challenge(503, b"<html><title>Just a moment...</title><body>Checking your browser</body></html>")
    article = ("<html><body><h1>网络安全验证新规</h1>" + "<p>工业和信息化部发布通知，要求加强网络安全验证工作。</p>" * 40
               + "</body></html>").encode()
    assert challenge(200, article) is None
    assert challenge(404, b"<html><body>not found</body></html>") is None


def test_continuation_pages_of_a_multi_page_article():
    html = b"""<div id="page"><a href="t20240520_123456.html">1</a><a href="t20240520_123456_2.html">2</a>
<a href="./t20240520_123456_3.html">3</a><a href="t20240520_123456_2.html">\xe4\xb8\x8b\xe4\xb8\x80\xe9\xa1\xb5</a>
<a href="t20240520_999999_2.html">other article</a><a href="https://other.cn/zwgk/t20240520_123456_2.html">x</a></div>"""
    assert continuation_urls(html, "https://wjw.example.gov.cn/zwgk/t20240520_123456.html") == [
        "https://wjw.example.gov.cn/zwgk/t20240520_123456_2.html",
        "https://wjw.example.gov.cn/zwgk/t20240520_123456_3.html"]


def test_multi_page_article_is_stitched_into_one_row(tmp_path):
    real = fixture_articles()[0]
    paragraphs = ["第二页第一段：推进分级诊疗制度建设，提升基层医疗卫生服务能力。" * 3,
                  "第二页第二段：完善家庭医生签约服务，方便群众就近就医。" * 3]
    with NewsSite() as site:
        first = real["html"].replace(b"</body>", b'<div class="page"><a href="' + real["id"].encode()
                                     + b'_2.html">2</a><a href="' + real["id"].encode() + b'_2.html">'
                                     + "下一页".encode() + b"</a></div></body>")
        site.publish(real["id"], first)
        page_two = ("<html><head><meta charset='utf-8'><title>续页</title></head><body><div class='content'>"
                    + "".join(f"<p>{p}</p>" for p in paragraphs) + "</div></body></html>").encode()
        site.add_raw(f"/news/202405/{real['id']}_2.html", 200, page_two, listed=False)
        config = write_config(tmp_path / "sources.toml", site)
        db = tmp_path / "hw.db"
        result = run_cli("crawl", "--config", config, "--db", db)
        assert result.returncode == 0, result.stderr
        con = sqlite3.connect(db)
        [(url, body, flags)] = con.execute("SELECT url, body, flags FROM articles").fetchall()
        con.close()
    assert url.endswith(f"{real['id']}.html")
    first_paragraph = real["truth"]["body_paragraphs"][0][:20]
    assert body.index(first_paragraph) < body.index(paragraphs[0][:20]) < body.index(paragraphs[1][:20])
    assert "stitched_pages:2" in json.loads(flags)


def test_sources_try_shows_links_with_a_pattern_suggestion_and_the_extracted_article(site, tmp_path):
    config = write_config(tmp_path / "sources.toml", site)
    listing = run_cli("sources", "try", site.url("/news/index.html"), "--source", "demo-news", "--config", config)
    assert listing.returncode == 0, listing.stderr
    assert "5 article links (list)" in listing.stdout and "next list page" in listing.stdout
    unknown = run_cli("sources", "try", site.url("/news/index_2.html"), "--config", config)
    assert "5 article links (list)" in unknown.stdout
    assert r"suggestion: article_pattern = '/news/\d+/[\w-]+\.html$'" in unknown.stdout
    article_url = site.articles[0][0]
    shown = run_cli("sources", "try", site.url(article_url), "--source", "demo-news", "--config", config)
    assert shown.returncode == 0, shown.stderr
    record = json.loads(shown.stdout)
    assert record["title"] and len(record["body"]) > 100
    scaffold = run_cli("sources", "new", "my-site", "--url", site.url("/news/index.html"), "--config", config)
    assert scaffold.returncode == 0 and 'name = "my-site"' in scaffold.stdout
    assert r"article_pattern = '/news/\d+/[\w-]+\.html$'" in scaffold.stdout


def test_warmup_cookies_and_static_cookies_reach_the_list_api(tmp_path):
    """Zhejiang-style: the API answers only with the cookie its column page sets; another site wants
    a cookie the config sets by hand."""
    from tests.sourcekit import FixtureHosts

    (tmp_path / "col.html").write_bytes(b"<html><body>column</body></html>")
    (tmp_path / "api.json").write_bytes(json.dumps({"data": {"html": '<li><a href="/art/2024/5/20/art_1_1.html">甲</a></li>'}}).encode())
    article = fixture_articles()[0]["html"]
    (tmp_path / "art.html").write_bytes(article)
    case = {"dir": tmp_path, "routes": [
        {"url": "https://wsjkw.zj.gov.cn/col/col1/index.html", "file": "col.html", "set_cookie": "JSESSIONID=w4rm"},
        {"url": "https://wsjkw.zj.gov.cn/api/unit?pageNo=1", "file": "api.json", "content_type": "application/json",
         "requires_cookie": "JSESSIONID=w4rm"},
        {"url": "https://wsjkw.zj.gov.cn/art/2024/5/20/art_1_1.html", "file": "art.html", "requires_cookie": "hw=1"},
    ]}
    with FixtureHosts([case]) as hosts:
        base = hosts.local("wsjkw.zj.gov.cn")
        config = tmp_path / "zj.toml"
        config.write_text(f"""allow_private_addresses = true
[[sources]]
name = "zj"
kind = "api"
warmup_url = "{base}/col/col1/index.html"
cookies = {{ hw = "1" }}
delay = 0
obey_robots = false
[sources.api]
url = "{base}/api/unit?pageNo={{page}}"
items = "data"
html_field = "html"
""", encoding="utf-8")
        db = tmp_path / "hw.db"
        result = run_cli("crawl", "--config", config, "--db", db)
        assert result.returncode == 0, result.stdout + result.stderr
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    con.close()
    assert hosts.requests[0] == ("GET", "https://wsjkw.zj.gov.cn/col/col1/index.html")
