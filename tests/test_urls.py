import pytest

from crawler.fetch.urls import canonical_url, is_public_address, url_key


@pytest.mark.parametrize("a, b", [
    ("HTTP://WWW.NHC.GOV.CN:80/wjw/zcfg/list.shtml#top", "http://www.nhc.gov.cn/wjw/zcfg/list.shtml"),
    ("https://www.nhc.gov.cn:443/a/index.html", "https://www.nhc.gov.cn/a/"),
    ("http://x.cn/n1/2024/0522/c1-2.html?utm_source=wx&spm=a.b&isappinstalled=0",
     "http://x.cn/n1/2024/0522/c1-2.html"),
    ("http://x.cn/a?b=2&a=1", "http://x.cn/a?a=1&b=2"),
    ("http://big5.www.gov.cn/gate/big5/www.gov.cn/zhengce/content/202401/content_1.htm",
     "http://www.gov.cn/zhengce/content/202401/content_1.htm"),
])
def test_canonical_url_folds_spellings_of_one_page(a, b):
    assert canonical_url(a) == canonical_url(b)


def test_canonical_url_keeps_what_identifies_a_page():
    assert canonical_url("http://x.cn/art?id=1") != canonical_url("http://x.cn/art?id=2")
    assert canonical_url("http://x.cn/a/1.html") != canonical_url("http://x.cn/a/2.html")


def test_url_key_ignores_scheme():
    assert url_key("http://x.cn/a.html") == url_key("https://x.cn/a.html")


@pytest.mark.parametrize("ip, public", [
    ("127.0.0.1", False), ("10.0.0.8", False), ("192.168.1.1", False), ("169.254.1.1", False),
    ("224.0.0.251", False), ("::1", False), ("::ffff:127.0.0.1", False), ("0.0.0.0", False),
    ("8.8.8.8", True), ("2001:4860:4860::8888", True),
])
def test_is_public_address(ip, public):
    assert is_public_address(ip) is public
