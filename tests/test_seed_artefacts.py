"""One test per artefact of the seed extractions in ../shared/seeds/ (five messy pages).

The seeds are text only, so each artefact is checked on a page that shows it: the real capture
zh-news/spam_mirror_1 (a bench page, copied with its truth.json) where it shows the artefact, and
otherwise a minimal page built in the seed's shape under tests/fixtures/extract/seeds/ (README there
says which seed each imitates)."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

from crawler.extract import extract

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
SEEDS = FIXTURES / "seeds"


def page(name: str, url: str | None = None):
    return extract((SEEDS / name).read_bytes(), url)


# ---- seed 000: Chinese reprint with "英语如下:" + Title/Keywords/Content translation and a 【来源】 link

def test_seed000_appended_translation_is_split_out_of_the_body():
    a = page("translation_appended.html", "http://health.example.cn/2024/0522/1.html")
    assert "translation_split" in a.flags
    assert a.translation_title == "Guangxi Steps Up Efforts to Achieve Balanced Distribution of High-Quality Medical Resources"
    assert a.translation_keywords == ["Medical Resources", "Balanced Distribution", "Regional Center"]
    assert a.translation_body.startswith("At a press conference today")
    assert "It is reported that Guangxi" in a.translation_body
    assert "英语如下" not in a.body and "Guangxi" not in a.body and "Title:" not in a.body
    assert a.body.startswith("广西壮族自治区卫生健康委员会副主任黎君君")
    assert a.body.endswith("让更多群众在家门口就能享受到优质的医疗服务。")


def test_seed000_source_link_becomes_original_url():
    a = page("translation_appended.html")
    assert a.original_url == "http://www.chinanews.com/sh/2024/05-22/10221529.shtml"
    assert "【来源】" not in a.body and "chinanews" not in (a.translation_body or "")
    assert (a.published, a.publisher) == ("2024-05-22T16:40:00+08:00", "中国新闻网")
    assert "ICP" not in a.body and "版权所有" not in a.body


# ---- seed 001: Traditional mirror with a pinyin layer, nav list, 熱門排行

def test_seed001_pinyin_layer_removed_and_real_parentheses_kept():
    a = page("pinyin_mirror.html")
    assert "pinyin_layer_removed" in a.flags
    assert a.title == "廣西推動優質醫療資源擴容和均衡布局"
    assert "(dòng)" not in a.body and "(yè)" not in a.body and "(zhì)" not in a.body
    assert "本報南寧電 (記者龐革平)記者日前從廣西壯族自治區人民政府新聞辦公室" in a.body
    assert a.author == "龐革平"


def test_seed001_header_fields_and_lists_outside_the_body():
    a = page("pinyin_mirror.html")
    assert a.subtitle == "方便群眾看病就醫 實現“大病不出省”"
    assert a.published == "2024-05-28T08:21:00+08:00"
    assert a.publisher == "人民網－人民日報海外版"
    assert a.editor == "王新、李中"
    for junk in ("熱門排行", "南湛高速", "舉報專區", "登錄", "責編"):
        assert junk not in a.body
    assert "traditional" in a.flags and a.body_simplified.startswith("《人民日")
    assert "本报南宁电 (记者庞革平)" in a.body_simplified


def test_seed001_real_mirror_capture_pinyin_and_hidden_junk():
    folder = FIXTURES / "zh-news" / "spam_mirror_1"
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    a = extract(gzip.decompress((folder / "page.html.gz").read_bytes()), truth["url"])
    assert {"pinyin_layer_removed", "hidden_block_removed"} <= set(a.flags)
    # the truth keeps the annotations ('網(wǎng)絡(luò )'); we remove them, so compare without them
    assert a.title == "《網絡主播行為規范》明確規定：31種行為將被嚴厲禁止"
    assert a.published == truth["published"]
    assert "(wǎng)" not in a.body and "網絡主播" in a.body
    assert "本文標題" not in a.body and "本文地址" not in a.body
    assert a.body_simplified and "网络主播" in a.body_simplified


# ---- seed 002: hijacked <title>, date + source line, 反對/舉報 bar, 免責聲明, ICP

def test_seed002_spam_title_is_ignored_for_the_headline():
    a = page("hijacked_title.html")
    assert "spam_title_ignored" in a.flags
    assert a.title == "年終專稿·醫療幫扶|對口幫扶匯聚起更大力量"
    assert a.published == "2023-12-28"


def test_seed002_bars_disclaimer_and_icp_stay_out_caption_stays_in():
    a = page("hijacked_title.html")
    for junk in ("反對 0", "舉報", "免責聲明", "ICP", "龍心醫療器械", "微信掃一掃", "(文/小編)", "導讀", "精品"):
        assert junk not in a.body, junk
    assert "來自北京的醫療專家" in a.body and "健康報記者 張丹攝" in a.body
    assert a.body.startswith("從三級醫院對口幫扶縣級醫院")
    assert a.author is None


# ---- seed 003: junk heading, translation without a marker line ("News Content:")

def test_seed003_unmarked_translation_split():
    a = page("translation_no_marker.html")
    assert "translation_split" in a.flags
    assert a.translation_title.startswith("Accelerating the Construction of Intensive County-level")
    assert a.translation_keywords == ["Medical Alliance Construction", "Primary Healthcare Services", "Health Security"]
    assert a.translation_body.startswith("As China’s healthcare system continues to evolve")
    assert "news studio" not in a.body and "Title:" not in a.body
    assert a.original_url == "http://www.chinanews.com/gn/2024/03-20/10183572.shtml"
    assert a.title == "加速推进紧密型县域医共体建设 守护群众家门口的健康"


# ---- seed 004: spam <title>, breadcrumbs, "時間 : … 來源 : …" line, 【打印】 bar

def test_seed004_breadcrumbs_time_and_source_line():
    a = page("gd_gov_breadcrumbs.html")
    assert "spam_title_ignored" in a.flags
    assert a.title == "廣東明確今年醫改重點 全國醫療衛生高地、健康灣區等成關鍵詞"
    assert a.breadcrumbs == ["首頁", "政務公開", "重點領域信息公開專欄", "基本醫療衛生信息公開", "基本醫療衛生工作動態"]
    assert a.published == "2023-05-30T09:17:50+08:00"
    assert a.publisher == "南方日報網絡版"


def test_seed004_header_furniture_not_in_body():
    a = page("gd_gov_breadcrumbs.html")
    for junk in ("首頁 >", "時間", "來源", "【打印】", "字體", "国产", "關鍵詞\n"):
        assert junk not in a.body, junk
    assert a.body.startswith("5月29日,2023年全省衛生健康體改工作會議")
    assert a.body.endswith("交流學習醫改經驗。")
