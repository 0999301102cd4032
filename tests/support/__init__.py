"""ferry's shared test harness: wheel/sdist factories, a local index and a loopback server.

Import from the modules (``tests.support.wheels``, ``tests.support.index``, ...); the fixtures
that bind them to a test's ``tmp_path`` live in ``tests/conftest.py``.
"""
