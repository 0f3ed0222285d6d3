"""Analyses built on many runs: attribution of design differences to mechanisms."""
