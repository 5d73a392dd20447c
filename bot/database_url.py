"""What the config's `database` names: a SQLite path, or a PostgreSQL URL without a secret.

SPEC Configuration: secrets come only from the environment, so a URL holding a password
(`user:secret@host`, `?password=`, or a client key's `?sslpassword=`) is refused; libpq
reads it from PGPASSWORD or ~/.pgpass instead. The message never repeats the password.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

SCHEMES = ("postgresql://", "postgres://")


def is_postgres(database: str) -> bool:
    """Whether `database` is a PostgreSQL URL rather than a SQLite path."""
    return database.lower().startswith(SCHEMES)


def check_postgres_url(url: str) -> str:
    """The URL as given when it is usable; ValueError saying why when not."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # a port that is not a number raises here
    except ValueError as exc:
        raise ValueError(f"not a PostgreSQL URL ({exc})") from None
    options = parse_qs(parts.query)
    if parts.password is not None or "password" in options or "sslpassword" in options:
        raise ValueError(
            "a PostgreSQL password never goes in the config file; "
            "remove it and set PGPASSWORD or use ~/.pgpass"
        )
    if not parts.path.strip("/") and "dbname" not in options:
        raise ValueError("a PostgreSQL URL needs a database name: postgresql://user@host/NAME")
    return url


def display_url(url: str) -> str:
    """The URL as logs and `doctor` show it: host, port and database, no query options."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"
