//! Corporate networks: a TLS gateway with a private CA, and an HTTP CONNECT proxy.
//!
//! A real TLS server (certificate from a CA generated for this run) in front of the local
//! postcore server, and a real proxy: the unknown CA is refused; trusting it through the
//! client option or `SSL_CERT_FILE` works; requests go through the proxy given as an option or
//! in `HTTPS_PROXY`. One test, steps in order, because the environment is process-wide.

use postcore::{Client, CreateProfile, ErrorKind};
use postcore_mock::{DEFAULT_API_KEY, MockConfig, MockServer};
use postcore_testnet::{TestCa, connect_proxy, tls_front};

#[tokio::test]
async fn private_ca_and_connect_proxy() {
    for var in [
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
    ] {
        // SAFETY: the only test in this binary; nothing else reads the environment concurrently.
        unsafe { std::env::remove_var(var) };
    }
    let server = MockServer::start(MockConfig::default())
        .await
        .expect("mock starts");
    let ca = TestCa::generate().expect("CA");
    let https = tls_front(&ca, server.addr()).await.expect("TLS front");
    let base_url = format!("https://127.0.0.1:{}", https.port());
    let dir = std::env::temp_dir().join(format!("postcore-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, &ca.ca_pem).expect("CA file");
    let create = |client: Client| async move {
        client.create_profile(CreateProfile::named("via TLS")).await
    };
    let builder = || {
        Client::builder()
            .api_key(DEFAULT_API_KEY)
            .base_url(&base_url)
            .max_retries(0)
    };

    // 1. The private CA is unknown: refused, with a message that says why.
    let error = create(builder().build().expect("client"))
        .await
        .expect_err("unknown issuer refused");
    assert_eq!(error.kind(), ErrorKind::Connection);
    assert!(
        error.message().to_lowercase().contains("certificate"),
        "{}",
        error.message()
    );
    assert_eq!(server.profiles().len(), 0);

    // 2. Trusted through the client option.
    let profile = create(builder().extra_ca_certs(&ca_file).build().expect("client"))
        .await
        .expect("trusted through extra_ca_certs");
    assert!(profile.profile_key.starts_with("prof_"));

    // A missing or empty CA file is a configuration error at construction.
    let missing = builder().extra_ca_certs(dir.join("nope.pem")).build();
    assert_eq!(
        missing.map(|_| ()).unwrap_err().kind(),
        ErrorKind::Configuration
    );

    // 3. Trusted through SSL_CERT_FILE (read by the platform trust store).
    // SAFETY: see above.
    unsafe { std::env::set_var("SSL_CERT_FILE", &ca_file) };
    create(builder().build().expect("client"))
        .await
        .expect("trusted through SSL_CERT_FILE");
    unsafe { std::env::remove_var("SSL_CERT_FILE") };

    // 4. Through a CONNECT proxy given as an option.
    let (proxy, log) = connect_proxy(|_| {}).await.expect("proxy");
    let proxy_url = format!("http://127.0.0.1:{}", proxy.port());
    create(
        builder()
            .extra_ca_certs(&ca_file)
            .proxy(&proxy_url)
            .build()
            .expect("client"),
    )
    .await
    .expect("through the proxy option");
    let tunnel = format!("CONNECT 127.0.0.1:{} HTTP/1.1", https.port());
    assert_eq!(log.lines(), vec![tunnel.clone()]);

    // 5. Through HTTPS_PROXY from the environment.
    unsafe { std::env::set_var("HTTPS_PROXY", &proxy_url) };
    create(builder().extra_ca_certs(&ca_file).build().expect("client"))
        .await
        .expect("through HTTPS_PROXY");
    unsafe { std::env::remove_var("HTTPS_PROXY") };
    assert_eq!(log.lines(), vec![tunnel.clone(), tunnel]);
    assert_eq!(server.profiles().len(), 4);

    // The proxy's credentials never show in Debug output.
    let client = builder()
        .proxy("http://user:s3cret@127.0.0.1:9")
        .build()
        .expect("client");
    assert!(!format!("{client:?}").contains("s3cret"));
    let _ = std::fs::remove_dir_all(&dir);
}
