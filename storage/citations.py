"""Citations between stored documents. A document's keys (normalised 文号, titles) and what it
cites are stored separately and joined when read, so a citation links to a document stored
before or after it, in both directions."""
from __future__ import annotations

from storage.db import write_transaction


def save_document(db, article_id: int, keys: list[tuple[str, str]], citations: list[dict]) -> None:
    """Replace the keys and citations of one article. `citations`: dicts with number, title,
    raw and attachment_id (None for the body)."""
    with write_transaction(db):
        db.execute("DELETE FROM document_keys WHERE article_id = ?", [article_id])
        db.execute("DELETE FROM citations WHERE article_id = ?", [article_id])
        db.conn.executemany("INSERT OR IGNORE INTO document_keys (article_id, kind, key) VALUES (?, ?, ?)",
                            [(article_id, kind, key) for kind, key in keys])
        db.conn.executemany(
            "INSERT INTO citations (article_id, attachment_id, number, title, raw) VALUES (?, ?, ?, ?, ?)",
            [(article_id, c.get("attachment_id"), c.get("number"), c.get("title"), c.get("raw")) for c in citations])


def articles_with_number(db, number: str) -> list[int]:
    return [row[0] for row in db.execute(
        "SELECT article_id FROM document_keys WHERE kind = 'number' AND key = ? ORDER BY article_id", [number])]


# a citation names a stored document by its 文号 or, failing that, by its title
_CITED = ("(c.number IS NOT NULL AND k.kind = 'number' AND k.key = c.number) OR "
          "(k.kind = 'title' AND k.key = c.title)")


def cited_by_article(db, article_id: int) -> list[dict]:
    """What the article cites, each with the stored documents it names (maybe none)."""
    rows = db.execute(
        "SELECT c.id, c.number, c.title, c.raw, c.attachment_id, a.name, "
        "  (SELECT group_concat(DISTINCT k.article_id) FROM document_keys k WHERE (" + _CITED + ") "
        "   AND k.article_id != c.article_id) "
        "FROM citations c LEFT JOIN attachments a ON a.id = c.attachment_id WHERE c.article_id = ? ORDER BY c.id",
        [article_id]).fetchall()
    return [{"number": number, "title": title, "raw": raw, "attachment_id": attachment_id, "in_attachment": name,
             "articles": [int(i) for i in linked.split(",")] if linked else []}
            for _, number, title, raw, attachment_id, name, linked in rows]


def citing_article(db, article_id: int) -> list[dict]:
    """The stored documents that cite this article (by its 文号 or a title), with how."""
    rows = db.execute(
        "SELECT DISTINCT c.article_id, c.number, c.title, c.raw, a.name FROM document_keys k "
        "JOIN citations c ON (" + _CITED + ") LEFT JOIN attachments a ON a.id = c.attachment_id "
        "WHERE k.article_id = ? AND c.article_id != k.article_id ORDER BY c.article_id", [article_id]).fetchall()
    return [{"article_id": citing, "number": number, "title": title, "raw": raw, "in_attachment": name}
            for citing, number, title, raw, name in rows]


def citing_number(db, number: str) -> list[dict]:
    """Stored documents citing a 文号, whether or not a document carrying it is stored."""
    rows = db.execute("SELECT DISTINCT article_id, raw FROM citations WHERE number = ? ORDER BY article_id",
                      [number]).fetchall()
    return [{"article_id": article_id, "raw": raw} for article_id, raw in rows]


def uncited_articles(db, limit: int | None = None) -> list[int]:
    """Articles whose keys were never computed (stored before citations existed)."""
    sql = ("SELECT id FROM articles WHERE id NOT IN (SELECT article_id FROM document_keys) "
           "AND id NOT IN (SELECT article_id FROM citations) ORDER BY id")
    return [row[0] for row in db.execute(sql + (f" LIMIT {int(limit)}" if limit else ""))]
