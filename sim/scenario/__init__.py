"""Scenarios: the format's schema, loading and checking files, overrides, compiled arrays, importers and exporters, synthetic scenarios, presets."""
