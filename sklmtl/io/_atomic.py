"""Atomic file writes: a temporary file beside the target, renamed onto it.

Every file :mod:`sklmtl.io` writes (:func:`~sklmtl.io.save`, the
checkpoints of :class:`~sklmtl.io.TrainingCheckpoint`,
:func:`~sklmtl.io.to_onnx`) goes through :func:`atomic_path`: a write that
fails or is interrupted (an error, a full disk, a killed process) leaves a
file already at the path as it was, and never leaves a half-written one
under the path's name.
"""

import contextlib
import os
import secrets

__all__ = ["atomic_path"]


@contextlib.contextmanager
def atomic_path(path, action="save"):
    """A temporary path beside ``path``, renamed onto it when the block ends.

    The block writes the file at the yielded path; when it ends without an
    error the file is flushed to disk and renamed onto ``path`` (an atomic
    replace on POSIX and Windows), then the folder is flushed so that the
    rename survives a power cut. When the block raises, the temporary file
    is removed and ``path`` is left untouched.

    Parameters
    ----------
    path : str or path-like
        The file to write.
    action : str, default="save"
        What is written, for the error message (``"save"``, ``"export"``).

    Yields
    ------
    temp : str
        Where to write (a hidden file in the folder of ``path``).

    Raises
    ------
    OSError
        When no file can be created in the folder of ``path`` (it does not
        exist, or cannot be written to): the message names the folder.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from sklmtl.io._atomic import atomic_path
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "notes.txt"
    >>> with atomic_path(path) as temp:
    ...     _ = pathlib.Path(temp).write_text("hello")
    >>> path.read_text(), sorted(p.name for p in path.parent.iterdir())
    ('hello', ['notes.txt'])
    """
    target = os.path.realpath(os.fspath(path))
    folder, name = os.path.split(target)
    temp = os.path.join(folder, f".{name}.{secrets.token_hex(8)}.tmp")
    try:
        # 0o666 less the umask: the permissions a plain open() would give.
        os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    except OSError as exc:
        raise type(exc)(
            exc.errno,
            f"Cannot {action} to {os.fspath(path)}: cannot create a file in the "
            f"folder {folder} ({exc.strerror}). sklmtl.io writes a temporary file "
            "there and renames it onto the path.",
        ) from None
    try:
        yield temp
        handle = os.open(temp, os.O_RDWR)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(temp)
        raise
    if os.name == "posix":  # make the rename itself durable
        with contextlib.suppress(OSError):
            handle = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(handle)
            finally:
                os.close(handle)
