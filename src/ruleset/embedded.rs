//! The `wordlists/` directory, built into the binary by `build.rs`.

include!(concat!(env!("OUT_DIR"), "/embedded_wordlists.rs"));
