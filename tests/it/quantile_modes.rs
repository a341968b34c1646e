//! Mixed percentiles (`run --quantile-memory` too small for every figure of every run, large
//! enough for the figures that are reported): the reports, the charts and the summary
//! tables are the same bits as with every value kept, and only the detail of `yearly.csv`
//! comes from sketches, within the sketch's error.

use std::fs;
use std::path::Path;

use contractsim::stats::quantiles::SKETCH_ALPHA;

use super::common::{FRIESLAND, contractsim, folder_files as files};

/// Friesland (a region with municipalities, segments and waiting lists) at 512 runs.
fn run(out: &Path, extra: &[&str]) {
    let o = contractsim()
        .args(["run", FRIESLAND, "--runs", "512", "--seed", "7", "--threads", "2"])
        .args(extra)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn meta(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&fs::read(dir.join("meta.json")).unwrap()).unwrap()
}

/// The rows of a CSV file with a header, as text cells.
fn rows(dir: &Path, name: &str) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_path(dir.join(name)).unwrap();
    r.records().map(|x| x.unwrap().iter().map(str::to_string).collect()).collect()
}

/// Checks the rows of `name` in two folders: the same keys and means; percentiles equal
/// unless `sketched(row)`, and then within the sketch's relative error of the row's
/// largest magnitude (the order statistics a percentile interpolates lie within the
/// row's 5th to 95th percentiles up to one rank; 0.5% of room for that). Returns how many
/// sketched rows differ.
fn compare(exact: &Path, mixed: &Path, name: &str, first_stat: usize, sketched: impl Fn(&[String]) -> bool) -> usize {
    let (a, b) = (rows(exact, name), rows(mixed, name));
    assert_eq!(a.len(), b.len(), "{name}: rows");
    let mut differing = 0;
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x[..first_stat + 2], y[..first_stat + 2], "{name}: keys, mean and MCSE");
        if !sketched(x) {
            assert_eq!(x, y, "{name}: a reported row");
            continue;
        }
        let num = |c: &str| if c.is_empty() { f64::NAN } else { c.parse::<f64>().unwrap() };
        let ps: Vec<(f64, f64)> =
            x[first_stat + 2..].iter().zip(&y[first_stat + 2..]).map(|(p, q)| (num(p), num(q))).collect();
        let scale = ps.iter().map(|(p, _)| p.abs()).filter(|p| p.is_finite()).fold(0.0, f64::max);
        let mut differs = false;
        for (p, q) in ps {
            if p.is_nan() {
                assert!(q.is_nan(), "{name}: {x:?} against {y:?}");
                continue;
            }
            assert!((p - q).abs() <= SKETCH_ALPHA * scale * 1.005 + 1e-6, "{name}: {x:?} against {y:?}");
            differs |= p != q;
        }
        differing += usize::from(differs);
    }
    differing
}

#[test]
fn reports_charts_and_summary_tables_are_exact_when_the_detail_is_sketched() {
    let dir = tempfile::tempdir().unwrap();
    let exact = dir.path().join("exact");
    run(&exact, &[]);
    assert!(meta(&exact)["quantiles"].as_str().unwrap().starts_with("exact (type 7"));
    // Every figure of 512 runs takes about 51 MiB here; the reported ones about 30.
    let mixed = dir.path().join("mixed");
    run(&mixed, &["--quantile-memory", "40"]);
    let m = meta(&mixed);
    assert!(m["quantiles"].as_str().unwrap().contains("sketched_metrics"), "{m}");
    let sketched: Vec<String> =
        m["sketched_metrics"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    assert!(
        sketched.contains(&"provider_cost".to_string()) && !sketched.contains(&"spend".to_string()),
        "{sketched:?}"
    );
    assert!(meta(&exact).get("sketched_metrics").is_none());

    // Everything but the detail tables, the workbooks (which hold them) and meta.json: the
    // same bits.
    let detail = ["yearly.csv", "results.xlsx", "results_nl.xlsx", "meta.json"];
    let (a, b) = (files(&exact), files(&mixed));
    assert_eq!(a.iter().map(|f| &f.0).collect::<Vec<_>>(), b.iter().map(|f| &f.0).collect::<Vec<_>>());
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        if !detail.contains(&name.as_str()) {
            assert!(x == y, "{name} differs when the detail is sketched");
        }
    }
    // yearly.csv: strategy, year, metric, mean, mcse, p5 … p95.
    let yearly = compare(&exact, &mixed, "yearly.csv", 3, |row| sketched.contains(&row[2]));
    assert!(yearly > 0, "some sketched row differs, so the comparison can fail");
    // The reports say nothing of sketches when every figure they give is exact, and say
    // so when none is.
    let summary = |dir: &Path, suffix: &str| fs::read_to_string(dir.join(format!("summary{suffix}.md"))).unwrap();
    for dir in [&exact, &mixed] {
        assert!(!summary(dir, "").contains("approximated") && !summary(dir, "_nl").contains("benaderd"));
    }
    let sketched_dir = dir.path().join("sketch");
    run(&sketched_dir, &["--quantile-memory", "0"]);
    assert!(summary(&sketched_dir, "").contains("Percentiles are approximated to within 0.1%"));
    assert!(summary(&sketched_dir, "_nl").contains("Percentielen zijn benaderd tot op 0,1%"));

    // Shards in mixed mode merge into the same folder as one pass.
    let parts: Vec<_> = (0..2)
        .map(|k| {
            let p = dir.path().join(format!("part{k}"));
            run(&p, &["--quantile-memory", "40", "--shard", &format!("{k}/2")]);
            p
        })
        .collect();
    let merged = dir.path().join("merged");
    let o = contractsim().arg("merge").args(&parts).arg("--out").arg(&merged).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for ((name, x), (_, y)) in files(&mixed).iter().zip(&files(&merged)) {
        if name != "meta.json" && !name.ends_with(".xlsx") {
            assert!(x == y, "{name} differs between one pass and merged shards");
        }
    }
}
