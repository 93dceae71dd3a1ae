"""The catalog's filter bar: app, trigger, credential, installed, and the order.

Each facet is a combo box whose entries carry the number of matching mantras
(from ``facet_counts``), refreshed after every search while keeping the
current choice. The bar turns the choices into a :class:`MantraQuery`.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSizePolicy, QWidget

from mantra_desktop.repositories.mantras import FacetCounts, MantraQuery, SortKey
from mantra_desktop.ui.catalog_model import trigger_label

logger = logging.getLogger(__name__)

SORT_CHOICES = (
    ("Best match", SortKey.RELEVANCE, False),
    ("Name", SortKey.NAME, False),
    ("Recently updated", SortKey.UPDATED, True),
    ("Apps", SortKey.APPS, False),
)
INSTALLED_CHOICES = (
    ("Installed or not", None),
    ("Installed", True),
    ("Not installed", False),
)


class FacetBox(QComboBox):
    """A combo box of facet values with counts; the first entry means "any"."""

    def __init__(self, any_text: str) -> None:
        super().__init__()
        self._any_text = any_text
        self.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.setMinimumContentsLength(9)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMaxVisibleItems(20)
        self.addItem(any_text, None)

    def chosen(self) -> str | None:
        """The chosen value, or None for "any"."""
        value = self.currentData()
        return value if isinstance(value, str) else None

    def set_counts(
        self, counts: list[tuple[str, int]], *, triggers: bool, exact: bool = True
    ) -> None:
        """Replace the entries, keeping the current choice (shown with 0 if gone).

        Without ``exact`` the numbers are the whole catalog's, so none is shown.
        """
        chosen = self.chosen()
        self.blockSignals(True)
        try:
            self.clear()
            self.addItem(self._any_text, None)
            values = [value for value, _ in counts]
            if chosen is not None and chosen not in values:
                counts = [*counts, (chosen, 0)]
            for value, number in counts:
                shown = trigger_label(value) if triggers else value
                label = f"{shown}  ({number:,})" if exact else shown
                self.addItem(label, value)
            self.setCurrentIndex(max(0, self.findData(chosen)) if chosen else 0)
        finally:
            self.blockSignals(False)

    def reset(self) -> None:
        self.setCurrentIndex(0)


class CatalogFilters(QWidget):
    """The filter controls above the catalog list, and the order box.

    The bar lays out the filters; ``order_row`` (a label and the order box)
    is for the page to place, under the list.

    Signals:
        changed(): a filter or the order changed; search again.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.apps = FacetBox("All apps")
        self.apps.setObjectName("AppFilter")
        self.triggers = FacetBox("Any trigger")
        self.triggers.setObjectName("TriggerFilter")
        self.credentials = FacetBox("Any credentials")
        self.credentials.setObjectName("CredentialFilter")
        self.installed = QComboBox()
        self.installed.setObjectName("InstalledFilter")
        for text, value in INSTALLED_CHOICES:
            self.installed.addItem(text, value)
        self.order = QComboBox()
        self.order.setObjectName("SortOrder")
        for text, key, descending in SORT_CHOICES:
            self.order.addItem(text, (key.value, descending))

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        for box in (self.apps, self.triggers, self.credentials, self.installed):
            layout.addWidget(box)
            box.currentIndexChanged.connect(self.changed)
        sort_label = QLabel("Sort by")
        sort_label.setBuddy(self.order)
        self.order_row = QHBoxLayout()
        self.order_row.setContentsMargins(0, 0, 0, 0)
        self.order_row.addWidget(sort_label)
        self.order_row.addWidget(self.order)
        self.order.currentIndexChanged.connect(self.changed)

    def query(self, words: str) -> MantraQuery:
        """The query for ``words`` with the chosen filters and order."""
        app = self.apps.chosen()
        trigger = self.triggers.chosen()
        credential = self.credentials.chosen()
        key, descending = self.order.currentData()
        return MantraQuery(
            words=words,
            apps=frozenset({app} if app else ()),
            trigger_kinds=frozenset({trigger} if trigger else ()),
            credential_types=frozenset({credential} if credential else ()),
            installed=self.installed.currentData(),
            sort=SortKey(key),
            descending=descending,
        )

    def set_counts(self, counts: FacetCounts) -> None:
        exact = counts.exact
        self.apps.set_counts(counts.apps, triggers=False, exact=exact)
        self.triggers.set_counts(counts.trigger_kinds, triggers=True, exact=exact)
        self.credentials.set_counts(
            counts.credential_types, triggers=False, exact=exact
        )

    def is_filtering(self) -> bool:
        return any(
            (
                self.apps.chosen(),
                self.triggers.chosen(),
                self.credentials.chosen(),
                self.installed.currentData() is not None,
            )
        )

    def clear(self) -> None:
        """Drop every filter (the order stays); emits ``changed`` once."""
        self.blockSignals(True)
        for box in (self.apps, self.triggers, self.credentials):
            box.reset()
        self.installed.setCurrentIndex(0)
        self.blockSignals(False)
        self.changed.emit()
