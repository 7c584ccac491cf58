"""`python -m crawler.cli` is `healthwatch`."""
from crawler.cli import app

app()
