"""The engine is a package split by concern; the app (the LLM backend above all) uses only the
names it exports, never a module's private helpers."""

import ast
from pathlib import Path

from apps.content import engine

APPS = Path(__file__).resolve().parents[2]
ENGINE = APPS / "content" / "engine"


def callers() -> list[Path]:
    return [
        path
        for path in APPS.rglob("*.py")
        if ENGINE not in path.parents
        and "tests" not in path.parts
        and "migrations" not in path.parts
    ]


def engine_names_used(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "apps.content.engine"
        ):
            if node.module != "apps.content.engine":
                names.add(f"<module {node.module}>")
            names.update(alias.name for alias in node.names)
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "engine"
        ):
            names.add(node.attr)
    return names


def test_the_app_uses_only_the_names_the_engine_exports():
    outside = {
        str(path.relative_to(APPS)): sorted(engine_names_used(path) - set(engine.__all__))
        for path in callers()
    }
    assert {path: names for path, names in outside.items() if names} == {}


def test_the_llm_backend_reaches_the_engine_through_its_interface():
    used = engine_names_used(APPS / "content" / "llm.py")
    assert used
    assert not [name for name in used if name.startswith("_")]
    assert used <= set(engine.__all__)


def test_every_exported_name_exists():
    assert all(hasattr(engine, name) for name in engine.__all__)
