"""Credentials for a store, and the rule for sending them.

Only from the environment (``KG_USERNAME`` and ``KG_PASSWORD``) or from ``~/.netrc`` (the entry of
the endpoint's host), never from arguments or the URL; they are sent as HTTP Basic or Digest
(:mod:`kg.remote.http`) and never written to logs or messages. Basic credentials go over
``https``, or over ``http`` to a loopback address (``localhost``, ``127.0.0.0/8``, ``::1``: the
traffic does not leave the machine); plain ``http`` to any other host is refused unless
``allow_insecure=True``. Other names under ``.localhost`` do not count as loopback: the resolver
asks DNS for them, and an answer can point anywhere.

>>> is_loopback("127.0.0.1"), is_loopback("[::1]"), is_loopback("localhost")
(True, True, True)
>>> is_loopback("store.localhost"), is_loopback("localhost.example.org"), is_loopback("10.0.0.1")
(False, False, False)
"""

from __future__ import annotations

import base64
import netrc
import os
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from ipaddress import ip_address
from pathlib import Path

from kg.errors import InputError, UsageError

__all__ = ["Credentials", "check_transport", "is_loopback"]


@dataclass(frozen=True)
class Credentials:
    """A user name and password for a store, and where they came from (the password never shows
    in ``repr``)."""

    username: str
    password: str = field(repr=False)
    source: str = "KG_USERNAME/KG_PASSWORD"

    def authorization(self) -> str:
        """The value of the ``Authorization`` header."""
        token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode("ascii")
        return f"Basic {token}"

    @classmethod
    def lookup(cls, url: str, *, environ: Mapping[str, str] | None = None) -> Credentials | None:
        """Credentials for ``url``: ``KG_USERNAME``/``KG_PASSWORD``, else ``~/.netrc``, else none.

        Raises
        ------
        UsageError
            When only one of the two variables is set.
        InputError
            For a ``~/.netrc`` that cannot be parsed or that others may read (its content is never
            quoted).
        """
        environ = os.environ if environ is None else environ
        username, password = environ.get("KG_USERNAME"), environ.get("KG_PASSWORD")
        if username is not None or password is not None:
            if not username or password is None:
                raise UsageError("set both KG_USERNAME and KG_PASSWORD, or neither")
            return cls(username, password)
        home = environ.get("HOME") or os.path.expanduser("~")
        path = Path(home) / ".netrc"
        if not path.is_file():
            return None
        try:
            if os.name == "posix" and path.stat().st_mode & 0o077:  # as ssh and Python's own netrc check
                raise InputError("~/.netrc holds passwords and others may read it: chmod 600 it", file=path)
            entries = netrc.netrc(str(path))
        except netrc.NetrcParseError as exc:  # its message may quote a token: a password
            raise InputError("~/.netrc cannot be parsed", file=exc.filename, line=exc.lineno) from None
        except OSError as exc:
            raise InputError(f"cannot read ~/.netrc: {exc.strerror}", file=path) from None
        host = urllib.parse.urlsplit(url).hostname or ""
        entry = entries.authenticators(host)
        if entry is None or not entry[0]:
            return None
        return cls(entry[0], entry[2] or "", source="~/.netrc")


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address, or ``localhost`` itself (resolved from the hosts
    file, not DNS)."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_transport(url: str, credentials: Credentials | None, *, allow_insecure: bool) -> None:
    """Refuse to send ``credentials`` to ``url`` over plain http to a host off this machine.

    Raises
    ------
    UsageError
        Unless the URL is https, the host is a loopback one, there are no credentials, or
        ``allow_insecure`` is true.
    """
    parts = urllib.parse.urlsplit(url)
    if credentials is None or parts.scheme == "https" or allow_insecure or is_loopback(parts.hostname or ""):
        return
    raise UsageError(
        f"refusing to send Basic credentials over plain http to {parts.hostname}: use https, --auth digest "
        "where the store takes Digest authentication, or --allow-insecure if this network is trusted"
    )
