//! Watchlist import: reads published sanctions and export-control lists and maps every
//! entry onto a `WatchlistEntry` that passes the node's content validation.
//!
//! Supported inputs (see `docs/import-formats.md` for the field-by-field mapping):
//! the US Consolidated Screening List as JSON (`csl-json`) and CSV (`csl-csv`), the OFAC
//! SDN legacy CSV files (`ofac-sdn`), OpenSanctions FollowTheMoney entities (`ftm`) and
//! our own exports (`jsonl`, `csv`).
//!
//! Parsing never aborts on a bad entry: malformed or unusable rows land in
//! [`Parsed::rejected`] with their 1-based line number, and only whole-file problems
//! (unreadable, not the format at all) are an [`ImportError`]. Output is deterministic:
//! the same file always yields byte-identical entries, so a re-import changes nothing.
//!
//! Listing dates: when a source gives none for an entry (OFAC's CSV never does), or gives
//! one that is not a full date, the entry gets [`Options::default_listing_date`], a
//! caller-supplied YYYY-MM-DD (typically the publication date of the file).

mod builder;
mod country;
mod csl;
mod csl_csv;
mod csl_json;
mod dates;
mod ftm;
mod identifiers;
mod native;
mod ofac;
mod ofac_remarks;
mod text;

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::proto::WatchlistEntry;

pub use native::{CSV_HEADER, export_csv, export_jsonl};

/// The input formats `parse` understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// US Consolidated Screening List, JSON (search API response or `consolidated.json`).
    CslJson,
    /// US Consolidated Screening List, `consolidated.csv`.
    CslCsv,
    /// OFAC SDN legacy CSV: `sdn.csv`, with `add.csv` and `alt.csv` read from beside it.
    OfacSdn,
    /// OpenSanctions FollowTheMoney entities, one JSON object per line.
    Ftm,
    /// Our own JSON-lines export (`export_jsonl`).
    Jsonl,
    /// Our own CSV export (`export_csv`).
    Csv,
}

impl Format {
    /// Every format, in the order the CLI lists them.
    pub const ALL: [Format; 6] = [
        Format::CslJson,
        Format::CslCsv,
        Format::OfacSdn,
        Format::Ftm,
        Format::Jsonl,
        Format::Csv,
    ];

    /// The name used on the command line and in messages.
    pub fn name(self) -> &'static str {
        match self {
            Format::CslJson => "csl-json",
            Format::CslCsv => "csl-csv",
            Format::OfacSdn => "ofac-sdn",
            Format::Ftm => "ftm",
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = ImportError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|format| format.name() == s)
            .ok_or_else(|| ImportError::UnknownFormat(s.to_owned()))
    }
}

/// Caller choices that the sources cannot supply.
#[derive(Clone, Debug)]
pub struct Options {
    /// YYYY-MM-DD used as `listing_date` when an entry has no usable date of its own.
    pub default_listing_date: String,
}

/// One entry that maps onto a valid `WatchlistEntry`.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// 1-based line where the entry starts in the (main) input file.
    pub line: usize,
    /// The source's own stable identity for the entry; the caller derives the record id from it.
    pub source_key: String,
    pub entry: WatchlistEntry,
    /// What was dropped or adjusted to make the entry valid (unknown countries, partial dates...).
    pub warnings: Vec<String>,
}

/// An entry that could not be imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejected {
    /// 1-based line where the entry starts.
    pub line: usize,
    /// The source key, when the row got far enough to have one.
    pub source_key: Option<String>,
    pub reason: String,
}

/// The outcome of parsing one file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Parsed {
    pub rows: Vec<Row>,
    pub rejected: Vec<Rejected>,
    /// Entities deliberately not imported (FtM: non-target or non-party schemata such as
    /// `Sanction` or `Address`). Not errors, so they are only counted.
    pub skipped: usize,
    /// File-level notes that belong to no single entry (a missing OFAC `alt.csv`, a bad
    /// line in `add.csv`...).
    pub warnings: Vec<String>,
}

/// Whole-file failures; anything smaller is a [`Rejected`] row.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{path} is not a {format} file: {reason}")]
    NotFormat {
        format: Format,
        path: PathBuf,
        reason: String,
    },
    #[error("unknown import format {0:?} (expected one of csl-json, csl-csv, ofac-sdn, ftm, jsonl, csv)")]
    UnknownFormat(String),
    #[error("default listing date {0:?} is not a valid date (YYYY-MM-DD)")]
    InvalidDefaultListingDate(String),
}

impl ImportError {
    fn read(path: &Path, source: io::Error) -> Self {
        ImportError::Read {
            path: path.to_owned(),
            source,
        }
    }

    fn not_format(format: Format, path: &Path, reason: impl Into<String>) -> Self {
        ImportError::NotFormat {
            format,
            path: path.to_owned(),
            reason: reason.into(),
        }
    }
}

/// Parses `path` as `format`. Only whole-file problems are errors; see [`Parsed`].
pub fn parse(format: Format, path: &Path, options: &Options) -> Result<Parsed, ImportError> {
    let default_listing = dates::strict(&options.default_listing_date)
        .ok_or_else(|| ImportError::InvalidDefaultListingDate(options.default_listing_date.clone()))?;
    let context = Context { path, default_listing };
    match format {
        Format::CslJson => csl_json::parse(&context),
        Format::CslCsv => csl_csv::parse(&context),
        Format::OfacSdn => ofac::parse(&context),
        Format::Ftm => ftm::parse(&context),
        Format::Jsonl => native::parse_jsonl(&context),
        Format::Csv => native::parse_csv(&context),
    }
}

/// The node's content rules, applied here so a row is refused with its line number
/// rather than later by the node; the reason names the offending field.
fn check_content(entry: &WatchlistEntry) -> Result<(), String> {
    crate::records::validate::check_watchlist_entry(entry).map_err(|e| match e {
        crate::Error::Refused { detail, .. } => detail,
        other => other.to_string(),
    })
}

/// What every format parser needs: the input path and the validated options.
struct Context<'a> {
    path: &'a Path,
    default_listing: chrono::NaiveDate,
}

impl Context<'_> {
    fn read_bytes(&self) -> Result<Vec<u8>, ImportError> {
        std::fs::read(self.path).map_err(|e| ImportError::read(self.path, e))
    }

    fn not_format(&self, format: Format, reason: impl Into<String>) -> ImportError {
        ImportError::not_format(format, self.path, reason)
    }
}

/// Collects rows and rejections, refusing a second entry with an already-seen source key
/// (the key becomes a record id, so a duplicate would silently overwrite the first entry).
#[derive(Default)]
struct Collector {
    parsed: Parsed,
    seen: std::collections::BTreeMap<String, usize>,
}

impl Collector {
    fn push(&mut self, outcome: Result<Row, Rejected>) {
        match outcome {
            Ok(row) => self.accept(row),
            Err(rejected) => self.parsed.rejected.push(rejected),
        }
    }

    fn accept(&mut self, row: Row) {
        if let Some(first) = self.seen.get(&row.source_key) {
            let reason = format!("duplicate source key {:?} (first seen at line {first})", row.source_key);
            self.reject(row.line, Some(row.source_key), reason);
            return;
        }
        self.seen.insert(row.source_key.clone(), row.line);
        self.parsed.rows.push(row);
    }

    fn reject(&mut self, line: usize, source_key: Option<String>, reason: impl Into<String>) {
        self.parsed.rejected.push(Rejected {
            line,
            source_key,
            reason: reason.into(),
        });
    }

    fn skip(&mut self) {
        self.parsed.skipped += 1;
    }

    fn warn(&mut self, warning: impl Into<String>) {
        self.parsed.warnings.push(warning.into());
    }

    fn is_empty(&self) -> bool {
        self.parsed.rows.is_empty() && self.parsed.skipped == 0
    }

    fn finish(self) -> Parsed {
        self.parsed
    }
}
