"""The database: engine, sessions, migrations and backups."""
