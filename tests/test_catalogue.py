"""One catalogue explains every name a user sees."""

import pytest

from sim.catalogue import DECISIONS, METRICS, OPENNESS, TERMS, columns_table, entry, label
from sim.model.mechanisms.signing import DECISIONS as DECISION_CODES
from sim.results.metrics import METRIC_NAMES
from sim.results.outcome import TERMS as SIGNING_TERMS


def test_every_metric_decision_and_term_has_an_entry():
    assert set(METRICS) == set(METRIC_NAMES)
    assert set(DECISION_CODES) <= set(DECISIONS)
    assert set(SIGNING_TERMS) | {"sign_threshold", "score", "expected"} <= set(TERMS)
    assert set(OPENNESS) == {"access", "transparency", "inclusion"}
    for table in (METRICS, DECISIONS, TERMS, OPENNESS):
        for name, e in table.items():
            assert e.label and e.meaning.endswith("."), name
            assert e.label != name, name  # a human label, not the internal name
            assert e.better in (None, "higher", "lower"), name


def test_labels_are_unique_so_a_table_never_shows_two_things_alike():
    labels = [e.label for e in METRICS.values()]
    assert len(labels) == len(set(labels))


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("weighted_defection", "Capability-weighted defection"),
        ("welfare_gini", "Welfare inequality (Gini)"),
        ("process.openness.access", "Access"),
        ("home_value", "Home's value of the package"),
        ("process.decision_rule", "Decision rule"),
        ("process.colour", "process.colour"),  # unknown: shown as it is
    ],
)
def test_lookup_by_name_or_factor_path(name, shown):
    assert label(name) == shown


def test_axis_labels_carry_units_and_column_docs_carry_meaning():
    assert entry("signed").axis() == "Signed (delegations)"
    assert entry("sign").axis() == "Sign"
    rows = columns_table(["run_index", "signed"])
    assert rows[0] == {
        "column": "run_index",
        "label": "run_index",
        "unit": "",
        "meaning": "",
        "better": "",
    }
    assert rows[1]["better"] == "higher" and rows[1]["unit"] == "delegations"
