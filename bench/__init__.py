"""Benchmarks: Parley against a bare websocket relay, measured in the same run (``make bench``)."""
