//! Two things the binary carries from its build:
//! - the commit it was built from (`server --version`), from git when there is one;
//! - the browser half, when CADENCE_SITE names a release site directory (`./x run` and
//!   the release build set it; see scripts/lib.sh `build_release`): every file of its
//!   `pkg/BUNDLE/` is embedded, so deploying is copying the one binary. Without it (debug builds,
//!   the tests) the server serves target/site from disk as before.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    commit();
    site();
}

fn commit() {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("..");
    let git = root.join(".git");
    // Rebuilt when the checked-out commit changes, not on every edit.
    let head = git.join("HEAD");
    if head.exists() {
        println!("cargo:rerun-if-changed={}", head.display());
        if let Ok(text) = fs::read_to_string(&head) {
            if let Some(reference) = text.strip_prefix("ref: ") {
                let file = git.join(reference.trim());
                if file.exists() {
                    println!("cargo:rerun-if-changed={}", file.display());
                }
            }
        }
    }
    let commit = env::var("CADENCE_COMMIT").ok().or_else(|| {
        let out = Command::new("git")
            .args(["rev-parse", "--short=12", "HEAD"])
            .current_dir(&root)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    });
    println!("cargo:rerun-if-env-changed=CADENCE_COMMIT");
    println!(
        "cargo:rustc-env=CADENCE_COMMIT={}",
        commit
            .filter(|c| !c.is_empty())
            .as_deref()
            .unwrap_or("unknown")
    );
}

fn site() {
    println!("cargo:rerun-if-env-changed=CADENCE_SITE");
    let out = PathBuf::from(env::var("OUT_DIR").unwrap()).join("site.rs");
    let mut code = String::new();
    match env::var("CADENCE_SITE").ok().filter(|s| !s.is_empty()) {
        None => {
            code.push_str("pub const BUNDLE: Option<&str> = None;\n");
            code.push_str("pub static FILES: &[(&str, &[u8])] = &[];\n");
        }
        Some(dir) => {
            let dir = Path::new(&dir);
            let bundle_file = dir.join("bundle");
            println!("cargo:rerun-if-changed={}", bundle_file.display());
            let bundle = fs::read_to_string(&bundle_file)
                .unwrap_or_else(|e| panic!("CADENCE_SITE: reading {}: {e}", bundle_file.display()));
            writeln!(
                code,
                "pub const BUNDLE: Option<&str> = Some({:?});",
                bundle.trim()
            )
            .unwrap();
            // pkg/BUNDLE/: the bundle's directory, named by the hash of its files.
            let pkg = dir.join("pkg").join(bundle.trim());
            println!("cargo:rerun-if-changed={}", pkg.display());
            let mut files: Vec<PathBuf> = fs::read_dir(&pkg)
                .unwrap_or_else(|e| panic!("CADENCE_SITE: reading {}: {e}", pkg.display()))
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|path| path.is_file())
                .collect();
            files.sort();
            code.push_str("pub static FILES: &[(&str, &[u8])] = &[\n");
            for path in files {
                println!("cargo:rerun-if-changed={}", path.display());
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                let absolute = fs::canonicalize(&path).unwrap();
                writeln!(
                    code,
                    "    ({name:?}, include_bytes!({:?})),",
                    absolute.display().to_string()
                )
                .unwrap();
            }
            code.push_str("];\n");
        }
    }
    fs::write(out, code).unwrap();
}
