"""Simplified Chinese catalogue of refusal messages (R- rules) and glossary words."""

from __future__ import annotations

TEMPLATES: dict[str, str] = {}
GLOSSARY: dict[str, str] = {}
