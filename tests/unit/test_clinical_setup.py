"""Sites, studies and enrolment (R-CLN-1, R-CLN-6, R-LED-6)."""

from __future__ import annotations

from datetime import date, timedelta

from ledger.domain.base import Meaning
from ledger.domain.patient import Consent
from ledger.domain.study import STANDARD_VISITS, Cohort, Protocol, Visit, with_standard_visits
from ledger.stores.personal_data import PersonalData
from tests.domain1 import TODAY, history, refused_step
from tests.domain3 import CONSENT, PROTOCOL, Clinical, enrolled

# --- sites and studies ---------------------------------------------------------------------


def test_r_cln_1_a_site_is_registered_under_a_site_code(clinic: Clinical) -> None:
    # Given the clinic  When an administrator registers a site
    app, c, _ = clinic
    code, _ = app.register_site(c.staff["administrator"], "City Hospital C")
    # Then it has a SIT code and its registration is attributed
    assert code.startswith("SIT-")
    assert app.get_site(code).name == "City Hospital C"
    assert type(history(app, code)[0]).__name__ == "Registered"


def test_r_cln_1_site_without_a_name_is_refused(clinic: Clinical) -> None:
    app, c, _ = clinic
    assert refused_step(app, lambda: app.register_site(c.staff["administrator"], " ")) == [
        "R-CLN-1"
    ]


def test_r_cln_1_study_records_protocol_routes_cohorts_in_use_time_and_schedule(
    clinic: Clinical,
) -> None:
    # Given the clinic's study  Then its protocol holds what the bedside checks
    app, c, _ = clinic
    study = app.get_study(c.study)
    assert study.protocol["version"] == "EV-KOA-01 v2.0"
    assert study.protocol["routes"] == ["intravenous", "intra_arterial"]
    assert study.cohort("high") == Cohort(name="high", doses=[1.0])
    assert study.protocol["in_use_minutes"] == 60
    assert [v["day"] for v in study.protocol["follow_up"]] == [1, 3, 7, 14, 28, 91, 182, 365]
    assert study.sites == (c.site, c.other_site)
    registered = history(app, c.study)[0]
    assert (registered.stamp.actor_role, registered.stamp.meaning) == (
        "investigator",
        Meaning.APPROVED,
    )


def test_r_cln_1_incomplete_protocol_is_refused_with_every_reason(clinic: Clinical) -> None:
    # Given a protocol with an unknown route, no dose unit, a cohort without doses,
    # no in-use time and a follow-up schedule that drops the standard visits
    app, c, _ = clinic
    bad = Protocol(
        version="",
        routes=["oral"],
        dose_unit="",
        cohorts=[Cohort(name="low", doses=[])],
        in_use_minutes=0,
        follow_up=[Visit(label="day 1", day=1)],
        blinded=False,
    )
    # When the investigator registers it  Then every problem is listed, nothing written
    refused = refused_step(app, lambda: app.register_study(c.staff["investigator"], "X", bad))
    assert refused == ["R-CLN-1"] * 5 + ["R-CLN-6"]


def test_r_cln_7_a_protocol_fixes_the_number_of_doses_and_the_interval_between_them(
    clinic: Clinical,
) -> None:
    app, c, _ = clinic
    register = c.staff["investigator"]
    for administrations, hours in ((0, 24.0), (3, 0.0)):
        protocol = Protocol(
            **{**PROTOCOL, "administrations": administrations, "min_interval_hours": hours}
        )
        call = lambda p=protocol: app.register_study(register, "X", p)  # noqa: E731
        assert refused_step(app, call) == ["R-CLN-7"]
    code, _ = app.register_study(
        register,
        "single dose",
        Protocol(**{**PROTOCOL, "administrations": 1, "min_interval_hours": 0.0}),
    )
    assert app.get_study(code).protocol["administrations"] == 1


def test_r_cln_6_a_protocol_may_extend_the_standard_follow_up(clinic: Clinical) -> None:
    app, c, _ = clinic
    extended = Protocol(**PROTOCOL)
    extended["follow_up"] = with_standard_visits([Visit(label="year 2", day=730)])
    code, _ = app.register_study(c.staff["investigator"], "long follow-up", extended)
    schedule = app.get_study(code).protocol["follow_up"]
    assert schedule == [*STANDARD_VISITS, Visit(label="year 2", day=730)]


def test_r_cln_1_study_registered_by_an_operator_is_refused(clinic: Clinical) -> None:
    app, c, _ = clinic
    call = lambda: app.register_study(c.staff["operator"], "X", PROTOCOL)  # noqa: E731
    assert refused_step(app, call)[0] == "R-PPL-2"


def test_r_cln_1_site_activated_twice_is_refused(clinic: Clinical) -> None:
    app, c, _ = clinic
    investigator = c.staff["investigator"]
    assert refused_step(app, lambda: app.activate_site(investigator, c.study, c.site)) == [
        "R-CLN-1"
    ]


# --- enrolment -------------------------------------------------------------------------------


def test_r_cln_1_subject_is_enrolled_with_consent_and_cohort(clinic: Clinical) -> None:
    # Given the study active at the site  When a consented subject is enrolled
    app, c, _ = clinic
    code = enrolled(app, c, "low")
    # Then the subject has a pseudonymous PAT code, the study, site, cohort and consent
    patient = app.get_patient(code)
    assert code.startswith("PAT-")
    assert (patient.study, patient.site, patient.cohort) == (c.study, c.site, "low")
    assert patient.consent == CONSENT and patient.consented
    assert patient.donor is None
    # and the study lists the subject, for its follow-up
    assert app.get_study(c.study).subjects == (code,)


def test_r_cln_1_enrolment_refusals_are_listed_together(clinic: Clinical) -> None:
    # Given a site not active for the study, an unknown cohort and a consent dated tomorrow
    app, c, _ = clinic
    site, _ = app.register_site(c.staff["administrator"], "City Hospital C")
    consent = Consent(form_version="ICF v2.0", signed_on=TODAY + timedelta(days=1))
    # When the investigator enrols  Then each is refused, nothing written
    refused = refused_step(
        app,
        lambda: app.enrol_patient(c.staff["investigator"], c.study, site, "mega", consent),
    )
    assert refused == ["R-CLN-1", "R-CLN-1", "R-CLN-1"]


def test_r_cln_1_autologous_subject_is_linked_to_their_donor(clinic: Clinical) -> None:
    # Given an autologous donor
    app, c, _ = clinic
    donor, _ = app.register_donor(c.staff["investigator"], autologous=True)
    # When the subject is enrolled under that donor code  Then the link is recorded
    code, _ = app.enrol_patient(
        c.staff["investigator"], c.study, c.site, "low", CONSENT, donor_code=donor
    )
    assert app.get_patient(code).donor == donor


def test_r_cln_1_link_to_an_allogeneic_donor_is_refused(clinic: Clinical) -> None:
    app, c, _ = clinic
    refused = refused_step(
        app,
        lambda: app.enrol_patient(
            c.staff["investigator"], c.study, c.site, "low", CONSENT, donor_code=c.plant.donor
        ),
    )
    assert refused == ["R-CLN-1"]


def test_r_led_6_subject_identity_stays_out_of_the_chain(clinic: Clinical) -> None:
    # Given identifying data of a subject
    app, c, _ = clinic
    identity = PersonalData(name="Wang Fang", birth_date=date(1961, 4, 2), contact="138-0000")
    # When the subject is enrolled with it
    code, _ = app.enrol_patient(
        c.staff["investigator"], c.study, c.site, "low", CONSENT, identity=identity
    )
    # Then the chain holds only which fields exist; the store holds the data
    assert "Wang" not in repr(history(app, code))
    assert app.get_patient(code).identity_fields == identity.fields()
    assert app.get_patient_identity(code) == identity


def test_r_cln_1_withdrawn_consent_is_recorded(clinic: Clinical) -> None:
    app, c, _ = clinic
    code = enrolled(app, c)
    app.withdraw_patient_consent(c.staff["investigator"], code, "subject's own wish")
    assert not app.get_patient(code).consented
    assert refused_step(
        app, lambda: app.withdraw_patient_consent(c.staff["investigator"], code, "again")
    ) == ["R-CLN-1"]
