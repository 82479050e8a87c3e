"""R-ID-2 / R-ID-3: what each label type says, and blinded vials that do not reveal the arm."""

from __future__ import annotations

import dataclasses
import inspect
import re
from datetime import UTC, date, datetime

import pytest

from label_printing import phrases, stages
from label_printing.content import LabelContent
from label_printing.errors import LabelContentError, LabelLayoutError
from label_printing.examples import (
    EXAMPLE_BASE_URL,
    blinded_vial,
    code,
    example_labels,
    example_signer,
)
from label_printing.layout import CRYOVIAL, layout_label
from label_printing.payload import LabelFields, qr_text
from label_printing.phrases import Language
from label_printing.render import prepare_label, render_svg
from label_printing.zpl import render_zpl
from ledger.identifiers import CodeProblem, InvalidCodeError, ItemType, parse_code

HUMAN_MATERIAL = ("bank_vial", "culture_vessel", "harvest_container", "product_vial")


@pytest.mark.parametrize("name", [*HUMAN_MATERIAL, "blinded_vial", "shipment_container"])
def test_r_id_2_material_labels_carry_code_lot_storage_and_statements(name: str) -> None:
    # Given the label of an item of human origin
    content = example_labels()[name]
    # When its lines are printed
    lines = content.lines()
    # Then the code comes first, then the product, and every expected element is there
    assert lines[0] == str(content.code)
    assert lines[1] == content.product
    assert f"Lot {content.lot}" in lines
    assert "For clinical research use only" in lines
    assert "Human origin: biohazard" in lines
    assert isinstance(content.storage, phrases.Phrase)
    assert content.storage.en in lines
    assert lines[-1] == content.facility


@pytest.mark.parametrize(
    ("name", "prefix"),
    [("culture_vessel", "DON"), ("harvest_container", "DON"), ("product_vial", "PAT")],
)
def test_r_id_2_autologous_material_shows_autologous_use_and_the_donor_or_recipient(
    name: str, prefix: str
) -> None:
    content = example_labels()[name]
    assert content.autologous is not None
    assert f"For autologous use only: {content.autologous}" in content.lines()
    assert str(content.autologous).startswith(prefix)


def test_r_id_2_expiry_prints_date_or_local_time_with_its_offset() -> None:
    labels = example_labels()
    assert "EXP 2026-12-31" in labels["product_vial"].lines()
    assert "EXP 2026-03-14 18:30 +08:00" in labels["harvest_container"].lines()
    utc = dataclasses.replace(labels["product_vial"], expiry=datetime(2026, 5, 1, 8, 0, tzinfo=UTC))
    assert "EXP 2026-05-01 08:00 UTC" in utc.lines()


def test_r_id_2_wristband_shows_pseudonymous_code_study_and_site_only() -> None:
    band = example_labels()["patient_wristband"]
    assert band.lines() == (
        "PAT-F01-26-000007-9",
        "CT-101 phase I/II",
        "Clinical trial participant",
        "Match the recipient code on the product label",
        "University Hospital",
    )
    assert band.lot is None and band.expiry is None


def test_r_id_2_statements_have_chinese_variants() -> None:
    # Given the example product vial / When printed in Chinese / Then fixed phrases translate
    lines = example_labels()["product_vial"].lines(Language.ZH)
    assert "仅供临床研究使用" in lines
    assert "批号 LOT-F01-26-000003-1" in lines
    assert any(line.startswith("仅限自体使用: PAT-") for line in lines)
    # And every phrase has both languages, the English one printable with ISO 8859-1 fonts
    for phrase in (v for v in vars(phrases).values() if isinstance(v, phrases.Phrase)):
        assert phrase.zh
        phrase.en.encode("latin-1")


def test_r_id_3_label_content_has_no_arm_field_and_blinded_factory_takes_no_arm() -> None:
    # Given the label model and the blinded vial factory
    field_names = {f.name for f in dataclasses.fields(LabelContent)}
    parameters = set(inspect.signature(stages.blinded_product_vial).parameters)
    # Then neither has anything that could carry the arm
    for forbidden in ("arm", "placebo", "active", "treatment", "dose"):
        assert not any(forbidden in name for name in field_names | parameters)


def _vials_of_blinded_lot() -> dict[str, LabelContent]:
    # The ledger knows each vial's arm; labelling only ever hands the lot's facts over.
    arms = {"active": 43, "placebo": 44}
    return {arm: blinded_vial(serial) for arm, serial in arms.items()}


def test_r_id_3_blinded_active_and_placebo_contents_differ_only_in_the_code() -> None:
    # Given an active and a placebo vial of the same blinded lot
    vials = _vials_of_blinded_lot()
    active, placebo = vials["active"], vials["placebo"]
    # Then their contents are equal once the code is the same
    assert active.code != placebo.code
    assert dataclasses.replace(active, code=placebo.code) == placebo
    assert active.blinded and placebo.blinded
    # And their printed lines differ in the first (the code) only
    assert active.lines()[1:] == placebo.lines()[1:]


def test_r_id_3_blinded_rendered_labels_and_payloads_differ_only_in_the_code() -> None:
    # Given both vials rendered with the same key
    signer, vials = example_signer(), _vials_of_blinded_lot()
    labels = {arm: prepare_label(c, signer, EXAMPLE_BASE_URL) for arm, c in vials.items()}

    def neutral(text: str, arm: str) -> str:
        # Remove what must differ: the code and the signature over it (QR path and payload).
        text = text.replace(str(vials[arm].code), "CODE")
        text = re.sub(r'<path d="[^"]*"', "<path", text)
        return re.sub(r"\.[A-Z2-7]{103}", ".SIGNATURE", text)

    # When rendered as SVG and ZPL / Then only the code and the signature differ
    svg = {arm: neutral(render_svg(label), arm) for arm, label in labels.items()}
    zpl = {arm: neutral(render_zpl(label), arm) for arm, label in labels.items()}
    assert svg["active"] == svg["placebo"]
    assert zpl["active"] == zpl["placebo"]
    # And the signed fields carry no arm: only the code differs
    fields = {arm: LabelFields.of(c) for arm, c in vials.items()}
    assert dataclasses.replace(fields["active"], code=fields["placebo"].code) == fields["placebo"]
    payloads = {arm: qr_text(c, signer, EXAMPLE_BASE_URL) for arm, c in vials.items()}
    assert neutral(payloads["active"], "active") == neutral(payloads["placebo"], "placebo")


def test_r_id_2_label_kind_must_match_the_item_type() -> None:
    product_vial = example_labels()["product_vial"]
    with pytest.raises(LabelContentError, match=r"needs a PVL-\.\.\. code"):
        dataclasses.replace(product_vial, code=parse_code(code(ItemType.BANK_VIAL, 1)))


def test_r_id_2_wrong_kind_of_lot_or_recipient_is_refused_by_the_code_parser() -> None:
    # Given a product vial whose lot is a vial code, or whose recipient is a staff member
    wrong = [
        {"lot": code(ItemType.PRODUCT_VIAL, 2)},
        {"lot": code(ItemType.PRODUCT_LOT, 2), "recipient": code(ItemType.PERSON, 3)},
        {"lot": code(ItemType.PRODUCT_LOT, 2), "recipient": code(ItemType.DONOR, 3)},
    ]
    for codes in wrong:
        # When its label content is built / Then parse_code refuses the wrong item type
        with pytest.raises(InvalidCodeError) as refused:
            stages.product_vial(
                code(ItemType.PRODUCT_VIAL, 1),
                product="CT-101",
                expiry=date(2026, 1, 1),
                facility="F01",
                **codes,
            )
        assert refused.value.problem is CodeProblem.WRONG_TYPE


@pytest.mark.parametrize("bad", ["", "   ", "two\nlines", "tab\there", "x" * 61])
def test_r_id_2_free_text_must_be_one_printable_line(bad: str) -> None:
    with pytest.raises(LabelContentError, match="one line of 1 to 60 printable"):
        stages.generic_label(code(ItemType.MATERIAL_LOT, 1), product=bad, facility="F01")


def test_r_id_2_content_too_long_for_a_cryovial_is_refused_with_advice() -> None:
    # Given a product name that cannot fit beside the QR code of a cryovial label
    content = dataclasses.replace(
        example_labels()["product_vial"], product="Mesenchymalstromalcellsuspensionforinfusion"
    )
    # When laid out / Then the error names the larger stocks
    with pytest.raises(LabelLayoutError, match="larger stock"):
        layout_label(content, CRYOVIAL)
