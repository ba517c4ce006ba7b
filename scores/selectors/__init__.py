"""Reads for scores, restricted to what a user may see: ``sources`` (sources, indicators,
models), ``imports`` (import jobs) and ``maps`` (map data, tables and series)."""
