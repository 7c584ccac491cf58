"""The policy documents behind the articles: attachment text (text.py, office.py), 文号 and
title citations (citations.py), attachment links (links.py), and the crawl step that downloads
attachments and stores both (pipeline.py)."""
