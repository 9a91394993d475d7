//! The client the global options describe (`--api-key-env`, `--base-url`, `--store`, ...).

use crate::args::Global;
use crate::failure::Failure;

/// The client the global options describe. The key comes from the environment only: the
/// variable named by `--api-key-env`, else `POSTCORE_API_KEY`.
pub(crate) fn client_builder(global: &Global) -> Result<postcore::ClientBuilder, Failure> {
    let variable = global.api_key_env.as_deref().unwrap_or("POSTCORE_API_KEY");
    let key = api_key_from(variable, global.api_key_env.is_some())?;
    let mut builder = postcore::Client::builder().api_key(key).default_header(
        "user-agent",
        concat!("postcore-cli/", env!("CARGO_PKG_VERSION")),
    );
    if let Some(url) = &global.base_url {
        builder = builder.base_url(url.clone());
    }
    if let Some(timeout) = global.request_timeout {
        builder = builder.timeout(timeout);
    }
    if let Some(store) = &global.store {
        builder = builder.store(store.clone());
    }
    if let Some((limit, window)) = global.posting_budget {
        builder = builder.posting_budget(limit, window);
    }
    Ok(builder)
}

pub(crate) fn build_client(builder: postcore::ClientBuilder) -> Result<postcore::Client, Failure> {
    builder.build().map_err(|e| Failure::Usage(e.to_string()))
}

/// Reads the API key from `variable`; the message says how to provide it.
pub(crate) fn api_key_from(variable: &str, named: bool) -> Result<String, Failure> {
    if variable.is_empty() || variable.contains(['=', '\0']) {
        return Err(Failure::Usage(format!(
            "--api-key-env: {variable:?} is not a valid environment variable name"
        )));
    }
    match std::env::var(variable) {
        Ok(key) if !key.is_empty() => Ok(key),
        Ok(_) | Err(std::env::VarError::NotPresent) if named => Err(Failure::Usage(format!(
            "no API key: the environment variable {variable} (named by --api-key-env) is not set"
        ))),
        Ok(_) | Err(std::env::VarError::NotPresent) => Err(Failure::Usage(
            "no API key: set the POSTCORE_API_KEY environment variable (or name another \
             variable with --api-key-env)"
                .to_owned(),
        )),
        Err(std::env::VarError::NotUnicode(_)) => Err(Failure::Usage(format!(
            "the environment variable {variable} does not hold a valid API key (not UTF-8)"
        ))),
    }
}
