//! The API as the packages present it: every operation's name, arguments, result and
//! documentation, and every model's fields (declared with the models, in `models.rs`).
//!
//! `tools/generate` (`make generate`) writes each language's typed face from these tables: the
//! Python resources (blocking, asyncio, raw) and models, the TypeScript resources, argument
//! and model types, and the README's operation table. So an endpoint is declared here once,
//! beside its `Endpoint` type, and every package gets its method, signature and docstring; the
//! dispatch in [`crate::bindings`] takes the same names (a test checks the two agree).
//!
//! Documentation text is written once for every language, in a small markup the generator
//! spells per language:
//! - `` `code` `` is code (Python's reST ``` ``code`` ```, TypeScript's `` `code` ``);
//! - `{profile_key}` is an argument, field or method, written in Python's spelling and
//!   camelCased for TypeScript (`profileKey`, `posts.waitMany`), as code;
//! - `[Post]` names a class (`:class:` in Python);
//! - `{none}` is `None` / `null`, `{unit}` is `seconds` / `milliseconds`;
//! - `{py:…}` and `{js:…}` hold text for one language only, written as it is (no markup).

pub use crate::models::{FieldSpec, ModelSpec, Presence};

/// The type of an argument, as each language takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    /// A string (`str` / `string`).
    Text,
    /// A list of ids.
    Texts,
    /// A list of platform names (`"linkedin"`, `"bluesky"`).
    Platforms,
    /// A point in time with a zone (`datetime` / `Date | string`).
    Time,
    /// A length of time: seconds in Python, milliseconds in Node (Node takes it among the
    /// call's options).
    Duration,
}

/// One argument of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    /// Its name in Python's spelling (`"profile_key"`); the JSON and Node name is its
    /// camelCase.
    pub name: &'static str,
    /// What it takes.
    pub ty: ParamType,
    /// Whether the call needs it (optional ones default to "not given").
    pub required: bool,
    /// Its documentation (markup as in the module's docs).
    pub doc: &'static str,
}

/// What an operation does with the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One request (retried as its class allows).
    Request {
        /// HTTP method.
        method: &'static str,
        /// Path as documented.
        path: &'static str,
    },
    /// Polls `path` until it is done.
    Poll {
        /// The path it polls.
        path: &'static str,
    },
    /// Computed locally, no request (the documented URL it builds).
    Local {
        /// The path of the URL it builds.
        path: &'static str,
    },
}

/// What an operation returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returns {
    /// One model.
    One(&'static str),
    /// A list of a model.
    Many(&'static str),
    /// Nothing (deletions).
    Nothing,
    /// A string (a URL).
    Text,
}

/// A group of operations: `client.profiles`, `client.posts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resource {
    /// `"profiles"`.
    pub name: &'static str,
    /// The class that holds its methods (`"Profiles"`).
    pub class: &'static str,
    /// Its documentation.
    pub doc: &'static str,
}

/// One operation of the packages' dispatch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// `"resource.method"`, the method in Python's spelling (`"posts.wait_many"`).
    pub name: &'static str,
    /// The Node method's name, where it is not the camelCase of Python's
    /// (`linkedInConnectUrl`).
    pub node_method: Option<&'static str>,
    /// The typed Rust method (`Client::create_profile`; `…_with` takes the per-call options).
    pub rust_method: &'static str,
    /// Request, poll or local.
    pub kind: Kind,
    /// Its arguments, in Python's positional order.
    pub params: &'static [Param],
    /// The name of Node's arguments object (`"CreatePostParams"`); `None`: Node takes the
    /// one argument that is not a duration positionally (`posts.retrieve(postId)`).
    pub params_type: Option<&'static str>,
    /// What it returns.
    pub returns: Returns,
    /// The TypeScript type of the result where it is narrower than the model's (the create
    /// call's answer holds only some of a profile's fields).
    pub node_returns: Option<&'static str>,
    /// Fields of the result the server does not send back, which Python's models fill in
    /// from the call's arguments of the same names (attributes only; `to_dict()` keeps what
    /// the server sent).
    pub fills: &'static [&'static str],
    /// Whether it takes an idempotency key.
    pub keyed: bool,
    /// Whether it takes the per-call options (local operations do not).
    pub options: bool,
    /// Whether the packages expose it as a method (`events.next` is reached through
    /// `client.events()`).
    pub method: bool,
    /// What it does (paragraphs separated by blank lines).
    pub doc: &'static str,
    /// What it returns, in words (Python's `Returns:` section).
    pub returns_doc: &'static str,
    /// The errors worth naming: the class (or `ValueError, TypeError`: the argument errors,
    /// `TypeError` / `RangeError` in Node) and when.
    pub raises: &'static [(&'static str, &'static str)],
    /// A closing paragraph (how retries treat it).
    pub note: &'static str,
}

impl Operation {
    /// The resource's name (`"posts"`).
    pub fn resource(&self) -> &'static str {
        self.name
            .split_once('.')
            .map_or(self.name, |(resource, _)| resource)
    }

    /// The method's name in Python's spelling (`"wait_many"`).
    pub fn method_name(&self) -> &'static str {
        self.name
            .split_once('.')
            .map_or(self.name, |(_, method)| method)
    }

    /// Whether it sends no request at all.
    pub fn is_local(&self) -> bool {
        matches!(self.kind, Kind::Local { .. })
    }
}

/// The resources, in the order the packages list them.
pub const RESOURCES: &[Resource] = &[
    Resource {
        name: "profiles",
        class: "Profiles",
        doc: "Profiles: one per end-user of your app, and the social accounts connected to them.",
    },
    Resource {
        name: "posts",
        class: "Posts",
        doc: "Posts: schedule them on a profile's connected accounts, follow them and cancel \
              them.",
    },
];

/// The documentation of every keyed operation's `idempotency_key`.
pub const IDEMPOTENCY_KEY_DOC: &str = "Makes this creation happen once however often the call \
    is made with the key, from any process sharing the client's store: a repeat returns the \
    first call's result, sending nothing (other arguments fail with \
    [IdempotencyKeyReusedError]). Use one for any call a job queue may run twice, e.g. \
    {py:``f\"signup-{user.id}\"``}{js:`` `signup-${user.id}` ``}.";

const NEVER_RESENT: &str = "Never resent once the server may have processed it, so the \
    client's retries never create it twice.";

const PROFILE_KEY: Param = Param {
    name: "profile_key",
    ty: ParamType::Text,
    required: true,
    doc: "The profile's key.",
};

const POST_ID: Param = Param {
    name: "post_id",
    ty: ParamType::Text,
    required: true,
    doc: "The post's id.",
};

const fn request(method: &'static str, path: &'static str) -> Kind {
    Kind::Request { method, path }
}

/// Every operation, in the order the packages list them.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "profiles.create",
        node_method: None,
        rust_method: "create_profile",
        kind: request("POST", "/profiles/create"),
        params: &[Param {
            name: "profile_name",
            ty: ParamType::Text,
            required: false,
            doc: "A label for the end-user, e.g. `\"User: john@example.com\"`; {none} creates \
                  an unnamed profile.",
        }],
        params_type: Some("CreateProfileParams"),
        returns: Returns::One("Profile"),
        node_returns: Some("CreatedProfile"),
        fills: &[],
        keyed: true,
        options: true,
        method: true,
        doc: "Create a profile (`POST /profiles/create`): one end-user of your app.",
        returns_doc: "The new [Profile] (key and name); store its {profile_key} with your \
                      user.",
        raises: &[],
        note: NEVER_RESENT,
    },
    Operation {
        name: "profiles.list",
        node_method: None,
        rust_method: "list_profiles",
        kind: request("GET", "/profiles"),
        params: &[],
        params_type: None,
        returns: Returns::Many("Profile"),
        node_returns: None,
        fills: &[],
        keyed: false,
        options: true,
        method: true,
        doc: "List every profile of your account (`GET /profiles`), with their connected \
              accounts, in creation order. The API has no pagination: one response holds them \
              all (bodies up to 512 MiB are read).",
        returns_doc: "",
        raises: &[],
        note: "",
    },
    Operation {
        name: "profiles.delete",
        node_method: None,
        rust_method: "delete_profile",
        kind: request("DELETE", "/profiles/:profileKey"),
        params: &[PROFILE_KEY],
        params_type: None,
        returns: Returns::Nothing,
        node_returns: None,
        fills: &[],
        keyed: false,
        options: true,
        method: true,
        doc: "Delete a profile with its connections, stored credentials and pending posts \
              (`DELETE /profiles/:profileKey`). This cannot be undone.",
        returns_doc: "",
        raises: &[("NotFoundError", "No such profile (`PROFILE_NOT_FOUND`).")],
        note: "",
    },
    Operation {
        name: "profiles.connect_bluesky",
        node_method: None,
        rust_method: "connect_bluesky",
        kind: request("POST", "/profiles/connect"),
        params: &[
            Param {
                name: "handle",
                ty: ParamType::Text,
                required: true,
                doc: "The account's handle, e.g. `\"user.bsky.social\"`.",
            },
            Param {
                name: "app_password",
                ty: ParamType::Text,
                required: true,
                doc: "An app password (`xxxx-xxxx-xxxx-xxxx`) the user created in Bluesky \
                      under Settings > App passwords; not the account password. It is sent in \
                      the request body only, never shown in a repr, error or log line.",
            },
            Param {
                name: "profile_key",
                ty: ParamType::Text,
                required: false,
                doc: "The profile to connect it to; {none} creates a new profile.",
            },
        ],
        params_type: Some("ConnectBlueskyParams"),
        returns: Returns::One("Connection"),
        node_returns: None,
        fills: &[],
        keyed: true,
        options: true,
        method: true,
        doc: "Connect a Bluesky account with an app password (`POST /profiles/connect`).",
        returns_doc: "The [Connection] (its {profile_key} is the new profile's when none was \
                      given).",
        raises: &[
            (
                "ValueError",
                "The app password is not of the form `xxxx-xxxx-xxxx-xxxx` (checked before \
                 sending).",
            ),
            (
                "InvalidCredentialsError",
                "Bluesky refused the handle or password.",
            ),
            (
                "BadRequestError",
                "`PROFILE_ALREADY_EXISTS`: the profile has a Bluesky account.",
            ),
            ("NotFoundError", "No such profile."),
        ],
        note: NEVER_RESENT,
    },
    Operation {
        name: "profiles.linkedin_connect_url",
        node_method: Some("linkedInConnectUrl"),
        rust_method: "linkedin_connect_url",
        kind: Kind::Local {
            path: "/profiles/connect",
        },
        params: &[
            Param {
                name: "return_url",
                ty: ParamType::Text,
                required: true,
                doc: "Where the browser returns after authorising, with {profile_key} added: \
                      an absolute `https://` URL (`http://` only on a loopback host).",
            },
            Param {
                name: "profile_key",
                ty: ParamType::Text,
                required: false,
                doc: "The profile to connect; {none}: postcore creates one.",
            },
        ],
        params_type: Some("LinkedInConnectUrlParams"),
        returns: Returns::Text,
        node_returns: None,
        fills: &[],
        keyed: false,
        options: false,
        method: true,
        doc: "The URL that connects a LinkedIn account: redirect the end-user's browser to it. \
              After they authorise, postcore sends the browser back to {return_url} with the \
              {profile_key}. Without {profile_key}, a new profile is created.\n\n\
              Built locally (the documented `GET /profiles/connect` URL, every parameter \
              encoded); no request is made{py:, so it is a plain method even on \
              ``AsyncPostcore``}. **The URL contains your API key**: build it on your server \
              and redirect to it; never put it in a page or an app, nor in a log.",
        returns_doc: "The URL.",
        raises: &[(
            "ValueError",
            "{return_url} is not an absolute `https://` URL (`http://` is accepted for \
             loopback hosts only).",
        )],
        note: "",
    },
    Operation {
        name: "posts.create",
        node_method: None,
        rust_method: "create_post",
        kind: request("POST", "/posts"),
        params: &[
            Param {
                name: "profile_key",
                ty: ParamType::Text,
                required: true,
                doc: "The profile to post for.",
            },
            Param {
                name: "content",
                ty: ParamType::Text,
                required: true,
                doc: "The text: 1 to 3,000 characters, and at most 300 graphemes when \
                      `\"bluesky\"` is among the platforms (Bluesky refuses longer posts when \
                      publishing, so the SDK refuses them now).",
            },
            Param {
                name: "platforms",
                ty: ParamType::Platforms,
                required: true,
                doc: "`\"linkedin\"` and/or `\"bluesky\"`, each at most once, connected to the \
                      profile.",
            },
            Param {
                name: "scheduled_for",
                ty: ParamType::Time,
                required: true,
                doc: "When to publish, in the future (there is no \"publish now\"): \
                      {py:a timezone-aware ``datetime``, e.g. ``datetime.now(timezone.utc) + \
                      timedelta(minutes=5)``}{js:a `Date`, or an ISO 8601 string with a zone}.",
            },
        ],
        params_type: Some("CreatePostParams"),
        returns: Returns::One("ScheduledPosts"),
        node_returns: None,
        fills: &["profile_key", "content"],
        keyed: true,
        options: true,
        method: true,
        doc: "Schedule a post (`POST /posts`): one [Post] per platform, published at \
              {scheduled_for}.",
        returns_doc: "[ScheduledPosts]: {posts} (one pending post per platform) and {usage} \
                      (the monthly quota left).",
        raises: &[
            (
                "ValueError, TypeError",
                "A {py:naive datetime}{js:date without a zone}, empty or too long content, \
                 empty, repeated or unknown platforms (checked before sending).",
            ),
            (
                "PlatformsNotConnectedError",
                "A platform is not connected ({missing_platforms}).",
            ),
            (
                "RateLimitError",
                "Too many requests, or posts too close together on one platform (LinkedIn \
                 60 s, Bluesky 1 s apart: {platform}, {next_available}).",
            ),
        ],
        note: NEVER_RESENT,
    },
    Operation {
        name: "posts.list",
        node_method: None,
        rust_method: "list_posts",
        kind: request("GET", "/posts"),
        params: &[],
        params_type: None,
        returns: Returns::Many("Post"),
        node_returns: None,
        fills: &[],
        keyed: false,
        options: true,
        method: true,
        doc: "List every post of your account (`GET /posts`), in creation order.",
        returns_doc: "",
        raises: &[],
        note: "",
    },
    Operation {
        name: "posts.retrieve",
        node_method: None,
        rust_method: "retrieve_post",
        kind: request("GET", "/posts/:postId"),
        params: &[POST_ID],
        params_type: None,
        returns: Returns::One("Post"),
        node_returns: None,
        fills: &[],
        keyed: false,
        options: true,
        method: true,
        doc: "Read one post (`GET /posts/:postId`).",
        returns_doc: "",
        raises: &[("NotFoundError", "No such post (`POST_NOT_FOUND`).")],
        note: "",
    },
    Operation {
        name: "posts.delete",
        node_method: None,
        rust_method: "delete_post",
        kind: request("DELETE", "/posts/:postId"),
        params: &[POST_ID],
        params_type: None,
        returns: Returns::Nothing,
        node_returns: None,
        fills: &[],
        keyed: false,
        options: true,
        method: true,
        doc: "Cancel a pending post (`DELETE /posts/:postId`); published or failed posts cannot \
              be deleted.",
        returns_doc: "",
        raises: &[("NotFoundError", "No such post (`POST_NOT_FOUND`).")],
        note: "",
    },
    Operation {
        name: "posts.wait",
        node_method: None,
        rust_method: "wait_for_post",
        kind: Kind::Poll {
            path: "/posts/:postId",
        },
        params: &[
            Param {
                name: "post_id",
                ty: ParamType::Text,
                required: true,
                doc: "The post to wait for.",
            },
            Param {
                name: "timeout",
                ty: ParamType::Duration,
                required: false,
                doc: "Give up after this many {unit} with [WaitTimeoutError] (its {post} is the \
                      post as last seen). Not given: wait as long as it takes. (This is the \
                      whole wait; each poll's own timeout is the client's.)",
            },
            Param {
                name: "interval",
                ty: ParamType::Duration,
                required: false,
                doc: "{unit} between polls once the post is due (default \
                      {py:10}{js:10000}; stretched to stay inside the rate limit).",
            },
        ],
        params_type: None,
        returns: Returns::One("Post"),
        node_returns: None,
        fills: &[],
        keyed: false,
        options: true,
        method: true,
        doc: "Wait until a post is published or has failed, and return it (a failed post is \
              returned, not raised: check its {status}).\n\n\
              Reads the post once, sleeps until its {scheduled_for} time (on the server's \
              clock), then polls `GET /posts/:postId` every {interval}. Polls take at most half \
              of each window of the shared rate budget (100 requests per 15 minutes), so \
              waiting never starves your other calls nor draws a 429. \
              {py:Interruptible with Ctrl-C; cancelling the task stops an async wait.}\
              {js:Aborting `signal` stops it at once.}",
        returns_doc: "The [Post], published or failed.",
        raises: &[
            (
                "WaitTimeoutError",
                "Past {timeout}, with the post as last seen.",
            ),
            ("NotFoundError", "No such post."),
        ],
        note: "",
    },
    Operation {
        name: "posts.wait_many",
        node_method: None,
        rust_method: "wait_for_posts",
        kind: Kind::Poll { path: "/posts" },
        params: &[
            Param {
                name: "post_ids",
                ty: ParamType::Texts,
                required: true,
                doc: "The posts to wait for.",
            },
            Param {
                name: "timeout",
                ty: ParamType::Duration,
                required: false,
                doc: "Give up after this many {unit} with [WaitTimeoutError], whose {posts} are \
                      all of them as last seen ({post}: the first still pending). Not given: \
                      wait as long as it takes.",
            },
            Param {
                name: "interval",
                ty: ParamType::Duration,
                required: false,
                doc: "{unit} between polls once posts are due (default {py:10}{js:10000}).",
            },
        ],
        params_type: None,
        returns: Returns::Many("Post"),
        node_returns: None,
        fills: &[],
        keyed: false,
        options: true,
        method: true,
        doc: "Wait until every post of {post_ids} is published or has failed, and return them \
              in the given order (failed posts are returned, not raised: check each \
              {status}).\n\n\
              One `GET /posts` per poll answers for all of them, however many: 1,000 posts \
              across 50 profiles are followed inside the documented 100 requests per 15 \
              minutes. No poll comes before the earliest pending {scheduled_for} (on the \
              server's clock), then one every {interval} while some are due and pending, paced \
              by the shared rate budget. \
              {py:Interruptible with Ctrl-C; cancelling the task stops an async wait.}\
              {js:Aborting `signal` stops it at once.}",
        returns_doc: "Every [Post], in the order of {post_ids}.",
        raises: &[
            (
                "WaitTimeoutError",
                "Past {timeout}, with every post as last seen.",
            ),
            (
                "NotFoundError",
                "A post is not in the listing (deleted, or it never existed).",
            ),
        ],
        note: "",
    },
    Operation {
        name: "events.next",
        node_method: None,
        rust_method: "events",
        kind: Kind::Poll { path: "/posts" },
        params: &[
            Param {
                name: "consumer",
                ty: ParamType::Text,
                required: false,
                doc: "The consumer's name (default `\"default\"`).",
            },
            Param {
                name: "interval",
                ty: ParamType::Duration,
                required: false,
                doc: "{unit} between polls (default {py:30}{js:30000}).",
            },
            Param {
                name: "after",
                ty: ParamType::Text,
                required: false,
                doc: "The id of the event the caller has seen last.",
            },
        ],
        params_type: None,
        returns: Returns::One("Event"),
        node_returns: None,
        fills: &[],
        keyed: false,
        options: false,
        method: false,
        doc: "The next event of a consumer (reached through `client.events()`).",
        returns_doc: "",
        raises: &[],
        note: "",
    },
];

/// The local operation that builds the LinkedIn OAuth URL.
pub const LINKEDIN_CONNECT_URL: &str = "profiles.linkedin_connect_url";
/// The polling operation (`Client::wait_for_post`).
pub const WAIT: &str = "posts.wait";
/// Waiting for many posts (`Client::wait_for_posts`).
pub const WAIT_MANY: &str = "posts.wait_many";
/// The next event of a consumer (`Client::events`): `{consumer, interval, after}`.
pub const NEXT_EVENT: &str = "events.next";

/// The platforms postcore posts to, by their API names.
pub const PLATFORMS: &[&str] = &["linkedin", "bluesky"];

/// The statuses of a post.
pub const POST_STATUSES: &[&str] = &["pending", "published", "failed"];

/// A narrower type of a model for one answer that holds only some of its fields (TypeScript
/// declares it; Python reads the missing fields as `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Narrowed {
    /// `"CreatedProfile"`.
    pub name: &'static str,
    /// The model it narrows.
    pub model: &'static str,
    /// The JSON fields the answer always holds.
    pub sent: &'static [&'static str],
    /// The model field typed with it (`("ScheduledPosts", "posts")`), if any.
    pub field_of: Option<(&'static str, &'static str)>,
    /// Its documentation.
    pub doc: &'static str,
}

/// The answers narrower than their model.
pub const NARROWED: &[Narrowed] = &[
    Narrowed {
        name: "CreatedProfile",
        model: "Profile",
        sent: &["profileKey", "profileName"],
        field_of: None,
        doc: "What {profiles.create} returns: the new profile's key and name (the server sends \
              no more).",
    },
    Narrowed {
        name: "ScheduledPost",
        model: "Post",
        sent: &["postId", "platform", "scheduledFor", "createdAt", "status"],
        field_of: Some(("ScheduledPosts", "posts")),
        doc: "A post as {posts.create} returns it: the server sends neither {profile_key} nor \
              {content} back, nor {published_at} / {platform_url} (it is pending). \
              {posts.retrieve} gives the rest.",
    },
];

/// The operation named `name` (`"posts.create"`).
pub fn operation(name: &str) -> Option<&'static Operation> {
    OPERATIONS.iter().find(|op| op.name == name)
}

/// Every model the packages return, in declaration order.
pub fn models() -> Vec<ModelSpec> {
    crate::models::specs()
}
