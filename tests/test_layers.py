"""Tandem's layers: config on top, then the feature apps, then accounts, then core. A lower
layer never imports a higher one, payments never imports engagement (engagement's activities
point at payments), and engagement never imports cms (pages show engagement, not the reverse).
Checked on every import statement, wherever it sits in a module."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAY_IMPORT = {
    "core": set(),
    "accounts": {"core"},
    "payments": {"core", "accounts"},
    "engagement": {"core", "accounts", "payments"},
    "cms": {"core", "accounts", "payments", "engagement"},
    "config": {"core", "accounts", "payments", "engagement", "cms"},
}


def imported_apps(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & set(MAY_IMPORT)


def test_no_layer_imports_one_above_it():
    breaches = []
    for app, allowed in MAY_IMPORT.items():
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for other in imported_apps(path) - allowed - {app}:
                breaches.append(f"{path.relative_to(ROOT)} imports {other}")

    assert breaches == []


def test_the_check_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from engagement.models import Panel\n    import cms.seed\n")

    assert imported_apps(module) == {"engagement", "cms"}
