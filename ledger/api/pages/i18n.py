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
    "item.accountability": {"en": "Accountability", "zh": "数量平衡"},
    "account.filled": {"en": "filled", "zh": "灌装"},
    "account.shipped": {"en": "shipped", "zh": "发运"},
    "account.returned": {"en": "returned", "zh": "退回"},
    "account.retained": {"en": "retained", "zh": "留样"},
    "account.destroyed": {"en": "destroyed", "zh": "销毁"},
    "account.in_stock": {"en": "in stock", "zh": "库存"},
    "account.administered": {"en": "administered", "zh": "已给药"},
    "account.received": {"en": "received", "zh": "已接收"},
    "account.in_transit": {"en": "in transit", "zh": "运输中"},
    "account.unaccounted": {"en": "unaccounted", "zh": "去向不明"},
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
    # the timeline in words (ledger.api.pages.timeline, ledger.projections.narrative)
    "col.when_local": {"en": "When (device time, else UTC)", "zh": "时间（设备时间，否则为 UTC）"},
    "col.item": {"en": "Recorded on", "zh": "记录于"},
    "trace.custody_note": {
        "en": "With its chain of custody: the events of the shipments it travelled in and of "
        "its administration that concern it, each marked with the item it was recorded on.",
        "zh": "含监管链：其所在运输批次及给药记录中涉及本物品的事件，均注明所记录的物品。",
    },
    "trace.server_time": {"en": "server time", "zh": "服务器时间"},
    "trace.cosigned": {"en": "co-signed by", "zh": "共同签名"},
    "trace.cosign": {"en": "{person} ({role}, {meaning})", "zh": "{person}（{role}，{meaning}）"},
    "trace.reauthenticated": {"en": "signed with password", "zh": "已输入密码签名"},
    "event.fallback": {"en": "{name}", "zh": "{name}"},
    "event.ItemsDerived": {
        "en": "Linked to {codes:list} ({step:term})",
        "zh": "关联至 {codes:list}（{step:term}）",
    },
    "event.PutOnHold": {
        "en": "Put on hold under {hold[rule]} by {hold[source]}: {reason}",
        "zh": "依据 {hold[rule]} 暂停使用（来源 {hold[source]}）：{reason}",
    },
    "event.HoldLifted": {
        "en": "Hold under {rule} from {source} lifted: {reason}",
        "zh": "解除 {source} 依据 {rule} 的暂停：{reason}",
    },
    "event.Disposed": {
        "en": "Disposed of as {disposal[category]:term}: {disposal[method]}, witnessed by "
        "{disposal[witness]}",
        "zh": "作为{disposal[category]:term}销毁：{disposal[method]}，见证人 {disposal[witness]}",
    },
    "event.MaterialDistributed": {
        "en": "Sent to {distribution[institution]} for {distribution[project]} (agreement "
        "{distribution[reference]})",
        "zh": "已发送至 {distribution[institution]}，用于 {distribution[project]}"
        "（协议 {distribution[reference]}）",
    },
    "event.DataShared": {
        "en": "Data shared with {distribution[institution]} for {distribution[project]} "
        "(agreement {distribution[reference]})",
        "zh": "数据已共享给 {distribution[institution]}，用于 {distribution[project]}"
        "（协议 {distribution[reference]}）",
    },
    "event.EntryCorrected": {
        "en": "Entry {corrected_version} ({corrected_event:term}) corrected: {reason}",
        "zh": "第 {corrected_version} 条记录（{corrected_event:term}）已更正：{reason}",
    },
    "event.Donor.Registered": {
        "en": "Registered as an {kind:term} donor",
        "zh": "登记为{kind:term}供者",
    },
    "event.IdentityRecorded": {
        "en": "Identity recorded in the personal-data store ({fields:list})",
        "zh": "身份信息已存入个人数据库（{fields:list}）",
    },
    "event.IdentityErased": {
        "en": "Identity erased from the personal-data store: {reason}",
        "zh": "已从个人数据库删除身份信息：{reason}",
    },
    "event.ConsentRecorded": {
        "en": "Consent {form_version} signed on {consented_on} for {scopes:terms} "
        "({institution}, {project})",
        "zh": "已于 {consented_on} 签署知情同意 {form_version}，范围：{scopes:terms}"
        "（{institution}，{project}）",
    },
    "event.ConsentWithdrawn": {
        "en": "Consent withdrawn: {reason}",
        "zh": "已撤回知情同意：{reason}",
    },
    "event.ScreeningRecorded": {
        "en": "Screening of sample {screening[sample_reference]}: {markers} markers, {reactive} "
        "reactive or indeterminate",
        "zh": "样本 {screening[sample_reference]} 筛查：{markers} 项标志物，"
        "{reactive} 项阳性或不确定",
    },
    "event.EligibilityDetermined": {
        "en": "Eligibility decided: {verdict:term} ({reason})",
        "zh": "合格性判定：{verdict:term}（{reason}）",
    },
    "event.IneligibleAfterLookback": {
        "en": "Found ineligible on look-back ({found_on}): {reason}",
        "zh": "经回溯判定不合格（{found_on}）：{reason}",
    },
    "event.MaterialLot.Received": {
        "en": "Received {material} lot {supplier_lot} from {supplier} (CoA {coa_ref}), expires "
        "{expiry}; in quarantine until QC releases it",
        "zh": "已接收 {material} 物料（供应商 {supplier}，批号 {supplier_lot}，质量合格证明 "
        "{coa_ref}），有效期至 {expiry}；质量控制放行前待检",
    },
    "event.MaterialLot.Released": {
        "en": "Released by QC ({qc_record_ref})",
        "zh": "质量控制已放行（{qc_record_ref}）",
    },
    "event.MaterialLot.Rejected": {
        "en": "Rejected by QC: {reason}",
        "zh": "质量控制拒收：{reason}",
    },
    "event.Recalled": {"en": "Recalled: {reason}", "zh": "已召回：{reason}"},
    "event.Collection.Received": {
        "en": "{sample_type:term} collected at {collected_at} ({sop_version}), arrived at "
        "{arrival[arrived_at]} at {arrival[temperature_c]:g} C",
        "zh": "{sample_type:term}采集于 {collected_at}（{sop_version}），到达时间 "
        "{arrival[arrived_at]}，温度 {arrival[temperature_c]:g} C",
    },
    "event.CellLineStock.Received": {
        "en": "Cell line {line_name} ({cell_type}) received from {supplier}, lot {supplier_lot}",
        "zh": "已接收细胞系 {line_name}（{cell_type}），供应商 {supplier}，批号 {supplier_lot}",
    },
    "event.Isolated": {
        "en": "{cell_type} isolated from {sources:list} ({method:term})",
        "zh": "从 {sources:list} 分离得到 {cell_type}（{method:term}）",
    },
    "event.Picked": {
        "en": "Clone of {cell_type} picked from {sources:list} ({method})",
        "zh": "从 {sources:list} 挑取 {cell_type} 单克隆（{method}）",
    },
    "event.Engineered": {
        "en": "Engineered with {vector[type]} {vector[name]}, lot {vector[lot]}",
        "zh": "已用 {vector[type]} {vector[name]}（批号 {vector[lot]}）进行基因修饰",
    },
    "event.IdentityConfirmed": {
        "en": "Identity by {method}: {verdict:term} (report {report_ref})",
        "zh": "身份鉴定（{method}）：{verdict:term}（报告 {report_ref}）",
    },
    "event.Established": {
        "en": "Cell bank ({tier:term}) established: {count} vials at passage {passage} (limit "
        "{max_passage})",
        "zh": "细胞库（{tier:term}）已建立：{count} 支冻存管，第 {passage} 代"
        "（上限 {max_passage}）",
    },
    "event.CellBank.Released": {"en": "Released by QA for use", "zh": "质量保证已放行使用"},
    "event.CellBank.TestResultRecorded": {
        "en": "Bank test {result[test]}: {verdict:term} ({result[laboratory]}, report "
        "{result[report_ref]})",
        "zh": "细胞库检测 {result[test]}：{verdict:term}（{result[laboratory]}，报告 "
        "{result[report_ref]}）",
    },
    "event.TestResultRecorded": {
        "en": "QC result {result[test]} {result[value]} {result[unit]}, {verdict:term} (limit "
        "{result[limit]})",
        "zh": "质量控制结果 {result[test]} {result[value]} {result[unit]}，{verdict:term}"
        "（限度 {result[limit]}）",
    },
    "event.Frozen": {
        "en": "Frozen from {bank} at passage {passage}, stored at {place}",
        "zh": "由 {bank} 冻存，第 {passage} 代，存放于 {place}",
    },
    "event.Thawed": {
        "en": "Thawed for {purpose:term}: viability {viability_pct:g} %",
        "zh": "复苏用于{purpose:term}：活率 {viability_pct:g} %",
    },
    "event.Started": {
        "en": "Culture started from {sources:list} at passage {passage} with {used:list}",
        "zh": "由 {sources:list} 开始培养，第 {passage} 代，使用 {used:list}",
    },
    "event.Passaged": {
        "en": "Passaged to passage {number}: {dissociation}; feeding {feed}",
        "zh": "传代至第 {number} 代：{dissociation}；换液 {feed}",
    },
    "event.CollectionStageStarted": {
        "en": "Supernatant collection started with {used:list}",
        "zh": "开始上清收集，使用 {used:list}",
    },
    "event.Collected": {
        "en": "Harvested {volume_ml:g} mL from {sources:list} ({stage:term})",
        "zh": "从 {sources:list} 收获 {volume_ml:g} mL（{stage:term}）",
    },
    "event.Purified": {
        "en": "Purified {volume_ml:g} mL of {terms[product]} from {sources:list} "
        "({method:term}), specification {terms[specification]} v{terms[spec_version]}, "
        "expires {expiry}",
        "zh": "由 {sources:list} 纯化得到 {terms[product]} {volume_ml:g} mL（{method:term}），"
        "质量标准 {terms[specification]} 第 {terms[spec_version]} 版，有效期至 {expiry}",
    },
    "event.Formulated": {
        "en": "Placebo formulated: {volume_ml:g} mL by {method}, specification "
        "{terms[specification]} v{terms[spec_version]}, expires {expiry}",
        "zh": "已配制安慰剂 {volume_ml:g} mL（{method}），质量标准 {terms[specification]} "
        "第 {terms[spec_version]} 版，有效期至 {expiry}",
    },
    "event.Quarantined": {"en": "Quarantined: {reason}", "zh": "已隔离：{reason}"},
    "event.QuarantineLifted": {"en": "Quarantine lifted: {reason}", "zh": "解除隔离：{reason}"},
    "event.Rejected": {"en": "Rejected: {reason}", "zh": "判定不合格：{reason}"},
    "event.Certified": {
        "en": "Certified by QA: {tests:list} in specification",
        "zh": "质量保证已认证：{tests:list} 符合质量标准",
    },
    "event.Closed": {"en": "Lot closed: every vial accounted for", "zh": "批已关闭：每瓶均已清点"},
    "event.VialsFilled": {
        "en": "Filled into {vials} vials of {volume_ml:g} mL ({container})",
        "zh": "已分装为 {vials} 瓶，每瓶 {volume_ml:g} mL（{container}）",
    },
    "event.KitsFilled": {
        "en": "Filled {count} kits of the blinded study (their codes sealed)",
        "zh": "已分装 {count} 个盲法研究药盒（编码已密封）",
    },
    "event.OosInvestigationOpened": {
        "en": "OOS investigation {number} opened: {test} out of specification (report "
        "{report_ref})",
        "zh": "已启动超标调查 {number}：{test} 不符合质量标准（报告 {report_ref}）",
    },
    "event.OosFindingRecorded": {
        "en": "OOS investigation {number}, {phase:term} phase: {finding}",
        "zh": "超标调查 {number}，{phase:term}阶段：{finding}",
    },
    "event.OosConcluded": {
        "en": "OOS investigation {number} concluded: {outcome:term} ({conclusion})",
        "zh": "超标调查 {number} 结论：{outcome:term}（{conclusion}）",
    },
    "event.Filled": {
        "en": "Filled from {lot}: {volume_ml:g} mL in {container}, kept at "
        "{storage[min_c]:g}..{storage[max_c]:g} C, expires {expiry}",
        "zh": "由 {lot} 分装：{volume_ml:g} mL，{container}，贮存于 "
        "{storage[min_c]:g}..{storage[max_c]:g} C，有效期至 {expiry}",
    },
    "event.Retained": {
        "en": "Kept as a retained sample at {place}",
        "zh": "作为留样保存于 {place}",
    },
    "event.StoredInUnit": {"en": "Stored in {unit} {place}", "zh": "存放于 {unit} {place}"},
    "event.LeftUnit": {"en": "Taken out of {unit}: {why}", "zh": "已移出 {unit}：{why}"},
    "event.Reconciled": {
        "en": "Accounts reconciled: {in_stock} counted in stock, {unaccounted} unaccounted",
        "zh": "数量平衡已核对：清点库存 {in_stock}，去向不明 {unaccounted}",
    },
    "event.DiscrepancyFound": {
        "en": "Discrepancy found, deviation {deviation}: {description}",
        "zh": "发现数量差异，偏差 {deviation}：{description}",
    },
    "event.Shipped": {
        "en": "Shipped to {site} with {first[custodian]}: {count} vials kept at "
        "{required[min_c]:g}..{required[max_c]:g} C",
        "zh": "已发往 {site}，承运 {first[custodian]}：{count} 瓶，运输温度 "
        "{required[min_c]:g}..{required[max_c]:g} C",
    },
    "event.HandedOff": {
        "en": "Handed off to {hand_off[custodian]} at {hand_off[at]}",
        "zh": "于 {hand_off[at]} 交接给 {hand_off[custodian]}",
    },
    "event.ReadingsRecorded": {
        "en": "Logger {logger}: {count} readings, {outside} outside {range}, {gaps} gaps",
        "zh": "温度记录仪 {logger}：{count} 个读数，{outside} 个超出 {range}，{gaps} 处中断",
    },
    "event.ExcursionFound": {
        "en": "Temperature excursion ({rule}): {reason}",
        "zh": "温度偏离（{rule}）：{reason}",
    },
    "event.ExcursionAssessed": {
        "en": "Excursion assessed by QA as {verdict:term} (report {report_ref}): {reason}",
        "zh": "质量保证评估温度偏离为{verdict:term}（报告 {report_ref}）：{reason}",
    },
    "event.Delivered": {"en": "Delivered to the site at {at}", "zh": "于 {at} 送达研究机构"},
    "event.ReceiptInspected": {
        "en": "Re-inspected on receipt: {passed} passed, {failed} failed, {missing} missing",
        "zh": "到货复检：{passed} 瓶合格，{failed} 瓶不合格，{missing} 瓶缺失",
    },
    "event.ReceiptInspected.passed": {
        "en": "Re-inspected on receipt at the site: passed",
        "zh": "研究机构到货复检：合格",
    },
    "event.ReceiptInspected.failed": {
        "en": "Re-inspected on receipt at the site: failed ({reason})",
        "zh": "研究机构到货复检：不合格（{reason}）",
    },
    "event.ReceiptInspected.missing": {
        "en": "Re-inspected on receipt at the site: missing from the shipment",
        "zh": "研究机构到货复检：运输批次中缺失",
    },
    "event.ReleasedForUse": {
        "en": "Released for use by the site QP: {count} vials",
        "zh": "研究机构质量受权人已放行使用：{count} 瓶",
    },
    "event.ReleasedForUse.vial": {
        "en": "Released for use by the site QP",
        "zh": "研究机构质量受权人已放行使用",
    },
    "event.VialsStored": {
        "en": "{count} vials stored in {where} at {unit_c:g} C",
        "zh": "{count} 瓶存放于 {where}（{unit_c:g} C）",
    },
    "event.VialsStored.vial": {
        "en": "Stored in {where} at {unit_c:g} C",
        "zh": "存放于 {where}（{unit_c:g} C）",
    },
    "event.VialDispensed": {
        "en": "{vial} dispensed for {patient} to {place}",
        "zh": "{vial} 已为 {patient} 发药至 {place}",
    },
    "event.VialThawed": {
        "en": "{vial} thawed at the bedside at {at}",
        "zh": "{vial} 于 {at} 在床旁复苏",
    },
    "event.VialUsed": {"en": "{vial} used for {patient}", "zh": "{vial} 已用于 {patient}"},
    "event.VialsReturned": {
        "en": "{vials:list} sent back to the manufacturer in {back}",
        "zh": "{vials:list} 已随 {back} 退回生产企业",
    },
    "event.Returned": {
        "en": "Returned from {site} with {courier}: {vials:list} ({reason})",
        "zh": "由 {courier} 从 {site} 退回：{vials:list}（{reason}）",
    },
    "event.ReceivedBack": {
        "en": "Received back at the manufacturer, {place}: {count} vials, {lost} missing",
        "zh": "生产企业已接收退回（{place}）：{count} 瓶，缺失 {lost} 瓶",
    },
    "event.Site.Registered": {"en": "Site registered: {name}", "zh": "研究机构已登记：{name}"},
    "event.ShipmentSent": {
        "en": "Shipment {shipment} sent to this site",
        "zh": "运输批次 {shipment} 已发往本机构",
    },
    "event.UnitRegistered": {
        "en": "Storage unit {unit} registered at this site",
        "zh": "储存设备 {unit} 已在本机构登记",
    },
    "event.Study.Registered": {
        "en": "Study registered: {title}, protocol {protocol[version]}",
        "zh": "研究已登记：{title}，方案 {protocol[version]}",
    },
    "event.SiteActivated": {
        "en": "Site {site_code} activated for the study",
        "zh": "研究机构 {site_code} 已启用",
    },
    "event.SubjectEnrolled": {
        "en": "Subject {patient_code} enrolled at {site_code}",
        "zh": "受试者 {patient_code} 已在 {site_code} 入组",
    },
    "event.SubjectRandomised": {
        "en": "Subject {patient} given randomisation number {number}",
        "zh": "受试者 {patient} 获得随机号 {number}",
    },
    "event.RandomisationLoaded": {
        "en": "Randomisation list {reference} loaded",
        "zh": "已载入随机表 {reference}",
    },
    "event.RandomisationSealed": {
        "en": "Randomisation list {reference} sealed: {numbers} numbers",
        "zh": "随机表 {reference} 已密封：{numbers} 个随机号",
    },
    "event.KitsAdded": {
        "en": "Kits added to the study: {codes:list}",
        "zh": "药盒已加入研究：{codes:list}",
    },
    "event.AdverseEventReported": {
        "en": "Adverse event {adverse_event[number]} of {adverse_event[patient]}: grade "
        "{adverse_event[grade]}, {seriousness:term}: {adverse_event[description]}",
        "zh": "{adverse_event[patient]} 的不良事件 {adverse_event[number]}："
        "{adverse_event[grade]} 级，{seriousness:term}：{adverse_event[description]}",
    },
    "event.AdverseEventFollowedUp": {
        "en": "Adverse event {number} followed up on {on}: {note}",
        "zh": "不良事件 {number} 于 {on} 随访：{note}",
    },
    "event.ReportRecorded": {
        "en": "Report on adverse event {number} filed: {reference}, {reported_on}",
        "zh": "不良事件 {number} 的报告已提交：{reference}，{reported_on}",
    },
    "event.HaltReported": {
        "en": "Report on halt {number} filed: {reference}, {reported_on}",
        "zh": "暂停决定 {number} 的报告已提交：{reference}，{reported_on}",
    },
    "event.Paused": {"en": "Study paused: {reason}", "zh": "研究已暂停：{reason}"},
    "event.Resumed": {
        "en": "Study resumed ({reference}): {reason}",
        "zh": "研究已恢复（{reference}）：{reason}",
    },
    "event.Terminated": {
        "en": "Study terminated ({reference}): {reason}",
        "zh": "研究已终止（{reference}）：{reason}",
    },
    "event.PausedFor": {
        "en": "Study paused by the {halt[by]:term} ({halt[reference]}): {halt[reason]}",
        "zh": "研究由{halt[by]:term}暂停（{halt[reference]}）：{halt[reason]}",
    },
    "event.ResumedBy": {
        "en": "Study resumed by the {halt[by]:term} ({halt[reference]}): {halt[reason]}",
        "zh": "研究由{halt[by]:term}恢复（{halt[reference]}）：{halt[reason]}",
    },
    "event.TerminatedBy": {
        "en": "Study terminated by the {halt[by]:term} ({halt[reference]}): {halt[reason]}",
        "zh": "研究由{halt[by]:term}终止（{halt[reference]}）：{halt[reason]}",
    },
    "event.Enrolled": {
        "en": "Enrolled in {study} at {site}, cohort {cohort}, consent "
        "{consent[form_version]} signed {consent[signed_on]}",
        "zh": "已入组 {study}（{site}），剂量组 {cohort}，知情同意 {consent[form_version]} "
        "签署于 {consent[signed_on]}",
    },
    "event.Administered": {
        "en": "Administered {dose[dose]} {dose[unit]} {dose[route]:term} to {patient}, dose "
        "{number} of {planned} ({dose[vial]}, checked by pharmacist {dose[pharmacist]})",
        "zh": "已给予 {patient} {dose[dose]} {dose[unit]}，{dose[route]:term}，第 {number} 剂"
        "/共 {planned} 剂（{dose[vial]}，药师 {dose[pharmacist]} 核对）",
    },
    "event.Administered.numbered": {
        "en": "Administered {dose[dose]} {dose[unit]} {dose[route]:term} to {patient}, dose "
        "{number} ({dose[vial]}, checked by pharmacist {dose[pharmacist]})",
        "zh": "已给予 {patient} {dose[dose]} {dose[unit]}，{dose[route]:term}，第 {number} 剂"
        "（{dose[vial]}，药师 {dose[pharmacist]} 核对）",
    },
    "event.Exited": {
        "en": "Left the study on {exited_on}: {reason}; follow-up visit due {visit[due]}",
        "zh": "于 {exited_on} 退出研究：{reason}；随访访视应于 {visit[due]} 进行",
    },
    "event.VisitCompleted": {
        "en": "Follow-up visit {label:term} after dose {number} done on {done_on}",
        "zh": "第 {number} 剂后的{label:term}随访已于 {done_on} 完成",
    },
    "event.EmergencyUnblinded": {
        "en": "Emergency unblinding of {vial}: {reason}",
        "zh": "紧急揭盲 {vial}：{reason}",
    },
    "event.StorageUnit.Registered": {
        "en": "{name} ({kind}) registered, kept at {band[min_c]:g}..{band[max_c]:g} C, logger "
        "every {logger_interval_minutes} min",
        "zh": "{name}（{kind}）已登记，温度范围 {band[min_c]:g}..{band[max_c]:g} C，记录间隔 "
        "{logger_interval_minutes} 分钟",
    },
    "event.ItemsPut": {"en": "{items:list} put in at {place}", "zh": "{items:list} 已放入 {place}"},
    "event.ItemsTaken": {"en": "{items:list} taken out: {why}", "zh": "{items:list} 已取出：{why}"},
    "event.Person.Registered": {
        "en": "Registered with the roles {roles:terms}",
        "zh": "已登记，角色：{roles:terms}",
    },
    "event.RoleGranted": {"en": "Role granted: {role:term}", "zh": "授予角色：{role:term}"},
    "event.RoleRevoked": {
        "en": "Role revoked: {role:term} ({reason})",
        "zh": "撤销角色：{role:term}（{reason}）",
    },
    "event.TrainingRecorded": {
        "en": "Trained for {step_type} ({sop}) on {completed_on}, valid until {expires_on}",
        "zh": "已于 {completed_on} 完成 {step_type} 培训（{sop}），有效期至 {expires_on}",
    },
    "event.QPAuthorised": {
        "en": "Authorised as Qualified Person for {site_code}",
        "zh": "已授权为 {site_code} 的质量受权人",
    },
    "event.Deviation.Opened": {
        "en": "Deviation opened ({severity:term}, {kind:term}): {description}; items {items:list}",
        "zh": "已开启偏差（{severity:term}，{kind:term}）：{description}；涉及 {items:list}",
    },
    "event.Deviation.Closed": {
        "en": "Deviation closed: root cause {root_cause}; impact {impact}",
        "zh": "偏差已关闭：根本原因 {root_cause}；影响 {impact}",
    },
    "event.CapaPlanned": {"en": "CAPA {capa} planned", "zh": "已计划纠正预防措施 {capa}"},
    "event.Planned": {
        "en": "CAPA for {deviation}: {action}, owner {owner}, due {due_on}",
        "zh": "{deviation} 的纠正预防措施：{action}，负责人 {owner}，截止 {due_on}",
    },
    "event.Completed": {
        "en": "CAPA done on {done_on}: {note}",
        "zh": "纠正预防措施已于 {done_on} 完成：{note}",
    },
    "event.EffectivenessChecked": {
        "en": "CAPA effectiveness checked: {verdict:term} ({evidence})",
        "zh": "纠正预防措施有效性：{verdict:term}（{evidence}）",
    },
    "trace.nothing": {"en": "No linked items yet.", "zh": "暂无关联物品。"},
    "trace.graph_title": {"en": "Genealogy of {code}", "zh": "{code} 的谱系图"},
    "trace.show_as": {"en": "Show as", "zh": "显示方式"},
    "trace.view_picture": {"en": "Picture", "zh": "图示"},
    "trace.view_list": {"en": "List", "zh": "列表"},
    "trace.zoom_in": {"en": "Zoom in", "zh": "放大"},
    "trace.zoom_out": {"en": "Zoom out", "zh": "缩小"},
    "trace.zoom_reset": {"en": "Reset the zoom", "zh": "恢复原始大小"},
    "trace.pan_hint": {
        "en": "Drag or scroll to move around; select an item to trace it.",
        "zh": "拖动或滚动以浏览；点选物品可查看其追溯。",
    },
    "trace.legend_root": {"en": "this item", "zh": "当前物品"},
    "trace.legend_hold": {"en": "on hold", "zh": "暂停使用"},
    "trace.legend_quality": {"en": "open deviation or OOS", "zh": "未关闭的偏差或 OOS"},
    "trace.search": {"en": "Find in this trace", "zh": "在本次追溯中查找"},
    "trace.search_hint": {"en": "code, status or type", "zh": "编码、状态或类型"},
    "trace.matches": {"en": "{n} of {total} items match.", "zh": "{total} 项中有 {n} 项匹配。"},
    "trace.no_match": {"en": "No item matches.", "zh": "没有匹配的物品。"},
    "trace.from": {"en": "from", "zh": "来自"},
    "trace.also_from": {"en": "also from", "zh": "另来自"},
    "trace.no_parent": {"en": "no parent in this trace", "zh": "本次追溯中无上游物品"},
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
    "chart.title_record": {"en": "Temperature record", "zh": "温度记录"},
    "chart.title": {"en": "Temperature record of {code}", "zh": "{code} 的温度记录"},
    "chart.desc_readings": {
        "en": "Readings: {count} ({first} to {last}, UTC{offset}).",
        "zh": "读数：{count} 个（{first} 至 {last}，UTC{offset}）。",
    },
    "chart.desc_band": {
        "en": "Allowed range: {min} to {max} °C.",
        "zh": "允许范围：{min} 至 {max} °C。",
    },
    "chart.desc_counts": {
        "en": "Outside the range: {outside}. Excursions: {excursions}. "
        "Gaps without readings: {gaps}.",
        "zh": "超出范围：{outside} 个读数。温度偏离：{excursions} 次。无读数间隔：{gaps} 段。",
    },
    "chart.desc_capped": {
        "en": "Circles mark the {shown} readings furthest outside the range.",
        "zh": "图中以圆点标出偏离最大的 {shown} 个读数。",
    },
    "chart.desc_dispatch": {"en": "Dispatched {at}.", "zh": "发运时间：{at}。"},
    "chart.desc_receipt": {"en": "Received {at}.", "zh": "接收时间：{at}。"},
    "chart.empty": {"en": "No readings recorded yet", "zh": "尚无读数记录"},
    "chart.empty_desc": {"en": "No readings recorded yet.", "zh": "尚无读数记录。"},
    "chart.band": {"en": "allowed range", "zh": "允许范围"},
    "chart.band_max": {"en": "max {value} °C", "zh": "上限 {value} °C"},
    "chart.band_min": {"en": "min {value} °C", "zh": "下限 {value} °C"},
    "chart.readings": {"en": "readings", "zh": "读数"},
    "chart.outside": {"en": "outside range", "zh": "超出范围"},
    "chart.gap": {"en": "no reading", "zh": "无读数"},
    "chart.excursion": {"en": "excursion", "zh": "温度偏离"},
    "chart.dispatch": {"en": "dispatch", "zh": "发运"},
    "chart.receipt": {"en": "receipt", "zh": "接收"},
    "chart.reading_at": {"en": "{value} °C at {at}", "zh": "{at}：{value} °C"},
    "chart.gap_title": {
        "en": "no reading from {start} to {end}",
        "zh": "{start} 至 {end} 无读数",
    },
    "chart.excursion_title": {
        "en": "excursion ({rule}) from {start} to {end}",
        "zh": "温度偏离（{rule}）：{start} 至 {end}",
    },
    "chart.marker_title": {"en": "{label}: {at}", "zh": "{label}：{at}"},
    "chart.time": {"en": "time (UTC{offset})", "zh": "时间（UTC{offset}）"},
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
    "session.person": {
        "en": "Person code (type it or scan your badge)",
        "zh": "人员编码（输入或扫描工牌）",
    },
    "session.recent": {"en": "Recently signed in on this device:", "zh": "最近在本设备登录："},
    "session.forget": {"en": "Forget this list", "zh": "清除此列表"},
    "session.choose_role": {
        "en": "{person} holds the roles {roles}; choose one.",
        "zh": "{person} 拥有的角色为{roles}；请选择其一。",
    },
    "session.and": {"en": " and ", "zh": "和"},
    "session.comma": {"en": ", ", "zh": "、"},
    "item.location": {"en": "Location", "zh": "所在位置"},
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
    "step.retain": {"en": "Keep retained samples", "zh": "留样"},
    "step.reconcile_lot": {"en": "Count the lot against the record", "zh": "批次数量平衡核对"},
    "step.close_lot": {"en": "Close the lot (signed)", "zh": "关闭批次（签名）"},
    "step.reconcile_shipment": {
        "en": "Count the site's stock against the record",
        "zh": "中心库存数量平衡核对",
    },
    "step.return_vials": {"en": "Return vials to the manufacturer", "zh": "退回生产企业"},
    "step.return_receipt": {"en": "Receive the return", "zh": "接收退回产品"},
    "field.retained": {"en": "Retained samples counted", "zh": "清点的留样数"},
    "field.in_stock": {"en": "Vials in stock counted", "zh": "清点的库存数"},
    "field.received": {"en": "Received (scan each)", "zh": "已接收（逐一扫描）"},
    "field.courier": {"en": "Courier", "zh": "承运人"},
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
    "step.unit_put": {"en": "Put vials into this unit", "zh": "将制剂瓶放入该设备"},
    "step.unit_logger": {"en": "Upload the unit's logger file", "zh": "上传储存设备温度记录仪文件"},
    "step.unit_assess_excursion": {
        "en": "Assess the unit's temperature excursion",
        "zh": "评估储存设备温度偏离",
    },
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
    "field.by": {"en": "Decided by", "zh": "决定方"},
    "field.what": {"en": "What is sent", "zh": "发送内容"},
    "field.institution": {"en": "Receiving institution", "zh": "接收机构"},
    "field.project": {"en": "Project", "zh": "项目"},
    "step.distribute": {
        "en": "Send to another institution or project (signed)",
        "zh": "发送至其他机构或项目（签名）",
    },
    "field.event": {"en": "Adverse event no.", "zh": "不良事件编号"},
    "field.resolved": {"en": "Resolved", "zh": "已缓解"},
    "field.outcome": {"en": "Outcome", "zh": "转归"},
    "step.exit_study": {"en": "Subject leaves the study", "zh": "受试者退出研究"},
    "step.ae_follow_up": {"en": "Follow the adverse event up", "zh": "不良事件随访"},
    "field.decision.number": {"en": "Decision no.", "zh": "决定编号"},
    "field.reported_on": {"en": "Reported on", "zh": "报告日期"},
    "step.halt_study": {
        "en": "Pause, resume or terminate the study (signed)",
        "zh": "暂停、恢复或终止研究（签名）",
    },
    "step.halt_report": {"en": "File the decision's report", "zh": "提交该决定的报告"},
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
    "field.storage_unit": {"en": "Storage unit (scan its label)", "zh": "储存设备（扫描其标签）"},
    "field.acceptable": {"en": "Acceptable (lifts the holds)", "zh": "可接受（解除暂停）"},
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
    "home.title": {"en": "CellTrace stations", "zh": "CellTrace 工作站"},
    "home.intro": {
        "en": "Every step from donor to patient, recorded in a ledger nobody can alter unseen. "
        "Choose where you work, or look an item up by its code.",
        "zh": "从供者到患者的每一步都记录在无法被暗中篡改的账本中。"
        "请选择您的工作站，或按编码查询物品。",
    },
    "home.lookup": {"en": "Item code", "zh": "物品编码"},
    "home.trace": {"en": "Trace", "zh": "追溯"},
    "home.scan": {
        "en": "Cleanroom and pharmacy: scan a label, record the step you just did.",
        "zh": "洁净室与药房：扫描标签，记录刚完成的步骤。",
    },
    "home.bedside": {
        "en": "Scan the vial and the wristband: go or no-go with every reason, then the thaw "
        "and the administration signed by nurse and pharmacist.",
        "zh": "扫描制剂瓶和腕带：给出可以或禁止给药及全部理由，再由护士和药师签名记录复苏与给药。",
    },
    "home.api": {"en": "API", "zh": "API 接口"},
    "home.api_note": {
        "en": "For auditors and other systems: every record, trace and proof, documented.",
        "zh": "供审计员和其他系统使用：全部记录、追溯与证明，附文档。",
    },
    "bedside.prescription": {
        "en": "Cohort {cohort}: {doses} {unit}; routes: {routes}; use within {minutes} min of thaw",
        "zh": "剂量组 {cohort}：{doses} {unit}；给药途径：{routes}；复苏后 {minutes} 分钟内使用",
    },
    "bedside.doses": {
        "en": "Administrations: {given} of {allowed} given",
        "zh": "给药次数：已给 {given} 次，共 {allowed} 次",
    },
    "bedside.last_dose": {"en": "last dose {hours} h ago", "zh": "上次给药于 {hours} 小时前"},
    "bedside.next_dose": {"en": "next dose from {at} UTC", "zh": "下次给药不早于 {at}（UTC）"},
    "bedside.no_more_doses": {"en": "no further dose", "zh": "不得再给药"},
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
        "zh": "全部核对项均通过。请先记录复苏，再记录给药。",
    },
    "bedside.no_go_note": {
        "en": "Do not administer. Every reason, with its rule:",
        "zh": "请勿给药。全部原因及所依据的规则：",
    },
    "bedside.thaw_title": {"en": "1. Thaw", "zh": "1. 复苏"},
    "bedside.thaw": {"en": "Record the thaw", "zh": "记录复苏"},
    "bedside.thawed": {
        "en": "Thaw recorded: the in-use time has started",
        "zh": "已记录复苏：开始计算使用时限",
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
