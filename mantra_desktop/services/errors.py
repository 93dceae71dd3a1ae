"""Errors a use case raises for the user to read; ``str()`` says what to do."""


class ServiceError(Exception):
    """A use case could not be carried out, for a reason the user can act on."""
