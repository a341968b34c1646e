//! Writing a results folder atomically: all files go to a temporary folder next to the
//! destination, which then replaces the destination by renames. A run that fails or is
//! stopped midway leaves the previous results untouched. Temporary folders left by a
//! process that was killed outright are cleaned up by the next write, and a results folder
//! of another scenario is not replaced unless the caller says so ([`check_destination`]).

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::export::digest::FileDigest;

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
    /// Another process is writing the same destination (its lock file is held).
    #[error(
        "{dest}: another contractsim is writing this folder ({holder}); wait until it has finished, or, if \
         that process no longer runs, remove {lock}"
    )]
    Busy {
        /// The destination.
        dest: PathBuf,
        /// Who holds the lock, as its lock file says.
        holder: String,
        /// The lock file.
        lock: PathBuf,
    },
}

/// The folders this process is writing: (temporary folder, lock file, destination), one
/// per [`Staging`] alive. A commit holds the mutex while it renames, so [`abandon_all`]
/// never sees a folder half moved into place.
static WRITING: std::sync::Mutex<Vec<(PathBuf, PathBuf, PathBuf)>> = std::sync::Mutex::new(Vec::new());

fn writing() -> std::sync::MutexGuard<'static, Vec<(PathBuf, PathBuf, PathBuf)>> {
    WRITING.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Removes every temporary folder and lock of the folders this process is writing, and
/// returns their destinations, which are as they were: for a process that must end at once
/// (a stop not honoured in time). Holds the registry's mutex until the process ends, so no
/// commit starts after it.
pub(crate) fn abandon_all() -> Vec<PathBuf> {
    let mut w = writing();
    let dests = w.iter().map(|(_, _, d)| d.clone()).collect();
    for (tmp, lock, _) in w.drain(..) {
        let _ = fs::remove_dir_all(&tmp);
        let _ = fs::remove_file(&lock);
    }
    std::mem::forget(w);
    dests
}

/// A lock file older than this, written on another host (whose processes cannot be
/// looked up), is taken to be left by a process that no longer runs: no batch may be
/// estimated above 24 hours (`guard`), so this is twice the longest write.
pub(crate) const STALE_LOCK_SECS: u64 = 48 * 3600;

/// The host this process runs on, as lock files name it.
fn host_name() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|f| fs::read_to_string(f).ok().map(|h| h.trim().to_string()).filter(|h| !h.is_empty()))
        .or_else(|| std::env::var("HOSTNAME").ok().filter(|h| !h.is_empty()))
        .unwrap_or_else(|| "unknown".into())
}

/// Seconds since the Unix epoch.
fn now_secs() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// The lock a writer holds on a destination while it writes: `.NAME.lock` beside it, made
/// with `create_new` and holding `host=`, `pid=` and `since=` (Unix seconds). Removed when
/// dropped (the write committed or abandoned).
#[derive(Debug)]
struct Lock {
    path: PathBuf,
}

/// Who a lock file names.
#[derive(Debug, Default, PartialEq)]
struct Holder {
    host: String,
    pid: u32,
    since: u64,
}

impl Holder {
    fn parse(text: &str) -> Option<Holder> {
        let mut h = Holder::default();
        let (mut host, mut pid, mut since) = (false, false, false);
        for line in text.lines() {
            match line.split_once('=') {
                Some(("host", v)) => (h.host, host) = (v.to_string(), true),
                Some(("pid", v)) => (h.pid, pid) = (v.parse().ok()?, true),
                Some(("since", v)) => (h.since, since) = (v.parse().ok()?, true),
                _ => {}
            }
        }
        (host && pid && since).then_some(h)
    }

    /// Whether the process may still be writing: on this host, whether it runs (where
    /// `/proc` can tell; otherwise by age); on another host, by the lock's age.
    fn may_run(&self, here: &str, now: u64) -> bool {
        if self.host == here && Path::new("/proc/self").exists() {
            return self.pid == std::process::id() || Path::new(&format!("/proc/{}", self.pid)).exists();
        }
        now.saturating_sub(self.since) < STALE_LOCK_SECS
    }
}

impl Lock {
    /// Takes the lock on `dest` (named `name` in `parent`), or says who holds it. A lock
    /// whose holder no longer runs (see [`Holder::may_run`]) is taken over; so is one that
    /// cannot be read and is older than a minute (its writer died before it wrote it).
    fn take(parent: &Path, name: &str, dest: &Path) -> Result<Lock, OutputError> {
        let path = parent.join(format!(".{name}.lock"));
        let here = host_name();
        for _ in 0..3 {
            match fs::OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut f) => {
                    let me = format!("host={here}\npid={}\nsince={}\n", std::process::id(), now_secs());
                    f.write_all(me.as_bytes()).and_then(|()| f.sync_all()).map_err(io("writing", &path))?;
                    return Ok(Lock { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let text = fs::read_to_string(&path).unwrap_or_default();
                    let now = now_secs();
                    let busy = match Holder::parse(&text) {
                        Some(h) if h.may_run(&here, now) => Some(format!(
                            "process {} on host {}, since {} seconds ago",
                            h.pid,
                            h.host,
                            now.saturating_sub(h.since)
                        )),
                        Some(_) => None,
                        None => {
                            let age = fs::metadata(&path)
                                .and_then(|m| m.modified())
                                .ok()
                                .and_then(|t| t.elapsed().ok())
                                .map_or(0, |d| d.as_secs());
                            (age < 60).then(|| "a lock file still being written".to_string())
                        }
                    };
                    if let Some(holder) = busy {
                        return Err(OutputError::Busy { dest: dest.to_path_buf(), holder, lock: path });
                    }
                    let _ = fs::remove_file(&path);
                }
                Err(e) => return Err(io("locking", &path)(e)),
            }
        }
        Err(OutputError::Busy { dest: dest.to_path_buf(), holder: "another process, just now".into(), lock: path })
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

fn io<'p>(action: &'static str, path: &'p Path) -> impl FnOnce(std::io::Error) -> OutputError + 'p {
    move |source| OutputError::Io { action, path: path.to_path_buf(), source }
}

/// What a command writes into a results folder. Each kind of folder is recognised by the
/// file that only it has, and names its scenario in a record file (`scenario_file`,
/// `scenario_sha256`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The results of `run`, `merge` or `report` (`meta.json`).
    Results,
    /// The results of `sensitivity` (`tornado.csv` next to `meta.json`).
    Sensitivity,
    /// A grid of `sweep` (`sweep.csv`, recorded in `sweep.json`).
    Sweep,
    /// One shard of `run --shard` (`partial.json`).
    Partial,
}

impl Kind {
    /// The kinds, in the order they are recognised: the file only that kind has, and the
    /// file that names its scenario.
    const MARKERS: [(Kind, &'static str, &'static str); 4] = [
        (Kind::Partial, "partial.json", "partial.json"),
        (Kind::Sweep, "sweep.csv", SWEEP_JSON),
        (Kind::Sensitivity, "tornado.csv", "meta.json"),
        (Kind::Results, "meta.json", "meta.json"),
    ];

    /// What a folder of this kind holds, as a message says it.
    fn describe(self) -> &'static str {
        match self {
            Kind::Results => "results",
            Kind::Sensitivity => "sensitivity results",
            Kind::Sweep => "a sweep",
            Kind::Partial => "a partial result (`run --shard`)",
        }
    }

    /// The kind of a folder with these file names, and its record file.
    fn of(entries: &[String]) -> Option<(Kind, &'static str)> {
        Kind::MARKERS.iter().find(|(_, marker, _)| entries.iter().any(|e| e == marker)).map(|&(k, _, r)| (k, r))
    }
}

/// The record of a sweep folder: the scenario it belongs to (written by `sweep`).
pub(crate) const SWEEP_JSON: &str = "sweep.json";

/// What is about to be written to a destination: a folder of `kind` for the scenario
/// `file` (content hash `sha256`), read from `inputs` (scenario files, source folders),
/// which the destination may not hold.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Claim<'a> {
    /// The kind of folder written.
    pub kind: Kind,
    /// The scenario file it belongs to.
    pub file: &'a Path,
    /// Its SHA-256.
    pub sha256: &'a str,
    /// Files and folders read to write it.
    pub inputs: &'a [&'a Path],
}

/// Why a destination may not be written. The first four are refused even with `--force`.
#[derive(Debug, thiserror::Error, PartialEq)]
pub(crate) enum DestinationError {
    /// The destination exists and is not a folder.
    #[error("{dest}: expected a results folder, found {found}; choose another `--out`")]
    NotAFolder {
        /// The destination.
        dest: PathBuf,
        /// What is there.
        found: &'static str,
    },
    /// The destination names no folder (`.`, `..`, `/`).
    #[error("{dest}: expected the name of a results folder, found `{dest}`; give a folder name, e.g. `--out results`")]
    NoName {
        /// The destination.
        dest: PathBuf,
    },
    /// The folder the destination would be made in is not a folder.
    #[error("{dest}: expected {parent} to be a folder, found {found}; choose another `--out`")]
    ParentNotAFolder {
        /// The destination.
        dest: PathBuf,
        /// Its nearest existing ancestor.
        parent: PathBuf,
        /// What that is.
        found: &'static str,
    },
    /// Replacing the destination would delete something the command reads or runs in.
    #[error(
        "{dest}: expected a results folder that holds none of the command's inputs, found {input} in it; \
         replacing it would delete that; choose another `--out`"
    )]
    HoldsInput {
        /// The destination.
        dest: PathBuf,
        /// The input (or the current folder) inside it.
        input: PathBuf,
    },
    /// The destination holds another scenario's results, or another kind of folder.
    #[error(
        "{dest}: expected {want} of {file} or an empty folder, found {found} of {recorded} ({record}); \
         use another `--out`, or `--force` to replace them"
    )]
    OtherScenario {
        /// The destination.
        dest: PathBuf,
        /// What is being written.
        want: &'static str,
        /// The scenario being written.
        file: PathBuf,
        /// What the folder holds.
        found: &'static str,
        /// The scenario named in the folder's record.
        recorded: String,
        /// The file that told.
        record: &'static str,
    },
    /// The destination is a non-empty folder that contractsim did not write.
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
    /// Two scenarios of one command would write the same folder.
    #[error(
        "{dest}: expected one results folder per scenario, found both {first} and {second} writing there; \
         run them separately, each with its own `--out`"
    )]
    Twice {
        /// The destination.
        dest: PathBuf,
        /// The first scenario.
        first: PathBuf,
        /// The second.
        second: PathBuf,
    },
}

/// A destination that passed [`check_destination`]: the only thing a results folder can be
/// written to, so that every command goes through the same rule.
#[derive(Debug, Clone)]
pub(crate) struct Destination {
    path: PathBuf,
}

impl Destination {
    /// The folder.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// What a path is, for messages: `None` for a folder (following no link).
fn not_a_folder(meta: &fs::Metadata) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    Some(if t.is_dir() {
        return None;
    } else if t.is_symlink() {
        "a symbolic link"
    } else if t.is_file() {
        "a file"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_block_device() || t.is_char_device() {
        "a device"
    } else {
        "something other than a folder"
    })
}

/// The one rule for every command that writes a results folder. `dest` may be written when
/// it does not exist (and can be made: its nearest existing ancestor is a folder), is an
/// empty folder, or holds a folder of the same kind for the same scenario: the same
/// SHA-256, or a recorded `scenario_file` that resolves (from the current folder) to the
/// same file, or, when that file no longer exists, the same file name. `force` allows
/// replacing any other folder. Never allowed, whatever `force` says: a destination that is
/// not a folder (a file, a link, a device), that names no folder (`.`), or that holds one of
/// the `inputs` or the current folder.
pub(crate) fn check_destination(dest: &Path, claim: &Claim<'_>, force: bool) -> Result<Destination, DestinationError> {
    let ok = || Ok(Destination { path: dest.to_path_buf() });
    if dest.file_name().is_none() || dest.as_os_str().is_empty() {
        return Err(DestinationError::NoName { dest: dest.to_path_buf() });
    }
    let Ok(meta) = fs::symlink_metadata(dest) else {
        // The folder is made in its nearest existing ancestor, which must be a folder.
        if let Some(parent) = dest.ancestors().skip(1).find(|p| !p.as_os_str().is_empty() && fs::metadata(p).is_ok())
            && let Some(found) = fs::metadata(parent).ok().as_ref().and_then(not_a_folder)
        {
            return Err(DestinationError::ParentNotAFolder {
                dest: dest.to_path_buf(),
                parent: parent.to_path_buf(),
                found,
            });
        }
        return ok();
    };
    if let Some(found) = not_a_folder(&meta) {
        return Err(DestinationError::NotAFolder { dest: dest.to_path_buf(), found });
    }
    if let Ok(inside) = fs::canonicalize(dest) {
        let cwd = std::env::current_dir().ok();
        for input in claim.inputs.iter().map(|p| p.to_path_buf()).chain(cwd) {
            if fs::canonicalize(&input).is_ok_and(|p| p.starts_with(&inside)) {
                return Err(DestinationError::HoldsInput { dest: dest.to_path_buf(), input });
            }
        }
    }
    let entries: Vec<String> = fs::read_dir(dest)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned())).collect())
        .unwrap_or_default();
    if entries.is_empty() || force {
        return ok();
    }
    let recorded = Kind::of(&entries).and_then(|(kind, record)| {
        let v = read_json(&dest.join(record))?;
        let file = v.get("scenario_file")?.as_str()?.to_string();
        let sha = v.get("scenario_sha256").and_then(|s| s.as_str()).unwrap_or("").to_string();
        Some((kind, record, file, sha))
    });
    let Some((kind, record, recorded, recorded_sha)) = recorded else {
        let mut shown: Vec<String> = entries.iter().take(3).cloned().collect();
        if entries.len() > 3 {
            shown.push("...".into());
        }
        return Err(DestinationError::NotResults {
            dest: dest.to_path_buf(),
            found: format!("{} file(s) and no contractsim meta.json ({})", entries.len(), shown.join(", ")),
        });
    };
    let same = recorded_sha == claim.sha256
        || match (fs::canonicalize(&recorded), fs::canonicalize(claim.file)) {
            (Ok(a), Ok(b)) => a == b,
            (Err(_), _) => Path::new(&recorded).file_name() == claim.file.file_name(),
            _ => false,
        };
    if same && kind == claim.kind {
        ok()
    } else {
        Err(DestinationError::OtherScenario {
            dest: dest.to_path_buf(),
            want: claim.kind.describe(),
            file: claim.file.to_path_buf(),
            found: kind.describe(),
            recorded,
            record,
        })
    }
}

/// Largest record file (`meta.json`, `partial.json`, `sweep.json`) read.
pub(crate) const MAX_RECORD_BYTES: u64 = 16 * 1024 * 1024;

/// A JSON record file, read with its size bounded; `None` when it is missing, not a regular
/// file, too large or no JSON.
fn read_json(path: &Path) -> Option<serde_json::Value> {
    let bytes = read_bounded(path, MAX_RECORD_BYTES).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Reads a regular file of at most `limit` bytes: a FIFO, a device or a folder is refused
/// before it is opened, and the size is bounded while reading (a file's length may lie).
pub(crate) fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let meta = fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        let found = not_a_folder(&meta).unwrap_or("a folder");
        return Err(format!("{found}, not a regular file"));
    }
    let f = fs::File::open(path).map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    f.take(limit + 1).read_to_end(&mut bytes).map_err(|e| e.to_string())?;
    if bytes.len() as u64 > limit {
        return Err(format!("more than {} MiB", limit / (1024 * 1024)));
    }
    Ok(bytes)
}

/// The length of a regular file of at most `limit` bytes, without reading it.
pub(crate) fn read_bounded_len(path: &Path, limit: u64) -> Result<u64, String> {
    let meta = fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err(format!("{}, not a regular file", not_a_folder(&meta).unwrap_or("a folder")));
    }
    if meta.len() > limit {
        return Err(format!("{:.1} MiB, more than {} MiB", meta.len() as f64 / 1048576.0, limit / (1024 * 1024)));
    }
    Ok(meta.len())
}

/// The scenario a results folder's record file names.
#[derive(Debug, Clone, serde::Deserialize)]
pub(crate) struct Record {
    /// The scenario file, as given to the command that wrote the folder.
    pub scenario_file: String,
    /// Its SHA-256.
    #[serde(default)]
    pub scenario_sha256: String,
}

/// Reads the scenario a record file (`meta.json`, `partial.json`, `sweep.json`) names.
pub(crate) fn read_record(path: &Path) -> Result<Record, String> {
    let bytes = read_bounded(path, MAX_RECORD_BYTES)
        .map_err(|e| format!("{}: expected a contractsim record file, found {e}", path.display()))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| format!("{}: expected a contractsim record naming `scenario_file`, found {e}", path.display()))
}

/// Refuses two scenarios of one command that would write the same folder.
pub(crate) fn check_distinct(dests: &[(PathBuf, PathBuf)]) -> Result<(), DestinationError> {
    for (i, (dest, file)) in dests.iter().enumerate() {
        if let Some((_, first)) = dests[..i].iter().find(|(d, _)| d == dest) {
            return Err(DestinationError::Twice { dest: dest.clone(), first: first.clone(), second: file.clone() });
        }
    }
    Ok(())
}

/// Removes the temporary folders `.NAME.tmp-PID` and `.NAME.old-PID` that a process killed
/// outright (SIGKILL, power loss) left next to `dest`; an `.old` folder is moved back to
/// `dest` when `dest` is missing (the process died between the two renames). Called while
/// holding the destination's [`Lock`]: every writer holds it while its folders exist, so
/// any such folder but this process's own is left by a writer that is gone, whatever host
/// or container it ran on.
fn clean_stale(parent: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(parent) else { return };
    let dest = parent.join(name);
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = file.strip_prefix(&format!(".{name}.")) else { continue };
        let kind = match rest.split_once('-') {
            Some((k @ ("tmp" | "old"), pid)) if pid.parse::<u32>().is_ok() => k,
            _ => continue,
        };
        if rest.ends_with(&format!("-{}", std::process::id())) {
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
pub(crate) fn write_folder(dest: &Destination, files: &[(String, Vec<u8>)]) -> Result<(), OutputError> {
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
    /// The digests of files written into the folder, taken from their bytes as they were
    /// written ([`Staging::write`], [`Staging::record`]), so that [`Staging::seal`] does not
    /// read them back.
    written: Mutex<HashMap<PathBuf, FileDigest>>,
    /// Held until the staging is dropped, after the folder is in place or removed.
    _lock: Lock,
}

impl Staging {
    /// Creates the temporary folder for `dest`.
    pub fn new(dest: &Destination) -> Result<Self, OutputError> {
        let dest = dest.path();
        let parent = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).map_err(io("creating", &parent))?;
        let name = dest.file_name().map_or("results".into(), |n| n.to_string_lossy().into_owned());
        let lock = Lock::take(&parent, &name, dest)?;
        clean_stale(&parent, &name);
        let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        let old = parent.join(format!(".{name}.old-{}", std::process::id()));
        if tmp.exists() {
            fs::remove_dir_all(&tmp).map_err(io("removing", &tmp))?;
        }
        fs::create_dir(&tmp).map_err(io("creating", &tmp))?;
        writing().push((tmp.clone(), lock.path.clone(), dest.to_path_buf()));
        Ok(Staging { dest: dest.to_path_buf(), tmp, old, done: false, written: Mutex::default(), _lock: lock })
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
        f.sync_all().map_err(io("writing", &path))?;
        self.record(path, Some(FileDigest::of(bytes)));
        Ok(())
    }

    /// Records the digest of a file streamed into the folder (at `path`), taken as it was
    /// written and complete; `None` forgets an earlier one, so that the file is read when
    /// the folder is sealed. A recorded file must not be changed afterwards except by
    /// [`Staging::write`] (which records it again).
    pub fn record(&self, path: PathBuf, digest: Option<FileDigest>) {
        let mut written = self.written.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match digest {
            Some(d) => written.insert(path, d),
            None => written.remove(&path),
        };
    }

    /// Closes a runs file streamed into the folder and records its digest.
    pub(crate) fn finish_runs(
        &self,
        runs: crate::export::runs_file::RunsWriter,
    ) -> Result<(), crate::export::OutputError> {
        let (path, digest) = runs.finish()?;
        self.record(path, digest);
        Ok(())
    }

    /// Records the byte count and SHA-256 of the data files of `sub` (a folder of the
    /// staging folder, "" for itself) in its record file `record` (see
    /// [`super::integrity`]).
    pub fn seal(&self, sub: &str, record: &str) -> anyhow::Result<()> {
        let written = self.written.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        super::integrity::seal(&self.tmp.join(sub), record, &written)
    }

    /// Moves the folder into place, replacing the destination as a whole.
    pub fn commit(mut self) -> Result<(), OutputError> {
        // Held while the folder moves into place (see `abandon_all`).
        let _registry = writing();
        let (dest, tmp, old) = (&self.dest, &self.tmp, &self.old);
        if let Ok(meta) = fs::symlink_metadata(dest)
            && let Some(found) = not_a_folder(&meta)
        {
            // Appeared since the destination was checked: never moved aside.
            let e = std::io::Error::other(format!("expected a results folder, found {found}"));
            return Err(io("replacing", dest)(e));
        }
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
        let mut w = writing();
        if !self.done && self.tmp.exists() {
            let _ = fs::remove_dir_all(&self.tmp);
        }
        w.retain(|(tmp, _, _)| *tmp != self.tmp);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A destination checked for scenario `a.toml`, for tests of the writing itself.
    fn dest(path: &Path) -> Destination {
        Destination { path: path.to_path_buf() }
    }

    #[test]
    fn replaces_a_folder_whole() {
        let dir = tempfile::tempdir().unwrap();
        let dest = &dest(&dir.path().join("out"));
        write_folder(dest, &[("a.txt".into(), b"one".to_vec()), ("b.txt".into(), b"two".to_vec())]).unwrap();
        assert_eq!(fs::read(dest.path().join("a.txt")).unwrap(), b"one");
        write_folder(dest, &[("a.txt".into(), b"three".to_vec())]).unwrap();
        assert_eq!(fs::read(dest.path().join("a.txt")).unwrap(), b"three");
        assert!(!dest.path().join("b.txt").exists(), "the old folder is replaced, not merged");
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
        write_folder(&super::tests::dest(&dest), &[("b.txt".into(), b"new".to_vec())]).unwrap();
        let mut left: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        left.sort();
        assert_eq!(left, vec![std::ffi::OsString::from("out")], "no temporary folder and no lock left");
        assert_eq!(fs::read(dest.join("b.txt")).unwrap(), b"new");
    }

    /// A lock file naming `host`, `pid` and an age in seconds.
    fn lock_file(dir: &Path, host: &str, pid: u32, age: u64) {
        let text = format!("host={host}\npid={pid}\nsince={}\n", now_secs() - age);
        fs::write(dir.join(".out.lock"), text).unwrap();
    }

    #[test]
    fn a_destination_being_written_is_refused_and_a_stale_lock_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let out = dest(&dir.path().join("out"));
        let files = [("a.txt".to_string(), b"new".to_vec())];
        // Held by a process that runs on this host (this one) or a recent one elsewhere.
        let here = host_name();
        for (host, pid) in [(here.as_str(), std::process::id()), ("other-host", 7)] {
            lock_file(dir.path(), host, pid, 10);
            fs::create_dir(dir.path().join(format!(".out.tmp-{pid}"))).unwrap();
            let e = write_folder(&out, &files).unwrap_err();
            let msg = e.to_string();
            assert!(matches!(e, OutputError::Busy { .. }), "{msg}");
            assert!(msg.contains(&format!("process {pid} on host {host}")) && msg.contains(".out.lock"), "{msg}");
            assert!(dir.path().join(format!(".out.tmp-{pid}")).exists(), "a live writer's folder is left alone");
            assert!(!out.path().exists());
            fs::remove_dir(dir.path().join(format!(".out.tmp-{pid}"))).unwrap();
        }
        // Stale: a process of this host that no longer runs (PID 0 is never one), or a lock
        // from another host older than STALE_LOCK_SECS; its temporary folder is removed.
        let stale = [(here.as_str(), 0, 10), ("other-host", 7, STALE_LOCK_SECS + 1)];
        for (host, pid, age) in stale.iter().filter(|(h, ..)| *h != here || Path::new("/proc/self").exists()) {
            lock_file(dir.path(), host, *pid, *age);
            fs::create_dir(dir.path().join(format!(".out.tmp-{pid}"))).unwrap();
            write_folder(&out, &files).unwrap();
            let left: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
            assert_eq!(left, vec![std::ffi::OsString::from("out")], "{host} {pid}: lock and folder gone");
        }
        // A lock file that cannot be read: busy while young, taken over when a minute old.
        fs::write(dir.path().join(".out.lock"), "").unwrap();
        assert!(matches!(write_folder(&out, &files), Err(OutputError::Busy { .. })));
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(120);
        fs::File::options().write(true).open(dir.path().join(".out.lock")).unwrap().set_modified(old).unwrap();
        write_folder(&out, &files).unwrap();
        assert!(!dir.path().join(".out.lock").exists());
    }

    #[test]
    fn a_folder_of_another_scenario_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("out");
        let a = dir.path().join("a.toml");
        let b = dir.path().join("b.toml");
        fs::write(&a, "a").unwrap();
        fs::write(&b, "b").unwrap();
        let claim = |file: &'static str, sha: &'static str, kind: Kind| {
            let file: &'static Path = Box::leak(dir.path().join(file).into_boxed_path());
            Claim { kind, file, sha256: sha, inputs: &[] }
        };
        let check = |c: Claim<'_>| check_destination(&dest, &c, false).map(|_| ());
        assert_eq!(check(claim("a.toml", "sha-a", Kind::Results)), Ok(()), "a missing folder is fine");
        fs::create_dir(&dest).unwrap();
        assert_eq!(check(claim("a.toml", "sha-a", Kind::Results)), Ok(()), "an empty folder is fine");
        let meta = format!(r#"{{"scenario_file": "{}", "scenario_sha256": "sha-a"}}"#, a.display());
        fs::write(dest.join("meta.json"), &meta).unwrap();
        assert_eq!(check(claim("a.toml", "sha-a2", Kind::Results)), Ok(()), "same file, edited");
        assert_eq!(check(claim("b.toml", "sha-a", Kind::Results)), Ok(()), "same contents, copied");
        let e = check(claim("b.toml", "sha-b", Kind::Results)).unwrap_err().to_string();
        assert!(e.contains("found results of") && e.contains("a.toml") && e.contains("--force"), "{e}");
        let e = check(claim("a.toml", "sha-a", Kind::Sensitivity)).unwrap_err().to_string();
        assert!(e.contains("expected sensitivity results of") && e.contains("found results of"), "{e}");
        fs::write(dest.join("tornado.csv"), "").unwrap();
        let e = check(claim("a.toml", "sha-a", Kind::Results)).unwrap_err().to_string();
        assert!(e.contains("found sensitivity results of"), "{e}");
        assert_eq!(check(claim("a.toml", "sha-a", Kind::Sensitivity)), Ok(()));
        fs::remove_file(dest.join("tornado.csv")).unwrap();
        fs::write(dest.join("meta.json"), "not json").unwrap();
        let e = check(claim("a.toml", "sha-a", Kind::Results)).unwrap_err().to_string();
        assert!(e.contains("no contractsim meta.json") && e.contains("--force"), "{e}");
        assert!(check_destination(&dest, &claim("a.toml", "sha-a", Kind::Results), true).is_ok(), "--force");
        // Never, whatever --force says: a file, a path under a file, a folder holding an input.
        for force in [false, true] {
            let c = claim("a.toml", "sha-a", Kind::Results);
            let e = check_destination(&a, &c, force).unwrap_err().to_string();
            assert!(e.contains("found a file"), "{e}");
            let e = check_destination(&a.join("x"), &c, force).unwrap_err().to_string();
            assert!(e.contains("to be a folder, found a file"), "{e}");
            let e = check_destination(Path::new("."), &c, force).unwrap_err().to_string();
            assert!(e.contains("expected the name of a results folder"), "{e}");
            let inputs = [a.as_path()];
            let c = Claim { inputs: &inputs, ..c };
            let e = check_destination(dir.path(), &c, force).unwrap_err().to_string();
            assert!(e.contains("holds none of the command's inputs"), "{e}");
        }
    }

    #[test]
    fn a_failed_write_keeps_the_previous_results() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let dest = &super::tests::dest(&out);
        write_folder(dest, &[("a.txt".into(), b"one".to_vec())]).unwrap();
        // A file name that cannot be created (a sub-folder that does not exist) fails midway.
        let err = write_folder(dest, &[("ok.txt".into(), b"x".to_vec()), ("missing/x.txt".into(), b"y".to_vec())]);
        assert!(err.is_err());
        assert_eq!(fs::read(out.join("a.txt")).unwrap(), b"one");
        assert!(!out.join("ok.txt").exists());
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(leftovers.len(), 1, "{leftovers:?}");
    }
}
