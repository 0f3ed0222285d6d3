"""The package's layers import downward only, as README's Development section says."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Lower layers first; the last group are peers that may use one another.
LAYERS = [
    {"errors", "catalogue", "provenance", "folders"},
    {"scenario"},
    {"model"},
    {"results"},
    {"run"},
    {"experiments"},
    {"power"},
    {"analysis", "figures", "report", "classroom", "ema"},
]
RANK = {name: rank for rank, group in enumerate(LAYERS) for name in group}
IMPORT = re.compile(r"^\s*(?:from|import) sim\.([a-z_]+)((?:\.[a-z_]+)*)", re.M)


def imports_upward(path: Path) -> list[str]:
    layer = path.relative_to(ROOT / "sim").with_suffix("").parts[0]
    found = []
    for match in IMPORT.finditer(path.read_text(encoding="utf-8")):
        other, rest = match.group(1), match.group(2)
        if other == layer or (other == "model" and rest.startswith(".mechanisms")):
            continue  # within a layer; the mechanisms are the bottom of everything
        if RANK[other] > RANK[layer]:
            found.append(f"{path.relative_to(ROOT)} imports sim.{other}{rest}")
    return found


def test_every_module_belongs_to_a_layer():
    names = {p.stem if p.is_file() else p.name for p in (ROOT / "sim").iterdir()}
    names -= {"__init__", "__pycache__"}
    assert names == set(RANK), names ^ set(RANK)


def test_no_layer_imports_from_a_layer_above_it():
    upward = [
        line
        for path in sorted((ROOT / "sim").rglob("*.py"))
        if path.name != "__init__.py" or path.parent != ROOT / "sim"
        for line in imports_upward(path)
    ]
    assert upward == []


def test_the_command_line_holds_no_model_logic():
    for path in (ROOT / "cli").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "numpy" not in text and "ConferenceModel" not in text, path.name
