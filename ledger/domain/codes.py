"""Issuing item codes (R-ID-1): one `CodeSequence` aggregate per item type, facility and year.

Saving the sequence with the new items in one transaction makes a code impossible to issue
twice: two concurrent issuers conflict on the sequence's version and one of them retries.
"""

from __future__ import annotations

from uuid import UUID, uuid5

from eventsourcing.domain import event

from ledger.domain.base import LedgerAggregate
from ledger.identifiers import ID_NAMESPACE, ItemCode, ItemType
from ledger.identifiers import item_id as item_id  # defined in the kernel for the projections


def sequence_id(item_type: ItemType, facility: str, year: int) -> UUID:
    return uuid5(ID_NAMESPACE, f"sequence:{item_type.prefix}-{facility}-{year % 100:02d}")


class CodeSequence(LedgerAggregate):
    """The serial numbers issued so far for one item type, facility and year."""

    @event("Opened")
    def __init__(self, prefix: str, facility: str, year: int) -> None:
        self.prefix = prefix
        self.facility = facility
        self.year = year
        self.last_serial = 0

    @staticmethod
    def create_id(prefix: str, facility: str, year: int) -> UUID:
        return sequence_id(ItemType(prefix), facility, year)

    def issue(self, count: int) -> list[ItemCode]:
        if count < 1:
            raise ValueError("issue at least one code")
        first = self.last_serial + 1
        self._issued(first, count)
        item_type = ItemType(self.prefix)
        return [
            ItemCode.issue(item_type, self.facility, self.year, serial)
            for serial in range(first, first + count)
        ]

    @event("Issued")
    def _issued(self, first: int, count: int) -> None:
        self.last_serial = first + count - 1


class CodedItem(LedgerAggregate):
    """Base of every aggregate identified by an item code: its id derives from the code."""

    code: str

    @staticmethod
    def create_id(code: str) -> UUID:
        return item_id(code)
