//! The lists every language repeats, read from the core so that there is one source: the
//! error classes, the models' fields and the operations. The TypeScript layer's classes,
//! interfaces and methods are written out by hand (they are the typed public API), and the
//! test suite checks them against these lists, so a new error kind, model field or endpoint in
//! the core fails the Node tests until the package exposes it.

use napi_derive::napi;
use postcore::ErrorKind;

/// One error class: its name and the name of the class it derives from.
#[napi(object)]
pub struct ErrorClassInfo {
    /// The class name, e.g. `"RateLimitError"`.
    pub name: String,
    /// The parent class: another postcore class, or `"PostcoreError"` for direct subclasses.
    pub parent: String,
    /// Whether the package raises the language's own `RangeError` / `TypeError` instead.
    pub argument_error: bool,
}

/// One model and its JSON field names.
#[napi(object)]
pub struct ModelInfo {
    /// The model's name, e.g. `"Post"`.
    pub name: String,
    /// Its fields, camelCase as in the API.
    pub fields: Vec<String>,
}

/// One operation of the generic dispatch.
#[napi(object)]
pub struct OperationInfo {
    /// `"resource.method"` with the Python method name, e.g. `"posts.create"`.
    pub name: String,
    /// HTTP method, or `null` for local / polling operations.
    pub method: Option<String>,
    /// The documented path.
    pub path: String,
    /// Whether failures after sending are retried.
    pub idempotent: bool,
}

/// Every error kind of the core, parents before children (`ErrorKind::ALL`).
#[napi(catch_unwind)]
pub fn error_classes() -> Vec<ErrorClassInfo> {
    ErrorKind::ALL
        .iter()
        .map(|kind| ErrorClassInfo {
            name: kind.class_name().to_owned(),
            parent: kind
                .parent()
                .map_or("PostcoreError", ErrorKind::class_name)
                .to_owned(),
            argument_error: kind.is_argument_error(),
        })
        .collect()
}

/// Every model the calls return, with its JSON field names.
#[napi(catch_unwind)]
pub fn models() -> Vec<ModelInfo> {
    postcore::bindings::models()
        .into_iter()
        .map(|(name, fields)| ModelInfo {
            name: name.to_owned(),
            fields,
        })
        .collect()
}

/// Every operation `NativeClient.call` accepts.
#[napi(catch_unwind)]
pub fn operations() -> Vec<OperationInfo> {
    postcore::bindings::operations()
        .into_iter()
        .map(|op| OperationInfo {
            name: op.name.to_owned(),
            method: op.method.map(str::to_owned),
            path: op.path.to_owned(),
            idempotent: op.idempotent,
        })
        .collect()
}

/// The version of this package, sent as `User-Agent: postcore-node/<version>`.
pub(crate) const USER_AGENT: &str = concat!("postcore-node/", env!("CARGO_PKG_VERSION"));

/// The `User-Agent` this package sends (`postcore-node/<version>`).
#[napi(catch_unwind)]
pub fn user_agent() -> String {
    USER_AGENT.to_owned()
}
