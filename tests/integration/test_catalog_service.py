"""The catalog service on SQLite and PostgreSQL, fed with real n8n workflows."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from mantra_desktop.config import resources_dir
from mantra_desktop.db.engine import Database
from mantra_desktop.repositories import mantras as mantras_module
from mantra_desktop.repositories.mantras import MantraQuery, MantraRepository
from mantra_desktop.services.catalog import CatalogService, check_workflow_text
from mantra_desktop.services.errors import ServiceError

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_CORPUS = REPOSITORY_ROOT / "tests" / "data" / "corpus"
SHARED_CORPUS = REPOSITORY_ROOT.parent / "shared" / "corpus" / "n8n-workflows"


def corpus_dir() -> Path:
    """The folder of real workflows: MANTRA_CORPUS_DIR, the shared one, the sample."""
    configured = os.environ.get("MANTRA_CORPUS_DIR")
    if configured:
        return Path(configured)
    return SHARED_CORPUS if SHARED_CORPUS.is_dir() else SAMPLE_CORPUS


def workflow_text(name: str, *, wait_minutes: int = 5) -> str:
    return json.dumps(
        {
            "name": name,
            "nodes": [
                {
                    "name": "Every few minutes",
                    "type": "n8n-nodes-base.scheduleTrigger",
                    "typeVersion": 1.2,
                    "position": [0, 0],
                    "parameters": {
                        "rule": {
                            "interval": [{"field": "minutes", "value": wait_minutes}]
                        }
                    },
                },
                {
                    "name": "Tell Slack",
                    "type": "n8n-nodes-base.slack",
                    "typeVersion": 2.2,
                    "position": [220, 0],
                    "parameters": {"text": "tick"},
                    "credentials": {"slackApi": "Team Slack"},
                },
            ],
            "connections": {
                "Every few minutes": {
                    "main": [[{"node": "Tell Slack", "type": "main", "index": 0}]]
                }
            },
        }
    )


@pytest.fixture
def catalog(database: Database) -> CatalogService:
    return CatalogService(
        MantraRepository(database), starter_folder=resources_dir() / "catalog"
    )


def test_the_whole_corpus_is_accounted_for_file_by_file(
    catalog: CatalogService, arun: Any
) -> None:
    folder = corpus_dir()
    files = sorted(folder.rglob("*.json"))
    assert files

    first = arun(catalog.import_paths([folder]), timeout=120_000)

    assert not first.cancelled
    assert first.imported and first.files_read == len(files)
    seen = {item.source.split(",")[0] for item in first.imported}
    seen |= {item.source.split(",")[0] for item in first.present}
    seen |= {item.source.split(",")[0] for item in first.rejected}
    expected = {str(path.relative_to(folder.parent)) for path in files}
    assert seen == expected
    assert all(item.reason.strip() for item in first.rejected)
    assert arun(catalog.count()) == len(first.imported)

    again = arun(catalog.import_paths([folder]), timeout=120_000)
    assert again.imported == []
    assert len(again.present) == len(first.imported) + len(first.present)
    assert all(p.reason.startswith("already in the catalog as ") for p in again.present)
    assert arun(catalog.count()) == len(first.imported)

    # Facts derived at import are what the catalog filters on.
    counts = arun(catalog.facet_counts(MantraQuery()))
    app, number = counts.apps[0]
    assert arun(catalog.count(MantraQuery(apps=frozenset({app})))) == number


def test_a_failed_write_leaves_the_catalog_as_it_was(
    catalog: CatalogService, arun: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "first.json").write_text(workflow_text("First"))
    arun(catalog.import_paths([tmp_path / "first.json"]))
    batch = tmp_path / "batch"
    batch.mkdir()
    for minutes in range(1, 5):
        (batch / f"{minutes}.json").write_text(
            workflow_text(f"B{minutes}", wait_minutes=minutes)
        )

    real = mantras_module._facets_for
    calls = []

    def failing(mantra_id: str, fields: Any) -> Any:
        # A failure the database cannot be made to produce on demand.
        calls.append(mantra_id)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(mantra_id, fields)

    monkeypatch.setattr(mantras_module, "_facets_for", failing)
    with pytest.raises(RuntimeError):
        arun(catalog.import_paths([batch]))
    monkeypatch.setattr(mantras_module, "_facets_for", real)

    names = [row.name for row in arun(catalog.search(MantraQuery()))]
    assert names == ["First"]


def test_files_are_rejected_with_their_reason_and_duplicates_reported(
    catalog: CatalogService, arun: Any, tmp_path: Path
) -> None:
    (tmp_path / "good.json").write_text(workflow_text("Good"))
    (tmp_path / "copy.json").write_text(workflow_text("Good"))
    (tmp_path / "broken.json").write_text('{"nodes": [')
    (tmp_path / "notes.json").write_text('{"title": "shopping"}')
    (tmp_path / "README.md").write_text("not a workflow and not a .json file")

    summary = arun(catalog.import_paths([tmp_path, tmp_path / "missing.json"]))

    assert [i.name for i in summary.imported] == ["Good"]
    assert [(p.source, p.reason) for p in summary.present] == [
        (f"{tmp_path.name}/good.json", "already in this import as Good")
    ] or [(p.source, p.reason) for p in summary.present] == [
        (f"{tmp_path.name}/copy.json", "already in this import as Good")
    ]
    reasons = {r.source: r.reason for r in summary.rejected}
    assert reasons[f"{tmp_path.name}/broken.json"].startswith("is not valid JSON")
    assert 'no "nodes" list' in reasons[f"{tmp_path.name}/notes.json"]
    assert reasons["missing.json"].startswith("cannot be read")
    assert len(reasons) == 3
    assert not summary.ok


def test_a_cancelled_import_stores_nothing(catalog: CatalogService, arun: Any) -> None:
    read: list[str] = []
    summary = arun(
        catalog.import_paths(
            [SAMPLE_CORPUS],
            progress=lambda done, total, name: read.append(name),
            is_cancelled=lambda: len(read) >= 3,
        )
    )
    assert summary.cancelled and summary.files_read == 3
    assert arun(catalog.count()) == 0


def test_create_edit_hide_and_export(
    catalog: CatalogService, arun: Any, tmp_path: Path
) -> None:
    with pytest.raises(ServiceError, match="not valid JSON"):
        arun(catalog.create(name="X", description="", workflow_text="{"))
    created = arun(
        catalog.create(
            name="  Slack   ticker ",
            description="Says **tick**.",
            workflow_text=workflow_text("Ticker"),
        )
    )
    assert (created.name, created.version, created.origin) == (
        "Slack ticker",
        1,
        "created",
    )
    assert created.apps == ["Slack"] and created.credential_types == ["slackApi"]
    assert created.trigger_kind == "schedule" and created.node_count == 2

    renamed = arun(
        catalog.edit(created.id, name="Ticker", description="Same workflow.")
    )
    assert renamed.version == 1
    same = arun(
        catalog.edit(
            created.id,
            name="Ticker",
            description="Same",
            workflow_text=json.dumps(renamed.workflow_json),
        )
    )
    assert same.version == 1
    changed = arun(
        catalog.edit(
            created.id,
            name="Ticker",
            description="Every minute now.",
            workflow_text=workflow_text("Ticker", wait_minutes=1),
        )
    )
    assert changed.version == 2

    target = arun(catalog.export(created.id, tmp_path / "ticker.json"))
    assert check_workflow_text(target.read_text()).ok
    again = arun(catalog.import_paths([target]))
    assert [p.reason for p in again.present] == ["already in the catalog as Ticker"]
    assert again.ok

    assert arun(catalog.resolve("ticker")).id == created.id
    arun(catalog.hide(created.id))
    assert arun(catalog.count()) == 0
    assert arun(catalog.get(created.id)).is_active is False
    with pytest.raises(ServiceError, match="already in the catalog as Ticker"):
        arun(
            catalog.create(
                name="Other",
                description="",
                workflow_text=target.read_text(),
            )
        )


def test_the_starter_catalog_loads_once_into_an_empty_catalog(
    catalog: CatalogService, arun: Any, tmp_path: Path
) -> None:
    summary = arun(catalog.load_starter_catalog())
    bundled = sorted((resources_dir() / "catalog").glob("*.json"))
    assert summary is not None and len(summary.imported) == len(bundled)
    rows = arun(catalog.search(MantraQuery(), limit=500))
    assert {row.origin for row in rows} == {"bundled"}
    assert arun(catalog.load_starter_catalog()) is None
    assert arun(catalog.count()) == len(bundled)


def test_resolve_refuses_ambiguous_names(catalog: CatalogService, arun: Any) -> None:
    for minutes in (1, 2):
        arun(
            catalog.create(
                name="Twin",
                description="",
                workflow_text=workflow_text("Twin", wait_minutes=minutes),
            )
        )
    with pytest.raises(ServiceError, match="2 mantras are named"):
        arun(catalog.resolve("Twin"))
    with pytest.raises(ServiceError, match="No mantra"):
        arun(catalog.resolve("Triplet"))
