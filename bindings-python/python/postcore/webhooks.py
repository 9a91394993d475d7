"""Verifying the webhooks ``postcore listen --forward-to URL`` sends: the receiver's side.

postcore has no webhooks; ``postcore listen`` makes them from ``client.events()``. Each
delivery is a ``POST`` of the event's JSON with a ``Postcore-Signature: t=<unix seconds>,
v1=<hex>`` header: an HMAC-SHA256 of ``"<t>.<body>"`` keyed with the shared secret
(``POSTCORE_WEBHOOK_SECRET``). Check it before trusting the body::

    import postcore.webhooks

    def receive(body: bytes, headers: Mapping[str, str]) -> None:
        try:
            event = postcore.webhooks.verify(body, headers.get("Postcore-Signature"), SECRET)
        except postcore.WebhookSignatureError:
            ...  # answer 400: not from your listener, or tampered with, or replayed
        else:
            handle(event)  # a postcore.Event

The check runs in the Rust core (constant-time comparison, no cryptography in Python): the
signature must match the body exactly as received (pass the raw bytes, before any JSON
parsing), under the secret (any of several ``v1=`` values, so that a secret can be rotated),
and its timestamp must be within ``tolerance`` seconds of now, in either direction (a
delivery replayed later is refused).
"""

from __future__ import annotations

from ._errors import WebhookSignatureError
from ._events import Event
from ._postcore import DEFAULT_WEBHOOK_TOLERANCE, WEBHOOK_SIGNATURE_HEADER, sign_webhook
from ._postcore import verify_webhook as _verify_webhook

__all__ = ["DEFAULT_TOLERANCE", "SIGNATURE_HEADER", "WebhookSignatureError", "sign", "verify"]

SIGNATURE_HEADER: str = WEBHOOK_SIGNATURE_HEADER
"""The header that carries the signature: ``"Postcore-Signature"``."""
DEFAULT_TOLERANCE: float = DEFAULT_WEBHOOK_TOLERANCE
"""How far a delivery's timestamp may be from now by default, in seconds (300)."""


def verify(
    payload: bytes | bytearray | memoryview | str,
    signature_header: str | None,
    secret: str,
    tolerance: float = DEFAULT_TOLERANCE,
) -> Event:
    """Check a delivery of ``postcore listen`` and return its event.

    Args:
        payload: The request body exactly as received (``bytes``; a ``str`` is taken as its
            UTF-8 encoding).
        signature_header: The ``Postcore-Signature`` header's value (``None`` when the
            request had none).
        secret: The shared secret (``POSTCORE_WEBHOOK_SECRET`` of the listener).
        tolerance: How far, in seconds, the signature's timestamp may be from now, either
            way (default 300).

    Returns:
        The :class:`~postcore.Event` the body holds.

    Raises:
        WebhookSignatureError: The header is missing or malformed, the timestamp is outside
            the tolerance (a replayed delivery), no signature matches the body under
            ``secret`` (a tampered body or another secret), or the body is not an event;
            the message says which.
        TypeError, ValueError: An argument has the wrong type or value.
    """
    return Event.from_dict(_verify_webhook(payload, signature_header, secret, tolerance))


def sign(
    payload: bytes | bytearray | memoryview | str, secret: str, timestamp: int | None = None
) -> str:
    """The ``Postcore-Signature`` value ``postcore listen`` would send with ``payload`` at
    ``timestamp`` (Unix seconds; default now), e.g. to test a receiver::

        header = postcore.webhooks.sign(body, SECRET)
        assert postcore.webhooks.verify(body, header, SECRET).id == "evt_..."
    """
    return sign_webhook(payload, secret, timestamp)
