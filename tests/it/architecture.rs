//! The floors of the crate (docs/architecture.md): a top-level module may use only the
//! modules on floors below its own. This test reads every `crate::` and `super::` path in
//! `src/` and fails on an import from the same or a higher floor, so the rule holds after
//! every change; a new top-level module must be given a floor here and in the docs.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Top-level modules, bottom floor first. Modules on one floor do not use each other.
const FLOORS: &[&[&str]] = &[
    &["math"],
    &["random", "metrics"],
    &["stats"],
    &["scenario"],
    &["model"],
    &["engine"],
    &["results"],
    &["analysis"],
    &["export"],
    &["report"],
    &["app"],
    &["cli"],
];

fn floor_of(module: &str) -> Option<usize> {
    FLOORS.iter().position(|f| f.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("src/ entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to and how deep its module sits below the crate
/// root (`src/a.rs` and `src/a/mod.rs` are depth 1, `src/a/b.rs` depth 2).
fn module_of(src: &Path, file: &Path) -> Option<(String, usize)> {
    let rel = file.strip_prefix(src).ok()?;
    let parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let top = parts.first()?.trim_end_matches(".rs").to_string();
    if top == "lib" || top == "main" {
        return None;
    }
    let last = parts.last()?;
    let depth = if last == "mod.rs" { parts.len() - 1 } else { parts.len() };
    Some((top, depth))
}

/// Strips comments and string literals, so that a path named in a doc comment or a
/// message is not read as an import.
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // A quote as a char literal would open a string.
    let text = text.replace("'\\\"'", "' '").replace("'\"'", "' '");
    for line in text.lines() {
        let line = match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        };
        let mut in_str = false;
        let mut prev = ' ';
        for c in line.chars() {
            if c == '"' && prev != '\\' {
                in_str = !in_str;
            } else if !in_str {
                out.push(c);
            }
            prev = c;
        }
        out.push('\n');
    }
    out
}

/// Every top-level module that the code names through `crate::` (also inside
/// `use crate::{a, b::c}` groups) or through enough `super::` to reach the root.
fn imports(code: &str, depth: usize) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let ident = |s: &str| s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect::<String>();
    for (i, _) in code.match_indices("crate::") {
        if i > 0 && code[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            // Nested groups name their first segment before any `::`.
            for item in group[..end].split(',') {
                let name = ident(item.trim());
                if !name.is_empty() {
                    found.insert(name);
                }
            }
        } else {
            found.insert(ident(rest));
        }
    }
    for (i, _) in code.match_indices("super::") {
        if i > 0 && code[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let mut rest = &code[i..];
        let mut ups = 0;
        while let Some(r) = rest.strip_prefix("super::") {
            ups += 1;
            rest = r;
        }
        if ups >= depth {
            found.insert(ident(rest));
        }
    }
    found
}

#[test]
fn every_module_uses_only_the_floors_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut wrong = Vec::new();
    let mut seen = BTreeSet::new();
    for file in &files {
        let Some((top, depth)) = module_of(&src, file) else { continue };
        seen.insert(top.clone());
        let Some(own) = floor_of(&top) else {
            wrong.push(format!("{}: module `{top}` has no floor in tests/it/architecture.rs", file.display()));
            continue;
        };
        let code = code_only(&std::fs::read_to_string(file).expect("readable source"));
        for used in imports(&code, depth) {
            if used == top || used.is_empty() {
                continue;
            }
            match floor_of(&used) {
                Some(f) if f < own => {}
                Some(f) => wrong.push(format!(
                    "{}: `{top}` (floor {own}) uses `{used}` (floor {f}); a module may use only lower floors",
                    file.display()
                )),
                // Items of the crate root (none today) or macros: not a module.
                None => {}
            }
        }
    }
    assert!(wrong.is_empty(), "imports against the floors:\n{}", wrong.join("\n"));
    for floor in FLOORS {
        for m in *floor {
            assert!(seen.contains(*m), "floor module `{m}` does not exist in src/");
        }
    }
}

#[test]
fn the_checker_sees_upward_imports() {
    // The reader itself, on made-up code: it must find each form of import, or the rule
    // above could pass by reading nothing.
    let code = code_only(
        "use crate::report::Lang;\nuse crate::{engine::Plan, stats};\nlet x = crate::app::run();\n\
         // crate::cli in a comment\nlet s = \"crate::export in a string\";\nuse super::super::results::X;\n",
    );
    let found = imports(&code, 2);
    let want: BTreeSet<String> =
        ["report", "engine", "stats", "app", "results"].iter().map(|s| s.to_string()).collect();
    assert_eq!(found, want);
    // One `super::` from depth 2 stays inside the module.
    assert!(imports("use super::sibling::Y;", 2).is_empty());
}
