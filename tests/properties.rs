//! Property tests over the parser and evaluator: no input makes bud panic, the same
//! input always gives the same output, and generated tables reconcile exactly as the
//! rule says they must. Case counts are bounded so the suite stays fast.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use proptest::test_runner::Config;

use bud::diagnostic::Code;
use bud::reconcile::Outcome;
use bud::render::report::{Source, render};
use bud::render::text;

const DECISION: &str = include_str!("../decisions/bs-vi-7.bud");
const TABLE_5: &str = include_str!("../decisions/bs-vi-7-table-5.tsv");
const STATUS: &str = include_str!("../decisions/bs-vi-7-status-example.tsv");

/// BS-VI/7 checked with its data files.
fn bundled() -> bud::Checked {
    let read = |name: &str| Ok(data_file(name).to_owned());
    bud::check(
        &bud::world::Overlay::new(bud::world::Memory::MAIN, DECISION, &read),
        bud::world::Memory::MAIN,
        bud::Request::DECISION,
    )
    .into_first()
    .unwrap()
}

/// The data file of BS-VI/7 a name stands for: Table 5, or the status of contributions.
fn data_file(name: &str) -> &'static str {
    if name.ends_with("status-example.tsv") {
        STATUS
    } else {
        TABLE_5
    }
}

/// Everything bud says about a decision whose Table 5 data file has the text `table_5`.
fn rendered_with(source: &str, table_5: &str) -> String {
    let read = |_: &str| Ok(table_5.to_owned());
    let checked = bud::check(
        &bud::world::Overlay::new(bud::world::Memory::MAIN, source, &read),
        bud::world::Memory::MAIN,
        bud::Request::DECISION,
    )
    .into_first()
    .unwrap();
    let mut out = format!("{:?}", checked.diagnostics);
    if let Some(model) = &checked.model {
        out.push_str(&text::evaluation(model, &checked.reconciliation));
    }
    out
}

/// Everything bud says about a decision, diagnostics rendered as a person sees them,
/// so that the renderer meets every span the damaged files produce.
fn rendered(source: &str) -> String {
    let checked = bud::check(
        &bud::world::Memory::decision(source),
        bud::world::Memory::MAIN,
        bud::Request::DECISION,
    )
    .into_first()
    .unwrap();
    let shown = Source::new("decision.bud", source);
    let mut out = String::new();
    for diagnostic in &checked.diagnostics {
        out.push_str(&render(diagnostic, &shown, false));
    }
    if let Some(model) = &checked.model {
        out.push_str(&text::evaluation(model, &checked.reconciliation));
    }
    out
}

/// Characters that matter to the grammar, to make mutations likely to reach deep.
fn grammar_char() -> impl Strategy<Value = char> {
    prop::sample::select(vec![
        '{', '}', '(', ')', '[', ']', '"', '\\', '=', '+', '-', '*', '/', '^', '%', ':', ',', '.',
        '_', '\n', '\r', '\t', ' ', '0', '9', 'x', 'I', '$', '€', 'é', '\u{FEFF}', '\0',
    ])
}

/// A change to the bundled decision: cut a stretch out, or put a few characters in.
#[derive(Debug, Clone)]
enum Mutation {
    Cut { at: usize, len: usize },
    Insert { at: usize, text: String },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (0..DECISION.len(), 1usize..40).prop_map(|(at, len)| Mutation::Cut { at, len }),
        (
            0..DECISION.len(),
            prop::collection::vec(grammar_char(), 1..6)
        )
            .prop_map(|(at, chars)| Mutation::Insert {
                at,
                text: chars.into_iter().collect()
            }),
    ]
}

fn apply(mutations: &[Mutation]) -> String {
    apply_to(DECISION, mutations)
}

fn apply_to(original: &str, mutations: &[Mutation]) -> String {
    let mut text = original.to_owned();
    for mutation in mutations {
        let boundary = |mut at: usize, text: &str| {
            at = at.min(text.len());
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            at
        };
        match mutation {
            Mutation::Cut { at, len } => {
                let start = boundary(*at, &text);
                let end = boundary(start + len, &text);
                text.replace_range(start..end, "");
            }
            Mutation::Insert { at, text: insert } => {
                let at = boundary(*at, &text);
                text.insert_str(at, insert);
            }
        }
    }
    text
}

proptest! {
    #![proptest_config(Config { cases: 256, ..Config::default() })]

    #[test]
    fn arbitrary_text_never_panics(source in ".{0,400}") {
        let _ = bud::check(&bud::world::Memory::decision(&source), bud::world::Memory::MAIN, bud::Request::DECISION).into_first().unwrap();
    }

    #[test]
    fn arbitrary_grammar_soup_never_panics(chars in prop::collection::vec(grammar_char(), 0..300)) {
        let source: String = chars.into_iter().collect();
        let _ = bud::check(&bud::world::Memory::decision(&source), bud::world::Memory::MAIN, bud::Request::DECISION).into_first().unwrap();
    }
}

proptest! {
    #![proptest_config(Config { cases: 160, ..Config::default() })]

    #[test]
    fn a_damaged_decision_never_panics_and_always_gives_the_same_answer(
        mutations in prop::collection::vec(mutation(), 1..4)
    ) {
        let source = apply(&mutations);
        let first = rendered(&source);
        prop_assert_eq!(first, rendered(&source));
    }
}

/// A table of input rows with a stated sum row and a 13% row, written the way a
/// budget officer would.
fn table_source(rows: &[u32], sum_offset_tenths: i64) -> (String, i64) {
    let mut body = String::new();
    let total: i64 = rows.iter().map(|r| i64::from(*r)).sum();
    for (i, tenths) in rows.iter().enumerate() {
        let figure = format!("{}.{}", tenths / 10, tenths % 10);
        body.push_str(&format!("        r{i} \"Line {i}\" {figure} {figure} _\n"));
    }
    let stated = total + sum_offset_tenths;
    let stated_text = format!(
        "{}{}.{}",
        if stated < 0 { "-" } else { "" },
        stated.abs() / 10,
        stated.abs() % 10
    );
    let source = format!(
        "decision \"P/1\" {{\n    title \"Generated\"\n    period 2013-2014\n    currency US$\n}}\n\
         table 1 t {{\n    unit thousands of US$\n    rounding 0.1\n    columns 2013 2014 Total\n    \
         I. lines \"Lines\" {{\n{body}    }}\n    \
         subtotal \"Sub-total\" {stated_text} {stated_text} _ = sum(lines)\n}}\n"
    );
    (source, total)
}

proptest! {
    #![proptest_config(Config { cases: 64, ..Config::default() })]

    #[test]
    fn a_stated_sum_matches_exactly_when_it_is_the_sum(rows in prop::collection::vec(0u32..100_000, 1..30)) {
        let (source, _) = table_source(&rows, 0);
        let checked = bud::check(&bud::world::Memory::decision(&source), bud::world::Memory::MAIN, bud::Request::DECISION).into_first().unwrap();
        prop_assert!(checked.diagnostics.is_empty(), "{:#?}", checked.diagnostics);
        prop_assert_eq!(checked.reconciliation.count(Outcome::Matches), 2);
    }

    #[test]
    fn a_stated_sum_off_by_more_than_rounding_explains_is_an_error(
        rows in prop::collection::vec(0u32..100_000, 1..30)
    ) {
        // n inputs at ±0.05 and the stated figure's ±0.05 explain (n + 1) / 2 tenths;
        // the smallest whole number of tenths beyond that must fail.
        let beyond = (i64::try_from(rows.len()).unwrap() + 1) / 2 + 1;
        let (source, _) = table_source(&rows, beyond);
        let checked = bud::check(&bud::world::Memory::decision(&source), bud::world::Memory::MAIN, bud::Request::DECISION).into_first().unwrap();
        prop_assert_eq!(checked.reconciliation.count(Outcome::Mismatch), 2);
        prop_assert!(checked.has_errors());
    }

    #[test]
    fn a_stated_sum_off_by_one_tenth_with_several_inputs_is_rounding(
        rows in prop::collection::vec(0u32..100_000, 2..30)
    ) {
        let (source, _) = table_source(&rows, 1);
        let checked = bud::check(&bud::world::Memory::decision(&source), bud::world::Memory::MAIN, bud::Request::DECISION).into_first().unwrap();
        prop_assert_eq!(checked.reconciliation.count(Outcome::Rounding), 2);
        prop_assert!(!checked.has_errors());
    }
}

/// pest's detailed-error switch is one flag for the whole process; parsing broken files
/// on several threads at once (as the test harness and an editor server do) must still
/// give every file the message it gets alone.
/// A decision's diagnostics, as one text to compare.
fn diagnostics_of(decision: &str) -> String {
    let checked = bud::check(
        &bud::world::Memory::decision(decision),
        bud::world::Memory::MAIN,
        bud::Request::DECISION,
    );
    format!("{:?}", checked.into_first().unwrap().diagnostics)
}

#[test]
fn a_broken_file_gets_the_same_message_while_other_threads_parse() {
    // Small, so that parses are short and the threads' switching overlaps often; the
    // detailed message here adds "or the end of the line" to the plain one.
    let broken = "decision \"X\" {\n    period 2013-2014\n    currency US$\n}\n\n\
                  table 1 t {\n    unit US$\n    columns 2013 2014\n    a \"A\" 1 }]2\n}\n";
    let alone = diagnostics_of(broken);
    assert!(alone.contains("or the end of the line"), "{alone}");
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let alone = alone.clone();
            std::thread::spawn(move || {
                (0..2_000)
                    .map(|_| diagnostics_of(broken))
                    .filter(|message| *message != alone)
                    .count()
            })
        })
        .collect();
    let differing: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    assert_eq!(
        differing, 0,
        "messages differed from the one the file gets alone"
    );
}

fn data_char() -> impl Strategy<Value = char> {
    prop::sample::select(vec![
        '\t', ',', '"', '\n', '\r', ' ', '-', '_', '.', '0', '1', '9', 'x', 'é', '\u{FEFF}',
    ])
}

fn data_mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (0..TABLE_5.len(), 1usize..30).prop_map(|(at, len)| Mutation::Cut { at, len }),
        (0..TABLE_5.len(), prop::collection::vec(data_char(), 1..5)).prop_map(|(at, chars)| {
            Mutation::Insert {
                at,
                text: chars.into_iter().collect(),
            }
        }),
    ]
}

proptest! {
    #![proptest_config(Config { cases: 64, ..Config::default() })]

    /// A damaged Table 5 data file: no panic, the same answer twice, and every
    /// diagnostic about it points inside it.
    #[test]
    fn a_damaged_data_file_never_panics_and_always_gives_the_same_answer(
        mutations in prop::collection::vec(data_mutation(), 1..4)
    ) {
        let table_5 = apply_to(TABLE_5, &mutations);
        let first = rendered_with(DECISION, &table_5);
        prop_assert_eq!(&first, &rendered_with(DECISION, &table_5));
        let read = |_: &str| Ok(table_5.clone());
        for diagnostic in bud::check(&bud::world::Overlay::new(bud::world::Memory::MAIN, DECISION, &read), bud::world::Memory::MAIN, bud::Request::DECISION).into_first().unwrap().diagnostics {
            if diagnostic.file().is_some() {
                let span = diagnostic.primary.as_ref().map(|label| label.span);
                prop_assert!(span.is_none_or(|s| s.end() <= table_5.len() && table_5.is_char_boundary(s.start()) && table_5.is_char_boundary(s.end())));
            }
        }
    }
}

#[test]
fn the_bundled_decision_with_its_data_file_reconciles() {
    let checked = bundled();
    assert!(!checked.has_errors(), "{:#?}", checked.diagnostics);
    assert_eq!(checked.reconciliation.checks.len(), 872);
}

/// Files `0.bud` … that import each other along `edges`; the decision imports `0.bud`.
fn import_graph(files: usize, edges: &[(usize, usize)]) -> Vec<(String, String)> {
    (0..files)
        .map(|file| {
            let mut text: String = edges
                .iter()
                .filter(|(from, _)| *from == file)
                .map(|(_, to)| format!("import \"{to}.bud\"\n"))
                .collect();
            text.push_str(&format!("value_{file} = {file}\n"));
            (format!("{file}.bud"), text)
        })
        .collect()
}

/// Whether the import graph has a cycle reachable from file 0.
fn has_reachable_cycle(files: usize, edges: &[(usize, usize)]) -> bool {
    fn visit(
        node: usize,
        edges: &[(usize, usize)],
        on_path: &mut Vec<usize>,
        done: &mut Vec<usize>,
    ) -> bool {
        if on_path.contains(&node) {
            return true;
        }
        if done.contains(&node) {
            return false;
        }
        on_path.push(node);
        let cyclic = edges
            .iter()
            .filter(|(from, _)| *from == node)
            .any(|(_, to)| visit(*to, edges, on_path, done));
        on_path.pop();
        done.push(node);
        cyclic
    }
    files > 0 && visit(0, edges, &mut Vec::new(), &mut Vec::new())
}

proptest! {
    #![proptest_config(Config { cases: 128, ..Config::default() })]

    /// Any import graph is loaded without hanging, every file once, and a cycle is
    /// reported exactly when there is one.
    #[test]
    fn any_import_graph_ends_and_finds_its_cycles(
        files in 1usize..7,
        raw_edges in prop::collection::vec((0usize..7, 0usize..7), 0..12),
    ) {
        let edges: Vec<(usize, usize)> = raw_edges
            .into_iter()
            .filter(|(from, to)| *from < files && *to < files)
            .collect();
        let texts = import_graph(files, &edges);
        let read = |name: &str| {
            texts.iter().find(|(n, _)| n == name).map(|(_, t)| t.clone()).ok_or_else(|| "no such file".to_owned())
        };
        let decision = "decision \"T/1\" {\n    title \"T\"\n    period 2013-2014\n    currency US$\n}\nimport \"0.bud\"\n";
        let checked = bud::check(&bud::world::Overlay::new(bud::world::Memory::MAIN, decision, &read), bud::world::Memory::MAIN, bud::Request::DECISION).into_first().unwrap();
        let cycles = checked.diagnostics.iter().filter(|d| d.code == Code::ImportCycle).count();
        prop_assert_eq!(cycles > 0, has_reachable_cycle(files, &edges), "{:?}", checked.diagnostics);
        let mut names: Vec<&str> = checked.imported.iter().map(|file| file.name.as_str()).collect();
        let read_files = names.len();
        names.sort_unstable();
        names.dedup();
        prop_assert_eq!(names.len(), read_files);
    }
}

/// Every figure typed on an input line of Table 1: where it is and what it says.
fn table_1_inputs() -> Vec<(std::ops::Range<usize>, rust_decimal::Decimal)> {
    use bud::syntax::ast::{ColumnKey, FigureKind};
    let checked = bundled();
    let model = checked.model.unwrap();
    let program = &model.program;
    let table = &program.tables[0];
    program
        .rows
        .iter()
        .filter(|row| row.table.0 == 0 && row.formula.is_none())
        .flat_map(|row| row.figures.iter().zip(&table.columns))
        .filter(|(_, column)| matches!(column, ColumnKey::Year(_)))
        .filter_map(|(figure, _)| match figure.kind {
            FigureKind::Number(written) => {
                Some((figure.span.start()..figure.span.end(), written.value))
            }
            _ => None,
        })
        .collect()
}

proptest! {
    #![proptest_config(Config { cases: 48, ..Config::default() })]

    /// One mistyped line of Table 1 moves every total above it and every contribution
    /// of Table 5, yet bud reports one error, at the mistyped figure, with its value.
    #[test]
    fn a_mistyped_input_is_reported_once_where_it_was_typed(
        pick in any::<prop::sample::Index>(),
        tenths in 10i64..5_000,
        lower in any::<bool>(),
    ) {
        let inputs = table_1_inputs();
        let (span, original) = inputs[pick.index(inputs.len())].clone();
        let change = rust_decimal::Decimal::new(if lower { -tenths } else { tenths }, 1);
        let typed = original + change;
        prop_assume!(typed >= rust_decimal::Decimal::ZERO);
        let shown = bud::format::fixed(typed, 1, bud::syntax::ast::RoundingMode::HalfUp);
        let mut source = DECISION.to_owned();
        source.replace_range(span.clone(), &format!("{shown:>width$}", width = span.len()));
        let read = |name: &str| Ok(data_file(name).to_owned());
        let checked = bud::check(&bud::world::Overlay::new(bud::world::Memory::MAIN, &source, &read), bud::world::Memory::MAIN, bud::Request::DECISION).into_first().unwrap();
        let errors: Vec<_> = checked.diagnostics.iter().filter(|d| d.is_error()).collect();
        prop_assert_eq!(errors.len(), 1, "{:#?}", errors);
        // The figure is right-aligned where the old one was, or runs on if it is longer.
        let typed_end = span.start + shown.len().max(span.len());
        let primary = errors[0].primary.as_ref().unwrap();
        prop_assert_eq!(primary.span.end(), typed_end);
        let expected = format!(
            "reconcile if it is {}",
            bud::format::fixed(original, 1, bud::syntax::ast::RoundingMode::HalfUp)
        );
        prop_assert!(errors[0].message.ends_with(&expected), "{}", errors[0].message);
    }
}

/// What bud reports and computes for a decision, without where: diagnostics by code,
/// severity and message, and the tables as text.
fn meaning(source: &str) -> String {
    let read = |name: &str| Ok(data_file(name).to_owned());
    let mut out = String::new();
    for checked in bud::check(
        &bud::world::Overlay::new(bud::world::Memory::MAIN, source, &read),
        bud::world::Memory::MAIN,
        bud::Request::Everything,
    )
    .variants
    {
        for d in &checked.diagnostics {
            out.push_str(&format!("{:?} {:?} {}\n", d.code, d.severity, d.message));
        }
        if let Some(model) = &checked.model {
            out.push_str(&text::evaluation_of(&checked, model));
        }
    }
    out
}

/// Rewrites every run of blanks outside strings and comments, and each line's
/// indentation, by turns from `widths`: 0 removes indentation only, never a separator.
fn respaced(source: &str, widths: &[u8]) -> String {
    let mut out = String::new();
    let mut turn = 0usize;
    let mut next = || {
        turn += 1;
        widths.get(turn % widths.len().max(1)).copied().unwrap_or(1)
    };
    for line in source.lines() {
        let indent = usize::from(next() % 9);
        out.push_str(&" ".repeat(indent));
        let trimmed = line.trim_start();
        let mut in_string = false;
        let mut chars = trimmed.chars().peekable();
        while let Some(c) = chars.next() {
            if !in_string && c == '/' && chars.peek() == Some(&'/') {
                out.push(c);
                out.extend(chars.by_ref());
                break;
            }
            if c == '"' {
                in_string = !in_string;
            }
            if !in_string && (c == ' ' || c == '\t') {
                while chars.peek().is_some_and(|n| *n == ' ' || *n == '\t') {
                    chars.next();
                }
                let width = usize::from(next() % 5).max(1);
                out.push_str(if width == 4 { "\t" } else { &"    "[..width] });
                continue;
            }
            out.push(c);
        }
        out.push('\n');
    }
    out
}

proptest! {
    #![proptest_config(Config { cases: 48, ..Config::default() })]

    /// However the blanks of BS-VI/7 are changed, `bud fmt` gives back the file as it
    /// is in the repository, which evaluates the same.
    #[test]
    fn the_layout_depends_only_on_the_tokens(widths in prop::collection::vec(any::<u8>(), 1..64)) {
        let respaced = respaced(DECISION, &widths);
        let formatted = bud::syntax::formatter::format(&respaced).unwrap();
        prop_assert_eq!(&formatted, DECISION);
    }

    /// A damaged decision that still parses formats once for all, to a file that
    /// means the same.
    #[test]
    fn formatting_a_damaged_decision_keeps_its_meaning(
        mutations in prop::collection::vec(mutation(), 1..3)
    ) {
        let source = apply(&mutations);
        if let Ok(once) = bud::syntax::formatter::format(&source) {
            let twice = bud::syntax::formatter::format(&once).unwrap();
            prop_assert_eq!(&once, &twice);
            prop_assert_eq!(meaning(&source), meaning(&once));
        }
    }
}

// ---------------------------------------------------------------- exact arithmetic

mod arithmetic {
    use bud::semantics::number::{ArithmeticError, Exact};
    use num_bigint::BigInt;
    use num_rational::BigRational;
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    fn rational(value: Decimal) -> BigRational {
        BigRational::new(
            BigInt::from(value.mantissa()),
            BigInt::from(10).pow(value.scale()),
        )
    }

    fn abs(value: &BigRational) -> BigRational {
        if *value < BigRational::from_integer(BigInt::from(0)) {
            -value.clone()
        } else {
            value.clone()
        }
    }

    fn exact_rational(value: Exact) -> BigRational {
        let (numerator, denominator) = value.parts();
        rational(numerator) / rational(denominator)
    }

    /// Decimals from a few millionths to near the largest a decimal holds.
    fn decimal() -> impl Strategy<Value = Decimal> {
        (any::<i64>(), 0u32..7, 0u32..16).prop_map(|(digits, scale, shift)| {
            let mantissa = i128::from(digits) * 10i128.pow(shift);
            Decimal::try_from_i128_with_scale(mantissa, scale).unwrap_or(Decimal::ONE)
        })
    }

    #[derive(Debug, Clone, Copy)]
    enum Op {
        Add,
        Subtract,
        Multiply,
        Divide,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            Just(Op::Add),
            Just(Op::Subtract),
            Just(Op::Multiply),
            Just(Op::Divide)
        ]
    }

    fn apply(op: Op, a: Exact, b: Exact) -> Result<Exact, ArithmeticError> {
        match op {
            Op::Add => a.checked_add(b),
            Op::Subtract => a.checked_sub(b),
            Op::Multiply => a.checked_mul(b),
            Op::Divide => a.checked_div(b),
        }
    }

    fn oracle(op: Op, a: &BigRational, b: &BigRational) -> Option<BigRational> {
        match op {
            Op::Add => Some(a + b),
            Op::Subtract => Some(a - b),
            Op::Multiply => Some(a * b),
            Op::Divide if *b == BigRational::from_integer(BigInt::from(0)) => None,
            Op::Divide => Some(a / b),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4_000))]

        /// `(a op b) op c`, each step against a big-rational oracle: a result bud
        /// gives is the oracle's, exactly, or (past 28 digits) near it, never a figure
        /// of another size; and a result no decimal can hold is `Overflow`.
        #[test]
        fn bud_s_arithmetic_agrees_with_exact_rationals(
            a in decimal(), b in decimal(), c in decimal(), first in op(), second in op()
        ) {
            if let Some(ab) = step(first, Exact::new(a), Exact::new(b))? {
                step(second, ab, Exact::new(c))?;
            }
        }
    }

    /// One operation against the oracle; bud's result, if it gave one.
    fn step(op: Op, a: Exact, b: Exact) -> Result<Option<Exact>, TestCaseError> {
        let max = rational(Decimal::MAX);
        let expected = oracle(op, &exact_rational(a), &exact_rational(b));
        match (apply(op, a, b), expected) {
            (Ok(value), Some(expected)) => {
                let got = exact_rational(value);
                if got != expected {
                    let gap = abs(&(&got - &expected));
                    // Past 28 digits bud computes with decimals, whose 28 places can
                    // leave a result from a very small intermediate few exact digits;
                    // what must never happen is a figure of another size.
                    let scale = abs(&expected)
                        .max(BigRational::new(BigInt::from(1), BigInt::from(10).pow(6)));
                    let bound = scale / BigRational::from_integer(BigInt::from(10).pow(6));
                    prop_assert!(gap <= bound, "{got} against {expected}");
                }
                prop_assert!(
                    abs(&expected) <= max,
                    "{expected} is beyond a decimal, yet bud gave {got}"
                );
                Ok(Some(value))
            }
            (Err(ArithmeticError::Overflow), Some(expected)) => {
                // Refused only near or past what a decimal holds.
                let near = &max / BigRational::from_integer(BigInt::from(10).pow(6));
                prop_assert!(abs(&expected) > near, "overflow reported for {expected}");
                Ok(None)
            }
            (Err(ArithmeticError::DivisionByZero), None) => Ok(None),
            (Err(ArithmeticError::Underflow), Some(expected)) => {
                let tiny = BigRational::new(BigInt::from(1), BigInt::from(10).pow(20));
                prop_assert!(abs(&expected) < tiny, "underflow reported for {expected}");
                Ok(None)
            }
            (got, expected) => {
                prop_assert!(false, "{got:?} against {expected:?}");
                Ok(None)
            }
        }
    }

    /// A quotient computed past 28 digits keeps the digits of the division, not only
    /// those of the divisor's reciprocal (10 for a divisor near 10^18).
    #[test]
    fn a_quotient_past_28_digits_keeps_the_division_s_digits() {
        let (a, b, c) = (
            Decimal::from(7_852_674_736_000_000_000u64),
            Decimal::from(-46_820_534_501i64),
            Decimal::from(1_692_166_980_976_523_700u64),
        );
        let got = Exact::new(a)
            .checked_div(Exact::new(b))
            .and_then(|ab| ab.checked_div(Exact::new(c)))
            .unwrap();
        let expected = rational(a) / rational(b) / rational(c);
        let gap = abs(&(exact_rational(got) - &expected));
        let bound = abs(&expected) / BigRational::from_integer(BigInt::from(10).pow(15));
        assert!(gap <= bound, "{} against {expected}", exact_rational(got));
    }

    #[test]
    fn a_quotient_beyond_a_decimal_is_an_overflow_not_its_numerator() {
        let x = Exact::new(
            Decimal::new(5, 0) * Decimal::from(10i64.pow(18)) * Decimal::from(10i64.pow(10)),
        );
        let tenth = Exact::new(Decimal::new(1, 1));
        let result = x.checked_div(tenth).and_then(|q| q.checked_sub(x));
        assert_eq!(
            result.map(|r| r.to_decimal()),
            Err(ArithmeticError::Overflow)
        );
    }
}
