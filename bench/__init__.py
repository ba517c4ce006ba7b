"""Benchmarks: ``make bench`` (``python -m bench``) prints one JSON object per line,
``{"name", "value", "unit", "target"}``. Later issues add their figures here."""
