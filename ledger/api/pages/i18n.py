"""The user-facing words of the pages, in English and Simplified Chinese.

The language comes from `?lang=`, then the `lang` cookie, then the browser's Accept-Language.
Every page string is looked up here, so a missing translation is a test failure, not a
silently English word on a Chinese page.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request

from ledger.messages import preferred_language

LANGUAGES = ("en", "zh")

MESSAGES: dict[str, dict[str, str]] = {
    "app.name": {"en": "CellTrace", "zh": "CellTrace 细胞溯源"},
    "app.tagline": {
        "en": "GMP traceability ledger",
        "zh": "GMP 可追溯账本",
    },
    "lang.switch": {"en": "中文", "zh": "English"},
    "item.type": {"en": "Item type", "zh": "物品类型"},
    "item.code": {"en": "Code", "zh": "编码"},
    "item.status": {"en": "Status", "zh": "状态"},
    "item.lot": {"en": "Lot", "zh": "批号"},
    "item.expiry": {"en": "Expiry", "zh": "有效期"},
    "item.recorded": {"en": "First recorded", "zh": "首次记录"},
    "item.holds": {"en": "On hold", "zh": "暂停使用"},
    "item.unknown": {
        "en": "This code is not recorded in this ledger. Check that you scanned the right label.",
        "zh": "本账本中没有此编码的记录。请确认扫描的标签是否正确。",
    },
    "label.checking": {"en": "Checking the label signature…", "zh": "正在核验标签签名……"},
    "label.valid": {
        "en": "Label signature valid: printed by this facility, not altered.",
        "zh": "标签签名有效：由本机构打印，未被篡改。",
    },
    "label.invalid": {
        "en": "Label signature NOT valid - do not use this item; quarantine it and call QA.",
        "zh": "标签签名无效——请勿使用此物品，将其隔离并联系质量保证部门。",
    },
    "label.absent": {
        "en": "No signed label data in this link (typed or shortened link).",
        "zh": "此链接中没有签名的标签数据（手动输入或缩短的链接）。",
    },
    "public.note": {
        "en": "Public view: no personal data is shown, and nothing that reveals a blinded arm.",
        "zh": "公开视图：不显示任何个人信息，也不显示可能揭盲的信息。",
    },
    "trace.title": {"en": "Genealogy and history", "zh": "谱系与历史记录"},
    "trace.up": {"en": "Trace back to the donor", "zh": "向上追溯至供者"},
    "trace.down": {"en": "Trace forward to every product", "zh": "向下追踪至全部产品"},
    "trace.graph": {"en": "Genealogy", "zh": "谱系图"},
    "trace.timeline": {"en": "Timeline", "zh": "时间线"},
    "trace.nothing": {"en": "No linked items yet.", "zh": "暂无关联物品。"},
    "col.when": {"en": "Recorded (UTC)", "zh": "记录时间（UTC）"},
    "col.event": {"en": "Event", "zh": "事件"},
    "col.actor": {"en": "Person", "zh": "人员"},
    "col.role": {"en": "Role", "zh": "角色"},
    "col.meaning": {"en": "Signature meaning", "zh": "签名含义"},
    "col.hash": {"en": "Event hash", "zh": "事件哈希"},
    "col.proof": {"en": "In signed checkpoint", "zh": "已签名检查点"},
    "proof.included": {"en": "included in checkpoint", "zh": "已包含于检查点"},
    "proof.pending": {"en": "not yet checkpointed", "zh": "尚未纳入检查点"},
    "trace.clock_off": {"en": "device clock off by", "zh": "设备时钟偏差"},
    "trace.device_time": {"en": "device time:", "zh": "设备时间："},
    "trace.proof": {"en": "Download proof bundle", "zh": "下载证明文件"},
    "trace.label": {"en": "Label (PNG)", "zh": "标签（PNG）"},
    "trace.reprint_reason": {
        "en": "Reason, if it was printed before:",
        "zh": "如已打印过，请填写重新打印原因：",
    },
    "public.staff": {"en": "Staff: sign in to see the item.", "zh": "工作人员：登录后查看此物品。"},
    "session.countdown": {"en": "signs out in", "zh": "自动退出倒计时"},
    "session.idle": {
        "en": "Signed out after a period without activity. Sign in again to continue.",
        "zh": "因长时间无操作已自动退出。请重新登录后继续。",
    },
    "meaning.performed": {"en": "performed", "zh": "执行"},
    "meaning.reviewed": {"en": "reviewed", "zh": "审核"},
    "meaning.approved": {"en": "approved", "zh": "批准"},
    "meaning.released": {"en": "released", "zh": "放行"},
    "meaning.witnessed": {"en": "witnessed", "zh": "见证"},
    "error.title": {"en": "Cannot show this page", "zh": "无法显示此页面"},
    "scan.title": {"en": "Operator station", "zh": "操作员工作站"},
    "scan.signin": {"en": "Sign in", "zh": "登录"},
    "scan.signout": {"en": "Sign out", "zh": "退出"},
    "scan.person": {"en": "Person code", "zh": "人员编码"},
    "scan.password": {"en": "Password", "zh": "密码"},
    "scan.role": {"en": "Role (if you hold several)", "zh": "角色（如有多个）"},
    "scan.field": {"en": "Scan or type a label", "zh": "扫描或输入标签"},
    "scan.go": {"en": "Open", "zh": "打开"},
    "scan.signed_in": {"en": "Signed in as", "zh": "已登录："},
    "scan.next": {"en": "Steps you may record", "zh": "您可以记录的步骤"},
    "scan.none": {
        "en": "No step for you on this item in its current state.",
        "zh": "此物品当前状态下没有您可以记录的步骤。",
    },
    "scan.record": {"en": "Record", "zh": "记录"},
    "scan.signing_as": {"en": "You sign this as:", "zh": "您的签名含义："},
    "scan.recorded": {"en": "Recorded", "zh": "已记录"},
    "scan.refused": {"en": "Refused - nothing was recorded", "zh": "已拒绝——未记录任何内容"},
    "step.thaw": {"en": "Thaw vial", "zh": "复苏冻存管"},
    "step.isolate": {"en": "Isolate cells", "zh": "分离细胞"},
    "step.bank_test": {"en": "Record a bank test", "zh": "记录细胞库检测"},
    "step.bank_release": {"en": "Release the bank (signed)", "zh": "放行细胞库（签名）"},
    "step.material_release": {"en": "QC release", "zh": "质量控制放行"},
    "step.material_reject": {"en": "Reject lot", "zh": "拒收批次"},
    "step.material_recall": {"en": "Recall lot", "zh": "召回批次"},
    "step.eligibility": {"en": "Eligibility decision (signed)", "zh": "合格性判定（签名）"},
    "step.lookback": {
        "en": "Look-back: donor ineligible (signed)",
        "zh": "回溯：供者不合格（签名）",
    },
    "step.start_culture": {"en": "Start a culture", "zh": "开始培养"},
    "step.passage": {"en": "Record a passage", "zh": "记录传代"},
    "step.collection_stage": {"en": "Start supernatant collection", "zh": "进入上清收集阶段"},
    "step.harvest": {"en": "Harvest supernatant", "zh": "收获上清"},
    "step.lot_result": {"en": "Record a QC result", "zh": "记录质量控制结果"},
    "step.certify": {"en": "Certify the lot (signed)", "zh": "批次质量认证（签名）"},
    "step.oos_finding": {"en": "OOS investigation: a finding", "zh": "OOS 调查：记录发现"},
    "step.oos_conclusion": {
        "en": "Conclude the OOS investigation (signed)",
        "zh": "OOS 调查结论（签名）",
    },
    "step.reject_lot": {"en": "Reject the lot (signed)", "zh": "拒收批次（签名）"},
    "step.close_deviation": {"en": "Close the deviation (signed)", "zh": "关闭偏差（签名）"},
    "step.plan_capa": {"en": "Plan a CAPA action", "zh": "制定纠正预防措施"},
    "step.capa_done": {"en": "CAPA action done", "zh": "纠正预防措施已完成"},
    "step.capa_effectiveness": {
        "en": "Check the CAPA action's effectiveness (signed)",
        "zh": "检查纠正预防措施的有效性（签名）",
    },
    "step.fill": {"en": "Fill into vials", "zh": "分装"},
    "step.hand_off": {"en": "Hand the shipment over", "zh": "交接运输货件"},
    "step.logger_upload": {"en": "Upload the logger file", "zh": "上传温度记录仪文件"},
    "step.deliver": {"en": "Take delivery at the site", "zh": "到达临床机构签收"},
    "step.inspect_receipt": {"en": "Receipt re-inspection", "zh": "到货复检"},
    "step.qp_release": {"en": "QP release for use (signed)", "zh": "质量受权人放行使用（签名）"},
    "step.store": {"en": "Store in the pharmacy", "zh": "存放于药房"},
    "step.dispense": {"en": "Dispense for this subject", "zh": "为该受试者发药"},
    "step.follow_up_visit": {"en": "Record a follow-up visit", "zh": "记录随访"},
    "step.adverse_event": {"en": "Report an adverse event", "zh": "报告不良事件"},
    "step.unblind": {"en": "Emergency unblinding (signed)", "zh": "紧急揭盲（签名）"},
    "step.withdraw_consent": {"en": "Consent withdrawn", "zh": "撤回知情同意"},
    "step.ethics_decision": {
        "en": "Ethics committee decision (signed)",
        "zh": "伦理委员会决定（签名）",
    },
    "step.enrol": {"en": "Enrol a patient", "zh": "入组受试者"},
    "field.custodian": {"en": "Taken over by", "zh": "接收人"},
    "field.logger": {"en": "Logger serial number", "zh": "记录仪序列号"},
    "field.csv": {"en": "Logger file (CSV)", "zh": "记录仪文件（CSV）"},
    "field.failed": {
        "en": "Failed vials: code and reason, one per line",
        "zh": "不合格的容器：编码和原因，每行一个",
    },
    "field.administration": {"en": "Administration number", "zh": "给药序号"},
    "field.label": {"en": "Visit", "zh": "随访节点"},
    "field.done_on": {"en": "Done on", "zh": "完成日期"},
    "field.grade": {"en": "CTCAE grade", "zh": "CTCAE 分级"},
    "field.serious": {"en": "Serious", "zh": "严重"},
    "field.description": {"en": "Description", "zh": "描述"},
    "field.onset": {"en": "Onset", "zh": "发生日期"},
    "field.vial": {"en": "Vial (scan)", "zh": "产品容器（扫描）"},
    "field.decision": {"en": "Decision", "zh": "决定"},
    "field.reference": {"en": "Reference", "zh": "文件编号"},
    "field.site": {"en": "Site", "zh": "临床机构"},
    "field.cohort": {"en": "Cohort", "zh": "剂量组"},
    "field.consent.form_version": {"en": "Consent form version", "zh": "知情同意书版本"},
    "field.consent.signed_on": {"en": "Consent signed on", "zh": "知情同意签署日期"},
    "field.number": {"en": "Passage number", "zh": "代次"},
    "field.feed": {"en": "Feed", "zh": "换液"},
    "field.dissociation": {"en": "Dissociation", "zh": "消化方法"},
    "field.medium.0.lot": {"en": "Medium lot (scan)", "zh": "培养基批次（扫描）"},
    "field.volume_ml": {"en": "Volume (mL)", "zh": "体积（毫升）"},
    "field.value": {"en": "Value", "zh": "结果"},
    "field.unit": {"en": "Unit", "zh": "单位"},
    "field.in_spec": {"en": "Within specification", "zh": "符合标准"},
    "field.limit": {"en": "Limit", "zh": "限度"},
    "field.vials": {"en": "Number of vials", "zh": "分装数量"},
    "field.vials.list": {"en": "Vials (scan each)", "zh": "制剂瓶（逐一扫描）"},
    "field.place": {"en": "Place (unit/rack/box, or ward)", "zh": "位置（设备/架/盒，或病区）"},
    "field.unit_c": {"en": "Unit temperature (C)", "zh": "设备温度（℃）"},
    "field.container": {"en": "Container", "zh": "容器"},
    "field.purpose": {"en": "Purpose", "zh": "用途"},
    "field.viability_pct": {"en": "Post-thaw viability %", "zh": "复苏后活率 %"},
    "field.method": {"en": "Method", "zh": "方法"},
    "field.cell_type": {"en": "Cell type", "zh": "细胞类型"},
    "field.portions": {"en": "Portions", "zh": "份数"},
    "field.materials.0.lot": {"en": "Material lot (scan)", "zh": "物料批次（扫描）"},
    "field.test": {"en": "Test", "zh": "检测项目"},
    "field.passed": {"en": "Passed", "zh": "合格"},
    "field.laboratory": {"en": "Laboratory", "zh": "检测机构"},
    "field.third_party": {"en": "Third-party laboratory", "zh": "第三方检测机构"},
    "field.report_ref": {"en": "Report reference", "zh": "报告编号"},
    "field.tested_on": {"en": "Tested on", "zh": "检测日期"},
    "field.qc_record_ref": {"en": "QC record", "zh": "质量控制记录"},
    "field.reason": {"en": "Reason", "zh": "原因"},
    "field.replaces": {
        "en": "Retest of result (event number, if an OOS investigation invalidated it)",
        "zh": "复检替代的结果（事件编号，如经 OOS 调查判定无效）",
    },
    "field.investigation": {"en": "Investigation number", "zh": "调查编号"},
    "field.phase": {"en": "Phase", "zh": "阶段"},
    "field.finding": {"en": "Finding", "zh": "发现"},
    "field.invalidate": {
        "en": "Invalidate the result (assignable cause found)",
        "zh": "判定结果无效（已查明可归属原因）",
    },
    "field.assignable_cause": {"en": "Assignable cause", "zh": "可归属原因"},
    "field.conclusion": {"en": "Conclusion", "zh": "结论"},
    "field.impact": {"en": "Impact assessment", "zh": "影响评估"},
    "field.root_cause": {"en": "Root cause", "zh": "根本原因"},
    "field.capas": {"en": "CAPA actions (scan each)", "zh": "纠正预防措施（逐一扫描）"},
    "field.action": {"en": "Action", "zh": "措施"},
    "field.owner": {"en": "Owner (person code)", "zh": "负责人（人员编码）"},
    "field.due_on": {"en": "Due on", "zh": "截止日期"},
    "field.note": {"en": "Note", "zh": "备注"},
    "field.effective": {"en": "Effective", "zh": "有效"},
    "field.evidence": {"en": "Evidence", "zh": "证据"},
    "field.eligible": {"en": "Eligible", "zh": "合格"},
    "field.found_on": {"en": "Found on", "zh": "发现日期"},
    "field.signature.password": {
        "en": "Your password (electronic signature)",
        "zh": "您的密码（电子签名）",
    },
    "nav.scan": {"en": "Operator station", "zh": "操作员工作站"},
    "nav.bedside": {"en": "Bedside check", "zh": "床旁核对"},
    "bedside.prescription": {
        "en": "Cohort {cohort}: {doses} {unit}; routes: {routes}; use within {minutes} min of thaw",
        "zh": "剂量组 {cohort}：{doses} {unit}；给药途径：{routes}；复苏后 {minutes} 分钟内使用",
    },
    "bedside.title": {"en": "Bedside check", "zh": "床旁给药核对"},
    "bedside.intro": {
        "en": "Scan the vial, then the patient's wristband; enter the prescribed dose and route.",
        "zh": "先扫描产品瓶，再扫描患者腕带；输入处方剂量和给药途径。",
    },
    "bedside.vial": {"en": "Vial (scan the label)", "zh": "产品瓶（扫描标签）"},
    "bedside.patient": {"en": "Patient wristband (scan)", "zh": "患者腕带（扫描）"},
    "bedside.dose": {
        "en": "Dose (in the protocol's unit, e.g. mL)",
        "zh": "剂量（方案规定的单位，如 mL）",
    },
    "bedside.route": {"en": "Route", "zh": "给药途径"},
    "bedside.choose": {"en": "Choose the route", "zh": "请选择给药途径"},
    "bedside.check": {"en": "Check", "zh": "核对"},
    "bedside.s_vial": {"en": "Vial", "zh": "产品瓶"},
    "bedside.s_patient": {"en": "Patient", "zh": "患者"},
    "bedside.s_dose": {"en": "Dose", "zh": "剂量"},
    "bedside.go": {"en": "GO", "zh": "可以给药"},
    "bedside.no_go": {"en": "NO-GO", "zh": "禁止给药"},
    "bedside.go_note": {
        "en": "Every check passed. Record the thaw, then the administration.",
        "zh": "全部核对项均通过。请先记录解冻，再记录给药。",
    },
    "bedside.no_go_note": {
        "en": "Do not administer. Every reason, with its rule:",
        "zh": "请勿给药。全部原因及所依据的规则：",
    },
    "bedside.thaw_title": {"en": "1. Thaw", "zh": "1. 解冻"},
    "bedside.thaw": {"en": "Record the thaw", "zh": "记录解冻"},
    "bedside.thawed": {
        "en": "Thaw recorded: the in-use time has started",
        "zh": "已记录解冻：开始计算使用时限",
    },
    "bedside.administer_title": {
        "en": "2. Administration, signed by the nurse and the pharmacist",
        "zh": "2. 给药（护士与药师双人签名）",
    },
    "bedside.pharmacist": {
        "en": "Verifying pharmacist (scan the badge or type the code)",
        "zh": "核对药师（扫描工牌或输入人员编码）",
    },
    "bedside.pharmacist_password": {
        "en": "Pharmacist's password (electronic signature)",
        "zh": "药师密码（电子签名）",
    },
    "bedside.nurse_password": {
        "en": "Your password, nurse (electronic signature)",
        "zh": "护士本人密码（电子签名）",
    },
    "bedside.administer": {"en": "Record the administration", "zh": "记录给药"},
    "bedside.nurse_only": {
        "en": "The administering nurse records the administration: the nurse signs in here.",
        "zh": "给药须由实施给药的护士记录：请护士在本设备登录。",
    },
    "bedside.administered": {"en": "Administration recorded", "zh": "已记录给药"},
    "bedside.number": {"en": "Administration no.", "zh": "给药序号"},
    "bedside.notification": {"en": "Ledger notification", "zh": "账本通知编号"},
    "bedside.refused": {"en": "Refused - nothing was recorded", "zh": "已拒绝——未记录任何内容"},
    "bedside.back": {"en": "Back to the check", "zh": "返回核对"},
    "bedside.next": {"en": "Next patient", "zh": "下一位患者"},
    "route.intravenous": {"en": "Intravenous", "zh": "静脉注射"},
    "route.intra_arterial": {"en": "Intra-arterial", "zh": "动脉内注射"},
    "route.intratumoral": {"en": "Intratumoral", "zh": "瘤内注射"},
    "route.intracavitary": {"en": "Intracavitary", "zh": "腔内注射"},
    "route.intranasal": {"en": "Intranasal", "zh": "鼻内给药"},
}


def language(request: Request) -> str:
    """The page language: ?lang=, then the cookie, then Accept-Language, else English."""
    asked = request.query_params.get("lang") or request.cookies.get("lang")
    if asked in LANGUAGES:
        return asked
    return preferred_language(request.headers.get("accept-language"))


def translator(lang: str) -> Callable[[str], str]:
    def t(key: str) -> str:
        entry = MESSAGES.get(key)
        if entry is None:
            raise KeyError(f"no page text {key!r}")
        return entry[lang]

    return t
