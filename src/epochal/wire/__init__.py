"""Record formats, API schemas, key rules and limits shared by every layer.

This package imports nothing else from epochal: the SDK, the store and the server all
speak through it, so it is the one place where a format is defined.
"""
