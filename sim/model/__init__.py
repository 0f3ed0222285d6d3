"""The conference model: the Mesa model, its agents, the signing terms, the mechanisms, and ``run_conference``."""
