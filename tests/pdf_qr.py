"""Read the QR codes of a PDF label or badge with a real decoder: the vector QR modules of a
page (filled rectangles) are painted onto an image that zxing-cpp decodes."""

from __future__ import annotations

import io
import math
from collections.abc import Iterable

import zxingcpp
from PIL import Image, ImageDraw
from pypdf import PdfReader
from pypdf.generic import ContentStream

Rect = tuple[float, float, float, float]  # left, top, width, height


def pdf_rects(reader: PdfReader, page_number: int) -> tuple[list[Rect], float, float]:
    """The filled rectangles of a page, in points from the top-left corner."""
    page = reader.pages[page_number]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    rects = []
    for operands, operator in ContentStream(page.get_contents(), reader).operations:
        if operator == b"re":
            x, y, w, h = (float(v) for v in operands)
            rects.append((x, height - max(y, y + h), w, abs(h)))
    return rects, width, height


def raster(rects: Iterable[Rect], width: float, height: float, px_per_unit: float) -> Image.Image:
    """Paint dark rectangles (the vector QR modules of an SVG or PDF) onto a white image."""
    image = Image.new("L", (math.ceil(width * px_per_unit), math.ceil(height * px_per_unit)), 255)
    draw = ImageDraw.Draw(image)
    for left, top, w, h in rects:
        box = [round(v * px_per_unit) for v in (left, top, left + w, top + h)]
        draw.rectangle((box[0], box[1], box[2] - 1, box[3] - 1), fill=0)
    return image


def decode(image: Image.Image) -> list[str]:
    """The text of every QR code zxing-cpp finds in the image."""
    found = zxingcpp.read_barcodes(image)
    return [r.text for r in found if r.format == zxingcpp.BarcodeFormat.QRCode]


def pdf_qr_texts(pdf: bytes, page_number: int = 0, px_per_point: float = 4) -> list[str]:
    """The QR texts of one page of a PDF."""
    reader = PdfReader(io.BytesIO(pdf))
    rects, width, height = pdf_rects(reader, page_number)
    return decode(raster(rects, width, height, px_per_point))
