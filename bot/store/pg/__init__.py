"""The PostgreSQL store: the same store modules over a PostgreSQL handle (handle.PgStore),
the same final schema (schema), and the copy of a SQLite database into it (copy)."""
