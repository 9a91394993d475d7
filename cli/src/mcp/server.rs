//! The MCP server (rmcp's `ServerHandler`): lists the tools (all, or only those that change
//! nothing with `--read-only`) and runs tool calls. Every failure of a call, arguments the
//! schema refuses included, is answered as a tool error (`isError: true`) that the agent reads;
//! protocol errors are left to rmcp for requests that are not tool calls at all.

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, Implementation, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};

use super::result::{self, HOW_TO_CONNECT, ToolError};
use super::tools::{self, TOOLS};

/// What the server says about itself when a client connects.
const INSTRUCTIONS: &str = "postcore schedules posts to LinkedIn and Bluesky for the end-users \
    of an app. Each end-user is a profile (list_profiles); posts are scheduled for one profile \
    (schedule_post) and followed with get_post / wait_for_post. Always pass the profile_key \
    explicitly, taken from list_profiles or from the user: never guess one, and ask when \
    several profiles could be meant. Use schedule_post with dry_run: true to check a post \
    first. delete_profile and cancel_post cannot be undone.";

/// The server: one SDK client (one connection pool, one rate budget) for every call.
pub(crate) struct Server {
    client: postcore::Client,
    read_only: bool,
}

impl Server {
    pub(crate) fn new(client: postcore::Client, read_only: bool) -> Self {
        Self { client, read_only }
    }

    fn offered(&self) -> impl Iterator<Item = &'static tools::ToolSpec> + '_ {
        TOOLS
            .iter()
            .filter(|tool| tool.read_only || !self.read_only)
    }

    async fn run(&self, request: CallToolRequestParams) -> Result<serde_json::Value, ToolError> {
        let name = request.name.as_ref();
        let offered: Vec<&str> = self.offered().map(|tool| tool.name).collect();
        match tools::find(name) {
            Some(tool) if self.read_only && !tool.read_only => {
                return Err(ToolError::unknown_tool(format!(
                    "{name} changes data, and this server runs with --read-only; its tools: {}",
                    offered.join(", ")
                )));
            }
            Some(_) => {}
            None if name.starts_with("connect") => {
                return Err(ToolError::unknown_tool(format!(
                    "this server does not connect accounts; {HOW_TO_CONNECT}"
                )));
            }
            None => {
                return Err(ToolError::unknown_tool(format!(
                    "no tool named {name:?}; this server's tools: {}",
                    offered.join(", ")
                )));
            }
        }
        tools::call(&self.client, name, request.arguments.unwrap_or_default()).await
    }
}

impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("postcore", env!("CARGO_PKG_VERSION")))
            .with_instructions(INSTRUCTIONS)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(
            self.offered().map(tools::ToolSpec::definition).collect(),
        ))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        // A call the client cancels (notifications/cancelled) stops at once: a wait stops
        // polling; a request in flight is abandoned as Ctrl-C would.
        let outcome = tokio::select! {
            outcome = self.run(request) => outcome,
            () = context.ct.cancelled() => Err(ToolError::cancelled()),
        };
        Ok(match outcome {
            Ok(value) => result::success(value),
            Err(error) => error.into_result(),
        }
        .into())
    }
}
