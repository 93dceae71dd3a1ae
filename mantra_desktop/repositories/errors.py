"""Domain errors raised by repositories instead of raw driver exceptions."""


class RepositoryError(Exception):
    """A storage rule was broken; ``str()`` is a sentence for the user."""


class NotFound(RepositoryError):
    """The record asked for does not exist (or is not visible to the user)."""


class AlreadyExists(RepositoryError):
    """A record with the same unique value exists."""


class InUse(RepositoryError):
    """The record is referenced by others and cannot be removed."""


class InvalidChange(RepositoryError):
    """The change is not allowed in the record's current state."""
