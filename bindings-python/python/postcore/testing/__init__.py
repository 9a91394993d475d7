"""postcore's testing kit: a local postcore server inside the package, for testing the code
you write around postcore without calling the real API (which posts to real LinkedIn and
Bluesky accounts and allows 100 requests per 15 minutes).

It is the ``postcore-mock`` server compiled into this package and running in your test
process, on loopback only: every endpoint with the documented bodies, status codes, errors
and rate-limit headers, a clock you can move, and scripted failures::

    from postcore.testing import MockServer

    with MockServer() as server:              # free port on 127.0.0.1; stopped on exit
        client = server.client()             # a Postcore pointed at it (server.async_client() too)
        profile = client.create_profile(profile_name="User: a@example.com")
        server.fail_next(status=503)         # also body=, headers=, delay=, action="drop"
        server.requests                      # what it received: method, path, headers, JSON body
        server.profiles, server.posts        # what it stores
        server.advance(seconds=120)          # move its clock: scheduled posts get published
        server.reset()

With pytest, the ``postcore_mock`` fixture (installed with the package) gives each test a
fresh :class:`MockServer` and points ``POSTCORE_API_KEY`` / ``POSTCORE_BASE_URL`` at it for
the test's duration. ``python -m postcore.testing --port 4010`` runs one in the foreground.
"""

from ._server import DEFAULT_API_KEY, FaultAction, MockServer, RecordedRequest

__all__ = ["DEFAULT_API_KEY", "FaultAction", "MockServer", "RecordedRequest"]

# Reprs, tracebacks and pickles name the public module.
MockServer.__module__ = __name__
RecordedRequest.__module__ = __name__
