"""The ORM classes, one module per table; importing this registers them all."""

from mantra_desktop.models.base import Base, UTCDateTime, new_id, utc_now
from mantra_desktop.models.google_auth import GoogleAuth
from mantra_desktop.models.installation import InstallationState, MantraInstallation
from mantra_desktop.models.mantra import (
    FacetKind,
    Mantra,
    MantraFacet,
    MantraOrigin,
    TriggerKind,
)
from mantra_desktop.models.server import N8nServer
from mantra_desktop.models.user import User

__all__ = [
    "Base",
    "FacetKind",
    "GoogleAuth",
    "InstallationState",
    "Mantra",
    "MantraFacet",
    "MantraInstallation",
    "MantraOrigin",
    "N8nServer",
    "TriggerKind",
    "UTCDateTime",
    "User",
    "new_id",
    "utc_now",
]
