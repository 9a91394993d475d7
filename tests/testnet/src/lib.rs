//! Network pieces for tests of TLS trust and proxies, shared by the Rust, Python and Node
//! suites (the latter two through the `postcore-testnet` binary):
//!
//! * [`TestCa`]: a private certificate authority generated for the test, and a server
//!   certificate it signed for `127.0.0.1` / `localhost`, as a company's TLS-inspecting
//!   gateway would present;
//! * [`tls_front`]: a TLS server with that certificate, forwarding the decrypted bytes to a
//!   plain-HTTP upstream (the local postcore server), so HTTPS reaches the mock;
//! * [`connect_proxy`]: an HTTP proxy that tunnels `CONNECT host:port` and records each
//!   request line, so a test can prove a request went through it;
//! * [`RedisServer`]: a `redis-server` of the test's own, for the Redis store's tests.
//!
//! Never for production: certificates are generated per run and nothing is verified upstream.

mod redis;

pub use redis::{INSTALL_REDIS, RedisServer};

use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A private CA and a server certificate it issued for `127.0.0.1` and `localhost`.
pub struct TestCa {
    /// The CA certificate, PEM: what a client must trust.
    pub ca_pem: String,
    server_cert: CertificateDer<'static>,
    server_key: Vec<u8>,
}

impl TestCa {
    /// Generates a fresh CA and server certificate.
    pub fn generate() -> io::Result<Self> {
        let err = |e: rcgen::Error| io::Error::other(e.to_string());
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(err)?;
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params.distinguished_name.push(
            rcgen::DnType::CommonName,
            "postcore test CA (generated per run)",
        );
        ca_params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
            rcgen::KeyUsagePurpose::DigitalSignature,
        ];
        let ca_key = rcgen::KeyPair::generate().map_err(err)?;
        let ca_cert = ca_params.self_signed(&ca_key).map_err(err)?;
        let issuer = rcgen::Issuer::new(ca_params, ca_key);

        let mut params =
            rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
                .map_err(err)?;
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "127.0.0.1");
        let key = rcgen::KeyPair::generate().map_err(err)?;
        let cert = params.signed_by(&key, &issuer).map_err(err)?;
        Ok(Self {
            ca_pem: ca_cert.pem(),
            server_cert: cert.der().clone(),
            server_key: key.serialize_der(),
        })
    }

    fn server_config(&self) -> io::Result<ServerConfig> {
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.server_key.clone()));
        ServerConfig::builder_with_provider(Arc::new(
            tokio_rustls::rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .with_no_client_auth()
        .with_single_cert(vec![self.server_cert.clone()], key)
        .map_err(io::Error::other)
    }
}

/// Serves TLS with `ca`'s server certificate on a free loopback port and forwards each
/// connection's decrypted bytes to `upstream`. Returns the bound address; serves until the
/// runtime stops.
pub async fn tls_front(ca: &TestCa, upstream: SocketAddr) -> io::Result<SocketAddr> {
    let acceptor = TlsAcceptor::from(Arc::new(ca.server_config()?));
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // A client that refuses the certificate ends the handshake: nothing to do.
                let Ok(mut tls) = acceptor.accept(stream).await else {
                    return;
                };
                if let Ok(mut plain) = TcpStream::connect(upstream).await {
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
                }
            });
        }
    });
    Ok(addr)
}

/// What a [`connect_proxy`] has seen: one request line per proxied request
/// (`CONNECT 127.0.0.1:4443 HTTP/1.1`, or `GET http://… HTTP/1.1` for plain HTTP).
#[derive(Clone, Default)]
pub struct ProxyLog(Arc<Mutex<Vec<String>>>);

impl ProxyLog {
    /// The request lines seen so far.
    pub fn lines(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn push(&self, line: String) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(line);
    }
}

/// An HTTP proxy on a free loopback port: tunnels `CONNECT` (HTTPS) and forwards absolute-form
/// plain HTTP requests. `on_request` is called with each request line as it arrives.
pub async fn connect_proxy(
    on_request: impl Fn(&str) + Send + Sync + 'static,
) -> io::Result<(SocketAddr, ProxyLog)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let log = ProxyLog::default();
    let seen = log.clone();
    let on_request = Arc::new(on_request);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (seen, on_request) = (seen.clone(), on_request.clone());
            tokio::spawn(async move {
                let _ = tunnel(stream, &seen, on_request.as_ref()).await;
            });
        }
    });
    Ok((addr, log))
}

async fn tunnel(
    stream: TcpStream,
    log: &ProxyLog,
    on_request: &(dyn Fn(&str) + Send + Sync),
) -> io::Result<()> {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).await?;
    let mut head = request_line.clone();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await? == 0 || line == "\r\n" || line == "\n" {
            head.push_str(&line);
            break;
        }
        head.push_str(&line);
    }
    let line = request_line.trim_end().to_owned();
    log.push(line.clone());
    on_request(&line);
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default();
    let target = parts.next().unwrap_or_default();
    if method == "CONNECT" {
        let mut upstream = TcpStream::connect(target).await?;
        let mut client = reader.into_inner();
        client
            .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
            .await?;
        tokio::io::copy_bidirectional(&mut client, &mut upstream).await?;
        return Ok(());
    }
    // Plain HTTP through the proxy: `GET http://host:port/path HTTP/1.1`.
    let authority = target
        .strip_prefix("http://")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_default();
    let mut upstream = TcpStream::connect(authority).await?;
    upstream.write_all(head.as_bytes()).await?;
    let buffered = reader.buffer().to_vec();
    upstream.write_all(&buffered).await?;
    let mut client = reader.into_inner();
    tokio::io::copy_bidirectional(&mut client, &mut upstream).await?;
    Ok(())
}
