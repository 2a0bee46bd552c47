"""Explicit limits on what a client may send. Documented in docs/limits.md.

The SDK checks them at the call site (a clear exception), the server checks them again
(HTTP 413/422 naming the limit), so no oversized input ever reaches the store.
"""

from __future__ import annotations

from typing import Final

MAX_KEY_LENGTH: Final = 256
MAX_KEYS_PER_ROW: Final = 10_000
MAX_STRING_VALUE_BYTES: Final = 1024 * 1024
MAX_NESTING_DEPTH: Final = 16
MAX_RUN_NAME_LENGTH: Final = 256
MAX_RUN_ID_LENGTH: Final = 64
MAX_PROJECT_NAME_LENGTH: Final = 128
MAX_TAGS: Final = 100
MAX_TAG_LENGTH: Final = 128
MAX_NOTES_BYTES: Final = 64 * 1024
MAX_BATCH_BYTES: Final = 32 * 1024 * 1024
MAX_FILE_BYTES: Final = 4 * 1024 * 1024 * 1024
MAX_IMAGE_SIDE: Final = 16_384
MAX_FILE_PATH_LENGTH: Final = 1024
MAX_USERNAME_LENGTH: Final = 64
MAX_API_KEY_NAME_LENGTH: Final = 128
