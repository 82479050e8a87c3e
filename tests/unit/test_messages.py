"""Refusals in the operator's language: a `Violation` keeps its English message and equality,
and renders in Simplified Chinese from the catalogue, with format specs, glossary words,
lists and nested sentences; real refusals of the domain come out in Chinese."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from ledger.domain.adverse_event import StudyStatus
from ledger.domain.bank_vial import Tier
from ledger.domain.base import stamped
from ledger.domain.bedside import decide
from ledger.domain.change_control import ChangeCategory
from ledger.domain.collection import SampleType
from ledger.domain.donor_standing import ConsentScope, Eligibility
from ledger.domain.isolation import IsolationMethod
from ledger.domain.material import AnimalSpecies
from ledger.domain.material_lot import Status
from ledger.domain.material_use import Stage
from ledger.domain.people import Person, Role
from ledger.domain.study import STANDARD_VISITS, Route
from ledger.errors import InvalidInput, NotFound, RuleViolation, Violation
from ledger.identifiers import ItemType, format_code, parse_code
from ledger.item_effects import statuses
from ledger.messages import Sentence, preferred_language, status_term, term
from ledger.messages_zh import GLOSSARY
from tests.domain1 import NOW, STAMP, TODAY, settled
from tests.unit.test_bedside_decision import GOOD


def test_violation_of_keeps_the_english_message_and_equality() -> None:
    # Given a templated violation and the plain one the code used to build
    templated = Violation.of("R-SHP-1", "{vial} was already shipped", vial="PVL-1")
    plain = Violation("R-SHP-1", "PVL-1 was already shipped")
    # Then the message is the English text, and both are equal (and hash alike)
    assert templated.message == "PVL-1 was already shipped"
    assert templated == plain and hash(templated) == hash(plain)
    assert templated.render() == templated.message


def test_violation_renders_in_chinese_with_the_same_rule() -> None:
    violation = Violation.of("R-SHP-1", "{vial} was already shipped", vial="PVL-1")
    assert violation.render("zh") == "PVL-1 已发运"
    assert violation.rule == "R-SHP-1"


def test_format_specs_work_in_both_languages() -> None:
    # Given a dose refusal with {dose:g} and a time with {thawed_at:%H:%M}
    decision = decide(
        replace(GOOD, dose=2.50, thawed_at=NOW - timedelta(minutes=61), cohort_doses=(1.0, 5.0))
    )
    english = [r.message for r in decision.reasons]
    chinese = [r.render("zh") for r in decision.reasons]
    # Then both languages format the numbers and times the same way
    thawed = f"{NOW - timedelta(minutes=61):%H:%M}"
    assert any(f"thawed at {thawed}" in m for m in english)
    assert any(f"于 {thawed} 复苏" in m for m in chinese)
    assert "2.5 mL is not a dose level of cohort high (1, 5 mL)" in english
    assert "2.5 mL 不是剂量组 high 的剂量水平（1、5 mL）" in chinese


def test_words_are_translated_and_codes_are_not() -> None:
    # Given a bedside refusal for a paused study and a route outside the protocol
    decision = decide(replace(GOOD, study_status="paused", route="intranasal"))
    chinese = {r.rule: r.render("zh") for r in decision.reasons}
    english = {r.rule: r.message for r in decision.reasons}
    # Then status and routes are words of the glossary, the study code stays a code
    assert english["R-CLN-4"].startswith("study STU-F01-26-000001-X is paused;")
    assert chinese["R-CLN-4"].startswith("研究 STU-F01-26-000001-X 已暂停；")
    assert english["R-CLN-2"] == (
        "route intranasal is not allowed by the protocol (intravenous, intra_arterial)"
    )
    assert chinese["R-CLN-2"] == "研究方案不允许此给药途径：鼻内给药（允许：静脉注射、动脉内注射）"


def test_roles_keep_their_code_for_sign_in() -> None:
    # Given an analyst asked to thaw as an operator (R-PPL-2)
    analyst = _person("qc_analyst")
    missing = analyst.missing_for("banks.thaw", "operator", TODAY)
    # Then the Chinese names the role and keeps the code to sign in with
    assert missing[0].render("zh") == (
        "PER-F01-26-000009-X 没有 banks.thaw 所需的操作员角色；请联系管理员授予"
    )
    assert missing[1].render("zh").startswith("PER-F01-26-000009-X 没有 banks.thaw 的培训记录")


def test_nested_sentences_render_in_the_same_language() -> None:
    problem = Sentence("wrong password for {person}", person="PER-1")
    outer = Sentence("R-LED-5: electronic signature refused: {problem}.", problem=problem)
    assert outer.render() == "R-LED-5: electronic signature refused: wrong password for PER-1."
    assert outer.render("zh") == "R-LED-5：电子签名被拒绝：PER-1 的密码错误。"


def test_an_untranslated_template_or_language_falls_back_to_english() -> None:
    sentence = Sentence("{code} is fine", code="X")
    assert sentence.render("zh") == "X is fine"
    assert Violation.of("R-SHP-1", "{vial} was already shipped", vial="V").render("fr") == (
        "V was already shipped"
    )
    # a plain Violation is looked up as it is, never formatted
    assert Violation("R-CLN-4", "describe the adverse event").render("zh") == "请描述该不良事件"
    assert Violation("R-X", "odd {brace}").render("zh") == "odd {brace}"


def test_rule_violation_detail_renders_every_violation_with_its_rule() -> None:
    refusal = RuleViolation(
        [
            Violation.of("R-SHP-1", "{code} was already delivered", code="SHP-1"),
            Violation.of("R-SHP-1", "give the logger's serial number"),
        ]
    )
    assert refusal.detail == (
        "R-SHP-1: SHP-1 was already delivered; R-SHP-1: give the logger's serial number"
    )
    assert refusal.render("zh") == "R-SHP-1: SHP-1 已送达；R-SHP-1: 请填写温度记录仪的序列号"


def test_r_id_1_a_mistyped_code_is_refused_in_chinese() -> None:
    # Given a code with a wrong check character
    with pytest.raises(InvalidInput) as refusal:
        parse_code("PVL-F01-26-000042-0")
    # Then the English detail is unchanged and the Chinese keeps the rule and the code
    assert refusal.value.detail.startswith("R-ID-1: item code 'PVL-F01-26-000042-0' refused: ")
    assert refusal.value.render("zh") == (
        "R-ID-1：物品编码 'PVL-F01-26-000042-0' 被拒绝："
        "校验字符不匹配：编码输错或识读错误；请重新扫描标签或重新输入。"
    )


def test_r_id_1_a_code_of_the_wrong_type_names_both_types_in_chinese() -> None:
    code = format_code(ItemType.PRODUCT_VIAL, "F01", 2026, 42)
    with pytest.raises(InvalidInput) as refusal:
        parse_code(code, ItemType.BANK_VIAL)
    assert "expected a bank vial (BVL-...), got a product vial (PVL-...)" in refusal.value.detail
    assert "应为细胞库冻存管（BVL-...），实际为制剂瓶（PVL-...）" in refusal.value.render("zh")


def test_not_found_detail_can_be_a_sentence() -> None:
    error = NotFound(Sentence("{code} is not recorded in this ledger", code="DON-1"))
    assert error.detail == str(error) == "DON-1 is not recorded in this ledger"
    assert error.render("zh") == "本账本中没有 DON-1 的记录"
    assert NotFound("plain detail").render("zh") == "plain detail"


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "en"),
        ("", "en"),
        ("zh", "zh"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("zh-Hans", "zh"),
        ("en-US,en;q=0.9,zh-CN;q=0.8", "en"),
        ("fr-FR,zh;q=0.5", "zh"),
        ("de, fr", "en"),
        ("en;q=0.2, zh;q=0.8", "zh"),
        ("zh;q=abc", "en"),
    ],
)
def test_the_request_language_follows_accept_language(header: str | None, language: str) -> None:
    assert preferred_language(header) == language


def test_words_shown_in_refusals_are_in_the_glossary() -> None:
    # Given every value the refusals show as a glossary word (statuses, roles, routes...)
    words = (
        {t.label for t in ItemType}
        | {r.value for r in Role}
        | {s.value for s in StudyStatus}
        | {t.value for t in Tier}
        | {f"{t.value} bank vial" for t in Tier}
        | {e.value.replace("_", " ") for e in Eligibility}
        | {c.value.replace("_", " ") for c in ConsentScope}
        | {f"change:{c.value.replace('_', ' ')}" for c in ChangeCategory}
        | {s.value for s in SampleType}
        | {m.value for m in IsolationMethod}
        | {s.value for s in Status}
        | {s.value for s in Stage}
        | {s.value.replace("_", " ") for s in Stage}
        | {a.value for a in AnimalSpecies}
        | {r.value for r in Route}
        | {v["label"] for v in STANDARD_VISITS}
    )
    # Then each has a Chinese word
    assert sorted(words - set(GLOSSARY)) == []


def test_every_item_status_has_a_chinese_word() -> None:
    # Given every status the read model can show (scans, traces, the public page)
    shown = statuses()
    assert {"active", "on hold", "eligible", "ineligible", "dispensed"} <= shown
    # Then each is in the glossary, so a Chinese page never shows an English status
    assert sorted(shown - set(GLOSSARY)) == []
    assert term("released for use", "zh") == "已放行使用"
    # "active" is an ongoing study, but an item in use otherwise
    assert status_term("active", "STU", "zh") == "正在进行"
    assert status_term("active", "CEL", "zh") == "在用"
    assert status_term("active", "CEL", "en") == "active"


def _person(*roles: str) -> Person:
    with stamped(STAMP):
        return settled(Person("PER-F01-26-000009-X", list(roles)))
