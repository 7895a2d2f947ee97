//! Running the genrescope binary from a test, and reading what it said.

use std::path::Path;
use std::process::{Command, Output};

/// Runs `genrescope ARGS…` to its end.
pub fn genrescope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_genrescope"))
        .args(args)
        .output()
        .expect("run genrescope")
}

/// Runs `genrescope ARGS…`, which must succeed.
pub fn genrescope_ok(args: &[&str]) -> Output {
    let out = genrescope(args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    out
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The standard output of a run that succeeded.
pub fn ok(out: &Output) -> String {
    assert!(out.status.success(), "stderr: {}", stderr(out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The JSON a run that succeeded printed.
pub fn ok_json(out: &Output) -> serde_json::Value {
    assert!(out.status.success(), "stderr: {}", stderr(out));
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

/// What a run that failed said.
pub fn failure(out: &Output) -> String {
    assert!(!out.status.success(), "expected a failure");
    stderr(out)
}

/// The path of a model shipped in `models/`.
pub fn shipped(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("models")
        .join(name)
        .display()
        .to_string()
}
