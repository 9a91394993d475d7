//! Which certificates a client trusts: the bundled Mozilla roots, the platform's trust store
//! (which honours `SSL_CERT_FILE` / `SSL_CERT_DIR`), and any extra CA certificates the user
//! gives (a company's TLS-inspecting proxy or private gateway).
//!
//! Reading the platform store takes milliseconds, so it is read once per process and shared
//! by every client (read again only if `SSL_CERT_FILE` / `SSL_CERT_DIR` change).

use std::ffi::OsString;
use std::sync::{Arc, Mutex, PoisonError};

use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::error::{Error, Result};

type StoreKey = (Option<OsString>, Option<OsString>);

static BASE: Mutex<Option<(StoreKey, Arc<RootCertStore>)>> = Mutex::new(None);

/// The TLS configuration of a client trusting the base roots plus `extra_pems`.
pub(crate) fn client_config(extra_pems: &[Vec<u8>]) -> Result<rustls::ClientConfig> {
    let base = base_roots();
    let roots = if extra_pems.is_empty() {
        base
    } else {
        let mut roots = RootCertStore::clone(&base);
        for pem in extra_pems {
            let mut added = 0;
            for cert in CertificateDer::pem_slice_iter(pem) {
                let cert = cert.map_err(|e| {
                    Error::config(format!("the extra CA certificates are not valid PEM: {e}"))
                })?;
                roots.add(cert).map_err(|e| {
                    Error::config(format!("an extra CA certificate was refused: {e}"))
                })?;
                added += 1;
            }
            if added == 0 {
                return Err(Error::config(
                    "the extra CA certificates contain no PEM certificate \
                     (-----BEGIN CERTIFICATE-----)",
                ));
            }
        }
        Arc::new(roots)
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::config(format!("cannot set up TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// The bundled roots plus the platform's, cached.
fn base_roots() -> Arc<RootCertStore> {
    let key = (
        std::env::var_os("SSL_CERT_FILE"),
        std::env::var_os("SSL_CERT_DIR"),
    );
    let mut cache = BASE.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((cached_key, roots)) = cache.as_ref() {
        if *cached_key == key {
            return roots.clone();
        }
    }
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    // Unreadable or malformed entries of the platform store are skipped, as browsers do:
    // stores often hold ancient certificates that modern parsers refuse.
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    let roots = Arc::new(roots);
    *cache = Some((key, roots.clone()));
    roots
}
