"""asyncio clients under test. Each factory is a coroutine returning `(call, close)`: `call()`
is a coroutine that creates one profile and returns its key."""

import os

BASE_URL = os.environ["POSTCORE_BASE_URL"]
API_KEY = os.environ["POSTCORE_API_KEY"]
URL = BASE_URL + "/profiles/create"
NAME = "User: john@example.com"


async def ours(concurrency):
    import postcore

    client = postcore.AsyncPostcore(api_key=API_KEY, base_url=BASE_URL)

    async def call():
        return (await client.create_profile(profile_name=NAME)).profile_key

    async def close():
        await client.close()

    return call, close


async def ours_hooked(concurrency):
    # A no-op hook on every attempt and response (run on the event loop).
    import postcore

    def noop(event):
        pass

    hooks = postcore.Hooks(on_request=noop, on_response=noop)
    client = postcore.AsyncPostcore(api_key=API_KEY, base_url=BASE_URL, hooks=hooks)

    async def call():
        return (await client.create_profile(profile_name=NAME)).profile_key

    async def close():
        await client.close()

    return call, close


async def ours_traced(concurrency):
    from sync_clients import _tracer_provider

    _tracer_provider()
    return await ours(concurrency)


async def httpx_async(concurrency):
    import httpx

    # httpx keeps only 20 idle connections by default: with more in flight it would close
    # and reopen connections on every call, so it gets one per in-flight call.
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    client = httpx.AsyncClient(headers={"x-api-key": API_KEY}, limits=limits)

    async def call():
        response = await client.post(URL, json={"profileName": NAME})
        if response.status_code != 201:
            raise RuntimeError(f"status {response.status_code}")
        return response.json()["profileKey"]

    return call, client.aclose


async def aiohttp_session(concurrency):
    import aiohttp

    session = aiohttp.ClientSession(
        headers={"x-api-key": API_KEY}, connector=aiohttp.TCPConnector(limit=concurrency)
    )

    async def call():
        async with session.post(URL, json={"profileName": NAME}) as response:
            if response.status != 201:
                raise RuntimeError(f"status {response.status}")
            return (await response.json())["profileKey"]

    return call, session.close


CLIENTS = {
    "AsyncPostcore": ours,
    "AsyncPostcore+hook": ours_hooked,
    "AsyncPostcore+otel": ours_traced,
    "httpx.AsyncClient": httpx_async,
    "aiohttp": aiohttp_session,
}
