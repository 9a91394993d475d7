//! The whole postcore flow with the Rust SDK: create a profile for one of your users, connect
//! their accounts, schedule a post, wait until it is published, list, and cancel another one.
//!
//! Reads `POSTCORE_API_KEY` and `POSTCORE_BASE_URL`. Against a local `postcore-mock` (as `make
//! test` runs it) the post is scheduled two seconds ahead and polled every half second; against
//! the real API, schedule it further ahead and keep the default 10 s interval: `wait_for_post`
//! sleeps until the post is due and paces its polls to the rate limit either way.
//!
//! Run with `cargo run -p postcore --example whole_flow`.

use std::process::ExitCode;
use std::time::Duration;

use postcore::{
    Client, ConnectBluesky, CreatePost, CreateProfile, Platform, PostStatus, Timestamp, WaitOptions,
};

async fn run() -> postcore::Result<()> {
    let client = Client::from_env()?;

    // 1. One profile per end-user of your app; store its key with the user.
    let profile = client
        .create_profile(CreateProfile::named("User: john@example.com"))
        .await?;
    let key = profile.profile_key.as_str();
    println!("profile      {key}");

    // 2. LinkedIn: send the user's browser to this URL (it holds your API key: server side only).
    let url = client.linkedin_connect_url("https://app.example.com/connected", Some(key))?;
    println!(
        "linkedin url {}",
        url.split("apiKey=").next().unwrap_or_default()
    );

    // 3. Bluesky: with an app password the user created in Bluesky's settings.
    let connection = client
        .connect_bluesky(
            ConnectBluesky::new("john.bsky.social", "abcd-efgh-ijkl-mnop").profile_key(key),
        )
        .await?;
    println!("bluesky      {}", connection.username.unwrap_or_default());

    // 4. Schedule a post (Bluesky only here: LinkedIn needs the browser step above).
    let at = Timestamp::now().add(Duration::from_secs(2));
    let scheduled = client
        .create_post(CreatePost::new(
            key,
            "Hello from postcore!",
            [Platform::Bluesky],
            at,
        ))
        .await?;
    let post_id = scheduled.posts[0].post_id.clone();
    println!("scheduled    {post_id} for {at}");

    // 5. Wait until it is published (or failed): no poll before it is due.
    let options = WaitOptions::new()
        .interval(Duration::from_millis(500))
        .timeout(Duration::from_secs(60));
    let post = client.wait_for_post(&post_id, &options).await?;
    println!(
        "{:<12} {}",
        post.status,
        post.platform_url.unwrap_or_default()
    );
    if post.status != PostStatus::Published {
        eprintln!("the post was not published");
    }

    // 6. List, then cancel a post still pending.
    let later = Timestamp::now().add(Duration::from_secs(24 * 3600));
    let pending = client
        .create_post(CreatePost::new(
            key,
            "See you tomorrow",
            [Platform::Bluesky],
            later,
        ))
        .await?;
    let posts = client.list_posts().await?;
    println!("posts        {}", posts.len());
    client.delete_post(&pending.posts[0].post_id).await?;
    println!("cancelled    {}", pending.posts[0].post_id);
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("postcore: {error}");
            ExitCode::FAILURE
        }
    }
}
