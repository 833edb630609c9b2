"""Writing outputs so that a reader (or a killed run) never sees a half-written state.

* `write_text_atomic`: a temporary file in the same folder, flushed to disk, then renamed over
  the target — a power cut leaves the old file or the new one, never a truncated one.
* `swap_in`: replace a folder by a complete staging folder. On Linux the two are exchanged in
  one `renameat2(RENAME_EXCHANGE)` call, so the target path never disappears, not even for an
  instant; where that call is unavailable (another OS, a file system without it) the old folder
  is renamed aside and the new one renamed in, a window of two renames.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
from pathlib import Path

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def write_text_atomic(path: Path, text: str) -> None:
    """Write `text` (UTF-8) to `path` via a temporary file and a rename."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _renameat2():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


def exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two existing paths; False when the system cannot (caller falls back)."""
    fn = _renameat2()
    if fn is None:
        return False
    rc = fn(_AT_FDCWD, os.fsencode(str(a)), _AT_FDCWD, os.fsencode(str(b)), _RENAME_EXCHANGE)
    return rc == 0


def swap_in(new: Path, target: Path) -> None:
    """Put the complete folder `new` at `target`; the previous `target` is deleted afterwards."""
    new, target = Path(new), Path(target)
    if not target.exists():
        new.rename(target)
        return
    if exchange(new, target):
        shutil.rmtree(new)          # `new` now names the previous content
        return
    old = target.with_name(f"{target.name}.old-{os.getpid()}")
    if old.exists():
        shutil.rmtree(old)
    target.rename(old)
    new.rename(target)
    shutil.rmtree(old)
