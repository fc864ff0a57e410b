//! Plain aligned tables for `-o table`.

/// Terminal width tables are made for.
pub const MAX_WIDTH: usize = 100;
/// The last column keeps at least this much even when the others are wide.
const MIN_LAST: usize = 12;

/// `text` cut to `width` characters, marking the cut with `…`.
fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(header: &[&str]) -> Self {
        Table {
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// Aligned columns, at most [`MAX_WIDTH`] wide: the last column is cut to fit.
    pub fn render(&self) -> String {
        let mut widths: Vec<usize> = (0..self.header.len())
            .map(|i| {
                std::iter::once(&self.header)
                    .chain(&self.rows)
                    .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let before_last: usize = widths.iter().rev().skip(1).map(|w| w + 2).sum();
        if let Some(last) = widths.last_mut() {
            *last = (*last).min(MAX_WIDTH.saturating_sub(before_last).max(MIN_LAST));
        }
        let line = |cells: &Vec<String>| {
            let padded: Vec<String> = cells
                .iter()
                .zip(&widths)
                .map(|(c, &w)| format!("{:<w$}", fit(c, w)))
                .collect();
            padded.join("  ").trim_end().to_string()
        };
        std::iter::once(&self.header)
            .chain(&self.rows)
            .map(line)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_fit_in_100_columns_by_cutting_the_last_column() {
        let mut table = Table::new(&["PEER", "STATE", "LAST ERROR"]);
        table.row(vec!["FR-SBDU".into(), "backoff".into(), "x".repeat(300)]);
        table.row(vec!["NL-CDIU".into(), "connected".into(), String::new()]);
        let text = table.render();
        assert!(text.lines().all(|l| l.chars().count() <= MAX_WIDTH), "{text}");
        assert!(text.contains('…'));
        let mut narrow = Table::new(&["A", "B"]);
        narrow.row(vec!["short".into(), "also short".into()]);
        assert_eq!(narrow.render(), "A      B\nshort  also short");
    }
}
