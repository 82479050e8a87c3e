"""People, roles, training and Qualified-Person authorisations as ledger events (R-PPL-1..3).

Names and contact details are personal data and stay out of the chain (R-LED-6): a person is
known here only by their code.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from enum import StrEnum

from eventsourcing.domain import event

from ledger.domain.codes import CodedItem
from ledger.errors import RuleViolation, Violation


class Role(StrEnum):
    OPERATOR = "operator"
    QC_ANALYST = "qc_analyst"
    QA = "qa"
    QP = "qp"
    PHARMACIST = "pharmacist"
    NURSE = "nurse"
    INVESTIGATOR = "investigator"
    AUDITOR = "auditor"
    # The sponsor's unblinded team (R-ACC-5): reads a blinded study's sealed links. An auditor
    # with unblinding rights is given this role too and signs in with it.
    UNBLINDED = "unblinded"
    ADMINISTRATOR = "administrator"


def parse_roles(names: list[str]) -> list[Role]:
    """Turn role names into Roles, refusing unknown ones (R-PPL-1)."""
    known = {r.value for r in Role}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise RuleViolation(
            [
                Violation.of(
                    "R-PPL-1",
                    "unknown role {role!r}; use one of: {known:list}",
                    role=n,
                    known=sorted(known),
                )
                for n in unknown
            ]
        )
    return [Role(n) for n in names]


def unknown_step_type(step_type: str, known_steps: Collection[str]) -> Violation:
    """The refusal of a step type nobody can record (R-PPL-1): it lists the step types of the
    same area (`banks.thaw` is in the area `banks`) when that area exists, else every one."""
    area = step_type.split(".", 1)[0]
    same_area = sorted(s for s in known_steps if s.split(".", 1)[0] == area)
    if same_area:
        return Violation.of(
            "R-PPL-1",
            "{step_type!r} is not a step type of this ledger, so no training can be recorded "
            "for it; the step types of {area!r} are: {known:list}",
            step_type=step_type,
            area=area,
            known=same_area,
        )
    return Violation.of(
        "R-PPL-1",
        "{step_type!r} is not a step type of this ledger, so no training can be recorded for "
        "it; use one of: {known:list}",
        step_type=step_type,
        known=sorted(known_steps),
    )


class Person(CodedItem):
    """A registered person who may record steps, known by a pseudonymous code."""

    @event("Registered")
    def __init__(self, code: str, roles: list[str]) -> None:
        self.code = code
        self.roles: set[str] = set(roles)
        self.training: dict[str, tuple[date, date]] = {}
        self.qp_sites: set[str] = set()
        self.active = True

    def grant_role(self, role: Role) -> None:
        if role.value in self.roles:
            raise RuleViolation(
                [
                    Violation.of(
                        "R-PPL-1",
                        "{code} already holds the role {role:term}",
                        code=self.code,
                        role=role.value,
                    )
                ]
            )
        self._role_granted(role.value)

    @event("RoleGranted")
    def _role_granted(self, role: str) -> None:
        self.roles.add(role)

    def revoke_role(self, role: Role, reason: str) -> None:
        problems = []
        if role.value not in self.roles:
            problems.append(
                Violation.of(
                    "R-PPL-1", "{code} does not hold {role:term}", code=self.code, role=role.value
                )
            )
        if not reason.strip():
            problems.append(Violation.of("R-LED-1", "give the reason for revoking the role"))
        if problems:
            raise RuleViolation(problems)
        self._role_revoked(role.value, reason.strip())

    @event("RoleRevoked")
    def _role_revoked(self, role: str, reason: str) -> None:
        self.roles.discard(role)
        if role == Role.QP.value:
            self.qp_sites.clear()

    def record_training(
        self,
        step_type: str,
        completed_on: date,
        expires_on: date,
        sop: str,
        *,
        known_steps: Collection[str],
    ) -> None:
        """Record training for one of `known_steps` (the step types the application checks
        training for), so that a training always means a step someone can do (R-PPL-1)."""
        problems = []
        if not step_type.strip():
            problems.append(Violation.of("R-PPL-1", "name the step type the training covers"))
        elif step_type.strip() not in known_steps:
            problems.append(unknown_step_type(step_type.strip(), known_steps))
        if expires_on <= completed_on:
            problems.append(
                Violation.of(
                    "R-PPL-1",
                    "training for {step_type!r} expires on {expires_on} which is not after "
                    "its completion on {completed_on}; correct the dates",
                    step_type=step_type,
                    expires_on=expires_on,
                    completed_on=completed_on,
                )
            )
        if not sop.strip():
            problems.append(Violation.of("R-PPL-1", "give the SOP (and version) trained on"))
        if problems:
            raise RuleViolation(problems)
        self._training_recorded(step_type.strip(), completed_on, expires_on, sop.strip())

    @event("TrainingRecorded")
    def _training_recorded(
        self, step_type: str, completed_on: date, expires_on: date, sop: str
    ) -> None:
        self.training[step_type] = (completed_on, expires_on)

    def authorise_qp(self, site_code: str) -> None:
        if Role.QP.value not in self.roles:
            raise RuleViolation(
                [
                    Violation.of(
                        "R-PPL-3",
                        "{code} is not a Qualified Person; grant the qp role first",
                        code=self.code,
                    )
                ]
            )
        self._qp_authorised(site_code)

    @event("QPAuthorised")
    def _qp_authorised(self, site_code: str) -> None:
        self.qp_sites.add(site_code)

    def missing_for(self, step_type: str, role: str, today: date) -> list[Violation]:
        """What this person lacks to record `step_type` acting as `role` (R-PPL-2)."""
        missing = []
        if not self.active:
            missing.append(Violation.of("R-PPL-2", "{code} is no longer active", code=self.code))
        if role not in self.roles:
            missing.append(
                Violation.of(
                    "R-PPL-2",
                    "{code} does not hold the role {role:term} needed for {step_type}; ask an "
                    "administrator to grant it",
                    code=self.code,
                    role=role,
                    step_type=step_type,
                )
            )
        trained = self.training.get(step_type)
        if trained is None:
            missing.append(
                Violation.of(
                    "R-PPL-2",
                    "{code} has no training record for {step_type}; record the training "
                    "before doing this step",
                    code=self.code,
                    step_type=step_type,
                )
            )
        elif trained[1] < today:
            missing.append(
                Violation.of(
                    "R-PPL-2",
                    "{code}'s training for {step_type} expired on {expired_on}; renew the "
                    "training before doing this step",
                    code=self.code,
                    step_type=step_type,
                    expired_on=trained[1],
                )
            )
        return missing
