//! Compiles `proto/` with protox (pure Rust, no system `protoc`), generates
//! the tonic client and server plus a descriptor set for reflection, and
//! embeds every file of `wordlists/` as the default ruleset.

use std::{
    env,
    fmt::Write as _,
    path::{Path, PathBuf},
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(env::var("OUT_DIR")?);
    compile_protos(&out)?;
    embed_wordlists(&out)?;
    Ok(())
}

fn compile_protos(out: &Path) -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=proto");
    let descriptors = protox::compile(["msgscreen/v1/screening.proto"], ["proto"])?;
    std::fs::write(
        out.join("msgscreen_descriptor.bin"),
        prost::Message::encode_to_vec(&descriptors),
    )?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .compile_fds(descriptors)?;
    Ok(())
}

/// Writes `embedded_wordlists.rs`: a sorted table of (relative path, content).
fn embed_wordlists(out: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR")?).join("wordlists");
    println!("cargo:rerun-if-changed=wordlists");
    let mut files = Vec::new();
    collect(&root, &root, &mut files)?;
    files.sort();
    let mut code = String::from(
        "/// Every file of `wordlists/`: (path relative to it, content).\n\
         pub static FILES: &[(&str, &str)] = &[\n",
    );
    for (rel, abs) in files {
        writeln!(code, "    ({rel:?}, include_str!({abs:?})),")?;
    }
    code.push_str("];\n");
    std::fs::write(out.join("embedded_wordlists.rs"), code)?;
    Ok(())
}

fn collect(
    root: &Path,
    dir: &Path,
    files: &mut Vec<(String, String)>,
) -> Result<(), Box<dyn std::error::Error>> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        println!("cargo:rerun-if-changed={}", path.display());
        if path.is_dir() {
            collect(root, &path, files)?;
        } else {
            let rel = path
                .strip_prefix(root)?
                .to_string_lossy()
                .replace('\\', "/");
            files.push((rel, path.to_string_lossy().into_owned()));
        }
    }
    Ok(())
}
