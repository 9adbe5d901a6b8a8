"""Incidents: the same real-world event merged across articles (matching, consolidation, the worker)."""
