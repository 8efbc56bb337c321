//! Diagnostics: what is wrong with a scenario or an argument, and where.
//!
//! Validation collects every problem it finds as a [`Diagnostic`] tied to a [`KeyPath`]; the
//! loader later resolves each path to a file, line and column (see [`super::source`]).

use std::fmt;

/// One step of a path into the scenario document.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Segment {
    /// A table key.
    Key(String),
    /// An array index (0-based).
    Index(usize),
}

/// A dotted path into the scenario document, e.g. `indicators.rd_spend.growth.0.trend`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyPath(pub Vec<Segment>);

impl KeyPath {
    /// The empty path (the document root).
    pub fn root() -> Self {
        KeyPath(Vec::new())
    }

    /// This path extended by a key.
    pub fn key(&self, key: impl Into<String>) -> Self {
        let mut segments = self.0.clone();
        segments.push(Segment::Key(key.into()));
        KeyPath(segments)
    }

    /// This path extended by an array index.
    pub fn index(&self, index: usize) -> Self {
        let mut segments = self.0.clone();
        segments.push(Segment::Index(index));
        KeyPath(segments)
    }

    /// Parses a dotted path as written in `--set` (numeric segments become indices).
    pub fn parse_dotted(text: &str) -> Self {
        KeyPath(
            text.split('.')
                .map(|part| match part.parse::<usize>() {
                    Ok(index) => Segment::Index(index),
                    Err(_) => Segment::Key(part.to_string()),
                })
                .collect(),
        )
    }

    /// True when `self` equals `prefix` or lies below it. A numeric key and an index match
    /// (`observed.2021` from `--set` is the key "2021" in the file).
    pub fn starts_with(&self, prefix: &KeyPath) -> bool {
        let same = |a: &Segment, b: &Segment| match (a, b) {
            (Segment::Key(k), Segment::Index(i)) | (Segment::Index(i), Segment::Key(k)) => {
                *k == i.to_string()
            }
            _ => a == b,
        };
        self.0.len() >= prefix.0.len() && self.0.iter().zip(&prefix.0).all(|(a, b)| same(a, b))
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return write!(f, "(top level)");
        }
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(key) => {
                    if i > 0 {
                        write!(f, ".")?;
                    }
                    write!(f, "{key}")?;
                }
                Segment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// Where a problem is: a place in a file, a command-line argument, or nowhere in particular.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A position in a scenario file (line and column are 1-based; column counts characters).
    File {
        /// The file as the user named it (or as `extends` resolved it).
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
    },
    /// A file without a known position (e.g. it could not be read).
    FileOnly(String),
    /// A command-line argument, e.g. `--set indicators.gdp.base=-1`.
    Argument(String),
    /// No specific place.
    Nowhere,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File { path, line, column } => write!(f, "{path}:{line}:{column}"),
            Location::FileOnly(path) => write!(f, "{path}"),
            Location::Argument(arg) => write!(f, "argument `{arg}`"),
            Location::Nowhere => Ok(()),
        }
    }
}

/// One problem found in the input, before or after it has been located.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// The path of the offending key, when the problem belongs to one.
    pub path: Option<KeyPath>,
    /// Where it is, once resolved.
    pub location: Location,
    /// What is wrong, in a sentence a planner can act on.
    pub message: String,
    /// An optional hint, e.g. "did you mean `rd_spend`?".
    pub help: Option<String>,
    /// Character offset inside a string value (formulas), added to the located column.
    pub column_offset: u32,
    /// Point at the key itself rather than its value (e.g. a misspelt name used as a key).
    pub at_key: bool,
}

impl Diagnostic {
    /// A diagnostic about the value at `path`.
    pub fn at(path: KeyPath, message: impl Into<String>) -> Self {
        Diagnostic {
            path: Some(path),
            location: Location::Nowhere,
            message: message.into(),
            help: None,
            column_offset: 0,
            at_key: false,
        }
    }

    /// A diagnostic about the key at the end of `path` (not its value).
    pub fn at_key(path: KeyPath, message: impl Into<String>) -> Self {
        Diagnostic {
            at_key: true,
            ..Diagnostic::at(path, message)
        }
    }

    /// A diagnostic with an already known location.
    pub fn located(location: Location, message: impl Into<String>) -> Self {
        Diagnostic {
            path: None,
            location,
            message: message.into(),
            help: None,
            column_offset: 0,
            at_key: false,
        }
    }

    /// Adds a hint.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a hint only when there is one.
    pub fn with_optional_help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Location::Nowhere => write!(f, "error: ")?,
            location => write!(f, "error: {location}: ")?,
        }
        write!(f, "{}", self.message)?;
        if let Some(path) = &self.path {
            if !path.0.is_empty() && !matches!(self.location, Location::Argument(_)) {
                write!(f, " (at `{path}`)")?;
            }
        }
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// The word with its indefinite article: "a growth", "an additive", "an array".
pub fn with_article(word: &str) -> String {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {word}")
    } else {
        format!("a {word}")
    }
}

/// The nearest valid name to `given` among `candidates`, when one is close enough to be a likely
/// misspelling (normalised Damerau-Levenshtein similarity of at least 0.6, or a case-only
/// difference).
pub fn nearest<'a, I>(given: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    let lowered = given.to_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        // The name itself is no suggestion (an unknown key `scenario` inside `[scenario]` once
        // got "did you mean `scenario`?").
        if candidate == given {
            continue;
        }
        let score = strsim::normalized_damerau_levenshtein(&lowered, &candidate.to_lowercase());
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, candidate));
        }
    }
    match best {
        Some((score, name)) if score >= 0.6 || (score > 0.3 && name.contains(&lowered)) => {
            Some(name.to_string())
        }
        _ => None,
    }
}

/// "did you mean `x`?" for the nearest candidate, if any.
pub fn did_you_mean<'a, I>(given: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    nearest(given, candidates).map(|name| format!("did you mean `{name}`?"))
}
