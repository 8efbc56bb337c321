//! The parser of formulas: recursive descent over the tokens, emitting unbound postfix code
//! with constant folding; the functions a formula may call (names, arities, help for unknown
//! ones) and lags.

use super::lex::{Tok, Token};
use super::ops::{apply, Op, PInstr};
use super::{FormulaError, Reference};

/// Deepest nesting of parentheses, unary signs, exponents and function calls accepted by the
/// parser; deeper formulas are an error rather than a stack overflow.
const MAX_NESTING: usize = 200;

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
pub(super) fn nearest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
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

// ---------------------------------------------------------------------------------------------
// Parser: recursive descent emitting postfix code with constant folding
// ---------------------------------------------------------------------------------------------

pub(super) struct Parser<'t> {
    pub(super) toks: &'t [Token],
    pub(super) pos: usize,
    pub(super) depth: usize,
    pub(super) code: Vec<PInstr>,
    pub(super) refs: Vec<Reference>,
}

type PResult = Result<(), FormulaError>;

impl Parser<'_> {
    pub(super) fn peek(&self) -> &Token {
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
    pub(super) fn sum(&mut self) -> PResult {
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
    pub(super) fn trailing(&self) -> FormulaError {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::formula::tests::{compile, err, value};
    use crate::model::formula::Formula;

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
}
