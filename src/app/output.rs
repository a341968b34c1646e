//! Writing a results folder atomically: all files go to a temporary folder next to the
//! destination, which then replaces the destination by renames. A run that fails or is
//! stopped midway leaves the previous results untouched. Temporary folders left by a
//! process that was killed outright are cleaned up by the next write, and a results folder
//! of another scenario is not replaced unless the caller says so ([`check_destination`]).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Errors while writing a results folder.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// A file system operation failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// Where.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

fn io<'p>(action: &'static str, path: &'p Path) -> impl FnOnce(std::io::Error) -> OutputError + 'p {
    move |source| OutputError::Io { action, path: path.to_path_buf(), source }
}

/// Why a destination folder may not be replaced without `--force`.
#[derive(Debug, thiserror::Error, PartialEq)]
pub(crate) enum DestinationError {
    /// The destination exists and is not a folder.
    #[error("{dest}: expected a results folder, found a file; choose another `--out`")]
    NotAFolder {
        /// The destination.
        dest: PathBuf,
    },
    /// The destination holds the results of another scenario file.
    #[error(
        "{dest}: expected results of {file} or an empty folder, found results of {recorded} (meta.json); \
         use another `--out`, or `--force` to replace them"
    )]
    OtherScenario {
        /// The destination.
        dest: PathBuf,
        /// The scenario being run.
        file: PathBuf,
        /// The scenario named in the folder's meta.json.
        recorded: String,
    },
    /// The destination is a non-empty folder without a readable meta.json.
    #[error(
        "{dest}: expected a contractsim results folder (with meta.json) or an empty folder, found {found}; \
         use another `--out`, or `--force` to replace the folder"
    )]
    NotResults {
        /// The destination.
        dest: PathBuf,
        /// What is there.
        found: String,
    },
}

/// Checks that `dest` may be replaced by the results of scenario `file` (content hash
/// `sha256`): it does not exist, is an empty folder, or is a results folder whose
/// `meta.json` names the same scenario. The same scenario means the same SHA-256, or a
/// recorded `scenario_file` that resolves (from the current folder) to the same file, or,
/// when the recorded file no longer exists, the same file name.
pub(crate) fn check_destination(dest: &Path, file: &Path, sha256: &str) -> Result<(), DestinationError> {
    let Ok(meta) = fs::symlink_metadata(dest) else { return Ok(()) };
    if !meta.is_dir() {
        return Err(DestinationError::NotAFolder { dest: dest.to_path_buf() });
    }
    let entries: Vec<String> = fs::read_dir(dest)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned())).collect())
        .unwrap_or_default();
    if entries.is_empty() {
        return Ok(());
    }
    let recorded = fs::read(dest.join("meta.json"))
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|v| {
            let file = v.get("scenario_file")?.as_str()?.to_string();
            let sha = v.get("scenario_sha256").and_then(|s| s.as_str()).unwrap_or("").to_string();
            Some((file, sha))
        });
    let Some((recorded, recorded_sha)) = recorded else {
        let mut shown: Vec<String> = entries.iter().take(3).cloned().collect();
        if entries.len() > 3 {
            shown.push("...".into());
        }
        return Err(DestinationError::NotResults {
            dest: dest.to_path_buf(),
            found: format!("{} file(s) and no contractsim meta.json ({})", entries.len(), shown.join(", ")),
        });
    };
    let same = recorded_sha == sha256
        || match (fs::canonicalize(&recorded), fs::canonicalize(file)) {
            (Ok(a), Ok(b)) => a == b,
            (Err(_), _) => Path::new(&recorded).file_name() == file.file_name(),
            _ => false,
        };
    if same {
        Ok(())
    } else {
        Err(DestinationError::OtherScenario { dest: dest.to_path_buf(), file: file.to_path_buf(), recorded })
    }
}

/// Removes the temporary folders `.NAME.tmp-PID` and `.NAME.old-PID` that a process killed
/// outright (SIGKILL, power loss) left next to `dest`; an `.old` folder is moved back to
/// `dest` when `dest` is missing (the process died between the two renames). Only folders
/// of processes that no longer run are touched; where that cannot be known (no `/proc`),
/// nothing is.
fn clean_stale(parent: &Path, name: &str) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = fs::read_dir(parent) else { return };
    let dest = parent.join(name);
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = file.strip_prefix(&format!(".{name}.")) else { continue };
        let (kind, pid) = match rest.split_once('-') {
            Some((k @ ("tmp" | "old"), pid)) => (k, pid),
            _ => continue,
        };
        let Ok(pid) = pid.parse::<u32>() else { continue };
        if pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        if kind == "old" && !dest.exists() {
            let _ = fs::rename(e.path(), &dest);
        } else {
            let _ = fs::remove_dir_all(e.path());
        }
    }
}

/// Writes `files` (name, contents) as the folder `dest`, replacing it as a whole.
pub(crate) fn write_folder(dest: &Path, files: &[(String, Vec<u8>)]) -> Result<(), OutputError> {
    let staging = Staging::new(dest)?;
    for (file, bytes) in files {
        staging.write(file, bytes)?;
    }
    staging.commit()
}

/// A results folder being written: a temporary folder next to the destination, which
/// [`Staging::commit`] moves into place as a whole. Dropped without a commit (an error, a
/// stop), it is removed and the destination stays as it was. Large files can be streamed
/// into [`Staging::path`] while a run is under way.
#[derive(Debug)]
pub(crate) struct Staging {
    dest: PathBuf,
    tmp: PathBuf,
    old: PathBuf,
    done: bool,
}

impl Staging {
    /// Creates the temporary folder for `dest`.
    pub fn new(dest: &Path) -> Result<Self, OutputError> {
        let parent = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).map_err(io("creating", &parent))?;
        let name = dest.file_name().map_or("results".into(), |n| n.to_string_lossy().into_owned());
        clean_stale(&parent, &name);
        let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        let old = parent.join(format!(".{name}.old-{}", std::process::id()));
        if tmp.exists() {
            fs::remove_dir_all(&tmp).map_err(io("removing", &tmp))?;
        }
        fs::create_dir(&tmp).map_err(io("creating", &tmp))?;
        Ok(Staging { dest: dest.to_path_buf(), tmp, old, done: false })
    }

    /// The temporary folder, for files streamed into it.
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// Writes one file into the temporary folder.
    pub fn write(&self, file: &str, bytes: &[u8]) -> Result<(), OutputError> {
        let path = self.tmp.join(file);
        let mut f = fs::File::create(&path).map_err(io("creating", &path))?;
        f.write_all(bytes).map_err(io("writing", &path))?;
        f.sync_all().map_err(io("writing", &path))
    }

    /// Moves the folder into place, replacing the destination as a whole.
    pub fn commit(mut self) -> Result<(), OutputError> {
        let (dest, tmp, old) = (&self.dest, &self.tmp, &self.old);
        if dest.exists() {
            fs::rename(dest, old).map_err(io("moving aside", dest))?;
            if let Err(e) = fs::rename(tmp, dest) {
                // Put the previous results back before reporting.
                let _ = fs::rename(old, dest);
                return Err(io("moving into place", dest)(e));
            }
            self.done = true;
            fs::remove_dir_all(old).map_err(io("removing", old))?;
        } else {
            fs::rename(tmp, dest).map_err(io("moving into place", dest))?;
            self.done = true;
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.done && self.tmp.exists() {
            let _ = fs::remove_dir_all(&self.tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_a_folder_whole() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("out");
        write_folder(&dest, &[("a.txt".into(), b"one".to_vec()), ("b.txt".into(), b"two".to_vec())]).unwrap();
        assert_eq!(fs::read(dest.join("a.txt")).unwrap(), b"one");
        write_folder(&dest, &[("a.txt".into(), b"three".to_vec())]).unwrap();
        assert_eq!(fs::read(dest.join("a.txt")).unwrap(), b"three");
        assert!(!dest.join("b.txt").exists(), "the old folder is replaced, not merged");
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(leftovers.len(), 1, "{leftovers:?}");
    }

    #[test]
    fn stale_temporary_folders_of_dead_processes_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("out");
        // PID 0 is never a user process, so no /proc/0 exists.
        fs::create_dir(dir.path().join(".out.tmp-0")).unwrap();
        fs::create_dir(dir.path().join(".out.old-0")).unwrap();
        fs::write(dir.path().join(".out.old-0/a.txt"), b"previous").unwrap();
        write_folder(&dest, &[("b.txt".into(), b"new".to_vec())]).unwrap();
        let mut left: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        left.sort();
        if Path::new("/proc/self").exists() {
            assert_eq!(left, vec![std::ffi::OsString::from("out")]);
        }
        assert_eq!(fs::read(dest.join("b.txt")).unwrap(), b"new");
    }

    #[test]
    fn a_folder_of_another_scenario_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("out");
        let a = dir.path().join("a.toml");
        let b = dir.path().join("b.toml");
        fs::write(&a, "a").unwrap();
        fs::write(&b, "b").unwrap();
        assert_eq!(check_destination(&dest, &a, "sha-a"), Ok(()), "a missing folder is fine");
        fs::create_dir(&dest).unwrap();
        assert_eq!(check_destination(&dest, &a, "sha-a"), Ok(()), "an empty folder is fine");
        let meta = format!(r#"{{"scenario_file": "{}", "scenario_sha256": "sha-a"}}"#, a.display());
        fs::write(dest.join("meta.json"), meta).unwrap();
        assert_eq!(check_destination(&dest, &a, "sha-a2"), Ok(()), "same file, edited");
        assert_eq!(check_destination(&dest, &b, "sha-a"), Ok(()), "same contents, copied");
        let e = check_destination(&dest, &b, "sha-b").unwrap_err().to_string();
        assert!(e.contains("found results of") && e.contains("a.toml") && e.contains("--force"), "{e}");
        fs::write(dest.join("meta.json"), "not json").unwrap();
        let e = check_destination(&dest, &a, "sha-a").unwrap_err().to_string();
        assert!(e.contains("no contractsim meta.json") && e.contains("--force"), "{e}");
        let e = check_destination(&a, &a, "sha-a").unwrap_err().to_string();
        assert!(e.contains("found a file"), "{e}");
    }

    #[test]
    fn a_failed_write_keeps_the_previous_results() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("out");
        write_folder(&dest, &[("a.txt".into(), b"one".to_vec())]).unwrap();
        // A file name that cannot be created (a sub-folder that does not exist) fails midway.
        let err = write_folder(&dest, &[("ok.txt".into(), b"x".to_vec()), ("missing/x.txt".into(), b"y".to_vec())]);
        assert!(err.is_err());
        assert_eq!(fs::read(dest.join("a.txt")).unwrap(), b"one");
        assert!(!dest.join("ok.txt").exists());
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(leftovers.len(), 1, "{leftovers:?}");
    }
}
