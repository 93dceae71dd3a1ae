"""The catalog commands as a script runs them: lines, exit codes, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SAMPLE_CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"


def command(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
    }
    environment.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "mantra_desktop", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def test_import_list_export_and_import_again(tmp_path: Path) -> None:
    database = str(tmp_path / "catalog.db")
    files = sorted(SAMPLE_CORPUS.rglob("*.json"))

    first = command(tmp_path, "import", "--database", database, str(SAMPLE_CORPUS))
    assert first.returncode == 1, first.stderr
    lines = first.stdout.splitlines()
    rejected = [line for line in lines if line.startswith("rejected ")]
    assert rejected and all(": " in line for line in rejected)
    imported = len(files) - len(rejected)
    assert (
        lines[-1] == f"{imported} imported, 0 already in the catalog, "
        f"{len(rejected)} rejected."
    )
    assert "Traceback" not in first.stderr + first.stdout

    listed = command(tmp_path, "list", "--database", database, "--app", "Calendly")
    assert listed.returncode == 0, listed.stderr
    rows = listed.stdout.splitlines()
    assert rows and all("Calendly" in row for row in rows)
    mantra_id, name = rows[0].split("  ")[:2]

    target = tmp_path / "out.json"
    exported = command(
        tmp_path, "export", name, "--database", database, "-o", str(target)
    )
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.strip() == f"exported {name} to {target}"
    assert json.loads(target.read_text())["name"] == name

    again = command(tmp_path, "import", "--database", database, str(target))
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines() == [
        "0 imported, 1 already in the catalog, 0 rejected."
    ]

    by_id = command(tmp_path, "export", mantra_id, "--database", database, "-o", "-")
    assert by_id.returncode == 0 and json.loads(by_id.stdout)["name"] == name


def test_unknown_mantra_and_missing_file_are_refused_plainly(tmp_path: Path) -> None:
    database = str(tmp_path / "catalog.db")
    missing = command(tmp_path, "import", "--database", database, "nowhere.json")
    assert missing.returncode == 1
    assert missing.stdout.splitlines()[0].startswith("rejected nowhere.json: cannot")

    unknown = command(tmp_path, "export", "No such mantra", "--database", database)
    assert unknown.returncode == 1
    assert (
        unknown.stderr.strip()
        == 'error: No mantra has the id or name "No such mantra".'
    )
    assert "Traceback" not in unknown.stderr
