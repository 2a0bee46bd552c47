"""The ``epochal`` command line: server, demo, sync, login."""
