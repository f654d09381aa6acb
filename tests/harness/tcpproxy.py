#!/usr/bin/env python3
"""A TCP proxy for fault tests: 127.0.0.1:<free port> -> 127.0.0.1:UPSTREAM.

  tcpproxy.py UPSTREAM_PORT PORT_FILE

Writes its listening port to PORT_FILE once it accepts connections. Bytes
pass through unchanged (SSL included). Controls:
  SIGUSR1  cut: every open connection is reset (RST to both sides, no FIN),
           as a dead NAT entry or a firewall would; new connections are
           forwarded again.
  SIGUSR2  black hole: from now on nothing is forwarded in either direction
           and nothing is closed; new connections are accepted and then
           ignored too.
  SIGTERM  stop.
"""
import asyncio
import os
import signal
import socket
import struct
import sys

LINGER_RST = struct.pack("ii", 1, 0)


class Proxy:
    def __init__(self, upstream):
        self.upstream = upstream
        self.conns = set()   # (client writer, server writer)
        self.blackhole = False

    async def pump(self, reader, writer):
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                while self.blackhole:
                    await asyncio.sleep(3600)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            if not self.blackhole:
                writer.close()

    async def handle(self, creader, cwriter):
        if self.blackhole:
            self.conns.add((cwriter, None))
            return
        try:
            sreader, swriter = await asyncio.open_connection("127.0.0.1", self.upstream)
        except OSError:
            reset(cwriter)
            return
        pair = (cwriter, swriter)
        self.conns.add(pair)
        try:
            await asyncio.gather(self.pump(creader, swriter), self.pump(sreader, cwriter))
        except asyncio.CancelledError:
            pass  # stopping: asyncio.run cancels the pumps left waiting
        finally:
            self.conns.discard(pair)

    def cut(self):
        for pair in list(self.conns):
            for w in pair:
                if w is not None:
                    reset(w)
        self.conns.clear()


def reset(writer):
    sock = writer.get_extra_info("socket")
    try:
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER_RST)
    except OSError:
        pass
    writer.transport.abort()


async def main(upstream, port_file):
    proxy = Proxy(upstream)
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    loop.add_signal_handler(signal.SIGUSR1, proxy.cut)
    loop.add_signal_handler(signal.SIGUSR2, lambda: setattr(proxy, "blackhole", True))
    loop.add_signal_handler(signal.SIGTERM, lambda: stop.done() or stop.set_result(None))
    server = await asyncio.start_server(proxy.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    tmp = port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, port_file)
    await stop
    server.close()
    proxy.cut()


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    asyncio.run(main(int(sys.argv[1]), sys.argv[2]))
