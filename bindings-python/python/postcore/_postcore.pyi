"""Type stubs for the native extension ``postcore._postcore`` (built from Rust)."""

from collections.abc import Awaitable
from typing import final

__version__: str
USER_AGENT: str
DEFAULT_BASE_URL: str
DEFAULT_TIMEOUT: float
DEFAULT_MAX_RETRIES: int

def _shutdown() -> None:
    """Stop the I/O runtime (registered with ``atexit`` when the module loads)."""

@final
class Profile:
    """A postcore profile: one end-user of your app. Store ``profile_key`` with that user."""

    def __init__(self, profile_key: str, profile_name: str | None = None) -> None: ...
    @property
    def profile_key(self) -> str:
        """The profile's key, e.g. ``"prof_abc123def456"``."""
    @property
    def profile_name(self) -> str | None:
        """The name given at creation, or ``None``."""
    def to_dict(self) -> dict[str, str | None]:
        """The profile as the API's JSON object: ``{"profileKey": ..., "profileName": ...}``."""
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[type[Profile], tuple[str, str | None]]: ...

@final
class Client:
    """The native client. Use ``postcore.Postcore`` or ``postcore.AsyncPostcore`` instead."""

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> None: ...
    @property
    def base_url(self) -> str: ...
    @property
    def timeout(self) -> float: ...
    @property
    def max_retries(self) -> int: ...
    @property
    def closed(self) -> bool: ...
    def close(self) -> None: ...
    def create_profile(
        self,
        profile_name: str | None = None,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Profile: ...
    def create_profile_async(
        self,
        profile_name: str | None = None,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Awaitable[Profile]: ...
