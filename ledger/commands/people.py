"""Commands for people, roles, training and QP authorisation (R-PPL-1..3)."""

from __future__ import annotations

from datetime import date

from ledger.core import Actor, LedgerCore, Receipt
from ledger.domain.people import Person, parse_roles
from ledger.identifiers import ItemType
from ledger.stores.personal_data import PersonalData

ADMINISTER = "people.administer"


class PeopleCommands(LedgerCore):
    def register_person(
        self, actor: Actor, roles: list[str], name: str = ""
    ) -> tuple[str, Receipt]:
        """Register a person with their roles; returns the new person code. Their printed
        name (what a signature shows, 21 CFR 11.50) goes to the encrypted personal-data store,
        never into an event."""
        actor = self.authorise(actor, ADMINISTER)
        checked = parse_roles(roles)
        with self.command(actor):
            sequence, (code,) = self.issue_codes(ItemType.PERSON)
            person = Person(str(code), [r.value for r in checked])
        receipt = self.record(sequence, person)
        if name.strip():
            self.personal_data.store(str(code), PersonalData(name=name.strip()), self.clock())
        return str(code), receipt

    def person_name(self, person_code: str) -> str | None:
        """A person's printed name, if one was given and not erased."""
        identity = self.personal_data.read(person_code)
        return identity.name if identity is not None else None

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
