"""Money never touches float: no float() call and no float literal anywhere in the payments
code, nor in engagement's module that turns attendance into honoraria."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MONEY_CODE = sorted(
    path
    for path in [*(ROOT / "payments").rglob("*.py"), ROOT / "engagement/services/honoraria.py"]
    if "migrations" not in path.parts
)


def float_uses(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name) and node.id == "float":
            found.append(f"line {node.lineno}: float")
        elif isinstance(node, ast.Constant) and isinstance(node.value, float):
            found.append(f"line {node.lineno}: {node.value!r}")
    return found


def test_the_scan_sees_floats():
    assert sorted(float_uses("x = float(amount)\ny = 1.5\nz = Decimal('1.5')\nw = 3")) == [
        "line 1: float",
        "line 2: 1.5",
    ]


@pytest.mark.parametrize("path", MONEY_CODE, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_float_in_money_code(path):
    assert float_uses(path.read_text()) == []


def test_the_scan_covers_the_services():
    names = {path.name for path in MONEY_CODE}
    assert {"honoraria.py", "expenses.py", "batches.py", "queue.py", "models.py"} <= names
