"""Benchmarks (run as scripts: ``python benchmarks/<name>.py``); a package so tests can import ``benchmarks.worlds``."""
