"""The few spellings in which the store's SQL differs between SQLite and PostgreSQL.

The store's modules write SQL both databases read (CASE instead of boolean sums, RETURNING
instead of lastrowid, an alias on every subquery in FROM). What remains is rewritten here,
once per statement text: `?` placeholders become psycopg's `%s` (and a literal `%` becomes
`%%`), SQLite's two-argument scalar MAX/MIN become GREATEST/LEAST, and instr() becomes
strpos() (same arguments: the string, then what to find).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# A scalar MAX(a, b) or MIN(a, b): an aggregate takes one argument, so a comma inside
# brackets that hold no other bracket can only be the scalar form.
_SCALAR = re.compile(r"\b(MAX|MIN)\(([^(),]+),([^(),]+)\)")
_SCALAR_NAMES = {"MAX": "GREATEST", "MIN": "LEAST"}
_INSTR = re.compile(r"\binstr\(", re.IGNORECASE)


def translate(sql: str) -> str:
    """The statement as PostgreSQL (through psycopg) reads it."""
    sql = _SCALAR.sub(lambda m: f"{_SCALAR_NAMES[m[1]]}({m[2]},{m[3]})", sql)
    sql = _INSTR.sub("strpos(", sql)
    return _placeholders(sql)


def _placeholders(sql: str) -> str:
    """`?` outside string literals becomes `%s`; every `%` is doubled first, as psycopg
    reads `%` as the start of a placeholder even inside a literal."""
    out: list[str] = []
    quoted = False
    for char in sql:
        if char == "'":
            quoted = not quoted  # '' inside a literal toggles twice: still inside
        if char == "%":
            out.append("%%")
        elif char == "?" and not quoted:
            out.append("%s")
        else:
            out.append(char)
    return "".join(out)


def parameters(values: Sequence[object]) -> list[object]:
    """Python bools as the 0/1 the schema's INTEGER flags hold (PostgreSQL has no implicit
    cast from boolean to integer)."""
    return [int(value) if isinstance(value, bool) else value for value in values]
