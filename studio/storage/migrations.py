"""The workspace schema, as an ordered list of sqlite-utils migrations.

Each migration runs in its own transaction (sqlite-utils ``Migrations``). Never edit a
migration that has shipped: add a new one. Each is written out in full, never built from
the code's constants, so what a version created stays what it created. The number of
migrations is the schema version; a workspace that has applied migrations this app does
not know was written by a newer studio and is refused when opened.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from sqlite_utils import Database, Migrations

MIGRATION_SET = "campaign-studio"
migrations = Migrations(MIGRATION_SET)
#: the names of the migrations below, in order (kept here rather than read from
#: sqlite-utils' internals)
MIGRATION_NAMES: list[str] = []


def migration(name: str) -> Callable[[Callable[[Database], None]], Callable[[Database], None]]:
    """Register a migration under ``name``, after the ones before it."""
    MIGRATION_NAMES.append(name)
    return migrations(name=name)


def _execute_script(db: Database, script: str) -> None:
    """Run statements one by one: ``executescript`` would commit the migration's
    transaction half-way."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement in migration: {statement!r}")


@migration("0001_initial")
def initial_schema(db: Database) -> None:
    _execute_script(
        db,
        """
        CREATE TABLE blobs (
            sha256      TEXT PRIMARY KEY,
            bytes       INTEGER NOT NULL,
            media_type  TEXT NOT NULL,
            width       INTEGER,
            height      INTEGER,
            created_at  TEXT NOT NULL
        );

        CREATE TABLE customers (
            id           INTEGER PRIMARY KEY,
            external_id  TEXT NOT NULL UNIQUE,
            name         TEXT,
            email        TEXT,
            country      TEXT,
            city         TEXT,
            signup_date  TEXT,
            attributes   TEXT NOT NULL DEFAULT '{}'
        );

        CREATE TABLE products (
            id           INTEGER PRIMARY KEY,
            sku          TEXT NOT NULL UNIQUE,
            name         TEXT NOT NULL,
            category     TEXT,
            description  TEXT,
            price        REAL,
            currency     TEXT,
            image_sha256 TEXT REFERENCES blobs(sha256),
            attributes   TEXT NOT NULL DEFAULT '{}'
        );

        -- one row per order line; (order_ref, product_id) is the natural key
        CREATE TABLE orders (
            id           INTEGER PRIMARY KEY,
            order_ref    TEXT NOT NULL,
            customer_id  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
            product_id   INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
            ordered_at   TEXT NOT NULL,
            quantity     INTEGER NOT NULL DEFAULT 1,
            unit_price   REAL NOT NULL,
            discount     REAL NOT NULL DEFAULT 0,
            amount       REAL NOT NULL,
            attributes   TEXT NOT NULL DEFAULT '{}',
            UNIQUE (order_ref, product_id)
        );
        CREATE INDEX orders_customer ON orders(customer_id, ordered_at);
        CREATE INDEX orders_product ON orders(product_id);
        CREATE INDEX orders_date ON orders(ordered_at);

        CREATE TABLE segmentation_runs (
            id            INTEGER PRIMARY KEY,
            created_at    TEXT NOT NULL,
            method        TEXT NOT NULL,
            parameters    TEXT NOT NULL DEFAULT '{}',
            metrics       TEXT NOT NULL DEFAULT '{}',
            features      TEXT NOT NULL DEFAULT '[]',
            n_customers   INTEGER NOT NULL DEFAULT 0
        );

        -- kind 'cluster' belongs to a run, kind 'rule' carries its filter in `rule`
        CREATE TABLE segments (
            id             INTEGER PRIMARY KEY,
            run_id         INTEGER REFERENCES segmentation_runs(id) ON DELETE CASCADE,
            kind           TEXT NOT NULL CHECK (kind IN ('cluster', 'rule')),
            name           TEXT NOT NULL,
            description    TEXT NOT NULL DEFAULT '',
            size           INTEGER NOT NULL DEFAULT 0,
            revenue_share  REAL NOT NULL DEFAULT 0,
            stats          TEXT NOT NULL DEFAULT '{}',
            rule           TEXT,
            created_at     TEXT NOT NULL,
            updated_at     TEXT NOT NULL
        );
        CREATE UNIQUE INDEX segments_run_name ON segments(coalesce(run_id, 0), kind, name);

        CREATE TABLE segment_members (
            segment_id   INTEGER NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
            customer_id  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
            score        REAL,
            PRIMARY KEY (segment_id, customer_id)
        ) WITHOUT ROWID;
        CREATE INDEX segment_members_customer ON segment_members(customer_id);

        CREATE TABLE recommendations (
            id           INTEGER PRIMARY KEY,
            segment_id   INTEGER NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
            product_id   INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
            rank         INTEGER NOT NULL,
            score        REAL NOT NULL,
            components   TEXT NOT NULL DEFAULT '{}',
            explanation  TEXT NOT NULL DEFAULT '',
            created_at   TEXT NOT NULL,
            UNIQUE (segment_id, product_id)
        );

        CREATE TABLE evaluations (
            id          INTEGER PRIMARY KEY,
            kind        TEXT NOT NULL,
            created_at  TEXT NOT NULL,
            parameters  TEXT NOT NULL DEFAULT '{}',
            metrics     TEXT NOT NULL DEFAULT '{}'
        );

        CREATE TABLE brand_kits (
            id            INTEGER PRIMARY KEY,
            name          TEXT NOT NULL UNIQUE,
            palette       TEXT NOT NULL DEFAULT '{}',
            fonts         TEXT NOT NULL DEFAULT '{}',
            logo_sha256   TEXT REFERENCES blobs(sha256),
            tone_words    TEXT NOT NULL DEFAULT '[]',
            do_examples   TEXT NOT NULL DEFAULT '[]',
            dont_examples TEXT NOT NULL DEFAULT '[]',
            banned_words  TEXT NOT NULL DEFAULT '[]',
            disclaimer    TEXT NOT NULL DEFAULT '',
            style         TEXT NOT NULL DEFAULT '{}',
            created_at    TEXT NOT NULL,
            updated_at    TEXT NOT NULL
        );

        CREATE TABLE campaigns (
            id                  INTEGER PRIMARY KEY,
            name                TEXT NOT NULL UNIQUE,
            brief               TEXT NOT NULL DEFAULT '',
            brand_kit_id        INTEGER REFERENCES brand_kits(id) ON DELETE SET NULL,
            segmentation_run_id INTEGER REFERENCES segmentation_runs(id) ON DELETE SET NULL,
            language            TEXT NOT NULL DEFAULT 'en',
            tone                TEXT NOT NULL DEFAULT '',
            settings            TEXT NOT NULL DEFAULT '{}',
            status              TEXT NOT NULL DEFAULT 'draft',
            created_at          TEXT NOT NULL,
            updated_at          TEXT NOT NULL
        );

        CREATE TABLE campaign_targets (
            id              INTEGER PRIMARY KEY,
            campaign_id     INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
            segment_id      INTEGER NOT NULL REFERENCES segments(id),
            product_id      INTEGER NOT NULL REFERENCES products(id),
            channel_format  TEXT NOT NULL,
            UNIQUE (campaign_id, segment_id, product_id, channel_format)
        );

        CREATE TABLE assets (
            id              INTEGER PRIMARY KEY,
            campaign_id     INTEGER REFERENCES campaigns(id) ON DELETE CASCADE,
            target_id       INTEGER REFERENCES campaign_targets(id) ON DELETE CASCADE,
            kind            TEXT NOT NULL,
            channel         TEXT,
            format          TEXT,
            sha256          TEXT REFERENCES blobs(sha256),
            content         TEXT NOT NULL DEFAULT '{}',
            parent_id       INTEGER REFERENCES assets(id) ON DELETE SET NULL,
            variant_id      TEXT,
            version         INTEGER NOT NULL DEFAULT 1,
            supersedes_id   INTEGER REFERENCES assets(id) ON DELETE SET NULL,
            status          TEXT NOT NULL DEFAULT 'draft'
                            CHECK (status IN ('draft', 'approved', 'rejected')),
            generator       TEXT NOT NULL,
            model_id        TEXT,
            model_revision  TEXT,
            seed            INTEGER,
            prompt          TEXT,
            parameters      TEXT NOT NULL DEFAULT '{}',
            created_at      TEXT NOT NULL,
            updated_at      TEXT NOT NULL
        );
        CREATE INDEX assets_campaign ON assets(campaign_id, kind, status);
        CREATE INDEX assets_target ON assets(target_id);
        CREATE INDEX assets_parent ON assets(parent_id);
        CREATE UNIQUE INDEX assets_variant ON assets(variant_id) WHERE variant_id IS NOT NULL;

        CREATE TABLE jobs (
            id           INTEGER PRIMARY KEY,
            campaign_id  INTEGER REFERENCES campaigns(id) ON DELETE CASCADE,
            target_id    INTEGER REFERENCES campaign_targets(id) ON DELETE CASCADE,
            kind         TEXT NOT NULL,
            payload      TEXT NOT NULL DEFAULT '{}',
            status       TEXT NOT NULL DEFAULT 'queued'
                         CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
            position     INTEGER NOT NULL DEFAULT 0,
            progress     REAL NOT NULL DEFAULT 0,
            message      TEXT NOT NULL DEFAULT '',
            error        TEXT,
            result       TEXT NOT NULL DEFAULT '{}',
            attempts     INTEGER NOT NULL DEFAULT 0,
            created_at   TEXT NOT NULL,
            started_at   TEXT,
            finished_at  TEXT
        );
        CREATE INDEX jobs_status ON jobs(status, position);

        CREATE TABLE performance_results (
            id           INTEGER PRIMARY KEY,
            asset_id     INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
            date         TEXT NOT NULL,
            source       TEXT NOT NULL DEFAULT 'manual',
            impressions  INTEGER NOT NULL DEFAULT 0,
            clicks       INTEGER NOT NULL DEFAULT 0,
            conversions  INTEGER NOT NULL DEFAULT 0,
            spend        REAL NOT NULL DEFAULT 0,
            UNIQUE (asset_id, date, source)
        );
        """,
    )


@migration("0002_results")
def results_schema(db: Database) -> None:
    """Imported ad results and the decisions taken on them.

    ``performance_results`` (one row per asset, day and platform) gains the import that
    wrote it; re-importing a day replaces that row. A decision is a winner called for a
    test (a creative and its variants in one segment), by the studio or by a person.
    A round is one "next round" plan: what it kept, dropped and made, and the figures it
    rested on.
    """
    _execute_script(
        db,
        """
        CREATE TABLE result_imports (
            id           INTEGER PRIMARY KEY,
            created_at   TEXT NOT NULL,
            file_name    TEXT NOT NULL,
            sha256       TEXT NOT NULL,
            platform     TEXT NOT NULL,
            rows         INTEGER NOT NULL,
            matched      INTEGER NOT NULL,
            first_day    TEXT,
            last_day     TEXT,
            report       TEXT NOT NULL DEFAULT '{}'
        );
        ALTER TABLE performance_results
            ADD COLUMN import_id INTEGER REFERENCES result_imports(id) ON DELETE SET NULL;
        CREATE INDEX performance_asset ON performance_results(asset_id, date);

        CREATE TABLE rounds (
            id           INTEGER PRIMARY KEY,
            campaign_id  INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
            number       INTEGER NOT NULL,
            created_at   TEXT NOT NULL,
            plan         TEXT NOT NULL DEFAULT '{}',
            UNIQUE (campaign_id, number)
        );

        CREATE TABLE decisions (
            id           INTEGER PRIMARY KEY,
            campaign_id  INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
            test_id      INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
            winner_id    INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
            source       TEXT NOT NULL CHECK (source IN ('override', 'studio')),
            metric       TEXT NOT NULL,
            note         TEXT NOT NULL DEFAULT '',
            evidence     TEXT NOT NULL DEFAULT '{}',
            round_id     INTEGER REFERENCES rounds(id) ON DELETE SET NULL,
            created_at   TEXT NOT NULL
        );
        CREATE INDEX decisions_test ON decisions(test_id, id);
        """,
    )


@migration("0003_order_lines")
def order_lines_schema(db: Database) -> None:
    """What a single order-lines export holds besides customers' sales.

    ``returned_lines`` keeps cancellations and refunds (they are netted against the sale
    they undo, never counted as sales); ``guest_lines`` keeps sales without a customer
    id, which count for a product's popularity and what sells together but never for a
    customer's features.
    """
    _execute_script(
        db,
        """
        CREATE TABLE returned_lines (
            id             INTEGER PRIMARY KEY,
            order_ref      TEXT NOT NULL,
            customer_id    INTEGER REFERENCES customers(id) ON DELETE CASCADE,
            product_id     INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
            returned_at    TEXT NOT NULL,
            quantity       INTEGER NOT NULL,
            amount         REAL NOT NULL,
            netted         INTEGER NOT NULL DEFAULT 0,
            UNIQUE (order_ref, product_id)
        );
        CREATE INDEX returned_lines_customer ON returned_lines(customer_id);

        CREATE TABLE guest_lines (
            id             INTEGER PRIMARY KEY,
            order_ref      TEXT NOT NULL,
            product_id     INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
            ordered_at     TEXT NOT NULL,
            quantity       INTEGER NOT NULL,
            amount         REAL NOT NULL,
            UNIQUE (order_ref, product_id)
        );
        """,
    )


@migration("0004_conversion_value")
def conversion_value_schema(db: Database) -> None:
    """What an ad's conversions were worth, when the report says (Meta's "Purchases
    conversion value", Google's "Conv. value"): what ROAS is computed from. NULL when the
    report had no such column."""
    _execute_script(db, "ALTER TABLE performance_results ADD COLUMN conversion_value REAL;")


def schema_version() -> int:
    """The schema version this app writes: the number of migrations it knows."""
    return len(MIGRATION_NAMES)


def known_migration_names() -> list[str]:
    return list(MIGRATION_NAMES)
