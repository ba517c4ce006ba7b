"""Writes for scores, one module per part: ``catalogue`` (reference data), ``sources``
(sources, sharing, indicators and score models), ``imports`` (indicator files), ``fetch``
(fetching sources) and ``compute`` (score computation, with its parts ``score_data``,
``score_kinds`` and ``score_store``)."""
