"""A TCP forwarder for the system tests: the network path to a service, which the test can cut and restore.

    python3 tcp_forward.py LISTEN_PORT TARGET_PORT

Forwards every connection on 127.0.0.1:LISTEN_PORT to 127.0.0.1:TARGET_PORT. Killing the process is the outage
(connections are refused); starting it again on the same port is the service coming back.
"""

import asyncio
import sys


async def pipe(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def handle(client_reader, client_writer, target_port):
    try:
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", target_port)
    except OSError:
        client_writer.close()
        return
    await asyncio.gather(pipe(client_reader, server_writer), pipe(server_reader, client_writer))


async def main(listen_port, target_port):
    server = await asyncio.start_server(
        lambda r, w: handle(r, w, target_port), "127.0.0.1", listen_port, reuse_address=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))
