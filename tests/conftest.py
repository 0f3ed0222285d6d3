"""Shared fixtures: small scenario builders and the shipped scenarios."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from sim.scenario.loader import validate

ROOT = Path(__file__).resolve().parent.parent
CLASSROOM = ROOT / "scenarios" / "classroom_small.toml"

settings.register_profile(
    "default", deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "thorough", deadline=None, max_examples=500, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def one_dimension(ideals, status_quo=0.0, process=None, capability=None, votes=None, **extra):
    """Raw data of a one-provision scenario with delegations at the given ideal points."""
    delegations = []
    for i, x in enumerate(ideals):
        d = {"id": f"d{i}", "positions": {"x": float(x)}}
        if capability is not None:
            d["capability"] = float(capability[i])
        if votes is not None:
            d["votes"] = float(votes[i])
        delegations.append(d)
    raw = {
        "name": "one dimension",
        "provisions": [{"id": "x", "title": "X", "status_quo": float(status_quo)}],
        "delegations": delegations,
        "process": process or {},
    }
    raw.update(extra)
    return raw


def spatial_process(**changes):
    """The classic spatial model: no persuasion, no concession, no uncertainty, votes always called."""
    process = {
        "mechanisms": {
            "persuasion": False,
            "concession": False,
            "redrafting": True,
            "vote_calling": False,
        },
        "domestic": {"uncertainty": 0.0},
        "openness": "closed",
        "rounds": 10,
        "abstain_band": 0.0,
    }
    process.update(changes)
    return process


def build(raw):
    """Validate raw scenario data."""
    return validate(raw, "test")


@pytest.fixture
def classroom():
    from sim import load_scenario

    return load_scenario(CLASSROOM)
