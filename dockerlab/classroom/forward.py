"""A TCP forwarder, run inside a learner's network namespace (standard library only).

The lessons name the classroom registry ``127.0.0.1:5000`` (``docker pull
127.0.0.1:5000/library/hello-world``). Inside a rootless engine's namespace 127.0.0.1 is the
namespace's own loopback; this forwards it to the host's registry (``10.0.2.2:<port>``), so
the lessons read the same for every learner.

    python3 forward.py LISTEN_HOST:PORT TARGET_HOST:PORT
"""
import asyncio
import sys


async def _pipe(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        try:
            writer.close()
        except OSError:
            pass


async def main(listen: str, target: str) -> None:
    lhost, lport = listen.rsplit(":", 1)
    thost, tport = target.rsplit(":", 1)

    async def handle(r1, w1):
        try:
            r2, w2 = await asyncio.open_connection(thost, int(tport))
        except OSError:
            w1.close()
            return
        await asyncio.gather(_pipe(r1, w2), _pipe(r2, w1))

    server = await asyncio.start_server(handle, lhost, int(lport))
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
