"""Blocking Python clients under test. Each factory returns `call()`, which creates one profile
and returns its key. Libraries are imported inside the factory so that a worker process only
loads the one it measures."""

import os

BASE_URL = os.environ["POSTCORE_BASE_URL"]
API_KEY = os.environ["POSTCORE_API_KEY"]
URL = BASE_URL + "/profiles/create"
NAME = "User: john@example.com"


def ours():
    import postcore

    client = postcore.Postcore(api_key=API_KEY, base_url=BASE_URL)

    def call():
        return client.create_profile(profile_name=NAME).profile_key

    return call


def _tracer_provider():
    """OpenTelemetry on, as an application configures it: an SDK tracer provider (spans are
    made and sampled; no exporter, so only the SDK's and our own work is measured)."""
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider

    trace.set_tracer_provider(TracerProvider())


def ours_hooked():
    # A no-op hook on every attempt and response: the cost of the hooks' plumbing.
    import postcore

    def noop(event):
        pass

    hooks = postcore.Hooks(on_request=noop, on_response=noop)
    client = postcore.Postcore(api_key=API_KEY, base_url=BASE_URL, hooks=hooks)

    def call():
        return client.create_profile(profile_name=NAME).profile_key

    return call


def ours_traced():
    _tracer_provider()
    return ours()


def requests_post():
    # The docs' snippet, verbatim: a new connection (and Session) per call.
    import requests

    def call():
        response = requests.post(
            URL,
            headers={"x-api-key": API_KEY, "Content-Type": "application/json"},
            json={"profileName": NAME},
        )
        return response.json()["profileKey"]

    return call


def requests_session(pool_size=10):
    import requests
    import requests.adapters

    session = requests.Session()
    session.headers.update({"x-api-key": API_KEY})
    # Default pool keeps 10 connections; the threaded run needs one per thread, else the
    # extra connections are closed after each call and it measures connection churn.
    session.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=pool_size))

    def call():
        response = session.post(URL, json={"profileName": NAME})
        if response.status_code != 201:
            raise RuntimeError(f"status {response.status_code}")
        return response.json()["profileKey"]

    return call


def httpx_client():
    import httpx

    client = httpx.Client(headers={"x-api-key": API_KEY})

    def call():
        response = client.post(URL, json={"profileName": NAME})
        if response.status_code != 201:
            raise RuntimeError(f"status {response.status_code}")
        return response.json()["profileKey"]

    return call


CLIENTS = {
    "postcore": ours,
    "postcore+hook": ours_hooked,
    "postcore+otel": ours_traced,
    "requests.post": requests_post,
    "requests.Session": requests_session,
    "httpx.Client": httpx_client,
}
