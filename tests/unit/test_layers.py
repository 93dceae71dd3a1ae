"""The layer rule, checked on the source: nothing imports upward, and only the
UI (and the composition root) touches Qt.

    ui, cli -> services -> repositories, n8n, google, workflows, secrets
            -> models, db -> config, logs
"""

from __future__ import annotations

import ast
from pathlib import Path

import mantra_desktop

PACKAGE_ROOT = Path(mantra_desktop.__file__).parent

# Higher numbers may import lower ones, never the reverse.
LAYERS = {
    "__init__": 0,
    "config": 0,
    "logs": 0,
    "models": 1,
    "db": 1,
    "repositories": 2,
    "n8n": 2,
    "google": 2,
    "workflows": 2,
    "secrets": 2,
    "services": 3,
    "ui": 4,
    "cli": 4,
    "app": 5,
    "__main__": 6,
}
QT_MODULES = ("PySide6", "qasync", "shiboken6")
QT_ALLOWED = ("ui", "app")


def _layer_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(path: Path, module: str) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.rsplit(".", node.level)[0]
                found.add(f"{base}.{node.module}" if node.module else base)
            elif node.module:
                found.add(node.module)
    return found


def _modules() -> list[tuple[str, Path]]:
    modules = []
    for path in sorted(PACKAGE_ROOT.rglob("*.py")):
        relative = path.relative_to(PACKAGE_ROOT.parent).with_suffix("")
        parts = list(relative.parts)
        if parts[-1] == "__init__" and len(parts) > 1:
            parts.pop()
        modules.append((".".join(parts), path))
    return modules


def test_every_module_is_in_a_known_layer() -> None:
    unknown = {_layer_of(name) for name, _ in _modules()} - set(LAYERS)
    assert not unknown, f"add these to LAYERS: {sorted(unknown)}"


def test_nothing_imports_upward() -> None:
    breaches = []
    for module, path in _modules():
        own = _layer_of(module)
        for imported in _imports(path, module):
            if not imported.startswith("mantra_desktop."):
                continue
            target = _layer_of(imported)
            if target != own and LAYERS[target] >= LAYERS[own]:
                breaches.append(f"{module} imports {imported}")
    assert not breaches, "\n".join(breaches)


def test_workflows_are_pure() -> None:
    for module, path in _modules():
        if _layer_of(module) != "workflows":
            continue
        for imported in _imports(path, module):
            top = imported.split(".")[0]
            assert top not in ("httpx", "sqlalchemy", "PySide6", "requests"), (
                f"{module} imports {imported}"
            )
            if imported.startswith("mantra_desktop."):
                assert _layer_of(imported) == "workflows", f"{module} -> {imported}"


def test_only_the_ui_touches_qt() -> None:
    breaches = [
        f"{module} imports {imported}"
        for module, path in _modules()
        if _layer_of(module) not in QT_ALLOWED
        for imported in _imports(path, module)
        if imported.split(".")[0] in QT_MODULES
    ]
    assert not breaches, "\n".join(breaches)


def test_the_rule_catches_a_breach(tmp_path: Path) -> None:
    """The checker itself sees an upward import written in any form."""
    source = tmp_path / "bad.py"
    source.write_text(
        "from ..ui import main_window\nimport mantra_desktop.services.catalog\n"
    )
    imports = _imports(source, "mantra_desktop.models.bad")
    assert "mantra_desktop.ui" in imports
    assert "mantra_desktop.services.catalog" in imports


def test_the_window_paints_before_the_heavy_libraries_load() -> None:
    """What runs before the first paint imports no database, network or loop.

    The window is shown with Qt alone; the asyncio loop, the database and the
    services come after, so the modules loaded up to the paint stay light.
    """
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "import mantra_desktop.cli as cli\n"
        "cli.build_parser().parse_args([])\n"
        "import mantra_desktop.app, mantra_desktop.ui.main_window\n"
        "heavy = ('sqlalchemy', 'alembic', 'httpx', 'keyring', 'google', 'asyncio')\n"
        "print(' '.join(sorted(m for m in heavy if m in sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_command_names_match_the_registered_commands() -> None:
    """The window's fast path skips loading commands by their names."""
    import argparse

    from mantra_desktop.cli import COMMAND_NAMES, build_parser

    parser = build_parser()
    registered = {
        name
        for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)
        for name in action.choices
    }
    assert registered == COMMAND_NAMES
