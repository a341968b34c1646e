//! Integrity of results folders: when a folder is written, its record file (`meta.json`,
//! `partial.json`) gets the byte count and SHA-256 of every data file beside it (`files`);
//! `report` and `merge` verify them before reading anything, so that a damaged, truncated
//! or edited data file is refused by name instead of being read as good.
//!
//! Data files are the ones that are read back (`*.csv`, `*.parquet`, `stats.bin`, a
//! partial's `scenario.toml`), not the reports that `report` redraws from them. A variant's
//! folder has its own record. A record without `files` comes from an older contractsim and
//! is accepted as it is.

use std::collections::HashMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::export::digest::{FileDigest, hex};

use super::output;

/// The endings of data files.
const DATA: [&str; 4] = [".csv", ".parquet", ".bin", ".toml"];

/// One data file as its record lists it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct FileEntry {
    /// Its name in the folder.
    pub name: String,
    /// Its length.
    pub bytes: u64,
    /// Its SHA-256, lower-case hex.
    pub sha256: String,
}

/// The byte count and SHA-256 of a file, read as a stream.
fn digest(path: &Path) -> std::io::Result<FileDigest> {
    let mut f = fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        total += n as u64;
    }
    Ok(FileDigest { bytes: total, sha256: hex(hasher.finalize().as_slice()) })
}

/// The data files of `dir` (not in sub-folders), by name.
fn data_files(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut names = Vec::new();
    for e in fs::read_dir(dir)? {
        let e = e?;
        let name = e.file_name().to_string_lossy().into_owned();
        if e.file_type()?.is_file() && DATA.iter().any(|x| name.ends_with(x)) {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// Adds `files` (every data file of `dir`) to the record `record` of `dir`. The record's
/// text is kept byte for byte, the list appended as its last key in the same layout, so
/// that a folder written twice is the same. A file in `written` (its digest taken as it was
/// written) of the recorded length is not read again; the others are read, in parallel.
pub(crate) fn seal(dir: &Path, record: &str, written: &HashMap<PathBuf, FileDigest>) -> anyhow::Result<()> {
    use anyhow::Context;
    let path = dir.join(record);
    let text = fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let names = data_files(dir).with_context(|| format!("listing {}", dir.display()))?;
    let files = names
        .into_par_iter()
        .map(|name| {
            let file = dir.join(&name);
            let known = written.get(&file).filter(|d| fs::metadata(&file).is_ok_and(|m| m.len() == d.bytes));
            let d = match known {
                Some(d) => d.clone(),
                None => digest(&file).with_context(|| format!("reading {name}"))?,
            };
            Ok(FileEntry { name, bytes: d.bytes, sha256: d.sha256 })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let sealed = with_files(&text, &files).with_context(|| format!("{}: not a JSON object", path.display()))?;
    fs::write(&path, sealed).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// The pretty-printed JSON object `text` with `files` appended as its last key.
fn with_files(text: &str, files: &[FileEntry]) -> Option<String> {
    let trimmed = text.trim_end();
    let tail = &text[trimmed.len()..];
    let body = trimmed.strip_suffix('}')?.trim_end();
    #[derive(serde::Serialize)]
    struct Files<'a> {
        files: &'a [FileEntry],
    }
    let list = serde_json::to_string_pretty(&Files { files }).ok()?;
    let inner = list.strip_prefix('{')?.strip_suffix('}')?;
    let sep = if body.ends_with('{') { "" } else { "," };
    let out = format!("{body}{sep}{inner}}}{tail}");
    serde_json::from_str::<serde_json::Value>(&out).ok()?;
    Some(out)
}

/// Verifies the data files that the record `record` of `dir` lists: each present, a regular
/// file, of its recorded length and SHA-256. One message per damaged file, naming it.
pub(crate) fn verify(dir: &Path, record: &str) -> Result<(), String> {
    let path = dir.join(record);
    let bytes = output::read_bounded(&path, output::MAX_RECORD_BYTES)
        .map_err(|e| format!("{}: expected a record of contractsim, found {e}", path.display()))?;
    let v: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| format!("{}: expected JSON, found {e}", path.display()))?;
    let Some(files) = v.get("files") else { return Ok(()) };
    let files: Vec<FileEntry> = serde_json::from_value(files.clone()).map_err(|e| {
        format!("{}: key `files`: expected a list of name, bytes and sha256, found {e}", path.display())
    })?;
    let mut bad = Vec::new();
    for f in &files {
        let plain = !f.name.is_empty() && !f.name.contains(['/', '\\']) && f.name != "." && f.name != "..";
        if !plain {
            bad.push(format!("{}: key `files`: expected a file name, found `{}`", path.display(), f.name));
            continue;
        }
        let file = dir.join(&f.name);
        let expected = format!("{} bytes with SHA-256 {} (as {record} records)", f.bytes, f.sha256);
        let damaged = |found: String| {
            format!("{}: expected {expected}, found {found}; the folder is damaged, write it again", file.display())
        };
        match output::read_bounded_len(&file, u64::MAX / 2) {
            Err(e) => bad.push(damaged(e)),
            Ok(len) if len != f.bytes => bad.push(damaged(format!("{len} bytes"))),
            Ok(_) => match digest(&file) {
                Err(e) => bad.push(damaged(e.to_string())),
                Ok(d) if d.sha256 != f.sha256 => bad.push(damaged(format!("SHA-256 {}", d.sha256))),
                Ok(_) => {}
            },
        }
    }
    if bad.is_empty() { Ok(()) } else { Err(bad.join("\n")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_appended_in_the_records_layout() {
        let meta = serde_json::to_string_pretty(&serde_json::json!({ "tool": "contractsim", "runs": 3 })).unwrap();
        let files = [FileEntry { name: "a.csv".into(), bytes: 1, sha256: "ab".into() }];
        let sealed = with_files(&format!("{meta}\n"), &files).unwrap();
        let want = "{\n  \"runs\": 3,\n  \"tool\": \"contractsim\",\n  \"files\": [\n    {\n      \"name\": \"a.csv\",\n      \
                    \"bytes\": 1,\n      \"sha256\": \"ab\"\n    }\n  ]\n}\n";
        assert_eq!(sealed, want);
    }

    #[test]
    fn a_damaged_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("yearly.csv"), "a,b\n1,2\n").unwrap();
        fs::write(dir.path().join("summary.png"), "not data").unwrap();
        fs::write(dir.path().join("meta.json"), "{\n  \"tool\": \"contractsim\"\n}\n").unwrap();
        seal(dir.path(), "meta.json", &HashMap::new()).unwrap();
        let meta = fs::read_to_string(dir.path().join("meta.json")).unwrap();
        assert!(meta.contains("\"name\": \"yearly.csv\"") && !meta.contains("summary.png"), "{meta}");
        assert_eq!(verify(dir.path(), "meta.json"), Ok(()));
        fs::write(dir.path().join("yearly.csv"), "a,b\n1,3\n").unwrap();
        let e = verify(dir.path(), "meta.json").unwrap_err();
        assert!(e.contains("yearly.csv: expected 8 bytes with SHA-256 ") && e.contains("found SHA-256 "), "{e}");
        fs::write(dir.path().join("yearly.csv"), "a,b\n").unwrap();
        let e = verify(dir.path(), "meta.json").unwrap_err();
        assert!(e.contains("found 4 bytes; the folder is damaged"), "{e}");
        fs::remove_file(dir.path().join("yearly.csv")).unwrap();
        assert!(verify(dir.path(), "meta.json").unwrap_err().contains("yearly.csv: expected 8 bytes"));
    }

    #[test]
    fn digests_taken_while_writing_seal_as_reading_the_files_does() {
        use crate::export::digest::Digesting;
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let record = "{\n  \"tool\": \"contractsim\"\n}\n";
        let mut written = HashMap::new();
        // Streamed in a small and a large write (written and hashed at once).
        let path = dir.path().join("stats.bin");
        let bytes: Vec<u8> = (0..3_000_000u32).map(|i| (i % 253) as u8).collect();
        let mut w = Digesting::new(fs::File::create(&path).unwrap());
        w.write_all(&bytes[..10]).unwrap();
        w.write_all(&bytes[10..]).unwrap();
        written.insert(path, w.finish().1);
        // Recorded with another length (a stale record): read instead.
        fs::write(dir.path().join("yearly.csv"), "a,b\n1,2\n").unwrap();
        written.insert(dir.path().join("yearly.csv"), FileDigest::of(b"a,b\n"));
        // Not recorded: read.
        fs::write(dir.path().join("summary.csv"), "x\n").unwrap();
        let sealed = |written: &HashMap<PathBuf, FileDigest>| {
            fs::write(dir.path().join("meta.json"), record).unwrap();
            seal(dir.path(), "meta.json", written).unwrap();
            fs::read_to_string(dir.path().join("meta.json")).unwrap()
        };
        let from_writing = sealed(&written);
        let from_reading = sealed(&HashMap::new());
        assert_eq!(from_writing, from_reading);
        assert!(from_reading.contains("\"bytes\": 3000000") && from_reading.contains("\"bytes\": 8"), "{from_reading}");
        assert_eq!(verify(dir.path(), "meta.json"), Ok(()));
    }
}
