"""The ASGI server: ``create_app(settings)`` in ``app.py``, ``serve(settings)`` in ``runner.py``."""
