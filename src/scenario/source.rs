//! Scenario source files: their text, a span-keeping parse, and turning key paths into line and
//! column for diagnostics.

use super::diagnostic::{KeyPath, Location, Segment};
use toml_edit::{ImDocument, Item, Value};

/// One scenario file as read from disk.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user gave it (or as `extends` resolved it).
    pub display_path: String,
    /// The file's text.
    pub text: String,
    /// A parse that remembers where every key and value is.
    document: ImDocument<String>,
}

/// A node while walking the span-keeping document.
enum Node<'a> {
    Item(&'a Item),
    Value(&'a Value),
    Table(&'a toml_edit::Table),
}

impl SourceFile {
    /// Parses `text`; a syntax error comes back as a located message.
    pub fn parse(display_path: String, text: String) -> Result<Self, (Location, String)> {
        match ImDocument::parse(text.clone()) {
            Ok(document) => Ok(SourceFile {
                display_path,
                text,
                document,
            }),
            Err(error) => {
                let offset = error.span().map(|s| s.start).unwrap_or(0);
                let location = self::location_at(&display_path, &text, offset);
                let mut message = error
                    .message()
                    .trim()
                    .trim_end_matches('.')
                    .replace('\n', " ");
                if message.is_empty() {
                    // The parser gives no words for some stray characters (found by fuzzing).
                    message = unexpected_character(&text, offset);
                }
                Err((
                    location,
                    format!("TOML syntax error: {}", plain_syntax_message(&message)),
                ))
            }
        }
    }

    /// The location of the value (or, failing that, the deepest enclosing key) at `path`, and
    /// whether the full path was found in this file.
    pub fn locate(&self, path: &KeyPath) -> Option<(Location, bool)> {
        let mut node = Node::Table(self.document.as_table());
        let mut best: Option<std::ops::Range<usize>> = None;
        for segment in &path.0 {
            let (next, key_span) = match (&node, segment) {
                (Node::Table(table), Segment::Key(key)) => match table.get_key_value(key) {
                    Some((k, item)) => (Node::Item(item), k.span()),
                    None => return best.map(|s| (self.location(s.start), false)),
                },
                (Node::Item(Item::Table(table)), Segment::Key(key)) => {
                    match table.get_key_value(key) {
                        Some((k, item)) => (Node::Item(item), k.span()),
                        None => return best.map(|s| (self.location(s.start), false)),
                    }
                }
                (Node::Item(Item::Value(Value::InlineTable(table))), Segment::Key(key))
                | (Node::Value(Value::InlineTable(table)), Segment::Key(key)) => {
                    match table.get_key_value(key) {
                        Some((k, item)) => (Node::Item(item), k.span()),
                        None => return best.map(|s| (self.location(s.start), false)),
                    }
                }
                (Node::Item(Item::ArrayOfTables(array)), Segment::Index(i)) => {
                    match array.get(*i) {
                        Some(table) => (Node::Table(table), table.span()),
                        None => return best.map(|s| (self.location(s.start), false)),
                    }
                }
                (Node::Item(Item::Value(Value::Array(array))), Segment::Index(i))
                | (Node::Value(Value::Array(array)), Segment::Index(i)) => match array.get(*i) {
                    Some(value) => (Node::Value(value), value.span()),
                    None => return best.map(|s| (self.location(s.start), false)),
                },
                _ => return best.map(|s| (self.location(s.start), false)),
            };
            // Prefer the value's own span; fall back to the key's.
            let value_span = match &next {
                Node::Item(item) => item.span(),
                Node::Value(value) => value.span(),
                Node::Table(table) => table.span(),
            };
            if let Some(span) = value_span.or(key_span) {
                best = Some(span);
            }
            node = next;
        }
        best.map(|s| (self.location(s.start), true))
    }

    /// The location of the key itself at `path` (for "unknown key" messages).
    pub fn locate_key(&self, path: &KeyPath) -> Option<Location> {
        let (parent, last) = match path.0.split_last() {
            Some((Segment::Key(last), parent)) => (KeyPath(parent.to_vec()), last),
            _ => return self.locate(path).map(|(l, _)| l),
        };
        let mut node = Node::Table(self.document.as_table());
        for segment in &parent.0 {
            node = match (&node, segment) {
                (Node::Table(t), Segment::Key(k)) => Node::Item(t.get(k)?),
                (Node::Item(Item::Table(t)), Segment::Key(k)) => Node::Item(t.get(k)?),
                (Node::Item(Item::Value(Value::InlineTable(t))), Segment::Key(k))
                | (Node::Value(Value::InlineTable(t)), Segment::Key(k)) => Node::Value(t.get(k)?),
                (Node::Item(Item::ArrayOfTables(a)), Segment::Index(i)) => Node::Table(a.get(*i)?),
                (Node::Item(Item::Value(Value::Array(a))), Segment::Index(i))
                | (Node::Value(Value::Array(a)), Segment::Index(i)) => Node::Value(a.get(*i)?),
                _ => return None,
            };
        }
        let span = match &node {
            Node::Table(t) => t.get_key_value(last).and_then(|(k, _)| k.span()),
            Node::Item(Item::Table(t)) => t.get_key_value(last).and_then(|(k, _)| k.span()),
            Node::Item(Item::Value(Value::InlineTable(t))) | Node::Value(Value::InlineTable(t)) => {
                t.get_key_value(last).and_then(|(k, _)| k.span())
            }
            _ => None,
        }?;
        Some(self.location(span.start))
    }

    /// Line and column of a byte offset in this file.
    pub fn location(&self, offset: usize) -> Location {
        location_at(&self.display_path, &self.text, offset)
    }
}

/// What is wrong with the character at `offset`, for parser errors that come without a message.
fn unexpected_character(text: &str, offset: usize) -> String {
    match text[floor_char_boundary(text, offset)..].chars().next() {
        Some('\r') => {
            "a carriage return (\\r) must be followed by a line feed (\\n)".to_string()
        }
        Some(c) if c.is_control() => format!(
            "the control character U+{:04X} is not allowed in a TOML file (save the file as plain text)",
            c as u32
        ),
        Some(c) => format!("unexpected character `{c}`"),
        None => "unexpected end of file".to_string(),
    }
}

/// The TOML parser's message, with the usual planner's slips explained in plain words.
fn plain_syntax_message(message: &str) -> String {
    if message.contains("invalid basic string") || message.contains("invalid literal string") {
        "a text value is not closed: add the closing quote (\")".to_string()
    } else if message.contains("expected newline") {
        format!(
            "{message}: after a value only a comment may follow on the line; numbers cannot contain `,` or spaces (write 22156.69, not 22,156.69)"
        )
    } else if message.contains("duplicate key") {
        format!("{message}: each key may appear only once in a table")
    } else {
        message.to_string()
    }
}

/// Line and (character) column of a byte offset in `text`, both 1-based.
pub fn location_at(path: &str, text: &str, offset: usize) -> Location {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = before[line_start..].chars().count() + 1;
    Location::File {
        path: path.to_string(),
        line,
        column,
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}
