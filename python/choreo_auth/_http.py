"""The `http_send` import over the standard library (`http.client`, the layer under
`urllib.request`, which would follow redirects).

It reports facts as abi/PROTOCOL.md defines them and core reads them (core/src/http.rs): the
status, headers and body of an answer, whether the body was cut at `maxResponseBytes`, or why
there was no answer (timeout, connect, failed). It never follows a redirect, so the bearer goes
to the request's URL only, and it holds the whole request, body included, to `timeoutMs`.
"""

from __future__ import annotations

import base64
import http.client
import socket
import ssl
import threading
import time
import urllib.parse

_CHUNK = 64 * 1024


def _no_answer(failure: str, detail: str = "") -> dict:
    return {"failure": failure, "detail": detail}


def send(call: dict) -> dict:
    """Sends one request of the module; the answer, or `failure`, as the protocol's JSON."""
    url = urllib.parse.urlsplit(call["url"])
    cap = int(call["maxResponseBytes"])
    deadline = time.monotonic() + int(call["timeoutMs"]) / 1000
    if url.scheme == "https":
        conn = http.client.HTTPSConnection(url.hostname, url.port, context=ssl.create_default_context())
    elif url.scheme == "http":
        conn = http.client.HTTPConnection(url.hostname, url.port)
    else:
        return _no_answer("failed", f"{url.scheme} is not http or https")
    # A server that drips its answer a byte at a time never trips a per-read timeout: at the
    # deadline the socket is shut, whatever the connection is waiting for.
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        if conn.sock is not None:
            try:
                conn.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    timer = threading.Timer(max(0.0, deadline - time.monotonic()), expire)
    timer.daemon = True
    timer.start()
    try:
        conn.timeout = max(0.001, deadline - time.monotonic())
        try:
            conn.connect()
        except (TimeoutError, socket.timeout):
            return _no_answer("timeout")
        except OSError as e:  # refused, unreachable, name resolution, TLS
            return _no_answer("timeout") if expired.is_set() else _no_answer("connect", str(e))
        return _exchange(conn, call, url, cap, deadline, expired)
    except (TimeoutError, socket.timeout):
        return _no_answer("timeout")
    except (OSError, http.client.HTTPException) as e:
        if expired.is_set():
            return _no_answer("timeout")
        # The type only: http.client's messages quote what the server sent.
        return _no_answer("failed", type(e).__name__)
    finally:
        timer.cancel()
        conn.close()


def _exchange(conn, call: dict, url, cap: int, deadline: float, expired: threading.Event) -> dict:
    path = (url.path or "/") + (f"?{url.query}" if url.query else "")
    headers = {"Authorization": call["authorization"], "Accept": "application/json"}
    body = call.get("body")
    if body is not None:
        headers["Content-Type"] = "application/json"
    conn.request(call["method"], path, body=None if body is None else body.encode(), headers=headers)
    response = conn.getresponse()
    declared = response.getheader("content-length")
    data = bytearray()
    truncated = declared is not None and declared.isdigit() and int(declared) > cap
    while not truncated:
        left = deadline - time.monotonic()
        if left <= 0 or expired.is_set():
            return _no_answer("timeout")
        conn.sock.settimeout(left)
        chunk = response.read1(min(_CHUNK, cap + 1 - len(data)))
        if expired.is_set():
            return _no_answer("timeout")
        if not chunk:
            break
        data += chunk
        truncated = len(data) > cap
    return {
        "status": response.status,
        "headers": [[name, value] for name, value in response.getheaders()],
        "bodyBase64": base64.b64encode(bytes(data[:cap])).decode(),
        "truncated": truncated,
    }
