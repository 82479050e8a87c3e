"""R-ACC-3 and R-ACC-4 over HTTP: sign-out, password reset, role change and an administrator's
lock end every token at once; expired sessions are purged; wrong passwords are throttled per
address and per (person, address), so a flood from one address locks nobody out elsewhere;
an unknown person and a wrong password get the same answer; wrong e-signature passwords are
counted apart from sign-ins."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from ledger.api.app import create_app
from ledger.application import SYSTEM
from ledger.bootstrap import init_ledger, open_ledger
from ledger.commands.people import ADMINISTER
from ledger.config import DEFAULT_STATION_IDLE_SECONDS, Settings
from ledger.identifiers import ItemType
from ledger.storage.db import create_db_engine
from ledger.stores.credentials import ADDRESS_FAILURES, Credentials, ThrottledError, sessions_table
from tests.codes import demo_code

PASSWORD = "correct horse battery"
ELSEWHERE = ("198.51.100.7", 40000)
ATTACKER = ("203.0.113.9", 40000)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Site:
    client: TestClient
    admin: str
    credentials: Credentials
    clock: Clock

    def sign_in(self, code: str, password: str = PASSWORD, client: TestClient | None = None) -> int:
        return (
            (client or self.client)
            .post("/api/v1/auth/token", data={"username": code, "password": password})
            .status_code
        )

    def token(self, code: str, role: str | None = None) -> dict[str, str]:
        data = {"username": code, "password": PASSWORD, **({"role": role} if role else {})}
        answer = self.client.post("/api/v1/auth/token", data=data)
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    def reads(self, headers: dict[str, str]) -> int:
        return self.client.get(f"/api/v1/people/{self.admin}", headers=headers).status_code

    def from_address(self, address: tuple[str, int]) -> TestClient:
        return TestClient(self.client.app, client=address)


@pytest.fixture
def site(sqlite_settings: Settings) -> Iterator[Site]:
    init_ledger(sqlite_settings)
    app = open_ledger(sqlite_settings)
    admin, _ = app.register_person(SYSTEM, ["administrator"])
    today = app.today()
    app.record_training(SYSTEM, admin, ADMINISTER, today, today + timedelta(days=30), "SOP-1 v1")
    app.close()
    credentials = Credentials(create_db_engine(sqlite_settings))
    credentials.create_tables()
    credentials.set_password(admin, PASSWORD)
    clock = Clock()
    with TestClient(create_app(sqlite_settings, clock=clock)) as client:
        yield Site(client, admin, credentials, clock)
    credentials.engine.dispose()


def _register(site: Site, roles: list[str]) -> str:
    answer = site.client.post(
        "/api/v1/people",
        json={"roles": roles, "password": PASSWORD},
        headers=site.token(site.admin),
    )
    assert answer.status_code == 201, answer.text
    code: str = answer.json()["code"]
    return code


def test_r_acc_3_sign_out_ends_the_token_at_once(site: Site) -> None:
    # Given a signed-in administrator reading a record
    headers = site.token(site.admin)
    other = site.token(site.admin)
    assert site.reads(headers) == 200
    # When they sign out
    assert site.client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    # Then that token is refused at once; their other session is untouched
    assert site.reads(headers) == 401
    assert site.reads(other) == 200
    assert site.client.post("/api/v1/auth/logout", headers=headers).status_code == 401


def test_r_acc_3_password_reset_ends_every_token(site: Site) -> None:
    first, second = site.token(site.admin), site.token(site.admin)
    # When the password is reset (as `celltrace users set-password` does)
    site.credentials.set_password(site.admin, "a brand new password")
    # Then both sessions are over
    assert site.reads(first) == 401
    assert site.reads(second) == 401


def test_r_acc_3_granting_a_role_ends_the_person_s_tokens(site: Site) -> None:
    person = _register(site, ["operator", "administrator"])
    theirs = site.token(person, "administrator")
    assert site.reads(theirs) == 200
    # When an administrator grants them another role
    granted = site.client.post(
        f"/api/v1/people/{person}/roles", json={"role": "qa"}, headers=site.token(site.admin)
    )
    assert granted.status_code == 200, granted.text
    # Then their token stops working; they sign in again
    assert site.reads(theirs) == 401
    assert site.reads(site.token(person, "administrator")) == 200


def test_r_acc_3_revoking_a_role_ends_the_person_s_tokens(site: Site) -> None:
    person = _register(site, ["qa", "administrator"])
    as_qa = site.token(person, "qa")
    assert site.reads(as_qa) == 200
    revoked = site.client.post(
        f"/api/v1/people/{person}/roles/revoke",
        json={"role": "qa", "reason": "moved to another site"},
        headers=site.token(site.admin),
    )
    assert revoked.status_code == 200, revoked.text
    assert site.reads(as_qa) == 401


def test_r_acc_3_an_administrator_s_lock_ends_every_token_and_sign_in(site: Site) -> None:
    person = _register(site, ["administrator"])
    theirs = site.token(person)
    # When the account is locked (as `celltrace users lock` does)
    assert site.credentials.lock(person)
    # Then the token is over and the right password no longer signs in
    assert site.reads(theirs) == 401
    assert site.sign_in(person) == 401
    # Until the lock is lifted
    assert site.credentials.unlock(person)
    assert site.sign_in(person) == 200


def test_r_acc_3_a_station_token_lapses_when_left_idle_on_the_server(site: Site) -> None:
    # Given a station sign-in (the scan and bedside pages) and a desk sign-in
    data = {"username": site.admin, "password": PASSWORD, "station": "true"}
    answer = site.client.post("/api/v1/auth/token", data=data)
    assert answer.status_code == 200 and answer.json()["access_token"].startswith("st.")
    station = {"Authorization": f"Bearer {answer.json()['access_token']}"}
    unused = site.client.post("/api/v1/auth/token", data=data).json()["access_token"]
    desk = site.token(site.admin)
    idle = timedelta(seconds=DEFAULT_STATION_IDLE_SECONDS)
    # When the station is used just within its idle time, again and again
    for turn in range(3):
        site.clock.now += idle - timedelta(seconds=5)
        # Then its token keeps working: each use moves the expiry on
        assert site.reads(station) == 200
        # while a station token signed in and never used lapsed after the idle time
        if turn == 1:
            assert site.reads({"Authorization": f"Bearer {unused}"}) == 401
    # When it is then left idle for longer (the page may be closed: nothing signs it out)
    site.clock.now += idle + timedelta(seconds=1)
    # Then the server refuses its token by itself; the desk token is untouched
    assert site.reads(station) == 401
    assert site.reads(desk) == 200


def test_r_acc_3_expired_sessions_are_purged(site: Site) -> None:
    old = site.token(site.admin)
    # When the tokens' 8 hours are over and someone signs in
    site.clock.now += timedelta(hours=8, minutes=1)
    assert site.reads(old) == 401
    site.token(site.admin)
    # Then only the new session row is left
    with site.credentials.engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(sessions_table)).scalar_one()
    assert rows == 1


def test_r_acc_4_a_flood_from_one_address_locks_nobody_out_elsewhere(site: Site) -> None:
    attacker = site.from_address(ATTACKER)
    # Given an anonymous flood of wrong passwords for the administrator from one address
    answers = [site.sign_in(site.admin, "guessed password", attacker) for _ in range(8)]
    # Then that address is refused (401 five times, then 429) even with the right password
    assert answers[:5] == [401] * 5 and set(answers[5:]) == {429}
    blocked = attacker.post(
        "/api/v1/auth/token", data={"username": site.admin, "password": PASSWORD}
    )
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert blocked.json()["error"] == "too_many_attempts"
    # And the administrator still signs in from another address
    assert site.sign_in(site.admin, client=site.from_address(ELSEWHERE)) == 200


def test_r_acc_4_an_address_that_tries_many_people_is_throttled(site: Site) -> None:
    attacker = site.from_address(ATTACKER)
    people = [demo_code(ItemType.PERSON, 900 + n) for n in range(ADDRESS_FAILURES)]
    # When one address tries one wrong password for each of many person codes
    for code in people:
        assert site.sign_in(code, "guessed password", attacker) == 401
    # Then it is refused before any account is looked at, even for a right password
    assert site.sign_in(site.admin, client=attacker) == 429
    assert site.sign_in(site.admin) == 200


def test_r_acc_4_unknown_person_and_wrong_password_get_the_same_answer(site: Site) -> None:
    unknown = site.client.post(
        "/api/v1/auth/token",
        data={"username": demo_code(ItemType.PERSON, 999), "password": "nope nope"},
    )
    wrong = site.client.post(
        "/api/v1/auth/token", data={"username": site.admin, "password": "nope nope"}
    )
    garbage = site.client.post(
        "/api/v1/auth/token", data={"username": "nobody", "password": "nope nope"}
    )
    assert unknown.status_code == wrong.status_code == garbage.status_code == 401
    assert unknown.json() == wrong.json() == garbage.json()
    assert "wrong person code or password" in wrong.json()["detail"]


def test_r_acc_4_wrong_signature_passwords_are_counted_apart_from_sign_in(site: Site) -> None:
    now = site.clock()
    # Given five wrong e-signature passwords by the administrator
    for _ in range(5):
        with pytest.raises(Exception, match="wrong password"):
            site.credentials.check_password(site.admin, "slipped finger", now)
    # Then their signatures are blocked, even with the right password
    with pytest.raises(ThrottledError):
        site.credentials.check_password(site.admin, PASSWORD, now)
    # But signing in is not: the two are counted apart
    assert site.sign_in(site.admin) == 200
    for _ in range(4):
        assert site.sign_in(site.admin, "wrong again") == 401
    site.clock.now += timedelta(minutes=16)
    site.credentials.check_password(site.admin, PASSWORD, site.clock())
