"""The run log as a preallocated, memory-mapped file that grows in steps.

Why a mapping: ``os.write`` of one frame costs 1.3-2 µs (a system call per ``log()``); a
copy into a shared mapping costs a fraction of that and lands in the same page cache, so a
frame whose copy finished survives a kill -9 of the process exactly as a written one does.

Space is reserved with ``posix_fallocate`` before it is mapped: a full disk is an
``OSError`` when the log grows, never a SIGBUS while copying into a page the disk cannot
hold. The reserved tail is zeros, which frame readers take as the end of the log (an empty
header); ``close`` cuts the file to its last frame, and :func:`cut_unused_tail` does the same
for a log whose writer was killed.
"""

from __future__ import annotations

import mmap
import os
from pathlib import Path

from epochal.wire.framing import HEADER_SIZE, frames_end

INITIAL_BYTES = 1 << 20
MAX_GROWTH_BYTES = 64 << 20
"""The mapping doubles up to this step, so a long run re-maps a few dozen times at most."""
RELEASE_BYTES = 2 << 20
"""Every this many bytes the pages already written leave the process (they stay in the page
cache, dirty until written back): mapped pages count in the process's RSS otherwise, so a
long run's log would look like the training process's memory."""
_EMPTY_HEADER = bytes(HEADER_SIZE)


class LogMap:
    """A new log file mapped for appending; the writer keeps the offset of its end."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
        try:
            self.capacity = self._allocate(0, INITIAL_BYTES)
            self.buf = mmap.mmap(self._fd, self.capacity, flags=mmap.MAP_SHARED)
        except BaseException:
            os.close(self._fd)
            raise
        self.limit = min(self.capacity, RELEASE_BYTES)
        """Frames ending up to here are copied without calling :meth:`make_room`."""
        self._released = 0

    def make_room(self, start: int, end: int) -> mmap.mmap:
        """Make ``[start, end)`` writable (growing the file) and let the pages before ``start`` go.

        Returns the mapping, which may have moved.
        """
        if end > self.capacity:
            growth = min(max(self.capacity, INITIAL_BYTES), MAX_GROWTH_BYTES)
            self.capacity = self._allocate(self.capacity, max(self.capacity + growth, end))
            self.buf.resize(self.capacity)
        written = start // mmap.PAGESIZE * mmap.PAGESIZE
        if written > self._released:
            self.buf.madvise(mmap.MADV_DONTNEED, self._released, written - self._released)
            self._released = written
        self.limit = max(end, min(self.capacity, written + RELEASE_BYTES))
        return self.buf

    def close(self, length: int, *, fsync: bool) -> None:
        """Unmap and cut the file to ``length`` (the end of its last frame); ``fsync`` it to disk too.

        Without ``fsync`` the pages stay in the OS page cache (safe from a process crash); the
        caller fsyncs later unless the server has stored every record first.
        """
        if fsync:
            self.buf.flush()
        self.buf.close()
        os.ftruncate(self._fd, length)
        if fsync:
            os.fsync(self._fd)
        os.close(self._fd)

    def _allocate(self, old: int, new: int) -> int:
        """Reserve disk blocks up to ``new`` rounded to pages; return that size."""
        new = -(-new // mmap.PAGESIZE) * mmap.PAGESIZE
        try:
            os.posix_fallocate(self._fd, old, new - old)
        except OSError as exc:
            raise OSError(exc.errno, f"cannot grow the run log {self.path} to {new} bytes: {exc.strerror}") from None
        return new


def cut_unused_tail(path: Path) -> None:
    """Cut the zeros a killed writer left after its last complete frame (the caller holds the folder).

    Only a tail that starts with an empty header is cut: the mapped writer copies a frame's
    header last, so whatever follows an empty header was never a complete frame. A tail that
    starts with a damaged non-empty header is left for the readers to stop at.
    """
    data = path.read_bytes()
    end = frames_end(data)
    if end < len(data) and data[end : end + HEADER_SIZE].ljust(HEADER_SIZE, b"\0") == _EMPTY_HEADER:
        with path.open("r+b") as log:
            log.truncate(end)
