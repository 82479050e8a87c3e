"""Server-rendered pages: the QR landing page and the auditor's trace page, in English and
Chinese (browser tests drive the same pages in Chromium, in tests/browser)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from ledger.api.app import create_app
from ledger.api.pages.i18n import LANGUAGES, MESSAGES
from ledger.config import Settings
from ledger.demo import run_demo

PERSON = "PER-F01-26-000002-B"


@pytest.fixture
def client(sqlite_settings: Settings) -> Iterator[TestClient]:
    run_demo(sqlite_settings, lambda _: None)
    with TestClient(create_app(sqlite_settings)) as test_client:
        yield test_client


def test_every_page_text_has_english_and_chinese() -> None:
    for key, entry in MESSAGES.items():
        assert set(entry) == set(LANGUAGES), key
        assert all(text.strip() for text in entry.values()), key


def test_r_id_2_landing_page_shows_type_and_status_without_personal_data(
    client: TestClient,
) -> None:
    page = client.get(f"/v/{PERSON}")
    assert page.status_code == 200
    assert "person" in page.text and "label-check" in page.text
    assert "No personal data" in page.text or "no personal data" in page.text


def test_r_id_1_landing_page_refuses_a_mistyped_code_with_the_rule(client: TestClient) -> None:
    page = client.get("/v/PER-F01-26-000002-X")
    assert page.status_code == 422
    assert "R-ID-1" in page.text


def test_r_trc_3_trace_page_shows_graph_and_timeline_with_hashes(client: TestClient) -> None:
    page = client.get(f"/trace/{PERSON}")
    assert page.status_code == 200
    assert "<svg" in page.text and f'data-code="{PERSON}"' in page.text
    assert "Person.Registered" in page.text
    assert page.text.count('class="hash"') >= 1


def test_language_switch_sets_a_cookie_and_translates(client: TestClient) -> None:
    chinese = client.get(f"/trace/{PERSON}", params={"lang": "zh"})
    assert "谱系与历史记录" in chinese.text
    assert chinese.cookies.get("lang") == "zh"
    again = client.get(f"/trace/{PERSON}")  # the cookie keeps the choice
    assert "谱系与历史记录" in again.text
    english = client.get(f"/trace/{PERSON}", params={"lang": "en"})
    assert "Genealogy and history" in english.text
