"""One file parsed in a child process with an address-space and a wall-time limit, so a hostile or broken upload
costs a child, not the server: the 数据导入 page parses every upload here (`jixiao ingest` parses in its own
process, or in its parse workers: a command-line batch has no other users to protect).

The child comes from a fork server (multiprocessing's 'forkserver' context: never a fork of the multi-threaded
app server) that has the parser imported already, so starting one costs ≈ 10 ms. In the child, before anything
is read, `resource.setrlimit(RLIMIT_AS)` caps its address space at what it has mapped already plus
limits.parse_memory_mb (JIXIAO_PARSE_MEMORY_MB);
the parent waits at most limits.parse_seconds (JIXIAO_PARSE_SECONDS) for the Document, then kills the child.
An overrun is the file's Document.error (naming the file and the limit), like any other refusal: nothing of the
file is stored, and the caller goes on with the next file. The child writes nothing; it only sends back the
Document (and the OCR page progress) through a pipe.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

from dashboard.ingest import limits
from dashboard.ingest.model import Document
from dashboard.ingest.sources import failed, parse_source_bytes

# Imported once in the fork server, so each child starts with them (the readers import the rest lazily).
PRELOAD = [
    "dashboard.ingest.sources",
    "dashboard.ingest.warm",  # Numba and the compiled aligner: ≈1.8 s each child would spend
    "dashboard.ingest.readers.sheets",
    "dashboard.ingest.readers.docx",
]
OUT_OF_MEMORY_EXIT = 86  # the child's exit status when a MemoryError escaped the parser (while sending, say)
_POLL_S = 0.25

ProgressCallback = Callable[[int, int], None]


def _context() -> multiprocessing.context.BaseContext:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    return ctx


def parse_isolated(
    path: str | Path,
    data: bytes,
    *,
    memory_mb: int | None = None,
    seconds: float | None = None,
    on_page: ProgressCallback | None = None,
) -> Document:
    """sources.parse_source_bytes(path, data) run in a child process under the limits (default: the environment's,
    limits.parse_memory_mb / parse_seconds); never raises for the file's sake. `on_page(page, pages)` is called
    here, in the caller's thread, for each scanned page the child is about to OCR."""
    memory_mb = limits.parse_memory_mb() if memory_mb is None else memory_mb
    seconds = limits.parse_seconds() if seconds is None else seconds
    ctx = _context()
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(
        target=_child,
        args=(str(path), data, memory_mb, send),
        name=f"jixiao-parse {Path(path).name}",
        daemon=True,
    )
    child.start()
    send.close()  # the child holds the only writing end: its death is an EOF here
    deadline = time.monotonic() + seconds
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return failed(path, limits.out_of_time_message(seconds), data)
            if not receive.poll(min(left, _POLL_S)):
                continue
            try:
                kind, payload = receive.recv()
            except (EOFError, OSError):
                break
            if kind == "page":
                if on_page is not None:
                    on_page(*payload)
                continue
            return payload
        child.join(5)
        return failed(path, _died_message(child.exitcode, memory_mb), data)
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join()
        child.close()


def _died_message(exitcode: int | None, memory_mb: int) -> str:
    if exitcode == OUT_OF_MEMORY_EXIT or exitcode == -signal.SIGKILL:
        return (
            f"解析超出内存限制（{memory_mb} MB），未导入：文件可能异常或被构造为耗尽资源"
            f"（确为正常文件时可调大环境变量 {limits.PARSE_MEMORY_ENV}）"
        )
    how = f"信号 {-exitcode}" if exitcode is not None and exitcode < 0 else f"退出码 {exitcode}"
    return f"解析进程意外结束（{how}，内存上限 {memory_mb} MB），未导入"


def _child(path: str, data: bytes, memory_mb: int, send: Connection) -> None:
    """In the child: cap the address space, parse, send the Document back."""
    import resource

    from dashboard.ingest.readers import office
    from dashboard.ingest.readers.pdf import set_ocr_progress

    _few_malloc_arenas()
    cap = _address_space() + memory_mb * limits.MB
    limits.child_memory_mb = memory_mb
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    try:
        set_ocr_progress(lambda page, pages: send.send(("page", (page, pages))))
        doc = parse_source_bytes(path, data)
        del data
        send.send(("done", doc))
    except MemoryError:
        os._exit(OUT_OF_MEMORY_EXIT)
    finally:
        office.remove_profiles()
        with contextlib.suppress(OSError):
            send.close()


def _address_space() -> int:
    """The child's address space now (bytes): what the fork server had mapped when it forked it. It differs by
    process and by what the server imported (a long test process's server measured well above a fresh one's),
    so the limit is on the growth beyond it."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def _few_malloc_arenas() -> None:
    """glibc reserves 64 MB of address space per malloc arena (up to 8 per core, one per busy thread: OCR runs
    threads); the limit is on address space, so keep them to two."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").mallopt(-8, 2)  # M_ARENA_MAX


__all__ = ["parse_isolated"]
