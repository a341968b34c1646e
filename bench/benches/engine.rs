//! Benchmarks: the Friesland default per run (all strategies), and the random draws the
//! engine makes, from which the RNG-bound limit follows (draws per run × cost per draw).
//!
//! `cargo bench -p contractsim-bench`; numbers and their reading are in docs/performance.md.

use std::hint::black_box;
use std::path::Path;

use contractsim::random::rng::{Purpose, RunKey};
use contractsim::random::sample::{Binomial, hypergeometric, poisson};
use std::sync::atomic::AtomicBool;

use contractsim::engine::{BLOCK, Plan, RunOptions, run_batch, run_blocks};
use contractsim::export::runs_file::csv_rows;
use contractsim::results::Collector;
use contractsim::stats::quantiles::QuantileMode;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rand_distr::Distribution;

fn friesland() -> Plan {
    Plan::new(
        contractsim::scenario::load(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios/friesland.toml")))
            .expect("friesland.toml is valid"),
    )
}

fn engine(c: &mut Criterion) {
    let plan = friesland();
    let counts = plan.count_draws(1, 0);
    eprintln!("draws per run: {counts:?}");
    let mut g = c.benchmark_group("friesland");
    g.throughput(Throughput::Elements(1));
    let mut run = 0u64;
    g.bench_function("one run, all strategies, 1 thread", |b| {
        b.iter(|| {
            run += 1;
            black_box(plan.run(1, run))
        })
    });
    g.throughput(Throughput::Elements(200));
    g.sample_size(10);
    for threads in [1, 2] {
        g.bench_function(format!("batch of 200 runs, {threads} threads"), |b| {
            b.iter(|| black_box(run_batch(&plan, &RunOptions { runs: 200, seed: 1, threads }, &|| {}).unwrap()))
        });
    }
    g.finish();

    // Per strategy: each strategy alone (as the baseline of a one-strategy scenario), so
    // that the cost of a strategy, and what sharing paths between strategies saves, shows.
    let mut g = c.benchmark_group("friesland per strategy");
    g.throughput(Throughput::Elements(1));
    for st in &plan.scenario.strategies {
        let mut s = plan.scenario.clone();
        s.strategies = vec![contractsim::scenario::Strategy { baseline: true, ..st.clone() }];
        let alone = Plan::new(s);
        let mut run = 0u64;
        g.bench_function(format!("one run, {} alone", st.id), |b| {
            b.iter(|| {
                run += 1;
                black_box(alone.run(1, run))
            })
        });
    }
    g.finish();

    // The whole pipeline of `run` without the reports: simulation, statistics (exact and
    // sketch) and the rows of runs.csv, on two threads, per block of runs.
    let mut g = c.benchmark_group("friesland streamed");
    g.sample_size(10);
    g.throughput(Throughput::Elements(BLOCK * 4));
    for mode in [QuantileMode::Exact, QuantileMode::Sketch] {
        g.bench_function(format!("1,024 runs, statistics ({mode:?}) and runs.csv rows, 2 threads"), |b| {
            b.iter(|| {
                let mut c = Collector::new(&plan, mode);
                let mut bytes = 0usize;
                let opts = RunOptions { runs: (BLOCK * 4) as usize, seed: 1, threads: 2 };
                let stop = AtomicBool::new(false);
                run_blocks(&plan, &opts, 0..BLOCK * 4, &|| {}, &stop, |block, runs| {
                    c.add_block(&plan, block, runs);
                    bytes += csv_rows(&plan, runs).len();
                    Ok::<bool, std::io::Error>(true)
                })
                .unwrap();
                black_box((c.stats.runs(), bytes))
            })
        });
    }
    g.finish();
}

/// The draws the engine makes, each from a fresh stream as in the engine, with `n`
/// varying from draw to draw.
fn draws(c: &mut Criterion) {
    let key = RunKey::new(3, 4);
    let mut g = c.benchmark_group("draws");
    g.throughput(Throughput::Elements(1));
    let mut i = 0usize;
    g.bench_function("uniform from a fresh stream", |b| {
        b.iter(|| {
            i += 1;
            black_box(key.stream(Purpose::Success, 1, i).uniform())
        })
    });
    let small = Binomial::new(0.15);
    g.bench_function("binomial, inversion (n p ~ 5)", |b| {
        b.iter(|| {
            i += 1;
            black_box(small.sample(30 + (i as u64 & 7), &mut key.stream(Purpose::Success, 1, i)))
        })
    });
    g.bench_function("binomial, BTRS (n p ~ 40)", |b| {
        b.iter(|| {
            i += 1;
            black_box(small.sample(260 + (i as u64 & 31), &mut key.stream(Purpose::Success, 1, i)))
        })
    });
    g.bench_function("binomial, BTRS (n p ~ 400)", |b| {
        b.iter(|| {
            i += 1;
            black_box(small.sample(2600 + (i as u64 & 63), &mut key.stream(Purpose::Success, 1, i)))
        })
    });
    g.bench_function("poisson, PTRS (mean ~ 400)", |b| {
        b.iter(|| {
            i += 1;
            black_box(poisson(400.0 + (i & 7) as f64, &mut key.stream(Purpose::Referrals, 1, i)))
        })
    });
    g.bench_function("rand_distr binomial (n p ~ 40), set up per draw", |b| {
        b.iter(|| {
            i += 1;
            let d = rand_distr::Binomial::new(260 + (i as u64 & 31), 0.15).unwrap();
            black_box(d.sample(&mut key.stream(Purpose::Success, 1, i)))
        })
    });
    g.bench_function("rand_distr poisson (mean ~ 400), set up per draw", |b| {
        b.iter(|| {
            i += 1;
            let d = rand_distr::Poisson::new(400.0 + (i & 7) as f64).unwrap();
            black_box(d.sample(&mut key.stream(Purpose::Referrals, 1, i)))
        })
    });
    // A municipality's exits in a large Friesland path (8,000 clients in care in the year,
    // 5,300 of them leaving, 17% of them in one municipality), and a small municipality.
    g.bench_function("hypergeometric, ratio of uniforms (8,000, 1,360, 5,340)", |b| {
        b.iter(|| {
            i += 1;
            let good = 1360.0 + (i & 31) as f64;
            black_box(hypergeometric(8000.0, good, 5340.0, &mut key.stream(Purpose::MunicipalExits, 1, i)))
        })
    });
    g.bench_function("hypergeometric, ratio of uniforms (8,000, 120, 5,340)", |b| {
        b.iter(|| {
            i += 1;
            let good = 120.0 + (i & 15) as f64;
            black_box(hypergeometric(8000.0, good, 5340.0, &mut key.stream(Purpose::MunicipalExits, 1, i)))
        })
    });
    g.bench_function("rand_distr hypergeometric (8,000, 1,360, 5,340), set up per draw", |b| {
        b.iter(|| {
            i += 1;
            let d = rand_distr::Hypergeometric::new(8000, 1360 + (i as u64 & 31), 5340).unwrap();
            black_box(d.sample(&mut key.stream(Purpose::MunicipalExits, 1, i)))
        })
    });
    g.bench_function("rand_distr hypergeometric (8,000, 120, 5,340), set up per draw", |b| {
        b.iter(|| {
            i += 1;
            let d = rand_distr::Hypergeometric::new(8000, 120 + (i as u64 & 15), 5340).unwrap();
            black_box(d.sample(&mut key.stream(Purpose::MunicipalExits, 1, i)))
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    // No HTML plots: criterion's plotting needs system fonts, and the numbers are what count.
    config = Criterion::default().without_plots();
    targets = engine, draws
}
criterion_main!(benches);
