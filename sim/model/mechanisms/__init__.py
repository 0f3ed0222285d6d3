"""One module per phase of a round: pure functions over arrays (no Mesa, no I/O)."""
