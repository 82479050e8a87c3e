"""Distribution to another institution or project (R-DON-8, §8.2(2)): a recorded, signed step,
refused outside each donor's consent (sharing; cross-project or cross-institution use when the
recipient is another project or institution than the consent names)."""

from __future__ import annotations

from ledger.domain.base import Meaning
from tests.domain1 import TODAY, history, refused_step
from tests.domain3 import Clinical


def test_r_don_8_sending_material_outside_the_donors_consent_is_refused(clinic: Clinical) -> None:
    # Given a vial whose donor consented to banking and long-term storage only
    app, c, _ = clinic
    qa, vial = c.staff["qa"], c.vials[0]
    send = lambda institution="Hospital A", project="PRJ-EV-01": app.distribute(  # noqa: E731
        qa, vial, "material", institution, project, "MTA-7"
    )
    # When QA sends it within the consent's own project and institution, Then refused: no sharing
    refusal = refused_step(app, send)
    assert refusal == ["R-DON-6"]
    # When the donor's new consent allows sharing, but not another institution
    investigator = c.staff["investigator"]
    scopes = ["banking", "long_term_storage", "sharing"]
    app.record_consent(
        investigator, c.plant.donor, scopes, "PRJ-EV-01", "Hospital A", "ICF v3", TODAY
    )
    assert refused_step(app, lambda: send("Provincial Hospital B")) == ["R-DON-6"]
    # And the data of another project needs cross-project use
    data = lambda: app.distribute(qa, vial, "data", "Hospital A", "PRJ-OTHER", "DTA-2")  # noqa: E731
    assert refused_step(app, data) == ["R-DON-6"]
    # When it is within the consent, Then it is recorded, signed by QA, and the vial has left
    send()
    sent = history(app, vial)[-1]
    assert type(sent).__name__ == "MaterialDistributed"
    assert sent.stamp.meaning == Meaning.APPROVED and sent.stamp.reauthenticated
    assert refused_step(app, send) == ["R-DON-8"]
    ship = lambda: app.ship_vials(c.staff["operator"], c.site, [[vial]], "WB-1", 10)  # noqa: E731
    assert refused_step(app, ship) == ["R-DON-8"]


def test_r_don_8_a_distribution_names_what_where_and_the_agreement(clinic: Clinical) -> None:
    app, c, _ = clinic
    call = lambda: app.distribute(c.staff["qa"], c.vials[0], "cells", " ", "", "")  # noqa: E731
    assert set(refused_step(app, call)) == {"R-DON-8", "R-DON-6"}
