"""R-LED-3: the worked example in docs/ledger-format.md is recomputed from the document."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from ledger.integrity.chain import ZERO_HASH, chain_hash, event_hash

DOC = Path(__file__).resolve().parents[2] / "docs" / "ledger-format.md"


def _examples() -> list[dict[str, str]]:
    text = DOC.read_text(encoding="utf-8")
    block = text.split("## Worked example", 1)[1].split("```", 2)[1]
    events = []
    for chunk in re.split(r"\n\s*\n", block.strip()):
        fields = {}
        for line in chunk.splitlines()[1:]:
            key, _, value = line.partition(": ")
            fields[key] = value
        events.append(fields)
    return events


def test_r_led_3_worked_example_in_ledger_format_doc_recomputes() -> None:
    # Given the two events written out in the document
    events = _examples()
    assert len(events) == 2
    head = ZERO_HASH
    for ev in events:
        state = ev["state"].encode("utf-8")
        prev = bytes.fromhex(ev["previous_event_hash"])
        # When their hashes are recomputed from the documented fields
        assert hashlib.sha256(state).hexdigest() == ev["sha256(state)"]
        this = event_hash(
            int(ev["notification_id"]),
            ev["originator_id"],
            int(ev["originator_version"]),
            ev["topic"],
            state,
            prev,
        )
        head = chain_hash(head, this)
        # Then they equal the documented values
        assert this.hex() == ev["event_hash"]
        assert head.hex() == ev["chain_hash"]
    # And the documented preimage of event 1 hashes to its event hash
    preimage = bytes.fromhex(events[0]["preimage"])
    assert hashlib.sha256(preimage).hexdigest() == events[0]["event_hash"]
