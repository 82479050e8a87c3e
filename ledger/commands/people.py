"""Commands for people, roles, training and QP authorisation (R-PPL-1..3)."""

from __future__ import annotations

from datetime import date

from ledger.core import Actor, LedgerCore, Receipt
from ledger.domain.people import Person, parse_roles
from ledger.identifiers import ItemType

ADMINISTER = "people.administer"


class PeopleCommands(LedgerCore):
    def register_person(self, actor: Actor, roles: list[str]) -> tuple[str, Receipt]:
        """Register a person with their roles; returns the new person code."""
        actor = self.authorise(actor, ADMINISTER)
        checked = parse_roles(roles)
        with self.command(actor):
            sequence, (code,) = self.issue_codes(ItemType.PERSON)
            person = Person(str(code), [r.value for r in checked])
        return str(code), self.record(sequence, person)

    def grant_role(self, actor: Actor, person_code: str, role: str) -> Receipt:
        actor = self.authorise(actor, ADMINISTER)
        (checked,) = parse_roles([role])
        person = self.load(person_code, ItemType.PERSON, Person)
        with self.command(actor):
            person.grant_role(checked)
        return self.record(person)

    def revoke_role(self, actor: Actor, person_code: str, role: str, reason: str) -> Receipt:
        actor = self.authorise(actor, ADMINISTER)
        (checked,) = parse_roles([role])
        person = self.load(person_code, ItemType.PERSON, Person)
        with self.command(actor):
            person.revoke_role(checked, reason)
        return self.record(person)

    def record_training(
        self,
        actor: Actor,
        person_code: str,
        step_type: str,
        completed_on: date,
        expires_on: date,
        sop: str,
    ) -> Receipt:
        actor = self.authorise(actor, ADMINISTER)
        from ledger.commands.step_types import step_roles

        person = self.load(person_code, ItemType.PERSON, Person)
        with self.command(actor):
            person.record_training(
                step_type, completed_on, expires_on, sop, known_steps=step_roles()
            )
        return self.record(person)

    def authorise_qp(self, actor: Actor, person_code: str, site_code: str) -> Receipt:
        """Authorise a Qualified Person to release for a site (R-PPL-3)."""
        actor = self.authorise(actor, ADMINISTER)
        person = self.load(person_code, ItemType.PERSON, Person)
        with self.command(actor):
            person.authorise_qp(site_code)
        return self.record(person)

    def get_person(self, person_code: str) -> Person:
        return self.load(person_code, ItemType.PERSON, Person)
