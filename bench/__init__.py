"""Benchmarks: stage speeds, the full pipeline, scaling and memory (see bench/README.md)."""
