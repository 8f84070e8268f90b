"""The floor for a Python hop: a minimal aiohttp forwarder of listFiles.

It answers the proxy's listFiles route by forwarding the same listing to the same Globus
(the emulator) and splicing the answer into an envelope, and does nothing else: no checks,
no token refresh, no error mapping, no metrics, no logs. The benchmark compares the proxy's
CPU time per listing with this one's (bench/cpu_cost.py). Like the proxy under uvicorn, it
runs on uvloop when that is installed, and keeps its connections to Globus alive.

`python -m bench.forwarder --port 8081 --upstream http://127.0.0.1:8800`
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import AsyncIterator

from aiohttp import ClientSession, TCPConnector, web

PREFIX = "/v3/globus-proxy"
HEAD = b'{"status":"success","message":"Successfully listed files","result":'
TAIL = b',"version":"dev","metadata":{}}'
SESSION = web.AppKey("session", ClientSession)
UPSTREAM = web.AppKey("upstream", str)


async def list_files(request: web.Request) -> web.Response:
    upstream = request.app[UPSTREAM]
    endpoint_id = request.match_info["endpoint_id"]
    async with request.app[SESSION].get(
        f"{upstream}/v0.10/operation/endpoint/{endpoint_id}/ls",
        params={"path": request.match_info["path"]},
        headers={"Authorization": f"Bearer {request.query.get('access_token', '')}"},
    ) as answer:
        body = await answer.read()
        return web.Response(
            body=HEAD + body + TAIL, status=answer.status, content_type="application/json"
        )


async def hello(_: web.Request) -> web.Response:
    return web.Response(body=b'{"status":"success"}', content_type="application/json")


def make_app(upstream: str) -> web.Application:
    app = web.Application()
    app[UPSTREAM] = upstream.rstrip("/")

    async def session(app: web.Application) -> AsyncIterator[None]:
        app[SESSION] = ClientSession(connector=TCPConnector(limit=64))
        yield
        await app[SESSION].close()

    app.cleanup_ctx.append(session)
    app.router.add_get(f"{PREFIX}/hello", hello)
    app.router.add_get(f"{PREFIX}/ops/{{client_id}}/{{endpoint_id}}/{{path:.*}}", list_files)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.forwarder", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", required=True, help="Globus Transfer's base URL")
    args = parser.parse_args()
    try:
        import uvloop

        loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
    except ImportError:
        loop = asyncio.new_event_loop()
    web.run_app(
        make_app(args.upstream),
        host=args.host,
        port=args.port,
        access_log=None,
        print=None,
        loop=loop,
    )


if __name__ == "__main__":
    main()
