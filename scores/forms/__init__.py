"""Forms for scores, one module per group of pages (see ``scores.views``)."""
