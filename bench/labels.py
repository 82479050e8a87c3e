"""Label throughput (R-ID-2): signed labels per second as PNG, SVG and ZPL, a 100-label PDF sheet,
and offline verification of scanned QR text."""

from __future__ import annotations

from collections.abc import Callable

from bench.common import machine, median_rate, write_section
from label_printing.examples import EXAMPLE_BASE_URL, fill_run
from label_printing.examples import example_signer as signer
from label_printing.payload import qr_text, verify_scan
from label_printing.pdf import L7651, render_sheet
from label_printing.render import PreparedLabel, prepare_label, render_png, render_svg
from label_printing.zpl import render_zpl

SINGLE = 40
SHEET = 100


def per_label(render: Callable[[PreparedLabel], object]) -> Callable[[], int]:
    """Sign, encode, lay out and render SINGLE vial labels one by one."""
    vials = fill_run(SINGLE)
    key = signer()

    def run() -> int:
        for content in vials:
            render(prepare_label(content, key, EXAMPLE_BASE_URL))
        return SINGLE

    return run


def sheet() -> int:
    key = signer()
    labels = [prepare_label(c, key, EXAMPLE_BASE_URL, L7651.stock) for c in fill_run(SHEET)]
    render_sheet(labels)
    return SHEET


def verify() -> int:
    key = signer()
    texts = [qr_text(c, key, EXAMPLE_BASE_URL) for c in fill_run(SHEET)]
    for text in texts:
        verify_scan(text, [key.verifier()])
    return SHEET


def main() -> None:
    rates = {
        "sign + QR encode + layout, no file": median_rate(per_label(lambda label: label)),
        "PNG, 300 dpi": median_rate(per_label(render_png)),
        "SVG": median_rate(per_label(render_svg)),
        "ZPL, 203 dpi": median_rate(per_label(render_zpl)),
        f"PDF sheet of {SHEET} labels (A4 65-up, 2 pages)": median_rate(sheet, repeats=3),
        "verify_scan of QR text (offline)": median_rate(verify),
    }
    for name, rate in rates.items():
        print(f"{name}: {rate:,.0f} labels/s", flush=True)
    rows = "\n".join(f"| {name} | {rate:,.0f} |" for name, rate in rates.items())
    body = f"""## Labels (R-ID-2)

Machine: {machine()}. One run of `python -m bench.labels`; each rate is the median of 5 runs
of {SINGLE} product-vial labels (the sheet: median of 3 runs of {SHEET} labels; verify: of 5 runs
of {SHEET} scans). Every label is signed with Ed25519, QR-encoded (level M, version 8-9),
laid out on its stock (cryovial 38 x 19 mm; sheet labels 38.1 x 21.2 mm) and rendered.
Building the payload's QR symbol with the pure-Python `qrcode` package dominates.

| output | labels per second |
|---|---|
{rows}"""
    write_section("labels", body)


if __name__ == "__main__":
    main()
