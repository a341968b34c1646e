//! The cluster recipes in cluster/ are valid without a cluster: the Slurm scripts pass
//! `bash -n` (and shellcheck when installed), and `cluster/check_cluster_files.py` finds the
//! Kubernetes manifests and Slurm settings consistent (skipped without python3 and pyyaml).

use std::process::Command;

const SCRIPTS: [&str; 2] = ["cluster/slurm/contractsim-array.sh", "cluster/slurm/contractsim-merge.sh"];

#[test]
fn slurm_scripts_parse() {
    for s in SCRIPTS {
        let o = Command::new("bash").args(["-n", s]).output().unwrap();
        assert!(o.status.success(), "bash -n {s}: {}", String::from_utf8_lossy(&o.stderr));
    }
    match Command::new("shellcheck").args(SCRIPTS).output() {
        Ok(o) => assert!(o.status.success(), "shellcheck:\n{}", String::from_utf8_lossy(&o.stdout)),
        Err(_) => {
            eprintln!("SKIPPED shellcheck of the Slurm scripts: shellcheck not found (apt-get install shellcheck)")
        }
    }
}

#[test]
fn cluster_files_are_consistent() {
    let has_yaml =
        Command::new("python3").args(["-c", "import yaml"]).output().map(|o| o.status.success()).unwrap_or(false);
    if !has_yaml {
        eprintln!("SKIPPED cluster_files_are_consistent: python3 with pyyaml not found (pip install pyyaml)");
        return;
    }
    let o = Command::new("python3").arg("cluster/check_cluster_files.py").output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "check_cluster_files.py:\n{out}{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.contains("cluster files ok"), "{out}");
}
