"""Writes for scores, one module per part: ``catalogue`` (reference data), ``sources``
(sources, sharing, indicators and score models), ``imports`` (indicator files) and
``compute`` (score computation)."""
