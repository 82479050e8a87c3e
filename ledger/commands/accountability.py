"""Product accountability through the ledger (R-QMS-6): retained samples, returns from a site
to the manufacturer with their receipt, counts of a lot's and a shipment's vials against the
record, and QA's closing of a lot. A vial missing at a receipt, or a count that differs from
the record, opens a deviation in the same transaction (`open_discrepancy`); the lot is closed
only once QA has closed every one of them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ledger.commands.deviations import NOTHING_OPENED, open_discrepancy
from ledger.commands.materials import find
from ledger.commands.storage import leave_units
from ledger.core import Actor, LedgerCore, Receipt
from ledger.domain.accountability import (
    IN_STOCK,
    RETAINED,
    RULE,
    Account,
    Reconciliation,
    closing_problems,
    counted_problems,
    lot_account,
    return_account,
    shipment_account,
)
from ledger.domain.deviation import QUALITY_REGISTER_ID, Deviation, QualityRegister
from ledger.domain.product_lot import ProductLot
from ledger.domain.product_vial import ProductVial
from ledger.domain.return_shipment import ReturnShipment
from ledger.domain.shipment import Shipment
from ledger.domain.study import Study
from ledger.errors import RuleViolation, Violation
from ledger.identifiers import ItemType, parse_code

RETAIN = "production.retain"
RETURN = "shipment.return"
RETURN_RECEIPT = "shipment.return_receipt"
RECONCILE_LOT = "quality.reconcile_lot"
RECONCILE_SHIPMENT = "pharmacy.reconcile"
CLOSE_LOT = "quality.close_lot"


@dataclass(frozen=True)
class Counted:
    """An item's account with its counts and discrepancies."""

    account: Account
    reconciliations: tuple[Reconciliation, ...]
    discrepancies: dict[str, bool]  # deviation -> still open


@dataclass(frozen=True)
class LotAccountability:
    """A lot's account, each of its shipments' and its returns' (R-QMS-6)."""

    lot: Counted
    closed: bool
    shipments: list[Counted]
    returns: dict[str, Counted]

    def open_discrepancies(self) -> list[str]:
        found = [self.lot, *self.shipments, *self.returns.values()]
        return sorted({d for c in found for d, still in c.discrepancies.items() if still})


class AccountabilityCommands(LedgerCore):
    def retain_samples(
        self, actor: Actor, lot_code: str, vials: Sequence[str], place: str
    ) -> Receipt:
        """Keep vials of the lot as its retained samples at `place` (R-QMS-6)."""
        actor, lot = self.on_item(actor, RETAIN, self._lot, lot_code)
        mine = set(self._vial_codes(lot))
        kept = [self._vial(c) for c in vials]
        problems = [
            Violation.of(
                RULE,
                "{vial} was not filled from {lot}; scan the lot's own vials",
                vial=v.code,
                lot=lot.code,
            )
            for v in kept
            if v.code not in mine
        ]
        if not kept or len({v.code for v in kept}) != len(kept):
            problems.append(Violation.of(RULE, "name the vials kept as samples, each once"))
        if problems:
            raise RuleViolation(problems)
        with self.command(actor):
            refusals: list[Violation] = []
            for vial in kept:
                try:
                    vial.retain(place)
                except RuleViolation as exc:
                    refusals += exc.violations
            if refusals:
                raise RuleViolation(refusals)
        return self.record(*kept)

    def return_vials(
        self, actor: Actor, shipment_code: str, vials: Sequence[str], reason: str, courier: str
    ) -> tuple[str, Receipt]:
        """Send vials of a shipment back from its site to the manufacturer, as a return
        shipment of their own (R-QMS-6). Returns its code."""
        actor, shipment = self.on_item(actor, RETURN, self._shipment, shipment_code)
        sent = [self._vial(c) for c in vials]
        with self.command(actor):
            placed = {v: u for v, u in shipment.units.items() if v in vials}
            sequence, (code,) = self.issue_codes(ItemType.RETURN)
            back = ReturnShipment.send_back(
                str(code), shipment, sent, reason, courier, self.clock()
            )
            left = leave_units(self, placed, f"returned in {code}")
        return back.code, self.record(sequence, back, shipment, *sent, *left)

    def receive_return(
        self, actor: Actor, return_code: str, received: Sequence[str], place: str
    ) -> tuple[list[str], str, Receipt]:
        """The manufacturer's receipt of a return: vials not named are missing, put on hold,
        and a deviation is opened for them (R-QMS-6). Returns the missing vials and the
        deviation's code ("" when every vial arrived)."""
        actor, back = self.on_item(actor, RETURN_RECEIPT, self._return, return_code)
        vials = [self._vial(c) for c in back.vials]
        opened = NOTHING_OPENED
        with self.command(actor):
            missing = back.receive(received, place)
            held = [v for v in vials if v.code in missing]
            if held:
                why = f"missing at the manufacturer's receipt of the return {back.code}"
                for vial in held:
                    vial.put_on_hold(RULE, why, back.code)
                opened = open_discrepancy(
                    self, [back.code, *missing], f"{len(missing)} vials {why}: {', '.join(missing)}"
                )
                back.note_discrepancy(opened.code, missing, why)
        return missing, opened.code, self.record(back, *held, *opened.saved)

    def reconcile_lot(
        self, actor: Actor, lot_code: str, retained: int, in_stock: int, note: str = ""
    ) -> tuple[Account, str, Receipt]:
        """Count the lot's retained samples and its vials in stock against the record; a
        difference opens a deviation (R-QMS-6). Returns the account and the deviation's
        code ("" when the count matched)."""
        actor, lot = self.on_item(actor, RECONCILE_LOT, self._lot, lot_code)
        account = self._lot_account(lot, *self._lot_vials(lot))
        counted = {RETAINED: retained, IN_STOCK: in_stock}
        return self._reconcile(actor, lot, account, counted, note)

    def reconcile_shipment(
        self, actor: Actor, shipment_code: str, in_stock: int, note: str = ""
    ) -> tuple[Account, str, Receipt]:
        """The site pharmacy counts the shipment's vials in stock at the site against the
        record; a difference opens a deviation (R-QMS-6)."""
        actor, shipment = self.on_item(actor, RECONCILE_SHIPMENT, self._shipment, shipment_code)
        account = shipment_account(shipment, [self._vial(c) for c in shipment.vials])
        return self._reconcile(actor, shipment, account, {IN_STOCK: in_stock}, note)

    def _reconcile(
        self,
        actor: Actor,
        item: ProductLot | Shipment,
        account: Account,
        counted: dict[str, int],
        note: str,
    ) -> tuple[Account, str, Receipt]:
        problems = counted_problems(account, counted)
        if problems:
            raise RuleViolation(problems)
        differences = account.differences(counted)
        opened = NOTHING_OPENED
        with self.command(actor):
            if differences:
                opened = open_discrepancy(
                    self,
                    [item.code],
                    f"accountability of {item.code} does not balance: {account.equation()}; "
                    + "; ".join(differences),
                )
            item.reconcile(account, counted, opened.code, note)
        return account, opened.code, self.record(item, *opened.saved)

    def close_lot(self, actor: Actor, lot_code: str) -> Receipt:
        """QA's signed closing of the lot: certified or rejected, nothing left in stock, a
        count matching the record, every shipment of its vials counted at its site and
        every deviation about them closed (R-QMS-6)."""
        actor, lot = self.on_item(actor, CLOSE_LOT, self._lot, lot_code)
        accounts = self._accounts_of(lot)
        account = accounts.lot.account
        concerned = {
            lot.code,
            *(v for vials in account.parts.values() for v in vials),
            *account.unaccounted,
            *(c.account.item for c in accounts.shipments),
            *accounts.returns,
        }
        register = find(self, QualityRegister, QUALITY_REGISTER_ID)
        others = register.open_concerning(concerned) if register else []
        counts = accounts.lot.reconciliations
        problems = closing_problems(
            lot.code,
            account,
            counts[-1] if counts else None,
            {
                c.account.item: (c.account, c.reconciliations[-1] if c.reconciliations else None)
                for c in accounts.shipments
            },
            sorted({*accounts.open_discrepancies(), *others}),
        )
        with self.command(actor):
            lot.close(problems)
        return self.record(lot)

    # --- reading the accounts ------------------------------------------------------------

    def lot_accountability(self, lot_code: str) -> LotAccountability:
        """The lot's account (a blinded lot's: its study's kits, both arms pooled), and the
        accounts of the shipments and returns its vials travelled in."""
        return self._accounts_of(self._lot(lot_code))

    def _accounts_of(self, lot: ProductLot) -> LotAccountability:
        vials, returns = self._lot_vials(lot)
        shipments = sorted({c for v in vials for c in v.children if _is(c, ItemType.SHIPMENT)})
        return LotAccountability(
            lot=self._counted(lot, self._lot_account(lot, vials, returns)),
            closed=lot.closed,
            shipments=[self.shipment_accountability(c) for c in shipments],
            returns={c: self._counted(r, return_account(r)) for c, r in sorted(returns.items())},
        )

    def numbers_of(self, code: str) -> dict[str, int] | None:
        """The numbers a scanned lot, shipment or return shows on its card (None for any other
        item)."""
        item_type = parse_code(code).item_type
        if item_type == ItemType.PRODUCT_LOT:
            lot = self._lot(code)
            return self._lot_account(lot, *self._lot_vials(lot)).numbers()
        if item_type == ItemType.SHIPMENT:
            return self.shipment_accountability(code).account.numbers()
        if item_type == ItemType.RETURN:
            return return_account(self._return(code)).numbers()
        return None

    def shipment_accountability(self, shipment_code: str) -> Counted:
        shipment = self._shipment(shipment_code)
        vials = [self._vial(c) for c in shipment.vials]
        return self._counted(shipment, shipment_account(shipment, vials))

    def _counted(self, item: ProductLot | Shipment | ReturnShipment, account: Account) -> Counted:
        return Counted(
            account,
            item.reconciliations,
            {d: not self.load(d, ItemType.DEVIATION, Deviation).closed for d in item.discrepancies},
        )

    def _lot_account(
        self, lot: ProductLot, vials: list[ProductVial], returns: dict[str, ReturnShipment]
    ) -> Account:
        pooled = lot.blinding["study"] if lot.blinding is not None else ""
        return lot_account(lot.code, vials, returns, pooled)

    def _lot_vials(self, lot: ProductLot) -> tuple[list[ProductVial], dict[str, ReturnShipment]]:
        """The lot's vials, and the returns they travelled back in, by code."""
        vials = [self._vial(c) for c in self._vial_codes(lot)]
        returns = {c: self._return(c) for v in vials for c in v.children if _is(c, ItemType.RETURN)}
        return vials, returns

    def _vial_codes(self, lot: ProductLot) -> list[str]:
        """The vials filled from `lot`; for a lot of a blinded study, the study's kits (which
        kits are the lot's is sealed, R-ACC-5)."""
        if lot.blinding is not None:
            return list(self.load(lot.blinding["study"], ItemType.STUDY, Study).kits)
        return [c for c in lot.children if _is(c, ItemType.PRODUCT_VIAL)]

    def _lot(self, code: str) -> ProductLot:
        return self.load(code, ItemType.PRODUCT_LOT, ProductLot)

    def _vial(self, code: str) -> ProductVial:
        return self.load(code, ItemType.PRODUCT_VIAL, ProductVial)

    def _shipment(self, code: str) -> Shipment:
        return self.load(code, ItemType.SHIPMENT, Shipment)

    def _return(self, code: str) -> ReturnShipment:
        return self.load(code, ItemType.RETURN, ReturnShipment)


def _is(code: str, item_type: ItemType) -> bool:
    return parse_code(code).item_type == item_type
