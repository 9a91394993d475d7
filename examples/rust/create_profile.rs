//! The docs' create-profile example, with the postcore SDK: reads `POSTCORE_API_KEY` (and
//! `POSTCORE_BASE_URL`, e.g. a local `postcore-mock`), creates a profile, prints its key.
//!
//! Run with `cargo run -p postcore --example create_profile`.

use std::process::ExitCode;

use postcore::{Client, CreateProfile};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let result = async {
        let client = Client::from_env()?;
        client
            .create_profile(CreateProfile {
                profile_name: Some("User: john@example.com".into()),
            })
            .await
    }
    .await;
    match result {
        Ok(profile) => {
            println!("{}", profile.profile_key);
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("postcore: {error}");
            ExitCode::FAILURE
        }
    }
}
