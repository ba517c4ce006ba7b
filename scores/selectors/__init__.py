"""Reads for scores, restricted to what a user may see: ``sources`` (sources, indicators,
models), ``imports`` (import jobs), ``maps`` (map data, tables and series) and ``summary``
(the scores of a wijk or gebied in short, for its page)."""
