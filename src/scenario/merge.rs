//! Scenario variants and overrides: `extends` (merge this file over its parent, table by table;
//! arrays replace) and `--set KEY=VALUE` (replace one value by its dotted path).

use super::diagnostic::{did_you_mean, with_article, Diagnostic, KeyPath, Location, Segment};
use toml::{Table, Value};

/// Merges `child` over `parent`: tables merge key by key, everything else (arrays included)
/// replaces the inherited value.
pub fn merge_tables(parent: &mut Table, child: Table) {
    for (key, value) in child {
        match (parent.get_mut(&key), value) {
            (Some(Value::Table(inherited)), Value::Table(own)) => merge_tables(inherited, own),
            (_, value) => {
                parent.insert(key, value);
            }
        }
    }
}

/// One parsed `--set KEY=VALUE` argument.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    /// The argument as typed (for messages and the audit record).
    pub raw: String,
    /// The dotted path.
    pub path: KeyPath,
    /// The new value.
    pub value: Value,
}

/// Parses `KEY=VALUE`. The value is read as a TOML value (`14`, `0.5`, `"lhs"`, `true`,
/// `{ dist = "normal", mean = 5, sd = 1 }`); anything that is not valid TOML is taken as a string,
/// so `--set scenario.sampling=lhs` works without quotes.
pub fn parse_override(raw: &str) -> Result<Override, Box<Diagnostic>> {
    let Some((key, value_text)) = raw.split_once('=') else {
        return Err(Box::new(Diagnostic::located(
            Location::Argument(format!("--set {raw}")),
            "expected KEY=VALUE, e.g. --set indicators.gdp.growth.0.trend.mean=6",
        )));
    };
    let key = key.trim();
    if key.is_empty() || key.split('.').any(|part| part.is_empty()) {
        return Err(Box::new(Diagnostic::located(
            Location::Argument(format!("--set {raw}")),
            format!("`{key}` is not a dotted key path"),
        )));
    }
    if key == "extends" || key.starts_with("extends.") {
        // The files are read before the overrides apply: `--set extends=...` would be
        // silently ignored.
        return Err(Box::new(Diagnostic::located(
            Location::Argument(format!("--set {raw}")),
            "`extends` cannot be set with --set: the chain of files is read before the overrides apply; write `extends = \"...\"` in the scenario file",
        )));
    }
    let value_text = value_text.trim();
    let value = match toml::from_str::<Table>(&format!("v = {value_text}")) {
        Ok(mut table) => table
            .remove("v")
            .unwrap_or(Value::String(value_text.to_string())),
        Err(_) => Value::String(value_text.to_string()),
    };
    Ok(Override {
        raw: raw.to_string(),
        path: KeyPath::parse_dotted(key),
        value,
    })
}

/// Applies one override to the merged document. Every segment but the last must exist; the last
/// may add a key to an existing table (unknown keys are caught later, as in a file).
pub fn apply_override(document: &mut Table, set: &Override) -> Result<(), Box<Diagnostic>> {
    let mut root = Value::Table(std::mem::take(document));
    let result = set_at(&mut root, &set.path.0, KeyPath::root(), set);
    if let Value::Table(table) = root {
        *document = table;
    }
    result
}

fn set_at(
    current: &mut Value,
    segments: &[Segment],
    walked: KeyPath,
    set: &Override,
) -> Result<(), Box<Diagnostic>> {
    let fail = |message: String, help: Option<String>| {
        Box::new(
            Diagnostic::located(Location::Argument(format!("--set {}", set.raw)), message)
                .with_optional_help(help),
        )
    };
    let Some((segment, rest)) = segments.split_first() else {
        *current = set.value.clone();
        return Ok(());
    };
    let type_name = current.type_str();
    match (current, segment) {
        (Value::Table(table), Segment::Key(key)) => {
            if rest.is_empty() {
                table.insert(key.clone(), set.value.clone());
                return Ok(());
            }
            let help = did_you_mean(key, table.keys().map(String::as_str));
            match table.get_mut(key) {
                Some(next) => set_at(next, rest, walked.key(key.clone()), set),
                None => Err(fail(format!("`{walked}` has no key `{key}`"), help)),
            }
        }
        (Value::Table(table), Segment::Index(index)) => {
            // A number after a table is a key such as a year: `observed.2021`.
            let key = index.to_string();
            if rest.is_empty() {
                table.insert(key, set.value.clone());
                return Ok(());
            }
            match table.get_mut(&key) {
                Some(next) => set_at(next, rest, walked.key(key.clone()), set),
                None => Err(fail(format!("`{walked}` has no key `{key}`"), None)),
            }
        }
        (Value::Array(array), Segment::Index(index)) => {
            let len = array.len();
            match array.get_mut(*index) {
                Some(next) => set_at(next, rest, walked.index(*index), set),
                None => Err(fail(
                    format!(
                        "`{walked}` has {len} entries; index {index} is out of range (indices start at 0)"
                    ),
                    None,
                )),
            }
        }
        (Value::Array(_), Segment::Key(key)) => Err(fail(
            format!("`{walked}` is a list; use a number (0, 1, ...) instead of `{key}`"),
            None,
        )),
        (_, segment) => {
            let what = match segment {
                Segment::Key(k) => format!("key `{k}`"),
                Segment::Index(i) => format!("entry {i}"),
            };
            Err(fail(
                format!(
                    "`{walked}` is {}, so it has no {what}",
                    with_article(type_name)
                ),
                None,
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> Table {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn extends_cannot_be_set() {
        let error = parse_override("extends=other.toml").unwrap_err();
        assert!(
            error.message.contains("`extends` cannot be set with --set"),
            "{}",
            error.message
        );
    }

    #[test]
    fn tables_merge_and_arrays_replace() {
        let mut parent = table("[a]\nx = 1\ny = 2\n[[t]]\nid = 'p'\n[[t]]\nid = 'q'\n");
        merge_tables(&mut parent, table("[a]\ny = 3\n[[t]]\nid = 'c'\n"));
        assert_eq!(parent["a"]["x"].as_integer(), Some(1));
        assert_eq!(parent["a"]["y"].as_integer(), Some(3));
        assert_eq!(parent["t"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn override_sets_nested_values_and_reports_bad_paths() {
        let mut doc = table("[i.rd_spend]\ngrowth = [{ from = 1, to = 2, trend = { dist = 'normal', mean = 1, sd = 1 } }]\n");
        let set = parse_override("i.rd_spend.growth.0.trend.mean=14").unwrap();
        apply_override(&mut doc, &set).unwrap();
        assert_eq!(
            doc["i"]["rd_spend"]["growth"][0]["trend"]["mean"].as_integer(),
            Some(14)
        );
        let bad = parse_override("i.rd_spnd.growth.0.trend.mean=14").unwrap();
        let err = apply_override(&mut doc, &bad).unwrap_err();
        assert!(err.message.contains("no key `rd_spnd`"), "{}", err.message);
        assert_eq!(err.help.as_deref(), Some("did you mean `rd_spend`?"));
        let out_of_range = parse_override("i.rd_spend.growth.3.noise=1").unwrap();
        assert!(apply_override(&mut doc, &out_of_range).is_err());
        assert_eq!(
            parse_override("s.sampling=lhs").unwrap().value.as_str(),
            Some("lhs")
        );
    }
}
