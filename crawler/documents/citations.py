"""文号 and title citations in policy texts, in one normal form so that every spelling of a
document number meets the document that carries it.

"国卫医政发〔2024〕12号", "国卫医政发[2024]12号", "国卫医政发（２０２４）第12号" and
"国卫医政发 〔2024〕 12 号" are one number: NFKC folds full-width digits and brackets, the
brackets become 〔〕, spaces, "第" and leading zeros go."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_CJK = r"\u4e00-\u9fff"
# prefix (agency abbreviation, with whatever words precede it) [year] number 号 — on NFKC text,
# where （）［］ have become ()[]; 〔〕 and 【】 survive NFKC.
_NUMBER = re.compile(rf"([{_CJK}]{{2,20}})\s*[〔\[【(]\s*((?:19|20)\d{{2}})\s*[〕\]】)]\s*第?\s*(\d{{1,5}})\s*号")
# words that end the sentence before an agency abbreviation ("根据国办发…", "以国卫办医函…印发");
# none occurs inside a real abbreviation (国卫医政发, 国中医药医政发, 京经信委发, 人社部发, 财社 …)
_LEAD_WORDS = re.compile(r"^.*(?:根据|按照|依据|参照|依照|对照|遵照|执行|贯彻|落实|印发|转发|详见|参见|见|"
                         r"以|和|及|与|或|的|为|于|在|由|是|按|据|将|对|即|请|并|文件)")
_TITLE = re.compile(r"《([^《》\n]{4,120})》")
_POLICY_WORDS = re.compile(r"(通知|意见|办法|规定|方案|决定|规划|条例|指南|标准|细则|规范|目录|纲要|法|规则|"
                           r"公告|通告|批复|函|指引|要点|计划|措施|制度|清单|名单|共识|议案|决议)(（[^）]*）|\([^)]*\))?$")
_ISSUED = re.compile(r"关于印发(.+?)的通知")
_FOLLOWING_NUMBER = re.compile(r"^\s*[(（]([^()（）]{4,40})[)）]")


@dataclass(frozen=True)
class Citation:
    number: str | None  # normal form of the 文号, when cited by number
    title: str | None  # normal form of the 《title》, when cited by title
    raw: str  # as written

    def to_dict(self) -> dict:
        return {"number": self.number, "title": self.title, "raw": self.raw}

    @classmethod
    def from_dict(cls, values: dict) -> "Citation":
        return cls(values.get("number"), values.get("title"), values["raw"])


def normalise_number(text: str) -> str | None:
    """The normal form of the first 文号 in `text`, or None."""
    match = _NUMBER.search(unicodedata.normalize("NFKC", text or ""))
    return _number_form(match) if match else None


def normalise_title(title: str) -> str:
    text = unicodedata.normalize("NFKC", title or "")
    return re.sub(r"\s+", "", text).strip("《》")


def document_keys(doc_number: str | None, title: str | None) -> list[tuple[str, str]]:
    """What a stored document can be cited by: ("number", 文号) and ("title", title), plus the
    title of what a "关于印发《X》的通知" issues (citations often name X itself)."""
    keys = []
    number = normalise_number(doc_number or "")
    if number:
        keys.append(("number", number))
    if title:
        titled = normalise_title(title)
        keys.append(("title", titled))
        for issued in _ISSUED.findall(titled):
            keys.append(("title", normalise_title(issued)))
        keys.extend(("title", normalise_title(inner)) for inner in _TITLE.findall(titled))
    return list(dict.fromkeys(keys))


def extract_citations(text: str, own: list[tuple[str, str]] = ()) -> list[Citation]:
    """The documents `text` cites, each once, in order of first mention; a document's own keys
    (`own`, from document_keys) are not citations of itself."""
    folded = unicodedata.normalize("NFKC", text or "")
    own_keys = set(own)
    found: dict[tuple, Citation] = {}
    paired_numbers = set()
    for match in _TITLE.finditer(folded):
        title = normalise_title(match.group(1))
        if not _POLICY_WORDS.search(title):
            continue
        number = None
        following = _FOLLOWING_NUMBER.match(folded[match.end():])
        if following:
            number_match = _NUMBER.search(following.group(1))
            number = _number_form(number_match) if number_match else None
        if ("title", title) in own_keys or (number and ("number", number) in own_keys):
            continue
        raw = match.group(0) + (following.group(0).strip() if number else "")
        key = (number,) if number else ("title", title)
        found.setdefault(key, Citation(number, title, raw))
        if number:
            paired_numbers.add(number)
    for match in _NUMBER.finditer(folded):
        number = _number_form(match)
        if number is None or number in paired_numbers or ("number", number) in own_keys:
            continue
        found.setdefault((number,), Citation(number, None, match.group(0).strip()))
    return list(found.values())


def _number_form(match: re.Match) -> str | None:
    prefix = _LEAD_WORDS.sub("", match.group(1))
    if len(prefix) < 2:
        return None
    return f"{prefix}〔{match.group(2)}〕{int(match.group(3))}号"


def body_citations(item: dict) -> list[dict]:
    """What an extracted article's body cites (the first text crawler.documents.pipeline.store_documents
    reads), as dicts that travel from an extraction process (Citation.from_dict)."""
    keys = document_keys(item.get("doc_number"), item.get("title"))
    return [citation.to_dict() for citation in extract_citations(item.get("body") or "", keys)]
