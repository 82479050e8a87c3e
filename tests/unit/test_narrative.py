# ruff: noqa: RUF001 - the Chinese sentences are written with full-width punctuation
"""The timeline in words (R-TRC-3, R-TRC-2, R-LED-2, R-ACC-5): every event type the domain
records has a sentence in English and Chinese (or is named as a bookkeeping event shown by its
readable name), sentences show the event's key values, a vial's chain of custody keeps only
what concerns it, and nothing said about a kit tells its arm or real lot."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import string
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from eventsourcing.domain import Aggregate

import ledger.domain
from ledger.api.pages.i18n import LANGUAGES, MESSAGES
from ledger.item_effects import EFFECTS, TRACED_ITEM
from ledger.messages import term
from ledger.projections.custody import concerns
from ledger.projections.narrative import (
    FALLBACK,
    FALLBACK_KEY,
    SENTENCES,
    VARIANTS,
    describe,
    sentence_name,
)
from ledger.projections.narrative_text import local_time, say, say_event
from ledger.projections.narrative_values import Scene
from tests.domain1 import history
from tests.domain3 import Clinical, blinded_study, kits

VIAL, OTHER = "PVL-F01-26-000001-P", "PVL-F01-26-000002-N"
SHIPMENT, PATIENT, STUDY = "SHP-F01-26-000001-4", "PAT-F01-26-000001-L", "STU-F01-26-000001-R"
UNIT = "UNT-F01-26-000002-7"
AT = datetime(2026, 3, 1, 1, 30, tzinfo=UTC)
BEIJING = timezone(timedelta(hours=8))
SHIPPED = {"code": SHIPMENT, "required": {"min_c": -90.0, "max_c": -60.0}}


def domain_event_classes() -> dict[str, type[Any]]:
    """Every event class of every aggregate in ledger.domain, by qualified name (the
    `Event` bases every aggregate's events derive from are no event type of their own)."""
    found: dict[str, type[Any]] = {}
    for module in pkgutil.iter_modules(ledger.domain.__path__):
        loaded = importlib.import_module(f"ledger.domain.{module.name}")
        for aggregate in vars(loaded).values():
            if not (inspect.isclass(aggregate) and issubclass(aggregate, Aggregate)):
                continue
            for cls in aggregate.__mro__:
                for name, value in vars(cls).items():
                    if (
                        inspect.isclass(value)
                        and issubclass(value, Aggregate.Event)
                        and value.__module__.startswith("ledger.domain")
                        and name != "Event"
                    ):
                        found[value.__qualname__] = value
    return found


def keys_of(name: str) -> list[str]:
    return [f"event.{name}{variant}" for variant in ("", *VARIANTS.get(name, ()))]


def placeholders(template: str) -> list[tuple[str, str]]:
    parsed = string.Formatter().parse(template)
    return sorted((f, s or "") for _, f, s, _ in parsed if f is not None)


def said(event_type: str, fields: dict[str, Any], scene: Scene, lang: str = "en") -> str:
    return say(describe(event_type, fields, scene), lang)


# --- coverage ------------------------------------------------------------------------------


def test_r_trc_3_every_domain_event_class_has_a_sentence_or_an_explicit_fallback() -> None:
    # Given every event class the domain defines
    classes = domain_event_classes()
    assert len(classes) > 200
    missing = []
    for qualname in classes:
        # When its sentence is looked up as the timeline does, by its stored name
        name = sentence_name(qualname)
        short = qualname.rsplit(".", 1)[-1]
        # Then it has one in the page catalogue, or it is named as shown by its readable name
        if name is None:
            if qualname not in FALLBACK and short not in FALLBACK:
                missing.append(qualname)
        else:
            assert qualname not in FALLBACK, f"{qualname} has a sentence and a fallback"
            assert all(key in MESSAGES for key in keys_of(name)), qualname
    assert missing == []


def test_r_trc_3_every_fallback_entry_names_a_domain_event_without_a_sentence() -> None:
    classes = domain_event_classes()
    names = set(classes) | {q.rsplit(".", 1)[-1] for q in classes}
    assert names >= FALLBACK
    assert not [f for f in FALLBACK if f in SENTENCES]


def test_r_trc_3_every_item_effect_and_common_event_has_its_own_sentence() -> None:
    # The events that move an item (and every item's holds, disposal, derivations, results
    # and corrections) are said in words, never by their name alone
    common = [
        "TracedItem.ItemsDerived",
        "CellBank.TestResultRecorded",
        "ProductLot.TestResultRecorded",
        "Correctable.EntryCorrected",
    ]
    for event_type in [*EFFECTS, *(f"DerivedItem.{n}" for n in TRACED_ITEM), *common]:
        assert sentence_name(event_type) is not None, event_type


def test_every_sentence_has_english_and_chinese_with_the_same_placeholders() -> None:
    keys = [FALLBACK_KEY, *(k for name in SENTENCES for k in keys_of(name))]
    for key in keys:
        assert set(MESSAGES[key]) == set(LANGUAGES), key
        english, chinese = MESSAGES[key]["en"], MESSAGES[key]["zh"]
        assert placeholders(english) == placeholders(chinese), key
    unused = {k for k in MESSAGES if k.startswith("event.")} - set(keys)
    assert unused == set()


def test_r_trc_3_an_event_without_a_sentence_is_named_in_words_not_by_its_class() -> None:
    scene = Scene(subject="SPC-1", item="SPC-1")
    for lang in LANGUAGES:
        text = said("Specification.Revised", {"version": 2}, scene, lang)
        assert text == "Specification: revised"
    # and an event stored before a field its sentence shows existed is named too
    text = say_event("Shipment.HandedOff", {}, Scene(SHIPMENT, SHIPMENT), "zh")
    assert text == "Shipment: handed off"


# --- sentences -----------------------------------------------------------------------------


def test_r_cln_3_administration_says_dose_route_patient_and_which_dose_of_the_protocol() -> None:
    # Given a patient of a study whose protocol gives two administrations
    origins: dict[str, dict[str, Any]] = {
        PATIENT: {"study": STUDY},
        STUDY: {"protocol": {"administrations": 2}},
    }
    dose = {"vial": VIAL, "dose": 1.0, "unit": "mL", "route": "intravenous", "at": AT}
    fields = {"number": 1, "dose": {**dose, "nurse": "PER-7", "pharmacist": "PER-6"}}
    scene = Scene(subject=VIAL, item=PATIENT, origins=origins)
    # When the first administration is said
    english = said("Dosing.Administered", fields, scene)
    chinese = said("Dosing.Administered", fields, scene, "zh")
    # Then it names dose, unit, route, patient, the dose of the protocol and the checker
    assert english.startswith(f"Administered 1.0 mL intravenous to {PATIENT}, dose 1 of 2")
    assert "checked by pharmacist PER-6" in english
    route = term("intravenous", "zh")
    assert f"{PATIENT} 1.0 mL，{route}，第 1 剂/共 2 剂" in chinese
    # and without the study's protocol it says the dose's number alone
    alone = said("Dosing.Administered", fields, Scene(subject=VIAL, item=PATIENT))
    assert f"to {PATIENT}, dose 1 (" in alone


def test_r_shp_2_logger_readings_say_how_many_fell_outside_the_shipments_range() -> None:
    # Given a shipment required at -90..-60 C and a logger file of 12 readings, one warm
    readings = [{"at": AT, "temp_c": -80.0}] * 11 + [{"at": AT, "temp_c": -41.2}]
    fields = {"logger": "LG-7", "readings": readings, "excursions": readings[-1:], "gaps": []}
    scene = Scene(subject=VIAL, item=SHIPMENT, origins={SHIPMENT: SHIPPED})
    # When it is said, Then the count, the excursions and the range come from the event
    english = said("Shipment.ReadingsRecorded", fields, scene)
    assert english == "Logger LG-7: 12 readings, 1 outside -90..-60 C, 0 gaps"
    chinese = said("Shipment.ReadingsRecorded", fields, scene, "zh")
    assert chinese == "温度记录仪 LG-7：12 个读数，1 个超出 -90..-60 C，0 处中断"


def test_r_qc_4_the_qp_release_is_said_for_the_vial_or_counted_for_the_shipment() -> None:
    fields = {"vials": [VIAL, OTHER]}
    on_vial = Scene(subject=VIAL, item=SHIPMENT)
    assert said("SiteStock.ReleasedForUse", fields, on_vial) == "Released for use by the site QP"
    chinese = said("SiteStock.ReleasedForUse", fields, on_vial, "zh")
    assert chinese == "研究机构质量受权人已放行使用"
    on_shipment = Scene(subject=SHIPMENT, item=SHIPMENT)
    counted = said("SiteStock.ReleasedForUse", fields, on_shipment)
    assert counted == "Released for use by the site QP: 2 vials"


def test_r_shp_3_receipt_says_this_vials_outcome_with_the_reason_it_failed() -> None:
    fields = {"passed": [OTHER], "failed": {VIAL: "cracked cap"}, "missing": []}
    failed = said("SiteStock.ReceiptInspected", fields, Scene(VIAL, SHIPMENT))
    assert failed == "Re-inspected on receipt at the site: failed (cracked cap)"
    passed = said("SiteStock.ReceiptInspected", fields, Scene(OTHER, SHIPMENT), "zh")
    assert passed == "研究机构到货复检：合格"
    counted = said("SiteStock.ReceiptInspected", fields, Scene(SHIPMENT, SHIPMENT))
    assert counted == "Re-inspected on receipt: 1 passed, 1 failed, 0 missing"


def test_r_trc_2_storage_says_the_unit_and_the_place() -> None:
    fields = {"site": "SIT-1", "vials": [VIAL], "place": "rack 3/box 1", "unit_c": -80.0}
    english = said("SitePharmacy.VialsStored", {**fields, "unit": UNIT}, Scene(VIAL, SHIPMENT))
    assert english == f"Stored in {UNIT} rack 3/box 1 at -80 C"
    chinese = said(
        "SitePharmacy.VialsStored", {**fields, "unit": UNIT}, Scene(VIAL, SHIPMENT), "zh"
    )
    assert chinese == f"存放于 {UNIT} rack 3/box 1（-80 C）"
    # a site without monitored units names the site's own place
    unmonitored = said("SitePharmacy.VialsStored", {**fields, "unit": None}, Scene(VIAL, SHIPMENT))
    assert unmonitored == "Stored in SIT-1: rack 3/box 1 at -80 C"


def test_r_qc_1_a_qc_result_says_test_value_unit_and_whether_it_is_in_specification() -> None:
    result = {"test": "endotoxin", "value": "0.5", "unit": "EU/mL", "in_spec": True}
    result |= {"limit": "< 1 EU/mL", "method": "LAL", "laboratory": "QC", "report_ref": "R-1"}
    lot = Scene(subject="LOT-1", item="LOT-1")
    english = said("ProductLot.TestResultRecorded", {"result": result}, lot)
    assert english == "QC result endotoxin 0.5 EU/mL, in specification (limit < 1 EU/mL)"
    failed = {"result": {**result, "value": "12.1", "in_spec": False}}
    assert "12.1 EU/mL, out of specification" in said("ProductLot.TestResultRecorded", failed, lot)
    chinese = said("ProductLot.TestResultRecorded", failed, lot, "zh")
    assert chinese == "质量控制结果 endotoxin 12.1 EU/mL，不符合质量标准（限度 < 1 EU/mL）"


def test_r_led_2_times_in_a_sentence_are_shown_in_the_steps_own_zone() -> None:
    # Given a hand-off at 01:30 UTC recorded from a device in UTC+08:00
    fields = {"hand_off": {"custodian": "ColdCourier driver 17", "at": AT}}
    scene = Scene(SHIPMENT, SHIPMENT)
    # When it is said in the device's zone, or with no device time (UTC)
    local = say_event("Shipment.HandedOff", fields, scene, "en", BEIJING)
    utc = say_event("Shipment.HandedOff", fields, scene, "zh")
    # Then the time carries the zone it is shown in
    assert local == "Handed off to ColdCourier driver 17 at 2026-03-01 09:30 UTC+08:00"
    assert utc == "于 2026-03-01 01:30 UTC 交接给 ColdCourier driver 17"
    assert local_time(AT.astimezone(BEIJING), seconds=True) == "2026-03-01 09:30:00 UTC+08:00"


def test_a_holds_reason_recorded_as_a_sentence_is_said_in_the_readers_language() -> None:
    # Given a hold whose reason was recorded as a sentence, and an older one as text only
    template = "{code} became ineligible after look-back ({reason}); this cannot be reversed"
    said_as = {"template": template, "params": {"code": "DON-1", "reason": "HBV reactive"}}
    english = "DON-1 became ineligible after look-back (HBV reactive); this cannot be reversed"
    hold = {"rule": "R-DON-7", "reason": english, "source": "DON-1"}
    scene = Scene(subject=VIAL, item=VIAL)
    # When they are said in Chinese
    sentence = said("DerivedItem.PutOnHold", {"hold": {**hold, "said": said_as}}, scene, "zh")
    text_only = said("DerivedItem.PutOnHold", {"hold": hold}, scene, "zh")
    # Then the sentence's reason is Chinese; the older one keeps its recorded English
    assert sentence.endswith("DON-1 经回溯判定为不合格（HBV reactive）；此判定不可撤销")
    assert text_only.endswith(english)
    assert said("DerivedItem.PutOnHold", {"hold": hold}, scene) == (
        f"Put on hold under R-DON-7 by DON-1: {english}"
    )


def test_glossary_words_and_long_lists_are_said_in_the_readers_language() -> None:
    # roles are translated, untranslated words read without underscores, long lists are cut
    scene = Scene(subject="PER-1", item="PER-1")
    assert said("Person.Registered", {"roles": ["qp", "nurse"]}, scene, "zh") == (
        "已登记，角色：质量受权人、护士"
    )
    disposal = {"category": "non_conforming", "method": "autoclave", "witness": "PER-2"}
    assert said("DerivedItem.Disposed", {"disposal": disposal}, scene).startswith(
        "Disposed of as non conforming: autoclave"
    )
    codes = [f"PVL-{n}" for n in range(10)]
    linked = said("TracedItem.ItemsDerived", {"codes": codes, "step": "fill"}, scene)
    assert linked == "Linked to PVL-0, PVL-1, PVL-2, PVL-3, PVL-4, PVL-5, … (+4) (fill)"


# --- chain of custody ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event_type", "fields", "recorded_on", "belongs"),
    [
        ("ProductVial.Filled", {"code": VIAL}, VIAL, True),  # its own
        ("Shipment.Shipped", {"containers": {"CNT-1": [VIAL, OTHER]}}, SHIPMENT, True),
        ("Shipment.HandedOff", {"hand_off": {"custodian": "X", "at": AT}}, SHIPMENT, True),
        ("Shipment.ReadingsRecorded", {"logger": "LG", "readings": []}, SHIPMENT, True),
        ("SiteStock.ReceiptInspected", {"passed": [], "failed": {VIAL: "x"}}, SHIPMENT, True),
        ("SiteStock.ReleasedForUse", {"vials": [OTHER]}, SHIPMENT, False),  # not released
        ("SitePharmacy.VialDispensed", {"vial": OTHER, "patient": PATIENT}, SHIPMENT, False),
        ("SiteStock.VialThawed", {"vial": VIAL, "at": AT}, SHIPMENT, True),
        ("Accountable.Reconciled", {"reconciliation": {}}, SHIPMENT, False),
        ("Dosing.Administered", {"number": 1, "dose": {"vial": VIAL}}, PATIENT, True),
        ("Dosing.Administered", {"number": 2, "dose": {"vial": OTHER}}, PATIENT, False),
        ("Patient.Enrolled", {"code": PATIENT, "study": STUDY}, PATIENT, False),
    ],
)
def test_r_trc_2_a_vials_timeline_keeps_the_custody_events_that_concern_it(
    event_type: str, fields: dict[str, Any], recorded_on: str, belongs: bool
) -> None:
    assert concerns(event_type, fields, recorded_on, VIAL) is belongs


def test_r_acc_5_what_a_blinded_study_seals_never_reaches_a_sentence() -> None:
    # Given a kit's fill (its lot and arm sealed) and a lot's kits (their codes sealed)
    blinding = {"study": STUDY, "arm": "placebo", "sealed": "v1.sealed-lot-and-arm"}
    kit = Scene(subject=VIAL, item=VIAL)
    filled = describe("ProductVial.Filled", {"lot": STUDY, "blinding": blinding}, kit)
    sealed = {"count": 2, "sealed_codes": "v1.sealed-codes"}
    kits_filled = describe("ProductLot.KitsFilled", sealed, Scene("LOT-1", "LOT-1"))
    randomised = {"arms": {"1": "placebo"}, "numbers": 4, "sealed": "v1.x", "reference": "RL"}
    listed = describe("Randomised.RandomisationSealed", randomised, Scene(STUDY, STUDY))
    # Then no sentence is given the sealed fields, whatever its template would show
    for told in (filled, kits_filled, listed):
        assert not {"blinding", "sealed", "sealed_codes", "arms"} & set(told.params)
    assert filled.params["lot"] == STUDY


def test_r_acc_5_a_kits_timeline_says_the_same_for_both_arms_and_names_no_lot(
    clinic: Clinical,
) -> None:
    # Given a kit of each arm of a blinded study, shipped, received, released and stored
    app, c, _ = clinic
    study = blinded_study(app, c)
    by_arm = {arm: kit for kit, arm in kits(app, c, study).items()}
    lots = {vars(e)["lot"] for e in history(app, by_arm["active"])[:1]}
    said_of: dict[str, list[str]] = {}
    for arm, kit in by_arm.items():
        # When each kit's timeline is said, its custody included, in both languages
        (shipment,) = [c for e in history(app, kit) for c in vars(e).get("codes", [])]
        events = [(kit, e) for e in history(app, kit)] + [
            (shipment, e) for e in history(app, shipment)
        ]
        origins = {shipment: vars(history(app, shipment)[0])}
        said_of[arm] = [
            say_event(type(e).__qualname__, vars(e), Scene(kit, item, origins), lang).replace(
                kit, "KIT"
            )
            for item, e in events
            if concerns(type(e).__qualname__, vars(e), item, kit)
            for lang in LANGUAGES
        ]
    # Then both arms read alike, word for word, and nothing names an arm or a real lot
    assert said_of["active"] == said_of["placebo"]
    text = " ".join(said_of["active"])
    assert lots == {study}
    for word in ("active", "placebo", "安慰剂", "LOT-", "v1."):
        assert word not in text
