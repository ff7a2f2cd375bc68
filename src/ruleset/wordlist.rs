//! Wordlist files: one term per line, `#` comments, blank lines ignored.

/// One term of a wordlist, with the line it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Term {
    /// The term as written, trimmed.
    pub text: String,
    /// Its 1-based line in the file.
    pub line: usize,
}

/// A parsed wordlist file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Wordlist {
    /// The file, relative to the ruleset root.
    pub file: String,
    /// Its terms in file order.
    pub terms: Vec<Term>,
}

impl Wordlist {
    /// Parses a wordlist: a `#` starts a comment (to the end of the line)
    /// unless escaped as `\#`; blank lines are ignored.
    pub fn parse(file: &str, content: &str) -> Wordlist {
        let terms = content
            .lines()
            .enumerate()
            .filter_map(|(i, line)| {
                let text = strip_comment(line);
                let text = text.trim();
                (!text.is_empty()).then(|| Term {
                    text: text.to_string(),
                    line: i + 1,
                })
            })
            .collect();
        Wordlist {
            file: file.to_string(),
            terms,
        }
    }

    /// Returns the terms' texts.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.terms.iter().map(|t| t.text.as_str())
    }

    /// Returns the number of terms.
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// Returns true when the list has no term.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }
}

fn strip_comment(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'#') => {
                out.push('#');
                chars.next();
            }
            '#' => break,
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_comments_and_blank_lines_and_keeps_line_numbers() {
        let list = Wordlist::parse("x.txt", "# header\n\nvenmo  # app\n  zelle\nc\\#sharp\n");
        let got: Vec<_> = list
            .terms
            .iter()
            .map(|t| (t.text.as_str(), t.line))
            .collect();
        assert_eq!(got, [("venmo", 3), ("zelle", 4), ("c#sharp", 5)]);
    }
}
