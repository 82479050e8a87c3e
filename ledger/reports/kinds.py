"""The kinds of report and what each is of, named without loading the PDF and signing code
(the command line lists them at every start)."""

from __future__ import annotations

SUBJECTS = {
    "batch-record": "a product lot (LOT-...)",
    "coa": "a certified product lot (LOT-...)",
    "qp-release": "a shipment the site QP released (SHP-...)",
    "patient": "a patient (PAT-...)",
}
