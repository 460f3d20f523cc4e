//! What `bud fmt --check` prints: a unified diff between a file and its formatted
//! text, in time linear in their lengths.
//!
//! A general diff (Myers, as `similar` runs it) costs the product of the length and the
//! number of lines that differ: 100,000 rows laid out anew took minutes. The formatter
//! changes only the whitespace inside a line and the blank lines between them, never
//! joining or splitting lines that hold text, so the lines can be paired in one walk:
//! equal lines stay, a blank line present on one side only is removed or added, and
//! any other pair of lines is one line changed. Should that ever not hold, the walk
//! still gives a correct diff, only a longer one than needed.

use similar::{DiffOp, group_diff_ops, udiff::UnifiedHunkHeader};

/// Lines of unchanged text shown around each change, as `diff -U2` would.
const CONTEXT_LINES: usize = 2;

/// The hunks printed; past them a line says how many more there are. Changes scattered
/// through a large file give a hunk each, and a hundred thousand of them help no one;
/// `bud fmt` makes them all. (A file laid out anew throughout is one long hunk.)
pub const MOST_HUNKS_SHOWN: usize = 100;

/// The unified diff from `before` to `after`, headed `--- name` and
/// `+++ name (formatted)`; empty when they are equal.
pub fn unified(name: &str, before: &str, after: &str) -> String {
    let old: Vec<&str> = before.split_inclusive('\n').collect();
    let new: Vec<&str> = after.split_inclusive('\n').collect();
    let hunks = group_diff_ops(paired_lines(&old, &new), CONTEXT_LINES);
    if hunks.is_empty() {
        return String::new();
    }
    let mut diff = format!("--- {name}\n+++ {name} (formatted)\n");
    for hunk in hunks.iter().take(MOST_HUNKS_SHOWN) {
        write_hunk(&mut diff, hunk, &old, &new);
    }
    if let Some(more) = hunks.len().checked_sub(MOST_HUNKS_SHOWN).filter(|n| *n > 0) {
        let more = crate::format::exact(rust_decimal::Decimal::from(more));
        diff.push_str(&format!(
            "… and {more} more hunks not shown: `bud fmt {name}` makes every change\n"
        ));
    }
    diff
}

/// The changes from `old` to `new` as runs of equal lines and changed stretches, found
/// in one walk (see the module's comment).
fn paired_lines(old: &[&str], new: &[&str]) -> Vec<DiffOp> {
    let mut ops = Vec::new();
    let (mut i, mut j) = (0, 0);
    // Where the stretch of changes being walked began, if one is.
    let mut changed_from: Option<(usize, usize)> = None;
    // Where the run of equal lines being walked began, if one is.
    let mut equal_from: Option<(usize, usize)> = None;
    while i < old.len() || j < new.len() {
        let (old_line, new_line) = (old.get(i), new.get(j));
        if old_line.is_some() && old_line == new_line {
            if let Some(start) = changed_from.take() {
                ops.push(changed(start, (i, j)));
            }
            equal_from.get_or_insert((i, j));
            i += 1;
            j += 1;
            continue;
        }
        if let Some((old_index, new_index)) = equal_from.take() {
            let len = i - old_index;
            ops.push(DiffOp::Equal {
                old_index,
                new_index,
                len,
            });
        }
        changed_from.get_or_insert((i, j));
        let old_blank = old_line.is_some_and(|line| is_blank(line));
        let new_blank = new_line.is_some_and(|line| is_blank(line));
        match (old_line, new_line) {
            // A blank line only one side has: removed, or added.
            (Some(_), Some(_)) if old_blank && !new_blank => i += 1,
            (Some(_), Some(_)) if new_blank && !old_blank => j += 1,
            _ => {
                i = (i + 1).min(old.len());
                j = (j + 1).min(new.len());
            }
        }
    }
    if let Some((old_index, new_index)) = equal_from {
        ops.push(DiffOp::Equal {
            old_index,
            new_index,
            len: i - old_index,
        });
    }
    if let Some(start) = changed_from {
        ops.push(changed(start, (i, j)));
    }
    ops
}

fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

/// The lines from `start` to `end` on each side, removed, added or replaced.
fn changed((old_index, new_index): (usize, usize), (old_end, new_end): (usize, usize)) -> DiffOp {
    let (old_len, new_len) = (old_end - old_index, new_end - new_index);
    match (old_len, new_len) {
        (_, 0) => DiffOp::Delete {
            old_index,
            old_len,
            new_index,
        },
        (0, _) => DiffOp::Insert {
            old_index,
            new_index,
            new_len,
        },
        _ => DiffOp::Replace {
            old_index,
            old_len,
            new_index,
            new_len,
        },
    }
}

/// One hunk: its `@@ … @@` header, then each line marked ` `, `-` or `+`, removed
/// lines before added ones.
fn write_hunk(diff: &mut String, hunk: &[DiffOp], old: &[&str], new: &[&str]) {
    diff.push_str(&format!("{}\n", UnifiedHunkHeader::new(hunk)));
    for op in hunk {
        match op {
            DiffOp::Equal { .. } => {
                for line in &old[op.old_range()] {
                    push_line(diff, ' ', line);
                }
            }
            _ => {
                for line in &old[op.old_range()] {
                    push_line(diff, '-', line);
                }
                for line in &new[op.new_range()] {
                    push_line(diff, '+', line);
                }
            }
        }
    }
}

fn push_line(diff: &mut String, mark: char, line: &str) {
    diff.push(mark);
    diff.push_str(line);
    if !line.ends_with('\n') {
        diff.push_str("\n\\ No newline at end of file\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `similar`'s Myers diff, which `bud fmt --check` used before, prints.
    fn myers(name: &str, before: &str, after: &str) -> String {
        similar::TextDiff::from_lines(before, after)
            .unified_diff()
            .context_radius(CONTEXT_LINES)
            .header(name, &format!("{name} (formatted)"))
            .to_string()
    }

    #[test]
    fn equal_texts_give_no_diff() {
        assert_eq!(unified("a.bud", "x\ny\n", "x\ny\n"), "");
    }

    #[test]
    fn a_changed_line_a_removed_blank_and_an_added_blank_each_read_as_such() {
        let before = "a\n  b\nc\n\n\n  \nd\ne\nf\ng\nh\ni\nj\n   k\nl";
        let after = "a\n    b\nc\n\nd\ne\nf\ng\nh\ni\nj\n\n    k\nl\n";
        // Myers removes the first of two blank lines where this keeps it; otherwise
        // the same.
        assert_eq!(
            unified("x.bud", before, after),
            "--- x.bud\n+++ x.bud (formatted)\n\
             @@ -1,8 +1,6 @@\n a\n-  b\n+    b\n c\n \n-\n-  \n d\n e\n\
             @@ -12,4 +10,5 @@\n i\n j\n-   k\n-l\n\\ No newline at end of file\n+\n+    k\n+l\n"
        );
    }

    #[test]
    fn every_line_changed_is_one_hunk_of_removals_then_additions() {
        let before = "a  1\nb  2\nc  3\n";
        let after = "a 1\nb 2\nc 3\n";
        let diff = unified("x.bud", before, after);
        assert_eq!(
            diff,
            "--- x.bud\n+++ x.bud (formatted)\n@@ -1,3 +1,3 @@\n-a  1\n-b  2\n-c  3\n+a 1\n+b 2\n+c 3\n"
        );
        assert_eq!(diff, myers("x.bud", before, after));
    }

    #[test]
    fn lines_joined_still_give_a_diff_that_turns_one_text_into_the_other() {
        let before = "a\nb\nc\nd\n";
        let after = "a\nb c\nd\n";
        let diff = unified("x.bud", before, after);
        assert_eq!(
            diff,
            "--- x.bud\n+++ x.bud (formatted)\n@@ -1,4 +1,3 @@\n a\n-b\n-c\n-d\n+b c\n+d\n"
        );
    }

    #[test]
    fn past_the_most_hunks_shown_a_line_counts_the_rest() {
        let before: String = (0..MOST_HUNKS_SHOWN + 5)
            .map(|n| format!("row_{n}  1\n\n\n\n\n\n"))
            .collect();
        let after = before.replace("  1", " 1");
        let diff = unified("big.bud", &before, &after);
        assert_eq!(diff.matches("\n@@ ").count(), MOST_HUNKS_SHOWN);
        assert!(
            diff.ends_with("… and 5 more hunks not shown: `bud fmt big.bud` makes every change\n"),
            "{diff}"
        );
    }
}
