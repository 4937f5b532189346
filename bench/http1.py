"""The rest of an HTTP/1.1 response on an asyncio stream, after its status line: what the keep-alive clients of
the benchmarks (bench/ws-latency.py) and the soak (Tests/Soak/soak.py) share."""


async def read_response(reader, status_line):
    """Returns (status, headers with lower-case names, payload) for a response whose status line was read."""
    status = int(status_line.split()[1])
    headers = {}
    while True:
        line = (await reader.readline()).decode("latin-1").strip()
        if not line:
            break
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            if size == 0:
                await reader.readline()
                break
            chunks.append(await reader.readexactly(size))
            await reader.readline()
        payload = b"".join(chunks)
    else:
        payload = await reader.readexactly(int(headers.get("content-length", "0")))
    return status, headers, payload
