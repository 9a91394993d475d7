//! How a client reaches the API, one socket at a time: TCP (with the connect timeout), through
//! an HTTP proxy when one is configured or set in the environment (`HTTPS_PROXY`, `ALL_PROXY`,
//! `NO_PROXY`; for `https://`: a `CONNECT` tunnel), then TLS. Plain `http://` (loopback only)
//! goes through an explicitly configured proxy only, in absolute form.
//!
//! Every socket holds one of the client's `max_connections` permits for as long as it is open
//! (the permit is released when the connection is dropped, idle or not), so a client never has
//! more sockets open than that, however many calls are waiting: a hard bound that a per-request
//! limit alone cannot give, because a connection finishing one request is returned to the pool
//! a moment after its response was read, and a new request in that moment would otherwise open
//! one more socket.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::Uri;
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tower_service::Service;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Opens the client's connections.
#[derive(Clone)]
pub(crate) struct Connector {
    tcp: HttpConnector,
    tls: TlsConnector,
    proxies: Arc<Matcher>,
    /// Whether the proxy was given explicitly: then every request goes through it, plain
    /// `http://` (loopback) ones too; proxies from the environment apply to `https://` only.
    explicit_proxy: bool,
    /// One permit per open socket; shared with the client's [`Pool`](crate::client::Pool),
    /// which closes it when the client is closed or dropped.
    sockets: Arc<Semaphore>,
}

impl Connector {
    /// `proxy`: an explicit proxy URL for every `https://` request; `None` reads
    /// `HTTPS_PROXY` / `ALL_PROXY` / `NO_PROXY` from the environment.
    pub(crate) fn new(
        connect_timeout: Duration,
        tls: rustls::ClientConfig,
        proxy: Option<&str>,
        sockets: Arc<Semaphore>,
    ) -> Self {
        let mut tcp = HttpConnector::new();
        tcp.enforce_http(false);
        tcp.set_nodelay(true);
        tcp.set_connect_timeout(Some(connect_timeout));
        let proxies = match proxy {
            Some(url) => Matcher::builder().all(url.to_owned()).build(),
            None => Matcher::from_env(),
        };
        Self {
            tcp,
            tls: TlsConnector::from(Arc::new(tls)),
            proxies: Arc::new(proxies),
            explicit_proxy: proxy.is_some(),
            sockets,
        }
    }

    async fn connect(self, uri: Uri) -> Result<Conn, BoxError> {
        // Closed when the client is closed or dropped: then there is nothing to connect for.
        let permit = self.sockets.clone().acquire_owned().await?;
        let https = uri.scheme_str() == Some("https");
        // Plain http:// is only allowed to loopback hosts: a proxy from the environment is
        // not meant for those, an explicit one is used for everything (through CONNECT).
        let proxy = if https || self.explicit_proxy {
            self.proxies.intercept(&uri)
        } else {
            None
        };
        let tcp = match proxy {
            // Plain HTTP through a proxy: the request itself goes to the proxy, in absolute
            // form (`GET http://host/path`), as HTTP proxies expect.
            Some(proxy) if !https => {
                let tcp = self
                    .tcp
                    .clone()
                    .call(proxy.uri().clone())
                    .await
                    .map_err(|e| {
                        format!(
                            "connecting to the proxy {}: {e}",
                            redact_userinfo(proxy.uri())
                        )
                    })?;
                return Ok(Conn {
                    io: Stream::Plain(tcp),
                    proxied: true,
                    _permit: permit,
                });
            }
            Some(proxy) => {
                let mut tunnel = Tunnel::new(proxy.uri().clone(), self.tcp.clone());
                if let Some(auth) = proxy.basic_auth() {
                    tunnel = tunnel.with_auth(auth.clone());
                }
                tunnel.call(uri.clone()).await.map_err(|e| {
                    format!("through the proxy {}: {e:?}", redact_userinfo(proxy.uri()))
                })?
            }
            None => self.tcp.clone().call(uri.clone()).await?,
        };
        let io = if https {
            let host = uri
                .host()
                .unwrap_or_default()
                .trim_start_matches('[')
                .trim_end_matches(']');
            let name = ServerName::try_from(host.to_owned())?;
            Stream::Tls(Box::new(TokioIo::new(
                self.tls.connect(name, tcp.into_inner()).await?,
            )))
        } else {
            Stream::Plain(tcp)
        };
        Ok(Conn {
            io,
            proxied: false,
            _permit: permit,
        })
    }
}

/// A proxy URL for messages: `http://proxy:3128`, credentials removed.
fn redact_userinfo(uri: &Uri) -> String {
    let host = uri.host().unwrap_or_default();
    match uri.port_u16() {
        Some(port) => format!("{}://{host}:{port}", uri.scheme_str().unwrap_or("http")),
        None => format!("{}://{host}", uri.scheme_str().unwrap_or("http")),
    }
}

impl Service<Uri> for Connector {
    type Response = Conn;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Conn, BoxError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        Box::pin(self.clone().connect(uri))
    }
}

enum Stream {
    Plain(TokioIo<TcpStream>),
    Tls(Box<TokioIo<TlsStream<TcpStream>>>),
}

/// One open connection and its permit.
pub(crate) struct Conn {
    io: Stream,
    /// A plain-HTTP connection to a proxy: requests are sent in absolute form.
    proxied: bool,
    _permit: OwnedSemaphorePermit,
}

impl Connection for Conn {
    fn connected(&self) -> Connected {
        Connected::new().proxy(self.proxied)
    }
}

impl Read for Conn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        match &mut self.get_mut().io {
            Stream::Plain(io) => Pin::new(io).poll_read(cx, buf),
            Stream::Tls(io) => Pin::new(io.as_mut()).poll_read(cx, buf),
        }
    }
}

impl Write for Conn {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match &mut self.get_mut().io {
            Stream::Plain(io) => Pin::new(io).poll_write(cx, buf),
            Stream::Tls(io) => Pin::new(io.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match &mut self.get_mut().io {
            Stream::Plain(io) => Pin::new(io).poll_flush(cx),
            Stream::Tls(io) => Pin::new(io.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match &mut self.get_mut().io {
            Stream::Plain(io) => Pin::new(io).poll_shutdown(cx),
            Stream::Tls(io) => Pin::new(io.as_mut()).poll_shutdown(cx),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        match &mut self.get_mut().io {
            Stream::Plain(io) => Pin::new(io).poll_write_vectored(cx, bufs),
            Stream::Tls(io) => Pin::new(io.as_mut()).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match &self.io {
            Stream::Plain(io) => io.is_write_vectored(),
            Stream::Tls(io) => io.is_write_vectored(),
        }
    }
}
