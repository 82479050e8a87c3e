"""Domain II records and story for `celltrace demo` and the tests: an extracellular-vesicle
specification with stability data (R-QC-1, R-QC-3), QC results, the steps from a thawed
working-bank vial to harvests (R-PRO-1, R-PRO-2), and the story through purification, QC,
certification, fill and disposal (R-PRO-3..6, R-QC-2), each through `CellTraceLedger`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from ledger.application import CellTraceLedger
from ledger.demo.records import Echo, Staff, expect_refusal
from ledger.domain.culture import PassagePlan
from ledger.domain.material_use import UseOf
from ledger.domain.purification import Purification
from ledger.domain.quality import QcResult
from ledger.domain.specification import SpecTest, Stability, TestCategory

EV_PRODUCT = "UC-MSC-EV"
EV_SPEC = "SPEC-UCMSC-EV"


def spec_test(
    test: str,
    category: TestCategory,
    method: str,
    unit: str = "",
    minimum: float | None = None,
    maximum: float | None = None,
    expected: str = "",
) -> SpecTest:
    return SpecTest(
        test=test,
        category=category.value,
        method=method,
        unit=unit,
        minimum=minimum,
        maximum=maximum,
        expected=expected,
    )


C = TestCategory
#: Release tests of umbilical-cord MSC extracellular vesicles (§5.5.1-5.5.4, §5.8).
EV_TESTS = [
    spec_test("size_mode", C.IDENTITY_SIZE, "NTA", "nm", 50, 200),
    spec_test("cd63_cd81", C.IDENTITY_POSITIVE_MARKER, "Western blot", expected="positive"),
    spec_test("calnexin", C.IDENTITY_NEGATIVE_MARKER, "Western blot", expected="negative"),
    spec_test("particles_per_ug_protein", C.PURITY, "NTA / BCA", "1e9/ug", minimum=1.0),
    spec_test("intact_membrane", C.INTEGRITY, "NanoFCM membrane dye", "%", minimum=70),
    spec_test("tube_formation", C.POTENCY, "HUVEC tube formation", "% of ref", 70, 130),
    spec_test("sterility", C.STERILITY, "ChP 1101 membrane filtration", expected="no growth"),
    spec_test("mycoplasma", C.MYCOPLASMA, "ChP 3301 qPCR", expected="negative"),
    spec_test("endotoxin", C.ENDOTOXIN, "ChP 1143 kinetic LAL", "EU/mL", maximum=2.0),
]
EV_STABILITY = Stability(
    study_ref="STAB-EV-2025-02",
    shelf_life_days=180,
    storage_min_c=-90.0,
    storage_max_c=-60.0,
    transport_min_c=-90.0,
    transport_max_c=-60.0,
)
PASSING = {
    "size_mode": "118",
    "cd63_cd81": "positive",
    "calnexin": "negative",
    "particles_per_ug_protein": "3.2",
    "intact_membrane": "86",
    "tube_formation": "104",
    "sterility": "no growth",
    "mycoplasma": "negative",
    "endotoxin": "0.4",
}
#: Genealogy-mandated tests are outsourced when §5.8 allows (animal viruses).
THIRD_PARTY = ("bovine_viruses", "porcine_parvovirus", "sterility", "mycoplasma")
TFF_SEC = Purification(
    "tangential_flow_filtration",
    {"cutoff_kda": "300", "tmp_bar": "0.8", "sec_column": "qEV10 70 nm"},
    volume_ml=20.0,
)
UC = Purification("ultracentrifugation", {"g_force": "100000", "minutes": "70"}, volume_ml=10.0)


def qc_result(
    test: str,
    value: str,
    in_spec: bool,
    unit: str,
    tested_on: date,
    method: str = "validated residue / virus assay",
) -> QcResult:
    return QcResult(
        test=test,
        method=method,
        laboratory="NIFDC-accredited lab" if test in THIRD_PARTY else "in-house QC",
        third_party=test in THIRD_PARTY,
        value=value,
        unit=unit,
        in_spec=in_spec,
        limit="" if test in PASSING else "not detected",
        report_ref=f"QC-{test}",
        tested_on=tested_on,
    )


def lot_results(
    app: CellTraceLedger, lot: str, *, failing: Mapping[str, str] = {}, skip: Sequence[str] = ()
) -> list[QcResult]:
    """A result for every required test of `lot`: passing, except `failing` (test -> value)."""
    item = app.get_product_lot(lot)
    spec = app.get_specification(item.specification).versions[item.spec_version]
    defined = {t["test"]: t for t in spec["tests"]}
    results = []
    for test in item.required_tests:
        if test in skip:
            continue
        value, passed = failing.get(test, PASSING.get(test, "not detected")), test not in failing
        if test in defined:
            unit, method = defined[test]["unit"], defined[test]["method"]
            results.append(qc_result(test, value, passed, unit, app.today(), method))
        else:
            results.append(qc_result(test, value, passed, "", app.today()))
    return results


def record_results(
    app: CellTraceLedger, staff: Staff, results: Sequence[QcResult], lot: str
) -> None:
    for result in results:
        app.record_lot_result(staff["qc_analyst"], lot, result)


def grow(app: CellTraceLedger, staff: Staff, vial: str, lots: Mapping[str, str]) -> str:
    """A culture from `vial`, passaged twice in serum-containing medium, then moved to the
    serum-free collection stage; returns its code."""
    operator = staff["operator"]
    serum_medium = [UseOf(lots["MEM-ALPHA"]), UseOf(lots["FBS-NZ"])]
    culture, _ = app.start_culture(operator, vial, serum_medium)
    passage = app.get_culture(culture).passage
    for number in (passage + 1, passage + 2):
        plan = PassagePlan(number, "50 % medium change every 48 h", "TrypLE, 5 min, 37 °C")
        app.record_passage(operator, culture, plan, serum_medium, [UseOf(lots["TRYPLE"])])
    app.begin_supernatant_collection(operator, culture, [UseOf(lots["SFM-EV"])])
    return culture


def harvest(
    app: CellTraceLedger, staff: Staff, culture: str, lots: Mapping[str, str], n: int
) -> list[str]:
    return [
        app.harvest_supernatant(staff["operator"], culture, 300.0, [UseOf(lots["SFM-EV"])])[0]
        for _ in range(n)
    ]


def issue_ev_specification(app: CellTraceLedger, staff: Staff) -> None:
    app.issue_specification(staff["qa"], EV_SPEC, EV_PRODUCT, EV_TESTS, EV_STABILITY)


def run_deviation(app: CellTraceLedger, staff: Staff, culture: str, lot: str, echo: Echo) -> str:
    """A minor deviation on the culture: the lot made from it waits for QA, who plans a CAPA
    action and closes the deviation, signed (R-QMS-2..4). Returns the deviation's code."""
    operator, qa = staff["operator"], staff["qa"]
    code, _ = app.record_deviation(
        operator, "unplanned", "minor", [culture], "incubator CO2 alarm for 15 min at P6"
    )
    echo(f"Deviation {code} (unplanned, minor) recorded against {culture} by the operator")
    expect_refusal(echo, lambda: app.certify_lot(qa, lot))
    due = app.today() + timedelta(days=30)
    capa, _ = app.plan_capa(
        qa, code, "add the CO2 alarm to the shift checklist", operator.person_id, due
    )
    app.close_deviation(
        qa,
        code,
        "CO2 back in range within 15 min; no effect on the harvests",
        "alarm unnoticed",
        [capa],
    )
    echo(
        f"{code}: CAPA {capa} planned (owner {operator.person_id}, due {due}); closed by QA, signed"
    )
    return code


def run_production(
    app: CellTraceLedger, staff: Staff, lots: Mapping[str, str], vial: str, echo: Echo
) -> tuple[list[str], str]:
    """From a thawed WCB vial to a certified, filled lot; a second lot fails QC and is disposed.
    Returns the filled product vials and a harvest kept for the blinded study."""
    operator, qa = staff["operator"], staff["qa"]
    issue_ev_specification(app, staff)
    echo(
        f"Specification {EV_SPEC} v1 approved by QA: {len(EV_TESTS)} release tests; shelf life "
        f"{EV_STABILITY['shelf_life_days']} days at -90..-60 C ({EV_STABILITY['study_ref']})"
    )
    culture = grow(app, staff, vial, lots)
    grown = app.get_culture(culture)
    echo(
        f"Culture {culture} from {vial}: passaged to P{grown.passage} in alpha-MEM + FBS "
        "(TrypLE), then moved to the serum-free supernatant-collection stage"
    )
    over = PassagePlan(grown.max_passage + 1, "50 % every 48 h", "TrypLE")
    expect_refusal(
        echo, lambda: app.record_passage(operator, culture, over, [UseOf(lots["SFM-EV"])])
    )
    made = harvest(app, staff, culture, lots, 4)
    echo(
        f"Harvests {', '.join(made)}: 300 mL of serum-free supernatant each ({made[3]} kept for "
        "the blinded study)"
    )
    buffer = [UseOf(lots["PBS-EV"])]
    good, _ = app.purify_lot(operator, made[:2], TFF_SEC, EV_SPEC, buffer)
    bad, _ = app.purify_lot(operator, made[2:3], UC, EV_SPEC, buffer)
    extra = sorted(set(app.get_product_lot(good).required_tests) - set(PASSING))
    echo(
        f"Lots {good} (TFF + SEC of {made[0]}, {made[1]}) and {bad} (ultracentrifugation of "
        f"{made[2]}); the genealogy adds the tests {', '.join(extra)}"
    )
    residue = "antibiotic_residue_not_detected"
    record_results(app, staff, lot_results(app, good, skip=[residue]), good)
    expect_refusal(echo, lambda: app.certify_lot(qa, good))
    record_results(app, staff, [r for r in lot_results(app, good) if r["test"] == residue], good)
    deviation = run_deviation(app, staff, culture, good, echo)
    app.certify_lot(qa, good)
    vials, _ = app.fill_lot(operator, good, 10, 1.0, "2 mL cryovial, closed")
    app.retain_samples(operator, good, [vials[-1]], "Retention store RS-1/box 2")
    lot = app.get_product_lot(good)
    echo(
        f"{good}: every required result in spec, certified by QA ({deviation} closed); filled "
        f"into {vials[0]} .. "
        f"{vials[-1]} (1 mL each), expiry {lot.expiry}, store {lot.storage['min_c']:g}.."
        f"{lot.storage['max_c']:g} C; {vials[-1]} kept as the retained sample"
    )
    record_results(app, staff, lot_results(app, bad, failing={"endotoxin": "12.5"}), bad)
    echo(f"{bad}: endotoxin 12.5 EU/mL (limit <= 2.0) - OOS investigation 1 opened, quarantined")
    oos = next(v for v, r in app.get_product_lot(bad).results.items() if not r["in_spec"])
    expect_refusal(echo, lambda: app.correct_entry(operator, bad, oos, "looks like a typo"))
    expect_refusal(echo, lambda: app.certify_lot(qa, bad))
    analyst = staff["qc_analyst"]
    app.record_oos_finding(analyst, bad, 1, "laboratory", "retained sample re-read: 12.1 EU/mL")
    app.record_oos_finding(qa, bad, 1, "production", "ultracentrifuge rotor seal worn")
    app.conclude_oos_investigation(qa, bad, 1, False, "", "confirmed: the lot failed endotoxin")
    app.reject_lot(qa, bad, "endotoxin out of specification, confirmed by investigation 1")
    echo(
        f"{bad}: OOS investigation 1 (laboratory and production findings) concluded by QA, "
        "signed: result confirmed; lot rejected, signed"
    )
    app.dispose_item(qa, bad, "non_conforming", "autoclave, then incineration", operator)
    echo(f"{bad}: disposed of as non-conforming by QA, witnessed by {operator.person_id}")
    expect_refusal(echo, lambda: app.fill_lot(operator, bad, 1, 1.0, "2 mL cryovial"))
    return vials, made[3]


def run_awaiting_certification(
    app: CellTraceLedger, staff: Staff, lots: Mapping[str, str], harvested: str, echo: Echo
) -> str:
    """One more harvest of the culture `harvested` came from, purified into a lot whose every
    release test passed: it waits for QA's certification (R-QC-2), on QA's dashboard."""
    culture = app.get_harvest(harvested).sources[0]
    made = harvest(app, staff, culture, lots, 1)
    lot, _ = app.purify_lot(staff["operator"], made, TFF_SEC, EV_SPEC, [UseOf(lots["PBS-EV"])])
    record_results(app, staff, lot_results(app, lot), lot)
    echo(
        f"{lot} (TFF + SEC of {made[0]}): every release test passed; it awaits QA's "
        "certification on the QA dashboard"
    )
    return lot
