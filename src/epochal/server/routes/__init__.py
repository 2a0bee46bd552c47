"""One module per resource of the ``/api/v1`` API; each exposes ``router``."""
