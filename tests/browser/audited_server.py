"""``python audited_server.py run app.py …``: ``streamlit run`` with a socket audit hook (PEP 578).

Every connection the server process opens to an address that is not this machine, and every name it
asks the resolver for other than this machine's, is appended to the file named by
``PRECERT_SOCKET_LOG`` as one line. The browser tests read that file: the offline product makes no
outside request (issue 11 item 9: no IP checks, no telemetry, no model or font downloads).
"""

from __future__ import annotations

import ipaddress
import os
import sys
from typing import Any

LOG = os.environ["PRECERT_SOCKET_LOG"]
LOCAL_NAMES = {"", "localhost", "localhost.localdomain", "ip6-localhost"}


def _is_local(host: Any) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    name = str(host).strip("[]").lower()
    if name in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(name.split("%")[0]).is_loopback or name in ("0.0.0.0", "::")
    except ValueError:
        return False


def _record(line: str) -> None:
    with open(LOG, "a", encoding="utf-8") as out:
        out.write(line + "\n")


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if event == "socket.connect":
        address = args[1]
        if isinstance(address, tuple) and not _is_local(address[0]):  # AF_UNIX paths are local
            _record(f"connect {address[0]}:{address[1] if len(address) > 1 else ''}")
    elif event == "socket.getaddrinfo" and not _is_local(args[0]):
        _record(f"resolve {args[0]}")


sys.addaudithook(_hook)

if __name__ == "__main__":
    from streamlit.web import cli

    sys.argv = ["streamlit", *sys.argv[1:]]
    sys.exit(cli.main())
