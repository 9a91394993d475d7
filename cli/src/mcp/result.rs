//! What a tool call answers: the result as JSON (structured content, and the same JSON as
//! text), or a tool error (`isError: true`) with the API's code and message and a hint an agent
//! can act on. Nothing here is a protocol error: the agent always gets to read what went wrong.

use rmcp::model::{CallToolResult, ContentBlock};
use serde_json::{Value, json};

use crate::output::{describe, error_json};

/// Why a tool call did not succeed.
#[derive(Debug)]
pub(crate) struct ToolError {
    /// `INVALID_ARGUMENT`, `UNKNOWN_TOOL`, or the API's code (`PROFILE_NOT_FOUND`, …).
    pub(crate) code: String,
    /// What went wrong, for the agent.
    pub(crate) message: String,
    /// The whole error as JSON (the API's error body with `status` when it sent one).
    pub(crate) body: Value,
    /// What to do about it, when that is clear.
    pub(crate) hint: Option<String>,
}

impl ToolError {
    /// Arguments refused before anything was sent.
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::local("INVALID_ARGUMENT", message.into())
    }

    /// A tool this server does not offer (or hides with `--read-only`).
    pub(crate) fn unknown_tool(message: String) -> Self {
        Self::local("UNKNOWN_TOOL", message)
    }

    /// A call the client cancelled.
    pub(crate) fn cancelled() -> Self {
        Self::local("CANCELLED", "cancelled by the client".to_owned())
    }

    /// An error found here, not by the API, with a code of the API's kind.
    pub(crate) fn local(code: &str, message: String) -> Self {
        Self {
            code: code.to_owned(),
            body: json!({ "error": code, "message": message }),
            message,
            hint: None,
        }
    }

    pub(crate) fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The tool error the agent reads.
    pub(crate) fn into_result(self) -> CallToolResult {
        let mut body = self.body;
        if let (Some(hint), Value::Object(map)) = (&self.hint, &mut body) {
            map.insert("hint".to_owned(), json!(hint));
        }
        let mut text = format!("{}: {}", self.code, self.message);
        if let Some(hint) = &self.hint {
            text.push_str(&format!("\nhint: {hint}"));
        }
        let mut result = CallToolResult::structured_error(body);
        result.content = vec![ContentBlock::text(text)];
        result
    }
}

impl From<postcore::Error> for ToolError {
    fn from(error: postcore::Error) -> Self {
        let mut body = error_json(&error);
        if let (Some(post), Value::Object(map)) =
            (postcore::bindings::error_post(&error), &mut body)
        {
            map.insert("post".to_owned(), post);
        }
        let code = body
            .get("error")
            .and_then(Value::as_str)
            .unwrap_or("API_ERROR")
            .to_owned();
        Self {
            code,
            message: describe(&error),
            body,
            hint: hint(&error),
        }
    }
}

/// A successful result: `value` (an object) as structured content and as text.
pub(crate) fn success(value: Value) -> CallToolResult {
    CallToolResult::structured(value)
}

/// How a person connects accounts: never through this server (the LinkedIn URL holds the API
/// key, a Bluesky app password must not pass through an agent).
pub(crate) const HOW_TO_CONNECT: &str = "accounts are connected by a person, not through this \
     server: LinkedIn in the end-user's browser through the connect link your app's server \
     builds (postcore profiles connect-url), Bluesky with an app password the end-user gives \
     your app (postcore profiles connect-bluesky)";

fn hint(error: &postcore::Error) -> Option<String> {
    use postcore::ErrorKind as K;
    match error.kind() {
        K::Authentication => Some(
            "the MCP server's API key (POSTCORE_API_KEY in its configuration) is missing or \
             wrong: a person must fix the server's configuration"
                .to_owned(),
        ),
        K::PlatformsNotConnected => Some(format!(
            "the profile has no {} connection; {HOW_TO_CONNECT}",
            error.missing_platforms().join(", ")
        )),
        K::RateLimit => match (error.next_available(), error.retry_after()) {
            (Some(next), _) => Some(format!(
                "the profile already has a post near that time on {}; schedule it at or after {next}",
                error.platform().unwrap_or("that platform")
            )),
            (None, Some(wait)) => Some(format!(
                "the API's rate limit: try again in {} s",
                wait.as_secs().max(1)
            )),
            _ => None,
        },
        K::NotFound => {
            Some("check the key or id with list_profiles / list_posts; never guess one".to_owned())
        }
        K::WaitTimeout => Some(
            "the post is not published yet (see post.status): call wait_for_post again later"
                .to_owned(),
        ),
        K::Connection | K::Timeout if error.may_have_been_processed() => Some(
            "the request may have been processed: check with list_profiles / list_posts before \
             trying again"
                .to_owned(),
        ),
        K::Connection => Some(
            "the postcore API could not be reached (POSTCORE_BASE_URL of the server)".to_owned(),
        ),
        _ => None,
    }
}
