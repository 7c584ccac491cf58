"""healthwatch's Datasette setup: metadata (labels, hidden heavy columns, canned queries) and a plugin
(registered as a `datasette` entry point) that makes `?_search=` use the character-unigram index."""
from pathlib import Path

METADATA = Path(__file__).with_name("metadata.yml")
