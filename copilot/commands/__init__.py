"""CLI command groups; each module exposes `register(app)` and stays thin over the library."""
