"""Blob stores: content-addressed bytes named by their sha256."""
