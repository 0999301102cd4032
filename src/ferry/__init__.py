"""ferry: a fast Python package and project manager that reads and writes uv projects."""

__version__ = "0.1.0"
