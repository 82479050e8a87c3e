"""Simplified Chinese of every refusal message (the R- rules) and of the words shown inside
them, in the terms of the Chinese guideline (seed text, REQUIREMENTS.md): 供者, 细胞库, 放行,
质量受权人, 冷链, 温度偏离, 隔离, 不良事件, 伦理委员会, 揭盲... Both live in the one catalogue,
`ledger/locale/zh/LC_MESSAGES/celltrace.po` (see `ledger.catalogue`); these are its views.

`TEMPLATES` maps each English template to its Chinese template with the same placeholders
(`tests/unit/test_message_catalogue.py` checks both ways). `GLOSSARY` translates the words a
template marks as terms (`{status:term}`); codes, numbers and free text stay as given.
"""

from __future__ import annotations

from collections.abc import Mapping

from ledger.catalogue import Loaded, glossary, rule_templates

#: Chinese templates of the refusal messages, by English template (context `rule`).
TEMPLATES: Mapping[str, str] = Loaded(rule_templates)
#: Chinese terms of the words a template marks as terms (context `term`).
GLOSSARY: Mapping[str, str] = Loaded(glossary)
