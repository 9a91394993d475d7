"""Cold start: import one client and create one profile, nothing else (timed from outside by
bench/driver.py). `python cold.py CLIENT`. Prints the process's peak RSS (VmHWM, KiB) last:
read from inside because a child's rusage also counts the parent's memory at fork/exec time."""

import os
import sys

URL = os.environ["POSTCORE_BASE_URL"]
KEY = os.environ["POSTCORE_API_KEY"]
NAME = "User: john@example.com"
which = sys.argv[1]

if which == "python":  # the interpreter alone: the baseline under every other row
    pass
elif which == "postcore":
    import postcore

    postcore.Postcore(api_key=KEY, base_url=URL).create_profile(profile_name=NAME)
elif which == "AsyncPostcore":
    import asyncio

    import postcore

    async def one():
        async with postcore.AsyncPostcore(api_key=KEY, base_url=URL) as client:
            await client.create_profile(profile_name=NAME)

    asyncio.run(one())
elif which == "requests.post":
    import requests

    requests.post(
        URL + "/profiles/create",
        headers={"x-api-key": KEY, "Content-Type": "application/json"},
        json={"profileName": NAME},
    ).json()["profileKey"]
elif which == "httpx.Client":
    import httpx

    with httpx.Client() as client:
        client.post(
            URL + "/profiles/create", headers={"x-api-key": KEY}, json={"profileName": NAME}
        ).json()["profileKey"]
elif which == "httpx.AsyncClient":
    import asyncio

    import httpx

    async def one():
        async with httpx.AsyncClient() as client:
            r = await client.post(
                URL + "/profiles/create", headers={"x-api-key": KEY}, json={"profileName": NAME}
            )
            r.json()["profileKey"]

    asyncio.run(one())
elif which == "aiohttp":
    import asyncio

    import aiohttp

    async def one():
        async with aiohttp.ClientSession() as session:  # noqa: SIM117 (aiohttp's documented form)
            async with session.post(
                URL + "/profiles/create", headers={"x-api-key": KEY}, json={"profileName": NAME}
            ) as r:
                (await r.json())["profileKey"]

    asyncio.run(one())
else:
    raise SystemExit(f"unknown client {which!r}")

with open("/proc/self/status") as status:
    print(next(line.split()[1] for line in status if line.startswith("VmHWM")))
