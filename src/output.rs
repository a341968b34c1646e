//! Writing a results folder atomically: all files go to a temporary folder next to the
//! destination, which then replaces the destination by renames. A run that fails or is
//! stopped midway leaves the previous results untouched.

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

/// Writes `files` (name, contents) as the folder `dest`, replacing it as a whole.
pub fn write_folder(dest: &Path, files: &[(String, Vec<u8>)]) -> Result<(), OutputError> {
    let parent = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(io("creating", &parent))?;
    let name = dest.file_name().map_or("results".into(), |n| n.to_string_lossy().into_owned());
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    let result = (|| {
        if tmp.exists() {
            fs::remove_dir_all(&tmp).map_err(io("removing", &tmp))?;
        }
        fs::create_dir(&tmp).map_err(io("creating", &tmp))?;
        for (file, bytes) in files {
            let path = tmp.join(file);
            let mut f = fs::File::create(&path).map_err(io("creating", &path))?;
            f.write_all(bytes).map_err(io("writing", &path))?;
            f.sync_all().map_err(io("writing", &path))?;
        }
        if dest.exists() {
            fs::rename(dest, &old).map_err(io("moving aside", dest))?;
            if let Err(e) = fs::rename(&tmp, dest) {
                // Put the previous results back before reporting.
                let _ = fs::rename(&old, dest);
                return Err(io("moving into place", dest)(e));
            }
            fs::remove_dir_all(&old).map_err(io("removing", &old))?;
        } else {
            fs::rename(&tmp, dest).map_err(io("moving into place", dest))?;
        }
        Ok(())
    })();
    if result.is_err() && tmp.exists() {
        let _ = fs::remove_dir_all(&tmp);
    }
    result
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
