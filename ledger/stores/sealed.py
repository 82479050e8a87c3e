"""Sealed values of blinded studies (R-ACC-5): what would tell an active from a placebo kit (the
kit's lot and arm, the codes a lot was filled into, the randomisation list) is stored in events
only as a seal - AES-256-GCM under the study's own key, which is kept in the key store beside
personal data (`ledger.stores.personal_data`), never in the ledger database.

A seal is `v1.` + URL-safe base64 of nonce and ciphertext. The plaintext is JSON padded with
spaces to a length fixed by what is sealed (never by its value), so a placebo kit's seal is as
long as an active one's; the associated data binds it to its study, its purpose and the item it
belongs to, so a seal copied onto another item does not open. Without the key store a seal says
nothing; with it, the application opens seals to allocate kits, check a kit's lot and donors,
trace for unblinded roles and unblind in an emergency.
"""

from __future__ import annotations

import base64
import json
import os
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from ledger.config import Settings
from ledger.errors import InvalidInput
from ledger.messages import Sentence
from ledger.stores.personal_data import open_key_store, prepare_key_store, study_keys_table

PREFIX = "v1."
_AAD = "celltrace-sealed:v1:{study}:{purpose}:{item}"
_NONCE_BYTES = 12
#: Purposes, each with the padded plaintext length (in bytes) of what it seals.
KIT = "kit"  # {"lot": ..., "arm": ...} of one kit
LOT_KITS = "lot-kits"  # the kit codes a lot was filled into
RANDOMISATION = "randomisation"  # one chunk of a randomisation list
_KIT_BYTES = 160
_PER_CODE = 48  # bytes allowed per kit code in a lot's list
_PER_ARM = 12  # bytes allowed per arm in a randomisation list ('"placebo", ')


def padded_length(purpose: str, count: int = 1) -> int:
    """The plaintext length of a seal: fixed for a kit, by the count of codes or arms else."""
    if purpose == KIT:
        return _KIT_BYTES
    return 64 + count * (_PER_CODE if purpose == LOT_KITS else _PER_ARM)


class Seals:
    """Seal and open values of blinded studies with each study's key from the key store."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._keys: dict[str, bytes] = {}  # a study key never changes once made

    @classmethod
    def open(cls, settings: Settings) -> Seals:
        engine = open_key_store(settings)
        if settings.database.backend == "sqlite":
            prepare_key_store(settings, engine)
        return cls(engine)

    def seal(
        self, study: str, purpose: str, item: str, value: Any, now: datetime, count: int = 1
    ) -> str:
        """Seal `value` (JSON) for `item` of `study`; the study's key is made on first use."""
        body = json.dumps(value, sort_keys=True, separators=(",", ":")).encode()
        size = padded_length(purpose, count)
        if len(body) > size:
            raise InvalidInput(
                Sentence(
                    "R-ACC-5: the value sealed for {item} is longer than {size} bytes",
                    item=item,
                    size=size,
                )
            )
        nonce = os.urandom(_NONCE_BYTES)
        key = self._key(study, now)
        sealed = AESGCM(key).encrypt(nonce, body.ljust(size), _aad(study, purpose, item))
        return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()

    def unseal(self, study: str, purpose: str, item: str, sealed: str) -> Any:
        """The value sealed for `item`; InvalidInput when the key is missing or the seal is not
        this item's."""
        key = self._stored_key(study)
        if key is None or not sealed.startswith(PREFIX):
            raise InvalidInput(
                Sentence(
                    "R-ACC-5: the seal of {item} cannot be opened: the key store has no key of "
                    "{study}; restore the study keys from their backup",
                    item=item,
                    study=study,
                )
            )
        raw = base64.urlsafe_b64decode(sealed[len(PREFIX) :])
        try:
            body = AESGCM(key).decrypt(
                raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], _aad(study, purpose, item)
            )
        except InvalidTag:
            raise InvalidInput(
                Sentence(
                    "R-ACC-5: the seal of {item} does not open with the key of {study}; it was "
                    "altered or belongs to another item",
                    item=item,
                    study=study,
                )
            ) from None
        return json.loads(body)

    def _stored_key(self, study: str) -> bytes | None:
        if study in self._keys:
            return self._keys[study]
        query = select(study_keys_table.c.aes_key).where(study_keys_table.c.study_code == study)
        with self.engine.connect() as conn:
            key = conn.execute(query).scalar()
        if key is not None:
            self._keys[study] = bytes(key)
        return None if key is None else bytes(key)

    def _key(self, study: str, now: datetime) -> bytes:
        key = self._stored_key(study)
        if key is not None:
            return key
        key = AESGCM.generate_key(bit_length=256)
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(study_keys_table).values(
                        study_code=study, aes_key=key, created_at=now.isoformat()
                    )
                )
        except IntegrityError:  # another process made it first: use theirs
            stored = self._stored_key(study)
            assert stored is not None
            return stored
        return key


def _aad(study: str, purpose: str, item: str) -> bytes:
    return _AAD.format(study=study, purpose=purpose, item=item).encode()
