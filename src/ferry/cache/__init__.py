"""cache layer (see docs/architecture.md)."""
