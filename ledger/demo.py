"""`celltrace demo`: record a realistic history in the configured ledger, then verify it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from ledger.application import SYSTEM, Actor, CellTraceLedger
from ledger.bootstrap import describe_database, init_ledger, open_ledger
from ledger.commands.people import ADMINISTER
from ledger.config import Settings
from ledger.errors import RuleViolation
from ledger.integrity.verify import verify_database

Echo = Callable[[str], None]


def run_demo(settings: Settings, echo: Echo) -> None:
    init_ledger(settings)
    app = open_ledger(settings)
    try:
        echo(f"CellTrace demo - ledger: {describe_database(settings)}")
        _staff(app, echo)
    finally:
        app.close()
    report = verify_database(settings.database)
    echo("")
    if report.intact:
        echo(f"Verification: intact - {report.events} events, every hash and link recomputed.")
        echo(f"Chain head (keep it to detect later rewrites): {report.head}")
    else:
        assert report.first_break is not None
        echo(f"Verification: TAMPERING DETECTED - {report.first_break.describe()}")


def _staff(app: CellTraceLedger, echo: Echo) -> dict[str, Actor]:
    """Register the facility's people, their roles, training and QP authorisation."""
    today = app.today()
    valid = today + timedelta(days=365)
    admin_code, _ = app.register_person(SYSTEM, ["administrator"])
    app.record_training(SYSTEM, admin_code, ADMINISTER, today, valid, "SOP-ADM-001 v3")
    admin = Actor(admin_code, "administrator")
    echo(f"Registered administrator {admin_code}")
    staff: dict[str, Actor] = {"administrator": admin}
    for role in ("operator", "qc_analyst", "qa", "qp", "pharmacist", "nurse"):
        code, _ = app.register_person(admin, [role])
        staff[role] = Actor(code, role)
        echo(f"Registered {role:<11} {code}")
    app.authorise_qp(admin, staff["qp"].person_id, "SIT-DEMO")
    echo(f"Authorised {staff['qp'].person_id} as Qualified Person for site SIT-DEMO")
    # A step by someone without training is refused and nothing is written (R-PPL-2).
    try:
        app.register_person(staff["operator"], ["operator"])
    except RuleViolation as refusal:
        echo(f"Refused as expected: {refusal.detail}")
    return staff
