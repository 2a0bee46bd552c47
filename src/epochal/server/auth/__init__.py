"""Accounts and access: who the caller is (``identify``), what they may touch (``policy``),
and the one FastAPI dependency every route goes through (``guard``). See docs/security.md."""
