"""Database plumbing beside the event store: engines on the ledger's database (`db`), the one
SQLAlchemy `MetaData` shared by read models and integrity (`tables`), every table and the
application role's privileges (`schema`), PostgreSQL set-up (`pg_setup`) and connections that
fail fast with one sentence saying what to do (`reachability`)."""
