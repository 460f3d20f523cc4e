//! The practical limit for reading a decision: read the file, scan its lines, parse the
//! figures of the input rows, add them. No reconciliation, no formulas, no rounding:
//! the floor under `bud check`, for `bench/compare.sh`.
//!
//! ```sh
//! cargo run --release --example read_and_sum -- decision.bud
//! ```
//!
//! An input row is a line inside a section of a table (a block two levels deep), such as
//! `line_1 "Line 1" 120.6   847.8   968.4`: its figures follow the quoted label, one per
//! year, then the Total. Figures are in tenths (`1,234.5`); `-` is a published dash,
//! counted as 0, and `_` a blank cell, skipped. Standard library only.

use std::error::Error;

fn main() -> Result<(), Box<dyn Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: read_and_sum FILE.bud")?;
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    let (mut depth, mut years_sum, mut totals_sum) = (0_usize, 0_i64, 0_i64);
    let (mut rows, mut figures) = (0_usize, 0_usize);
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.ends_with('{') {
            depth += 1;
        } else if line == "}" {
            depth = depth.saturating_sub(1);
        } else if depth == 2 && !line.is_empty() && !line.starts_with("//") {
            // The label is the first quoted string; the figures follow it. A row with a
            // formula is computed, not input.
            let after = line.splitn(3, '"').nth(2).unwrap_or_default();
            if after.contains('=') {
                continue;
            }
            // Each figure but the last is a year's; the last is the Total.
            let (mut last, mut cells) = (None, 0_usize);
            for token in after.split_whitespace() {
                let value = match token {
                    "_" => continue,
                    "-" => 0,
                    _ => tenths(token).map_err(|e| format!("{path}:{}: {e}", index + 1))?,
                };
                if let Some(year) = last.replace(value) {
                    years_sum = years_sum.checked_add(year).ok_or("the sum overflows")?;
                }
                cells += 1;
            }
            if let Some(total) = last {
                totals_sum = totals_sum.checked_add(total).ok_or("the sum overflows")?;
                rows += 1;
                figures += cells;
            }
        }
    }
    println!(
        "{rows} input rows, {figures} figures: years add up to {}, Totals to {}",
        shown(years_sum),
        shown(totals_sum)
    );
    Ok(())
}

/// A figure with at most one decimal, in tenths: `1,234.5` is 12345.
fn tenths(token: &str) -> Result<i64, String> {
    let (negative, digits) = match token.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, token),
    };
    let (mut value, mut decimals) = (0_i64, None::<u32>);
    for byte in digits.bytes() {
        match byte {
            b'0'..=b'9' => {
                value = value
                    .checked_mul(10)
                    .and_then(|v| v.checked_add(i64::from(byte - b'0')))
                    .ok_or_else(|| format!("`{token}` is too large"))?;
                decimals = decimals.map(|d| d + 1);
            }
            b',' if decimals.is_none() => {}
            b'.' if decimals.is_none() => decimals = Some(0),
            _ => return Err(format!("`{token}` is not a figure")),
        }
    }
    let value = match decimals {
        None => value.checked_mul(10).ok_or("too large")?,
        Some(1) => value,
        Some(_) => return Err(format!("`{token}` does not have one decimal")),
    };
    Ok(if negative { -value } else { value })
}

/// Tenths as a figure: 12345 is `1234.5`.
fn shown(tenths: i64) -> String {
    let sign = if tenths < 0 { "-" } else { "" };
    let magnitude = tenths.unsigned_abs();
    format!("{sign}{}.{}", magnitude / 10, magnitude % 10)
}
