"""The catalog as a user meets it: search, filter, open, import, export, edit."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit, QMessageBox

from mantra_desktop.config import app_paths
from mantra_desktop.repositories.mantras import MantraQuery
from mantra_desktop.services.context import (
    Services,
    build_services,
    open_database,
    user_service,
)
from mantra_desktop.ui.catalog_model import CatalogModel
from mantra_desktop.ui.catalog_page import CatalogPage
from mantra_desktop.ui.import_dialog import ImportSummaryDialog
from mantra_desktop.ui.main_window import MainWindow
from mantra_desktop.ui.mantra_editor import MantraEditorDialog
from mantra_desktop.ui.session import attach_services
from mantra_desktop.ui.workflow_view import NodeItem

SAMPLE_CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"


@pytest.fixture
def session(
    qtbot: Any, arun: Any, tmp_path: Path
) -> Iterator[tuple[MainWindow, Services, CatalogPage]]:
    """The main window on a fresh SQLite file, the starter catalog loaded."""
    paths = app_paths()
    database, _ = arun(open_database(f"sqlite+aiosqlite:///{tmp_path / 'c.db'}", paths))
    user = arun(user_service(database, paths).ensure_local_user())
    services = build_services(database, paths, user)
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    arun(attach_services(window, services))
    page = window.page("catalog")
    assert isinstance(page, CatalogPage)
    qtbot.waitUntil(lambda: page.model.total >= 16, timeout=15_000)
    yield window, services, page
    # Let every task end (and its callbacks run) while the window exists.
    page._search_timer.stop()
    for _round in range(3):
        pending = [task for task in asyncio.all_tasks() if not task.done()]
        for task in pending:
            task.cancel()
        qtbot.waitUntil(
            lambda pending=pending: all(t.done() for t in pending), timeout=5000
        )
        qtbot.wait(20)
    arun(database.dispose())


def settled(page: CatalogPage, words: str) -> bool:
    """Tell whether the list shows the search for ``words``."""
    return page.model.query.words == words and not page.model.is_searching


def rows(page: CatalogPage) -> list[str]:
    return [page.model.summary(r).name for r in range(page.model.rowCount())]  # type: ignore[union-attr]


def test_typing_narrows_the_list_and_an_empty_result_says_so(
    session: Any, qtbot: Any, arun: Any
) -> None:
    window, services, page = session
    assert page.search_field.hasFocus() or window.focusWidget() in (
        None,
        page.search_field,
    )
    everything = page.model.total
    assert page.count_label.text() == f"{everything} mantras"

    qtbot.keyClicks(page.search_field, "telegr")
    qtbot.waitUntil(lambda: settled(page, "telegr"), timeout=5000)
    assert page.model.total < everything
    assert rows(page)
    for row in range(page.model.rowCount()):
        mantra = arun(services.catalog.get(page.model.summary(row).id))  # type: ignore[union-attr]
        assert "telegr" in f"{mantra.name} {mantra.description} {mantra.apps}".lower()
    assert page.count_label.text() == f"{page.model.total} mantras"

    page.search_field.setText("zzzqqq")
    qtbot.waitUntil(lambda: page.list_stack.currentIndex() == 1, timeout=5000)
    assert "No mantra matches “zzzqqq”" in page.empty_label.text()
    page.clear_filters_button.click()
    qtbot.waitUntil(lambda: page.model.total == everything, timeout=5000)


def test_a_facet_filters_and_counts(session: Any, qtbot: Any) -> None:
    _window, _services, page = session
    box = page.filters.triggers
    qtbot.waitUntil(lambda: box.count() > 2, timeout=5000)
    index = box.findData("webhook")
    label = box.itemText(index)
    expected = int(label.rsplit("(", 1)[1].rstrip(")"))
    box.setCurrentIndex(index)
    qtbot.waitUntil(lambda: page.model.total == expected, timeout=5000)
    kinds = {page.model.summary(r).trigger_kind for r in range(page.model.rowCount())}  # type: ignore[union-attr]
    assert kinds == {"webhook"}
    assert page.filters.triggers.chosen() == "webhook"


def test_keyboard_opens_a_mantra_with_its_drawing(session: Any, qtbot: Any) -> None:
    _window, _services, page = session
    page.search_field.setFocus()
    qtbot.keyClicks(page.search_field, "unread gmail")
    qtbot.waitUntil(lambda: settled(page, "unread gmail"), timeout=5000)
    assert page.model.total >= 1
    first = page.model.summary(0)
    assert first is not None and first.name == "Daily digest of unread Gmail"
    qtbot.keyClick(page.search_field, Qt.Key.Key_Down)
    assert page.table.hasFocus() or QApplication.focusWidget() is page.table
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    details = page.details
    qtbot.waitUntil(lambda: details.mantra is not None, timeout=5000)
    assert details.title.text() == "Daily digest of unread Gmail"
    assert "Version 1 · starter catalog · Schedule trigger" in details.facts.text()
    assert "gmailOAuth2" in details.description.toPlainText()
    nodes = [
        i for i in details.workflow_view.scene().items() if isinstance(i, NodeItem)
    ]
    assert len(nodes) == details.mantra.node_count  # type: ignore[union-attr]
    assert any(node.node.is_trigger for node in nodes)
    before = details.workflow_view.canvas.transform().m11()
    details.workflow_view.zoom_in_button.click()
    assert details.workflow_view.canvas.transform().m11() > before
    details.workflow_view.fit_button.click()
    assert details.workflow_view.canvas.transform().m11() <= 1.0


def test_import_a_folder_through_the_window(
    session: Any, qtbot: Any, tmp_path: Path
) -> None:
    window, _services, page = session
    folder = tmp_path / "corpus"
    shutil.copytree(SAMPLE_CORPUS, folder)
    before = page.model.total
    seen_progress: list[int] = []

    window.import_folder_action.trigger()
    chooser = window.findChild(QFileDialog, "ImportFolderDialog")
    assert chooser is not None
    chooser.fileSelected.emit(str(folder))
    chooser.close()
    qtbot.waitUntil(
        lambda: page.importer.progress is not None or page.importer.summary_dialog,
        timeout=5000,
    )
    if page.importer.progress is not None:
        seen_progress.append(page.importer.progress.maximum())
    qtbot.waitUntil(lambda: page.importer.summary_dialog is not None, timeout=30_000)
    summary_dialog = page.importer.summary_dialog
    assert isinstance(summary_dialog, ImportSummaryDialog)
    listed = summary_dialog.files.topLevelItemCount()
    assert "imported" in summary_dialog.headline.text()
    assert listed >= 1
    reasons = [summary_dialog.files.topLevelItem(i).text(1) for i in range(listed)]
    assert any("does not exist" in reason for reason in reasons)
    summary_dialog.accept()
    qtbot.waitUntil(lambda: page.model.total > before, timeout=5000)
    assert seen_progress in ([], [16]) or seen_progress[0] > 0


def test_drop_a_file_then_export_it_and_import_it_again(
    session: Any, qtbot: Any, tmp_path: Path, arun: Any
) -> None:
    window, services, page = session
    source = next(SAMPLE_CORPUS.glob("Code/*.json"))
    before = page.model.total

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(source))])
    drop = QDropEvent(
        QPointF(20, 20),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    page.dropEvent(drop)
    qtbot.waitUntil(lambda: page.model.total == before + 1, timeout=10_000)
    row = arun(services.catalog.search(MantraQuery(), limit=500))
    added = next(r for r in row if r.origin == "imported")
    original = arun(services.catalog.get(added.id))

    page.details.show_mantra_id(added.id)
    qtbot.waitUntil(lambda: page.details.mantra is not None, timeout=5000)
    window.export_action.trigger()
    qtbot.waitUntil(
        lambda: window.findChild(QFileDialog, "ExportDialog") is not None, timeout=5000
    )
    saver = window.findChild(QFileDialog, "ExportDialog")
    target = tmp_path / "exported.json"
    name_field = saver.findChild(QLineEdit, "fileNameEdit")
    name_field.setText(str(target))
    saver.accept()
    qtbot.waitUntil(target.exists, timeout=5000)
    assert json.loads(target.read_text())["name"] == original.name

    summary = arun(services.catalog.import_paths([target]))
    assert summary.imported == []
    assert summary.present[0].reason == f"already in the catalog as {original.name}"
    assert summary.present[0].mantra_id == original.id


def test_create_then_edit_bumps_the_version(
    session: Any, qtbot: Any, arun: Any
) -> None:
    window, services, page = session
    window.new_mantra_action.trigger()
    qtbot.waitUntil(
        lambda: window.findChild(MantraEditorDialog) is not None, timeout=5000
    )
    editor = window.findChild(MantraEditorDialog)
    assert not editor.ok_button.isEnabled()
    editor.workflow_edit.setPlainText('{"nodes": [}')
    editor._run_check()
    assert not editor.ok_button.isEnabled()
    assert "not valid JSON" in editor.check_label.text()

    source = next(SAMPLE_CORPUS.glob("Manual/*.json"))
    editor.load_file(str(source))
    assert editor.check.ok and editor.ok_button.isEnabled()
    editor.name_edit.setText("My manual flow")
    editor.description_edit.setPlainText("Runs when *I* say so.")
    editor.ok_button.click()
    details = page.details
    qtbot.waitUntil(
        lambda: details.mantra is not None and details.mantra.name == "My manual flow",
        timeout=5000,
    )
    mantra_id = details.mantra.id
    assert details.mantra.version == 1

    details.edit_button.click()
    qtbot.waitUntil(
        lambda: (
            window.findChild(MantraEditorDialog) is not None
            and window.findChild(MantraEditorDialog).isVisible()
        ),
        timeout=5000,
    )
    editors = [d for d in window.findChildren(MantraEditorDialog) if d.isVisible()]
    editor = editors[-1]
    workflow = json.loads(editor.workflow_text())
    workflow["nodes"][0]["name"] = workflow["nodes"][0]["name"] + " (renamed)"
    old_name = json.loads(editor.workflow_text())["nodes"][0]["name"]
    text = editor.workflow_text().replace(f'"{old_name}"', f'"{old_name} (renamed)"')
    editor.workflow_edit.setPlainText(text)
    editor._run_check()
    assert editor.check.ok, editor.check_label.text()
    editor.ok_button.click()
    qtbot.waitUntil(
        lambda: details.mantra is not None and details.mantra.version == 2,
        timeout=5000,
    )
    assert arun(services.catalog.get(mantra_id)).version == 2


def test_hide_keeps_the_mantra_but_drops_it_from_the_list(
    session: Any, qtbot: Any, arun: Any
) -> None:
    window, services, page = session
    page.table.selectRow(0)
    qtbot.waitUntil(lambda: page.details.mantra is not None, timeout=5000)
    hidden_id = page.details.mantra.id
    before = page.model.total
    page.details.hide_button.click()
    qtbot.waitUntil(
        lambda: window.findChild(QMessageBox, "HideConfirmation") is not None,
        timeout=5000,
    )
    box = window.findChild(QMessageBox, "HideConfirmation")
    hide = next(b for b in box.buttons() if b.text() == "Hide")
    hide.click()
    qtbot.waitUntil(lambda: page.model.total == before - 1, timeout=5000)
    assert page.model.row_of(hidden_id) == -1
    assert arun(services.catalog.get(hidden_id)).is_active is False


def test_models_pass_the_model_tester(
    session: Any, qtbot: Any, qtmodeltester: Any, arun: Any
) -> None:
    _window, services, page = session
    arun(services.catalog.import_paths([SAMPLE_CORPUS]))
    model = CatalogModel(services.catalog, page._runner, page_size=5)
    model.set_query(MantraQuery())
    qtbot.waitUntil(lambda: model.total > 5, timeout=5000)
    assert model.rowCount() == 5 and model.canFetchMore()
    model.fetchMore()
    assert not model.canFetchMore()  # one page at a time
    qtbot.waitUntil(lambda: model.rowCount() == 10, timeout=5000)
    qtmodeltester.check(model)
    qtmodeltester.check(page.model)
