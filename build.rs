//! With the `ffi` feature: regenerates `include/ocpp_cp.h` from `src/ffi` with cbindgen
//! (settings in `cbindgen.toml`). The header is committed; the test command fails when it
//! differs from what this writes. The file is rewritten only when its text changes.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    #[cfg(feature = "ffi")]
    header();
}

#[cfg(feature = "ffi")]
fn header() {
    use std::path::PathBuf;
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| String::from(".")));
    for watched in ["src/ffi", "cbindgen.toml"] {
        println!("cargo:rerun-if-changed={}", root.join(watched).display());
    }
    let config = match cbindgen::Config::from_file(root.join("cbindgen.toml")) {
        Ok(c) => c,
        Err(e) => panic!("cbindgen.toml: {e}"),
    };
    let bindings = match cbindgen::Builder::new()
        .with_crate(&root)
        .with_config(config)
        .generate()
    {
        Ok(b) => b,
        Err(e) => panic!("cbindgen: {e}"),
    };
    let path = root.join("include").join("ocpp_cp.h");
    let _ = std::fs::create_dir_all(root.join("include"));
    // write_to_file leaves the file alone when the text is the same (no rebuild churn).
    bindings.write_to_file(&path);
}
