"""The lean HTTP/1.1 client (socialpub/net/http1.py) against raw servers on 127.0.0.1 that
answer byte for byte as each test needs: keep-alive, chunked and close-delimited bodies, the
two kinds of failure (never sent / sent without an answer), the pool's limit, proxies."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator

import pytest

from socialpub.net.http1 import NoAnswer, NotSent, Origin, Timeouts
from tests.graphstub import GraphStub, accepted
from tests.localserver import free_port

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
OK = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}"
QUICK = Timeouts(connect=1.0, read=0.3, write=1.0, pool=0.2)


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    yield


async def read_request(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    """(head, body) of one request."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return head, await reader.readexactly(length)


class Server:
    """A raw asyncio server in the test's loop; `connections` counts accepted ones."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.connections = 0
        self.heads: list[bytes] = []
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> Server:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            await self.handler(reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


def answering(*answers: bytes, heads: list[bytes] | None = None) -> Handler:
    """Answer the requests on a connection with `answers` in turn, then close it."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for answer in answers:
            head, _ = await read_request(reader)
            if heads is not None:
                heads.append(head)
            writer.write(answer)
            await writer.drain()

    return handler


def origin(url: str, size: int = 4) -> Origin:
    return Origin(url, headers={"Authorization": "Bearer t"}, size=size, timeouts=QUICK)


def test_keep_alive_reuses_one_connection_and_sends_the_body_whole() -> None:
    heads: list[bytes] = []

    async def go() -> None:
        async with Server(answering(OK, OK, heads=heads)) as server:
            client = origin(server.url)
            first = await client.request(
                "POST", "/v23.0/1/messages", b'{"a":1}', "application/json"
            )
            second = await client.request("GET", "/v23.0/2/message_templates?limit=1")
            await client.aclose()
            assert (first.status, first.body, second.body) == (200, b"{}", b"{}")
            assert server.connections == 1

    asyncio.run(go())
    assert heads[0].startswith(b"POST /v23.0/1/messages HTTP/1.1\r\n")
    assert b"Authorization: Bearer t\r\n" in heads[0] and b"Content-Length: 7\r\n" in heads[0]
    assert heads[1].startswith(b"GET /v23.0/2/message_templates?limit=1 HTTP/1.1\r\n")


def test_chunked_and_close_delimited_bodies() -> None:
    chunked = (
        b"HTTP/1.1 400 Bad Request\r\ntransfer-encoding: chunked\r\n\r\n"
        b'4;ext=1\r\n{"a"\r\n3\r\n:1}\r\n0\r\nx-trailer: y\r\n\r\n'
    )
    until_close = b"HTTP/1.1 500 Internal Server Error\r\nconnection: close\r\n\r\n<html>"

    async def go() -> None:
        async with Server(answering(chunked, until_close)) as server:
            client = origin(server.url)
            first = await client.request("GET", "/")
            second = await client.request("GET", "/")
            third = await client.request("GET", "/")  # a new connection: the last one closed
            await client.aclose()
            assert (first.status, first.body) == (400, b'{"a":1}')
            assert (second.status, second.body) == (500, b"<html>")
            assert third.status == 400 and server.connections == 2

    asyncio.run(go())


def test_nothing_listening_is_not_sent() -> None:
    async def go() -> None:
        client = origin(f"http://127.0.0.1:{free_port()}")
        with pytest.raises(NotSent):
            await client.request("POST", "/", b"{}")

    asyncio.run(go())


def test_no_answer_in_time_or_a_reset_after_the_request_is_no_answer() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await asyncio.sleep(2)

    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 50\r\n\r\n{")  # cut short

    async def go() -> None:
        for handler in (silent, hang_up):
            async with Server(handler) as server:
                client = origin(server.url)
                with pytest.raises(NoAnswer):
                    await client.request("POST", "/", b"{}")
                await client.aclose()

    asyncio.run(go())


def test_a_connection_the_server_closed_while_idle_is_not_reused() -> None:
    async def go() -> None:
        async with Server(answering(OK)) as server:  # closes after one answer, says nothing
            client = origin(server.url)
            await client.request("GET", "/")
            await asyncio.sleep(0.05)  # the FIN arrives
            answer = await client.request("GET", "/")
            await client.aclose()
            assert answer.status == 200 and server.connections == 2

    asyncio.run(go())


def test_the_pool_limit_waits_then_gives_up_before_sending() -> None:
    async def slow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await asyncio.sleep(0.25)
        writer.write(OK)
        await writer.drain()

    async def go() -> None:
        async with Server(slow) as server:
            client = origin(server.url, size=1)
            first = asyncio.create_task(client.request("GET", "/"))
            await asyncio.sleep(0.01)
            with pytest.raises(NotSent, match="pool"):
                await client.request("GET", "/")
            assert (await first).status == 200
            await client.aclose()

    asyncio.run(go())


def test_an_http_proxy_gets_the_absolute_url_unless_no_proxy_names_the_host(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    via_proxy: list[bytes] = []
    direct: list[bytes] = []

    async def go() -> None:
        async with (
            Server(answering(OK, heads=via_proxy)) as proxy,
            Server(answering(OK, heads=direct)) as server,
        ):
            monkeypatch.setenv("HTTP_PROXY", proxy.url)
            client = origin("http://graph.example:8080/v23.0")
            assert (await client.request("GET", "/v23.0/x")).status == 200
            await client.aclose()
            monkeypatch.setenv("NO_PROXY", "127.0.0.1")
            client = origin(server.url)
            assert (await client.request("GET", "/v23.0/y")).status == 200
            await client.aclose()

    asyncio.run(go())
    assert via_proxy[0].startswith(b"GET http://graph.example:8080/v23.0/x HTTP/1.1\r\n")
    assert direct[0].startswith(b"GET /v23.0/y HTTP/1.1\r\n") and len(via_proxy) == 1


def test_an_https_proxy_that_refuses_the_tunnel_is_not_sent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    heads: list[bytes] = []

    async def go() -> None:
        refuse = b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n"
        async with Server(answering(refuse, heads=heads)) as proxy:
            monkeypatch.setenv("HTTPS_PROXY", proxy.url)
            with pytest.raises(NotSent):
                await origin("https://graph.facebook.com").request("GET", "/v23.0/x")

    asyncio.run(go())
    assert heads == [
        b"CONNECT graph.facebook.com:443 HTTP/1.1\r\nHost: graph.facebook.com:443\r\n\r\n"
    ]


def test_one_client_serves_one_event_loop_after_another() -> None:
    """Each `asyncio.run` (a CLI command) gets fresh connections and a fresh limit: the idle
    connection and the waiting list of the last loop went with it."""
    with GraphStub(lambda body, n: accepted(n)) as graph:
        client = origin(graph.base_url, size=1)

        async def two_at_once() -> None:
            answers = await asyncio.gather(
                client.request("GET", "/v23.0/a"), client.request("GET", "/v23.0/b")
            )
            assert [a.status for a in answers] == [200, 200]

        asyncio.run(two_at_once())  # ends with a connection idle in the pool
        asyncio.run(two_at_once())
        asyncio.run(client.aclose())
    assert graph.paths == ["/v23.0/a", "/v23.0/b"] * 2
