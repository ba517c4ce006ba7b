"""Pages for scores: ``maps`` (the score map and area scores), ``sources`` (sources,
sharing, indicators and models) and ``imports`` (uploading indicator files)."""
