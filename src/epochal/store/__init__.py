"""Durable storage: metadata and series in SQL (SQLite or PostgreSQL), blobs in a folder or S3.

Knows nothing of HTTP. Imports only ``epochal.wire``.
"""
