"""The API's resources: ``client.profiles`` and ``client.posts``.

Each method is a typed signature with a docstring that forwards to one generic ``_call``:
the operation's name, how to read its result, and its arguments by their Python names. The
native module passes them to the Rust core, which validates them, sends the request and
decodes the answer, so an endpoint is declared once (in the core) and a method here is only
its Python face. :class:`Profiles` / :class:`Posts` block; :class:`AsyncProfiles` /
:class:`AsyncPosts` are the same as native coroutines (they reuse the blocking methods'
docstrings).

``client.with_raw_response.<resource>`` runs the very same methods with ``_raw`` set, which
makes ``_call`` return an :class:`APIResponse` around the result; the ``*WithRawResponse``
classes only declare that return type for type checkers.
"""

from __future__ import annotations

import builtins
import functools
from collections.abc import Coroutine, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, ClassVar, TypeVar, cast

from ._models import Connection, Post, Profile, ScheduledPosts, _many
from ._postcore import Client as _NativeClient
from ._response import APIResponse

if TYPE_CHECKING:
    from typing_extensions import Concatenate, ParamSpec

    P = ParamSpec("P")

__all__ = [
    "AsyncPosts",
    "AsyncPostsWithRawResponse",
    "AsyncProfiles",
    "AsyncProfilesWithRawResponse",
    "Posts",
    "PostsWithRawResponse",
    "Profiles",
    "ProfilesWithRawResponse",
]

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


def _nothing(_: Any) -> None:
    """The result of deletions."""


class _Resource:
    """A resource bound to a native client; ``_raw`` selects the ``with_raw_response`` form."""

    _raw: ClassVar[bool] = False

    def __init__(self, native: _NativeClient) -> None:
        self._native = native

    def _linkedin_connect_url(self, return_url: str, profile_key: str | None) -> str:
        arguments = {"return_url": return_url, "profile_key": profile_key}
        return self._native.linkedin_connect_url(arguments)


class _SyncResource(_Resource):
    def _call(
        self,
        operation: str,
        parse: Callable[[Any], T],
        arguments: dict[str, Any],
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        max_rate_limit_wait: float | None = None,
    ) -> T:
        """Runs ``operation`` and returns ``parse`` of its JSON result (an ``APIResponse``
        around it in raw mode: the one place the declared type is widened, see the module
        docstring)."""
        options: dict[str, Any] = {
            "timeout": timeout,
            "max_retries": max_retries,
            "extra_headers": extra_headers,
            "max_rate_limit_wait": max_rate_limit_wait,
        }
        if self._raw:
            raw = self._native.call_raw(operation, arguments, **options)
            return cast(T, APIResponse._from_native(raw, parse))
        return parse(self._native.call(operation, arguments, **options))


class _AsyncResource(_Resource):
    def _call(
        self,
        operation: str,
        parse: Callable[[Any], T],
        arguments: dict[str, Any],
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        max_rate_limit_wait: float | None = None,
    ) -> Coroutine[Any, Any, T]:
        """The awaitable form of ``_SyncResource._call``: a native coroutine that sends the
        request when awaited and resolves to ``parse`` of the result, parsed on the event loop
        when the call completes (no Python coroutine frame per call). Cancelling it cancels
        the request."""
        pending: Coroutine[Any, Any, Any]
        if self._raw:
            to_response = functools.partial(APIResponse._from_native, parse=parse)
            pending = self._native.call_raw_async(
                operation,
                arguments,
                to_response,
                timeout=timeout,
                max_retries=max_retries,
                extra_headers=extra_headers,
                max_rate_limit_wait=max_rate_limit_wait,
            )
        else:
            pending = self._native.call_async(
                operation,
                arguments,
                parse,
                timeout=timeout,
                max_retries=max_retries,
                extra_headers=extra_headers,
                max_rate_limit_wait=max_rate_limit_wait,
            )
        return cast("Coroutine[Any, Any, T]", pending)


def _doc(source: Callable[..., Any]) -> Callable[[F], F]:
    """Gives an async method the docstring of its blocking twin (written once)."""

    def apply(method: F) -> F:
        method.__doc__ = source.__doc__
        return method

    return apply


# ------------------------------------------------------------------------------ profiles


class Profiles(_SyncResource):
    """Profiles: one per end-user of your app, and the social accounts connected to them."""

    def create(
        self,
        profile_name: str | None = None,
        *,
        idempotency_key: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        max_rate_limit_wait: float | None = None,
    ) -> Profile:
        """Create a profile (``POST /profiles/create``): one end-user of your app.

        Args:
            profile_name: A label for the end-user, e.g. ``"User: john@example.com"``.
                ``None`` creates an unnamed profile.
            idempotency_key: Makes this creation happen once however often the call is
                made with the key, from any process sharing the client's store: a repeat
                returns the first call's result, sending nothing (other arguments raise
                :class:`IdempotencyKeyReusedError`). Use one for any call a job queue may
                run twice, e.g. ``f"signup-{user.id}"``.
            timeout: Per-attempt timeout in seconds for this call (default: the client's).
            max_retries: Retries for this call (default: the client's).
            extra_headers: Headers to add to this call's request.
            max_rate_limit_wait: The longest this call waits, in seconds, for a slot of the
                shared rate budget (default: the client's).

        Returns:
            The new :class:`Profile` (key and name); store its ``profile_key`` with your user.

        Never resent once the server may have processed it, so the client's retries never
        create a profile twice.
        """
        arguments = {"profile_name": profile_name, "idempotency_key": idempotency_key}
        return self._call(
            "profiles.create",
            Profile.from_dict,
            arguments,
            timeout,
            max_retries,
            extra_headers,
            max_rate_limit_wait,
        )

    def list(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        max_rate_limit_wait: float | None = None,
    ) -> builtins.list[Profile]:
        """List every profile of your account (``GET /profiles``), with their connected
        accounts, in creation order. The API has no pagination: one response holds them all
        (bodies up to 512 MiB are read)."""
        return self._call(
            "profiles.list",
            _many(Profile.from_dict),
            {},
            timeout,
            max_retries,
            extra_headers,
            max_rate_limit_wait,
        )

    def delete(
        self,
        profile_key: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        max_rate_limit_wait: float | None = None,
    ) -> None:
        """Delete a profile with its connections, stored credentials and pending posts
        (``DELETE /profiles/:profileKey``). This cannot be undone.

        Raises:
            NotFoundError: No such profile (``PROFILE_NOT_FOUND``).
        """
        arguments = {"profile_key": profile_key}
        return self._call(
            "profiles.delete",
            _nothing,
            arguments,
            timeout,
            max_retries,
            extra_headers,
            max_rate_limit_wait,
        )

    def connect_bluesky(
        self,
        handle: str,
        app_password: str,
        profile_key: str | None = None,
        *,
        idempotency_key: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        max_rate_limit_wait: float | None = None,
    ) -> Connection:
        """Connect a Bluesky account with an app password (``POST /profiles/connect``).

        Args:
            handle: The account's handle, e.g. ``"user.bsky.social"``.
            app_password: An app password (``xxxx-xxxx-xxxx-xxxx``) the user created in
                Bluesky under Settings > App passwords; not the account password. It is
                sent in the request body only, never shown in a repr, error or log line.
            profile_key: The profile to connect it to; ``None`` creates a new profile.
            idempotency_key: Makes this creation happen once however often the call is
                made with the key, from any process sharing the client's store: a repeat
                returns the first call's result, sending nothing (other arguments raise
                :class:`IdempotencyKeyReusedError`). Use one for any call a job queue may
                run twice, e.g. ``f"signup-{user.id}"``.

        Returns:
            The :class:`Connection` (its ``profile_key`` is the new profile's when none was
            given).

        Raises:
            ValueError: The app password is not of the form ``xxxx-xxxx-xxxx-xxxx`` (checked
                before sending).
            InvalidCredentialsError: Bluesky refused the handle or password.
            BadRequestError: ``PROFILE_ALREADY_EXISTS``: the profile has a Bluesky account.
            NotFoundError: No such profile.
        """
        arguments = {
            "handle": handle,
            "app_password": app_password,
            "profile_key": profile_key,
            "idempotency_key": idempotency_key,
        }
        return self._call(
            "profiles.connect_bluesky",
            Connection.from_dict,
            arguments,
            timeout,
            max_retries,
            extra_headers,
            max_rate_limit_wait,
        )

    def linkedin_connect_url(self, return_url: str, profile_key: str | None = None) -> str:
        """The URL that connects a LinkedIn account: redirect the end-user's browser to it.
        After they authorise, postcore sends the browser back to ``return_url`` with the
        ``profileKey``. Without ``profile_key``, a new profile is created.

        Built locally (the documented ``GET /profiles/connect`` URL, every parameter
        encoded); no request is made, so it is a plain method even on ``AsyncPostcore``.
        **The URL contains your API key**: build it on your server and redirect to it; never
        put it in a page or an app.

        Raises:
            ValueError: ``return_url`` is not an absolute ``https://`` URL (``http://`` is
                accepted for loopback hosts only).
        """
        return self._linkedin_connect_url(return_url, profile_key)


class AsyncProfiles(_AsyncResource):
    """Profiles, as coroutines (see :class:`Profiles`)."""

    @_doc(Profiles.create)
    def create(
        self,
        profile_name: str | None = None,
        *,
        idempotency_key: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        max_rate_limit_wait: float | None = None,
    ) -> Coroutine[Any, Any, Profile]:
        arguments = {"profile_name": profile_name, "idempotency_key": idempotency_key}
        return self._call(
            "profiles.create",
            Profile.from_dict,
            arguments,
            timeout,
            max_retries,
            extra_headers,
            max_rate_limit_wait,
        )

    @_doc(Profiles.list)
    def list(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        max_rate_limit_wait: float | None = None,
    ) -> Coroutine[Any, Any, builtins.list[Profile]]:
        return self._call(
            "profiles.list",
            _many(Profile.from_dict),
            {},
            timeout,
            max_retries,
            extra_headers,
            max_rate_limit_wait,
        )

    @_doc(Profiles.delete)
    def delete(
        self,
        profile_key: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        max_rate_limit_wait: float | None = None,
    ) -> Coroutine[Any, Any, None]:
        arguments = {"profile_key": profile_key}
        return self._call(
            "profiles.delete",
            _nothing,
            arguments,
            timeout,
            max_retries,
            extra_headers,
            max_rate_limit_wait,
        )

    @_doc(Profiles.connect_bluesky)
    def connect_bluesky(
        self,
        handle: str,
        app_password: str,
        profile_key: str | None = None,
        *,
        idempotency_key: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        max_rate_limit_wait: float | None = None,
    ) -> Coroutine[Any, Any, Connection]:
        arguments = {
            "handle": handle,
            "app_password": app_password,
            "profile_key": profile_key,
            "idempotency_key": idempotency_key,
        }
        return self._call(
            "profiles.connect_bluesky",
            Connection.from_dict,
            arguments,
            timeout,
            max_retries,
            extra_headers,
            max_rate_limit_wait,
        )

    @_doc(Profiles.linkedin_connect_url)
    def linkedin_connect_url(self, return_url: str, profile_key: str | None = None) -> str:
        return self._linkedin_connect_url(return_url, profile_key)


# --------------------------------------------------------------------------------- posts


class Posts(_SyncResource):
    """Posts: schedule them on a profile's connected accounts, follow and cancel them."""

    def create(
        self,
        profile_key: str,
        content: str,
        platforms: Sequence[str],
        scheduled_for: datetime,
        *,
        idempotency_key: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        max_rate_limit_wait: float | None = None,
    ) -> ScheduledPosts:
        """Schedule a post (``POST /posts``): one :class:`Post` per platform, published at
        ``scheduled_for``.

        Args:
            profile_key: The profile to post for.
            content: The text: 1 to 3,000 characters, and at most 300 graphemes when
                ``"bluesky"`` is among the platforms (Bluesky refuses longer posts when
                publishing, so the SDK refuses them now).
            platforms: ``"linkedin"`` and/or ``"bluesky"``, each at most once, connected to
                the profile.
            scheduled_for: When to publish: a timezone-aware ``datetime`` in the future
                (there is no "publish now"; e.g. ``datetime.now(timezone.utc) +
                timedelta(minutes=5)``).
            idempotency_key: Makes this creation happen once however often the call is
                made with the key, from any process sharing the client's store: a repeat
                returns the first call's result, sending nothing (other arguments raise
                :class:`IdempotencyKeyReusedError`). Use one for any call a job queue may
                run twice, e.g. ``f"signup-{user.id}"``.

        Returns:
            :class:`ScheduledPosts`: ``.posts`` (one pending post per platform) and
            ``.usage`` (the monthly quota left).

        Raises:
            ValueError, TypeError: A naive datetime, empty or too long content, empty,
                repeated or unknown platforms (checked before sending).
            PlatformsNotConnectedError: A platform is not connected (``missing_platforms``).
            RateLimitError: Too many requests, or posts too close together on one platform
                (LinkedIn 60 s, Bluesky 1 s apart: ``platform``, ``next_available``).

        Never resent once the server may have processed it, so the client's retries never
        schedule a post twice.
        """
        arguments = {
            "profile_key": profile_key,
            "content": content,
            "platforms": platforms,
            "scheduled_for": scheduled_for,
            "idempotency_key": idempotency_key,
        }
        return self._call(
            "posts.create",
            lambda data: ScheduledPosts.from_dict(data)._with_request(profile_key, content),
            arguments,
            timeout,
            max_retries,
            extra_headers,
            max_rate_limit_wait,
        )

    def list(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        max_rate_limit_wait: float | None = None,
    ) -> builtins.list[Post]:
        """List every post of your account (``GET /posts``), in creation order."""
        return self._call(
            "posts.list",
            _many(Post.from_dict),
            {},
            timeout,
            max_retries,
            extra_headers,
            max_rate_limit_wait,
        )

    def retrieve(
        self,
        post_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        max_rate_limit_wait: float | None = None,
    ) -> Post:
        """Read one post (``GET /posts/:postId``).

        Raises:
            NotFoundError: No such post (``POST_NOT_FOUND``).
        """
        arguments = {"post_id": post_id}
        return self._call(
            "posts.retrieve",
            Post.from_dict,
            arguments,
            timeout,
            max_retries,
            extra_headers,
            max_rate_limit_wait,
        )

    def delete(
        self,
        post_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        max_rate_limit_wait: float | None = None,
    ) -> None:
        """Cancel a pending post (``DELETE /posts/:postId``); published or failed posts
        cannot be deleted.

        Raises:
            NotFoundError: No such post (``POST_NOT_FOUND``).
        """
        arguments = {"post_id": post_id}
        return self._call(
            "posts.delete",
            _nothing,
            arguments,
            timeout,
            max_retries,
            extra_headers,
            max_rate_limit_wait,
        )

    def wait(
        self,
        post_id: str,
        timeout: float | None = None,
        interval: float | None = None,
        *,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        max_rate_limit_wait: float | None = None,
    ) -> Post:
        """Wait until a post is published or has failed, and return it (a failed post is
        returned, not raised: check ``post.status``).

        Reads the post once, sleeps until its ``scheduled_for`` time (on the server's clock),
        then polls ``GET /posts/:postId`` every ``interval`` seconds. Polls take at most half
        of each window of the shared rate budget (100 requests per 15 minutes), so waiting
        never starves your other calls nor draws a 429. Interruptible with Ctrl-C; cancelling
        the task stops an async wait.

        Args:
            post_id: The post to wait for.
            timeout: Give up after this many seconds with :class:`WaitTimeoutError` (its
                ``post`` is the post as last seen). ``None``: wait as long as it takes. (This
                is the whole wait; each poll's own timeout is the client's, see
                ``with_options``.)
            interval: Seconds between polls once the post is due (default 10; any positive
                number).
        """
        arguments = {"post_id": post_id, "timeout": timeout, "interval": interval}
        return self._call(
            "posts.wait",
            Post.from_dict,
            arguments,
            None,
            max_retries,
            extra_headers,
            max_rate_limit_wait,
        )

    def wait_many(
        self,
        post_ids: Sequence[str],
        timeout: float | None = None,
        interval: float | None = None,
        *,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        max_rate_limit_wait: float | None = None,
    ) -> builtins.list[Post]:
        """Wait until every post of ``post_ids`` is published or has failed, and return them
        in the given order (failed posts are returned, not raised: check each ``status``).

        One ``GET /posts`` per poll answers for all of them, however many: 1,000 posts
        across 50 profiles are followed inside the documented 100 requests per 15 minutes.
        No poll comes before the earliest pending ``scheduled_for`` (on the server's clock),
        then one every ``interval`` seconds while some are due and pending, paced by the
        shared rate budget. Interruptible with Ctrl-C; cancelling the task stops an async
        wait.

        Args:
            post_ids: The posts to wait for (a list or tuple of ids).
            timeout: Give up after this many seconds with :class:`WaitTimeoutError`, whose
                ``posts`` are all of them as last seen (``post``: the first still pending).
                ``None``: wait as long as it takes.
            interval: Seconds between polls once posts are due (default 10).

        Raises:
            NotFoundError: A post is not in the listing (deleted, or it never existed).
        """
        arguments = {"post_ids": post_ids, "timeout": timeout, "interval": interval}
        return self._call(
            "posts.wait_many",
            _many(Post.from_dict),
            arguments,
            None,
            max_retries,
            extra_headers,
            max_rate_limit_wait,
        )


class AsyncPosts(_AsyncResource):
    """Posts, as coroutines (see :class:`Posts`)."""

    @_doc(Posts.create)
    def create(
        self,
        profile_key: str,
        content: str,
        platforms: Sequence[str],
        scheduled_for: datetime,
        *,
        idempotency_key: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        max_rate_limit_wait: float | None = None,
    ) -> Coroutine[Any, Any, ScheduledPosts]:
        arguments = {
            "profile_key": profile_key,
            "content": content,
            "platforms": platforms,
            "scheduled_for": scheduled_for,
            "idempotency_key": idempotency_key,
        }
        return self._call(
            "posts.create",
            lambda data: ScheduledPosts.from_dict(data)._with_request(profile_key, content),
            arguments,
            timeout,
            max_retries,
            extra_headers,
            max_rate_limit_wait,
        )

    @_doc(Posts.list)
    def list(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        max_rate_limit_wait: float | None = None,
    ) -> Coroutine[Any, Any, builtins.list[Post]]:
        return self._call(
            "posts.list",
            _many(Post.from_dict),
            {},
            timeout,
            max_retries,
            extra_headers,
            max_rate_limit_wait,
        )

    @_doc(Posts.retrieve)
    def retrieve(
        self,
        post_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        max_rate_limit_wait: float | None = None,
    ) -> Coroutine[Any, Any, Post]:
        arguments = {"post_id": post_id}
        return self._call(
            "posts.retrieve",
            Post.from_dict,
            arguments,
            timeout,
            max_retries,
            extra_headers,
            max_rate_limit_wait,
        )

    @_doc(Posts.delete)
    def delete(
        self,
        post_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        max_rate_limit_wait: float | None = None,
    ) -> Coroutine[Any, Any, None]:
        arguments = {"post_id": post_id}
        return self._call(
            "posts.delete",
            _nothing,
            arguments,
            timeout,
            max_retries,
            extra_headers,
            max_rate_limit_wait,
        )

    @_doc(Posts.wait)
    def wait(
        self,
        post_id: str,
        timeout: float | None = None,
        interval: float | None = None,
        *,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        max_rate_limit_wait: float | None = None,
    ) -> Coroutine[Any, Any, Post]:
        arguments = {"post_id": post_id, "timeout": timeout, "interval": interval}
        return self._call(
            "posts.wait",
            Post.from_dict,
            arguments,
            None,
            max_retries,
            extra_headers,
            max_rate_limit_wait,
        )

    @_doc(Posts.wait_many)
    def wait_many(
        self,
        post_ids: Sequence[str],
        timeout: float | None = None,
        interval: float | None = None,
        *,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        max_rate_limit_wait: float | None = None,
    ) -> Coroutine[Any, Any, builtins.list[Post]]:
        arguments = {"post_ids": post_ids, "timeout": timeout, "interval": interval}
        return self._call(
            "posts.wait_many",
            _many(Post.from_dict),
            arguments,
            None,
            max_retries,
            extra_headers,
            max_rate_limit_wait,
        )


# ------------------------------------------------------------------- with_raw_response


R = TypeVar("R")


def _with_response(
    method: Callable[Concatenate[Any, P], R],
) -> Callable[Concatenate[Any, P], APIResponse[R]]:
    """The same method, declared to return an :class:`APIResponse` (the resource's ``_raw``
    flag makes ``_call`` return one)."""
    return cast("Callable[Concatenate[Any, P], APIResponse[R]]", method)


def _async_with_response(
    method: Callable[Concatenate[Any, P], Coroutine[Any, Any, R]],
) -> Callable[Concatenate[Any, P], Coroutine[Any, Any, APIResponse[R]]]:
    """:func:`_with_response` for coroutine methods."""
    return cast("Callable[Concatenate[Any, P], Coroutine[Any, Any, APIResponse[R]]]", method)


class ProfilesWithRawResponse(_SyncResource):
    """``client.with_raw_response.profiles``: :class:`Profiles`' methods returning an
    :class:`APIResponse` (``linkedin_connect_url`` makes no request and returns the URL)."""

    _raw = True
    create = _with_response(Profiles.create)
    list = _with_response(Profiles.list)
    delete = _with_response(Profiles.delete)
    connect_bluesky = _with_response(Profiles.connect_bluesky)
    linkedin_connect_url = Profiles.linkedin_connect_url


class AsyncProfilesWithRawResponse(_AsyncResource):
    """``AsyncPostcore.with_raw_response.profiles``: :class:`AsyncProfiles`' methods
    returning an :class:`APIResponse`."""

    _raw = True
    create = _async_with_response(AsyncProfiles.create)
    list = _async_with_response(AsyncProfiles.list)
    delete = _async_with_response(AsyncProfiles.delete)
    connect_bluesky = _async_with_response(AsyncProfiles.connect_bluesky)
    linkedin_connect_url = AsyncProfiles.linkedin_connect_url


class PostsWithRawResponse(_SyncResource):
    """``client.with_raw_response.posts``: :class:`Posts`' methods returning an
    :class:`APIResponse` (for ``wait`` and ``wait_many``: the last poll's response, with
    ``attempts`` counting every request of the wait)."""

    _raw = True
    create = _with_response(Posts.create)
    list = _with_response(Posts.list)
    retrieve = _with_response(Posts.retrieve)
    delete = _with_response(Posts.delete)
    wait = _with_response(Posts.wait)
    wait_many = _with_response(Posts.wait_many)


class AsyncPostsWithRawResponse(_AsyncResource):
    """``AsyncPostcore.with_raw_response.posts``: :class:`AsyncPosts`' methods returning an
    :class:`APIResponse`."""

    _raw = True
    create = _async_with_response(AsyncPosts.create)
    list = _async_with_response(AsyncPosts.list)
    retrieve = _async_with_response(AsyncPosts.retrieve)
    delete = _async_with_response(AsyncPosts.delete)
    wait = _async_with_response(AsyncPosts.wait)
    wait_many = _async_with_response(AsyncPosts.wait_many)
