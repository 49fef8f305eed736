"""An export's checks in a second process while the first writes what was checked before.

Reading, parsing and checking a chunk (pandas, pandera, the parents) and classifying and writing the chunk
before it (row hashes, SQLite or COPY) are both CPU work in one interpreter: one after the other, a national
export took 200 to 230 s on one core of two. Here a forked child runs the whole `ExportCheck`, files in
contract order (parents first, as it needs), and sends each checked chunk through a pipe; the parent
classifies and writes it in its transaction while the child checks the next. What is stored, rejected and
counted is the same as checking in the parent (`checked_chunks(..., background=False)`, which tests compare).

Nothing is lost or left behind, whichever side fails:
* the child refuses a file (`FileRejected`, a CSV syntax error deep in a file): the parent raises it, and
  rolls back as before;
* the child dies (killed, out of memory): the pipe ends early and the parent raises `CheckingFailed`;
* the parent fails or stops the chunks early: the child is killed and reaped before the error goes on;
* the parent is killed (SIGKILL): the child's next send finds the pipe closed and it exits; until then it
  only reads the export. It never touches the database: right after the fork it freezes every object it
  inherited, so no garbage collection in the child can finalize the parent's connection.
"""

from __future__ import annotations

import gc
import multiprocessing
import traceback
from collections.abc import Generator
from multiprocessing.connection import Connection
from typing import Any

from lks.data_contracts.parse import ExportFile, FileRejected
from lks.data_contracts.validate import CheckedChunk, ExportCheck, Parents


class CheckingFailed(RuntimeError):
    """The checking process ended without finishing the export: nothing is stored."""


Chunks = Generator[tuple[str, CheckedChunk], None, None]


def checked_chunks(files: dict[str, ExportFile], parents: Parents, background: bool = True) -> Chunks:
    """(table, checked chunk) of every file in order, parents first; checked in a forked child when
    `background` (where the platform forks), else here."""
    if background and "fork" in multiprocessing.get_all_start_methods():
        yield from _from_child(files, parents)
    else:
        yield from _here(files, parents)


def _here(files: dict[str, ExportFile], parents: Parents) -> Chunks:
    check = ExportCheck(parents)
    for table, file in files.items():
        for chunk in check.table(file):
            yield table, chunk


def _from_child(files: dict[str, ExportFile], parents: Parents) -> Chunks:
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    child = context.Process(target=_check_in_child, args=(files, parents, writer, reader), name="lks-ingest-check",
                            daemon=True)  # daemon: ended with the parent when it exits normally
    child.start()
    writer.close()  # the child's end: the parent sees EOF when the child is gone
    try:
        while True:
            try:
                kind, value = reader.recv()
            except EOFError:
                child.join()
                raise CheckingFailed(f"the process checking the export ended early (exit code {child.exitcode}); "
                                     "nothing is stored") from None
            if kind == "done":
                return
            if kind == "rejected":
                raise value
            if kind == "failed":
                raise CheckingFailed(f"checking the export failed; nothing is stored:\n{value}")
            yield value
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        reader.close()


def _check_in_child(files: dict[str, ExportFile], parents: Parents, pipe: Connection, parents_end: Connection
                    ) -> None:
    gc.freeze()  # what the parent owns (its database connection among it) is never finalized here
    parents_end.close()  # the pipe's only reader is the parent then: once it is gone, a send fails
    try:
        for item in _here(files, parents):
            pipe.send(("chunk", item))
        pipe.send(("done", None))
    except BrokenPipeError:  # the parent is gone: stop
        return
    except FileRejected as err:
        _send(pipe, ("rejected", err))
    except BaseException:  # noqa: BLE001  reported to the parent, which raises it
        _send(pipe, ("failed", traceback.format_exc()))


def _send(pipe: Connection, message: tuple[str, Any]) -> None:
    try:
        pipe.send(message)
    except BrokenPipeError:
        pass
