"""The few ``epochal: ...`` lines a user sees on stderr, as wandb prints them.

Each line also goes to the ``epochal`` logger, so it lands in the run's ``debug.log``.
"""

from __future__ import annotations

import logging
import sys

logger = logging.getLogger("epochal")


def announce(message: str, *, quiet: bool, level: int = logging.INFO) -> None:
    """Log ``message`` and, unless ``quiet``, write ``epochal: message`` to stderr."""
    logger.log(level, message)
    if not quiet:
        try:
            sys.stderr.write(f"epochal: {message}\n")
            sys.stderr.flush()
        except (OSError, ValueError):
            pass  # a closed stderr (daemon, finished test) must never break the run
