"""The extraction record: what `extract()` returns for one page.

Missing scalar fields are None (NULL in SQLite), missing lists are empty.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Article:
    title: str | None = None
    subtitle: str | None = None
    published: str | None = None  # ISO 8601; "+08:00" when the page shows a time
    publisher: str | None = None  # 来源 as shown on the page
    author: str | None = None
    editor: str | None = None
    body: str = ""  # article paragraphs joined by "\n"
    keywords: list[str] = field(default_factory=list)
    breadcrumbs: list[str] = field(default_factory=list)
    doc_number: str | None = None  # 文号, e.g. 国卫医政发〔2024〕1号
    issuing_agency: str | None = None  # 发文机关
    gov_meta: dict[str, str] = field(default_factory=dict)  # 索引号, 成文日期, 主题分类, ...
    attachments: list[dict[str, str]] = field(default_factory=list)  # {"name", "url"}
    original_url: str | None = None  # the reprint's 【来源】 / 原文链接
    declared_canonical_url: str | None = None  # as the page declares it (link rel=canonical, og:url)
    lang: str | None = None
    translation_title: str | None = None  # an appended English translation, split out
    translation_keywords: list[str] = field(default_factory=list)
    translation_body: str | None = None
    body_simplified: str | None = None  # OpenCC t2s copy when the page is Traditional
    encoding: str | None = None  # charset the bytes were decoded with
    flags: list[str] = field(default_factory=list)  # quality findings

    def to_dict(self) -> dict:
        return asdict(self)


FIELDS = tuple(Article.__dataclass_fields__)
