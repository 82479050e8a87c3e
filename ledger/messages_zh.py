"""Simplified Chinese catalogue of every refusal message (the R- rules) and of the words shown
inside them, in the terms of the Chinese guideline (seed text, REQUIREMENTS.md): 供者, 细胞库,
放行, 质量受权人, 冷链, 温度偏离, 隔离, 不良事件, 伦理委员会, 揭盲...

`TEMPLATES` maps each English template to its Chinese template with the same placeholders
(`tests/unit/test_message_catalogue.py` checks both ways). `GLOSSARY` translates the words a
template marks as terms (`{status:term}`); codes, numbers and free text stay as given. A role
keeps its code in brackets, since that code is what a person types at sign-in.
"""

from __future__ import annotations

TEMPLATES: dict[str, str] = {
    # --- sign-in and electronic signature (R-LED-5), ledger/api ---
    "Sign in first: send the token from POST /api/v1/auth/token as Bearer.": (
        "请先登录：以 Bearer 方式发送 POST /api/v1/auth/token 返回的令牌。"
    ),
    "The sign-in token is unknown or has expired; sign in again.": (
        "登录令牌无效或已过期；请重新登录。"
    ),
    "R-LED-5: electronic signature refused: {problem}.": "R-LED-5：电子签名被拒绝：{problem}。",
    "Choose the role to act in: {person} holds {roles:terms}.": (
        "请选择本次操作的角色：{person} 拥有的角色为 {roles:terms}。"
    ),
    "Sign-in refused: {problem}.": "登录被拒绝：{problem}。",
    "R-LED-5: {step_type} is a signed decision: {person} signs it by re-entering their "
    "password": "R-LED-5：{step_type} 是需签名的决定：{person} 须重新输入密码签名",
    "R-LED-5: {person} signs this step with the meaning {expected}, not {claimed}; sign again "
    "with the meaning the step shows": (
        "R-LED-5：{person} 对此步骤的签名含义应为 {expected}，而非 {claimed}；"
        "请按步骤显示的含义重新签名"
    ),
    "R-LED-2: the Device-Time header {value!r} is not a time with its UTC offset; send ISO "
    "8601 such as 2026-03-01T09:30:00+08:00": (
        "R-LED-2：Device-Time 请求头 {value!r} 不是带 UTC 偏移的时间；"
        "请发送 ISO 8601 格式，例如 2026-03-01T09:30:00+08:00"
    ),
    "{variable}={name} is not a password hashing profile; use one of "
    "{known:terms_or} or unset it": (
        "{variable}={name} 不是密码散列配置；请使用 {known:terms_or} 之一，或取消该设置"
    ),
    "the password must have at least {minimum} characters": "密码至少需要 {minimum} 个字符",
    "wrong person code or password": "人员编码或密码错误",
    "wrong password for {person}": "{person} 的密码错误",
    "too many wrong passwords from this address; try again after {until} UTC or ask an "
    "administrator": "此地址的密码错误次数过多；请在 {until}（UTC）之后重试，或联系管理员",
    "{person} gave {failures} wrong signature passwords; signatures are blocked until "
    "{until} UTC": "{person} 已连续 {failures} 次输入错误的签名密码；签名已暂停至 {until}（UTC）",
    # --- who may read what (R-ACC-1) and label prints (R-ACC-2) ---
    "The role {role:term} may not read {category} records (ledger/api/access.py); roles that "
    "may: {roles:terms}.": (
        "角色 {role:term} 无权读取 {category} 类记录（ledger/api/access.py）；"
        "可读取的角色：{roles:terms}。"
    ),
    "the label of {code} was printed before ({when} UTC by {person}); give the reason for "
    "printing it again as {ask}": (
        "{code} 的标签已打印过（{when} UTC，由 {person} 打印）；重新打印请以 {ask} 注明原因"
    ),
    # --- sealed blinding (R-ACC-5) ---
    "R-ACC-5: the value sealed for {item} is longer than {size} bytes": (
        "R-ACC-5：为 {item} 密封的内容超过 {size} 字节"
    ),
    "R-ACC-5: the seal of {item} cannot be opened: the key store has no key of {study}; "
    "restore the study keys from their backup": (
        "R-ACC-5：{item} 的密封内容无法打开：密钥库中没有 {study} 的密钥；请从备份恢复研究密钥"
    ),
    "R-ACC-5: the seal of {item} does not open with the key of {study}; it was altered or "
    "belongs to another item": (
        "R-ACC-5：{item} 的密封内容无法用 {study} 的密钥打开；它已被篡改或属于其他物品"
    ),
    "{code} is a lot of the blinded study {study}; fill it into kits together with a lot of "
    "the other arm (POST /api/v1/studies/{study}/kits), so that no record ties a kit to its "
    "lot": (
        "{code} 是盲法研究 {study} 的批次；请与另一组的批次一起灌装为试验药盒"
        "（POST /api/v1/studies/{study}/kits），使任何记录都不能将药盒与其批次关联"
    ),
    "{study} is not blinded; fill its lots as vials (POST /api/v1/lots/{{code}}/fill)": (
        "{study} 不是盲法研究；请将其批次灌装为制剂瓶（POST /api/v1/lots/{{code}}/fill）"
    ),
    "fill between 1 and {most} kits from each lot": "每个批次灌装 1 至 {most} 个药盒",
    "name each lot once, with its number of kits": "每个批次只列一次，并写明药盒数量",
    "not made for {study}: {lots:list}; fill only the study's active and placebo lots into "
    "its kits": "非为 {study} 生产：{lots:list}；只能将该研究的试验药和安慰剂批次灌装为其药盒",
    "fill kits of {study} from an active and a placebo lot together; kits filled from one arm "
    "alone would be told apart by when they were filled": (
        "请将 {study} 的试验药批次与安慰剂批次一起灌装为药盒；只灌装一组的药盒可由灌装时间区分"
    ),
    "{lots:list} are stored or shipped at different temperatures, which would tell their kits "
    "apart; make the lots under one specification": (
        "{lots:list} 的贮存或运输温度不同，会使药盒可被区分；请按同一质量标准生产这些批次"
    ),
    "{kit} may not be used: the lot it was filled from (sealed in the blinded study {study}) "
    "is on hold or its donor may not be used; ask the sponsor's unblinded QA": (
        "{kit} 不得使用：其灌装批次（在盲法研究 {study} 中密封）被暂停使用或其供者不可使用；"
        "请询问申办者的非盲质量保证人员"
    ),
    "{code} is not recorded in this ledger; check the label": (
        "本账本中没有 {code} 的记录；请核对标签"
    ),
    "The request could not be understood: {problems}.": "无法理解该请求：{problems}。",
    # --- item codes and scans (R-ID-1) ---
    "{code} is a valid code but no such {item_type:term} is recorded; check the label": (
        "{code} 是有效编码，但没有记录此{item_type:term}；请核对标签"
    ),
    "{code} is a valid code but no such {item_type:term} is recorded in this ledger; check "
    "that you scanned the right label": (
        "{code} 是有效编码，但本账本中没有记录此{item_type:term}；请确认扫描的标签是否正确"
    ),
    "{code} is a {item_type:term}, not a {wanted:term}; give the code of a {wanted:term} "
    "({prefix}-...)": (
        "{code} 是{item_type:term}，不是{wanted:term}；请提供{wanted:term}的编码（{prefix}-...）"
    ),
    "{code} is not recorded in this ledger": "本账本中没有 {code} 的记录",
    "{rule}: item code {shown!r} refused: {explanation}": (
        "{rule}：物品编码 {shown!r} 被拒绝：{explanation}"
    ),
    "the facility code must be 2 to 5 characters A-Z or 0-9": (
        "机构代码必须是 2 至 5 个字符，只能为 A-Z 或 0-9"
    ),
    "{rule} (e.g. F01).": "{rule}（例如 F01）。",
    "the year must be 2000-2099 or its last two digits.": ("年份必须是 2000-2099 或其后两位数字。"),
    "the serial must be zero or a positive number.": "流水号必须是零或正整数。",
    "the check character does not match: the code was mistyped or misread; scan the label "
    "again or re-type it.": "校验字符不匹配：编码输错或识读错误；请重新扫描标签或重新输入。",
    "a code has 5 parts PREFIX-FACILITY-YY-SERIAL-C separated by '-' (e.g. "
    "PVL-F01-26-000042-7), this has {parts}; check it and re-type it.": (
        "编码由 '-' 分隔的 5 段组成：PREFIX-FACILITY-YY-SERIAL-C（例如 PVL-F01-26-000042-7），"
        "此编码有 {parts} 段；请核对后重新输入。"
    ),
    "the item type prefix must be three letters A-Z": "物品类型前缀必须是三个字母 A-Z",
    "the year must be two digits": "年份必须是两位数字",
    "the serial must be six digits (more only above 999999, no leading 0)": (
        "流水号必须是六位数字（仅在超过 999999 时更多位，且不以 0 开头）"
    ),
    "the check character must be one character 0-9, A-Z or '*'": (
        "校验字符必须是一个字符：0-9、A-Z 或 '*'"
    ),
    "{rule}, got {field!r}; check it and re-type it.": (
        "{rule}，实际为 {field!r}；请核对后重新输入。"
    ),
    "expected {wanted:terms_or}, got {got}; scan the label of the right item.": (
        "应为{wanted:terms_or}，实际为{got}；请扫描正确物品的标签。"
    ),
    "a {label:term} ({prefix}-...)": "{label:term}（{prefix}-...）",
    "an {label:term} ({prefix}-...)": "{label:term}（{prefix}-...）",
    "nothing was scanned or typed; scan the label or type the code.": (
        "未扫描或输入任何内容；请扫描标签或输入编码。"
    ),
    "this is not an item code nor a label link ending in /v/<code>; scan the item's own "
    "label.": "这既不是物品编码，也不是以 /v/<code> 结尾的标签链接；请扫描该物品自身的标签。",
    "it contains {listed:list}; codes use only A-Z, 0-9, '*' and '-' (e.g. "
    "PVL-F01-26-000042-7); re-type it.": (
        "其中含有 {listed:list}；编码只能使用 A-Z、0-9、'*' 和 '-'"
        "（例如 PVL-F01-26-000042-7）；请重新输入。"
    ),
    "{prefix!r} is not a known item type prefix ({known:list}); check the first three letters "
    "and re-type it.": (
        "{prefix!r} 不是已知的物品类型前缀（{known:list}）；请核对前三个字母后重新输入。"
    ),
    # --- the ledger, attribution and corrections (R-LED) ---
    "R-LED-2: every step needs an actor id and a role": "R-LED-2：每个步骤都必须有操作人编码和角色",
    "R-LED-2: the device time must include its UTC offset, e.g. 2026-03-01T09:30+08:00": (
        "R-LED-2：设备时间必须带有 UTC 时差，例如 2026-03-01T09:30+08:00"
    ),
    "event {version} of {code} is not a correctable entry (only results, screenings, consents "
    "and confirmations are); correctable entries are {entries:term}": (
        "{code} 的事件 {version} 不是可更正的记录（只有检测结果、筛查、知情同意和确认记录可更正）；"
        "可更正的记录为 {entries:term}"
    ),
    "event {version} of {code} was already corrected": "{code} 的事件 {version} 已被更正",
    "{entry:term} (event {version}) of {code} was relied on by a later decision; it cannot be "
    "struck out - record a deviation and a new decision instead": (
        "{code} 的{entry:term}（事件 {version}）已被后续决定所依据，不能删除——"
        "请改为记录偏差并作出新的决定"
    ),
    "give the reason for correcting {code}": "请填写更正 {code} 的原因",
    "give the reason for the erasure": "请填写删除身份信息的原因",
    "the identity of {code} is already erased": "{code} 的身份信息已被删除",
    "the identity of {code} was erased; it cannot be recorded again": (
        "{code} 的身份信息已被删除，不能再次记录"
    ),
    # --- people, roles and training (R-PPL) ---
    "{person_id} is not a registered person; only registered, trained people may record "
    "steps": "{person_id} 不是已登记的人员；只有已登记并经过培训的人员才能记录操作步骤",
    "{step_type} is recorded in the role {roles:terms_or}, not {role:term}; sign in with that "
    "role": "{step_type} 须以{roles:terms_or}角色记录，而不是{role:term}；请以该角色登录",
    "{step_type} is recorded on an item that is {allowed:terms_or}; {code} is {status:term}. "
    "Scan the item the step is for, or resolve its status first": (
        "{step_type} 只能记录在状态为{allowed:terms_or}的物品上；{code} 的状态为{status:term}。"
        "请扫描该步骤对应的物品，或先处理其状态"
    ),
    "unknown role {role!r}; use one of: {known:list}": (
        "未知角色 {role!r}；请使用以下之一：{known:list}"
    ),
    "{code} already holds the role {role:term}": "{code} 已拥有{role:term}角色",
    "{code} does not hold {role:term}": "{code} 没有{role:term}角色",
    "give the reason for revoking the role": "请填写撤销该角色的原因",
    "name the step type the training covers": "请填写培训所涵盖的步骤类型",
    "training for {step_type!r} expires on {expires_on} which is not after its completion on "
    "{completed_on}; correct the dates": (
        "{step_type!r} 的培训有效期至 {expires_on}，不晚于完成日期 {completed_on}；请更正日期"
    ),
    "give the SOP (and version) trained on": "请填写培训所依据的 SOP（及版本）",
    "{step_type!r} is not a step type of this ledger, so no training can be recorded for it; "
    "the step types of {area!r} are: {known:list}": (
        "{step_type!r} 不是本账本的步骤类型，不能为其记录培训；{area!r} 的步骤类型有：{known:list}"
    ),
    "{step_type!r} is not a step type of this ledger, so no training can be recorded for it; "
    "use one of: {known:list}": (
        "{step_type!r} 不是本账本的步骤类型，不能为其记录培训；请使用以下之一：{known:list}"
    ),
    "{code} is not a Qualified Person; grant the qp role first": (
        "{code} 不是质量受权人；请先授予 qp（质量受权人）角色"
    ),
    "{code} is no longer active": "{code} 已停用",
    "{code} does not hold the role {role:term} needed for {step_type}; ask an administrator to "
    "grant it": "{code} 没有 {step_type} 所需的{role:term}角色；请联系管理员授予",
    "{code} has no training record for {step_type}; record the training before doing this "
    "step": "{code} 没有 {step_type} 的培训记录；请先记录培训再进行此步骤",
    "{code}'s training for {step_type} expired on {expired_on}; renew the training before "
    "doing this step": "{code} 的 {step_type} 培训已于 {expired_on} 过期；请先重新培训再进行此步骤",
    # --- shared enum refusal ---
    "{what:term} {value!r} is unknown; use one of: {allowed}": (
        "未知的{what:term} {value!r}；请使用以下之一：{allowed}"
    ),
    # --- donors: screening, eligibility, consent, look-back (R-DON) ---
    "give the {label:term} of {code}'s consent": "请填写 {code} 知情同意的{label:term}",
    "consent date {consented_on} is in the future; correct it": (
        "知情同意日期 {consented_on} 晚于今天；请更正"
    ),
    "{code} has no consent in force": "{code} 没有有效的知情同意",
    "give the reason the consent was withdrawn": "请填写撤回知情同意的原因",
    "{code} became ineligible after look-back ({reason}); this cannot be reversed": (
        "{code} 经回溯判定为不合格（{reason}）；此判定不可撤销"
    ),
    "give the reason {code} is ineligible": "请填写 {code} 不合格的原因",
    "material of {code} was already collected; declare the ineligibility through look-back so "
    "that everything derived is held": (
        "已采集 {code} 的样本；请通过回溯判定其不合格，以便暂停使用由其制得的全部物品"
    ),
    "{code} has no screening; record it first": "{code} 没有筛查记录；请先记录筛查",
    "the screening sample of {code} is hemodiluted by more than half; test a sample drawn "
    "before the infusions": ("{code} 的筛查样本血浆稀释超过一半；请检测输液前采集的样本"),
    "{code} is {positive:list} not non-reactive; an allogeneic donor with such a result is "
    "ineligible": "{code} 的 {positive:list} 结果不是无反应性；有此结果的异体供者不合格",
    "autologous donor {code} is {positive:list} not non-reactive; accept only with a "
    "justification that names the measures preventing transmission to anyone but the donor": (
        "自体供者 {code} 的 {positive:list} 结果不是无反应性；只有在写明防止病原体传播给"
        "供者本人以外人员的措施的理由后方可接受"
    ),
    "{code} is already ineligible after look-back": "{code} 已经回溯判定为不合格",
    "give the finding that makes {code} ineligible": "请填写导致 {code} 不合格的发现",
    "age {age} of {donor} is impossible; correct it": "{donor} 的年龄 {age} 不可能；请更正",
    "sex of {donor} must be one of {sexes:list}": "{donor} 的性别必须是以下之一：{sexes:list}",
    "{label:term} of {donor} is missing; record it (write 'none' when there is nothing)": (
        "缺少 {donor} 的{label:term}；请记录（没有时填写 'none'）"
    ),
    "unknown marker {marker!r} for {donor}; use one of {known:list}": (
        "{donor} 的检测项目 {marker!r} 未知；请使用以下之一：{known:list}"
    ),
    "{marker} is given twice for {donor}": "{donor} 的 {marker} 重复填写",
    "{marker} result of {donor} needs the IVD kit name and its NMPA approval number": (
        "{donor} 的 {marker} 结果需要填写体外诊断试剂盒名称及其国家药品监督管理局批准文号"
    ),
    "give the {marker} typing of {donor}": "请填写 {donor} 的 {marker} 分型结果",
    "{marker} result of {donor} must be one of {outcomes:list}": (
        "{donor} 的 {marker} 结果必须是以下之一：{outcomes:list}"
    ),
    "screening of {donor} lacks {missing:list}{why}; test them before recording the "
    "screening": "{donor} 的筛查缺少 {missing:list}{why}；请先完成检测再记录筛查",
    " (the sample is leukocyte-rich)": "（该样本富含白细胞）",
    "hemodilution assessment of {donor}: volumes cannot be negative and the plasma volume "
    "must be above 0 ml": "{donor} 的血浆稀释评估：体积不能为负数，且血浆容量必须大于 0 ml",
    "donor {code} became ineligible after look-back ({reason}); {item} may take no further "
    "step - quarantine it and follow the donor's recall list": (
        "供者 {code} 经回溯判定为不合格（{reason}）；{item} 不得进行任何后续步骤——"
        "请将其隔离，并按该供者的召回清单处理"
    ),
    "donor {code} is {eligibility:term}{why}; {item} may not enter cell preparation until QA "
    "determines the donor eligible": (
        "供者 {code} 为{eligibility:term}{why}；在质量保证部门判定该供者合格之前，"
        "{item} 不得进入细胞制备"
    ),
    " ({reason})": "（{reason}）",
    "donor {code} withdrew consent; {item} may not be used further": (
        "供者 {code} 已撤回知情同意；{item} 不得继续使用"
    ),
    "no consent is recorded for donor {code}; record the signed consent before using {item}": (
        "供者 {code} 没有知情同意记录；使用 {item} 之前请先记录已签署的知情同意"
    ),
    "donor {code}'s consent does not authorise {scope:term}; {item} may not be used this way "
    "without a new consent covering it": (
        "供者 {code} 的知情同意未授权{scope:term}；没有涵盖此用途的新知情同意，{item} 不得如此使用"
    ),
    # --- materials (R-MAT) ---
    "material {reference} is already defined": "物料 {reference} 已定义",
    "give the material's catalogue reference and name": "请填写物料的目录编号和名称",
    "{ref} is not pharmaceutical grade; give the reference of its risk assessment": (
        "{ref} 不是药用级；请填写其风险评估的编号"
    ),
    "name the antibiotic class(es) of {ref}": "请填写 {ref} 所含抗生素的类别",
    "{ref} is animal-derived; give its country of origin (ISO 3166 code, e.g. NZ)": (
        "{ref} 为动物源性材料；请填写其原产国（ISO 3166 代码，例如 NZ）"
    ),
    "{country} is already an epidemic area for {species:term}": (
        "{country} 已被列为{species:term}的疫区"
    ),
    "give the announcement that lists the area": "请填写列明该疫区的公告",
    "{country} is not an epidemic area for {species:term}": "{country} 不是{species:term}的疫区",
    "give the reason the listing is lifted": "请填写解除疫区列名的原因",
    "give the {label:term} of the {reference} lot": "请填写 {reference} 该批的{label:term}",
    "{reference} lot {supplier_lot} expired on {expiry}; do not accept it": (
        "{reference} 批号 {supplier_lot} 已于 {expiry} 过期；请勿接收"
    ),
    "{code} expired on {expiry}; it cannot be released": "{code} 已于 {expiry} 过期，不能放行",
    "give the QC record that releases {code}": "请填写放行 {code} 的质量控制记录",
    "give the reason {code} is rejected": "请填写 {code} 不合格拒收的原因",
    "{code} was recalled ({recalled})": "{code} 已被召回（{recalled}）",
    "{code} is already {status:term}; recall it if it must not be used": (
        "{code} 已处于{status:term}状态；如不得使用，请将其召回"
    ),
    "{code} is already recalled": "{code} 已被召回",
    "give the reason {code} is recalled": "请填写召回 {code} 的原因",
    "{lot} is {status:term}, not QC-released; only released lots may be used": (
        "{lot} 处于{status:term}状态，未经质量控制放行；只有已放行的批次可以使用"
    ),
    "{lot} was recalled ({recalled}); set it aside": "{lot} 已被召回（{recalled}）；请将其隔离存放",
    "{lot} expired on {expiry}; set it aside": "{lot} 已于 {expiry} 过期；请将其隔离存放",
    "{where} contains a beta-lactam antibiotic, which may not be used in cell culture "
    "({stage:term}); use a lot without it": (
        "{where} 含有β-内酰胺类抗生素，细胞培养（{stage:term}）中不得使用；请使用不含该抗生素的批次"
    ),
    "{where} contains an antibiotic; record why it is needed at {stage:term}, or use a lot "
    "without it": (
        "{where} 含有抗生素；请记录{stage:term}阶段需要使用的理由，或使用不含抗生素的批次"
    ),
    "{where} puts an antibiotic in the transport medium; give the validated "
    "antibiotic-removal process reference": (
        "{where} 会在运输保护液中引入抗生素；请填写经验证的抗生素去除工艺编号"
    ),
    "{where} contains serum or a serum substitute, which may not be used in the "
    "supernatant-collection stage; use a serum-free medium": (
        "{where} 含有血清或血清替代物，上清收集阶段不得使用；请使用无血清培养基"
    ),
    "{where} is animal-derived and not GMP-made; it may not be used": (
        "{where} 为动物源性材料，且不是在符合 GMP 条件下制备的；不得使用"
    ),
    "{where} is animal-derived with no pathogen screening recorded; it may not be used": (
        "{where} 为动物源性材料，没有病原体筛查记录；不得使用"
    ),
    "{where} is {animal_species:term} serum from {origin_country}, an epidemic area; animal "
    "serum from epidemic areas is forbidden": (
        "{where} 是来自疫区 {origin_country} 的{animal_species:term}血清；"
        "严禁使用疫区来源的动物血清"
    ),
    # --- collection, isolation, identity, cell banks (R-CB) ---
    "its sample": "其样本",
    "give the collection SOP and version for {sample}": "请填写 {sample} 的采集 SOP 及版本",
    "scan the transport medium lot(s) {sample} arrived in": (
        "请扫描 {sample} 运输时所用运输保护液的批次"
    ),
    "collection and arrival times need their UTC offset": "采集时间和到达时间必须带有 UTC 时差",
    "{sample} must be collected before it arrives, and arrive no later than now; check both "
    "times": "{sample} 的采集时间必须早于到达时间，且到达时间不得晚于现在；请核对这两个时间",
    "{sample_type:term} is leukocyte-rich but donor {donor} was not found eligible on a "
    "screening with HTLV-1/2, CMV and EBV; screen again with the extended panel": (
        "{sample_type:term}富含白细胞，但供者 {donor} 未经包含 HTLV-1/2、CMV 和 EBV "
        "的筛查判定合格；请按扩展检测项目重新筛查"
    ),
    "{collection} arrived damaged or not immersed in transport medium; it may not be "
    "processed": "{collection} 到达时已破损或未浸没于运输保护液中；不得进行处理",
    "record the critical process parameters of the {method:term} isolation (name and value "
    "each)": "请记录{method:term}分离的关键工艺参数（每项的名称和数值）",
    "give the cell type and at least one portion": "请填写细胞类型，并至少分出一份细胞",
    "give the line name, supplier and supplier's lot (§5.3)": (
        "请填写细胞系名称、供应商及供应商批号（§5.3）"
    ),
    "{line_name} is genetically unstable; give the document proving its lawful origin": (
        "{line_name} 为遗传不稳定的细胞系；请提供其来源合法合规的证明文件"
    ),
    "give the identity method and QC report for {code}": (
        "请填写 {code} 的身份确认方法及质量控制报告"
    ),
    "list each marker of {code} with its expected and observed result": (
        "请列出 {code} 的每个标志物及其预期结果和实测结果"
    ),
    "give the vector name and lot used on {code}": "请填写用于 {code} 的载体名称及批号",
    "the identity of {code} {why}{since}; confirm it before banking": (
        "{code} 的身份确认{since}{why}；建库前请先确认"
    ),
    "did not conform": "不符合",
    "is not confirmed": "尚未确认",
    " since its engineering": "（自工程化改造以来）",
    "give the cloning method and at least one clone of {code}": (
        "请填写 {code} 的单克隆化方法，并至少挑选一个单克隆"
    ),
    "the new bank's passage must exceed {source}'s ({passage}) and its limit may not exceed "
    "{max_passage}": (
        "新细胞库的代次必须高于 {source}（{passage}），且其代次限度不得超过 {max_passage}"
    ),
    "a {tier:term} bank cannot be made from {kind:term} {source}: a seed bank comes from "
    "cells, a master bank from a seed vial or cells, a working bank from a master bank vial": (
        "不能由{kind:term} {source} 制备{tier:term}细胞库：种子细胞库由细胞制备，"
        "主细胞库由种子细胞库冻存管或细胞制备，工作细胞库由主细胞库冻存管制备"
    ),
    "an autologous hPSC working bank is small-scale: at most {limit} vials, not {vials}": (
        "自体 hPSC 工作细胞库为小规模细胞库：最多 {limit} 支，而不是 {vials} 支"
    ),
    "give the laboratory and its report for {code}": "请填写 {code} 的检验机构及其报告",
    "{code} is already released": "{code} 已放行",
    "{code} failed {test} ({report_ref}); a failed bank cannot be released": (
        "{code} 的 {test} 检测不合格（{report_ref}）；检测不合格的细胞库不能放行"
    ),
    "{code} lacks a passed third-party result for {missing:list}": (
        "{code} 缺少以下项目合格的第三方检验结果：{missing:list}"
    ),
    "{code} lacks a passed identity test": "{code} 缺少合格的鉴别检测",
    "{bank} must be stored in vapor-phase liquid nitrogen": "{bank} 必须贮存于气相液氮中",
    "give {bank}'s vials one distinct tank / rack / box / position each": (
        "请为 {bank} 的每支冻存管指定不同的液氮罐 / 架 / 盒 / 位置"
    ),
    "passage {passage} of {bank} must be within the limit {max_passage} set by a referenced "
    "passage-stability study": (
        "{bank} 的代次 {passage} 必须在有据可查的传代稳定性研究所定的限度 {max_passage} 以内"
    ),
    "give {bank}'s post-thaw viability specification in %": "请填写 {bank} 的复苏后活率标准（%）",
    "{bank} cannot be frozen after today": "{bank} 的冻存日期不能晚于今天",
    "{code} was already thawed; a vial is thawed once - take another vial": (
        "{code} 已复苏；每支冻存管只能复苏一次——请另取一支"
    ),
    "post-thaw viability {viability_pct}% is impossible": "复苏后活率 {viability_pct}% 不可能",
    "bank {bank} is not released; its vials may be thawed for testing only": (
        "细胞库 {bank} 尚未放行；其冻存管只能复苏用于检测"
    ),
    "{code} is not thawed; thaw it first": "{code} 尚未复苏；请先复苏",
    "{code} was thawed for testing; its cells may not go into production": (
        "{code} 是为检测而复苏的；其细胞不得用于生产"
    ),
    "{code} had {viability_pct}% post-thaw viability, below the bank's {viability_spec_pct}% "
    "specification; it may not be used for production - dispose of it": (
        "{code} 复苏后活率为 {viability_pct}%，低于该细胞库 {viability_spec_pct}% 的标准；"
        "不得用于生产——请予以处置"
    ),
    # --- culture, harvest, purification, fill, disposal (R-PRO) ---
    "scan the medium lot used for {where}": "请扫描{where}所用培养基的批次",
    "the culture from {vial}": "由 {vial} 开始的培养",
    "passage {number} of {code}": "{code} 的第 {number} 代传代",
    "supernatant collection from {code}": "{code} 的上清收集",
    "{vial} is a {tier:term} bank vial; production cultures start from a working cell bank "
    "vial": "{vial} 是{tier:term}细胞库冻存管；生产用培养必须由工作细胞库冻存管开始",
    "{vial} already started {children:list}; thaw another vial": (
        "{vial} 已用于开始 {children:list}；请复苏另一支冻存管"
    ),
    "passage {number} of {code} must follow passage {passage} and may not exceed "
    "{max_passage}, the limit its bank's stability study set; end the culture": (
        "{code} 的第 {number} 代必须在第 {passage} 代之后，且不得超过其细胞库稳定性研究所定的"
        "限度 {max_passage}；请终止该培养"
    ),
    "record the feed (medium change) and the dissociation method of passage {number} of "
    "{code}": "请记录 {code} 第 {number} 代的换液情况和解离方法",
    "{code} is already in the supernatant-collection stage": "{code} 已处于上清收集阶段",
    "{culture} is in the {stage:term} stage; supernatant is harvested only in the serum-free "
    "collection stage - move the culture to it first": (
        "{culture} 处于{stage:term}阶段；只能在无血清的上清收集阶段收获上清——请先将培养转入该阶段"
    ),
    "give the volume harvested from {culture}": "请填写从 {culture} 收获的体积",
    "scan the medium lot(s) of the harvest from {culture}": (
        "请扫描从 {culture} 收获时所用培养基的批次"
    ),
    "{code} was already pooled into {children:list}; a harvest goes into one lot only": (
        "{code} 已合并入 {children:list}；一份收获物只能进入一个批次"
    ),
    "record the critical purification parameters (name, value)": (
        "请记录纯化的关键工艺参数（名称、数值）"
    ),
    "give the volume of the purified lot": "请填写纯化后批次的体积",
    "scan at least one harvest to purify": "请至少扫描一份待纯化的收获物",
    "donor {autologous:list} is autologous; their material may not be pooled with other "
    "donors' ({donor_codes:list}) - purify it alone": (
        "供者 {autologous:list} 为自体供者；其材料不得与其他供者（{donor_codes:list}）的材料合并"
        "——请单独纯化"
    ),
    "a placebo lot needs its blinded study, its formulation and the excipient lots used": (
        "安慰剂批次需要填写其设盲研究、处方以及所用辅料的批次"
    ),
    "give the volume of the placebo lot": "请填写安慰剂批次的体积",
    "event {version} of {code} is a failed {test} result: nobody strikes it out and the bank "
    "is not released; record a deviation and let QA decide what becomes of the bank": (
        "{code} 的事件 {version} 是不合格的 {test} 结果：任何人不得划除，该细胞库不得放行；"
        "请记录偏差，由质量保证人员决定该细胞库的处理"
    ),
    # dosing schedule and dispensing at the bedside (R-CLN-7, R-CLN-8)
    "{patient} was last dosed at {last:%Y-%m-%d %H:%M} UTC, {hours:.1f} h ago; the protocol "
    "requires {interval:g} h between doses - the next dose is due from {due:%Y-%m-%d %H:%M} "
    "UTC": (
        "{patient} 上次给药时间为 {last:%Y-%m-%d %H:%M}（UTC），距今 {hours:.1f} 小时；方案要求两次"
        "给药间隔至少 {interval:g} 小时——下次给药不早于 {due:%Y-%m-%d %H:%M}（UTC）"
    ),
    "{patient} has had {given} of the {allowed} administrations the protocol allows; no "
    "further dose": "{patient} 已完成方案允许的 {allowed} 次给药中的 {given} 次；不得再给药",
    "{vial} was not dispensed for {patient}; the site pharmacy dispenses it for the subject "
    "first": "{vial} 未为 {patient} 发药；须先由中心药房为该受试者发药",
    "give the number of administrations per subject (1 or more) and the minimum interval "
    "between two in hours (0 or more)": (
        "请填写每名受试者的给药次数（1 次或以上）及两次给药的最短间隔（小时，0 或以上）"
    ),
    "a protocol of {administrations} administrations per subject fixes the minimum interval "
    "between two; give it in hours": (
        "每名受试者给药 {administrations} 次的方案须规定两次给药的最短间隔；请以小时填写"
    ),
    # a complete temperature record (R-SHP-4)
    "the temperature record of {code} ends at {last}, before receipt at {received}; upload "
    "the logger's readings up to receipt - a shipment without a complete record is not "
    "released": (
        "{code} 的温度记录止于 {last}，早于接收时间 {received}；请上传至接收时为止的温度记录仪"
        "数据——温度记录不完整的运输不得放行"
    ),
    "declare the interval the shipment's temperature logger records at, in minutes (1 to "
    "1440)": "请填写该运输温度记录仪的记录间隔（分钟，1 至 1440）",
    "{code} has no temperature record; upload the logger's readings from dispatch "
    "({dispatched}) to receipt ({received})": (
        "{code} 没有温度记录；请上传自发运（{dispatched}）至接收（{received}）的温度记录仪数据"
    ),
    # pauses and terminations for other reasons (R-CLN-9)
    "the decision is pause, resume or terminate": "决定须为暂停、恢复或终止",
    "name who decided: the sponsor, the investigator or the ethics committee": (
        "请注明决定方：申办者、研究者或伦理委员会"
    ),
    "{code} is {status:term}; {action:term} does not apply to it": (
        "{code} 当前为{status:term}；不适用{action:term}"
    ),
    "{code} was paused by a serious adverse event; only the ethics committee resumes it": (
        "{code} 因严重不良事件暂停；只有伦理委员会可以恢复"
    ),
    "give the reason and the decision's reference": "请填写原因及该决定的文件编号",
    "{code} has no decision {number}": "{code} 没有编号为 {number} 的决定",
    "decision {number} was already reported": "决定 {number} 已报告",
    # long-term follow-up (R-CLN-10)
    "{code} already left the study": "{code} 已退出研究",
    "give the reason the subject leaves": "请填写受试者退出的原因",
    "{patient} has no adverse event {number} in {code}": (
        "{patient} 在 {code} 中没有编号为 {number} 的不良事件"
    ),
    "write how the event evolved": "请填写该事件的转归情况",
    "give the outcome of the resolved event (e.g. recovered)": (
        "请填写已缓解事件的结局（例如：痊愈）"
    ),
    "adverse event {number} already resolved": "不良事件 {number} 已缓解",
    "{patient} left the study on {on}; no further dose": "{patient} 已于 {on} 退出研究；不得再给药",
    "{patient} left the study on {on}; do not dispense": "{patient} 已于 {on} 退出研究；不得发药",
    # distribution to another institution or project (R-DON-8)
    "{code} was sent to {institution} ({project}); it takes no further step here": (
        "{code} 已发送至 {institution}（{project}）；在本机构不得再进行任何操作"
    ),
    "name the receiving institution, its project and the agreement's reference": (
        "请填写接收机构、其项目及协议编号"
    ),
    # scanned labels (R-ID-2)
    "{text!r} is not a CellTrace signed label (no '#{version}.' payload); scan the QR code on "
    "the item's own label, not its printed code.": (
        "{text!r} 不是 CellTrace 签名标签（无 '#{version}.' 载荷）；请扫描物品自身标签上的二维码，"
        "而不是印刷的编码。"
    ),
    "the label payload is damaged (a field is missing or malformed); do not use the item: set "
    "it aside and report it to QA.": (
        "标签载荷已损坏（有字段缺失或格式错误）；请勿使用该物品：将其隔离并报告 QA。"
    ),
    "the label of {code} links to {link!r}, not to {base}/v/...; it was not printed by this "
    "CellTrace: set it aside and report it to QA.": (
        "{code} 的标签链接到 {link!r}，而不是 {base}/v/...；"
        "它不是由本 CellTrace 打印的：请将其隔离并报告 QA。"
    ),
    "the label of {code} was signed by label key {key}, which is not a trusted key; load the "
    "published label verifier keys into this scanner, and if it still fails treat the label as "
    "forged and report it to QA.": (
        "{code} 的标签由标签密钥 {key} 签名，该密钥不受信任；请将公布的标签验证公钥载入此扫描设备，"
        "如仍失败，请视为伪造标签并报告 QA。"
    ),
    "the signature on the label of {code} does not verify: the label was altered, damaged or "
    "forged; do not use the item: quarantine it and report it to QA.": (
        "{code} 标签上的签名验证失败：标签被改动、损坏或伪造；请勿使用该物品：将其隔离并报告 QA。"
    ),
    "the signed fields of {code} are malformed; do not use the item: report it to QA.": (
        "{code} 的签名字段格式错误；请勿使用该物品：请报告 QA。"
    ),
    # excursion holds (R-SHP-2, R-SHP-4, R-SHP-5)
    "temperature excursion in {code}: {temp_c:g} C at {at} outside {min_c:g}..{max_c:g} C "
    "({count} readings, logger {logger}); await the assessment": (
        "{code} 发生温度偏离：{at} 时为 {temp_c:g} C，超出 {min_c:g}..{max_c:g} C"
        "（{count} 个读数，记录仪 {logger}）；请等待评估"
    ),
    "temperature record of {code} incomplete: no reading from {start} to {end} ({minutes} min; "
    "the logger records every {interval} min); a gap longer than twice the interval counts as "
    "an excursion - await the assessment": (
        "{code} 的温度记录不完整：{start} 至 {end} 无读数（{minutes} 分钟；记录仪每 {interval} "
        "分钟记录一次）；超过两倍记录间隔的空缺视为温度偏离——请等待评估"
    ),
    "temperature excursion in storage unit {unit} ({name}): {temp_c:g} C at {at} outside "
    "{min_c:g}..{max_c:g} C ({count} readings, logger {logger}); await QA's assessment": (
        "储存设备 {unit}（{name}）发生温度偏离：{at} 时为 {temp_c:g} C，超出 "
        "{min_c:g}..{max_c:g} C（{count} 个读数，记录仪 {logger}）；请等待 QA 评估"
    ),
    "temperature record of storage unit {unit} ({name}) incomplete: no reading from {start} to "
    "{end} ({minutes} min; the logger records every {interval} min); a gap longer than twice "
    "the interval counts as an excursion - await QA's assessment": (
        "储存设备 {unit}（{name}）的温度记录不完整：{start} 至 {end} 无读数（{minutes} 分钟；"
        "记录仪每 {interval} 分钟记录一次）；超过两倍记录间隔的空缺视为温度偏离——请等待 QA 评估"
    ),
    "excursion assessed ({report_ref})": "温度偏离已评估（{report_ref}）",
    "deviation closed: {impact}": "偏差已关闭：{impact}",
    # where an item is (the items view)
    "patient {patient}": "受试者 {patient}",
    "shipment {shipment} to {site}": "运往 {site} 的运输 {shipment}",
    "{site}: {place}, for {patient}": "{site}：{place}，供 {patient} 使用",
    # monitored storage units (R-SHP-5)
    "{code} was shipped; store it at the site it went to": (
        "{code} 已发运；请在其所到的临床机构存放"
    ),
    "{code} was disposed of or sent away; it is not here": "{code} 已销毁或已外发；不在此处",
    "name the vials put into the unit, each once": "请列出放入该设备的制剂瓶，每瓶一次",
    "name the place in the unit (rack/box/position)": "请填写在设备中的位置（架/盒/孔位）",
    "name the storage unit as it is labelled (e.g. 'Pharmacy freezer F2') and its kind (e.g. "
    "'-80 C freezer', 'LN2 tank')": (
        "请按标识填写储存设备名称（如“药房冰箱 F2”）及其类型（如“-80 C 冰箱”、“液氮罐”）"
    ),
    "the unit's allowed range {min_c:g}..{max_c:g} C is empty; give the lowest and the "
    "highest temperature it may reach": (
        "该设备的允许范围 {min_c:g}..{max_c:g} C 为空；请填写其允许的最低和最高温度"
    ),
    "declare the interval the unit's temperature logger records at, in minutes (1 to 1440)": (
        "请申报该设备温度记录仪的记录间隔，以分钟计（1 至 1440）"
    ),
    "{unit} ({name}) is at {where}, not at {site}; store the items in a unit where they are": (
        "{unit}（{name}）位于 {where}，而非 {site}；请将物品存放于其所在地的储存设备"
    ),
    "{unit} ({name}) is allowed {unit_min:g}..{unit_max:g} C but {items:list} must be kept at "
    "{min_c:g}..{max_c:g} C; choose a unit whose whole range lies within it": (
        "{unit}（{name}）的允许范围为 {unit_min:g}..{unit_max:g} C，而 {items:list} 须保存于 "
        "{min_c:g}..{max_c:g} C；请选择允许范围完全在其内的储存设备"
    ),
    "{unit} ({name}) has a temperature excursion awaiting QA's assessment; store the items in "
    "another unit": "{unit}（{name}）有一次温度偏离待 QA 评估；请将物品存放于其他储存设备",
    "{unit} has no temperature excursion to assess": "{unit} 没有待评估的温度偏离",
    "{unit} ({name}) has no temperature record yet; upload the logger's readings": (
        "{unit}（{name}）尚无温度记录；请上传温度记录仪的读数"
    ),
    "the temperature record of {unit} ({name}) ends at {last}; upload the logger's readings "
    "since": "{unit}（{name}）的温度记录止于 {last}；请上传此后的温度记录仪读数",
    "{site} keeps its stock in monitored storage units ({units:list}); name the unit the vials "
    "go into": "{site} 的库存保存于受监控的储存设备（{units:list}）；请填写制剂瓶放入的设备",
    # product accountability (R-QMS-6)
    "{vial} was not filled from {lot}; scan the lot's own vials": (
        "{vial} 不是由 {lot} 灌装的；请扫描该批次自己的制剂瓶"
    ),
    "name the vials kept as samples, each once": "请列出留样的制剂瓶，每瓶一次",
    "deviation {deviation} about the vials of {code} is open; QA closes it before the lot "
    "is closed": (
        "关于 {code} 制剂瓶的偏差 {deviation} 尚未关闭；须由质量保证人员先行关闭，批次方可关闭"
    ),
    "count {parts:list} of {code}; {unknown:list} is not one of them": (
        "请清点 {code} 的 {parts:list}；{unknown:list} 不在其中"
    ),
    "give each count of {code} as a whole number, 0 or more": (
        "{code} 的每项清点数须为 0 或以上的整数"
    ),
    "{code} has not been re-inspected at its site; count it once received": (
        "{code} 尚未在临床中心完成到货复检；请在接收后再清点"
    ),
    "{vials:list} of {code} are still in stock; ship, retain or dispose of them before the "
    "lot is closed": "{code} 的 {vials:list} 仍在库存中；请在关闭批次前发运、留样或销毁",
    "count the vials of {code} against the record now ({equation}); the lot is closed on a "
    "count that matches its record": (
        "请立即按记录清点 {code} 的制剂瓶（{equation}）；批次须以与记录相符的清点结果关闭"
    ),
    "{shipment} has not been counted at its site ({equation}); the site pharmacy reconciles "
    "it first": "{shipment} 尚未在临床中心清点（{equation}）；须由中心药房先行核对数量平衡",
    "{code} is closed: every vial was accounted for; it takes no further step": (
        "{code} 已关闭：所有制剂瓶均已核对去向；不得再进行任何操作"
    ),
    "{code} has no disposition yet; QA certifies or rejects it first": (
        "{code} 尚无处置决定；须由质量保证人员先行认证或拒收"
    ),
    "{code} is already a retained sample, kept at {place}": "{code} 已作为留样保存于 {place}",
    "{code} was shipped; keep an unshipped vial as the retained sample": (
        "{code} 已发运；请以未发运的制剂瓶作为留样"
    ),
    "{code} was disposed of; it cannot be kept": "{code} 已销毁，不能留样",
    "name where the retained sample {code} is kept": "请填写留样 {code} 的保存位置",
    "{code} was disposed of at {site}; it cannot be returned": "{code} 已在 {site} 销毁，不能退回",
    "give the reason the vials are returned": "请填写退回原因",
    "name the courier taking the return": "请填写承运退回产品的承运人",
    "the receipt of {code} is already recorded": "{code} 的接收已记录",
    "{unknown:terms} is not in {code} or is named twice; name each vial received once": (
        "{unknown:terms} 不在 {code} 中或被重复填写；每个已接收的制剂瓶只填写一次"
    ),
    "name where the returned vials are kept until destroyed": "请填写退回制剂瓶在销毁前的存放位置",
    "{vial} is a retained sample of {lot}, kept at {place}; retained samples stay at the "
    "manufacturer": "{vial} 是 {lot} 的留样，保存于 {place}；留样须留在生产企业",
    "{vial} was returned to the manufacturer in {back}; it is no longer at {site}": (
        "{vial} 已随 {back} 退回生产企业，不再在 {site}"
    ),
    "re-inspect the receipt of {code} before returning its vials": (
        "退回制剂瓶前请先完成 {code} 的到货复检"
    ),
    "name the vials returned, each once": "请列出退回的制剂瓶，每瓶一次",
    "{vial} was not received at {site} in {code}; return only vials that are here": (
        "{vial} 未随 {code} 在 {site} 接收；只能退回在本中心的制剂瓶"
    ),
    "{vial} was thawed or administered; it cannot go back - dispose of what is left at the "
    "site": "{vial} 已复苏或已给药，不能退回——请在本中心销毁剩余部分",
    # deviations and CAPA (R-QMS-2, R-QMS-3, R-QMS-4)
    "name the items the deviation concerns (scan them)": "请填写（扫描）该偏差涉及的物品",
    "describe the deviation": "请描述该偏差",
    "assess the impact of {code} on the items it concerns": "请评估 {code} 对所涉物品的影响",
    "give the root cause of {code}": "请填写 {code} 的根本原因",
    "{capas:list} are not CAPA actions of {code}; its actions are {known:list}": (
        "{capas:list} 不是 {code} 的纠正预防措施；其措施为 {known:list}"
    ),
    "{code} is {severity:term}: close it with the CAPA actions it needs": (
        "{code} 为{severity:term}偏差：关闭时须列明所需的纠正预防措施"
    ),
    "{code} is already closed": "{code} 已关闭",
    "describe the corrective or preventive action": "请描述纠正或预防措施",
    "the due date {due} is already past": "截止日期 {due} 已过",
    "{code} is already done": "{code} 已完成",
    "{code} cannot be done in the future": "{code} 的完成日期不能晚于今天",
    "{code} is not done yet; check its effectiveness once done": (
        "{code} 尚未完成；完成后再检查其有效性"
    ),
    "the effectiveness of {code} is already checked": "{code} 的有效性已检查",
    "give the evidence of the effectiveness check": "请提供有效性检查的证据",
    "deviation {deviation} is open and concerns {codes:list}; QA closes it first": (
        "偏差 {deviation} 尚未关闭且涉及 {codes:list}；须由 QA 先关闭"
    ),
    # OOS investigations and disposition (R-QMS-1, R-QMS-3, R-QMS-5)
    "OOS investigation {number} of {lot} ({test}, {report_ref}) is open; conclude it first": (
        "{lot} 的 OOS 调查 {number}（{test}，{report_ref}）尚未结束；请先完成调查结论"
    ),
    "OOS investigation {number} of {lot} is already concluded ({outcome:term})": (
        "{lot} 的 OOS 调查 {number} 已有结论（{outcome:term}）"
    ),
    "{lot} has no OOS investigation {number}; its investigations are {known:list}": (
        "{lot} 没有编号为 {number} 的 OOS 调查；其调查为 {known:list}"
    ),
    "a retest replaces a {test} result of {code} that an OOS investigation invalidated; event "
    "{replaced} is not one": (
        "复检替代的须是 {code} 中经 OOS 调查判定无效的 {test} 结果；事件 {replaced} 不是"
    ),
    "an out-of-specification result is invalidated only with an assignable cause; name the "
    "cause found, or confirm the result": (
        "超标结果只有在查明可归属原因时才能判定无效；请写明所查明的原因，或确认该结果"
    ),
    "write the investigation's conclusion": "请填写调查结论",
    "write what the investigation found": "请填写调查发现",
    "event {version} of {code} is a QC result: nobody strikes it out; an out-of-specification "
    "result is invalidated only when QA concludes its OOS investigation with an assignable "
    "cause, and a retest names the result it replaces": (
        "{code} 的事件 {version} 是质量检验结果：任何人不得划除；超标结果只有在 QA 以可归属原因"
        "完成 OOS 调查结论后才判定无效，复检须注明其替代的结果"
    ),
    "{code} is rejected; it can only be disposed of": "{code} 已被拒收；只能销毁",
    "{code} is certified; recall it and dispose of its vials instead": (
        "{code} 已认证；请改为召回并销毁其产品瓶"
    ),
    "{code} is quarantined after an out-of-specification result; it is never {step:term} "
    "until QA concludes the OOS investigation": (
        "{code} 因超标结果已被隔离；在 QA 完成 OOS 调查结论之前不得{step:term}"
    ),
    "fill at least one vial with a positive volume; {code} has {remaining:g} mL left": (
        "请至少分装一瓶且体积大于零；{code} 剩余 {remaining:g} mL"
    ),
    "name the closed container filled (§5.4.2)": "请填写所分装的密闭容器（§5.4.2）",
    "{code} is on hold: {reason}; it may take no further step": (
        "{code} 已暂停使用：{reason}；不得进行任何后续步骤"
    ),
    "{code} was already disposed of": "{code} 已被处置",
    "give the method used to dispose of {code}": "请填写处置 {code} 所用的方法",
    "the disposal of {code} needs a witness other than the person disposing of it": (
        "处置 {code} 需要一名处置人以外的见证人"
    ),
    "the witness of the disposal of {code} must be another person than the one disposing of "
    "it, whatever roles they hold": (
        "处置 {code} 的见证人必须是处置人以外的另一人，无论其拥有哪些角色"
    ),
    "{code} was disposed of ({method}); a disposed item may take no further step": (
        "{code} 已被处置（{method}）；已处置的物品不得进行任何后续步骤"
    ),
    "{code} has no {rule} hold from {source} to lift": (
        "{code} 没有可解除的、由 {source} 引起的 {rule} 暂停使用"
    ),
    "the witness {witness!r} is not a registered person": "见证人 {witness!r} 不是已登记的人员",
    # --- change control (R-PRO-5) ---
    "give the change's reference and description": "请填写变更的编号和描述",
    "change {reference} is already recorded": "变更 {reference} 已记录",
    "no major change {reference} is recorded for {product}": (
        "{product} 没有记录重大变更 {reference}"
    ),
    "change {reference} was already found comparable": "变更 {reference} 已被评估为具有可比性",
    "give the comparability report and conclusion for {reference}": (
        "请填写 {reference} 的可比性研究报告及结论"
    ),
    "list the lots studied for the comparability of {reference}": (
        "请列出 {reference} 可比性研究所用的批次"
    ),
    "{lot} was made after major change {reference} ({category:term-change}), which {why}; "
    "record a comparability assessment before certifying it": (
        "{lot} 是在重大变更 {reference}（{category:term-change}）之后制备的，该变更{why}；"
        "请在认证之前记录可比性评估"
    ),
    "was found not comparable": "经评估不具有可比性",
    "has no comparability assessment": "尚无可比性评估",
    "no major change is recorded for {product}": "{product} 没有记录任何重大变更",
    # --- specification, results, certification (R-QC) ---
    "no specification {reference} is approved; QA issues it first": (
        "质量标准 {reference} 尚未批准；请由质量保证部门先行发布"
    ),
    "specification {reference} exists; revise it instead": (
        "质量标准 {reference} 已存在；请改为修订"
    ),
    "name the product specified": "请填写质量标准所适用的制剂",
    "give every test a distinct name": "请为每个检测项目指定不同的名称",
    "test {test!r} needs its method and either numeric limits or the qualitative result "
    "expected": "检测项目 {test!r} 需要填写检测方法，以及数值限度或预期的定性结果（二者之一）",
    "the specification lacks tests for: {missing:list}": (
        "质量标准缺少以下类别的检测项目：{missing:list}"
    ),
    "give the stability study, the shelf life in days and the storage and transport "
    "temperature ranges it supports": (
        "请填写稳定性研究、有效期（天）以及该研究所支持的贮存和运输温度范围"
    ),
    "give the specification a reference": "请为质量标准填写编号",
    "{test!r} is not a required test of {lot} (required: {required:list})": (
        "{test!r} 不是 {lot} 的必检项目（必检项目：{required:list}）"
    ),
    "give the method, laboratory, value and report of the {test} result of {lot}": (
        "请填写 {lot} 的 {test} 结果的检测方法、检验机构、数值和报告"
    ),
    "give the acceptance limit applied to {test} of {lot}": (
        "请填写 {lot} 的 {test} 所采用的可接受限度"
    ),
    "{test} of {lot} needs a number in {unit}": "{lot} 的 {test} 需要以 {unit} 为单位的数值",
    "give {test} of {lot} in {unit}, as specified": (
        "请按质量标准以 {unit} 为单位填写 {lot} 的 {test}"
    ),
    "{test} of {lot} = {value} is {word:term} the specification ({limit}); record it as "
    "{record_as:term} spec": (
        "{lot} 的 {test} = {value}，{word:term}质量标准（{limit}）；请记录为{record_as:term}标准"
    ),
    "{lot} failed {test} ({value} {unit}, limit {limit}, {report_ref}); it cannot be certified": (
        "{lot} 的 {test} 不合格（{value} {unit}，限度 {limit}，{report_ref}）；不能认证"
    ),
    "{lot} has no in-spec result for {test}; test it first": (
        "{lot} 没有符合标准的 {test} 结果；请先完成检测"
    ),
    "{code} is already certified": "{code} 已认证",
    # --- shipments, cold chain, receipt and site release (R-SHP, R-QC-4) ---
    "R-SHP-1: give the time with its UTC offset, e.g. 2026-03-02T09:30+08:00": (
        "R-SHP-1：请填写带 UTC 时差的时间，例如 2026-03-02T09:30+08:00"
    ),
    "R-SHP-1: the logger file holds no readings": "R-SHP-1：温度记录仪文件中没有读数",
    "R-SHP-1: the logger file is larger than {mb} MB; upload it in parts, one per download from "
    "the logger": "R-SHP-1：温度记录仪文件超过 {mb} MB；请按每次从记录仪下载的数据分批上传",
    "R-SHP-1: the logger file is not UTF-8 text; export it from the logger as CSV": (
        "R-SHP-1：温度记录仪文件不是 UTF-8 文本；请从记录仪导出为 CSV 文件"
    ),
    "R-SHP-1: line {number} of the logger file is not 'timestamp,temperature' ({problem}): "
    "{line!r}; export the file again with ISO 8601 times": (
        "R-SHP-1：温度记录仪文件第 {number} 行不是“时间戳,温度”格式（{problem}）：{line!r}；"
        "请以 ISO 8601 时间格式重新导出文件"
    ),
    "pack at least one vial in each container": "每个容器至少装入一瓶",
    "a vial can travel in one container only": "每瓶只能装入一个容器运输",
    "{vial} is of {lot} which is not certified by QA; only vials of certified lots may be "
    "shipped": "{vial} 属于未经质量保证部门认证的 {lot}；只有已认证批次的制剂瓶可以发运",
    "{vial} was already shipped": "{vial} 已发运",
    "these vials share no transport range; ship them apart": (
        "这些制剂瓶没有共同的运输温度范围；请分开发运"
    ),
    "name the courier taking the shipment": "请填写承运该批货物的承运人",
    "name the person or courier taking custody": "请填写接管货物的人员或承运人",
    "the hand-off time {at} must be after the previous hand-off and not in the future": (
        "交接时间 {at} 必须晚于上一次交接，且不得晚于现在"
    ),
    "{code} was already delivered": "{code} 已送达",
    "give the logger's serial number": "请填写温度记录仪的序列号",
    "{code} has no excursion to assess": "{code} 没有需要评估的温度偏离",
    "give the assessment's conclusion and its report reference": "请填写评估结论及其报告编号",
    "the delivery time must be after the last hand-off and not in the future": (
        "送达时间必须晚于最后一次交接，且不得晚于现在"
    ),
    "record the delivery of {code} first": "请先记录 {code} 的送达",
    "{code} was already re-inspected": "{code} 已完成接收复检",
    "{unknown:terms} is not in {code} or is named twice; inspect only the vials of this "
    "shipment, each once": (
        "{unknown:terms} 不在 {code} 中或被重复列出；只检查本次运输中的制剂瓶，每瓶一次"
    ),
    "give the reason each failed vial failed": "请填写每个复检不合格制剂瓶的不合格原因",
    "{qp} is not authorised as Qualified Person for {site}; only that site's QP may release "
    "for it": "{qp} 未被授权为 {site} 的质量受权人；只有该机构的质量受权人才能为其放行",
    "no vial of {code} has passed receipt re-inspection at {site}; re-inspect it first": (
        "{code} 没有任何制剂瓶在 {site} 通过接收复检；请先进行复检"
    ),
    "{code} was already released for use": "{code} 已放行使用",
    "{vial} is not released for use at {site}": "{vial} 未在 {site} 放行使用",
    "{vial} was already thawed": "{vial} 已复苏",
    # --- clinical: sites, studies, subjects, bedside, safety (R-CLN) ---
    "give the name of the clinical institution of the site": "请填写该研究机构的临床机构名称",
    "give the protocol version approved by ethics": "请填写经伦理委员会批准的研究方案版本",
    "list the allowed routes, each one of: {routes:list}{unknown}": (
        "请列出允许的给药途径，每项须为以下之一：{routes:list}{unknown}"
    ),
    " (unknown: {routes:list})": "（未知：{routes:list}）",
    "give the unit of the dose levels": "请填写剂量水平的单位",
    "list the dose-escalation cohorts, each with a unique name and positive dose levels": (
        "请列出剂量递增的各剂量组，每个剂量组须有唯一名称和大于零的剂量水平"
    ),
    "give the in-use time after thaw in minutes (from stability)": (
        "请填写复苏后的使用时限（分钟，依据稳定性研究）"
    ),
    "each follow-up visit needs a label and a day > 0": "每次随访都需要名称和大于 0 的天数",
    "the follow-up schedule lacks {missing:terms}; a protocol may extend the standard schedule "
    "but not shorten it": "随访计划缺少{missing:terms}；研究方案可以延长标准随访计划，但不能缩短",
    "give the study's registered title": "请填写研究的登记名称",
    "{code} is already active at {site_code}": "{code} 已在 {site_code} 启动",
    "{code} was terminated": "{code} 已终止",
    "{study} is not active at {site_code}; activate the site first": (
        "{study} 尚未在 {site_code} 启动；请先启动该研究机构"
    ),
    "{study} is {status:term}; no subject may be enrolled until the study is resumed": (
        "{study} {status:term}；在研究恢复之前不得入组受试者"
    ),
    "cohort {cohort!r} is not in {study}; use {names}": (
        "剂量组 {cohort!r} 不属于 {study}；请使用 {names}"
    ),
    "record the signed consent form's version and the day it was signed (not in the future)": (
        "请记录已签署知情同意书的版本及签署日期（不得晚于今天）"
    ),
    "{code} already withdrew consent": "{code} 已撤回知情同意",
    "record the reason for the withdrawal": "请记录退出的原因",
    "{vial} was not administered to {code}": "{vial} 未给予 {code}",
    "{vial} is not blinded; nothing to reveal": "{vial} 不是盲态制剂；无需揭盲",
    "give the medical emergency that requires unblinding": "请填写需要揭盲的医疗紧急情况",
    "{donor_code} is not a registered autologous donor; link an autologous subject to the "
    "donor code their cells were collected under": (
        "{donor_code} 不是已登记的自体供者；请将自体受试者关联到采集其细胞时所用的供者编码"
    ),
    "{vial} is not released for use by the QP of {site}; do not use it": (
        "{vial} 未经 {site} 的质量受权人放行使用；请勿使用"
    ),
    "{vial} expired on {expiry}; do not use it": "{vial} 已于 {expiry} 过期；请勿使用",
    "{vial} was thawed at {thawed_at:%H:%M} and its in-use time of {minutes} min has passed; "
    "discard it": "{vial} 于 {thawed_at:%H:%M} 复苏，已超过 {minutes} 分钟的使用时限；请弃用",
    "{vial} was already administered to {patient}": "{vial} 已给予 {patient}",
    "the cold chain of {vial} is not intact: {excursion}": "{vial} 的冷链不完整：{excursion}",
    "{vial} is allocated to another study, not to {patient}": (
        "{vial} 分配给另一项研究，不属于 {patient}"
    ),
    "{patient} has no consent in force; do not administer": (
        "{patient} 没有有效的知情同意；请勿给药"
    ),
    "study {study} is {status:term}; no administration until the study is resumed": (
        "研究 {study} {status:term}；在研究恢复之前不得给药"
    ),
    "{dose:g} {unit} is not a dose level of cohort {cohort} ({levels:list} {unit})": (
        "{dose:g} {unit} 不是剂量组 {cohort} 的剂量水平（{levels:list} {unit}）"
    ),
    "route {route:term} is not allowed by the protocol ({routes:terms})": (
        "研究方案不允许此给药途径：{route:term}（允许：{routes:terms}）"
    ),
    "{vial} is autologous material of {donors:list}; it may go only to that donor's own "
    "patient record": "{vial} 是 {donors:list} 的自体材料；只能给予该供者本人对应的受试者",
    "record the thaw of {vial} at the bedside first": "请先在床旁记录 {vial} 的复苏",
    "the verifying pharmacist must be a different person from the administering nurse, "
    "whatever roles they hold": "核对药师与给药护士必须是不同的人，无论其拥有哪些角色",
    "the verifying pharmacist {pharmacist_code!r} is unknown": "核对药师 {pharmacist_code!r} 未知",
    "the verifying pharmacist: {problem}": "核对药师：{problem}",
    "{code} has no {label!r} visit after administration {number}": (
        "{code} 在第 {number} 次给药后没有 {label!r} 随访"
    ),
    "the {label:term} visit was already recorded": "{label:term}随访已记录",
    "a visit cannot be recorded in the future": "不能记录未来的随访",
    "grade {grade} is not a CTCAE grade 1..5": "等级 {grade} 不是 CTCAE 1..5 级",
    "describe the adverse event": "请描述该不良事件",
    "the onset cannot be in the future": "发生日期不能晚于今天",
    "{code} has no serious event {number}": "{code} 没有编号为 {number} 的严重不良事件",
    "event {number} was already reported": "事件 {number} 已上报",
    "give the filing reference and a date not in the future": ("请填写备案编号和不晚于今天的日期"),
    "the decision is resume or terminate": "决定只能是 resume（恢复）或 terminate（终止）",
    "{code} is {status:term}, not paused; nothing to decide": (
        "{code} {status:term}，并未暂停；无需作出决定"
    ),
    "give the ethics committee's decision reference and reasons": (
        "请填写伦理委员会决定的编号及理由"
    ),
    "{patient} has no administration {administration}; link the event to the administration "
    "it followed": "{patient} 没有第 {administration} 次给药；请将该事件关联到其之前的给药",
    # --- blinded allocation, randomisation list, site pharmacy (R-CLN-2, R-CLN-5, R-SHP-3) ---
    "{vial} is a blinded kit not allocated to {patient}; give only the kit the pharmacy "
    "dispensed for the subject's randomisation number": (
        "{vial} 是未分配给 {patient} 的盲态药盒；只能给予药房按该受试者随机号发放的药盒"
    ),
    "{vial} was dispensed for {dispensed_to}, not {patient}; return it to the pharmacy": (
        "{vial} 是为 {dispensed_to} 发放的，不是 {patient}；请将其退回药房"
    ),
    "{code} is not blinded; it has no randomisation list": "{code} 不是设盲研究，没有随机化列表",
    "give one arm per randomisation number, each active or placebo{unknown}": (
        "请为每个随机号给出一个组别，只能是 active（试验组）或 placebo（安慰剂组）{unknown}"
    ),
    " (not: {arms:list})": "（不能是：{arms:list}）",
    "give the randomisation list's reference and version": "请填写随机化列表的编号和版本",
    "{code} is blinded and has no randomisation list; load it before enrolling subjects": (
        "{code} 是设盲研究，但没有随机化列表；请在入组受试者之前导入"
    ),
    "every randomisation number of {code} is taken; load an extension of the list": (
        "{code} 的随机号已全部用完；请导入随机化列表的扩展部分"
    ),
    "{patient} has no consent in force; do not dispense": "{patient} 没有有效的知情同意；请勿发药",
    "study {study} is {status:term}; nothing may be dispensed until the study is resumed": (
        "研究 {study} {status:term}；在研究恢复之前不得发药"
    ),
    "{vial} is autologous material of {donor_codes:list}; dispense it only for that donor's "
    "own patient record": (
        "{vial} 是 {donor_codes:list} 的自体材料；只能为该供者本人对应的受试者发药"
    ),
    "{patient} is a subject of the blinded study {study}; the ledger allocates their kit - "
    "dispense without naming a vial": (
        "{patient} 是设盲研究 {study} 的受试者；其药盒由账本分配——发药时请勿指定制剂瓶"
    ),
    "no released, stored kit at {site} fits {patient} (randomisation number {number}); ship "
    "and release kits of {study} to the site": (
        "{site} 没有已放行且在库的药盒适用于 {patient}（随机号 {number}）；"
        "请将 {study} 的药盒运送至该机构并放行"
    ),
    "scan the vial to dispense for {patient}": "请扫描要为 {patient} 发放的制剂瓶",
    "{vial} is a blinded kit; it is dispensed only by allocation to a randomised subject of "
    "its study": "{vial} 是盲态药盒；只能通过分配发放给其研究中已随机的受试者",
    "{vial} was never shipped to {site}; do not dispense it": (
        "{vial} 从未运送至 {site}；请勿发放"
    ),
    "name the storage place (unit/rack/box/position) so every vial can be found": (
        "请填写贮存位置（设备/架/盒/位置），以便找到每一瓶"
    ),
    "re-inspect the receipt of {code} before storing it": "贮存之前请先对 {code} 进行接收复检",
    "name the vials to store": "请填写要贮存的制剂瓶",
    "{code} is not in {shipment}; store it under its own": (
        "{code} 不在 {shipment} 中；请在其所属的运输批次下贮存"
    ),
    "{code} did not pass receipt re-inspection at {site}; it may never be used on a subject - "
    "keep it segregated and dispose of it": (
        "{code} 未通过 {site} 的接收复检，不得用于受试者——请将其隔离存放并予以处置"
    ),
    "{code} was already thawed; it cannot go back to storage": "{code} 已复苏，不能再放回贮存",
    "{code} must be kept at {low:g}..{high:g} C; a unit at {unit_c:g} C is outside its "
    "storage range - choose a unit within it": (
        "{code} 必须在 {low:g}..{high:g} °C 贮存；{unit_c:g} °C 的设备超出其贮存温度范围——"
        "请选择范围内的设备"
    ),
    "{code} is not released for use by the QP of {site}; do not dispense it": (
        "{code} 未经 {site} 的质量受权人放行使用；请勿发放"
    ),
    "{code} has no storage place at {site}; record where it is kept first": (
        "{code} 在 {site} 没有贮存位置；请先记录其存放位置"
    ),
    "{code} was already dispensed for {dispensed}": "{code} 已为 {dispensed} 发放",
    "{code} was already thawed or administered": "{code} 已复苏或已给药",
    "{code} expired on {expiry}": "{code} 已于 {expiry} 过期",
    "{patient} is a subject of {patient_site}, not of {site}; dispense from that site's "
    "stock": "{patient} 是 {patient_site} 的受试者，不属于 {site}；请从该机构的库存发药",
    "name where the vial goes (ward or bedside)": "请填写制剂瓶的去向（病房或床旁）",
}

GLOSSARY: dict[str, str] = {
    # roles (R-PPL-1): a station offers them by these names at sign-in
    "operator": "操作员",
    "qc_analyst": "质量控制分析员",
    "qa": "质量保证",
    "qp": "质量受权人",
    "pharmacist": "药师",
    "nurse": "护士",
    "investigator": "研究者",
    "auditor": "审计员",
    "unblinded": "揭盲人员",
    "administrator": "管理员",
    "no role": "无角色",
    # item types (ItemType labels)
    "donor": "供者",
    "donor sample collection": "供者样本采集",
    "cell portion": "细胞份",
    "clone": "单克隆",
    "seed cell bank": "种子细胞库",
    "master cell bank": "主细胞库",
    "working cell bank": "工作细胞库",
    "bank vial": "细胞库冻存管",
    "culture": "培养物",
    "harvest": "收获物",
    "product lot": "制剂批",
    "product vial": "制剂瓶",
    "shipment": "运输批次",
    "shipping container": "运输容器",
    "patient (study subject)": "受试者",
    "material lot": "物料批",
    "person": "人员",
    "site": "临床研究机构",
    "study": "研究",
    "a vial": "某瓶制剂",
    # item statuses shown by scans, traces and the public page (ledger.item_effects);
    # "status:" words are those of items other than studies
    "status:active": "在用",
    "administered": "已给药",
    "at site": "已到达机构",
    "awaiting QC": "待质量控制",
    "certified": "已认证",
    "collecting supernatant": "收集上清液中",
    "consent withdrawn": "已撤回知情同意",
    "dispensed": "已发药",
    "disposed": "已销毁",
    "enrolled": "已入组",
    "filled": "已分装",
    "harvested": "已收获",
    "in culture": "培养中",
    "in storage": "贮存中",
    "in transit": "运输中",
    "on hold": "暂停使用",
    "quarantined": "已隔离",
    "re-inspected": "已复检",
    "recalled": "已召回",
    "received": "已接收",
    "registered": "已登记",
    "released for use": "已放行使用",
    "thawed": "已复苏",
    # study status (R-CLN-4)
    "active": "正在进行",
    "paused": "已暂停",
    "terminated": "已终止",
    # cell bank tiers and what a bank is made from (R-CB-3)
    "seed": "种子",
    "master": "主",
    "working": "工作",
    "seed bank vial": "种子细胞库冻存管",
    "master bank vial": "主细胞库冻存管",
    "working bank vial": "工作细胞库冻存管",
    "cells": "细胞",
    # donor eligibility and consent scope (R-DON-4, R-DON-6)
    "pending": "待判定",
    "eligible": "合格",
    "ineligible": "不合格",
    "ineligible after lookback": "经回溯判定不合格",
    "banking": "建库",
    "long term storage": "长期保存",
    "sharing": "共享",
    "cross project": "跨项目使用",
    "cross institution": "跨机构使用",
    "project": "项目",
    "institution": "机构",
    "consent form version": "知情同意书版本",
    # screening histories (R-DON-1)
    "medical history": "既往病史",
    "family history": "家族史",
    "epidemic-area travel and residence": "疫区旅居史",
    "screening sample reference": "筛查样本编号",
    # sample types (R-CB-1)
    "peripheral_blood": "外周血",
    "bone_marrow": "骨髓",
    "cord_blood": "脐带血",
    "apheresis": "单采产物",
    "umbilical_cord": "脐带",
    "adipose_tissue": "脂肪组织",
    "placenta": "胎盘",
    "dental_pulp": "牙髓",
    "skin": "皮肤",
    # isolation methods (R-CB-2)
    "mechanical": "机械",
    "enzymatic": "酶解消化",
    "sorting": "细胞分选",
    "density_gradient": "密度梯度离心",
    # material lot status and lot fields (R-MAT-1)
    "quarantine": "待检（隔离）",
    "released": "已放行",
    "rejected": "已拒收",
    "supplier": "供应商",
    "supplier's lot number": "供应商批号",
    "certificate of analysis reference": "质量合格证明编号",
    # stages of use (R-MAT-2, R-MAT-4, R-PRO-2); raw values and with spaces
    "transport": "运输",
    "isolation": "分离",
    "expansion_culture": "扩增培养",
    "expansion culture": "扩增培养",
    "supernatant_collection": "上清收集",
    "supernatant collection": "上清收集",
    "purification": "纯化",
    # animal species (R-MAT-3)
    "bovine": "牛",
    "porcine": "猪",
    "murine": "鼠",
    "equine": "马",
    "ovine": "绵羊",
    "caprine": "山羊",
    "leporine": "兔",
    # major change categories (R-PRO-5), shown as {category:term-change}
    "change:critical material": "关键物料",
    "change:culture condition": "培养条件",
    "change:process": "工艺",
    "change:site": "场地",
    "change:scale": "规模",
    # result verdicts (R-QC-1)
    "within": "符合",
    "outside": "不符合",
    "in": "符合",
    "out of": "不符合",
    # correctable entries (R-LED-1)
    "TestResultRecorded": "检测结果记录",
    "IdentityConfirmed": "身份确认记录",
    "ConsentRecorded": "知情同意记录",
    "ScreeningRecorded": "筛查记录",
    "none": "无",
    # routes (R-CLN-1, R-CLN-2)
    "intravenous": "静脉注射",
    "intratumoral": "瘤内注射",
    "intracavitary": "腔内注射",
    "intranasal": "鼻内给药",
    "intra_arterial": "动脉内注射",
    # standard follow-up visits (R-CLN-6)
    "day 1": "第 1 天",
    "day 3": "第 3 天",
    "week 1": "第 1 周",
    "week 2": "第 2 周",
    "week 4": "第 4 周",
    "month 3": "第 3 个月",
    "month 6": "第 6 个月",
    "year 1": "第 1 年",
    # what an unknown value was meant to name (enum_problems / parse_enum)
    "animal species": "动物种属",
    "antibiotic class": "抗生素类别",
    "bank test": "细胞库检测项目",
    "bank tier": "细胞库级别",
    "category": "类别",
    "change category": "变更类别",
    "consent scope": "知情同意范围",
    "grade": "等级",
    "isolation method": "分离方法",
    "material kind": "物料种类",
    "purification method": "纯化方法",
    "sample type": "样本类型",
    "test category": "检测类别",
    "thaw purpose": "复苏用途",
    "investigation phase": "调查阶段",
    "deviation kind": "偏差类型",
    "severity": "严重程度",
    "deviation": "偏差",
    "CAPA action": "纠正预防措施",
    "closed": "已关闭",
    "in service": "使用中",
    "excursion": "温度偏离",
    "cohort": "剂量组",
    "thaw": "复苏",
    "storage unit": "储存设备",
    "the manufacturer": "生产企业",
    "distributed": "已外发",
    "what is sent": "发送内容",
    "left the study": "已退出研究",
    "pause": "暂停",
    "resume": "恢复",
    "terminate": "终止",
    "return shipment": "退回运输单",
    "retained sample": "留样",
    "returning": "退回途中",
    "received back": "已退回接收",
    "returned": "已退回",
    "planned": "已计划",
    "done": "已完成",
    "effective": "有效",
    "ineffective": "无效",
    "minor": "轻微",
    "major": "重大",
    "critical": "严重",
    "unplanned": "非计划",
    "open": "进行中",
    "invalidated": "已判定无效",
    "confirmed": "已确认",
    "vector type": "载体类型",
    # words of the timeline's sentences (ledger.projections.narrative)
    "passed": "通过",
    "failed": "未通过",
    "in specification": "符合质量标准",
    "out of specification": "不符合质量标准",
    "conforms": "符合",
    "does not conform": "不符合",
    "acceptable": "可接受",
    "not acceptable": "不可接受",
    "autologous": "自体",
    "allogeneic": "异体",
    "serious": "严重",
    "not serious": "非严重",
    "non_conforming": "不合格品",
    "surplus": "剩余制剂",
    "production": "生产",
    "testing": "检测",
    "laboratory": "实验室",
    "sponsor": "申办者",
    "ethics_committee": "伦理委员会",
    "long_term_storage": "长期保存",
    "cross_project": "跨项目使用",
    "cross_institution": "跨机构使用",
    "collection": "采集",
    "seed bank": "建立种子细胞库",
    "master bank": "建立主细胞库",
    "working bank": "建立工作细胞库",
    "fill": "灌装",
    "vials filled": "分装冻存",
    "shipped in": "装运于",
    "returned in": "退回于",
    "administered to": "给予",
    "ultracentrifugation": "超速离心",
    "tangential_flow_filtration": "切向流过滤",
    "size_exclusion_chromatography": "分子排阻色谱",
    "differential_centrifugation": "差速离心",
    "affinity_capture": "亲和捕获",
}
