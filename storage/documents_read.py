"""Small reads the document commands share."""
from __future__ import annotations


def article_summary(db, article_id: int) -> dict | None:
    row = db.execute("SELECT id, url, title, doc_number, body FROM articles WHERE id = ?", [article_id]).fetchone()
    return dict(zip(("id", "url", "title", "doc_number", "body"), row)) if row else None
