"""Settings read from the environment (CELLTRACE_*); no I/O happens at import or construction."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from ledger.errors import InvalidInput
from ledger.identifiers import is_facility_code
from ledger.stores.keys import LABEL_KEY, LOG_KEY, REPORT_KEY, KeyFile

DEFAULT_DATA_DIR = "./celltrace-data"
DEFAULT_ORIGIN = "celltrace.example/ledger"
DEFAULT_CHECKPOINT_EVERY_EVENTS = 1000
DEFAULT_CHECKPOINT_EVERY_SECONDS = 300.0
DEFAULT_CHECKPOINT_MILESTONES = (".Certified", ".ReleasedForUse", ".Released")
# A PostgreSQL server that does not answer is reported after this long, not after minutes.
CONNECT_TIMEOUT_SECONDS = 5
#: The ledger application's name (eventsourcing `Application.name`), recorded with every read
#: model's tracking position: never change it.
LEDGER_NAME = "CellTrace"
DEFAULT_STATION_IDLE_SECONDS = 600.0
LOG_LEVELS = ("debug", "info", "warning", "error")
LOG_FORMATS = ("text", "json")


@dataclass(frozen=True)
class DatabaseURL:
    """A parsed CELLTRACE_DATABASE_URL: `sqlite:///path` or `postgresql://user:pw@host:port/db`."""

    backend: str  # "sqlite" | "postgres"
    sqlite_path: Path | None = None
    host: str = ""
    port: int = 5432
    user: str = ""
    password: str = field(default="", repr=False)
    dbname: str = ""

    @classmethod
    def parse(cls, url: str) -> DatabaseURL:
        """Parsed by SQLAlchemy's `make_url` (its quoting and its spelling of SQLite paths)."""
        try:
            parts = make_url(url)
        except ArgumentError:
            raise InvalidInput(
                f"CELLTRACE_DATABASE_URL {_masked(url)!r} is not a database URL; use "
                "sqlite:///path/ledger.db or postgresql://user:pw@host:5432/db"
            ) from None
        if parts.query:
            raise InvalidInput(
                f"CELLTRACE_DATABASE_URL has options ({', '.join(sorted(parts.query))}) that "
                "CellTrace does not pass on; remove them (PostgreSQL: set PGSSLMODE and the "
                "other libpq variables in the environment instead)"
            )
        if parts.get_backend_name() == "sqlite":
            # sqlite:///relative.db and sqlite:////absolute.db, as SQLAlchemy spells them.
            if not parts.database:
                raise InvalidInput(
                    f"CELLTRACE_DATABASE_URL {url!r} names no SQLite file; "
                    "use sqlite:///path/to/ledger.db"
                )
            return cls(backend="sqlite", sqlite_path=Path(parts.database))
        if parts.get_backend_name() in ("postgresql", "postgres") and parts.drivername in (
            "postgresql",
            "postgres",
            "postgresql+psycopg",
        ):
            if not parts.host or not parts.database:
                raise InvalidInput(
                    "CELLTRACE_DATABASE_URL for PostgreSQL needs a host and a database name, "
                    "e.g. postgresql://celltrace:secret@localhost:5432/celltrace"
                )
            return cls(
                backend="postgres",
                host=parts.host,
                port=parts.port or 5432,
                user=parts.username or "",
                password=parts.password or "",
                dbname=parts.database,
            )
        raise InvalidInput(
            f"CELLTRACE_DATABASE_URL scheme {parts.drivername!r} is not supported; "
            "use sqlite:///path/ledger.db or postgresql://user:pw@host:5432/db"
        )

    def sqlalchemy_url(self) -> str:
        if self.backend == "sqlite":
            assert self.sqlite_path is not None
            return f"sqlite:///{self.sqlite_path}"
        return URL.create(
            "postgresql+psycopg",
            username=self.user or None,
            password=self.password or None,
            host=self.host,
            port=self.port,
            database=self.dbname,
        ).render_as_string(hide_password=False)


def _masked(url: str) -> str:
    """`url` with any password replaced, for an error message."""
    head, at, tail = url.rpartition("@")
    if not at or "://" not in head:
        return url
    scheme, _, auth = head.partition("://")
    user = auth.split(":", 1)[0]
    return f"{scheme}://{user}:***@{tail}" if ":" in auth else url


def _positive(
    env: Mapping[str, str], name: str, default: float, kind: type[float] = float
) -> float:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        value = 0
    if value <= 0:
        raise InvalidInput(f"{name}={raw!r} must be a positive number, e.g. {default}")
    return value


def _facility(raw: str | None) -> str:
    """CELLTRACE_FACILITY: the facility part of every new item code (R-ID-1), checked here so
    that every command refuses a bad value at once rather than at the first write."""
    if not raw:
        return "F01"
    if not is_facility_code(raw):
        raise InvalidInput(
            f"CELLTRACE_FACILITY={raw!r} is not a facility code: it must be 2 to 5 characters "
            "A-Z or 0-9, e.g. F01 (R-ID-1); set CELLTRACE_FACILITY to such a code or unset it"
        )
    return raw


def _choice(env: Mapping[str, str], name: str, allowed: tuple[str, ...], default: str) -> str:
    """One of `allowed`, case-insensitive; `default` when unset."""
    raw = env.get(name)
    if not raw:
        return default
    if raw.lower() not in allowed:
        raise InvalidInput(f"{name}={raw!r} must be one of {', '.join(allowed)}; or unset it")
    return raw.lower()


def _path(raw: str | None) -> Path | None:
    return Path(raw) if raw else None


def _suffixes(raw: str | None) -> tuple[str, ...]:
    """CELLTRACE_CHECKPOINT_MILESTONES: comma-separated event-name suffixes; "" means none."""
    if raw is None:
        return DEFAULT_CHECKPOINT_MILESTONES
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def _origins(raw: str | None) -> tuple[str, ...]:
    """CELLTRACE_CORS_ORIGINS: comma-separated origins such as https://lims.example; a
    wildcard is refused (the API answers with personal records to signed-in people)."""
    origins = tuple(part.strip().rstrip("/") for part in (raw or "").split(",") if part.strip())
    bad = [o for o in origins if "*" in o or urlsplit(o).scheme not in ("http", "https")]
    if bad:
        raise InvalidInput(
            f"CELLTRACE_CORS_ORIGINS names {', '.join(bad)}; list exact origins such as "
            "https://lims.example, comma-separated (no wildcard)"
        )
    return origins


@dataclass(frozen=True)
class Settings:
    """Everything CellTrace needs to know about where it runs."""

    data_dir: Path
    database_url: str
    origin: str = DEFAULT_ORIGIN
    facility: str = "F01"
    base_url: str = "http://localhost:8000"
    # The worker signs a checkpoint after this many new events, after this many seconds with
    # new events, and right after any event whose topic ends with a milestone suffix (R-LED-4).
    checkpoint_every_events: int = DEFAULT_CHECKPOINT_EVERY_EVENTS
    checkpoint_every_seconds: float = DEFAULT_CHECKPOINT_EVERY_SECONDS
    checkpoint_milestones: tuple[str, ...] = DEFAULT_CHECKPOINT_MILESTONES
    # Where the signing keys live: CELLTRACE_KEYS_DIR (default data_dir/keys), or one file per
    # key (CELLTRACE_LOG_KEY, CELLTRACE_LABEL_KEY), possibly outside the data directory and
    # passphrase-protected (CELLTRACE_LOG_KEY_PASSPHRASE, CELLTRACE_LABEL_KEY_PASSPHRASE).
    keys_dir_setting: Path | None = None
    log_key_file: Path | None = None
    log_key_passphrase: str | None = field(default=None, repr=False)
    label_key_file: Path | None = None
    label_key_passphrase: str | None = field(default=None, repr=False)
    # The installation's report signing key (keys_dir/report.key, beside its certificate
    # report.crt), optionally passphrase-protected (CELLTRACE_REPORT_KEY_PASSPHRASE).
    report_key_passphrase: str | None = field(default=None, repr=False)
    # Station pages (/scan, /bedside, /trace) sign out by themselves after this idle time.
    station_idle_seconds: float = DEFAULT_STATION_IDLE_SECONDS
    # Browser origins allowed to call the API from other sites (CORS); none by default.
    cors_origins: tuple[str, ...] = ()
    # GET /readyz: not ready when a read model is more than this many events behind the ledger,
    # or an event has waited longer than this many seconds for a signed checkpoint.
    ready_max_lag: int = 1000
    ready_max_checkpoint_age: float = 3600.0
    # Logs on standard error: the least level written and the form (text or json).
    log_level: str = "info"
    log_format: str = "text"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        data_dir = Path(env.get("CELLTRACE_DATA_DIR") or DEFAULT_DATA_DIR)
        url = env.get("CELLTRACE_DATABASE_URL") or f"sqlite:///{data_dir / 'ledger.db'}"
        return cls(
            data_dir=data_dir,
            database_url=url,
            origin=env.get("CELLTRACE_LOG_ORIGIN") or DEFAULT_ORIGIN,
            facility=_facility(env.get("CELLTRACE_FACILITY")),
            base_url=(env.get("CELLTRACE_BASE_URL") or "http://localhost:8000").rstrip("/"),
            checkpoint_every_events=int(
                _positive(env, "CELLTRACE_CHECKPOINT_EVERY_EVENTS", 1000, int)
            ),
            checkpoint_every_seconds=_positive(
                env, "CELLTRACE_CHECKPOINT_EVERY_SECONDS", DEFAULT_CHECKPOINT_EVERY_SECONDS
            ),
            checkpoint_milestones=_suffixes(env.get("CELLTRACE_CHECKPOINT_MILESTONES")),
            keys_dir_setting=_path(env.get("CELLTRACE_KEYS_DIR")),
            log_key_file=_path(env.get("CELLTRACE_LOG_KEY")),
            log_key_passphrase=env.get("CELLTRACE_LOG_KEY_PASSPHRASE") or None,
            label_key_file=_path(env.get("CELLTRACE_LABEL_KEY")),
            label_key_passphrase=env.get("CELLTRACE_LABEL_KEY_PASSPHRASE") or None,
            report_key_passphrase=env.get("CELLTRACE_REPORT_KEY_PASSPHRASE") or None,
            station_idle_seconds=_positive(
                env, "CELLTRACE_STATION_IDLE_SECONDS", DEFAULT_STATION_IDLE_SECONDS
            ),
            cors_origins=_origins(env.get("CELLTRACE_CORS_ORIGINS")),
            ready_max_lag=int(_positive(env, "CELLTRACE_READY_MAX_LAG", 1000, int)),
            ready_max_checkpoint_age=_positive(env, "CELLTRACE_READY_MAX_CHECKPOINT_AGE", 3600.0),
            log_level=_choice(env, "CELLTRACE_LOG_LEVEL", LOG_LEVELS, "info"),
            log_format=_choice(env, "CELLTRACE_LOG_FORMAT", LOG_FORMATS, "text"),
        )

    @property
    def database(self) -> DatabaseURL:
        return DatabaseURL.parse(self.database_url)

    @property
    def keys_dir(self) -> Path:
        """CELLTRACE_KEYS_DIR, by default the data directory's `keys/` folder."""
        return self.keys_dir_setting or self.data_dir / "keys"

    @property
    def log_key(self) -> KeyFile:
        """The transparency log's signing key (CELLTRACE_LOG_KEY, default keys_dir/log.key)."""
        return KeyFile(
            self.log_key_file or self.keys_dir / LOG_KEY,
            self.log_key_passphrase,
            "log signing key",
            "CELLTRACE_LOG_KEY" if self.log_key_file else "CELLTRACE_KEYS_DIR or CELLTRACE_LOG_KEY",
            "CELLTRACE_LOG_KEY_PASSPHRASE",
        )

    @property
    def label_key(self) -> KeyFile:
        """The label signing key (CELLTRACE_LABEL_KEY, default keys_dir/label.key)."""
        return KeyFile(
            self.label_key_file or self.keys_dir / LABEL_KEY,
            self.label_key_passphrase,
            "label signing key",
            "CELLTRACE_LABEL_KEY"
            if self.label_key_file
            else "CELLTRACE_KEYS_DIR or CELLTRACE_LABEL_KEY",
            "CELLTRACE_LABEL_KEY_PASSPHRASE",
        )

    @property
    def report_key(self) -> KeyFile:
        """The installation's key signing the PDF reports (keys_dir/report.key, ECDSA P-256);
        its certificate is `report_certificate` (ledger.stores.report_key)."""
        return KeyFile(
            self.keys_dir / REPORT_KEY,
            self.report_key_passphrase,
            "report signing key",
            "CELLTRACE_KEYS_DIR",
            "CELLTRACE_REPORT_KEY_PASSPHRASE",
        )

    @property
    def report_certificate(self) -> Path:
        """The X.509 certificate of the report signing key, beside it (keys_dir/report.crt)."""
        return self.report_key.path.with_name("report.crt")

    def eventsourcing_env(self, *, create_tables: bool | None = None) -> dict[str, str]:
        """The persistence environment for eventsourcing's sqlite / postgres modules.

        Tables are created on the fly for SQLite (zero set-up); on PostgreSQL only by
        `celltrace init`, so the application's role needs no schema privileges.
        """
        db = self.database
        if create_tables is None:
            create_tables = db.backend == "sqlite"
        create = "y" if create_tables else "n"
        # Cached aggregates are fast-forwarded from the store on every get(), so another
        # process's writes are always seen; code sequences would otherwise replay every issue.
        cache = {"AGGREGATE_CACHE_MAXSIZE": "10000", "AGGREGATE_CACHE_FASTFORWARD": "y"}
        recorder = "ledger.integrity."
        if db.backend == "sqlite":
            assert db.sqlite_path is not None
            return {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(db.sqlite_path),
                "SQLITE_LOCK_TIMEOUT": "30",
                "APPLICATION_RECORDER_TOPIC": recorder + "recorders:HashChainSQLiteRecorder",
                "CREATE_TABLE": create,
                **cache,
            }
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": db.dbname,
            "POSTGRES_HOST": db.host,
            "POSTGRES_PORT": str(db.port),
            "POSTGRES_USER": db.user,
            "POSTGRES_PASSWORD": db.password,
            "POSTGRES_LOCK_TIMEOUT": "30",
            "POSTGRES_CONNECT_TIMEOUT": str(CONNECT_TIMEOUT_SECONDS),
            "APPLICATION_RECORDER_TOPIC": recorder + "pg_recorder:HashChainPostgresRecorder",
            "CREATE_TABLE": create,
            **cache,
        }


LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
ANY_ADDRESS = frozenset({"0.0.0.0", "::", ""})  # noqa: S104 - names, compared, never bound


def label_address_problem(base_url: str, host: str, port: int) -> str | None:
    """Why labels (which encode `base_url`) would not open the server listening on `host`
    and `port`, or None when they do: another port, or another host than the one listened
    on (any host reaches a server listening on every address)."""
    parts = urlsplit(base_url)
    wanted_port = parts.port or (443 if parts.scheme == "https" else 80)
    wanted_host = (parts.hostname or "").lower()
    same_host = (
        host in ANY_ADDRESS
        or wanted_host == host.lower()
        or (wanted_host in LOOPBACK and host.lower() in LOOPBACK)
    )
    if same_host and wanted_port == port:
        return None
    return (
        f"labels open CELLTRACE_BASE_URL={base_url}, but this server listens on "
        f"{host}:{port}, so a scanned label will not reach it; set CELLTRACE_BASE_URL to the "
        "address people reach this server at (behind a proxy, its public address)"
    )
