//! The API's per-profile spacing (LinkedIn 60 s, Bluesky 1 s between two posts of a profile on
//! one platform), checked for a whole import before anything is sent: which rows break it,
//! and, with `--respace`, where each such post goes instead.
//!
//! Times are whole Unix seconds (the API keeps no fractions). Posts that exist already (on
//! the server before the import) never move; of two rows, the later one (then the one further
//! down the CSV) is the one that breaks the spacing and, with `--respace`, moves: to the
//! earliest time at or after the one it asked for that keeps the spacing from every
//! neighbour on each of its platforms. Rows are placed in time order, so a moved row is a
//! neighbour of the rows after it.

use std::collections::{BTreeMap, HashMap};

use postcore::Platform;

/// A valid row's post, as asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Wanted {
    pub(crate) row: i64,
    pub(crate) profile: String,
    pub(crate) platforms: Vec<Platform>,
    pub(crate) at: i64,
}

/// A post that exists already.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Existing {
    pub(crate) post_id: String,
    pub(crate) profile: String,
    pub(crate) platform: Platform,
    pub(crate) at: i64,
}

/// What a row is too close to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Neighbour {
    Row(i64),
    Post(String),
}

/// A row too close to a neighbour on one platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Conflict {
    pub(crate) row: i64,
    pub(crate) platform: Platform,
    pub(crate) at: i64,
    pub(crate) neighbour: Neighbour,
    pub(crate) neighbour_at: i64,
}

/// Where a row's post goes: `at`, and why if that is not the time asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Placed {
    pub(crate) row: i64,
    pub(crate) at: i64,
    /// The first neighbour that moved it.
    pub(crate) moved_by: Option<Conflict>,
}

/// The least seconds between two posts of a profile on `platform`.
pub(crate) fn spacing(platform: &Platform) -> i64 {
    postcore::bindings::post_spacing(platform)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

type Lane = (String, Platform);

/// Every row that is closer to a neighbour than the spacing allows, at the times asked for:
/// each with the neighbour just before it on that platform (or, for a row just before an
/// existing post, that post).
pub(crate) fn conflicts(rows: &[Wanted], existing: &[Existing]) -> Vec<Conflict> {
    // (time, existing posts first, then rows in CSV order)
    let mut lanes: HashMap<Lane, Vec<(i64, u8, Neighbour)>> = HashMap::new();
    for post in existing {
        lanes
            .entry((post.profile.clone(), post.platform.clone()))
            .or_default()
            .push((post.at, 0, Neighbour::Post(post.post_id.clone())));
    }
    for row in rows {
        for platform in &row.platforms {
            lanes
                .entry((row.profile.clone(), platform.clone()))
                .or_default()
                .push((row.at, 1, Neighbour::Row(row.row)));
        }
    }
    let mut found = Vec::new();
    for ((_, platform), mut items) in lanes {
        items.sort_by_key(|a| (a.0, a.1, order(&a.2)));
        let s = spacing(&platform);
        for pair in items.windows(2) {
            let ((before, _, first), (later, _, second)) = (&pair[0], &pair[1]);
            if later - before >= s {
                continue;
            }
            // The row of the pair breaks the spacing: the later one if both are rows.
            let (row, at, neighbour, neighbour_at) = match (first, second) {
                (_, Neighbour::Row(row)) => (*row, *later, first.clone(), *before),
                (Neighbour::Row(row), Neighbour::Post(_)) => {
                    (*row, *before, second.clone(), *later)
                }
                (Neighbour::Post(_), Neighbour::Post(_)) => continue,
            };
            found.push(Conflict {
                row,
                platform: platform.clone(),
                at,
                neighbour,
                neighbour_at,
            });
        }
    }
    found.sort_by(|a, b| (a.row, &a.platform).cmp(&(b.row, &b.platform)));
    found
}

fn order(neighbour: &Neighbour) -> i64 {
    match neighbour {
        Neighbour::Row(row) => *row,
        Neighbour::Post(_) => 0,
    }
}

/// Where each row goes (in the order of `rows`) when every post that breaks the spacing is
/// moved to the next free time.
pub(crate) fn respace(rows: &[Wanted], existing: &[Existing]) -> Vec<Placed> {
    let mut lanes: HashMap<Lane, BTreeMap<i64, Neighbour>> = HashMap::new();
    for post in existing {
        lanes
            .entry((post.profile.clone(), post.platform.clone()))
            .or_default()
            .insert(post.at, Neighbour::Post(post.post_id.clone()));
    }
    let mut order: Vec<&Wanted> = rows.iter().collect();
    order.sort_by_key(|r| (r.at, r.row));
    let mut placed: HashMap<i64, Placed> = HashMap::new();
    for row in order {
        let mut at = row.at;
        let mut moved_by = None;
        loop {
            // The latest neighbour closer than the spacing on any platform: the post can go
            // no earlier than its time plus the spacing.
            let mut next = at;
            let mut blocker = None;
            for platform in &row.platforms {
                let s = spacing(platform);
                let Some(lane) = lanes.get(&(row.profile.clone(), platform.clone())) else {
                    continue;
                };
                let lo = at.saturating_sub(s).saturating_add(1);
                let hi = at.saturating_add(s);
                if lo >= hi {
                    continue;
                }
                if let Some((&u, who)) = lane.range(lo..hi).next_back() {
                    if u.saturating_add(s) > next {
                        next = u.saturating_add(s);
                        blocker = Some(Conflict {
                            row: row.row,
                            platform: platform.clone(),
                            at,
                            neighbour: who.clone(),
                            neighbour_at: u,
                        });
                    }
                }
            }
            if next == at {
                break;
            }
            if moved_by.is_none() {
                moved_by = blocker;
            }
            at = next;
        }
        for platform in &row.platforms {
            lanes
                .entry((row.profile.clone(), platform.clone()))
                .or_default()
                .insert(at, Neighbour::Row(row.row));
        }
        placed.insert(
            row.row,
            Placed {
                row: row.row,
                at,
                moved_by,
            },
        );
    }
    rows.iter().filter_map(|r| placed.remove(&r.row)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const L: Platform = Platform::LinkedIn;
    const B: Platform = Platform::Bluesky;

    fn row(row: i64, profile: &str, platforms: &[Platform], at: i64) -> Wanted {
        Wanted {
            row,
            profile: profile.to_owned(),
            platforms: platforms.to_vec(),
            at,
        }
    }

    fn post(id: &str, profile: &str, platform: Platform, at: i64) -> Existing {
        Existing {
            post_id: id.to_owned(),
            profile: profile.to_owned(),
            platform,
            at,
        }
    }

    fn times(placed: &[Placed]) -> Vec<(i64, i64)> {
        placed.iter().map(|p| (p.row, p.at)).collect()
    }

    #[test]
    fn rows_far_enough_apart_are_left_alone() {
        let rows = [
            row(1, "a", &[L, B], 1000),
            row(2, "a", &[L], 1060),
            row(3, "a", &[B], 1001),
            row(4, "b", &[L, B], 1000),
        ];
        assert!(conflicts(&rows, &[]).is_empty());
        assert_eq!(
            times(&respace(&rows, &[])),
            [(1, 1000), (2, 1060), (3, 1001), (4, 1000)]
        );
    }

    #[test]
    fn the_later_row_breaks_the_spacing_and_moves_to_the_next_free_time() {
        // Rows 1 and 2 at the same time: row 2 (further down) moves. Row 3 is 30 s after
        // row 1: it moves after row 2's new time.
        let rows = [
            row(2, "a", &[L], 1000),
            row(1, "a", &[L], 1000),
            row(3, "a", &[L], 1030),
        ];
        let found = conflicts(&rows, &[]);
        assert_eq!(
            found
                .iter()
                .map(|c| (c.row, c.neighbour.clone()))
                .collect::<Vec<_>>(),
            [(2, Neighbour::Row(1)), (3, Neighbour::Row(2))]
        );
        let placed = respace(&rows, &[]);
        assert_eq!(times(&placed), [(2, 1060), (1, 1000), (3, 1120)]);
        assert_eq!(
            placed[0].moved_by.as_ref().map(|c| &c.neighbour),
            Some(&Neighbour::Row(1))
        );
        assert_eq!(placed[1].moved_by, None);
    }

    #[test]
    fn a_free_gap_between_neighbours_is_used() {
        // Existing posts at 1000 and 1200; a row at 1010 fits at 1060 (60 s after 1000, 140 s
        // before 1200); a row at 1150 cannot stay (50 s before 1200) and goes to 1260.
        let existing = [post("post_x", "a", L, 1000), post("post_y", "a", L, 1200)];
        let rows = [row(1, "a", &[L], 1010), row(2, "a", &[L], 1150)];
        let found = conflicts(&rows, &existing);
        assert_eq!(
            found
                .iter()
                .map(|c| (c.row, c.neighbour.clone(), c.neighbour_at))
                .collect::<Vec<_>>(),
            [
                (1, Neighbour::Post("post_x".into()), 1000),
                (2, Neighbour::Post("post_y".into()), 1200)
            ]
        );
        assert_eq!(times(&respace(&rows, &existing)), [(1, 1060), (2, 1260)]);
    }

    #[test]
    fn a_post_on_two_platforms_keeps_both_spacings() {
        // Bluesky is busy at 1000 and 1001 (1 s spacing); LinkedIn at 940 (60 s): a post on
        // both asked for at 1000 must be ≥ 1002 (Bluesky) and ≥ 1000 (LinkedIn).
        let existing = [
            post("b1", "a", B, 1000),
            post("b2", "a", B, 1001),
            post("l1", "a", L, 940),
        ];
        let rows = [row(1, "a", &[L, B], 1000)];
        assert_eq!(times(&respace(&rows, &existing)), [(1, 1002)]);
        // And LinkedIn at 1001 pushes it to 1061, where Bluesky is free.
        let existing = [post("b1", "a", B, 1000), post("l1", "a", L, 1001)];
        assert_eq!(times(&respace(&rows, &existing)), [(1, 1061)]);
        // Bluesky alone: only the same second is too close.
        let rows = [
            row(1, "a", &[B], 1000),
            row(2, "a", &[B], 1000),
            row(3, "a", &[B], 1001),
        ];
        assert_eq!(
            times(&respace(&rows, &[])),
            [(1, 1000), (2, 1001), (3, 1002)]
        );
    }

    #[test]
    fn posts_that_exist_already_are_never_reported() {
        let existing = [post("x", "a", L, 1000), post("y", "a", L, 1010)];
        assert!(conflicts(&[], &existing).is_empty());
    }
}
