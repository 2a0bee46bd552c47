"""Run ids and readable run names, generated like wandb's (``8 chars``, ``adjective-noun-N``)."""

from __future__ import annotations

import random
import string

_ID_ALPHABET = string.ascii_lowercase + string.digits
RUN_ID_LENGTH = 8
_RANDOM = random.SystemRandom()
"""os.urandom underneath, as ``secrets``, without the OpenSSL library ``secrets`` loads (~4 MB)."""

_ADJECTIVES = (  # noqa: SIM905 - a word list reads best as text
    "amber ancient autumn bold brave bright calm clever cosmic crimson dainty dark dashing deep "
    "desert divine dry eager earnest electric fast fiery fine fluent fragrant frosty gentle giddy "
    "glad golden graceful hardy hearty helpful hidden icy jolly keen kind lively lucky lunar misty "
    "morning noble northern olive peach polar proud quiet rare restful rosy royal rural sandy "
    "scarlet serene sharp silent silver smooth snowy solar spring stellar still stoic summer sunny "
    "swift tender twilight upbeat vivid warm wild winter wise"
).split()
_NOUNS = (  # noqa: SIM905
    "aurora bird blaze breeze brook butterfly canyon cedar cherry cloud comet cosmos dawn dew dream "
    "dune eon feather fern field firefly flower fog forest frost galaxy glade glitter grass harbor "
    "haze hill lake leaf meadow moon morning mountain night oasis ocean orbit paper pine planet pond "
    "rain resonance river sea shadow shape sky smoke snow sound star stone sun sunset surf thunder "
    "tree valley violet voice water wave wildflower wind"
).split()


def new_run_id() -> str:
    """Eight random lowercase letters and digits (as wandb's)."""
    return "".join(_RANDOM.choice(_ID_ALPHABET) for _ in range(RUN_ID_LENGTH))


def new_run_name(number: int | None = None) -> str:
    """``adjective-noun-N``; ``N`` is a small random number unless the caller knows a count."""
    suffix = number if number is not None else _RANDOM.randint(1, 999)
    return f"{_RANDOM.choice(_ADJECTIVES)}-{_RANDOM.choice(_NOUNS)}-{suffix}"
