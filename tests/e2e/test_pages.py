"""Server-rendered pages: the QR landing page, the auditor's trace page and the bedside page, in
English and Chinese (browser tests drive the same pages in Chromium, in tests/browser)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ledger.api.app import create_app
from ledger.api.pages.i18n import LANGUAGES, MESSAGES
from ledger.commands.registry import STEPS
from ledger.config import Settings
from ledger.demo.records import NAMES
from ledger.demo.run import run_demo
from ledger.domain.study import Route
from ledger.identifiers import ItemType
from tests.codes import demo_code, mistyped
from tests.e2e.readers import as_role

PERSON = demo_code(ItemType.PERSON, 2)


@pytest.fixture
def client(sqlite_settings: Settings) -> Iterator[TestClient]:
    run_demo(sqlite_settings, lambda _: None)
    with TestClient(create_app(sqlite_settings)) as test_client:
        yield test_client


def test_every_page_text_has_english_and_chinese() -> None:
    for key, entry in MESSAGES.items():
        assert set(entry) == set(LANGUAGES), key
        assert all(text.strip() for text in entry.values()), key


def test_r_id_2_landing_page_shows_the_type_and_the_label_check_without_personal_data(
    client: TestClient,
) -> None:
    page = client.get(f"/v/{PERSON}")
    assert page.status_code == 200
    assert "person" in page.text and "label-check" in page.text
    assert "No personal data" in page.text or "no personal data" in page.text
    # Nothing beyond the printed label (R-ACC-1): no status, no first-recorded time
    assert "item-status" not in page.text and "First recorded" not in page.text


def test_r_id_1_landing_page_refuses_a_mistyped_code_with_the_rule(client: TestClient) -> None:
    page = client.get(f"/v/{mistyped(PERSON)}")
    assert page.status_code == 422
    assert "R-ID-1" in page.text


def test_r_trc_3_trace_page_shows_graph_and_timeline_with_hashes(client: TestClient) -> None:
    # The page itself holds no record: a sign-in form, then the panel loads with the token
    page = client.get(f"/trace/{PERSON}")
    assert page.status_code == 200
    assert 'id="signin-form"' in page.text and "Person.Registered" not in page.text
    assert client.get(f"/trace/{PERSON}/panel").status_code == 401
    panel = client.get(f"/trace/{PERSON}/panel", headers=as_role(client, "auditor"))
    assert panel.status_code == 200
    assert "<svg" in panel.text and f'data-code="{PERSON}"' in panel.text
    # the timeline says what happened in words, not the event's class name
    assert 'class="what">Registered with the roles operator<' in panel.text
    assert ">Person.Registered<" not in panel.text
    # and who did it by printed name and code (21 CFR 11.50): the administrator registered them
    assert f'class="actor">{NAMES["administrator"]} (PER-' in panel.text
    assert panel.text.count('class="hash"') >= 1


def test_r_acc_1_trace_panel_refuses_a_role_that_may_not_read_traces(client: TestClient) -> None:
    panel = client.get(f"/trace/{PERSON}/panel", headers=as_role(client, "nurse"))
    assert panel.status_code == 403
    assert panel.json()["error"] == "forbidden"


def test_language_switch_sets_a_cookie_and_translates(client: TestClient) -> None:
    chinese = client.get(f"/trace/{PERSON}", params={"lang": "zh"})
    assert "谱系与历史记录" in chinese.text
    assert chinese.cookies.get("lang") == "zh"
    again = client.get(f"/trace/{PERSON}")  # the cookie keeps the choice
    assert "谱系与历史记录" in again.text
    english = client.get(f"/trace/{PERSON}", params={"lang": "en"})
    assert "Genealogy and history" in english.text


BEDSIDE_JS = Path(__file__).resolve().parents[2] / "ledger" / "api" / "static" / "bedside.js"


def test_r_cln_2_bedside_page_is_in_english_and_chinese_with_every_route(
    client: TestClient,
) -> None:
    english = client.get("/bedside", params={"lang": "en"})
    chinese = client.get("/bedside", params={"lang": "zh"})
    assert english.status_code == chinese.status_code == 200
    assert "Bedside check" in english.text and "床旁给药核对" in chinese.text
    for route in Route:
        assert f'<option value="{route.value}">' in chinese.text
        assert MESSAGES[f"route.{route.value}"]["zh"] in chinese.text
    assert 'lang="zh-Hans"' in chinese.text  # the script asks the API in this language


def test_r_led_5_the_bedside_page_shows_each_signer_the_meaning_the_registry_gives(
    client: TestClient,
) -> None:
    # The nurse signs the administration, the pharmacist the verification (21 CFR 11.50): the
    # page shows each the meaning and sends the same, both read from the step registry
    english = client.get("/bedside", params={"lang": "en"}).text
    chinese = client.get("/bedside", params={"lang": "zh"}).text
    nurse, pharmacist = STEPS["bedside.administer"].meaning, STEPS["bedside.verify"].meaning
    assert f'data-nurse-meaning="{nurse.value}"' in english
    assert f'data-pharmacist-meaning="{pharmacist.value}"' in english
    assert f"You sign this as: {pharmacist.value}" in english
    zh = MESSAGES["scan.signing_as"]["zh"], MESSAGES[f"meaning.{nurse.value}"]["zh"]
    assert " ".join(zh) in chinese
    script = BEDSIDE_JS.read_text()
    assert "adm.dataset.nurseMeaning" in script and '"performed"' not in script


def test_every_text_the_bedside_script_shows_is_translated_and_sent(client: TestClient) -> None:
    # Given the keys the page's script looks up
    used = set(re.findall(r'"([a-z_]+\.[a-z_]+)"', BEDSIDE_JS.read_text()))
    assert {"bedside.go", "bedside.no_go", "bedside.refused"} <= used
    # Then each is a page text in both languages, and the page hands it to the script
    page = client.get("/bedside", params={"lang": "zh"}).text
    texts = json.loads(re.search(r'id="texts">(.*?)</script>', page, re.S).group(1))
    for key in used:
        assert set(MESSAGES[key]) == set(LANGUAGES), key
        assert texts[key] == MESSAGES[key]["zh"], key


def test_the_home_page_leads_to_the_stations_and_traces_a_code(client: TestClient) -> None:
    home = client.get("/?lang=zh")
    assert home.status_code == 200 and home.headers["content-type"].startswith("text/html")
    for link in ('href="/scan"', 'href="/bedside"', 'href="/docs"', 'action="/trace"'):
        assert link in home.text
    assert "CellTrace 工作站" in home.text
    # a scanned label's link or a typed code opens its trace; a bad code says why
    vial = client.get("/trace?code=https://x.example/v/PVL-F01-26-000001-P", follow_redirects=False)
    assert vial.status_code == 303
    assert vial.headers["location"].startswith("/trace/PVL-F01-26-000001-")
    wrong = client.get("/trace?code=PVL-F01-26-000001-0")
    assert wrong.status_code == 422 and "R-ID-1" in wrong.text
