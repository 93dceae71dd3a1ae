"""Errors raised while opening or migrating the database.

Each carries a sentence a user can act on; the UI shows ``str(error)``.
"""


class DatabaseError(Exception):
    """The database cannot be used."""


class DatabaseUnavailable(DatabaseError):
    """The database cannot be opened: bad URL, server down, not a database."""


class SchemaTooNew(DatabaseError):
    """The database was written by a newer version of the app."""


class NotOurDatabase(DatabaseError):
    """The database holds tables that do not belong to this app."""
