"""The ingest worker: polls feeds, takes URLs from the queue, fetches, cleans and publishes articles."""
