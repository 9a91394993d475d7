"""Create a postcore profile: the docs' `requests` example, with the SDK.

The documented way::

    import os, requests
    response = requests.post(
        "https://api.postcore.dev/profiles/create",
        headers={"x-api-key": os.environ["POSTCORE_API_KEY"], "Content-Type": "application/json"},
        json={"profileName": "User: john@example.com"},
    )
    print(response.json()["profileKey"])

With the SDK (the key comes from POSTCORE_API_KEY, the URL from POSTCORE_BASE_URL if set)::

    POSTCORE_API_KEY=... python examples/python/create_profile.py
"""

import postcore


def main() -> None:
    client = postcore.Postcore()  # reads POSTCORE_API_KEY
    profile = client.create_profile(profile_name="User: john@example.com")
    print(profile.profile_key)


if __name__ == "__main__":
    main()
