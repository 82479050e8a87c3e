"""An OOS investigation over HTTP (R-QMS-1, R-QMS-3, R-QMS-5, R-LED-5): the out-of-spec result
opens it and quarantines the lot, nobody strikes the result, QA's conclusion is signed, the
retest names the result it replaces, and only then is the lot certified."""

from __future__ import annotations

from ledger.demo.production import lot_results
from tests.domain2 import purified_lot
from tests.e2e.conftest import ClinicApi, signed


def test_r_qms_1_an_oos_result_is_investigated_and_concluded_by_qa_over_http(
    clinic_api: ClinicApi,
) -> None:
    api = clinic_api
    lot = purified_lot(api.ledger, api.clinic.plant)
    results = [{**r, "tested_on": str(r["tested_on"])} for r in lot_results(api.ledger, lot)]
    for result in results:
        if result["test"] == "endotoxin":
            result.update(value="40", in_spec=False)
        last = api.posted("qc_analyst", f"/lots/{lot}/results", result)["notification_id"]
    # The out-of-spec result opened investigation 1 and quarantined the lot
    (opened,) = api.get("qa", f"/lots/{lot}/investigations").json()
    assert (opened["investigation"], opened["test"], opened["outcome"]) == (1, "endotoxin", "open")
    assert api.get("qa", f"/items/{lot}", after=last).json()["status"] == "quarantined"
    # and the lot's trace shows the open investigation (R-QMS-3)
    nodes = api.get("qa", f"/items/{lot}/trace", direction="up").json()["nodes"]
    lot_node = next(n for n in nodes if n["code"] == lot)
    assert lot_node["quality"] == [f"OOS investigation 1 of {lot} (endotoxin)"]
    before = api.last_id()
    # Nobody strikes the result out, and QA cannot certify, each refusal naming its rule
    struck = api.post(
        "operator", f"/items/{lot}/corrections", {"version": opened["result"], "reason": "typo"}
    )
    assert struck.status_code == 409 and "R-QMS-1" in struck.text
    certify = api.post("qa", f"/lots/{lot}/certify", signed())
    assert certify.status_code == 409
    assert {"R-QMS-5", "R-QMS-3"} <= {v["rule"] for v in certify.json()["violations"]}
    # A conclusion without QA's own password is refused 401
    conclusion = {
        "investigation": 1,
        "invalidate": True,
        "assignable_cause": "sample diluted 1:100, read neat",
        "conclusion": "laboratory error; result invalid",
    }
    wrong = api.post("qa", f"/lots/{lot}/oos-conclusion", {**conclusion, **signed("wrong")})
    assert wrong.status_code == 401
    assert api.last_id() == before
    # The laboratory's finding, then QA's signed conclusion
    finding = {"investigation": 1, "phase": "laboratory", "finding": "dilution step skipped"}
    api.posted("qc_analyst", f"/lots/{lot}/oos-findings", finding)
    last = api.posted("qa", f"/lots/{lot}/oos-conclusion", {**conclusion, **signed()})[
        "notification_id"
    ]
    (concluded,) = api.get("qa", f"/lots/{lot}/investigations").json()
    assert concluded["outcome"] == "invalidated" and len(concluded["findings"]) == 1
    assert api.get("qa", f"/items/{lot}", after=last).json()["status"] == "awaiting QC"
    # The retest names the result it replaces; the lot is certified
    retest = {**next(r for r in results if r["test"] == "endotoxin"), "value": "0.4"}
    retest.update(in_spec=True, replaces=opened["result"])
    api.posted("qc_analyst", f"/lots/{lot}/results", retest)
    last = api.posted("qa", f"/lots/{lot}/certify", signed())["notification_id"]
    assert api.get("qa", f"/items/{lot}", after=last).json()["status"] == "certified"
