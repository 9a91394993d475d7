//! An import's files: the input CSV (read whole, fingerprinted) and the `--out` CSV written
//! from the state.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use csv::StringRecord;

use crate::failure::Failure;

/// The input CSV, as read.
pub(crate) struct Input {
    pub(crate) path: PathBuf,
    pub(crate) headers: StringRecord,
    pub(crate) records: Vec<StringRecord>,
    pub(crate) size: u64,
    pub(crate) hash: String,
}

impl Input {
    /// The index of the column named `name`; `None` if there is none, a usage error if there
    /// are several. `flag` says in messages where the name came from (`--name-column`).
    pub(crate) fn column(&self, name: &str, flag: &str) -> Result<Option<usize>, Failure> {
        let matching: Vec<usize> = self
            .headers
            .iter()
            .enumerate()
            .filter(|(_, h)| *h == name)
            .map(|(i, _)| i)
            .collect();
        match matching.as_slice() {
            [] => Ok(None),
            [index] => Ok(Some(*index)),
            _ => Err(Failure::Usage(format!(
                "{flag}{name:?}: {} has more than one column of that name",
                self.path.display()
            ))),
        }
    }

    /// Like [`Input::column`], but the column must be there.
    pub(crate) fn required_column(&self, name: &str, flag: &str) -> Result<usize, Failure> {
        self.column(name, flag)?.ok_or_else(|| {
            let columns: Vec<&str> = self.headers.iter().collect();
            Failure::Usage(format!(
                "{flag}{name:?}: {} has no such column (its columns: {})",
                self.path.display(),
                columns.join(", ")
            ))
        })
    }

    /// The values of one column, row by row.
    pub(crate) fn values(&self, index: usize) -> Vec<String> {
        self.records
            .iter()
            .map(|r| r.get(index).unwrap_or_default().to_owned())
            .collect()
    }

    /// The folder relative paths in the CSV are read from.
    pub(crate) fn folder(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }
}

/// Reads the CSV at `path`: a header row, then records of the same length.
pub(crate) fn read(path: &Path) -> Result<Input, Failure> {
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
    let mut records = Vec::new();
    for record in reader.records() {
        records.push(record.map_err(|e| Failure::Usage(format!("{shown}: {e}")))?);
    }
    Ok(Input {
        path: std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
        headers,
        records,
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

/// Writes the input rows that have values for `columns` (by row number), in input order,
/// with those columns filled in where the input has them and added at the end where it does
/// not. Written to a temporary file first, then renamed, so a reader never sees half a file.
/// Returns the number of rows written.
pub(crate) fn write_rows(
    out: &Path,
    input: &Input,
    columns: &[&str],
    values: &HashMap<i64, Vec<String>>,
) -> Result<usize, Failure> {
    let shown = out.display();
    let failed = |e: &dyn std::fmt::Display| Failure::Local(format!("cannot write {shown}: {e}"));
    let mut tmp_name = out.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(".tmp");
    let tmp = out.with_file_name(tmp_name);
    let mut header: Vec<&str> = input.headers.iter().collect();
    let mut at = Vec::with_capacity(columns.len());
    for column in columns {
        match input.headers.iter().position(|h| h == *column) {
            Some(i) => at.push(i),
            None => {
                at.push(header.len());
                header.push(column);
            }
        }
    }
    let mut writer = csv::Writer::from_path(&tmp).map_err(|e| failed(&e))?;
    writer.write_record(&header).map_err(|e| failed(&e))?;
    let mut written = 0;
    for (i, record) in input.records.iter().enumerate() {
        let Some(row_values) = values.get(&super::state::row_number(i)) else {
            continue;
        };
        let mut fields: Vec<&str> = record.iter().collect();
        fields.resize(header.len(), "");
        for (slot, value) in at.iter().zip(row_values) {
            if let Some(field) = fields.get_mut(*slot) {
                *field = value;
            }
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
    fn reads_columns_and_writes_rows() -> Result<(), String> {
        let path = temp("users.csv", "\u{feff}id,email\n1,a@x\n2,\"b,@x\"\n3,c@x\n");
        let input = read(&path).map_err(|e| format!("{e:?}"))?;
        let email = input
            .required_column("email", "--name-column ")
            .map_err(|e| format!("{e:?}"))?;
        assert_eq!(input.values(email), ["a@x", "b,@x", "c@x"]);
        assert_eq!(input.headers.get(0), Some("id"));
        let keys: HashMap<i64, Vec<String>> = [
            (1, vec!["prof_a".to_owned()]),
            (3, vec!["prof_c".to_owned()]),
        ]
        .into();
        let out = path.with_file_name("keys.csv");
        assert_eq!(
            write_rows(&out, &input, &["profileKey"], &keys).map_err(|e| format!("{e:?}"))?,
            2
        );
        let written = std::fs::read_to_string(&out).map_err(|e| e.to_string())?;
        assert_eq!(written, "id,email,profileKey\n1,a@x,prof_a\n3,c@x,prof_c\n");
        // An existing column is filled in, a missing one added.
        let values: HashMap<i64, Vec<String>> =
            [(2, vec!["B".to_owned(), "x;y".to_owned()])].into();
        write_rows(&out, &input, &["email", "ids"], &values).map_err(|e| format!("{e:?}"))?;
        let written = std::fs::read_to_string(&out).map_err(|e| e.to_string())?;
        assert_eq!(written, "id,email,ids\n2,B,x;y\n");
        assert!(same_file(&out, &path.with_file_name("./keys.csv")));
        assert!(!same_file(&out, &path));
        Ok(())
    }

    #[test]
    fn refuses_unknown_and_ragged_input() {
        let path = temp("ragged.csv", "id,email\n1,a@x,extra\n");
        assert!(matches!(read(&path), Err(Failure::Usage(m)) if m.contains("ragged.csv")));
        let path = temp("cols.csv", "id,mail\n1,a@x\n");
        let input = read(&path).map(|i| i.required_column("email", "--name-column "));
        assert!(matches!(input, Ok(Err(Failure::Usage(m))) if m.contains("id, mail")));
        let path = temp("twice.csv", "email,email\n1,2\n");
        let input = read(&path).map(|i| i.column("email", ""));
        assert!(matches!(input, Ok(Err(Failure::Usage(m))) if m.contains("more than one")));
        let path = temp("empty.csv", "");
        assert!(matches!(read(&path), Err(Failure::Usage(m)) if m.contains("header")));
    }

    #[test]
    fn fnv_is_stable() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
