//! Tidiness rules for the source tree (in the style of rust-analyzer's `tidy` tests): each
//! file says what it is for, no file grows past 600 lines, and only the federation model
//! reads who may read or write a collection.

use std::path::{Path, PathBuf};

const MAX_LINES: usize = 600;

/// The files that may read a collection's `readers` and `writers`: the model itself, and
/// the config schema that declares them and builds the model.
const READS_READERS: &[&str] = &["src/records/federation.rs", "src/config.rs"];

fn sources() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    let mut dirs: Vec<PathBuf> = vec![root.join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("src is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(root).expect("under the root");
                let relative = relative.to_string_lossy().replace('\\', "/");
                let text = std::fs::read_to_string(&path).expect("a source file is UTF-8");
                files.push((relative, text));
            }
        }
    }
    files.sort();
    assert!(files.len() > 20, "found only {} source files", files.len());
    files
}

#[test]
fn every_source_file_starts_with_a_module_header() {
    let missing: Vec<String> = sources()
        .into_iter()
        .filter(|(_, text)| !text.starts_with("//!"))
        .map(|(path, _)| path)
        .collect();
    assert!(
        missing.is_empty(),
        "no `//!` header saying what the file is for: {missing:?}"
    );
}

#[test]
fn no_source_file_is_longer_than_600_lines() {
    let mut too_long = Vec::new();
    for (path, text) in sources() {
        let lines = text.lines().count();
        if lines > MAX_LINES {
            too_long.push(format!("{path}: {lines} lines"));
        }
    }
    assert!(
        too_long.is_empty(),
        "files over {MAX_LINES} lines (split them by concern): {too_long:?}"
    );
}

#[test]
fn only_the_federation_model_reads_readers_and_writers() {
    let mut offenders = Vec::new();
    for (path, text) in sources() {
        if READS_READERS.contains(&path.as_str()) {
            continue;
        }
        for (number, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            if code.contains(".readers") || code.contains(".writers") {
                offenders.push(format!("{path}:{}: {}", number + 1, line.trim()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "ask records::Federation (may_read, releasable, may_hold_stream…) instead: {offenders:?}"
    );
}
