"""Every setting the code reads (a `CELLTRACE_*` variable in ledger/) is in the settings table
of docs/operations.md, with its default; and the database URL is parsed by SQLAlchemy."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ledger.config import DatabaseURL
from ledger.errors import InvalidInput

ROOT = Path(__file__).resolve().parents[2]


def _table() -> str:
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    return text.split("<!-- settings -->", 1)[1].split("<!-- /settings -->", 1)[0]


def test_every_setting_read_is_documented_with_its_default() -> None:
    read = {
        name
        for path in (ROOT / "ledger").rglob("*.py")
        for name in re.findall(r"CELLTRACE_[A-Z_]*[A-Z]", path.read_text(encoding="utf-8"))
    }
    rows = {
        match.group(1): match.group(2)
        for match in re.finditer(r"^\| `(CELLTRACE_[A-Z_]+)` \| ([^|]+) \|", _table(), re.M)
    }
    assert read - set(rows) == set()
    assert all(default.strip() for default in rows.values())


def test_database_urls_are_parsed_as_sqlalchemy_spells_them() -> None:
    pg = DatabaseURL.parse("postgresql://owner:p%40ss@db.example:5433/celltrace")
    assert (pg.user, pg.password, pg.host, pg.port, pg.dbname) == (
        "owner",
        "p@ss",
        "db.example",
        5433,
        "celltrace",
    )
    assert DatabaseURL.parse(pg.sqlalchemy_url()) == pg
    assert DatabaseURL.parse("sqlite:////srv/celltrace/ledger.db").sqlite_path == Path(
        "/srv/celltrace/ledger.db"
    )


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("mysql://u@h/db", "scheme 'mysql' is not supported"),
        ("sqlite://", "names no SQLite file"),
        ("postgresql://h/", "needs a host and a database name"),
        ("postgresql://u:hunter2@h/db?sslmode=require", "PGSSLMODE"),
        ("::not a url::", "is not a database URL"),
    ],
)
def test_a_bad_database_url_is_refused_with_what_to_write(url: str, says: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        DatabaseURL.parse(url)
    assert says in str(refused.value.detail)
    assert "hunter2" not in str(refused.value.detail)
