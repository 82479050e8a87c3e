"""CellTrace label printing: label content, signed QR payloads and renderers (R-ID-2, R-ID-3)."""
