//! Records the versions of the sampling crates in the binary, for meta.json: sampling
//! algorithms can change between versions, so a result names the ones that made it.

fn main() {
    println!("cargo:rerun-if-changed=Cargo.lock");
    let lock = std::fs::read_to_string("Cargo.lock").unwrap_or_default();
    // The dependency list of this package names a version where the lock holds several.
    let own = lock.split("[[package]]").find(|block| block.contains("name = \"contractsim\"")).unwrap_or("");
    for name in ["rand", "statrs"] {
        let pinned = own
            .lines()
            .map(|l| l.trim().trim_matches(|c| c == '"' || c == ','))
            .find_map(|l| l.strip_prefix(&format!("{name} ")).map(str::to_string));
        let version = pinned.unwrap_or_else(|| {
            let needle = format!("name = \"{name}\"\nversion = \"");
            lock.find(&needle)
                .map(|i| &lock[i + needle.len()..])
                .and_then(|rest| rest.split('"').next())
                .unwrap_or("unknown")
                .to_string()
        });
        println!("cargo:rustc-env=CONTRACTSIM_VERSION_{}={version}", name.to_uppercase());
    }
}
