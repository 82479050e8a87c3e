"""Label throughput (R-ID-2): signed labels per second of CPU time as ZPL, PNG, SVG, a 100-label
PDF sheet, and offline verification of scanned QR text; against a baseline measured in the same
run: the same labels' QR symbols built as `qrcode` builds them (``make(fit=True)``, every mask
tried), the encoder the labels used before.

`python -m bench labels` records the table in docs/benchmarks.md; `--quick` (a spot check, well
under a minute) records nothing. Both print the rates and ratios as JSON on their last line.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable, Sequence

import qrcode
from qrcode.constants import ERROR_CORRECT_M

from bench.common import machine, write_section
from label_printing.content import LabelContent
from label_printing.examples import EXAMPLE_BASE_URL, fill_run
from label_printing.examples import example_signer as signer
from label_printing.payload import qr_text, verify_scan
from label_printing.pdf import L7651, render_sheet
from label_printing.render import PreparedLabel, prepare_label, render_png, render_svg
from label_printing.zpl import render_zpl

SHEET = 100
ZPL_TARGET = 5000
PNG_TARGET = 300


def cpu_rate(run: Callable[[Sequence[LabelContent]], int], batch: int, repeats: int) -> float:
    """Median over ``repeats`` runs of items per CPU second; each run gets vials of its own
    (fresh item codes, so no run reuses a cache filled by the one before)."""
    vials = fill_run(batch * repeats)
    rates = []
    for i in range(repeats):
        chunk = vials[i * batch : (i + 1) * batch]
        start = time.process_time()
        n = run(chunk)
        rates.append(n / max(time.process_time() - start, 1e-9))
    return statistics.median(rates)


def per_label(render: Callable[[PreparedLabel], object]) -> Callable[[Sequence[LabelContent]], int]:
    """Sign, take the QR version, lay out and render the vial labels one by one."""
    key = signer()

    def run(vials: Sequence[LabelContent]) -> int:
        for content in vials:
            render(prepare_label(content, key, EXAMPLE_BASE_URL))
        return len(vials)

    return run


def baseline(vials: Sequence[LabelContent]) -> int:
    """Sign and build each QR symbol with `qrcode`'s own fitting and mask choice."""
    key = signer()
    for content in vials:
        code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
        code.add_data(qr_text(content, key, EXAMPLE_BASE_URL))
        code.make(fit=True)
        code.get_matrix()
    return len(vials)


def sheet(vials: Sequence[LabelContent]) -> int:
    key = signer()
    render_sheet([prepare_label(c, key, EXAMPLE_BASE_URL, L7651.stock) for c in vials])
    return len(vials)


def verify(vials: Sequence[LabelContent]) -> int:
    key = signer()
    texts = [qr_text(c, key, EXAMPLE_BASE_URL) for c in vials]
    for text in texts:
        verify_scan(text, [key.verifier()])
    return len(texts)


def main(argv: Sequence[str] = ()) -> None:
    quick = "--quick" in argv
    load = os.getloadavg()[0]
    single, repeats = (100, 3) if quick else (400, 5)
    base = cpu_rate(baseline, 20 if quick else 40, repeats)
    rates = {
        "ZPL, 203 dpi": cpu_rate(per_label(render_zpl), single, repeats),
        "PNG, 300 dpi": cpu_rate(per_label(render_png), single, repeats),
        "SVG": cpu_rate(per_label(render_svg), single // 4, repeats),
        "sign + QR version + layout, no file": cpu_rate(per_label(lambda x: x), single, repeats),
        f"PDF sheet of {SHEET} labels (A4 65-up, 2 pages)": cpu_rate(sheet, SHEET, 3),
        "verify_scan of QR text (offline)": cpu_rate(verify, SHEET, repeats),
    }
    zpl, png = rates["ZPL, 203 dpi"], rates["PNG, 300 dpi"]
    for name, rate in rates.items():
        print(f"{name}: {rate:,.0f} labels/s CPU ({_ratio(name, rate, base)} the baseline)")
    print(f"baseline, sign + qrcode make(fit=True): {base:,.0f} labels/s CPU", flush=True)
    if not quick:
        rows = "\n".join(
            f"| {name} | {rate:,.0f} | {_ratio(name, rate, base)} |" for name, rate in rates.items()
        )
        write_section("labels", _body(rows, base, single, repeats, load))
    print(
        json.dumps(
            {
                "baseline_qrcode_labels_per_s": round(base, 1),
                "zpl_labels_per_s": round(zpl, 1),
                "png_labels_per_s": round(png, 1),
                "zpl_vs_baseline": round(zpl / base, 2),
                "png_vs_baseline": round(png / base, 2),
                "zpl_vs_target": round(zpl / ZPL_TARGET, 2),
                "png_vs_target": round(png / PNG_TARGET, 2),
            }
        ),
        flush=True,
    )


def _ratio(name: str, rate: float, base: float) -> str:
    """The rate against the baseline; a scan makes no symbol, so it has none."""
    return "-" if name.startswith("verify") else f"{rate / base:.1f}x"


def _body(rows: str, base: float, single: int, repeats: int, load: float) -> str:
    return f"""## Labels (R-ID-2)

Machine: {machine()}; load average {load:.1f} at the start (other work
on the machine). One run of `python -m bench labels`; rates are labels per second of
process CPU time, each the median of {repeats} runs of {single} product-vial labels (SVG: of
{single // 4}; the sheet: of 3 runs of {SHEET} labels; verify: of {repeats} runs of {SHEET}
scans), every run with item codes of its own. Every label is signed with Ed25519, its QR version
(level M, 8 here) looked up from the payload's segments, laid out on its stock (cryovial
38 x 19 mm; sheet labels 38.1 x 21.2 mm) and rendered. ZPL never builds the QR matrix (the
printer draws it); PNG, SVG and PDF build it with zxing-cpp. The PNG is 1-bit: the symbol is
one bitmap pasted, and each text line is rasterised once per font size and reused (a fill run
shares every line but the code). Baseline, same run: signing and building the symbol with
`qrcode`'s `make(fit=True)`, as every label did before: **{base:,.0f} labels/s**.
Targets: ZPL at least {ZPL_TARGET:,}/s, PNG at least {PNG_TARGET}/s.
`python -m bench labels --quick` (about 10 s) is a spot check that records nothing; both print
the rates and ratios as JSON on their last line.

| output | labels per CPU second | vs. baseline |
|---|---|---|
{rows}"""


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
