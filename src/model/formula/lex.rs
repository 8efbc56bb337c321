//! The lexer of formulas: tokens with their offsets and source text, and the help for a
//! character that cannot start a token (such as `×` or `−`).

use super::FormulaError;

/// Help for a character that cannot start a token.
fn bad_char_help(c: char) -> Option<&'static str> {
    Some(match c {
        '×' | '·' | '⋅' | '∗' | '✕' => "write `*` to multiply",
        '÷' | '∕' => "write `/` to divide",
        '−' | '–' | '—' | '－' => "write `-` (ASCII minus)",
        '＋' => "write `+` (ASCII plus)",
        '（' | '）' => "use ASCII parentheses `(` and `)`",
        '［' | '］' => "use ASCII brackets, e.g. `id[-1]`",
        '，' | ';' | '；' => "separate function arguments with `,`",
        '{' | '}' => "use `(` and `)` for grouping",
        '%' | '％' => "there is no percent operator: multiply or divide by 100 explicitly",
        '²' => "write `^2`",
        '³' => "write `^3`",
        '=' => "a formula has no `=`: write only the right-hand side",
        '_' => "indicator ids start with a lowercase letter",
        '"' | '\'' | '`' => "indicator ids are written without quotes",
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------------
// Lexer
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Tok {
    Num(f64),
    Ident,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Plus,
    Minus,
    Star,
    Slash,
    Caret,
    End,
}

#[derive(Debug, Clone)]
pub(super) struct Token {
    pub(super) tok: Tok,
    /// 0-based char offset.
    pub(super) offset: usize,
    /// Source text of the token (empty for `End`).
    pub(super) text: String,
}

impl Token {
    /// How the token is named in messages.
    pub(super) fn describe(&self) -> String {
        match self.tok {
            Tok::End => "end of formula".to_string(),
            _ => format!("`{}`", self.text),
        }
    }

    /// Whether the token can begin an operand.
    pub(super) fn starts_operand(&self) -> bool {
        matches!(self.tok, Tok::Num(_) | Tok::Ident | Tok::LParen)
    }
}

pub(super) fn lex(chars: &[char]) -> Result<Vec<Token>, FormulaError> {
    let mut toks = Vec::new();
    let mut i = 0;
    let at = |j: usize| chars.get(j).copied();
    let is_digit = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
    while let Some(c) = at(i) {
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let punct = match c {
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            '[' => Some(Tok::LBracket),
            ']' => Some(Tok::RBracket),
            ',' => Some(Tok::Comma),
            '+' => Some(Tok::Plus),
            '-' => Some(Tok::Minus),
            '*' => Some(Tok::Star),
            '/' => Some(Tok::Slash),
            '^' => Some(Tok::Caret),
            _ => None,
        };
        if let Some(tok) = punct {
            toks.push(Token {
                tok,
                offset: start,
                text: c.to_string(),
            });
            i += 1;
        } else if c.is_ascii_digit() || (c == '.' && is_digit(at(i + 1))) {
            while is_digit(at(i)) {
                i += 1;
            }
            if at(i) == Some('.') {
                i += 1;
                while is_digit(at(i)) {
                    i += 1;
                }
            }
            if matches!(at(i), Some('e' | 'E')) {
                let mut j = i + 1;
                if matches!(at(j), Some('+' | '-')) {
                    j += 1;
                }
                if !is_digit(at(j)) {
                    let text: String = chars[start..j].iter().collect();
                    return Err(FormulaError::new(
                        format!("malformed number `{text}`: the exponent needs digits"),
                        start,
                    )
                    .with_help("write e.g. `1.5e3` or `2e-4`"));
                }
                while is_digit(at(j)) {
                    j += 1;
                }
                i = j;
            }
            if at(i) == Some('.') || is_digit(at(i)) {
                let mut j = i;
                while at(j).is_some_and(|c| c == '.' || c.is_ascii_alphanumeric()) {
                    j += 1;
                }
                let text: String = chars[start..j].iter().collect();
                return Err(FormulaError::new(
                    format!("malformed number `{text}`"),
                    start,
                ));
            }
            let text: String = chars[start..i].iter().collect();
            let value: f64 = match text.parse() {
                Ok(v) => v,
                Err(_) => {
                    return Err(FormulaError::new(
                        format!("malformed number `{text}`"),
                        start,
                    ))
                }
            };
            if !value.is_finite() {
                return Err(
                    FormulaError::new(format!("number `{text}` is too large"), start)
                        .with_help("numbers must be finite (at most about 1.8e308)"),
                );
            }
            toks.push(Token {
                tok: Tok::Num(value),
                offset: start,
                text,
            });
        } else if c.is_ascii_alphabetic() {
            while at(i).is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                i += 1;
            }
            toks.push(Token {
                tok: Tok::Ident,
                offset: start,
                text: chars[start..i].iter().collect(),
            });
        } else {
            let shown: String = c.escape_debug().collect();
            let err = FormulaError::new(format!("unexpected character `{shown}`"), start);
            return Err(match bad_char_help(c) {
                Some(h) => err.with_help(h),
                None => err,
            });
        }
    }
    toks.push(Token {
        tok: Tok::End,
        offset: chars.len(),
        text: String::new(),
    });
    Ok(toks)
}

#[cfg(test)]
mod tests {
    use crate::model::formula::tests::{err, value};

    #[test]
    fn lexer_numbers() {
        let v = [("x", 1.0)];
        assert_eq!(value("1.5E+2", &v), 150.0);
        assert_eq!(value("1e-3", &v), 0.001);
        assert_eq!(value(".5", &v), 0.5);
        assert_eq!(value("5.", &v), 5.0);
        assert!(err("1e").message.contains("exponent"));
        assert!(err("1e+").message.contains("exponent"));
        assert!(err("1.2.3").message.contains("malformed number `1.2.3`"));
        assert!(err("1e999").message.contains("too large"));
        assert_eq!(value("1e-999", &v), 0.0);
    }
}
