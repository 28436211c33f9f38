//! Replays every committed corpus file (`corpus/<target>/*`) and every regression input
//! (`regressions/<target>/*`) through its target's body on stable Rust, without libFuzzer: a
//! quick regression check that also runs where cargo-fuzz cannot.
//! `cargo test --manifest-path fuzz/Cargo.toml`

use std::path::{Path, PathBuf};

/// The files of `dir`, sorted; none when it does not exist.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries.map(|e| e.expect("directory entry").path()).collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    files
}

/// Runs every file of `<root>/<target>/` through its target; the failing ones.
fn failures(root: &str) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(root);
    let mut failed = Vec::new();
    for (name, body) in ocpp_cp_fuzz::TARGETS {
        for path in files(&root.join(name)) {
            let data = std::fs::read(&path).expect("readable corpus file");
            if std::panic::catch_unwind(|| body(&data)).is_err() {
                failed.push(path.display().to_string());
            }
        }
    }
    failed
}

#[test]
fn every_corpus_file_passes_its_target() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    for (name, _) in ocpp_cp_fuzz::TARGETS {
        assert!(!files(&root.join(name)).is_empty(), "no seeds for {name}");
    }
    assert_eq!(failures("corpus"), Vec::<String>::new());
}

#[test]
fn every_regression_input_passes_its_target() {
    assert_eq!(failures("regressions"), Vec::<String>::new());
}
