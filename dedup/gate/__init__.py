"""The CI gate: a new drop checked against an index and within itself."""
