"""Type stubs for the native extension ``postcore._postcore`` (built from Rust)."""

from typing import Awaitable, Dict, Optional, Tuple, Type, final

__version__: str
USER_AGENT: str
DEFAULT_BASE_URL: str
DEFAULT_TIMEOUT: float
DEFAULT_MAX_RETRIES: int

@final
class Profile:
    """A postcore profile: one end-user of your app. Store ``profile_key`` with that user."""

    def __init__(self, profile_key: str, profile_name: Optional[str] = None) -> None: ...
    @property
    def profile_key(self) -> str:
        """The profile's key, e.g. ``"prof_abc123def456"``."""
    @property
    def profile_name(self) -> Optional[str]:
        """The name given at creation, or ``None``."""
    def to_dict(self) -> Dict[str, Optional[str]]:
        """The profile as the API's JSON object: ``{"profileKey": ..., "profileName": ...}``."""
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> Tuple[Type[Profile], Tuple[str, Optional[str]]]: ...

@final
class Client:
    """The native client. Use ``postcore.Postcore`` or ``postcore.AsyncPostcore`` instead."""

    def __init__(
        self,
        *,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
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
        profile_name: Optional[str] = None,
        *,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
    ) -> Profile: ...
    def create_profile_async(
        self,
        profile_name: Optional[str] = None,
        *,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
    ) -> Awaitable[Profile]: ...

