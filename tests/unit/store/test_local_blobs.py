"""LocalBlobStore error mapping: a full disk or quota is StorageFull, other errors pass."""

from __future__ import annotations

import errno

from epochal.store.base import StorageFull
from epochal.store.blobs.local import storage_error


def test_full_disk_and_quota_become_storage_full() -> None:
    for code in (errno.ENOSPC, errno.EDQUOT):
        assert isinstance(storage_error(OSError(code, "full")), StorageFull)


def test_other_os_errors_are_kept() -> None:
    error = OSError(errno.EACCES, "denied")
    assert storage_error(error) is error
