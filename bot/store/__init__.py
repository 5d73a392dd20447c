"""The database: schema, migrations and every SQL statement, one module a concern."""
