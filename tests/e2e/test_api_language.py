"""Refusals in the language the client asks for: `Accept-Language: zh` gives the Simplified
Chinese message of every violation, same rule IDs and status; no header (or any other
language) keeps the English contract."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from ledger.api.app import create_app
from ledger.config import Settings
from ledger.demo.run import run_demo
from ledger.identifiers import ItemType
from ledger.storage.db import create_db_engine
from ledger.stores.credentials import Credentials
from tests.codes import demo_code, mistyped

PHARMACIST = demo_code(ItemType.PERSON, 6)
PASSWORD = "language test password"
ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data = tmp_path_factory.mktemp("language") / "data"
    settings = Settings(data_dir=data, database_url=f"sqlite:///{data / 'ledger.db'}")
    run_demo(settings, lambda _: None)
    credentials = Credentials(create_db_engine(settings))
    credentials.create_tables()
    credentials.set_password(PHARMACIST, PASSWORD)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _token(client: TestClient) -> dict[str, str]:
    answer = client.post("/api/v1/auth/token", data={"username": PHARMACIST, "password": PASSWORD})
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _bedside(client: TestClient) -> dict[str, object]:
    return {
        "vial": demo_code(ItemType.PRODUCT_VIAL, 2),
        "patient": demo_code(ItemType.PATIENT, 1),
        "dose": 2.0,
        "route": "intranasal",
    }


def test_r_cln_2_bedside_reasons_are_chinese_with_accept_language_zh(client: TestClient) -> None:
    # Given a no-go at the bedside (study paused, wrong dose and route)
    body = _bedside(client)
    english = client.post("/api/v1/bedside/verify", json=body, headers=_token(client)).json()
    # When the same check is asked for in Chinese
    chinese = client.post(
        "/api/v1/bedside/verify", json=body, headers={**_token(client), **ZH}
    ).json()
    # Then the same reasons come back, rule for rule, in Chinese
    assert chinese["decision"] == english["decision"] == "no-go"
    assert [r["rule"] for r in chinese["reasons"]] == [r["rule"] for r in english["reasons"]]
    by_rule = {r["rule"]: r["message"] for r in chinese["reasons"]}
    assert "已暂停" in by_rule["R-CLN-4"] and "在研究恢复之前" in by_rule["R-CLN-4"]
    assert "paused" in {r["rule"]: r["message"] for r in english["reasons"]}["R-CLN-4"]
    pairs = zip(chinese["reasons"], english["reasons"], strict=True)
    assert all(r["message"] != e["message"] for r, e in pairs)


def test_r_shp_2_an_excursion_holds_reason_is_chinese_at_a_chinese_bedside(
    client: TestClient,
) -> None:
    # Given a vial of the demo's warm shipment, held by its excursion (R-SHP-2)
    body = {**_bedside(client), "vial": demo_code(ItemType.PRODUCT_VIAL, 4)}
    english = client.post("/api/v1/bedside/verify", json=body, headers=_token(client)).json()
    chinese = client.post(
        "/api/v1/bedside/verify", json=body, headers={**_token(client), **ZH}
    ).json()
    # Then the hold's reason, recorded in English, is shown in Chinese too
    held = {r["rule"]: r["message"] for r in chinese["reasons"]}["R-SHP-2"]
    assert "发生温度偏离" in held and "-41.2 C" in held
    assert "temperature excursion" not in held
    assert (
        "temperature excursion" in {r["rule"]: r["message"] for r in english["reasons"]}["R-SHP-2"]
    )


def test_r_shp_2_a_held_items_card_gives_the_holds_reason_in_chinese(client: TestClient) -> None:
    vial = demo_code(ItemType.PRODUCT_VIAL, 4)  # held by its shipment's excursion
    english = client.get(f"/api/v1/items/{vial}", headers=_token(client)).json()
    chinese = client.get(f"/api/v1/items/{vial}", headers={**_token(client), **ZH}).json()
    assert "temperature excursion" in english["holds"][0]
    assert "发生温度偏离" in chinese["holds"][0] and "temperature" not in chinese["holds"][0]


def test_r_cln_2_a_refused_thaw_is_chinese_with_the_same_rules(client: TestClient) -> None:
    # Given a thaw at the bedside that the rules refuse (409, nothing written)
    english = client.post("/api/v1/bedside/thaw", json=_bedside(client), headers=_token(client))
    chinese = client.post(
        "/api/v1/bedside/thaw", json=_bedside(client), headers={**_token(client), **ZH}
    )
    # Then the status and the rules are the same, and every message is Chinese
    assert chinese.status_code == english.status_code == 409
    rules = [v["rule"] for v in chinese.json()["violations"]]
    assert rules == [v["rule"] for v in english.json()["violations"]]
    assert "R-CLN-4" in rules
    assert "研究方案不允许此给药途径：鼻内给药" in chinese.json()["detail"]
    assert "route intranasal is not allowed by the protocol" in english.json()["detail"]


def test_r_ppl_2_a_missing_role_and_training_are_named_in_chinese(client: TestClient) -> None:
    # Given the pharmacist, who may not register a donor (an investigator's step)
    english = client.post("/api/v1/donors", json={}, headers=_token(client))
    chinese = client.post("/api/v1/donors", json={}, headers={**_token(client), **ZH})
    # Then both are 403 with the same rules, the Chinese naming the roles and their codes
    assert chinese.status_code == english.status_code == 403
    rules = [v["rule"] for v in chinese.json()["violations"]]
    assert rules == [v["rule"] for v in english.json()["violations"]] == ["R-PPL-2", "R-PPL-2"]
    first = chinese.json()["violations"][0]["message"]
    assert first == ("donors.register 须以研究者角色记录，而不是药师；请以该角色登录")
    assert english.json()["violations"][0]["message"] == (
        "donors.register is recorded in the role investigator, not pharmacist; "
        "sign in with that role"
    )


def test_r_id_1_a_mistyped_scan_is_refused_in_chinese(client: TestClient) -> None:
    # Given a product vial code with a wrong check character
    code = mistyped(demo_code(ItemType.PRODUCT_VIAL, 2))
    english = client.get(f"/api/v1/items/{code}", headers=_token(client))
    chinese = client.get(f"/api/v1/items/{code}", headers={**_token(client), **ZH})
    # Then both refuse it under R-ID-1; the Chinese says what to do in Chinese
    assert chinese.status_code == english.status_code == 422
    assert chinese.json()["violations"][0]["rule"] == "R-ID-1"
    assert "check character does not match" in english.json()["detail"]
    assert "校验字符不匹配" in chinese.json()["detail"]
    # and a station showing "rule: message" names the rule once (not "R-ID-1: R-ID-1: ...")
    for answer in (english, chinese):
        violation = answer.json()["violations"][0]
        assert not violation["message"].startswith("R-ID-1")
        assert answer.json()["detail"].endswith(violation["message"])


def test_a_scanned_items_type_and_status_are_shown_in_the_language_asked(
    client: TestClient,
) -> None:
    # Given a product vial the demo administered
    code = demo_code(ItemType.PRODUCT_VIAL, 1)
    english = client.get(f"/api/v1/items/{code}", headers=_token(client)).json()
    chinese = client.get(f"/api/v1/items/{code}", headers={**_token(client), **ZH}).json()
    # Then the status value is the same, its label follows the language
    assert english["status"] == chinese["status"] == "administered"
    assert (english["type_label"], english["status_label"]) == ("product vial", "administered")
    assert (chinese["type_label"], chinese["status_label"]) == ("制剂瓶", "已给药")
    # And the public page a label opens shows the type in Chinese, and no status (R-ACC-1)
    page = client.get(f"/v/{code}?lang=zh")
    assert "制剂瓶" in page.text and "已给药" not in page.text


def test_an_unknown_item_is_reported_in_chinese(client: TestClient) -> None:
    code = demo_code(ItemType.PRODUCT_VIAL, 999)
    answer = client.get(f"/api/v1/items/{code}", headers={**_token(client), **ZH})
    assert answer.status_code == 404
    assert answer.json()["detail"] == f"{code} 是有效编码，但没有记录此制剂瓶；请核对标签"


def test_a_wrong_password_is_refused_in_chinese(client: TestClient) -> None:
    answer = client.post(
        "/api/v1/auth/token", data={"username": PHARMACIST, "password": "not it at all"}, headers=ZH
    )
    assert answer.status_code == 401
    assert answer.json()["detail"] == "登录被拒绝：人员编码或密码错误。"


@pytest.mark.parametrize("header", [None, "en-GB,en;q=0.9", "fr-FR", "*"])
def test_other_languages_keep_the_english_contract(client: TestClient, header: str | None) -> None:
    headers = {"Accept-Language": header} if header else {}
    code = demo_code(ItemType.PRODUCT_VIAL, 999)
    answer = client.get(f"/api/v1/items/{code}", headers={**_token(client), **headers})
    assert answer.json()["detail"] == (
        f"{code} is a valid code but no such product vial is recorded; check the label"
    )


def test_r_id_2_a_refused_label_check_is_chinese_with_accept_language_zh(
    client: TestClient,
) -> None:
    vial = demo_code(ItemType.PRODUCT_VIAL, 2)
    body = {"text": f"http://localhost:8000/v/{vial}"}  # the printed code, not the QR payload
    english = client.post("/api/v1/labels/verify", json=body)
    chinese = client.post("/api/v1/labels/verify", json=body, headers=ZH)
    assert english.status_code == chinese.status_code == 422
    assert "is not a CellTrace signed label" in english.json()["detail"]
    assert chinese.json()["detail"].startswith("R-ID-2：")
    assert "不是 CellTrace 签名标签" in chinese.json()["detail"]
