"""Classroom sessions: people play some delegations, the model plays the rest."""
