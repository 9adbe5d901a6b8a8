"""newswire services: the ingest, extractor and store workers and the runtime they share."""

__version__ = "0.1.0"
