//! Replays the fuzz corpus (`fuzz/corpus/`) through the fuzz targets' own logic, so CI
//! checks every seed and every fixed crash reproducer without cargo-fuzz or nightly
//! flags. See fuzz/README.md.
//!
//! File names carry the expectation: `seed-<expected>-...` (seeds) or
//! `crash-<expected>-...` (reproducers of fixed bugs), where <expected> is `ok`, a refusal
//! (`Refusal::as_str`, records) or `err` (configs), or `any` (only: no panic).
//!
//! The record seeds are generated (`harness::record::seeds`); after changing the
//! generator or the wire format, rewrite them with
//! `FEDX_WRITE_FUZZ_SEEDS=1 cargo test --test fuzz_corpus record_seeds_are_current`.

#[path = "../fuzz/src/lib.rs"]
mod harness;

use std::path::{Path, PathBuf};

use fedx::Error;

fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target);
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path: PathBuf = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .filter(|(name, _)| name.starts_with("seed-") || name.starts_with("crash-"))
        .collect();
    files.sort();
    files
}

/// `ok`, `any`, a refusal or `err` from `seed-<expected>-...` or `crash-<expected>-...`.
fn expectation(name: &str) -> &str {
    let rest = name
        .strip_prefix("seed-")
        .or_else(|| name.strip_prefix("crash-"))
        .unwrap();
    rest.split(['-', '.']).next().unwrap()
}

#[test]
fn record_seeds_are_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/record");
    let seeds = harness::record::seeds();
    if std::env::var_os("FEDX_WRITE_FUZZ_SEEDS").is_some() {
        for (name, _) in corpus("record").iter().filter(|(n, _)| n.starts_with("seed-")) {
            std::fs::remove_file(dir.join(name)).unwrap();
        }
        for (name, bytes) in &seeds {
            std::fs::write(dir.join(format!("seed-{name}")), bytes).unwrap();
        }
    }
    let committed: Vec<_> = corpus("record")
        .into_iter()
        .filter(|(n, _)| n.starts_with("seed-"))
        .collect();
    let mut generated: Vec<_> = seeds.into_iter().map(|(n, b)| (format!("seed-{n}"), b)).collect();
    generated.sort();
    let names = |files: &[(String, Vec<u8>)]| files.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(&committed),
        names(&generated),
        "fuzz/corpus/record is stale: FEDX_WRITE_FUZZ_SEEDS=1 cargo test --test fuzz_corpus record_seeds_are_current"
    );
    for ((name, committed), (_, generated)) in committed.iter().zip(&generated) {
        assert!(
            committed == generated,
            "{name} is stale: FEDX_WRITE_FUZZ_SEEDS=1 cargo test --test fuzz_corpus record_seeds_are_current"
        );
    }
}

#[test]
fn record_corpus_replays() {
    let files = corpus("record");
    assert!(files.len() >= 20, "the record corpus has {} files", files.len());
    let mut kinds_admitted = 0;
    for (name, bytes) in &files {
        let verdict = harness::record::run(bytes);
        let got = match &verdict {
            None => "does not decode",
            Some(Ok(())) => "ok",
            Some(Err(Error::Refused { reason, .. })) => reason.as_str(),
            Some(Err(other)) => panic!("{name}: admission failed with a non-refusal: {other}"),
        };
        match expectation(name) {
            "any" => {}
            "ok" => {
                assert_eq!(got, "ok", "{name}: {verdict:?}");
                kinds_admitted += 1;
            }
            want => assert_eq!(got, want, "{name}: {verdict:?}"),
        }
    }
    assert!(kinds_admitted >= 5, "only {kinds_admitted} seeds are admitted");
}

#[test]
fn config_corpus_replays() {
    let files = corpus("config");
    assert!(files.len() >= 10, "the config corpus has {} files", files.len());
    for (name, bytes) in &files {
        let verdict = harness::config::run(bytes);
        match (expectation(name), &verdict) {
            ("any", _) | ("ok", Some(Ok(()))) | ("err", Some(Err(_))) => {}
            (want, got) => panic!("{name}: expected {want}, got {got:?}"),
        }
    }
}

/// The shipped configs validate through the same path (their copies in the corpus are
/// seeds and may lag behind them).
#[test]
fn shipped_configs_pass() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for node in ["node-a", "node-b", "node-c"] {
        let shipped = std::fs::read(root.join(format!("config/{node}.toml"))).unwrap();
        let verdict = harness::config::run(&shipped);
        assert!(matches!(verdict, Some(Ok(()))), "config/{node}.toml: {verdict:?}");
    }
}
