"""Keep Oxigraph from reaching the network: a seccomp filter that refuses outgoing connections.

Oxigraph answers ``SERVICE`` by calling the named URL, and neither ``pyoxigraph`` 0.5 nor the
``oxigraph`` server has a switch to turn that off (the Rust ``SparqlEvaluator`` can, but that is
not exposed). The read-only check (:mod:`kg.queries.guard`) refuses such queries first; this is
the second wall, enforced by the kernel: on Linux (x86-64 and AArch64) a filter makes
``connect()``, ``sendto()`` with an address, ``sendmsg()``, ``sendmmsg()`` and ``io_uring_setup()``
fail with ``EPERM``. Accepting connections and answering on them still works, so a server behind
the filter serves, but cannot call out, and a thread behind it evaluates queries, but cannot fetch.

Two uses:

* :func:`confine_current_thread` for the worker thread that runs local queries
  (:func:`kg.queries.run_local`); the filter binds that thread and the threads it starts;
* this file run as a script, ``python _sandbox.py [--address-space BYTES] -- PROGRAM ARGS...``,
  which confines itself, asks the kernel to kill it when its parent thread ends
  (``PR_SET_PDEATHSIG``), caps its memory, and then becomes ``PROGRAM`` (``execv``): how
  ``kg serve`` starts its Oxigraph server. The script imports nothing
  of ``kg``, so it starts in a few milliseconds.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import platform
import signal
import struct
import sys

__all__ = ["confine_current_thread", "confinement_available", "launcher_command"]

_PR_SET_PDEATHSIG = 1
_PR_SET_SECCOMP = 22
_PR_SET_NO_NEW_PRIVS = 38
_SECCOMP_MODE_FILTER = 2
_RET_ALLOW = 0x7FFF0000
_RET_EPERM = 0x00050000 | 1
_X32_BIT = 0x40000000

# (audit arch, connect, sendto, sendmsg, sendmmsg, io_uring_setup)
_ARCHES = {
    "x86_64": (0xC000003E, 42, 44, 46, 307, 425),
    "aarch64": (0xC00000B7, 203, 206, 211, 269, 425),
}


def confinement_available() -> bool:
    """Whether this machine supports the filter (Linux on x86-64 or AArch64)."""
    return sys.platform == "linux" and platform.machine() in _ARCHES


def _program() -> bytes:
    """The classic BPF program: refuse the calls that open or address a connection, allow the rest."""
    arch, connect, sendto, sendmsg, sendmmsg, io_uring = _ARCHES[platform.machine()]
    load, equal, at_least, give = 0x20, 0x15, 0x35, 0x06
    allow, deny = 13, 14  # indices of the two returns

    def op(index: int, code: int, k: int, *, true: int | None = None, false: int | None = None) -> bytes:
        # Jumps are relative to the next instruction; None falls through.
        jt = 0 if true is None else true - index - 1
        jf = 0 if false is None else false - index - 1
        return struct.pack("HBBI", code, jt, jf, k)

    program = [
        op(0, load, 4),                                  # A = audit arch
        op(1, equal, arch, false=deny),                  # another ABI: refuse every call
        op(2, load, 0),                                  # A = syscall number
        op(3, at_least, _X32_BIT, true=deny),            # the x32 ABI: refuse every call
        op(4, equal, connect, true=deny),
        op(5, equal, sendmsg, true=deny),
        op(6, equal, sendmmsg, true=deny),
        op(7, equal, io_uring, true=deny),
        op(8, equal, sendto, false=allow),
        op(9, load, 48),                                 # sendto's dest_addr (args[4]), low word
        op(10, equal, 0, false=deny),
        op(11, load, 52),                                # ... and high word
        op(12, equal, 0, true=allow, false=deny),        # no address: sending on a connected socket
        op(allow, give, _RET_ALLOW),
        op(deny, give, _RET_EPERM),
    ]
    return b"".join(program)


def confine_current_thread() -> bool:
    """Install the filter on the calling thread (and the threads it will start).

    Returns ``False``, doing nothing, where the filter is not available. It cannot be removed:
    call it only in a thread (or a process) that exists to run confined work.

    Raises
    ------
    OSError
        When the kernel refuses the filter.
    """
    if not confinement_available():
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    code = _program()
    filters = ctypes.create_string_buffer(code, len(code))

    class _Program(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    program = _Program(len(code) // 8, ctypes.cast(filters, ctypes.c_void_p))
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(program), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP) failed")
    return True


def _die_with_parent() -> None:
    if sys.platform == "linux":
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)


def launcher_command(program: list[str], *, address_space: int | None = None) -> list[str]:
    """The command that runs ``program`` confined and tied to the life of the calling thread.

    ``address_space`` caps the program's virtual memory in bytes (``RLIMIT_AS``): past it,
    allocations fail and the program ends, instead of the machine swapping.
    """
    limit = ["--address-space", str(address_space)] if address_space else []
    return [sys.executable, "-I", os.path.abspath(__file__), *limit, "--", *program]


def _main(argv: list[str]) -> None:
    address_space = None
    if argv[:1] == ["--address-space"]:
        address_space, argv = int(argv[1]), argv[2:]
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        raise SystemExit("usage: _sandbox.py [--address-space BYTES] -- PROGRAM [ARGS...]")
    parent = os.getppid()
    _die_with_parent()
    if os.getppid() != parent:  # the parent died before the request took effect
        raise SystemExit(1)
    if address_space:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    confine_current_thread()
    os.execv(argv[0], argv)


if __name__ == "__main__":
    _main(sys.argv[1:])
