"""HTTP API and web pages (FastAPI): one router per area, errors mapped in one place."""
