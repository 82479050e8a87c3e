"""CellTrace label printing: label content, signed QR payloads and renderers (R-ID-2, R-ID-3).

``content`` / ``stages`` (what a label says, per stage; no arm field), ``payload`` (the signed
QR text and :func:`~label_printing.payload.verify_scan`), ``badge`` (a staff badge's QR code at
sign-in), ``signing`` (the label key), ``qr``, ``layout``, ``render`` (PNG, SVG), ``pdf``
(pages and sheets), ``zpl`` (Zebra), ``zebra`` (printers and their raw TCP port) and ``cli``
(file writers for the ``celltrace`` command). The format is specified in docs/label-format.md.
"""
