"""wheel layer (see docs/architecture.md)."""
