"""resolve layer (see docs/architecture.md): requirements → a pinned set, with its graph.

Public API (import from the modules; this package imports nothing so ``ferry`` starts fast):

- ``algorithm.resolve(requirements, constraints, source, target, options, *, editables=())``
  → ``result.Resolution`` (``dists``, ``dependencies``, ``extras``, ``warnings``); raises
  ``ferry.model.errors.ResolutionError`` whose ``causes`` explain the conflict.
- ``options.ResolverOptions`` / ``options.TargetEnvironment``: policy and target.
- ``source.PackageSource`` (the seam), ``source.CoreMetadata``, ``source.DirectDist``.
- ``provider_index.IndexSource``: the real source over the index client, with prefetching.
- ``memory.MemorySource``: an in-memory source for tests and scenario checks.
- ``universal.resolve_universal(UniversalRequest, source)`` → ``universal_graph.UniversalGraph``:
  one resolution for every platform and Python a project supports (uv's forking rules), with
  each edge's and node's environments as ``marker_expr.MarkerExpr`` sets (``parse_marker``,
  ``render``); ``wheel_markers.wheel_reachable`` decides which wheels a lock keeps.
"""
