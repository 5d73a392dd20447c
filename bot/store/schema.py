"""The schema: one SQL script per version (PRAGMA user_version), applied in order.

Plain SQL a PostgreSQL store can reuse nearly as written; bot.store.db.migrate applies them.
"""

from __future__ import annotations

# Each entry upgrades the schema by one version (PRAGMA user_version); never edit a shipped one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE sources (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        template TEXT,
        query TEXT,
        title TEXT,
        etag TEXT,
        last_modified TEXT,
        active INTEGER NOT NULL DEFAULT 1,
        first_polled INTEGER NOT NULL DEFAULT 0,
        next_poll REAL NOT NULL DEFAULT 0,
        last_poll REAL,
        last_success REAL,
        last_status TEXT,
        failures INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        disabled INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE channels (
        id INTEGER PRIMARY KEY,
        target TEXT NOT NULL UNIQUE,
        last_digest REAL,
        status TEXT NOT NULL DEFAULT 'ok',
        status_reason TEXT
    );
    CREATE TABLE watches (
        id INTEGER PRIMARY KEY,
        channel_id INTEGER NOT NULL REFERENCES channels(id),
        query TEXT NOT NULL,
        origin TEXT,
        paused INTEGER NOT NULL DEFAULT 0,
        created REAL NOT NULL,
        UNIQUE (channel_id, query)
    );
    CREATE TABLE stories (
        id INTEGER PRIMARY KEY,
        first_seen REAL NOT NULL,
        published REAL NOT NULL
    );
    CREATE TABLE items (
        id INTEGER PRIMARY KEY,
        source_id INTEGER NOT NULL REFERENCES sources(id),
        identity TEXT NOT NULL,
        story_id INTEGER NOT NULL,
        fingerprint TEXT NOT NULL,
        link TEXT,
        title TEXT NOT NULL,
        title_key TEXT NOT NULL,
        summary TEXT NOT NULL,
        outlet TEXT NOT NULL,
        published REAL NOT NULL,
        dated INTEGER NOT NULL DEFAULT 1,
        first_seen REAL NOT NULL,
        UNIQUE (source_id, identity)
    );
    CREATE INDEX items_story ON items (story_id);
    CREATE INDEX items_published ON items (published);
    CREATE TABLE story_urls (
        canonical TEXT PRIMARY KEY,
        story_id INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE title_index (
        token TEXT NOT NULL,
        published REAL NOT NULL,
        item_id INTEGER NOT NULL,
        PRIMARY KEY (token, published, item_id)
    ) WITHOUT ROWID;
    CREATE TABLE deliveries (
        id INTEGER PRIMARY KEY,
        channel_id INTEGER NOT NULL REFERENCES channels(id),
        kind TEXT NOT NULL,
        story_id INTEGER,
        item_id INTEGER,
        watches TEXT NOT NULL DEFAULT '[]',
        payload TEXT,
        poll_id TEXT,
        status TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt REAL NOT NULL DEFAULT 0,
        last_error TEXT,
        created REAL NOT NULL,
        sent_at REAL
    );
    CREATE UNIQUE INDEX deliveries_one_alert ON deliveries (story_id, channel_id)
        WHERE kind = 'alert';
    CREATE INDEX deliveries_due ON deliveries (status, next_attempt);
    CREATE INDEX deliveries_channel ON deliveries (channel_id, kind, created);
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
    """,
    # 2: the outbox's explicit states. 'sending' is written before a send and replaced after
    # it; a row found 'sending' at start was cut off mid-send and is retried as ambiguous.
    # 'collapsed' alerts went out inside one backlog digest (collapsed_into names its row).
    """
    ALTER TABLE deliveries ADD COLUMN ambiguous INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE deliveries ADD COLUMN collapsed_into INTEGER;
    """,
    # 3: the title index files titles under neighbouring token pairs from now on (far fewer
    # candidates per lookup, bot.stories.titles.lookup_keys); items stored before keep their single
    # tokens, and lookups reaching back to the newest of them ask by those too
    # (bot.stories.lookup.LEGACY_KEY). Retention prunes items by first_seen (bot.store.retention).
    """
    INSERT OR REPLACE INTO meta (key, value)
        SELECT 'title_index_tokens_until', MAX(published) FROM items;
    CREATE INDEX items_first_seen ON items (first_seen);
    """,
    # 4: where a source moved for good (HARDENING C9): a 301/308 chain's end, stored only
    # after it served a valid feed, and fetched from then on; the configured URL stays the
    # source's identity, and a failure at the new address goes back to it.
    """
    ALTER TABLE sources ADD COLUMN moved_to TEXT;
    """,
    # 5: pending rows in channel order, so delivery reads a file channel's rows together
    # without sorting the whole outbox at every read.
    """
    CREATE INDEX deliveries_pending ON deliveries (status, channel_id, id);
    """,
    # 6: who added a chat watch, and in which workspace or server ("slack:T…", "discord:…"),
    # for the per-user limit (SPEC "Chat commands"); NULL for file watches and older rows.
    """
    ALTER TABLE watches ADD COLUMN added_by TEXT;
    ALTER TABLE watches ADD COLUMN scope TEXT;
    CREATE INDEX watches_added_by ON watches (scope, added_by) WHERE added_by IS NOT NULL;
    """,
    # 7: the story engine (bot.stories.engine): each story's centroid as weighted terms
    # (story_terms, found by term among the stories of the last 72 h), the document
    # frequency of each term among stories (term_docs, beside a wordfreq prior), and how each
    # item joined its story (items.evidence: the rule, the score, the shared terms). The
    # title index of near-identical titles (schemas 1-6) is gone with the rule that read it.
    """
    ALTER TABLE items ADD COLUMN evidence TEXT;
    ALTER TABLE stories ADD COLUMN norm REAL NOT NULL DEFAULT 0;
    ALTER TABLE stories ADD COLUMN latin_norm REAL NOT NULL DEFAULT 0;
    ALTER TABLE stories ADD COLUMN last_seen REAL NOT NULL DEFAULT 0;
    CREATE TABLE story_terms (
        term TEXT NOT NULL,
        story_id INTEGER NOT NULL,
        weight REAL NOT NULL,
        last_seen REAL NOT NULL,
        PRIMARY KEY (term, story_id)
    ) WITHOUT ROWID;
    CREATE INDEX story_terms_recent ON story_terms (term, last_seen);
    CREATE INDEX story_terms_story ON story_terms (story_id);
    CREATE TABLE term_docs (term TEXT PRIMARY KEY, docs INTEGER NOT NULL) WITHOUT ROWID;
    DROP TABLE title_index;
    DELETE FROM meta WHERE key = 'title_index_tokens_until';
    """,
    # 8: coverage updates (SPEC Alerts): the platform's reference to a confirmed alert (a
    # Slack channel and ts, a Discord message id), which edits and thread replies address;
    # the newest copy of its story a message covered (`through`, an item id: the next
    # update lists the copies after it); an update's earliest send time (`not_before`, 10
    # minutes after the one before), which waits without holding its channel; and one
    # story's updates in a channel found by an index.
    """
    ALTER TABLE deliveries ADD COLUMN remote_ref TEXT;
    ALTER TABLE deliveries ADD COLUMN through INTEGER;
    ALTER TABLE deliveries ADD COLUMN not_before REAL NOT NULL DEFAULT 0;
    CREATE INDEX deliveries_updates ON deliveries (story_id, channel_id, id)
        WHERE kind = 'update';
    """,
    # 9: a watch's optional name and notify (SPEC Watchlists), synced from its file.
    """
    ALTER TABLE watches ADD COLUMN name TEXT;
    ALTER TABLE watches ADD COLUMN notify TEXT;
    """,
    # 10: workers sharing one PostgreSQL database (bot.store.workers, bot.store.pg.leases):
    # each running newswatch's row and heartbeat, and a source's lease (who polls it, until
    # when). SQLite keeps one newswatch per file and leaves them empty.
    """
    CREATE TABLE workers (
        id TEXT PRIMARY KEY,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        started REAL NOT NULL,
        heartbeat REAL NOT NULL,
        leader INTEGER NOT NULL DEFAULT 0,
        backend INTEGER
    );
    ALTER TABLE sources ADD COLUMN leased_until REAL;
    ALTER TABLE sources ADD COLUMN leased_by TEXT;
    """,
)
