//! The import's files: the users CSV (read whole, fingerprinted) and the keys CSV written from
//! the state.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use csv::StringRecord;

use crate::Failure;

/// The column added to the output.
pub(crate) const KEY_COLUMN: &str = "profileKey";

/// The users CSV, as read.
pub(crate) struct Input {
    pub(crate) path: PathBuf,
    pub(crate) headers: StringRecord,
    pub(crate) records: Vec<StringRecord>,
    pub(crate) names: Vec<String>,
    pub(crate) size: u64,
    pub(crate) hash: String,
}

/// Reads the CSV at `path`; `name_column` must be one of its header's columns.
pub(crate) fn read(path: &Path, name_column: &str) -> Result<Input, Failure> {
    let shown = path.display();
    let bytes =
        std::fs::read(path).map_err(|e| Failure::Usage(format!("cannot read {shown}: {e}")))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(bytes.as_slice());
    let mut headers = reader
        .headers()
        .map_err(|e| Failure::Usage(format!("{shown}: {e}")))?
        .clone();
    if headers.is_empty() {
        return Err(Failure::Usage(format!(
            "{shown} is empty: the first line must be a header row naming the columns"
        )));
    }
    // A byte-order mark (spreadsheets write one) is not part of the first column's name.
    if let Some(first) = headers.get(0).filter(|h| h.starts_with('\u{feff}')) {
        let mut fixed: Vec<String> = headers.iter().map(str::to_owned).collect();
        fixed[0] = first.trim_start_matches('\u{feff}').to_owned();
        headers = StringRecord::from(fixed);
    }
    let matching: Vec<usize> = headers
        .iter()
        .enumerate()
        .filter(|(_, h)| *h == name_column)
        .map(|(i, _)| i)
        .collect();
    let index = match matching.as_slice() {
        [index] => *index,
        [] => {
            let columns: Vec<&str> = headers.iter().collect();
            return Err(Failure::Usage(format!(
                "--name-column {name_column:?}: {shown} has no such column (its columns: {})",
                columns.join(", ")
            )));
        }
        _ => {
            return Err(Failure::Usage(format!(
                "--name-column {name_column:?}: {shown} has more than one column of that name"
            )));
        }
    };
    let mut records = Vec::new();
    for record in reader.records() {
        records.push(record.map_err(|e| Failure::Usage(format!("{shown}: {e}")))?);
    }
    let names = records
        .iter()
        .map(|r| r.get(index).unwrap_or_default().to_owned())
        .collect();
    Ok(Input {
        path: std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
        headers,
        records,
        names,
        size: u64::try_from(bytes.len()).unwrap_or(u64::MAX),
        hash: format!("{:016x}", fnv1a64(&bytes)),
    })
}

/// FNV-1a, 64 bits: enough to tell one file from another (not a security measure).
pub(crate) fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// Writes the input rows that have a key, in input order, with a `profileKey` column (filled
/// in if the input already has one, else added). Written to a temporary file first, then
/// renamed, so a reader never sees half a file. Returns the number of rows written.
pub(crate) fn write_keys(
    out: &Path,
    input: &Input,
    keys: &HashMap<i64, String>,
) -> Result<usize, Failure> {
    let shown = out.display();
    let failed = |e: &dyn std::fmt::Display| Failure::Local(format!("cannot write {shown}: {e}"));
    let mut tmp_name = out.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(".tmp");
    let tmp = out.with_file_name(tmp_name);
    let existing = input.headers.iter().position(|h| h == KEY_COLUMN);
    let mut writer = csv::Writer::from_path(&tmp).map_err(|e| failed(&e))?;
    let mut header: Vec<&str> = input.headers.iter().collect();
    if existing.is_none() {
        header.push(KEY_COLUMN);
    }
    writer.write_record(&header).map_err(|e| failed(&e))?;
    let mut written = 0;
    for (i, record) in input.records.iter().enumerate() {
        let Some(key) = keys.get(&(i64::try_from(i).unwrap_or(i64::MAX - 1) + 1)) else {
            continue;
        };
        let mut fields: Vec<&str> = record.iter().collect();
        match existing {
            Some(at) => {
                if let Some(slot) = fields.get_mut(at) {
                    *slot = key;
                }
            }
            None => fields.push(key),
        }
        writer.write_record(&fields).map_err(|e| failed(&e))?;
        written += 1;
    }
    writer.flush().map_err(|e| failed(&e))?;
    drop(writer);
    std::fs::rename(&tmp, out).map_err(|e| failed(&e))?;
    Ok(written)
}

/// Whether two paths name the same file (the second need not exist yet).
pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    let resolve = |p: &Path| -> Option<PathBuf> {
        if let Ok(p) = p.canonicalize() {
            return Some(p);
        }
        let parent = p.parent().filter(|d| !d.as_os_str().is_empty());
        let dir = parent.unwrap_or(Path::new(".")).canonicalize().ok()?;
        Some(dir.join(p.file_name()?))
    };
    match (resolve(a), resolve(b)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str, content: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("postcore-cli-input-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join(name);
        let _ = std::fs::write(&path, content);
        path
    }

    #[test]
    fn reads_names_and_writes_keys() -> Result<(), String> {
        let path = temp("users.csv", "\u{feff}id,email\n1,a@x\n2,\"b,@x\"\n3,c@x\n");
        let input = read(&path, "email").map_err(|e| format!("{e:?}"))?;
        assert_eq!(input.names, ["a@x", "b,@x", "c@x"]);
        assert_eq!(input.headers.get(0), Some("id"));
        let keys: HashMap<i64, String> =
            [(1, "prof_a".to_owned()), (3, "prof_c".to_owned())].into();
        let out = path.with_file_name("keys.csv");
        assert_eq!(
            write_keys(&out, &input, &keys).map_err(|e| format!("{e:?}"))?,
            2
        );
        let written = std::fs::read_to_string(&out).map_err(|e| e.to_string())?;
        assert_eq!(written, "id,email,profileKey\n1,a@x,prof_a\n3,c@x,prof_c\n");
        assert!(same_file(&out, &path.with_file_name("./keys.csv")));
        assert!(!same_file(&out, &path));
        Ok(())
    }

    #[test]
    fn refuses_unknown_and_ragged_input() {
        let path = temp("ragged.csv", "id,email\n1,a@x,extra\n");
        assert!(matches!(read(&path, "email"), Err(Failure::Usage(m)) if m.contains("ragged.csv")));
        let path = temp("cols.csv", "id,mail\n1,a@x\n");
        assert!(matches!(read(&path, "email"), Err(Failure::Usage(m)) if m.contains("id, mail")));
        let path = temp("empty.csv", "");
        assert!(matches!(read(&path, "email"), Err(Failure::Usage(m)) if m.contains("header")));
    }

    #[test]
    fn fnv_is_stable() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
