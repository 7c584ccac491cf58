"""Full-text search over stored articles, for Chinese terms of any length (issue 16).

Why this design (measured, ../shared/notes/engineering.md §4): FTS5's `trigram` tokenizer finds
nothing below 3 characters and the default `unicode61` makes a whole run of Chinese one token, so
neither finds 医保. Here every CJK character is its own token and a query term becomes a *phrase* of
its characters: adjacent characters = the substring, at any length, at index speed. SQLite's Python
binding cannot register an FTS5 tokenizer, so the text is tokenised here and handed to `unicode61`
with spaces between the tokens.

The index text of a field (`index_text`):
- NFKC (full-width Latin and digits become ASCII), then OpenCC Traditional→Simplified: a Simplified
  query finds a Traditional page and the reverse (queries are converted the same way);
- each CJK character (also kana, hangul) is a token; runs of other letters and digits are one token
  (unicode61 folds their case);
- every run of whitespace and punctuation becomes one separator token (`SEPARATOR`, a private-use
  character unicode61 keeps as a token): a phrase cannot run across a comma, a line break or a
  space, which is what `LIKE '%经济发展%'` does not do either.

So a Chinese term finds exactly the rows `LIKE '%term%'` finds over the Simplified text. The
differences, by design: a Latin word or number matches at a word start (`vaccin` finds "vaccines",
not "antivaccine"); any run of spaces/punctuation inside a quoted phrase matches any other run.

The table (`articles_fts`) is contentless (`content=''`): the text lives once, in `articles`; the
index is ~1/3 of the text's size instead of the trigram table's 3.6x. A contentless row is deleted
with the exact values it was indexed with, so every change goes through `unindex_article` (old row)
then `index_article` (new row), in the writer's transaction. Its rowid is `articles.id`.

Columns: `title`, `body`, `extra`. `extra` holds what else belongs to the article's text: an appended
English translation and the text of its attachments (issue 15's `attachments` table: PDF, DOCX,
XLSX … read into `attachments.text`). `index_article` / `unindex_article` read the attachments' text
from the database themselves, so every writer stays consistent without passing it; attachment rows
are insert-only, and `storage.attachments.save_attachments` takes the article's entry out before it
inserts and puts it back after, in its transaction (`reindex_for_attachments`). An article hit
through its attachment is found by `search`, and by Datasette's `?_search=`, like any other.
"""
from __future__ import annotations

import re
import sqlite3
import sys
import unicodedata
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence
from urllib.parse import unquote, urlsplit

import numpy as np

from crawler.textnorm import to_simplified, word_table

FTS_TABLE = "articles_fts"
SEPARATOR = "\ue000"  # Co (private use): a token character for unicode61, never in real text
TITLE_WEIGHT, BODY_WEIGHT, EXTRA_WEIGHT = 8.0, 1.0, 0.5  # bm25 column weights: a title hit ranks first

# Ideographs, kana, hangul and CJK compatibility forms: one token per character.
_CJK_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f"
_CJK = re.compile(f"([{_CJK_CHARS}])")
# Anything that is not a letter or digit (whitespace, punctuation, symbols, "_", our SEPARATOR).
_SEPARATORS = re.compile(r"[\W_\ue000]+")
_SPACED_SEPARATOR = f" {SEPARATOR} "
# The CJK characters of the Basic Multilingual Plane are spaced out by `_space_cjk`.
_BMP_CJK = ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF))
_ANY_BMP_CJK = re.compile("[" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in _BMP_CJK) + "]")
_ONE_BMP_CJK = re.compile(f"({_ANY_BMP_CJK.pattern})")
_IS_BMP_CJK = np.zeros(0x10000, dtype=bool)
for _lo, _hi in _BMP_CJK:
    _IS_BMP_CJK[_lo:_hi + 1] = True
_ASTRAL_CJK = re.compile("([\U00020000-\U0003134f])")


def create_index_sql() -> str:
    return (f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(title, body, extra, content='', "
            "tokenize='unicode61 remove_diacritics 0')")


# FTS5 merges a level's segments once it holds this many (default 4). Each commit writes a segment (a
# crawl batch of ~20 articles), so with 4 every article's postings were rewritten once per level,
# ~log4(rows / 20) times, and storing grew dearer with the index; with 16: log16. Measured (the bench
# pages' index texts, 20 per commit, 50,000 rows): 0.96 -> 1.33 s CPU per 1,000 from the first 3,000
# to the last (default) vs 0.71 -> 0.70 (16); same size, same query CPU.
AUTOMERGE = 16


def tune_index_sql() -> str:
    """The index's merge setting (kept in its %_config table)."""
    return f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rank) VALUES ('automerge', {AUTOMERGE})"


def index_text(text: str | None) -> str:
    """The text unicode61 indexes: tokens separated by spaces (see the module docstring)."""
    if not text:
        return ""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    text = _space_cjk(_separate(to_simplified(text)))
    return _ASTRAL_CJK.sub(r" \1 ", text) if not text.isascii() and _ASTRAL_CJK.search(text) else text


def _separate(text: str) -> str:
    """`_SEPARATORS.sub(" SEPARATOR ", text)`, ~5x faster over a body: a separator character is one that is
    no word character (textnorm's table of them; "_" and SEPARATOR are none either), and the first of
    each run of them becomes the three code points. The regex for short texts, astral characters and
    lone surrogates."""
    if len(text) < 200:
        return _SEPARATORS.sub(_SPACED_SEPARATOR, text)
    try:
        points = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")
    except UnicodeEncodeError:
        return _SEPARATORS.sub(_SPACED_SEPARATOR, text)
    if points.max() > 0xFFFF:
        return _SEPARATORS.sub(_SPACED_SEPARATOR, text)
    separator = ~word_table(False)[points]
    first = separator.copy()
    first[1:] &= ~separator[:-1]
    return _spaced_out(points, np.where(separator, np.where(first, 3, 0), 1), first, ord(SEPARATOR))


def _space_cjk(text: str) -> str:
    """Each CJK character of the BMP between spaces. On a body: the code points as a numpy array,
    each CJK one repeated three times and its copies either side made spaces (~5x faster on a
    Chinese body and ~40x on one without CJK than a str.translate by a dict of the 79,000 CJK code
    points, which also took 5.5 MB in every process); a short text by a regex."""
    if len(text) < 200:
        return _ONE_BMP_CJK.sub(r" \1 ", text)
    if text.isascii() or not _ANY_BMP_CJK.search(text):
        return text
    try:
        points = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")
    except UnicodeEncodeError:  # a lone surrogate
        return _ONE_BMP_CJK.sub(r" \1 ", text)
    cjk = _IS_BMP_CJK[np.minimum(points, 0xFFFF)]
    return _spaced_out(points, np.where(cjk, 3, 1), cjk)


def _spaced_out(points: np.ndarray, counts: np.ndarray, marked: np.ndarray, middle: int | None = None) -> str:
    """The code points, each repeated `counts` times; each `marked` one's three copies made a space, the
    point itself (or `middle`) and a space."""
    out = np.repeat(points, counts)
    at = (np.cumsum(counts) - counts)[marked]
    out[at] = out[at + 2] = 32
    if middle is not None:
        out[at + 1] = middle
    return out.tobytes().decode("utf-32-le")


def tokens(text: str) -> list[str]:
    """The tokens of a text as the index holds them (Latin lower-cased)."""
    return index_text(text).lower().split()


def simplified_title(title: str | None) -> str | None:
    """`articles.title_simplified`: the title in Simplified script (OpenCC t2s), beside `body_simplified`."""
    return to_simplified(title) if title else title


# -- the index, written by storage.store in the row's transaction ------------------------------------

def article_document(row: dict, attachments_text: str | None = None,
                     ahead: tuple[str, str, str] | None = None) -> tuple[str, str, str]:
    """(title, body, extra) index texts of an article row (a dict with the articles columns).
    `ahead`: this function's result for the row without attachments, worked out before (in an
    extraction process: storage.store.presign), so the writer does not tokenise the text again."""
    if ahead is not None:
        if not attachments_text:
            return ahead
        title, body = ahead[0], ahead[1]
    else:
        title, body = index_text(row.get("title")), index_text(row.get("body_simplified") or row.get("body"))
    extra = "\n".join(filter(None, (row.get("translation_title"), row.get("translation_body"), attachments_text)))
    return title, body, index_text(extra)


def attachments_text(conn: sqlite3.Connection, article_id: int) -> str:
    """The names and text of an article's attachments, as the index holds them ("" before issue 15's table)."""
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'attachments'").fetchone():
        return ""
    rows = conn.execute("SELECT name, text FROM attachments WHERE article_id = ? ORDER BY id", [article_id])
    return "\n".join(part for row in rows for part in row if part)


def index_article(conn: sqlite3.Connection, article_id: int, row: dict, attachments_text: str | None = None,
                  ahead: tuple[str, str, str] | None = None) -> None:
    """Index a stored article (`ahead`: see article_document)."""
    if attachments_text is None:
        attachments_text = globals()["attachments_text"](conn, article_id)
    conn.execute(f"INSERT INTO {FTS_TABLE} (rowid, title, body, extra) VALUES (?, ?, ?, ?)",
                 [article_id, *article_document(row, attachments_text, ahead)])


def unindex_article(conn: sqlite3.Connection, article_id: int, row: dict, attachments_text: str | None = None,
                    ahead: tuple[str, str, str] | None = None) -> None:
    """Remove an article's index entry: `row` must hold the values it was indexed with (and the
    attachments table the text it had then: call this before attachment rows change)."""
    if attachments_text is None:
        attachments_text = globals()["attachments_text"](conn, article_id)
    conn.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, title, body, extra) VALUES ('delete', ?, ?, ?, ?)",
                 [article_id, *article_document(row, attachments_text, ahead)])


def reindex_article(conn: sqlite3.Connection, article_id: int, old_row: dict, new_row: dict,
                    old_attachments_text: str | None = None, new_attachments_text: str | None = None) -> None:
    unindex_article(conn, article_id, old_row, old_attachments_text)
    index_article(conn, article_id, new_row, new_attachments_text)


def article_row(conn: sqlite3.Connection, article_id: int) -> dict | None:
    cursor = conn.execute(f"SELECT {_DOCUMENT_COLUMNS} FROM articles WHERE id = ?", [article_id])
    values = cursor.fetchone()
    return dict(zip([d[0] for d in cursor.description], values)) if values else None


class reindex_for_attachments:
    """`with reindex_for_attachments(conn, article_id): <insert attachment rows>` inside the writer's
    transaction: the article's index entry out before, back in after, with the new attachment text.
    `ahead`: the texts it was indexed with (see article_document), when it was stored just now."""

    def __init__(self, conn: sqlite3.Connection, article_id: int, ahead: tuple[str, str, str] | None = None):
        self.conn, self.article_id, self.ahead = conn, article_id, ahead
        self.row = article_row(conn, article_id)

    def __enter__(self):
        if self.row is not None:
            unindex_article(self.conn, self.article_id, self.row, ahead=self.ahead)
        return self

    def __exit__(self, kind, *rest):
        if kind is None and self.row is not None:
            index_article(self.conn, self.article_id, self.row, ahead=self.ahead)
        return False


_DOCUMENT_COLUMNS = "id, title, body, body_simplified, translation_title, translation_body"


def rebuild_index(conn: sqlite3.Connection, progress: Callable[[int, int], None] | None = None,
                  batch: int = 2000) -> int:
    """Empty the index and index every stored article again (inside the caller's transaction);
    fills `title_simplified` where missing. `progress(done, total)` is called per batch."""
    total = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    conn.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('delete-all')")
    done, last = 0, 0
    while True:
        rows = conn.execute(f"SELECT {_DOCUMENT_COLUMNS}, title_simplified FROM articles WHERE id > ? "
                            "ORDER BY id LIMIT ?", [last, batch]).fetchall()
        if not rows:
            break
        names = _DOCUMENT_COLUMNS.split(", ") + ["title_simplified"]
        for values in rows:
            row = dict(zip(names, values))
            index_article(conn, row["id"], row)
            if row["title"] and row["title_simplified"] is None:
                conn.execute("UPDATE articles SET title_simplified = ? WHERE id = ?",
                             [simplified_title(row["title"]), row["id"]])
        last = rows[-1][0]
        done += len(rows)
        if progress:
            progress(done, total)
    conn.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('optimize')")
    return done


def terminal_progress(label: str, minimum: int = 5000) -> Callable[[int, int], None]:
    """A progress bar on stderr for a long build (a terminal and at least `minimum` rows), else silent."""
    state: dict = {}

    def report(done: int, total: int) -> None:
        if total < minimum or not sys.stderr.isatty():
            return
        if "bar" not in state:
            from rich.progress import Progress

            state["bar"] = Progress(transient=False)
            state["bar"].start()
            state["task"] = state["bar"].add_task(label, total=total)
        state["bar"].update(state["task"], completed=done)
        if done >= total:
            state["bar"].stop()

    return report


# -- the query language -----------------------------------------------------------------------

class QuerySyntaxError(ValueError):
    """A query the parser cannot read; str() is the one-line message for the user."""


@dataclass(frozen=True)
class Term:
    text: str  # as typed (without quotes)
    tokens: tuple[str, ...]

    def fts(self) -> str:
        """An FTS5 phrase; a final Latin/digit token is a prefix (a word start, like LIKE's 'vaccin%')."""
        phrase = '"' + " ".join(self.tokens) + '"'
        return phrase + " *" if _is_word(self.tokens[-1]) else phrase


@dataclass(frozen=True)
class And:
    parts: tuple  # positive nodes
    negated: tuple  # nodes that must not match


@dataclass(frozen=True)
class Or:
    parts: tuple


def _is_word(token: str) -> bool:
    return token != SEPARATOR and not _CJK.fullmatch(token)


_LEX = re.compile(r'\s*(?:(?P<quote>"[^"]*"?)|(?P<open>\()|(?P<close>\))|(?P<word>[^\s"()]+))')


def _lex(query: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    query = query.strip()
    while pos < len(query):
        m = _LEX.match(query, pos)
        if not m or m.end() == pos:
            break
        pos = m.end()
        if m.group("quote") is not None:
            text = m.group("quote")
            if len(text) < 2 or not text.endswith('"'):
                raise QuerySyntaxError(f"unclosed quote in {query!r}: close the phrase with \"")
            out.append(("phrase", text[1:-1]))
        elif m.group("open"):
            out.append(("(", "("))
        elif m.group("close"):
            out.append((")", ")"))
        else:
            word = m.group("word")
            if word in ("OR", "|"):
                out.append(("OR", word))
            elif word == "AND":
                out.append(("AND", word))
            elif word == "NOT":
                out.append(("NOT", word))
            elif word.startswith("-") and len(word) > 1:
                out.append(("NOT", "-"))
                out.append(("word", word[1:]))
            else:
                out.append(("word", word))
    return out


def _term(text: str, quoted: bool) -> Term:
    found = tokens(text)
    # outside quotes, punctuation at the edges of a word is not part of the term (医保, → 医保)
    while not quoted and found and found[0] == SEPARATOR:
        found.pop(0)
    while not quoted and found and found[-1] == SEPARATOR:
        found.pop()
    if not any(t != SEPARATOR for t in found):
        raise QuerySyntaxError(f"nothing to search for in {text!r}: use letters, digits or Chinese characters")
    return Term(text, tuple(found))


class _Parser:
    def __init__(self, query: str):
        self.query = query
        self.items = _lex(query)
        self.pos = 0

    def peek(self) -> str | None:
        return self.items[self.pos][0] if self.pos < len(self.items) else None

    def take(self) -> tuple[str, str]:
        item = self.items[self.pos]
        self.pos += 1
        return item

    def parse(self):
        if not self.items:
            raise QuerySyntaxError("empty query: give at least one term")
        node = self.or_expr()
        if self.peek() is not None:
            raise QuerySyntaxError(f"unexpected {self.items[self.pos][1]!r} in {self.query!r}")
        return node

    def or_expr(self):
        parts = [self.and_expr()]
        while self.peek() == "OR":
            self.take()
            if self.peek() in (None, ")", "OR"):
                raise QuerySyntaxError(f"OR needs a term on both sides in {self.query!r}")
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_expr(self):
        positive, negated = [], []
        while self.peek() not in (None, ")", "OR"):
            kind = self.peek()
            if kind == "AND":
                self.take()
                continue
            if kind == "NOT":
                self.take()
                if self.peek() in (None, ")", "OR", "NOT", "AND"):
                    raise QuerySyntaxError(f"NOT/- needs a term after it in {self.query!r}")
                negated.append(self.atom())
            else:
                positive.append(self.atom())
        if not positive and not negated:
            raise QuerySyntaxError(f"OR needs a term on both sides in {self.query!r}")
        if not positive:
            raise QuerySyntaxError(f"only excluded terms in {self.query!r}: say what to find, e.g. 医保 -招聘")
        if len(positive) == 1 and not negated:
            return positive[0]
        return And(tuple(positive), tuple(negated))

    def atom(self):
        kind, text = self.take()
        if kind == "(":
            if self.peek() == ")":
                raise QuerySyntaxError(f"empty parentheses in {self.query!r}")
            node = self.or_expr()
            if self.peek() != ")":
                raise QuerySyntaxError(f"unclosed ( in {self.query!r}")
            self.take()
            return node
        if kind == ")":
            raise QuerySyntaxError(f"unexpected ) in {self.query!r}")
        return _term(text, quoted=kind == "phrase")


def parse_query(query: str):
    """The query as a tree of Term / And / Or; QuerySyntaxError with a one-line message if bad.

    Syntax: terms separated by spaces must all occur (AND); `"…"` is an exact phrase (spaces and
    punctuation inside it count); `A OR B`; `-term` or `NOT term` excludes; parentheses group.
    A term of Chinese characters matches as a substring; Latin words and numbers match at a word start.
    """
    return _Parser(query).parse()


def to_fts(node) -> str:
    """The FTS5 MATCH expression of a parsed query."""
    if isinstance(node, Term):
        return node.fts()
    if isinstance(node, Or):
        return "(" + " OR ".join(to_fts(p) for p in node.parts) + ")"
    expr = " AND ".join(to_fts(p) for p in node.parts)
    if len(node.parts) > 1 or node.negated:
        expr = "(" + expr + ")"
    for neg in node.negated:
        expr = f"({expr} NOT {to_fts(neg)})"
    return expr


def fts_query(query: str) -> str:
    """A user's query → FTS5 MATCH expression over `articles_fts` (the Datasette plugin uses this too)."""
    return to_fts(parse_query(query))


def positive_terms(node) -> list[Term]:
    """The terms a hit may show (not the excluded ones), for snippets."""
    if isinstance(node, Term):
        return [node]
    if isinstance(node, Or):
        return [t for p in node.parts for t in positive_terms(p)]
    return [t for p in node.parts for t in positive_terms(p)]


# -- snippets ---------------------------------------------------------------------------------

def _term_pattern(term: Term) -> str:
    parts = []
    for position, token in enumerate(term.tokens):
        if token == SEPARATOR:
            parts.append(r"[\W_]+")
        elif _is_word(token):
            start = r"(?<![^\W_])" if position == 0 or term.tokens[position - 1] == SEPARATOR else ""
            tail = "" if position == len(term.tokens) - 1 else r"(?![^\W_])"
            parts.append(start + re.escape(token) + tail)
        else:
            parts.append(re.escape(token))
    return "".join(parts)


def _comparable(text: str) -> str:
    return to_simplified(unicodedata.normalize("NFKC", text))


def snippet(text: str | None, query, width: int = 80, mark: tuple[str, str] = ("«", "»"),
            max_hits: int = 3, comparable: str | None = None) -> str:
    """A short excerpt of `text` around the first place the query's terms occur, each occurrence
    inside the excerpt wrapped in `mark`. `query` is a query string or a parsed query. The text is
    compared in Simplified script; the excerpt is cut from the text as stored when the conversion
    kept its length (OpenCC maps character for character almost always), else from the Simplified copy.
    Empty string when nothing occurs (e.g. the hit is in the title only)."""
    if not text:
        return ""
    node = parse_query(query) if isinstance(query, str) else query
    terms = positive_terms(node)
    if not terms:
        return ""
    pattern = re.compile("|".join(f"(?:{_term_pattern(t)})" for t in terms), re.IGNORECASE)
    simple = comparable if comparable is not None else _comparable(text)  # given: computed once by the caller
    shown = text if len(simple) == len(text) else simple
    first = pattern.search(simple)
    if not first:
        return ""
    start = max(0, first.start() - width // 3)
    end = min(len(simple), start + width)
    start = max(0, min(start, end - width))
    pieces, cursor = [], start
    for hit in list(pattern.finditer(simple, start, end))[:max_hits]:
        pieces += [shown[cursor:hit.start()], mark[0], shown[hit.start():hit.end()], mark[1]]
        cursor = hit.end()
    pieces.append(shown[cursor:end])
    excerpt = "".join(pieces).replace("\n", " ").replace("\t", " ")  # spreadsheet rows are tab-separated
    return ("…" if start > 0 else "") + excerpt + ("…" if end < len(simple) else "")


# -- searching --------------------------------------------------------------------------------

@dataclass
class Filters:
    source: str | None = None
    publisher: str | None = None
    since: str | None = None  # a date or ISO time: published (else first seen) on or after
    until: str | None = None  # … on or before (a date includes that whole day)


def _filter_sql(filters: Filters | None) -> tuple[str, list]:
    if filters is None:
        return "", []
    where, params = [], []
    if filters.source:
        where.append("a.source = ?")
        params.append(filters.source)
    if filters.publisher:
        where.append("(a.publisher LIKE ? ESCAPE '\\')")
        params.append("%" + filters.publisher.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
    if filters.since:
        where.append("coalesce(a.published, a.first_seen_at) >= ?")
        params.append(filters.since)
    if filters.until:
        where.append("substr(coalesce(a.published, a.first_seen_at), 1, ?) <= ?")
        params += [len(filters.until), filters.until]
    return "".join(" AND " + w for w in where), params


SEARCH_COLUMNS = ("a.id, a.url, a.source, a.title, a.title_simplified, a.published, a.publisher, a.first_seen_at, "
                  "a.body, a.body_simplified, a.translation_title, a.translation_body, a.cluster_id")


# bm25 costs ~4 µs a hit (it reads each hit's positions): 70 ms more for the 18k hits of a 2-character
# term at 100k articles. Above RANK_ALL hits only the likely best are ranked: every hit with a term in
# its title (where bm25's title weight puts the best anyway) and the RANK_ALL newest.
RANK_ALL = 2000


def search(conn: sqlite3.Connection, query: str, filters: Filters | None = None, limit: int | None = 20,
           snippet_width: int = 80, mark: tuple[str, str] = ("«", "»")) -> list[dict]:
    """Articles matching the query, best first (bm25, title weighted), each with a `snippet` and `rank`,
    and `in_attachments`: the attachments where terms the title and body lack were found (the
    match is in them), each with its id, name, file name, URL and a snippet of its text.

    With a limit and more than RANK_ALL hits, the ranked candidates are the hits with a term in the
    title and the RANK_ALL newest (by id, the order they came in); `limit=None` ranks every hit."""
    node = parse_query(query)
    where, params = _filter_sql(filters)
    matching = (f" JOIN articles a ON a.id = {FTS_TABLE}.rowid" if where else "") + f" WHERE {FTS_TABLE} MATCH ?" + where
    params = [to_fts(node), *params]
    if limit:  # candidates: ids from the RANK_ALL-th newest hit on (0 when fewer hits), and the title hits
        newest = (f"SELECT {FTS_TABLE}.rowid FROM {FTS_TABLE}{matching} ORDER BY {FTS_TABLE}.rowid DESC "
                  "LIMIT 1 OFFSET ?")
        matching += (f" AND ({FTS_TABLE}.rowid > coalesce(({newest}), 0) OR {FTS_TABLE}.rowid IN "
                     f"(SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?))")
        params = [*params, *params, RANK_ALL, "{title} : " + to_fts(_without_negations(node))]
    # rank ids alone, then read the rows shown: sorting whole rows (bodies) costs more than bm25 does
    ranked = (f"SELECT {FTS_TABLE}.rowid AS id, bm25({FTS_TABLE}, {TITLE_WEIGHT}, {BODY_WEIGHT}, {EXTRA_WEIGHT}) "
              f"AS rank FROM {FTS_TABLE}{matching} ORDER BY rank, id" + (" LIMIT ?" if limit else ""))
    cursor = conn.execute(f"SELECT {SEARCH_COLUMNS}, r.rank FROM ({ranked}) r JOIN articles a ON a.id = r.id "
                          "ORDER BY r.rank, r.id", [*params, *([limit] if limit else [])])
    names = [d[0] for d in cursor.description]
    hits = []
    terms = _TermFinder(node)
    elsewhere: dict[int, list[int]] = {}  # hit id -> the terms its title and body lack
    for values in cursor:
        row = dict(zip(names, values))
        text = row["body"] or ""
        body = _comparable(text)  # once, for its snippet and for the terms it holds
        row["snippet"] = (snippet(text, node, snippet_width, mark, comparable=body)
                          or snippet(row.get("translation_body"), node, snippet_width, mark)
                          or text[:snippet_width].replace("\n", " "))
        missing = terms.missing_from(body, *(_comparable(t) for t in (
            row["title"], row.get("translation_title"), row.get("translation_body")) if t))
        if missing:
            elsewhere[row["id"]] = missing
        row["in_attachments"] = []
        for heavy in ("body", "body_simplified", "translation_body"):
            row.pop(heavy, None)
        hits.append(row)
    if elsewhere:  # only for the hits shown, and only those the title and body do not explain
        by_id = {hit["id"]: hit for hit in hits}
        for attachment in _attachments_of(conn, list(elsewhere)):
            wanted = elsewhere[attachment["article_id"]]
            # the Simplified copy once per attachment (~70 ms for 1 MB of text; a list's text is large)
            text = attachment["text"] or ""
            simple = _comparable(text)
            if terms.occur_in(wanted, simple) or terms.occur(wanted, attachment["name"]):
                by_id[attachment["article_id"]]["in_attachments"].append({
                    "id": attachment["id"], "name": attachment["name"], "file": attachment_file(attachment["url"]),
                    "url": attachment["url"],
                    "snippet": (snippet(text, node, snippet_width, mark, comparable=simple)
                                or snippet(attachment["name"], node, snippet_width, mark))})
    return hits


def _without_negations(node):
    """The query's positive part (a title candidate needs only that in its title; the full query is
    still matched against the whole article)."""
    if isinstance(node, Term):
        return node
    if isinstance(node, Or):
        return Or(tuple(_without_negations(p) for p in node.parts))
    parts = tuple(_without_negations(p) for p in node.parts)
    return parts[0] if len(parts) == 1 else And(parts, ())


class _TermFinder:
    """Which of a query's positive terms occur in some texts (compared as `snippet` compares)."""

    def __init__(self, node):
        self.patterns = [re.compile(_term_pattern(t), re.IGNORECASE) for t in positive_terms(node)]

    def missing_from(self, *comparable: str) -> list[int]:
        """The terms none of these texts (already _comparable) holds."""
        return [i for i, p in enumerate(self.patterns) if not any(p.search(t) for t in comparable)]

    def occur(self, wanted: list[int], *texts: str | None) -> bool:
        return self.occur_in(wanted, *(_comparable(t) for t in texts if t))

    def occur_in(self, wanted: list[int], *comparable: str) -> bool:
        """Like occur, on texts already compared-ready (_comparable)."""
        return any(self.patterns[i].search(t) for i in wanted for t in comparable if t)


def _attachments_of(conn: sqlite3.Connection, article_ids: list[int]) -> list[dict]:
    """The attachments (name, URL, text) of some articles, in id order ([] before issue 15's table)."""
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'attachments'").fetchone():
        return []
    cursor = conn.execute(
        f"SELECT id, article_id, name, url, text FROM attachments WHERE article_id IN "
        f"({', '.join('?' * len(article_ids))}) ORDER BY article_id, id", article_ids)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, values)) for values in cursor]


def attachment_file(url: str | None) -> str | None:
    """The file name an attachment's URL ends in (名单.xlsx), or None (download.jsp?id=7)."""
    name = unquote(urlsplit(url or "").path.rsplit("/", 1)[-1])
    return name if re.search(r"\.(?:pdf|docx?|wps|xlsx?|et|ofd|zip)$", name, re.IGNORECASE) else None


def matching_ids(conn: sqlite3.Connection, query: str, filters: Filters | None = None) -> list[int]:
    """Ids of every matching article, in id order (export --query, tests)."""
    where, params = _filter_sql(filters)
    return [r[0] for r in conn.execute(
        f"SELECT a.id FROM {FTS_TABLE} JOIN articles a ON a.id = {FTS_TABLE}.rowid "
        f"WHERE {FTS_TABLE} MATCH ?{where} ORDER BY a.id", [fts_query(query), *params])]


def count_matches(conn: sqlite3.Connection, query: str) -> int:
    return conn.execute(f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?", [fts_query(query)]).fetchone()[0]
