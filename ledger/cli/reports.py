"""`celltrace report ...`: signed PDF records from the ledger (docs/reports.md) - a lot's batch
record and certificate of analysis, a shipment's QP release certificate and a patient's chain
of identity and custody - and the certificate that signs them. Each report written is recorded
in the access log as the operating-system user's (R-ACC-2). From the command line nobody opens
a blinded study's seals: a placebo lot's records are given through the API to the roles that
may (R-ACC-5)."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ledger.cli.help import CleanTyper
from ledger.config import Settings

if TYPE_CHECKING:
    from ledger.stores.report_key import ReportIdentity

EXIT_USAGE = 2


def register_reports(app: typer.Typer, settings_of: Callable[[], Settings]) -> None:
    """Add the `report` command group to `app`."""
    from ledger.reports.kinds import SUBJECTS

    report = CleanTyper(
        no_args_is_help=True,
        help="Signed PDF records (PAdES) with the signed checkpoint and the proofs of every "
        "event they cite.",
    )
    app.add_typer(report, name="report")
    titles = {
        "batch-record": "The batch record of a lot: genealogy, materials, every signed step, QC "
        "results against the specification, deviations and CAPA, accountability.",
        "coa": "The certificate of analysis of a certified lot: results against the "
        "specification, expiry, QA's certification.",
        "qp-release": "The QP release certificate of a shipment: the site QP's signed release "
        "for use (R-QC-4), the vials' lots' certification, cold chain and receipt.",
        "patient": "A patient's chain of identity and custody: each administration, each vial "
        "back to the donor and through every hand-off; no treatment arm.",
    }
    for kind, subject in SUBJECTS.items():
        report.command(kind, help=f"{titles[kind]} CODE: {subject}.")(
            _command(kind, subject, settings_of)
        )

    @report.command("certificate")
    def certificate(
        out: Annotated[
            Path | None,
            typer.Option("--out", metavar="FILE", help="Write the PEM file here (default: print)."),
        ] = None,
    ) -> None:
        """The installation's report signing certificate (PEM), the trust root to validate
        every report's signature: `pyhanko sign validate --trust FILE --trust-replace REPORT`."""
        identity = _identity(settings_of())
        if out is None:
            typer.echo(identity.certificate_pem().decode().rstrip("\n"))
            return
        _write(out, identity.certificate_pem())
        typer.echo(f"Report signing certificate written to {out}")
        typer.echo(f"Subject: {identity.subject()}")
        typer.echo(f"SHA-256 fingerprint: {identity.fingerprint()}")


def _command(kind: str, subject: str, settings_of: Callable[[], Settings]) -> Callable[..., None]:
    def command(
        code: Annotated[
            str, typer.Argument(metavar="CODE", help="The item code (a label URL works too).")
        ],
        out: Annotated[
            Path | None,
            typer.Option(
                "--out", metavar="FILE", help="PDF file to write (default: CODE-KIND.pdf)."
            ),
        ] = None,
    ) -> None:
        from ledger.bootstrap import bring_up_to_date, open_ledger
        from ledger.core import utc_now
        from ledger.identifiers import parse_code
        from ledger.integrity.proofs import TransparencyLog
        from ledger.projections.merkle import MerkleFollower
        from ledger.projections.tracking import view_engine
        from ledger.reports.service import generate, record_report
        from ledger.reports.sources import Reader, Sources
        from ledger.storage.db import create_db_engine
        from ledger.stores.access_log import AccessLog

        settings = settings_of()
        parse_code(code)  # a mistyped code is refused before anything is read
        bring_up_to_date(settings)
        identity = _identity(settings)
        reader = Reader(f"local:{getpass.getuser()}", "command line", may_see_sealed=False)
        engine = view_engine(settings)
        ledger = open_ledger(settings)
        try:
            MerkleFollower(engine).catch_up()
            sources = Sources(ledger, engine, reader)
            signed = generate(kind, code, sources, TransparencyLog(settings, engine), identity)
        finally:
            ledger.close()
            engine.dispose()
        target = out or Path(signed.filename)
        _write(target, signed.pdf)
        log = AccessLog(create_db_engine(settings))
        try:
            log.create_tables()
            record_report(log, signed, reader, f"celltrace report {kind} {code}", utc_now())
        finally:
            log.engine.dispose()
        typer.echo(
            f"{signed.filename.removesuffix('.pdf')} written to {target}: {signed.cited} events "
            f"cited, each proven in the signed checkpoint of size {signed.checkpoint_size}; "
            f"signed by {identity.subject()} (certificate SHA-256 {identity.fingerprint()})"
        )

    command.__doc__ = f"Write the signed {kind} PDF of CODE ({subject})."
    return command


def _identity(settings: Settings) -> ReportIdentity:
    """The report signing identity, created on first use for a ledger initialised before
    reports existed (said on standard error)."""
    from ledger.stores.report_key import installation_identity

    identity = installation_identity(settings)
    if identity.created:
        typer.echo(
            f"Created the installation's report signing key and certificate in "
            f"{settings.report_certificate.parent} (this ledger was initialised before signed "
            "reports existed; `celltrace init` creates them for a new one). Give readers the "
            "certificate to trust: `celltrace report certificate --out report-signing.crt`",
            err=True,
        )
    return identity


def _write(target: Path, body: bytes) -> None:
    try:
        target.write_bytes(body)
    except OSError as exc:
        typer.echo(f"error: cannot write {target}: {exc.strerror or exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
