//! Rulesets: the files of `wordlists/` become one validated, compiled,
//! versioned [`Ruleset`] that never changes once built.
//!
//! Input: a directory, or the copy embedded in the binary. Output: a
//! [`Ruleset`] holding the policy table and the compiled detectors, or a
//! [`LoadRulesetError`] listing every problem with file, line and reason.
//! Reload (in `reload.rs`) builds a new ruleset and swaps it in; nothing
//! here knows about tokio or the server.

mod embedded;
mod error;
pub mod lint;
pub mod manifest;
pub mod wordlist;

use std::{
    collections::BTreeMap,
    fmt,
    path::{Path, PathBuf},
    time::SystemTime,
};

use sha2::{Digest, Sha256};

pub use error::{LoadRulesetError, Problem};
pub use manifest::{ListSpec, Manifest};
pub use wordlist::{Term, Wordlist};

use crate::{category::Category, detect::Detectors, message::Language, policy::Policy};

/// Where a ruleset was loaded from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// The copy of `wordlists/` built into the binary.
    Embedded,
    /// A directory on disk.
    Dir(PathBuf),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Embedded => f.write_str("embedded"),
            Source::Dir(path) => write!(f, "{}", path.display()),
        }
    }
}

/// The raw files of a ruleset: the manifest and every file it names.
#[derive(Clone, Debug)]
pub struct RulesetFiles {
    source: Source,
    files: BTreeMap<String, String>,
}

impl RulesetFiles {
    /// Returns the ruleset embedded in the binary at build time.
    pub fn embedded() -> RulesetFiles {
        RulesetFiles {
            source: Source::Embedded,
            files: embedded::FILES
                .iter()
                .map(|(name, content)| (name.to_string(), content.to_string()))
                .collect(),
        }
    }

    /// Reads the manifest of `dir` and every file it names.
    ///
    /// Only named files are read, through their paths in `dir`, so a
    /// Kubernetes ConfigMap mount (files that link into a `..data`
    /// directory) reads the same as plain files.
    ///
    /// # Errors
    ///
    /// A file that cannot be read, or a manifest that does not parse.
    pub fn read_dir(dir: &Path) -> Result<RulesetFiles, LoadRulesetError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read_to_string(&path).map_err(|source| LoadRulesetError::Read { path, source })
        };
        let manifest_text = read(manifest::MANIFEST_FILE)?;
        let manifest = Manifest::parse(&manifest_text).map_err(LoadRulesetError::Invalid)?;
        let mut files = BTreeMap::new();
        let mut unsafe_names = Vec::new();
        for name in referenced_files(&manifest) {
            if !is_safe_relative(&name) {
                unsafe_names.push(Problem::file(
                    manifest::MANIFEST_FILE,
                    format!("file {name:?} must be a relative path inside the ruleset directory"),
                ));
                continue;
            }
            match read(&name) {
                Ok(content) => {
                    files.insert(name, content);
                }
                // A missing file is one more problem for `Wordlists::read`
                // to report beside the others, not a reason to stop here.
                Err(LoadRulesetError::Read { source, .. })
                    if source.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        if !unsafe_names.is_empty() {
            return Err(LoadRulesetError::Invalid(unsafe_names));
        }
        files.insert(manifest::MANIFEST_FILE.to_string(), manifest_text);
        Ok(RulesetFiles {
            source: Source::Dir(dir.to_path_buf()),
            files,
        })
    }

    /// Returns these files with `name` set to `content` (added or
    /// replaced), for tests and fuzzing that build a ruleset in memory.
    pub fn with_file(mut self, name: &str, content: &str) -> RulesetFiles {
        self.files.insert(name.to_string(), content.to_string());
        self
    }

    /// Returns where the files came from.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// Returns the content of one file, by its path relative to the root.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.files.get(name).map(String::as_str)
    }

    /// Returns every file, by relative path.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.files.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Returns the content hash of the manifest and the files it names.
    pub fn version(&self) -> String {
        let manifest = self
            .get(manifest::MANIFEST_FILE)
            .and_then(|m| Manifest::parse(m).ok());
        let names: Vec<String> = match &manifest {
            Some(m) => {
                let mut names = referenced_files(m);
                names.push(manifest::MANIFEST_FILE.to_string());
                names.sort();
                names.dedup();
                names
            }
            None => self.files.keys().cloned().collect(),
        };
        let mut hasher = Sha256::new();
        for name in names {
            let content = self.get(&name).unwrap_or("");
            hasher.update((name.len() as u64).to_le_bytes());
            hasher.update(name.as_bytes());
            hasher.update((content.len() as u64).to_le_bytes());
            hasher.update(content.as_bytes());
        }
        let digest = hasher.finalize();
        digest[..8].iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// Returns every file the manifest names, sorted, without duplicates.
fn referenced_files(manifest: &Manifest) -> Vec<String> {
    let mut names: Vec<String> = manifest
        .lists
        .iter()
        .map(|l| l.file.clone())
        .chain(manifest.data.values().cloned())
        .chain(manifest.exempt_sellers.clone())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Orders problems by file and line and drops repeats (the same problem
/// found by the generic checks and by a detector's compile).
fn sort_problems(mut problems: Vec<Problem>) -> Vec<Problem> {
    problems.sort_by(|a, b| (&a.file, a.line, &a.reason).cmp(&(&b.file, b.line, &b.reason)));
    problems.dedup();
    problems
}

fn is_safe_relative(name: &str) -> bool {
    let path = Path::new(name);
    path.is_relative()
        && path
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
}

/// The parsed content of a ruleset, before compiling: manifest and lists.
#[derive(Clone, Debug)]
pub struct Wordlists {
    /// The manifest.
    pub manifest: Manifest,
    /// Each phrase list with its terms, in manifest order.
    pub lists: Vec<(ListSpec, Wordlist)>,
    /// The named data lists.
    pub data: BTreeMap<String, Wordlist>,
    /// Exempt seller ids.
    pub exempt_sellers: Wordlist,
}

impl Wordlists {
    /// Parses the manifest and every list it names.
    ///
    /// # Errors
    ///
    /// Every problem found, with file and line.
    pub fn parse(files: &RulesetFiles) -> Result<Wordlists, Vec<Problem>> {
        let (lists, problems) = Wordlists::read(files)?;
        if problems.is_empty() {
            Ok(lists)
        } else {
            Err(problems)
        }
    }

    /// Parses the manifest and every list it names, and checks the lists:
    /// files named but missing, duplicate terms, terms that normalize to
    /// nothing or are shorter than `settings.min_term_length`.
    ///
    /// Returns the lists (a missing file reads as empty) with every problem
    /// found, so a caller can add the compile problems and report all of
    /// them at once.
    ///
    /// # Errors
    ///
    /// A missing or invalid manifest: without it nothing else can be read.
    pub fn read(files: &RulesetFiles) -> Result<(Wordlists, Vec<Problem>), Vec<Problem>> {
        let manifest_text = files
            .get(manifest::MANIFEST_FILE)
            .ok_or_else(|| vec![Problem::file(manifest::MANIFEST_FILE, "missing manifest")])?;
        let manifest = Manifest::parse(manifest_text)?;
        let mut problems = Vec::new();
        let mut read = |name: &str| match files.get(name) {
            Some(content) => Wordlist::parse(name, content),
            None => {
                problems.push(Problem::file(name, "file named in the manifest is missing"));
                Wordlist::parse(name, "")
            }
        };
        let lists: Vec<(ListSpec, Wordlist)> = manifest
            .lists
            .iter()
            .map(|spec| (spec.clone(), read(&spec.file)))
            .collect();
        let data: BTreeMap<String, Wordlist> = manifest
            .data
            .iter()
            .map(|(name, file)| (name.clone(), read(file)))
            .collect();
        let exempt_sellers = manifest
            .exempt_sellers
            .as_deref()
            .map(&mut read)
            .unwrap_or_default();
        // A file may back several lists; check each file once.
        let mut checked = std::collections::BTreeSet::new();
        for (_, list) in &lists {
            if checked.insert(list.file.clone()) {
                list.check_terms(manifest.settings.min_term_length, &mut problems);
            }
        }
        for list in data.values().chain(std::iter::once(&exempt_sellers)) {
            if checked.insert(list.file.clone()) {
                list.check_duplicates(&mut problems);
            }
        }
        Ok((
            Wordlists {
                manifest,
                lists,
                data,
                exempt_sellers,
            },
            problems,
        ))
    }

    /// Returns the named data list, or an empty one when the manifest has none.
    pub fn data(&self, name: &str) -> &Wordlist {
        static EMPTY: Wordlist = Wordlist {
            file: String::new(),
            terms: Vec::new(),
        };
        self.data.get(name).unwrap_or(&EMPTY)
    }
}

/// The term count of one wordlist, as GetRuleset reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WordlistInfo {
    /// The list's name (a phrase list) or `data:NAME` (a data list).
    pub name: String,
    /// The category of its terms, if it is a phrase list.
    pub category: Option<Category>,
    /// Its language, `None` for any.
    pub language: Option<Language>,
    /// How many terms it holds.
    pub terms: usize,
}

/// A validated, compiled, versioned ruleset; immutable once built.
#[derive(Debug)]
pub struct Ruleset {
    version: String,
    source: Source,
    loaded_at: SystemTime,
    wordlists: Vec<WordlistInfo>,
    policy: Policy,
    detectors: Detectors,
}

impl Ruleset {
    /// Builds the ruleset embedded in the binary.
    ///
    /// # Errors
    ///
    /// Only if the embedded files are invalid, which the test suite rules out.
    pub fn embedded() -> Result<Ruleset, LoadRulesetError> {
        Ruleset::build(&RulesetFiles::embedded())
    }

    /// Reads and builds the ruleset in `dir`.
    ///
    /// # Errors
    ///
    /// A file that cannot be read, or every problem of an invalid ruleset.
    pub fn from_dir(dir: &Path) -> Result<Ruleset, LoadRulesetError> {
        Ruleset::build(&RulesetFiles::read_dir(dir)?)
    }

    /// Validates and compiles a ruleset from its files.
    ///
    /// # Errors
    ///
    /// Every problem found, with file, line and reason.
    pub fn build(files: &RulesetFiles) -> Result<Ruleset, LoadRulesetError> {
        let (lists, mut problems) = Wordlists::read(files).map_err(LoadRulesetError::Invalid)?;
        let detectors = Detectors::compile(&lists);
        if let Err(compile_problems) = &detectors {
            problems.extend(compile_problems.iter().cloned());
        }
        let detectors = match detectors {
            Ok(detectors) if problems.is_empty() => detectors,
            _ => return Err(LoadRulesetError::Invalid(sort_problems(problems))),
        };
        let policy = Policy::from_wordlists(&lists);
        let wordlists = lists
            .lists
            .iter()
            .map(|(spec, list)| WordlistInfo {
                name: spec.name.clone(),
                category: spec.category(),
                language: spec.language(),
                terms: list.len(),
            })
            .chain(lists.data.iter().map(|(name, list)| WordlistInfo {
                name: format!("data:{name}"),
                category: None,
                language: None,
                terms: list.len(),
            }))
            .collect();
        Ok(Ruleset {
            version: files.version(),
            source: files.source().clone(),
            loaded_at: SystemTime::now(),
            wordlists,
            policy,
            detectors,
        })
    }

    /// Returns the content hash of the ruleset's files.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Returns where the ruleset was loaded from.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// Returns when the ruleset was built.
    pub fn loaded_at(&self) -> SystemTime {
        self.loaded_at
    }

    /// Returns the term count per wordlist.
    pub fn wordlists(&self) -> &[WordlistInfo] {
        &self.wordlists
    }

    /// Returns the policy table.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Returns the compiled detectors.
    pub fn detectors(&self) -> &Detectors {
        &self.detectors
    }

    /// Compiles the parts built on first use (the phrase patterns'
    /// regexes), so a ruleset about to serve does not make its first
    /// messages wait. A build leaves them for later so that building,
    /// checking and linting a ruleset stay fast; the server warms a
    /// ruleset before it serves and before a reload swaps it in, off the
    /// request path.
    pub fn warm(&self) {
        self.detectors.warm();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_the_embedded_ruleset() {
        let ruleset = Ruleset::embedded().unwrap();
        assert_eq!(ruleset.version().len(), 16);
        assert_eq!(ruleset.source(), &Source::Embedded);
        assert_eq!(ruleset.version(), RulesetFiles::embedded().version());
    }

    #[test]
    fn build_reports_every_problem_at_once() {
        let mut files = RulesetFiles::embedded();
        let manifest = files.get(manifest::MANIFEST_FILE).unwrap().to_string()
            + "\n[[lists]]\nname = \"extra\"\nfile = \"en/extra.txt\"\ncategory = \"marketing\"\n\
               \n[[lists]]\nname = \"gone\"\nfile = \"en/gone.txt\"\ncategory = \"marketing\"\n";
        files
            .files
            .insert(manifest::MANIFEST_FILE.to_string(), manifest);
        files.files.insert(
            "en/extra.txt".to_string(),
            "promo code\nq\nPromo Code\n".to_string(),
        );
        let err = Ruleset::build(&files).unwrap_err();
        let got: Vec<String> = err.problems().iter().map(Problem::to_string).collect();
        assert_eq!(
            got,
            [
                "en/extra.txt:2: term \"q\" is 1 character long, shorter than min_term_length 2",
                "en/extra.txt:3: duplicate term \"Promo Code\" (same as line 1)",
                "en/gone.txt: file named in the manifest is missing",
            ]
        );
    }

    #[test]
    fn read_dir_reports_missing_files_with_the_other_problems() {
        let dir = std::env::temp_dir().join(format!("msgscreen-ruleset-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("en")).unwrap();
        for (name, content) in RulesetFiles::embedded().iter() {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, content).unwrap();
        }
        let manifest = std::fs::read_to_string(dir.join(manifest::MANIFEST_FILE)).unwrap()
            + "\n[[lists]]\nname = \"gone\"\nfile = \"en/gone.txt\"\ncategory = \"marketing\"\n";
        std::fs::write(dir.join(manifest::MANIFEST_FILE), manifest).unwrap();
        let err = Ruleset::from_dir(&dir).unwrap_err();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            err.problems(),
            [Problem::file(
                "en/gone.txt",
                "file named in the manifest is missing"
            )]
        );
    }
}
