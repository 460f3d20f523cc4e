//! How a sheet prints: on A4, one page wide and as many long as it needs, landscape
//! when the table is wider than a portrait page holds at a legible size, the title and
//! headings repeated at the top of every page, only the table (not its check columns),
//! the decision's symbol and the table's name in the header and the page number in the
//! footer.

use rust_xlsxwriter::{Worksheet, XlsxError};

/// Excel's number for A4 paper.
const A4: u8 = 9;
/// How many characters of the default font a portrait A4 page holds across, at a
/// scale still comfortable to read; a wider table is printed landscape.
const PORTRAIT_CHARACTERS: u32 = 110;
/// The height of one line of the default font, in points.
const LINE_HEIGHT: u32 = 15;

/// The print set-up of a table's sheet: `width` is the printed columns' width in
/// characters, `last_row` and `last_column` the corner of what prints.
pub(super) fn set_up_table(
    sheet: &mut Worksheet,
    symbol: &str,
    name: &str,
    width: u32,
    last_row: u32,
    last_column: u16,
) -> Result<(), XlsxError> {
    common(sheet, symbol, name)?;
    if width > PORTRAIT_CHARACTERS {
        sheet.set_landscape();
    }
    // The title, the unit and the headings above every page's lines.
    sheet.set_repeat_rows(0, super::FIRST_LINE_ROW - 1)?;
    sheet.set_print_area(0, 0, last_row, last_column)?;
    Ok(())
}

/// The print set-up of the Decision sheet, down to `last_row` and across to
/// `last_column`.
pub(super) fn set_up_paragraphs(
    sheet: &mut Worksheet,
    symbol: &str,
    last_row: u32,
    last_column: u16,
) -> Result<(), XlsxError> {
    common(sheet, symbol, "")?;
    sheet.set_print_area(0, 0, last_row, last_column)?;
    Ok(())
}

fn common(sheet: &mut Worksheet, symbol: &str, name: &str) -> Result<(), XlsxError> {
    sheet.set_paper_size(A4);
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_print_center_horizontally(true);
    sheet.set_margins(0.6, 0.6, 0.75, 0.75, 0.3, 0.3);
    sheet.set_header(format!("&L&9{}&R&9{}", escaped(symbol), escaped(name)));
    sheet.set_footer("&C&9Page &P of &N");
    Ok(())
}

/// A text in a header or footer, where `&` starts a code.
fn escaped(text: &str) -> String {
    text.replace('&', "&&")
}

/// The height, in points, of a row whose text wraps within `width` characters.
pub(super) fn wrapped_height(text: &str, width: u32) -> f64 {
    let characters = u32::try_from(text.chars().count()).unwrap_or(u32::MAX);
    // Words do not fill a line to its last character: count 15% more.
    let filled = characters.saturating_mul(115);
    let lines = filled.div_ceil(width.max(1).saturating_mul(100)).max(1);
    f64::from(lines.saturating_mul(LINE_HEIGHT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_text_gets_a_line_for_each_width_it_fills() {
        assert_eq!(wrapped_height("short", 100), 15.0);
        assert_eq!(wrapped_height(&"x".repeat(250), 100), 45.0);
    }
}
