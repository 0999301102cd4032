"""dist layer (see docs/architecture.md)."""
