//! The cluster recipes in cluster/ are valid without a cluster: the Slurm scripts pass
//! `bash -n` and shellcheck, and `cluster/check_cluster_files.py` finds the Kubernetes
//! manifests and Slurm settings consistent (with pyyaml). Without shellcheck or pyyaml those
//! checks fail in CI and are skipped (with a message) elsewhere.

use std::process::Command;

use crate::readers;

const SCRIPTS: [&str; 2] = ["cluster/slurm/contractsim-array.sh", "cluster/slurm/contractsim-merge.sh"];

#[test]
fn slurm_scripts_parse() {
    for s in SCRIPTS {
        let o = Command::new("bash").args(["-n", s]).output().unwrap();
        assert!(o.status.success(), "bash -n {s}: {}", String::from_utf8_lossy(&o.stderr));
    }
    if readers::program("slurm_scripts_parse (shellcheck)", "shellcheck", "apt-get install shellcheck") {
        let o = Command::new("shellcheck").args(SCRIPTS).output().unwrap();
        assert!(o.status.success(), "shellcheck:\n{}", String::from_utf8_lossy(&o.stdout));
    }
}

#[test]
fn cluster_files_are_consistent() {
    if !readers::python_module("cluster_files_are_consistent", "yaml", "pyyaml") {
        return;
    }
    let o = Command::new("python3").arg("cluster/check_cluster_files.py").output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "check_cluster_files.py:\n{out}{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.contains("cluster files ok"), "{out}");
}
