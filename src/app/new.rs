//! `contractsim new`: write a commented scenario for a new user to fill in, from the blank
//! template or from one of the shipped scenarios.

use std::path::{Path, PathBuf};

use super::{AppError, NewRequest};

/// The blank template: every number an assumption with national averages, to replace.
const TEMPLATE: &str = include_str!("../../templates/new.toml");

/// The shipped scenarios `--from` accepts, by name (the file stem in `scenarios/`).
pub const SHIPPED: [(&str, &str); 5] = [
    ("friesland", include_str!("../../scenarios/friesland.toml")),
    ("leeuwarden-oost", include_str!("../../scenarios/leeuwarden-oost.toml")),
    ("alphen-totaalopdracht", include_str!("../../scenarios/alphen-totaalopdracht.toml")),
    ("roermond-meerjarig", include_str!("../../scenarios/roermond-meerjarig.toml")),
    ("zaanstad-maatwerkbudget", include_str!("../../scenarios/zaanstad-maatwerkbudget.toml")),
];

/// Writes the new scenario file and says what to do next.
pub fn new(args: NewRequest) -> Result<(), AppError> {
    let name = args.name.trim();
    if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_') {
        return Err(AppError::BadInput(format!(
            "NAME: expected a plain name of letters, digits, '-' and '_' (e.g. `contractsim new my-town`), found \"{name}\""
        )));
    }
    let dest = args.out.clone().unwrap_or_else(|| PathBuf::from("scenarios").join(format!("{name}.toml")));
    if let Ok(m) = std::fs::symlink_metadata(&dest)
        && !m.file_type().is_file()
    {
        return Err(AppError::BadInput(format!(
            "{}: expected a new or an existing regular file to write the scenario to, found {}",
            dest.display(),
            if m.is_dir() {
                "a folder"
            } else if m.file_type().is_symlink() {
                "a link"
            } else {
                "a device or other special file"
            }
        )));
    }
    if dest.exists() && !args.force {
        return Err(AppError::BadInput(format!(
            "{}: the file exists; choose another NAME or `--out FILE`, or add `--force` to overwrite it",
            dest.display()
        )));
    }
    let text = scenario_text(name, args.from.as_deref(), &dest)?;
    if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| AppError::Other(anyhow::anyhow!("creating {}: {e}", dir.display())))?;
    }
    write_whole(&dest, text.as_bytes(), args.force)
        .map_err(|e| AppError::Other(anyhow::anyhow!("writing {}: {e}; nothing was written", dest.display())))?;
    println!(
        "wrote {0}: replace the [assumption] numbers with your own, then `contractsim check {0}` and `contractsim run {0}`",
        dest.display()
    );
    Ok(())
}

/// Writes `bytes` to `dest` whole or not at all: into `.NAME.tmp-PID` beside it (created
/// new), flushed to disk, then renamed over it. A failed write (a full disk) removes the
/// temporary file and leaves `dest` as it was. Without `replace`, an existing `dest` is
/// not replaced (the rename is refused when it appeared meanwhile).
fn write_whole(dest: &std::path::Path, bytes: &[u8], replace: bool) -> std::io::Result<()> {
    use std::io::Write;
    let name = dest.file_name().map_or_else(|| "scenario".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dest.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let written = (|| {
        let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        if !replace && dest.exists() {
            return Err(std::io::Error::new(std::io::ErrorKind::AlreadyExists, "the file appeared meanwhile"));
        }
        std::fs::rename(&tmp, dest)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// The text of the new scenario named `name`, written to `dest`: the template, or a copy
/// of a shipped scenario (or of a scenario file) renamed, with a note on top.
pub fn scenario_text(name: &str, from: Option<&str>, dest: &Path) -> Result<String, AppError> {
    let file = dest.display().to_string();
    let Some(from) = from else {
        return Ok(TEMPLATE.replace("{{NAME}}", name).replace("{{FILE}}", &file));
    };
    let source = match SHIPPED.iter().find(|(n, _)| *n == from) {
        Some((_, text)) => text.to_string(),
        None if Path::new(from).is_file() => std::fs::read_to_string(from)
            .map_err(|e| AppError::BadInput(format!("--from {from}: cannot read the file ({e})")))?,
        None => {
            let names: Vec<&str> = SHIPPED.iter().map(|(n, _)| *n).collect();
            return Err(AppError::BadInput(format!(
                "--from: expected a shipped scenario ({}) or a scenario file, found \"{from}\"",
                names.join(", ")
            )));
        }
    };
    Ok(format!(
        "# {name}: made with `contractsim new {name} --from {from}`. The numbers below are {from}'s;\n\
         # replace every [assumption] with your own figures and update the comments, then check the\n\
         # file with `contractsim check {file}`.\n#\n{}",
        rename(&source, name)
    ))
}

/// Sets the `name` of the `[scenario]` table to `name`, keeping everything else.
fn rename(text: &str, name: &str) -> String {
    let mut in_scenario = false;
    let mut done = false;
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with('[') {
            in_scenario = trimmed.starts_with("[scenario]");
        }
        if in_scenario && !done && trimmed.starts_with("name") && trimmed[4..].trim_start().starts_with('=') {
            out.push_str(&format!("name = \"{name}\"\n"));
            done = true;
        } else {
            out.push_str(line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rename_changes_only_the_scenario_name() {
        let text = "# name = \"x\"\n[scenario]\nname = \"Old\"\n[[segment]]\nname = \"Seg\"\n";
        assert_eq!(rename(text, "new"), "# name = \"x\"\n[scenario]\nname = \"new\"\n[[segment]]\nname = \"Seg\"\n");
    }
}
