//! Formulas of derived indicators (scenario spec, section 2 "Formulas").
//!
//! A formula such as `(hightech_output - hightech_output[-1]) / hightech_output[-1] * 100` goes
//! through three stages:
//!
//! 1. [`Formula::parse`] checks the syntax once and compiles the text to an unbound postfix
//!    program in which indicator ids are still names. Pure-number subexpressions are folded to
//!    constants on the way (`2^-1` becomes `0.5`), and [`Formula::references`] lists every
//!    `(indicator id, lag)` the formula reads, so the caller can build its dependency graph.
//! 2. [`Formula::bind`] maps every reference to the slot in which the engine will provide its
//!    values and turns the postfix code into a flat register program ([`Program`]).
//! 3. [`Program::eval`] evaluates the program for a whole chunk of Monte Carlo paths at a time,
//!    one tight loop over the slices per operation, without allocating once the scratch vectors are
//!    big enough. [`Program::eval_scalar`] evaluates one path and gives bit-identical results.
//!
//! # Grammar
//!
//! ```text
//! formula  := sum
//! sum      := product (("+" | "-") product)*          left-associative
//! product  := unary (("*" | "/") unary)*              left-associative
//! unary    := ("-" | "+") unary | power
//! power    := atom ("^" unary)?                       right-associative, binds tighter than unary minus
//! atom     := number | id lag? | function "(" args ")" | "(" sum ")"
//! lag      := "[" ("-" | "+")? integer "]"            `id[-k]`: the value k years earlier
//! number   := digits ("." digits?)? exponent? | "." digits exponent?
//! exponent := ("e" | "E") ("+" | "-")? digits
//! id       := [a-z][a-z0-9_]*
//! ```
//!
//! So `-a^2` is `-(a^2)`, `2^-1` is `0.5`, `2^3^2` is `2^9`, `a-b-c` is `(a-b)-c` and `a/b/c` is
//! `(a/b)/c`. Whitespace may appear between any two tokens. `id[0]` and `id[-0]` are the same as
//! `id`; a positive lag such as `id[1]` is an error (lags look back).
//!
//! # Functions
//!
//! | function | meaning |
//! |---|---|
//! | `min(a, b, ...)`, `max(a, b, ...)` | two or more arguments; NaN if any argument is NaN; among equal values (such as `-0` and `0`) the first one |
//! | `abs(x)`, `sqrt(x)`, `exp(x)` | as usual |
//! | `ln(x)`, `log10(x)` | natural and base-10 logarithm |
//! | `clamp(x, lo, hi)` | `lo` if `x < lo`, `hi` if `x > hi`, else `x`; NaN if any argument is NaN; constant bounds with `lo > hi` are an error |
//!
//! Function names are reserved: `ln` on its own (without parentheses) is an error, not an
//! indicator id.
//!
//! # Arithmetic
//!
//! Evaluation follows IEEE 754: `x / 0` is infinite, `ln(-1)` and `sqrt(-1)` are NaN, `^` is
//! [`f64::powf`], except that `x^2` is computed as `x * x` (faster and correctly rounded). Such values are written out as they are; detecting and reporting them is the
//! engine's job. Constant folding uses exactly the same operations as evaluation, so folding
//! never changes a result.
//!
//! # Errors
//!
//! Every problem is a [`FormulaError`] with a user-facing message, the 0-based *character* offset
//! of the problem in the formula text, and, where one can be guessed, a hint such as
//! "did you mean `log10`?".

use std::fmt;

/// Deepest nesting of parentheses, unary signs, exponents and function calls accepted by the
/// parser; deeper formulas are an error rather than a stack overflow.
const MAX_NESTING: usize = 200;

/// Scratch registers that [`Program::eval_scalar`] keeps on the stack before falling back to a
/// heap buffer.
const SCALAR_REGS: usize = 16;

// ---------------------------------------------------------------------------------------------
// Errors and references
// ---------------------------------------------------------------------------------------------

/// A parse or check error inside one formula.
#[derive(Debug, Clone, PartialEq)]
pub struct FormulaError {
    /// What is wrong, user-facing, e.g. "unknown function `lg`", "expected `)` to close `(` at
    /// column 4", "unexpected end of formula".
    pub message: String,
    /// 0-based char offset into the formula text where the problem is.
    pub offset: usize,
    /// Optional hint, e.g. "did you mean `log10`?".
    pub help: Option<String>,
}

impl FormulaError {
    fn new(message: impl Into<String>, offset: usize) -> Self {
        FormulaError {
            message: message.into(),
            offset,
            help: None,
        }
    }

    fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    fn with_optional_help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }
}

impl fmt::Display for FormulaError {
    /// The message alone; the caller adds the location (file, line, column) and the help.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FormulaError {}

/// One indicator value a formula reads: `name[-lag]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    /// The indicator id as written in the formula. It may contain uppercase letters, which
    /// [`Formula::bind`] rejects with a hint.
    pub name: String,
    /// How many years back (0 = the year being computed).
    pub lag: usize,
    /// 0-based char offset of the first appearance of this (name, lag) pair in the formula.
    pub offset: usize,
}

// ---------------------------------------------------------------------------------------------
// Operations and their scalar semantics (shared by folding, vector and scalar evaluation)
// ---------------------------------------------------------------------------------------------

/// An operation of the compiled program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    /// Identity: moves a slot or constant into the output.
    Copy,
    Neg,
    Abs,
    Ln,
    Log10,
    Exp,
    Sqrt,
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Min,
    Max,
    Clamp,
}

impl Op {
    /// Number of operands the operation pops.
    fn arity(self) -> usize {
        match self {
            Op::Copy | Op::Neg | Op::Abs | Op::Ln | Op::Log10 | Op::Exp | Op::Sqrt => 1,
            Op::Add | Op::Sub | Op::Mul | Op::Div | Op::Pow | Op::Min | Op::Max => 2,
            Op::Clamp => 3,
        }
    }
}

#[inline(always)]
fn f_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a <= b {
        a
    } else {
        b
    }
}

#[inline(always)]
fn f_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a >= b {
        a
    } else {
        b
    }
}

/// `a ^ b`: [`f64::powf`], except that a square is computed as `a * a` (faster, and correctly
/// rounded).
#[inline(always)]
fn f_pow(a: f64, b: f64) -> f64 {
    if b == 2.0 {
        a * a
    } else {
        a.powf(b)
    }
}

#[inline(always)]
fn f_clamp(x: f64, lo: f64, hi: f64) -> f64 {
    if x.is_nan() || lo.is_nan() || hi.is_nan() {
        f64::NAN
    } else if x < lo {
        lo
    } else if x > hi {
        hi
    } else {
        x
    }
}

/// Scalar semantics of every operation; unused operands are ignored.
#[inline]
fn apply(op: Op, a: f64, b: f64, c: f64) -> f64 {
    match op {
        Op::Copy => a,
        Op::Neg => -a,
        Op::Abs => a.abs(),
        Op::Ln => a.ln(),
        Op::Log10 => a.log10(),
        Op::Exp => a.exp(),
        Op::Sqrt => a.sqrt(),
        Op::Add => a + b,
        Op::Sub => a - b,
        Op::Mul => a * b,
        Op::Div => a / b,
        Op::Pow => f_pow(a, b),
        Op::Min => f_min(a, b),
        Op::Max => f_max(a, b),
        Op::Clamp => f_clamp(a, b, c),
    }
}

/// The functions a formula may call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Func {
    Min,
    Max,
    Abs,
    Ln,
    Log10,
    Exp,
    Sqrt,
    Clamp,
}

const FUNCTIONS: [(&str, Func); 8] = [
    ("min", Func::Min),
    ("max", Func::Max),
    ("abs", Func::Abs),
    ("ln", Func::Ln),
    ("log10", Func::Log10),
    ("exp", Func::Exp),
    ("sqrt", Func::Sqrt),
    ("clamp", Func::Clamp),
];

impl Func {
    fn by_name(name: &str) -> Option<Func> {
        FUNCTIONS.iter().find(|(n, _)| *n == name).map(|&(_, f)| f)
    }

    fn name(self) -> &'static str {
        FUNCTIONS
            .iter()
            .find(|(_, f)| *f == self)
            .map(|(n, _)| *n)
            .unwrap_or("?")
    }

    /// `None` if `argc` arguments are fine, else the user-facing complaint.
    fn check_arity(self, argc: usize) -> Option<String> {
        let name = self.name();
        match self {
            Func::Min | Func::Max if argc < 2 => {
                Some(format!("{name} takes at least 2 arguments, got {argc}"))
            }
            Func::Min | Func::Max => None,
            Func::Clamp if argc != 3 => {
                Some(format!("clamp takes 3 arguments (x, lo, hi), got {argc}"))
            }
            Func::Clamp => None,
            _ if argc != 1 => Some(format!("{name} takes 1 argument (x), got {argc}")),
            _ => None,
        }
    }

    /// The operation a call compiles to (for `min`/`max`: one per extra argument).
    fn op(self) -> Op {
        match self {
            Func::Min => Op::Min,
            Func::Max => Op::Max,
            Func::Abs => Op::Abs,
            Func::Ln => Op::Ln,
            Func::Log10 => Op::Log10,
            Func::Exp => Op::Exp,
            Func::Sqrt => Op::Sqrt,
            Func::Clamp => Op::Clamp,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Name suggestions
// ---------------------------------------------------------------------------------------------

/// The candidate most similar to `name`, if any is similar enough (normalized
/// Damerau-Levenshtein >= 0.6 or Jaro-Winkler >= 0.85). Ties go to the earliest candidate.
fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(&'a str, f64)> = None;
    for cand in candidates {
        if cand == name {
            continue;
        }
        let dl = strsim::normalized_damerau_levenshtein(name, cand);
        let jw = strsim::jaro_winkler(name, cand);
        if dl < 0.6 && jw < 0.85 {
            continue;
        }
        let score = dl.max(jw);
        match best {
            Some((_, b)) if b >= score => {}
            _ => best = Some((cand, score)),
        }
    }
    best.map(|(c, _)| c)
}

/// Help for a call to an unknown function `name`.
fn unknown_function_help(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    match lower.as_str() {
        "log" => return "write `ln` for the natural logarithm or `log10` for base 10".into(),
        "lg" => return "did you mean `log10`?".into(),
        "pow" | "power" => return "powers are written with `^`, e.g. `a ^ b`".into(),
        "clip" | "bound" | "limit" => return "did you mean `clamp`?".into(),
        "sum" | "mean" | "avg" | "average" => {
            return format!(
                "there is no `{lower}` function: write the arithmetic, e.g. `(a + b) / 2`"
            )
        }
        _ => {}
    }
    if let Some(f) = nearest(&lower, FUNCTIONS.iter().map(|(n, _)| *n)) {
        return format!("did you mean `{f}`?");
    }
    format!(
        "the functions are min, max, abs, ln, log10, exp, sqrt and clamp; \
         to multiply, write `{name} * (...)`; for a lag, write `{name}[-1]`"
    )
}

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
enum Tok {
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
struct Token {
    tok: Tok,
    /// 0-based char offset.
    offset: usize,
    /// Source text of the token (empty for `End`).
    text: String,
}

impl Token {
    /// How the token is named in messages.
    fn describe(&self) -> String {
        match self.tok {
            Tok::End => "end of formula".to_string(),
            _ => format!("`{}`", self.text),
        }
    }

    /// Whether the token can begin an operand.
    fn starts_operand(&self) -> bool {
        matches!(self.tok, Tok::Num(_) | Tok::Ident | Tok::LParen)
    }
}

fn lex(chars: &[char]) -> Result<Vec<Token>, FormulaError> {
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

// ---------------------------------------------------------------------------------------------
// Parser: recursive descent emitting postfix code with constant folding
// ---------------------------------------------------------------------------------------------

/// One instruction of the unbound postfix code.
#[derive(Debug, Clone, Copy, PartialEq)]
enum PInstr {
    Const(f64),
    /// Index into the formula's reference table.
    Load(usize),
    Op(Op),
}

struct Parser<'t> {
    toks: &'t [Token],
    pos: usize,
    depth: usize,
    code: Vec<PInstr>,
    refs: Vec<Reference>,
}

type PResult = Result<(), FormulaError>;

impl Parser<'_> {
    fn peek(&self) -> &Token {
        // The token list always ends with `End`, and `pos` never moves past it.
        &self.toks[self.pos.min(self.toks.len() - 1)]
    }

    fn prev(&self) -> Option<&Token> {
        self.pos.checked_sub(1).and_then(|p| self.toks.get(p))
    }

    fn advance(&mut self) {
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
    }

    fn enter(&mut self) -> PResult {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(FormulaError::new(
                format!("formula is nested too deeply (more than {MAX_NESTING} levels)"),
                self.peek().offset,
            ));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// Appends `op`, folding it into a constant when all its operands are constants.
    ///
    /// In postfix code, if the last `k` instructions are all constants they are exactly the `k`
    /// operands of an operation of arity `k` emitted now.
    fn emit(&mut self, op: Op) {
        let k = op.arity();
        let n = self.code.len();
        if n >= k {
            let mut args = [0.0; 3];
            let all_const = self.code[n - k..]
                .iter()
                .zip(args.iter_mut())
                .all(|(ins, slot)| match ins {
                    PInstr::Const(v) => {
                        *slot = *v;
                        true
                    }
                    _ => false,
                });
            if all_const {
                self.code.truncate(n - k);
                self.code
                    .push(PInstr::Const(apply(op, args[0], args[1], args[2])));
                return;
            }
        }
        self.code.push(PInstr::Op(op));
    }

    /// sum := product (("+" | "-") product)*
    fn sum(&mut self) -> PResult {
        self.product()?;
        loop {
            let op = match self.peek().tok {
                Tok::Plus => Op::Add,
                Tok::Minus => Op::Sub,
                _ => return Ok(()),
            };
            self.advance();
            self.product()?;
            self.emit(op);
        }
    }

    /// product := unary (("*" | "/") unary)*
    fn product(&mut self) -> PResult {
        self.unary()?;
        loop {
            let op = match self.peek().tok {
                Tok::Star => Op::Mul,
                Tok::Slash => Op::Div,
                _ => return Ok(()),
            };
            self.advance();
            self.unary()?;
            self.emit(op);
        }
    }

    /// unary := ("-" | "+") unary | power
    fn unary(&mut self) -> PResult {
        match self.peek().tok {
            Tok::Minus => {
                self.advance();
                self.enter()?;
                self.unary()?;
                self.leave();
                self.emit(Op::Neg);
                Ok(())
            }
            Tok::Plus => {
                self.advance();
                self.enter()?;
                self.unary()?;
                self.leave();
                Ok(())
            }
            _ => self.power(),
        }
    }

    /// power := atom ("^" unary)?
    fn power(&mut self) -> PResult {
        self.atom()?;
        if self.peek().tok == Tok::Caret {
            self.advance();
            self.enter()?;
            self.unary()?;
            self.leave();
            self.emit(Op::Pow);
        }
        Ok(())
    }

    fn atom(&mut self) -> PResult {
        let tok = self.peek().clone();
        match tok.tok {
            Tok::Num(v) => {
                self.advance();
                self.code.push(PInstr::Const(v));
                Ok(())
            }
            Tok::Ident => self.ident(tok),
            Tok::LParen => {
                self.advance();
                self.enter()?;
                self.sum()?;
                self.leave();
                if self.peek().tok != Tok::RParen {
                    let found = self.peek().clone();
                    let err = FormulaError::new(
                        format!("expected `)` to close `(` at column {}", tok.offset + 1),
                        found.offset,
                    );
                    return Err(if found.starts_operand() {
                        err.with_help(format!(
                            "an operator is missing before {}; write `*` to multiply",
                            found.describe()
                        ))
                    } else {
                        err
                    });
                }
                self.advance();
                Ok(())
            }
            Tok::End => {
                let err = FormulaError::new("unexpected end of formula", tok.offset);
                Err(match self.prev() {
                    Some(p) => err.with_help(format!(
                        "a number, an indicator id or `(` must follow {}",
                        p.describe()
                    )),
                    None => err,
                })
            }
            _ => {
                let err = FormulaError::new(
                    format!(
                        "expected a number, an indicator id or `(`, found {}",
                        tok.describe()
                    ),
                    tok.offset,
                );
                let prev = self.prev().map(|p| p.tok);
                let help = match (prev, tok.tok) {
                    (Some(Tok::Star), Tok::Star) => Some("powers are written with `^`"),
                    (Some(Tok::Comma), Tok::RParen) => Some("remove the trailing `,`"),
                    (Some(Tok::LParen), Tok::RParen) => Some("the parentheses are empty"),
                    (Some(Tok::Star | Tok::Slash | Tok::Caret), Tok::Slash | Tok::Caret)
                    | (Some(Tok::Slash | Tok::Caret), Tok::Star) => {
                        Some("two operators in a row: a value is missing between them")
                    }
                    _ => None,
                };
                Err(err.with_optional_help(help.map(String::from)))
            }
        }
    }

    /// An identifier: a function call, or an indicator id with an optional lag.
    fn ident(&mut self, tok: Token) -> PResult {
        self.advance();
        let name = tok.text;
        if self.peek().tok == Tok::LParen {
            if let Some(f) = Func::by_name(&name) {
                return self.call(f, tok.offset);
            }
            let lower = name.to_ascii_lowercase();
            if Func::by_name(&lower).is_some() {
                return Err(FormulaError::new(
                    format!("function names are lowercase: `{name}`"),
                    tok.offset,
                )
                .with_help(format!("write `{lower}`")));
            }
            return Err(
                FormulaError::new(format!("unknown function `{name}`"), tok.offset)
                    .with_help(unknown_function_help(&name)),
            );
        }
        if Func::by_name(&name).is_some() {
            return Err(FormulaError::new(
                format!("`{name}` is a function, not an indicator id"),
                tok.offset,
            )
            .with_help(format!("call it with parentheses: `{name}(...)`")));
        }
        let lag = if self.peek().tok == Tok::LBracket {
            self.lag(&name)?
        } else {
            0
        };
        let index = match self
            .refs
            .iter()
            .position(|r| r.name == name && r.lag == lag)
        {
            Some(i) => i,
            None => {
                self.refs.push(Reference {
                    name,
                    lag,
                    offset: tok.offset,
                });
                self.refs.len() - 1
            }
        };
        self.code.push(PInstr::Load(index));
        Ok(())
    }

    /// lag := "[" ("-" | "+")? integer "]", with the `[` as the current token.
    fn lag(&mut self, name: &str) -> Result<usize, FormulaError> {
        let open = self.peek().offset;
        self.advance();
        let sign = self.peek().tok;
        let explicit_sign = matches!(sign, Tok::Minus | Tok::Plus);
        if explicit_sign {
            self.advance();
        }
        let num = self.peek().clone();
        let k = match num.tok {
            Tok::Num(_) if num.text.bytes().all(|b| b.is_ascii_digit()) => {
                match num.text.parse::<usize>() {
                    Ok(k) => k,
                    Err(_) => {
                        return Err(FormulaError::new(
                            format!("lag `{}` is too large", num.text),
                            num.offset,
                        ))
                    }
                }
            }
            Tok::Num(_) => {
                return Err(
                    FormulaError::new("a lag is a whole number of years", num.offset)
                        .with_help(format!("e.g. `{name}[-1]` for the value one year earlier")),
                )
            }
            _ => {
                return Err(FormulaError::new(
                    format!(
                        "expected a lag such as `[-1]` after `{name}`, found {}",
                        num.describe()
                    ),
                    num.offset,
                )
                .with_help(format!(
                    "`{name}[-k]` is the value k years earlier; k is a whole number"
                )))
            }
        };
        if sign != Tok::Minus && k > 0 {
            return Err(FormulaError::new(
                format!("lags look back: write `{name}[-{k}]`"),
                num.offset,
            )
            .with_help(format!(
                "`{name}[-{k}]` is the value {k} year{} earlier; formulas cannot look ahead",
                if k == 1 { "" } else { "s" }
            )));
        }
        self.advance();
        if self.peek().tok != Tok::RBracket {
            let found = self.peek().clone();
            return Err(FormulaError::new(
                format!("expected `]` to close `[` at column {}", open + 1),
                found.offset,
            )
            .with_help(format!(
                "a lag is written `{name}[-k]` with k a whole number"
            )));
        }
        self.advance();
        Ok(k)
    }

    /// A call of `f`, with the `(` as the current token; `at` is the offset of the name.
    fn call(&mut self, f: Func, at: usize) -> PResult {
        let open = self.peek().offset;
        self.advance();
        self.enter()?;
        let mut argc = 0usize;
        if self.peek().tok != Tok::RParen {
            loop {
                self.sum()?;
                argc += 1;
                if argc >= 2 && matches!(f, Func::Min | Func::Max) {
                    self.emit(f.op());
                }
                match self.peek().tok {
                    Tok::Comma => self.advance(),
                    Tok::RParen => break,
                    _ => {
                        let found = self.peek().clone();
                        let err = FormulaError::new(
                            format!(
                                "expected `,` or `)` in the call to `{}` opened at column {}, found {}",
                                f.name(),
                                open + 1,
                                found.describe()
                            ),
                            found.offset,
                        );
                        return Err(if found.starts_operand() {
                            err.with_help("separate arguments with `,`; write `*` to multiply")
                        } else {
                            err
                        });
                    }
                }
            }
        }
        // The current token is the closing `)`.
        self.advance();
        self.leave();
        if let Some(msg) = f.check_arity(argc) {
            return Err(FormulaError::new(msg, at));
        }
        match f {
            Func::Min | Func::Max => {}
            Func::Clamp => {
                let n = self.code.len();
                if let [PInstr::Const(lo), PInstr::Const(hi)] = self.code[n - 2..] {
                    if lo > hi {
                        return Err(FormulaError::new(
                            format!(
                                "clamp bounds are reversed: lo = {lo} is greater than hi = {hi}"
                            ),
                            at,
                        )
                        .with_help(format!("write `clamp(x, {hi}, {lo})`")));
                    }
                }
                self.emit(Op::Clamp);
            }
            _ => self.emit(f.op()),
        }
        Ok(())
    }

    /// Complaint about a token left over after a complete formula.
    fn trailing(&self) -> FormulaError {
        let tok = self.peek();
        match tok.tok {
            Tok::RParen => FormulaError::new("unexpected `)`", tok.offset)
                .with_help("there is no `(` for it to close"),
            Tok::Num(_) | Tok::Ident | Tok::LParen => FormulaError::new(
                format!("expected an operator before {}", tok.describe()),
                tok.offset,
            )
            .with_help("write `*` to multiply"),
            Tok::Comma => FormulaError::new("unexpected `,`", tok.offset)
                .with_help("commas separate the arguments of a function call"),
            Tok::LBracket => FormulaError::new("unexpected `[`", tok.offset)
                .with_help("only an indicator id can be lagged, once, e.g. `gdp[-1]`"),
            _ => FormulaError::new(format!("unexpected {}", tok.describe()), tok.offset),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Formula
// ---------------------------------------------------------------------------------------------

/// A parsed, syntactically valid formula (unbound: ids are still names).
#[derive(Debug, Clone)]
pub struct Formula {
    /// Postfix code, constant-folded.
    code: Vec<PInstr>,
    /// Distinct (name, lag) pairs in first-appearance order; `PInstr::Load` indexes this.
    refs: Vec<Reference>,
}

impl Formula {
    /// Parse the formula text.
    ///
    /// Checks the whole syntax (including function arities and constant `clamp` bounds) and
    /// folds pure-number subexpressions. Never panics, whatever the input.
    pub fn parse(text: &str) -> Result<Formula, FormulaError> {
        let chars: Vec<char> = text.chars().collect();
        let toks = lex(&chars)?;
        if toks.len() == 1 {
            return Err(FormulaError::new("empty formula", 0)
                .with_help("write an expression such as `rd_spend / gdp * 100`"));
        }
        let mut p = Parser {
            toks: &toks,
            pos: 0,
            depth: 0,
            code: Vec::new(),
            refs: Vec::new(),
        };
        p.sum()?;
        if p.peek().tok != Tok::End {
            return Err(p.trailing());
        }
        Ok(Formula {
            code: p.code,
            refs: p.refs,
        })
    }

    /// Every distinct (indicator id, lag) the formula reads, in first-appearance order, with the
    /// char offset of its first appearance. Lag is a non-negative integer (years back).
    ///
    /// `x`, `x[0]` and `x[-0]` are the same reference (lag 0). References inside constant
    /// subexpressions do not exist (a reference is never constant), so every reference listed is
    /// read by the compiled program.
    pub fn references(&self) -> Vec<Reference> {
        self.refs.clone()
    }

    /// Bind names to slots: `slot_of(name, lag)` returns the slot index the engine will provide
    /// data in, or None if the name is unknown -> FormulaError at the name's offset with a
    /// "did you mean" computed from `known_names`.
    ///
    /// `slot_of` is called once per distinct reference, in the order of [`Formula::references`],
    /// until the first failure. A name with uppercase letters is rejected before `slot_of` is
    /// asked ("indicator ids are lowercase: `GDP`", with help suggesting `gdp` when it is known).
    /// When `slot_of` returns None for a name that is in `known_names`, the error says the value
    /// is not available rather than unknown.
    pub fn bind(
        &self,
        known_names: &[&str],
        slot_of: &mut dyn FnMut(&str, usize) -> Option<usize>,
    ) -> Result<Program, FormulaError> {
        let mut slots = Vec::with_capacity(self.refs.len());
        for r in &self.refs {
            if r.name.bytes().any(|b| b.is_ascii_uppercase()) {
                let lower = r.name.to_ascii_lowercase();
                let help = if known_names.contains(&lower.as_str()) {
                    Some(format!("did you mean `{lower}`?"))
                } else {
                    nearest(&lower, known_names.iter().copied())
                        .map(|n| format!("did you mean `{n}`?"))
                };
                return Err(FormulaError::new(
                    format!("indicator ids are lowercase: `{}`", r.name),
                    r.offset,
                )
                .with_optional_help(help));
            }
            match slot_of(&r.name, r.lag) {
                Some(s) => slots.push(s),
                None if known_names.contains(&r.name.as_str()) => {
                    let shown = if r.lag == 0 {
                        r.name.clone()
                    } else {
                        format!("{}[-{}]", r.name, r.lag)
                    };
                    return Err(FormulaError::new(
                        format!("`{shown}` is not available in this formula"),
                        r.offset,
                    ));
                }
                None => {
                    let help = nearest(&r.name, known_names.iter().copied())
                        .map(|n| format!("did you mean `{n}`?"));
                    return Err(FormulaError::new(
                        format!("unknown indicator `{}`", r.name),
                        r.offset,
                    )
                    .with_optional_help(help));
                }
            }
        }
        Ok(Program::compile(&self.code, &slots))
    }
}

// ---------------------------------------------------------------------------------------------
// Program: register code over slices
// ---------------------------------------------------------------------------------------------

/// Where an operand comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Src {
    /// Register r: 0 is the output buffer, r >= 1 is `scratch[r - 1]`.
    Reg(usize),
    /// Engine input slot.
    Slot(usize),
    Const(f64),
}

/// `dst = op(a, b, c)`. Register operands are never below `dst` (stack discipline), so `dst`
/// can be split off from the registers the operands live in.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Instr {
    op: Op,
    dst: usize,
    a: Src,
    b: Src,
    c: Src,
}

/// A bound, compiled formula ready for vector evaluation.
#[derive(Debug, Clone)]
pub struct Program {
    instrs: Vec<Instr>,
    /// Number of scratch vectors (registers 1..=scratch).
    scratch: usize,
}

/// A resolved operand of the vector kernels.
#[derive(Clone, Copy)]
enum In<'a> {
    /// The destination itself (in-place update).
    Dst,
    Slice(&'a [f64]),
    Const(f64),
}

impl In<'_> {
    #[inline(always)]
    fn get(&self, i: usize, own: f64) -> f64 {
        match self {
            In::Dst => own,
            In::Slice(s) => s[i],
            In::Const(c) => *c,
        }
    }
}

#[inline(always)]
fn unary(out: &mut [f64], a: In<'_>, f: impl Fn(f64) -> f64) {
    match a {
        In::Dst => out.iter_mut().for_each(|o| *o = f(*o)),
        In::Slice(x) => out.iter_mut().zip(x).for_each(|(o, &x)| *o = f(x)),
        In::Const(c) => out.fill(f(c)),
    }
}

#[inline(always)]
fn binary(out: &mut [f64], a: In<'_>, b: In<'_>, f: impl Fn(f64, f64) -> f64) {
    match (a, b) {
        (In::Dst, In::Slice(y)) => out.iter_mut().zip(y).for_each(|(o, &y)| *o = f(*o, y)),
        (In::Dst, In::Const(c)) => out.iter_mut().for_each(|o| *o = f(*o, c)),
        (In::Slice(x), In::Dst) => out.iter_mut().zip(x).for_each(|(o, &x)| *o = f(x, *o)),
        (In::Const(c), In::Dst) => out.iter_mut().for_each(|o| *o = f(c, *o)),
        (In::Slice(x), In::Slice(y)) => out
            .iter_mut()
            .zip(x.iter().zip(y))
            .for_each(|(o, (&x, &y))| *o = f(x, y)),
        (In::Slice(x), In::Const(c)) => out.iter_mut().zip(x).for_each(|(o, &x)| *o = f(x, c)),
        (In::Const(c), In::Slice(y)) => out.iter_mut().zip(y).for_each(|(o, &y)| *o = f(c, y)),
        (In::Const(x), In::Const(y)) => out.fill(f(x, y)),
        (In::Dst, In::Dst) => out.iter_mut().for_each(|o| *o = f(*o, *o)),
    }
}

#[inline(always)]
fn ternary(out: &mut [f64], a: In<'_>, b: In<'_>, c: In<'_>, f: impl Fn(f64, f64, f64) -> f64) {
    for (i, o) in out.iter_mut().enumerate() {
        let own = *o;
        *o = f(a.get(i, own), b.get(i, own), c.get(i, own));
    }
}

/// Runs one operation over `out` (the destination register).
fn run(op: Op, out: &mut [f64], a: In<'_>, b: In<'_>, c: In<'_>) {
    match op {
        Op::Copy => unary(out, a, |x| x),
        Op::Neg => unary(out, a, |x| -x),
        Op::Abs => unary(out, a, f64::abs),
        Op::Ln => unary(out, a, f64::ln),
        Op::Log10 => unary(out, a, f64::log10),
        Op::Exp => unary(out, a, f64::exp),
        Op::Sqrt => unary(out, a, f64::sqrt),
        Op::Add => binary(out, a, b, |x, y| x + y),
        Op::Sub => binary(out, a, b, |x, y| x - y),
        Op::Mul => binary(out, a, b, |x, y| x * y),
        Op::Div => binary(out, a, b, |x, y| x / y),
        Op::Pow => match b {
            In::Const(2.0) => unary(out, a, |x| x * x),
            _ => binary(out, a, b, f_pow),
        },
        Op::Min => binary(out, a, b, f_min),
        Op::Max => binary(out, a, b, f_max),
        Op::Clamp => ternary(out, a, b, c, f_clamp),
    }
}

/// Resolves an operand of an instruction writing register `dst`. `above` holds the scratch
/// vectors of the registers above `dst` (register r is `above[r - 1 - dst]`).
#[inline]
fn resolve<'a>(
    src: Src,
    dst: usize,
    inputs: &[&'a [f64]],
    above: &'a [Vec<f64>],
    n: usize,
) -> In<'a> {
    match src {
        Src::Const(c) => In::Const(c),
        Src::Slot(s) => In::Slice(&inputs[s][..n]),
        Src::Reg(r) if r == dst => In::Dst,
        Src::Reg(r) => {
            debug_assert!(r > dst, "operands never live below their destination");
            In::Slice(&above[r - 1 - dst][..n])
        }
    }
}

impl Program {
    /// Register allocation by stack position: the value at stack position p lives in register p.
    fn compile(code: &[PInstr], slots: &[usize]) -> Program {
        let mut stack: Vec<Src> = Vec::new();
        let mut instrs = Vec::new();
        let mut top_reg = 0;
        for ins in code {
            match *ins {
                PInstr::Const(v) => stack.push(Src::Const(v)),
                PInstr::Load(i) => stack.push(Src::Slot(slots[i])),
                PInstr::Op(op) => {
                    let k = op.arity();
                    debug_assert!(stack.len() >= k);
                    let base = stack.len() - k;
                    let arg = |j: usize| {
                        if j < k {
                            stack[base + j]
                        } else {
                            Src::Const(0.0)
                        }
                    };
                    instrs.push(Instr {
                        op,
                        dst: base,
                        a: arg(0),
                        b: arg(1),
                        c: arg(2),
                    });
                    stack.truncate(base);
                    stack.push(Src::Reg(base));
                    top_reg = top_reg.max(base);
                }
            }
        }
        debug_assert_eq!(stack.len(), 1);
        match stack.first() {
            Some(Src::Reg(0)) => {}
            Some(&result) => instrs.push(Instr {
                op: Op::Copy,
                dst: 0,
                a: result,
                b: Src::Const(0.0),
                c: Src::Const(0.0),
            }),
            None => {}
        }
        Program {
            instrs,
            scratch: top_reg,
        }
    }

    /// Maximum stack depth; the engine allocates that many scratch vectors once.
    ///
    /// The output buffer doubles as the bottom of the evaluation stack, so this is the number of
    /// scratch vectors needed besides `out` (0 for formulas such as `a / b * 100`).
    pub fn stack_depth(&self) -> usize {
        self.scratch
    }

    /// Evaluate for `out.len()` paths. `inputs[slot]` is the slice of values for that slot
    /// (each of length >= out.len()). `scratch` must hold at least `stack_depth()` vectors; they
    /// are resized as needed (no allocation once they are big enough). Non-finite results are
    /// written as they are (IEEE semantics: x/0 = inf, ln(-1) = NaN); the engine detects them.
    ///
    /// If `scratch` holds fewer than `stack_depth()` vectors, the missing ones are added.
    /// Results are bit-identical to [`Program::eval_scalar`] path by path.
    ///
    /// # Panics
    /// If a slot the program reads is missing from `inputs` or shorter than `out`.
    pub fn eval(&self, inputs: &[&[f64]], out: &mut [f64], scratch: &mut Vec<Vec<f64>>) {
        let n = out.len();
        if n == 0 {
            return;
        }
        if scratch.len() < self.scratch {
            scratch.resize_with(self.scratch, Vec::new);
        }
        for v in &mut scratch[..self.scratch] {
            if v.len() < n {
                v.resize(n, 0.0);
            }
        }
        for ins in &self.instrs {
            if ins.dst == 0 {
                let above: &[Vec<f64>] = scratch;
                let a = resolve(ins.a, 0, inputs, above, n);
                let b = resolve(ins.b, 0, inputs, above, n);
                let c = resolve(ins.c, 0, inputs, above, n);
                run(ins.op, out, a, b, c);
            } else {
                let (below, above) = scratch.split_at_mut(ins.dst);
                let dst = &mut below[ins.dst - 1][..n];
                let above: &[Vec<f64>] = above;
                let a = resolve(ins.a, ins.dst, inputs, above, n);
                let b = resolve(ins.b, ins.dst, inputs, above, n);
                let c = resolve(ins.c, ins.dst, inputs, above, n);
                run(ins.op, dst, a, b, c);
            }
        }
    }

    /// Evaluate for a single path (scalar inputs per slot) — used for history values and tests.
    ///
    /// # Panics
    /// If a slot the program reads is missing from `inputs`.
    pub fn eval_scalar(&self, inputs: &[f64]) -> f64 {
        let mut small = [0.0; SCALAR_REGS];
        let mut big = Vec::new();
        let regs: &mut [f64] = if self.scratch < SCALAR_REGS {
            &mut small
        } else {
            big.resize(self.scratch + 1, 0.0);
            &mut big
        };
        for ins in &self.instrs {
            let val = |s: Src, regs: &[f64]| match s {
                Src::Reg(r) => regs[r],
                Src::Slot(s) => inputs[s],
                Src::Const(c) => c,
            };
            let a = val(ins.a, regs);
            let b = val(ins.b, regs);
            let c = val(ins.c, regs);
            regs[ins.dst] = apply(ins.op, a, b, c);
        }
        regs[0]
    }
}

// ---------------------------------------------------------------------------------------------
// Unit tests
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses and binds with variables a, b, c, x (slots 0..4) and lags as extra slots.
    fn compile(text: &str) -> (Program, Vec<(String, usize)>) {
        let f = Formula::parse(text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
        let mut slots: Vec<(String, usize)> = Vec::new();
        let p = f
            .bind(&["a", "b", "c", "x"], &mut |name, lag| {
                if !["a", "b", "c", "x"].contains(&name) {
                    return None;
                }
                slots.push((name.to_string(), lag));
                Some(slots.len() - 1)
            })
            .unwrap();
        (p, slots)
    }

    fn value(text: &str, vars: &[(&str, f64)]) -> f64 {
        let (p, slots) = compile(text);
        let inputs: Vec<f64> = slots
            .iter()
            .map(|(n, lag)| {
                let base = vars.iter().find(|(v, _)| v == n).unwrap().1;
                base - *lag as f64
            })
            .collect();
        p.eval_scalar(&inputs)
    }

    fn err(text: &str) -> FormulaError {
        Formula::parse(text).expect_err(text)
    }

    #[test]
    fn constant_folding_collapses_pure_numbers() {
        let f = Formula::parse("2^-1 + 3 * (4 - 1)").unwrap();
        assert_eq!(f.code, vec![PInstr::Const(9.5)]);
        let f = Formula::parse("-x^2").unwrap();
        assert_eq!(
            f.code,
            vec![
                PInstr::Load(0),
                PInstr::Const(2.0),
                PInstr::Op(Op::Pow),
                PInstr::Op(Op::Neg)
            ]
        );
        let f = Formula::parse("x * (1 + 2)").unwrap();
        assert_eq!(
            f.code,
            vec![PInstr::Load(0), PInstr::Const(3.0), PInstr::Op(Op::Mul)]
        );
    }

    #[test]
    fn precedence() {
        let v = [("a", 3.0), ("b", 2.0), ("c", 5.0), ("x", 0.5)];
        assert_eq!(value("-a^2", &v), -9.0);
        assert_eq!(value("2^-1", &v), 0.5);
        assert_eq!(value("2^3^2", &v), 512.0);
        assert_eq!(value("a-b-c", &v), -4.0);
        assert_eq!(value("a/b/c", &v), 0.3);
        assert_eq!(value("-(2)^2", &v), -4.0);
        assert_eq!(value("a + b * c", &v), 13.0);
        assert_eq!(value("-a * b", &v), -6.0);
        assert_eq!(value("a - -b", &v), 5.0);
        assert_eq!(value("+a", &v), 3.0);
        assert_eq!(value("2^-b^2", &v), 2f64.powf(-4.0));
    }

    #[test]
    fn few_registers() {
        let (p, _) = compile("(a - a[-1]) / a[-1] * 100");
        assert_eq!(p.stack_depth(), 0);
        let (p, _) = compile("(b + c) * a");
        assert_eq!(p.stack_depth(), 0);
        let (p, _) = compile("a * (b + c)");
        assert_eq!(p.stack_depth(), 1);
        let (p, _) = compile("(a + b) * (b + c)");
        assert_eq!(p.stack_depth(), 1);
        let (p, _) = compile("x");
        assert_eq!(p.stack_depth(), 0);
        assert_eq!(p.eval_scalar(&[4.0]), 4.0);
    }

    #[test]
    fn lag_syntax() {
        let f = Formula::parse("x[-2] + x [ - 1 ] + x[0] + x[-0] + x").unwrap();
        let lags: Vec<usize> = f.references().iter().map(|r| r.lag).collect();
        assert_eq!(lags, vec![2, 1, 0]);
        assert_eq!(err("x[1]").message, "lags look back: write `x[-1]`");
        assert_eq!(err("x[+3]").message, "lags look back: write `x[-3]`");
        assert!(err("x[-1.5]").message.contains("whole number"));
        assert!(err("x[-1")
            .message
            .contains("expected `]` to close `[` at column 2"));
        assert!(err("x[]").message.contains("expected a lag"));
        assert!(err("x[-99999999999999999999999]")
            .message
            .contains("too large"));
        assert_eq!(err("x[-1][-1]").message, "unexpected `[`");
    }

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

    #[test]
    fn nearest_names() {
        assert_eq!(
            nearest("lg10", FUNCTIONS.iter().map(|(n, _)| *n)),
            Some("log10")
        );
        assert_eq!(
            nearest("sqr", FUNCTIONS.iter().map(|(n, _)| *n)),
            Some("sqrt")
        );
        assert_eq!(nearest("zzz", FUNCTIONS.iter().map(|(n, _)| *n)), None);
        assert_eq!(nearest("rd_spnd", ["gdp", "rd_spend"]), Some("rd_spend"));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000));
        assert!(err(&deep).message.contains("nested too deeply"));
        let minus = format!("{}1", "-".repeat(100_000));
        assert!(err(&minus).message.contains("nested too deeply"));
        let ok = format!("{}x{}", "(".repeat(150), ")".repeat(150));
        assert!(Formula::parse(&ok).is_ok());
        // Long flat formulas are fine: parsing and compiling them is iterative.
        let long = vec!["x"; 50_000].join(" + ");
        let (p, _) = compile(&long);
        assert_eq!(p.eval_scalar(&[1.0]), 50_000.0);
    }

    #[test]
    fn vector_matches_scalar_with_registers_in_every_position() {
        let text = "clamp(min(a, b, c) - max(a * x, b), -(a + b)^2, abs(c - x) + sqrt(a)) \
                    + ln(a + 10) * log10(b + 10) / exp(x) - (a - (b - (c - (x - 1))))";
        let (p, slots) = compile(text);
        assert!(p.stack_depth() >= 3);
        let n = 37;
        let cols: Vec<Vec<f64>> = (0..slots.len())
            .map(|s| {
                (0..n)
                    .map(|i| ((i * 7 + s * 3) % 11) as f64 - 5.0)
                    .collect()
            })
            .collect();
        let inputs: Vec<&[f64]> = cols.iter().map(|c| c.as_slice()).collect();
        let mut out = vec![0.0; n];
        let mut scratch = Vec::new();
        p.eval(&inputs, &mut out, &mut scratch);
        for (i, o) in out.iter().enumerate() {
            let row: Vec<f64> = cols.iter().map(|c| c[i]).collect();
            let s = p.eval_scalar(&row);
            assert!(
                s.to_bits() == o.to_bits() || (s.is_nan() && o.is_nan()),
                "row {i}"
            );
        }
    }
}
