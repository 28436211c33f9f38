"""A WebSocket server on the Python `websockets` library, peer for tests/ws_python.rs.

Listens on 127.0.0.1 (port chosen by the OS), prints `PORT <n>`, then one JSON line per
finished connection (what it saw: path, Authorization header, the close code and reason
it received, the close code it sent).
Exits when its stdin closes (the Rust test holds the pipe) or after 60 s at the latest.

The request path picks the behaviour:
  /echo        echo text messages back
  /fragments   send one text message as three fragments, then echo
  /ping        ping with b"py-ping", send "pong received" once the pong came back
  /close       close with 4001 "bye from python"
  /big         send a 100 000-byte text message (the client must refuse it with 1009)
  /noproto     select no subprotocol although the client offers ocpp1.6
  /missing     refuse the upgrade with HTTP 404
  /auth/<id>   require HTTP Basic <id>:<AUTH_KEY> (else HTTP 401), then echo
"""

import asyncio
import base64
import http
import json
import sys
import threading

from websockets.asyncio.server import serve

AUTH_KEY = "0123456789abcdef0123"
MAX_SIZE = 65536


def process_request(connection, request):
    path = request.path
    if path == "/missing":
        return connection.respond(http.HTTPStatus.NOT_FOUND, "unknown charge point\n")
    if path.startswith("/auth/"):
        cp_id = path[len("/auth/"):]
        token = base64.b64encode(f"{cp_id}:{AUTH_KEY}".encode()).decode()
        if request.headers.get("Authorization") != f"Basic {token}":
            report(path, request, None, None, refused=401)
            return connection.respond(http.HTTPStatus.UNAUTHORIZED, "bad AuthorizationKey\n")
    return None


def select_subprotocol(connection, subprotocols):
    if connection.request.path == "/noproto":
        return None
    return "ocpp1.6" if "ocpp1.6" in subprotocols else None


def report(path, request, code, reason, refused=None, sent=None):
    line = {
        "path": path,
        "authorization": request.headers.get("Authorization"),
        "subprotocol": request.headers.get("Sec-WebSocket-Protocol"),
        "close_code": code,
        "close_reason": reason,
        "refused": refused,
        "sent_code": sent,
    }
    print(json.dumps(line), flush=True)


async def echo(ws):
    async for message in ws:
        await ws.send(message)


async def handler(ws):
    path = ws.request.path
    try:
        if path == "/fragments":
            await ws.send(["Hel", "lo ", "wörld"])
            await echo(ws)
        elif path == "/ping":
            pong = await ws.ping(b"py-ping")
            await asyncio.wait_for(pong, 10)
            await ws.send("pong received")
            await echo(ws)
        elif path == "/close":
            await ws.close(4001, "bye from python")
        elif path == "/big":
            await ws.send("x" * 100_000)
            await ws.wait_closed()
        else:
            await echo(ws)
    except Exception:  # the connection ending abruptly is an outcome, not a server error
        pass
    await ws.wait_closed()
    sent = ws.protocol.close_sent.code if ws.protocol.close_sent else None
    report(path, ws.request, ws.close_code, ws.close_reason, sent=sent)


async def main():
    async with serve(
        handler,
        "127.0.0.1",
        0,
        subprotocols=["ocpp1.6"],
        select_subprotocol=select_subprotocol,
        process_request=process_request,
        max_size=MAX_SIZE,
    ) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"PORT {port}", flush=True)
        loop = asyncio.get_running_loop()
        stdin_closed = asyncio.Event()

        def wait_for_eof():
            sys.stdin.read()
            loop.call_soon_threadsafe(stdin_closed.set)

        # A daemon thread, so that the 60 s limit can end the process while it blocks.
        threading.Thread(target=wait_for_eof, daemon=True).start()
        await asyncio.wait_for(stdin_closed.wait(), 60)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except (asyncio.TimeoutError, KeyboardInterrupt):
        pass
