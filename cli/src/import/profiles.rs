//! `postcore profiles import USERS.csv --name-column COLUMN --state STATE.db [--out KEYS.csv]`:
//! one profile per CSV row, named after the row's `--name-column` value.
//!
//! Names are not unique, so a row whose answer was lost is matched with a profile of exactly
//! its name that no other row holds and that did not exist before the import began (the
//! *baseline*, listed once before the first create). Rows with the same name share the
//! candidates one each, in row order: two rows never get the same key. When everything is
//! done and some row was ever reconciled, one more `GET /profiles` looks for profiles of the
//! import's names that no row holds (a request processed after the look that declared it
//! absent): they are reported, never deleted.

use std::collections::{HashMap, HashSet, VecDeque};

use postcore::{Client, CreateProfile, Profile, RequestOptions, Response};
use serde_json::json;

use super::runner::{Ids, Kind, Runner, Words};
use super::state::{Held, Reconciled, Resumed, Row, Start, State};
use super::{Job, check_paths, client, fingerprint, input, note_start, quote, quote_path};
use crate::args::{Global, ImportArgs};
use crate::failure::Failure;
use crate::output::{Output, cell};

/// The column added to `--out`.
const KEY_COLUMN: &str = "profileKey";

pub(crate) async fn run(global: &Global, args: ImportArgs, out: &Output) -> Result<i32, Failure> {
    let options = &args.options;
    check_paths(&args.csv, options, args.out.as_deref())?;
    let client = client(global)?;
    let input = input::read(&args.csv)?;
    let column = input.required_column(&args.name_column, "--name-column ")?;
    let names = input.values(column);
    let mut state = State::open(&options.state)?;
    let fingerprint = fingerprint(
        "profiles",
        &input,
        &client,
        vec![("--name-column", args.name_column.clone())],
    );
    match state.resume(&fingerprint)? {
        Resumed::New => {
            let rows: Vec<(String, Start)> =
                names.iter().map(|n| (n.clone(), Start::Pending)).collect();
            state.initialise(&fingerprint, &rows, None)?;
        }
        Resumed::Existing { moved_from } => {
            super::resumed(&mut state, moved_from, &fingerprint, options, out)?;
        }
    }
    note_start(out, &args.csv, state.counts(), "created");
    let mut runner = Runner::new(client, state, options);
    let kind = ProfileRows { names: &names };
    let command = vec![
        "profiles".into(),
        "import".into(),
        quote_path(&args.csv),
        "--name-column".into(),
        quote(&args.name_column),
    ];
    let job = Job {
        kind: &kind,
        input: &input,
        out_path: args.out.as_deref(),
        options,
        resume: super::resume_command(global, command, args.out.as_deref(), options),
    };
    if runner.state.meta("baseline_done")?.as_deref() != Some("1") {
        match runner.listing::<ProfileRows<'_>>().await? {
            Ok(response) => kind.save_baseline(&mut runner, &response.data)?,
            Err(end) => {
                runner.progress.finish();
                return job.finish(&runner, out, &end, std::time::Duration::ZERO);
            }
        }
    }
    job.run(runner, out).await
}

/// A row of the users CSV: its input is the profile's name.
struct ProfileRows<'a> {
    /// Every row's name, in CSV order.
    names: &'a [String],
}

impl ProfileRows<'_> {
    /// Records the profiles that exist before the first create, and says how many of them
    /// have a name of the CSV.
    fn save_baseline(&self, runner: &mut Runner, profiles: &[Profile]) -> Result<(), Failure> {
        let keys: Vec<String> = profiles.iter().map(|p| p.profile_key.clone()).collect();
        runner.state.save_baseline(&keys)?;
        let existing: HashSet<&str> = profiles
            .iter()
            .filter_map(|p| p.profile_name.as_deref())
            .collect();
        let clashes = self
            .names
            .iter()
            .filter(|n| existing.contains(n.as_str()))
            .count();
        if clashes > 0 {
            runner.progress.println(&format!(
                "note: {clashes} names of the CSV are already used by profiles that existed \
                 before this import; the import creates its own profile for each row regardless"
            ));
        }
        Ok(())
    }
}

impl Kind for ProfileRows<'_> {
    type Listed = Profile;
    type Created = Profile;
    const LIST: &'static str = "GET /profiles";
    const VERIFIES: bool = true;
    const WORDS: Words = Words {
        maybe_created: "the profile may have been created; looking for it",
        found: "its profile is",
        none_created: "no profile was created",
        have: "have a profile",
    };
    const OUT_COLUMNS: &'static [&'static str] = &[KEY_COLUMN];

    fn out_values(&self, row: &Row) -> Vec<String> {
        vec![row.result.clone().unwrap_or_default()]
    }

    fn row_json(&self, row: &Row) -> serde_json::Map<String, serde_json::Value> {
        let mut entry = serde_json::Map::new();
        entry.insert("name".into(), json!(row.input));
        entry
    }

    async fn list(client: &Client) -> postcore::Result<Response<Vec<Profile>>> {
        client.list_profiles_with(&RequestOptions::new()).await
    }

    type Request = CreateProfile;

    fn prepare(&self, row: &Row) -> Result<CreateProfile, (String, String)> {
        if row.input.trim().is_empty() {
            return Err((
                "EMPTY_NAME".to_owned(),
                "the name column is empty in this row: no profile was created".to_owned(),
            ));
        }
        Ok(CreateProfile::named(row.input.clone()))
    }

    async fn create(
        &self,
        client: &Client,
        _row: &Row,
        params: CreateProfile,
    ) -> postcore::Result<Response<Profile>> {
        client
            .create_profile_with(params, &RequestOptions::new())
            .await
    }

    fn held(&self, profile: &Profile) -> Held {
        Held {
            result: profile.profile_key.clone(),
            ids: vec![profile.profile_key.clone()],
        }
    }

    fn find(&self, rows: &[Row], profiles: &[Profile], taken: &Ids) -> Vec<(i64, Reconciled)> {
        let wanted: Vec<(i64, &str)> = rows.iter().map(|r| (r.row, r.input.as_str())).collect();
        assign(&wanted, profiles, taken)
            .into_iter()
            .map(|(row, key)| {
                let reconciled = match key {
                    Some(key) => Reconciled::Found(Held {
                        result: key.clone(),
                        ids: vec![key],
                    }),
                    None => Reconciled::Absent,
                };
                (row, reconciled)
            })
            .collect()
    }

    fn strays(
        &self,
        profiles: &[Profile],
        held: &HashSet<String>,
        baseline: &HashSet<String>,
    ) -> Vec<String> {
        let names: HashSet<&str> = self.names.iter().map(String::as_str).collect();
        profiles
            .iter()
            .filter(|p| {
                p.profile_name.as_deref().is_some_and(|n| names.contains(n))
                    && !held.contains(&p.profile_key)
                    && !baseline.contains(&p.profile_key)
            })
            .map(|profile| {
                format!(
                    "warning: profile {} ({:?}) has the name of a row of this import but no row \
                     holds it: most likely a duplicate from a request the server processed \
                     after it was given up on. Check it, then: postcore profiles delete {}",
                    profile.profile_key,
                    cell(profile.profile_name.as_deref().unwrap_or_default()),
                    profile.profile_key
                )
            })
            .collect()
    }

    fn label(&self, row: &Row) -> String {
        format!("row {} ({:?})", row.row, cell(&row.input))
    }
}

/// Which profile each `sent` row gets: for each name, the profiles of that name that are not
/// `taken` (held by a row, or older than the import), oldest first, one per row in row order.
/// `None`: no such profile, the row's request was not processed.
fn assign(
    rows: &[(i64, &str)],
    profiles: &[Profile],
    taken: &HashSet<String>,
) -> Vec<(i64, Option<String>)> {
    let mut ordered: Vec<&Profile> = profiles.iter().collect();
    // Stable: the server's order (creation order) where the times are equal or missing.
    ordered.sort_by_key(|p| p.created_at);
    let mut candidates: HashMap<&str, VecDeque<&str>> = HashMap::new();
    for profile in ordered {
        if let Some(name) = profile.profile_name.as_deref() {
            if !taken.contains(&profile.profile_key) {
                candidates
                    .entry(name)
                    .or_default()
                    .push_back(&profile.profile_key);
            }
        }
    }
    let mut rows = rows.to_vec();
    rows.sort_by_key(|(row, _)| *row);
    rows.into_iter()
        .map(|(row, name)| {
            let key = candidates
                .get_mut(name)
                .and_then(VecDeque::pop_front)
                .map(str::to_owned);
            (row, key)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(key: &str, name: Option<&str>, created: i64) -> Profile {
        serde_json::from_value(json!({
            "profileKey": key,
            "profileName": name,
            "createdAt": postcore::Timestamp::from_unix(created).to_string(),
            "connectedPlatforms": [],
        }))
        .unwrap_or_else(|e| panic!("test profile: {e}"))
    }

    #[test]
    fn same_names_get_distinct_profiles() {
        let profiles = [
            profile("prof_old", Some("Ann"), 1),
            profile("prof_b", Some("Ann"), 3),
            profile("prof_a", Some("Ann"), 2),
            profile("prof_held", Some("Ann"), 4),
            profile("prof_bob", Some("Bob"), 5),
            profile("prof_none", None, 6),
        ];
        let taken: HashSet<String> = ["prof_old".to_owned(), "prof_held".to_owned()].into();
        let rows = [(9, "Ann"), (2, "Ann"), (5, "Ann"), (7, "Bob"), (8, "Cy")];
        assert_eq!(
            assign(&rows, &profiles, &taken),
            vec![
                (2, Some("prof_a".to_owned())),
                (5, Some("prof_b".to_owned())),
                (7, Some("prof_bob".to_owned())),
                (8, None),
                (9, None),
            ]
        );
    }
}
