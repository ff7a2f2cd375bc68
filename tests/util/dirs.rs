//! Scratch directories and copies of the project's `wordlists/`.

use std::path::{Path, PathBuf};

/// A directory under the system temp dir, removed on drop.
pub struct Scratch {
    pub path: PathBuf,
}

impl Scratch {
    /// Creates an empty directory unique to this process and `name`.
    pub fn new(name: &str) -> Scratch {
        let path = std::env::temp_dir().join(format!("msgscreen-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        Scratch { path }
    }

    /// Returns a path inside the directory.
    pub fn join(&self, rel: &str) -> PathBuf {
        self.path.join(rel)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Returns the project's `wordlists/` directory.
pub fn project_wordlists() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("wordlists")
}

/// Copies a directory tree (regular files and directories).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Appends `extra` to a file.
pub fn append(path: &Path, extra: &str) {
    let mut content = std::fs::read_to_string(path).unwrap();
    content.push_str(extra);
    std::fs::write(path, content).unwrap();
}
