"""python layer (see docs/architecture.md)."""
