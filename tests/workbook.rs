//! The workbooks: `run` writes `results.xlsx` (sheets targets, quantiles, assumptions, groups,
//! milestones), `compare` and `sensitivity` write `compare.xlsx` and `sensitivity.xlsx`. Read
//! back from the zip's XML: numbers are number cells, probabilities carry a percent format,
//! Chinese text is intact, and the sheets hold the rows of the matching CSV files.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::Path;
use std::process::Command;

mod common;

/// One sheet read back: cells by (row, column), each as its text and whether it is a number
/// cell with the percent format.
struct Sheet {
    cells: BTreeMap<(usize, usize), (String, Kind)>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Text,
    Number,
    Percent,
}

impl Sheet {
    fn header(&self) -> Vec<String> {
        (0..)
            .map_while(|c| self.cells.get(&(0, c)).map(|(t, _)| t.clone()))
            .collect()
    }

    fn rows(&self) -> usize {
        self.cells.keys().map(|(r, _)| *r).max().unwrap_or(0)
    }

    fn column(&self, name: &str) -> usize {
        self.header()
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name}: {:?}", self.header()))
    }

    fn cell(&self, row: usize, name: &str) -> Option<&(String, Kind)> {
        self.cells.get(&(row, self.column(name)))
    }
}

fn entry(zip: &mut zip::ZipArchive<fs::File>, name: &str) -> String {
    let mut text = String::new();
    zip.by_name(name)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// Column index of a cell reference such as `AB12`.
fn column_of(reference: &str) -> usize {
    reference
        .chars()
        .take_while(char::is_ascii_uppercase)
        .fold(0, |n, c| n * 26 + (c as usize - 'A' as usize + 1))
        - 1
}

/// The sheets of a workbook by name, in order.
fn read_workbook(path: &Path) -> Vec<(String, Sheet)> {
    let mut zip = zip::ZipArchive::new(fs::File::open(path).unwrap()).unwrap();
    let strings_xml = entry(&mut zip, "xl/sharedStrings.xml");
    let strings_doc = roxmltree::Document::parse(&strings_xml).unwrap();
    let strings: Vec<String> = strings_doc
        .root_element()
        .children()
        .filter(|n| n.has_tag_name("si"))
        .map(|si| {
            si.descendants()
                .filter(|n| n.has_tag_name("t"))
                .filter_map(|t| t.text())
                .collect()
        })
        .collect();
    // Styles: which cell formats (the `s` attribute) are percent formats.
    let styles_xml = entry(&mut zip, "xl/styles.xml");
    let styles = roxmltree::Document::parse(&styles_xml).unwrap();
    let percent_ids: Vec<String> = styles
        .descendants()
        .filter(|n| n.has_tag_name("numFmt"))
        .filter(|n| n.attribute("formatCode").is_some_and(|f| f.ends_with('%')))
        .filter_map(|n| n.attribute("numFmtId").map(str::to_string))
        .chain(["9".to_string(), "10".to_string()])
        .collect();
    let xfs: Vec<bool> = styles
        .descendants()
        .find(|n| n.has_tag_name("cellXfs"))
        .unwrap()
        .children()
        .filter(|n| n.has_tag_name("xf"))
        .map(|xf| {
            xf.attribute("numFmtId")
                .is_some_and(|id| percent_ids.iter().any(|p| p == id))
        })
        .collect();
    let book_xml = entry(&mut zip, "xl/workbook.xml");
    let book = roxmltree::Document::parse(&book_xml).unwrap();
    let names: Vec<String> = book
        .descendants()
        .filter(|n| n.has_tag_name("sheet"))
        .map(|n| n.attribute("name").unwrap().to_string())
        .collect();
    names
        .into_iter()
        .enumerate()
        .map(|(k, name)| {
            let xml = entry(&mut zip, &format!("xl/worksheets/sheet{}.xml", k + 1));
            let doc = roxmltree::Document::parse(&xml).unwrap();
            let mut cells = BTreeMap::new();
            for c in doc.descendants().filter(|n| n.has_tag_name("c")) {
                let reference = c.attribute("r").unwrap();
                let row: usize = reference
                    .trim_start_matches(|ch: char| ch.is_ascii_uppercase())
                    .parse()
                    .unwrap();
                let value = c
                    .children()
                    .find(|n| n.has_tag_name("v"))
                    .and_then(|v| v.text())
                    .unwrap_or_default();
                let style: usize = c.attribute("s").map_or(0, |s| s.parse().unwrap());
                let (text, kind) = match c.attribute("t") {
                    Some("s") => (strings[value.parse::<usize>().unwrap()].clone(), Kind::Text),
                    None | Some("n") if xfs[style] => (value.to_string(), Kind::Percent),
                    None | Some("n") => (value.to_string(), Kind::Number),
                    Some(other) => panic!("{name} {reference}: unexpected cell type {other}"),
                };
                cells.insert((row - 1, column_of(reference)), (text, kind));
            }
            (name, Sheet { cells })
        })
        .collect()
}

/// Rows of a CSV file plancast wrote (byte-order mark skipped), header first.
fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let bytes = fs::read(path).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&bytes[3..]);
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// Every cell of the sheet holds what the CSV file holds in the same place (numbers compared as
/// numbers), and number cells are exactly the cells whose CSV text is a number.
fn same_as_csv(sheet: &Sheet, csv: &[Vec<String>], what: &str) {
    assert_eq!(sheet.header(), csv[0], "{what}: header");
    assert_eq!(sheet.rows() + 1, csv.len(), "{what}: rows");
    for (r, row) in csv.iter().enumerate().skip(1) {
        for (c, text) in row.iter().enumerate() {
            match sheet.cells.get(&(r, c)) {
                None => assert!(text.is_empty(), "{what} row {r} col {c}: {text} missing"),
                Some((value, Kind::Text)) => assert_eq!(
                    value.as_str(),
                    text.trim_start_matches('\''),
                    "{what} row {r} col {c}"
                ),
                Some((value, _)) => assert_eq!(
                    value.parse::<f64>().unwrap(),
                    text.parse::<f64>().unwrap(),
                    "{what} row {r} col {c}"
                ),
            }
        }
    }
}

#[test]
fn run_writes_results_xlsx_with_numbers_percent_and_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    common::plancast_ok(
        &[
            "run",
            "scenarios/guangxi-14th-fyp.toml",
            "-q",
            "--no-charts",
            "--paths",
            "2000",
        ],
        out,
    );
    let book = read_workbook(&out.join("results.xlsx"));
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "targets",
            "quantiles",
            "assumptions",
            "groups",
            "milestones"
        ]
    );
    let sheet = |name: &str| &book.iter().find(|(n, _)| n == name).unwrap().1;

    // targets and quantiles: the CSV files, cell for cell.
    same_as_csv(
        sheet("targets"),
        &csv_rows(&out.join("targets.csv")),
        "targets",
    );
    same_as_csv(
        sheet("quantiles"),
        &csv_rows(&out.join("quantiles.csv")),
        "quantiles",
    );
    let targets = sheet("targets");
    let summary: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("summary.json")).unwrap()).unwrap();
    for row in 1..=targets.rows() {
        for column in ["probability", "ci_lower", "ci_upper"] {
            assert_eq!(
                targets.cell(row, column).unwrap().1,
                Kind::Percent,
                "{column}"
            );
        }
        for column in ["due_year", "threshold", "met_paths", "p50"] {
            assert_eq!(
                targets.cell(row, column).unwrap().1,
                Kind::Number,
                "{column}"
            );
        }
        assert_eq!(targets.cell(row, "id").unwrap().1, Kind::Text);
        // Chinese labels exactly as the scenario writes them.
        let id = &targets.cell(row, "id").unwrap().0;
        let t = summary["targets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == id.as_str())
            .unwrap();
        if let Some(zh) = t["label_zh"].as_str() {
            assert_eq!(targets.cell(row, "label_zh").unwrap().0, zh, "{id}");
        }
    }
    assert!(
        targets
            .cells
            .values()
            .any(|(t, _)| t.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))),
        "no Chinese text in the targets sheet"
    );

    // assumptions: the rows of `plancast show`.
    let show = Command::new(env!("CARGO_BIN_EXE_plancast"))
        .args(["show", "scenarios/guangxi-14th-fyp.toml", "--json"])
        .output()
        .unwrap();
    let view: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    let rows = view["assumptions"].as_array().unwrap();
    let assumptions = sheet("assumptions");
    assert_eq!(assumptions.rows(), rows.len());
    for (k, r) in rows.iter().enumerate() {
        assert_eq!(
            assumptions.cell(k + 1, "indicator").unwrap().0,
            r["indicator"]
        );
        assert_eq!(
            assumptions.cell(k + 1, "period").map(|c| c.0.as_str()),
            r["period"].as_str().filter(|p| !p.is_empty())
        );
        if let Some(q) = r["trend_p05_p50_p95"][1].as_f64() {
            let cell = assumptions.cell(k + 1, "trend_p50").unwrap();
            assert_eq!(cell.1, Kind::Number);
            assert_eq!(cell.0.parse::<f64>().unwrap(), q);
        }
    }
    assert!(assumptions.header().contains(&"name_zh".to_string()));
    assert!(assumptions
        .cells
        .values()
        .any(|(t, _)| t.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))));

    // groups and milestones: one row each, probabilities in percent.
    let groups = sheet("groups");
    assert_eq!(groups.rows(), summary["groups"].as_array().unwrap().len());
    assert!(groups.rows() > 0);
    assert_eq!(groups.cell(1, "probability").unwrap().1, Kind::Percent);
    assert_eq!(groups.cell(1, "met_paths").unwrap().1, Kind::Number);
    let milestones = sheet("milestones");
    assert_eq!(
        milestones.rows(),
        summary["milestones"].as_array().unwrap().len()
    );
    assert!(milestones.rows() > 0);
    assert_eq!(
        milestones.cell(1, "earlier_met_paths").unwrap().1,
        Kind::Number
    );
}

#[test]
fn compare_and_sensitivity_write_their_tables_as_workbooks() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    common::plancast_ok(
        &[
            "compare",
            "tests/fixtures/analysis/closed_form_growth.toml",
            "tests/fixtures/analysis/other_targets.toml",
            "--paths",
            "2000",
            "-q",
        ],
        &out.join("compare"),
    );
    let book = read_workbook(&out.join("compare/compare.xlsx"));
    assert_eq!(book.len(), 1);
    assert_eq!(book[0].0, "compare");
    same_as_csv(
        &book[0].1,
        &csv_rows(&out.join("compare/compare.csv")),
        "compare",
    );
    let column = book[0].1.column("closed_form_growth_probability");
    assert_eq!(book[0].1.cells[&(1, column)].1, Kind::Percent);

    common::plancast_ok(
        &[
            "sensitivity",
            "tests/fixtures/analysis/two_trends.toml",
            "--paths",
            "2000",
            "-q",
        ],
        &out.join("sensitivity"),
    );
    let book = read_workbook(&out.join("sensitivity/sensitivity.xlsx"));
    assert_eq!(book.len(), 1);
    assert_eq!(book[0].0, "sensitivity");
    let sheet = &book[0].1;
    same_as_csv(
        sheet,
        &csv_rows(&out.join("sensitivity/sensitivity.csv")),
        "sensitivity",
    );
    assert_eq!(sheet.cell(1, "p_base").unwrap().1, Kind::Percent);
    assert_eq!(sheet.cell(1, "low_value").unwrap().1, Kind::Number);
}
