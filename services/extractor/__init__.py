"""The extractor worker: turns articles into PLOVER events."""
