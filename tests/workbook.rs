//! The workbook as a spreadsheet user gets it, through LibreOffice (Debian's
//! `libreoffice-calc-nogui`, which `.ci/run` installs): BS-VI/7's Table 1, published,
//! prints on one page with the adopted figures (PDF text read with poppler's
//! `pdftotext`, the page drawn with `pdftoppm` into `target/tmp/workbook-pictures/`);
//! LibreOffice, recalculating every formula, gets bud's figures and checks; a rate
//! changed in the workbook moves what follows from it, and the check columns say which
//! published figures no longer agree. Without LibreOffice these tests say so and are
//! skipped, except under CI, where they fail. The review workbook of a decision with
//! one wrong input marks that figure apart from those that only follow from it (read
//! from the workbook's XML, which needs no LibreOffice).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command as Process;

#[path = "support/evaluate.rs"]
mod support;
use support::bud;

const DECISION: &str = "decisions/bs-vi-7.bud";

// ---------------------------------------------------------------- LibreOffice

/// `soffice`, or `None` (with a message) where it is missing outside CI.
fn soffice() -> Option<PathBuf> {
    let found = Path::new("/usr/bin/soffice");
    if found.exists() {
        return Some(found.to_owned());
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must run the workbook tests: install Debian's libreoffice-calc-nogui (.ci/run does)"
    );
    eprintln!(
        "skipping: no /usr/bin/soffice (apt-get install --no-install-recommends libreoffice-calc-nogui)"
    );
    None
}

/// `soffice` where poppler's `pdftotext` and `pdftoppm` are there too, to read and
/// draw what it prints; `None` (with a message) where one is missing outside CI.
fn soffice_and_poppler() -> Option<PathBuf> {
    let soffice = soffice()?;
    if Path::new("/usr/bin/pdftotext").exists() && Path::new("/usr/bin/pdftoppm").exists() {
        return Some(soffice);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must run the printing tests: install Debian's poppler-utils (.ci/run does)"
    );
    eprintln!("skipping: no pdftotext or pdftoppm (apt-get install poppler-utils)");
    None
}

/// LibreOffice with a profile and a home of its own in `dir`, so nothing is written to
/// the user's; `recalculate` makes it compute every formula of an .xlsx file as it
/// loads it, where by default it shows the results the file caches.
fn libreoffice(soffice: &Path, dir: &Path, recalculate: bool) -> Process {
    let profile = dir.join(if recalculate { "recalc" } else { "cached" });
    let user = profile.join("user");
    std::fs::create_dir_all(&user).unwrap();
    if recalculate {
        std::fs::write(
            user.join("registrymodifications.xcu"),
            r#"<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"#,
        )
        .unwrap();
    }
    let mut command = Process::new(soffice);
    command
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        // Its cache of shared extensions too, which is otherwise kept in
        // /var/spool/libreoffice: nothing is written outside the test's folder.
        .arg(format!(
            "-env:UNO_SHARED_PACKAGES_CACHE=file://{}",
            dir.join("shared-extensions").display()
        ))
        .args(["--headless", "--norestore"])
        .env("HOME", dir)
        .env_remove("DISPLAY");
    command
}

/// Converts `file` with LibreOffice into `out` with the filter `to`; the files made.
fn convert(mut libreoffice: Process, file: &Path, to: &str, out: &Path) -> Vec<PathBuf> {
    std::fs::create_dir_all(out).unwrap();
    let output = libreoffice
        .args(["--convert-to", to, "--outdir"])
        .arg(out)
        .arg(file)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "soffice: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut made: Vec<PathBuf> = std::fs::read_dir(out)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    made.sort();
    assert!(
        !made.is_empty(),
        "soffice made nothing: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    made
}

/// Every sheet of a workbook as CSV, as LibreOffice shows it (numbers as formatted),
/// by sheet name.
fn sheets_as_csv(libreoffice: Process, workbook: &Path, out: &Path) -> HashMap<String, String> {
    // UTF-8, comma-separated, cells as shown, every sheet to a file of its own.
    let filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1";
    let stem = workbook.file_stem().unwrap().to_str().unwrap().to_owned();
    convert(libreoffice, workbook, filter, out)
        .into_iter()
        .map(|path| {
            let name = path.file_stem().unwrap().to_str().unwrap();
            let sheet = name.strip_prefix(&format!("{stem}-")).unwrap().to_owned();
            (sheet, std::fs::read_to_string(&path).unwrap())
        })
        .collect()
}

/// `bud evaluate DECISION --format xlsx ARGS -o FILE`.
fn write_workbook(decision: &Path, args: &[&str], file: &Path) {
    let output = bud()
        .arg("evaluate")
        .arg(decision)
        .args(["--format", "xlsx"])
        .args(args)
        .arg("-o")
        .arg(file)
        .output()
        .unwrap();
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn poppler(tool: &str, options: &[&str], pdf: &Path, after: &[&str]) -> std::process::Output {
    let output = Process::new(tool)
        .args(options)
        .arg(pdf)
        .args(after)
        .output();
    match output {
        Ok(output) if output.status.success() => output,
        Ok(output) => panic!("{tool}: {}", String::from_utf8_lossy(&output.stderr)),
        Err(error) => panic!("{tool} (poppler-utils, which .ci/run installs): {error}"),
    }
}

// ---------------------------------------------------------------- printed

#[test]
fn table_1_published_prints_on_one_page_with_the_adopted_figures() {
    let Some(soffice) = soffice_and_poppler() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let workbook = dir.path().join("table-1.xlsx");
    write_workbook(
        Path::new(DECISION),
        &["--publication", "--table", "1"],
        &workbook,
    );
    let made = convert(
        libreoffice(&soffice, dir.path(), true),
        &workbook,
        "pdf",
        &dir.path().join("pdf"),
    );
    let pdf = &made[0];
    let info = String::from_utf8(poppler("pdfinfo", &[], pdf, &[]).stdout).unwrap();
    assert!(
        info.lines()
            .any(|line| line.split_whitespace().eq(["Pages:", "1"])),
        "{info}"
    );
    let text = String::from_utf8(poppler("pdftotext", &["-layout"], pdf, &["-"]).stdout).unwrap();
    let text = text.replace(['\u{a0}', '\u{202f}'], " ");
    let line = |label: &str| -> Vec<String> {
        let line = text
            .lines()
            .find(|line| line.trim_start().starts_with(label))
            .unwrap_or_else(|| panic!("no line {label} in\n{text}"));
        line[line.find(label).unwrap() + label.len()..]
            .split_whitespace()
            .map(str::to_owned)
            .collect()
    };
    // The figures as adopted, not as the rules compute them (2,963.2, 5,885.3).
    assert_eq!(
        line("GRAND TOTAL (I + II + III)"),
        ["2,922.1", "2,963.1", "5,885.2"]
    );
    assert_eq!(line("A. Staff costs *"), ["1,875.2", "1,916.7", "3,791.9"]);
    assert_eq!(
        line("NET TOTAL (amount to be shared by Parties)"),
        ["2,532.6", "2,569.8", "5,102.4"]
    );
    assert!(
        text.contains("Table 1. Biosafety Protocol resource requirements"),
        "{text}"
    );
    assert!(
        text.contains("Produced by bud 0.1.0 from decisions/bs-vi-7.bud"),
        "{text}"
    );
    // No marks, no remarks, no names of the file, no check columns.
    for absent in [
        "✓",
        "≈",
        "✗",
        "computed",
        "Computed",
        "staff_costs",
        "programme_support",
    ] {
        assert!(!text.contains(absent), "`{absent}` printed:\n{text}");
    }

    let pictures = Path::new(env!("CARGO_TARGET_TMPDIR")).join("../tmp/workbook-pictures");
    std::fs::create_dir_all(&pictures).unwrap();
    let picture = pictures.join("table-1-publication");
    poppler(
        "pdftoppm",
        &["-png", "-r", "100", "-singlefile"],
        pdf,
        &[picture.to_str().unwrap()],
    );
    let png = std::fs::read(picture.with_extension("png")).unwrap();
    assert_eq!(&png[1..4], b"PNG");
    assert!(png.len() > 20_000, "a drawn page: {} bytes", png.len());
}

#[test]
fn table_1_in_review_prints_buds_figure_beside_each_that_does_not_reconcile() {
    let Some(soffice) = soffice_and_poppler() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let workbook = dir.path().join("wrong.xlsx");
    write_workbook(&wrong_copy(dir.path()), &["--table", "1"], &workbook);
    let made = convert(
        libreoffice(&soffice, dir.path(), true),
        &workbook,
        "pdf",
        &dir.path().join("pdf"),
    );
    // The Decision sheet's page, then Table 1's.
    let pdf = &made[0];
    let text = String::from_utf8(poppler("pdftotext", &["-layout"], pdf, &["-"]).stdout).unwrap();
    let table_1 = text
        .split('\u{c}')
        .find(|page| page.contains("Table 1. Biosafety"))
        .unwrap_or_else(|| panic!("no page of Table 1 in\n{text}"));
    let line = |label: &str| -> String {
        table_1
            .lines()
            .find(|line| line.trim_start().starts_with(label))
            .unwrap_or_else(|| panic!("no line {label} in\n{table_1}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert!(
        line("Sub-total (I)").ends_with("2,577.6 2,622.3 5,199.9 ✗ 2,559.6 ✓ ✗ 5,181.9"),
        "{table_1}"
    );
    assert!(line("A. Staff costs *").ends_with("1,857.2 1,916.7 3,791.9 ✗ 3,773.9"));
    assert!(
        table_1.contains("1,857.2 is the wrong figure: 1,875.2 here (+18.0) would reconcile"),
        "{table_1}"
    );
    let pictures = Path::new(env!("CARGO_TARGET_TMPDIR")).join("../tmp/workbook-pictures");
    std::fs::create_dir_all(&pictures).unwrap();
    let picture = pictures.join("table-1-review-wrong-staff-costs");
    poppler(
        "pdftoppm",
        &["-png", "-r", "100", "-f", "2", "-l", "2", "-singlefile"],
        pdf,
        &[picture.to_str().unwrap()],
    );
    assert!(picture.with_extension("png").exists());
}

// ---------------------------------------------------------------- live

#[test]
fn libreoffice_recalculating_every_formula_gets_buds_figures_and_checks() {
    let Some(soffice) = soffice() else { return };
    let dir = tempfile::tempdir().unwrap();
    let right = dir.path().join("bs-vi-7.xlsx");
    write_workbook(Path::new(DECISION), &[], &right);
    let recalculated = same_when_recalculated(&soffice, &right, &dir.path().join("right"));
    assert!(
        recalculated["Table 1"].contains("GRAND TOTAL (I + II + III),\"2,922.1\",\"2,963.1\",\"5,885.2\",,✓,≈,≈,\"2,922.088\",\"2,963.199\",\"5,885.287\""),
        "{}",
        recalculated["Table 1"]
    );
    // With one wrong input, each failing check names bud's figure as bud does.
    let wrong = dir.path().join("wrong.xlsx");
    write_workbook(&wrong_copy(dir.path()), &[], &wrong);
    let recalculated = same_when_recalculated(&soffice, &wrong, &dir.path().join("wrong"));
    assert!(
        recalculated["Table 1"].contains(
            "Sub-total (I),\"2,577.6\",\"2,622.3\",\"5,199.9\",,\"✗ 2,559.6\",✓,\"✗ 5,181.9\","
        ),
        "{}",
        recalculated["Table 1"]
    );
}

/// Every sheet of `workbook` as LibreOffice shows it when it recalculates every
/// formula, asserted to be what bud wrote (the results the workbook caches): each
/// computed figure at the digits its column shows, each check's mark the one bud found.
fn same_when_recalculated(soffice: &Path, workbook: &Path, dir: &Path) -> HashMap<String, String> {
    let cached = sheets_as_csv(
        libreoffice(soffice, dir, false),
        workbook,
        &dir.join("csv-cached"),
    );
    let recalculated = sheets_as_csv(
        libreoffice(soffice, dir, true),
        workbook,
        &dir.join("csv-recalculated"),
    );
    assert_eq!(cached.len(), 7, "{:?}", cached.keys());
    for (sheet, text) in &cached {
        let again = &recalculated[sheet];
        for (bud, office) in text.lines().zip(again.lines()) {
            assert_eq!(bud, office, "sheet {sheet}");
        }
        assert_eq!(text.lines().count(), again.lines().count(), "{sheet}");
    }
    recalculated
}

#[test]
fn a_rate_changed_in_the_workbook_moves_what_follows_and_the_checks_say_so() {
    let Some(soffice) = soffice() else { return };
    let dir = tempfile::tempdir().unwrap();
    let workbook = dir.path().join("bs-vi-7.xlsx");
    std::fs::write(&workbook, support::evaluate(DECISION, "xlsx", None)).unwrap();
    // The Decision sheet's programme support rate 13% → 14% and host growth 2% → 3%,
    // as someone editing the workbook would type them.
    let edited = dir.path().join("edited.xlsx");
    let decision = zip_entry(
        &std::fs::read(&workbook).unwrap(),
        "xl/worksheets/sheet1.xml",
    );
    let changed = set_number(&set_number(&decision, "0.13", "0.14"), "0.02", "0.03");
    replace_entry(&workbook, "xl/worksheets/sheet1.xml", &changed, &edited);

    let sheets = sheets_as_csv(
        libreoffice(&soffice, dir.path(), true),
        &edited,
        &dir.path().join("csv"),
    );
    let row = |sheet: &str, label: &str| -> Vec<String> {
        sheets[sheet]
            .lines()
            .find(|line| line.starts_with(label))
            .map(csv_fields)
            .unwrap_or_else(|| panic!("no {label} in {sheet}:\n{}", sheets[sheet]))
    };
    // Paragraph 1's rule: 1,126,162 × 1.03 × 16.5% for 2013.
    assert_eq!(row("Decision", "1,host_offset,2013")[3], "191,391.2319");
    // Table 1: the published figures stay as adopted; the computed ones follow the
    // rates, and the checks name the published figures that no longer agree.
    let support = row("Table 1", "II. Programme support charge (13%)");
    assert_eq!(support[1..4], ["335.1", "340.9", "676.0"]);
    assert_eq!(support[5..8], ["✗ 360.9", "✗ 367.1", "✗ 728.0"]);
    assert_eq!(support[8..11], ["360.864", "367.122", "727.986"]);
    let host = row("Table 1", "Less contribution from host country");
    assert_eq!(host[5], "✗ 191.4");
    assert_eq!(host[8], "191.391");
    let subtotal = row("Table 1", "Sub-total (I)");
    assert_eq!(subtotal[5..8], ["✓", "✓", "✓"]);
    // Paragraph 2 reads Table 1's grand total, as computed.
    let approved = row("Decision", "2,approved_core_budget,2013");
    assert_eq!(approved[3], "2,947,864");
    assert_eq!(approved[5], "US$ 2,922,100");
    assert_eq!(approved[7], "✗", "{approved:?}");
}

/// The fields of one line of CSV, quotes removed.
fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(String::new()),
            c => fields.last_mut().unwrap().push(c),
        }
    }
    fields
}

// ---------------------------------------------------------------- the wrong figure

#[test]
fn the_review_workbook_marks_the_wrong_figure_apart_from_those_that_follow() {
    let dir = tempfile::tempdir().unwrap();
    let workbook = dir.path().join("wrong.xlsx");
    write_workbook(&wrong_copy(dir.path()), &[], &workbook);
    let bytes = std::fs::read(&workbook).unwrap();

    let sheet = zip_entry(&bytes, "xl/worksheets/sheet2.xml");
    let styles = zip_entry(&bytes, "xl/styles.xml");
    let notes = zip_entry(&bytes, "xl/comments1.xml");
    // Table 1's rows: I. Expenditures on 5, A. Staff costs on 6, Sub-total (I) on 19,
    // II. support on 20, GRAND TOTAL on 22.
    let look = |cell: &str| Look::of(&sheet, &styles, cell);
    let culprit = look("B6");
    assert_eq!(culprit.fill, "FFFFC7CE", "the wrong figure is red");
    for follower in ["D6", "B19", "D19", "B20", "B22"] {
        let follows = look(follower);
        assert_eq!(follows.fill, "FFFFEB9C", "{follower} follows: amber");
        assert_eq!(follows.border, "dashed", "{follower}");
    }
    // A figure that reconciles, and one that differs by rounding, are not marked.
    assert_eq!(look("C19").fill, "none");
    assert_eq!(look("C22").fill, "none");
    // The published figure is what the cell shows; bud's is in the check columns.
    assert!(sheet.contains(r#"<c r="B19" s=""#), "{sheet}");
    assert_eq!(value_of(&sheet, "B19"), "2577.6");
    assert_eq!(value_of(&sheet, "I19"), "2559.6");

    // Paragraph 2 reads the grand total: its stated figure follows too, on the
    // Decision sheet.
    let decision = zip_entry(&bytes, "xl/worksheets/sheet1.xml");
    let approved = {
        use calamine::{Data, Reader, Xlsx};
        let mut read: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.clone())).unwrap();
        let values = read.worksheet_range("Decision").unwrap();
        (0..values.height() as u32)
            .find(|row| {
                values.get_value((*row, 1)) == Some(&Data::String("approved_core_budget".into()))
                    && values.get_value((*row, 2)) == Some(&Data::Float(2013.0))
            })
            .unwrap()
            + 1
    };
    let approved = Look::of(&decision, &styles, &format!("F{approved}"));
    assert_eq!(approved.fill, "FFFFEB9C");

    let culprit_note = note_of(&notes, "B6");
    assert!(
        culprit_note.contains("1,857.2 is the wrong figure: 1,875.2 here (+18.0) would reconcile"),
        "{culprit_note}"
    );
    let follower_note = note_of(&notes, "B19");
    assert!(follower_note.contains("follows from"), "{follower_note}");
    assert!(follower_note.contains("A. Staff costs"), "{follower_note}");
    assert!(
        !follower_note.contains("The wrong figure"),
        "{follower_note}"
    );
    assert!(
        follower_note.contains("2,559.6"),
        "bud's figure beside: {follower_note}"
    );
}

/// A copy of BS-VI/7 and its data files in `dir` with 2013 Staff costs written 1,857.2
/// instead of 1,875.2; the decision's path.
fn wrong_copy(dir: &Path) -> PathBuf {
    for entry in std::fs::read_dir("decisions").unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
        }
    }
    let decision = dir.join("bs-vi-7.bud");
    let text = std::fs::read_to_string(&decision).unwrap();
    let wrong = text.replacen(
        "1,875.2   1,916.7   3,791.9",
        "1,857.2   1,916.7   3,791.9",
        1,
    );
    assert_ne!(wrong, text);
    std::fs::write(&decision, wrong).unwrap();
    decision
}

/// How a cell looks: its fill colour (`none`) and its left border's style.
struct Look {
    fill: String,
    border: String,
}

impl Look {
    fn of(sheet: &str, styles: &str, cell: &str) -> Look {
        let start = sheet
            .find(&format!("<c r=\"{cell}\""))
            .unwrap_or_else(|| panic!("no cell {cell}"));
        let tag = &sheet[start..start + sheet[start..].find('>').unwrap()];
        let style: usize = attribute(tag, "s").map_or(0, |s| s.parse().unwrap());
        let xf = nth_element(section(styles, "cellXfs"), "<xf ", style);
        let fill_id: usize = attribute(xf, "fillId").unwrap().parse().unwrap();
        let border_id: usize = attribute(xf, "borderId").unwrap().parse().unwrap();
        let fill = nth_element(section(styles, "fills"), "<fill>", fill_id);
        let border = nth_element(section(styles, "borders"), "<border>", border_id);
        Look {
            fill: fill
                .find("<fgColor rgb=\"")
                .map_or("none".to_owned(), |at| fill[at + 14..at + 22].to_owned()),
            border: border
                .find("<left style=\"")
                .map_or("none".to_owned(), |at| {
                    let rest = &border[at + 13..];
                    rest[..rest.find('"').unwrap()].to_owned()
                }),
        }
    }
}

fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    Some(&tag[at..at + tag[at..].find('"')?])
}

fn section<'a>(xml: &'a str, name: &str) -> &'a str {
    let start = xml.find(&format!("<{name}")).unwrap();
    let end = xml.find(&format!("</{name}>")).unwrap();
    &xml[start..end]
}

/// The `index`th element that starts with `open`, up to the next one.
fn nth_element<'a>(xml: &'a str, open: &str, index: usize) -> &'a str {
    let start = xml
        .match_indices(open)
        .nth(index)
        .unwrap_or_else(|| panic!("no {open} number {index}"))
        .0;
    let end = xml[start + 1..]
        .find(open)
        .map_or(xml.len(), |end| start + 1 + end);
    &xml[start..end]
}

fn value_of(sheet: &str, cell: &str) -> String {
    let start = sheet.find(&format!("<c r=\"{cell}\"")).unwrap();
    let element = &sheet[start..start + sheet[start..].find("</c>").unwrap()];
    let value = element.find("<v>").unwrap() + 3;
    element[value..value + element[value..].find("</v>").unwrap()].to_owned()
}

/// A cell's note as text.
fn note_of(comments: &str, cell: &str) -> String {
    let start = comments
        .find(&format!("<comment ref=\"{cell}\""))
        .unwrap_or_else(|| panic!("no note on {cell}"));
    let end = start + comments[start..].find("</comment>").unwrap();
    let mut text = String::new();
    let mut rest = &comments[start..end];
    // `<t>` or `<t xml:space="preserve">`, not `<text>`.
    while let Some(open) = rest
        .match_indices("<t")
        .map(|(at, _)| at)
        .find(|at| matches!(rest.as_bytes().get(at + 2), Some(b'>' | b' ')))
    {
        let body = open + rest[open..].find('>').unwrap() + 1;
        let close = body + rest[body..].find("</t>").unwrap();
        text.push_str(&rest[body..close]);
        rest = &rest[close..];
    }
    text.replace("&amp;", "&")
}

// ---------------------------------------------------------------- zip

/// One file of a workbook (a zip archive), as text.
fn zip_entry(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    archive
        .by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// A copy of the workbook `from` with the file `name` replaced by `text`.
fn replace_entry(from: &Path, name: &str, text: &str, to: &Path) {
    let bytes = std::fs::read(from).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut writer = zip::ZipWriter::new(std::fs::File::create(to).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).unwrap();
        let entry_name = entry.name().to_owned();
        let mut content = Vec::new();
        entry.read_to_end(&mut content).unwrap();
        writer.start_file(entry_name.as_str(), options).unwrap();
        if entry_name == name {
            writer.write_all(text.as_bytes()).unwrap();
        } else {
            writer.write_all(&content).unwrap();
        }
    }
    writer.finish().unwrap();
}

/// The sheet's XML with the one number cell holding `old` holding `new` instead.
fn set_number(sheet: &str, old: &str, new: &str) -> String {
    let value = format!("<v>{old}</v></c>");
    assert_eq!(sheet.matches(&value).count(), 1, "{old} in\n{sheet}");
    sheet.replacen(&value, &format!("<v>{new}</v></c>"), 1)
}
