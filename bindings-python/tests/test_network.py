"""Corporate networks, for real: a TLS server whose certificate comes from a CA generated for
this run, in front of the local postcore server, and an HTTP CONNECT proxy (both from
``target/debug/postcore-testnet``, built by ``test.sh``). The unknown CA is refused; trusting it
through ``extra_ca_certs=`` or ``SSL_CERT_FILE`` works; requests go through the proxy given as
``proxy=`` or in ``HTTPS_PROXY``, and the proxy sees them."""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import postcore

from .conftest import REPO_ROOT, MockServer

TESTNET = REPO_ROOT / "target" / "debug" / "postcore-testnet"


@dataclass
class Network:
    https_url: str
    proxy_url: str
    ca_file: Path
    proxied: list[str] = field(default_factory=list)


@pytest.fixture
def network(
    server: MockServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Network]:
    if not TESTNET.exists():
        pytest.fail(f"{TESTNET} is missing: run `cargo build -p postcore-testnet` first")
    for name in ("SSL_CERT_FILE", "SSL_CERT_DIR", "HTTPS_PROXY", "https_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    ca_file = tmp_path / "ca.pem"
    upstream = server.url.removeprefix("http://")
    process = subprocess.Popen(
        [str(TESTNET), "--upstream", upstream, "--ca-out", str(ca_file)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        urls = json.loads(process.stdout.readline())
        net = Network(urls["https_url"], urls["proxy_url"], ca_file)

        def collect() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                if line.startswith("proxy: "):
                    net.proxied.append(line.removeprefix("proxy: ").strip())

        threading.Thread(target=collect, daemon=True).start()
        yield net
    finally:
        process.kill()
        process.wait(timeout=10)


def tls_client(server: MockServer, net: Network, **kwargs: object) -> postcore.Postcore:
    return postcore.Postcore(server.api_key, base_url=net.https_url, max_retries=0, **kwargs)  # type: ignore[arg-type]


def wait_for_proxy_line(net: Network, count: int) -> None:
    for _ in range(200):
        if len(net.proxied) >= count:
            return
        threading.Event().wait(0.01)


def test_unknown_ca_is_refused(server: MockServer, network: Network) -> None:
    with tls_client(server, network) as c, pytest.raises(postcore.APIConnectionError) as info:
        c.profiles.create(profile_name="nope")
    assert "certificate" in str(info.value).lower()
    assert server.profiles() == []


def test_ca_trusted_through_the_option(server: MockServer, network: Network) -> None:
    with tls_client(server, network, extra_ca_certs=network.ca_file) as c:
        assert c.profiles.create(profile_name="via option").profile_key.startswith("prof_")
    with pytest.raises(postcore.ConfigurationError):
        tls_client(server, network, extra_ca_certs=network.ca_file.with_name("missing.pem"))


def test_ca_trusted_through_ssl_cert_file(
    server: MockServer, network: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(network.ca_file))
    with tls_client(server, network) as c:
        assert c.profiles.create(profile_name="via env").profile_key.startswith("prof_")


async def test_async_client_through_the_proxy_option(server: MockServer, network: Network) -> None:
    async with postcore.AsyncPostcore(
        server.api_key,
        base_url=network.https_url,
        extra_ca_certs=network.ca_file,
        proxy=network.proxy_url,
    ) as c:
        await c.profiles.create(profile_name="via proxy")
    wait_for_proxy_line(network, 1)
    port = network.https_url.rsplit(":", 1)[1]
    assert network.proxied == [f"CONNECT 127.0.0.1:{port} HTTP/1.1"]


def test_through_https_proxy_from_the_environment(
    server: MockServer, network: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", network.proxy_url)
    with tls_client(server, network, extra_ca_certs=network.ca_file) as c:
        c.profiles.list()
    wait_for_proxy_line(network, 1)
    assert len(network.proxied) == 1 and network.proxied[0].startswith("CONNECT 127.0.0.1:")
