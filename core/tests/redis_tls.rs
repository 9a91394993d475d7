//! `rediss://`: a client's store behind TLS (a private CA, as a managed Redis or a company's
//! gateway has), end to end through the pacer. The CA unknown: the store fails, the call
//! still goes through, paced by the process alone; trusted through `SSL_CERT_FILE` (the
//! platform's trust store, which the Redis connection uses): the budgets are in Redis. One test,
//! because the environment is process-wide.
#![cfg(feature = "redis")]

use postcore::{Client, CreateProfile};
use postcore_mock::{DEFAULT_API_KEY, MockConfig, MockServer};
use postcore_testnet::{RedisServer, TestCa, tls_front};

#[tokio::test]
async fn rediss_with_a_private_ca() {
    for var in ["SSL_CERT_FILE", "SSL_CERT_DIR"] {
        // SAFETY: the only test in this binary; nothing else reads the environment concurrently.
        unsafe { std::env::remove_var(var) };
    }
    let redis = RedisServer::start("tls", &["--requirepass", "secret"]);
    let ca = TestCa::generate().expect("CA");
    let upstream = ([127, 0, 0, 1], redis.port()).into();
    let front = tls_front(&ca, upstream).await.expect("TLS front");
    let server = MockServer::start(MockConfig::default())
        .await
        .expect("mock starts");
    let dir = std::env::temp_dir().join(format!("postcore-rediss-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, &ca.ca_pem).expect("CA file");
    let keys = |db: u8| -> i64 {
        let url = format!("redis://:secret@127.0.0.1:{}/{db}", redis.port());
        let mut plain = redis::Client::open(url)
            .and_then(|c| c.get_connection())
            .expect("a plain connection");
        redis::cmd("DBSIZE").query(&mut plain).expect("DBSIZE")
    };
    // Databases 1 and 2: two stores, each with its own connection.
    let create = |db: u8| {
        let client = Client::builder()
            .api_key(DEFAULT_API_KEY)
            .base_url(server.url())
            .store(format!("rediss://:secret@127.0.0.1:{}/{db}", front.port()))
            .max_retries(0)
            .build()
            .expect("client");
        async move {
            client
                .create_profile(CreateProfile::named("via rediss"))
                .await
        }
    };

    // 1. The CA is unknown: the store fails, the call goes through all the same.
    create(1).await.expect("paced by this process alone");
    assert_eq!(keys(1), 0);

    // 2. Trusted through SSL_CERT_FILE: the budgets are in Redis.
    // SAFETY: see above.
    unsafe { std::env::set_var("SSL_CERT_FILE", &ca_file) };
    create(2).await.expect("paced through the store");
    unsafe { std::env::remove_var("SSL_CERT_FILE") };
    let _ = std::fs::remove_dir_all(&dir);
    assert!(keys(2) >= 1, "no budget in Redis");
}
