//! The library's one error type. `api::status` maps it to gRPC status codes; nothing else
//! does.

/// Why a record was refused at ingest. Stable names: they appear in the audit log, in
/// status and in metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Refusal {
    /// Not decodable, truncated, or missing the header.
    Malformed,
    /// Larger than the configured record size limit.
    Oversize,
    /// A schema version this node does not understand.
    UnknownSchema,
    /// Required field missing, bad country code, bad date, bad id...
    InvalidContent,
    /// The collection is not configured here, or the body is of the wrong kind.
    UnknownCollection,
    /// The author is not a federation member.
    UnknownAuthor,
    /// The author has no key with that id.
    UnknownKey,
    /// The key was revoked before the record's timestamp.
    RevokedKey,
    /// The key was rotated away from before the record's timestamp.
    RetiredKey,
    /// The signature does not verify (strictly).
    BadSignature,
    /// The author may not write this collection.
    NotWriter,
    /// An `owner`-mode id that does not start with the author's agency.
    ForeignId,
    /// Physical time beyond `max_clock_skew` ahead of our clock.
    FutureTimestamp,
    /// Same author and sequence number as a stored record, different bytes.
    Equivocation,
    /// An offline bundle addressed to another agency.
    WrongRecipient,
    /// Part of an offline bundle that does not match the hash its sender signed.
    Altered,
}

impl Refusal {
    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::Malformed => "malformed",
            Refusal::Oversize => "oversize",
            Refusal::UnknownSchema => "unknown_schema",
            Refusal::InvalidContent => "invalid_content",
            Refusal::UnknownCollection => "unknown_collection",
            Refusal::UnknownAuthor => "unknown_author",
            Refusal::UnknownKey => "unknown_key",
            Refusal::RevokedKey => "revoked_key",
            Refusal::RetiredKey => "retired_key",
            Refusal::BadSignature => "bad_signature",
            Refusal::NotWriter => "not_writer",
            Refusal::ForeignId => "foreign_id",
            Refusal::FutureTimestamp => "future_timestamp",
            Refusal::Equivocation => "equivocation",
            Refusal::WrongRecipient => "wrong_recipient",
            Refusal::Altered => "altered",
        }
    }

    /// Refusals about who may write what (as opposed to what the bytes say).
    pub fn is_permission(self) -> bool {
        matches!(
            self,
            Refusal::UnknownAuthor
                | Refusal::UnknownKey
                | Refusal::RevokedKey
                | Refusal::RetiredKey
                | Refusal::BadSignature
                | Refusal::NotWriter
                | Refusal::ForeignId
        )
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// A record was refused; the detail says which field or check.
    #[error("refused ({reason}): {detail}")]
    Refused { reason: Refusal, detail: String },
    /// A request that makes no sense regardless of records (bad paging token, empty id...).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    #[error("unauthenticated: {0}")]
    Unauthenticated(String),
    #[error("permission denied: {0}")]
    PermissionDenied(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("failed precondition: {0}")]
    FailedPrecondition(String),
    /// Storage cannot write, or the node is shutting down. Retrying later may work.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// The data directory does not take (or give back) what the store needs: full,
    /// read-only, failing. Answered as Unavailable: writes resume once the cause is gone.
    /// `message` says what, in the operator's words; `source` keeps the I/O error.
    #[error("storage: {message}")]
    Storage {
        message: String,
        #[source]
        source: Option<std::sync::Arc<dyn std::error::Error + Send + Sync>>,
    },
    #[error("configuration: {0}")]
    Config(String),
    #[error("internal: {0}")]
    Internal(String),
}

impl Error {
    pub fn refused(reason: Refusal, detail: impl Into<String>) -> Self {
        Error::Refused {
            reason,
            detail: detail.into(),
        }
    }

    /// Content validation failure (the common case of `Refused`).
    pub fn invalid(detail: impl Into<String>) -> Self {
        Error::refused(Refusal::InvalidContent, detail)
    }

    /// A storage fault described for the operator, keeping the error that caused it.
    pub fn storage(message: impl Into<String>, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Error::Storage {
            message: message.into(),
            source: Some(std::sync::Arc::new(source)),
        }
    }

    pub fn config(detail: impl Into<String>) -> Self {
        Error::Config(detail.into())
    }

    /// The stable name of a refusal (audit action `refuse:<name>`, `last_error`).
    pub fn refusal_name(&self) -> &'static str {
        match self {
            Error::Refused { reason, .. } => reason.as_str(),
            Error::PermissionDenied(_) => "permission_denied",
            Error::Unauthenticated(_) => "unauthenticated",
            _ => "invalid_argument",
        }
    }
}

/// Characters of a caller-supplied string shown in errors and logs.
const EXCERPT_CHARS: usize = 64;

/// A caller-supplied string as errors and logs show it: whole if short, else its first
/// 64 characters and its length, so a megabyte id cannot become a megabyte message.
pub fn excerpt(text: &str) -> String {
    match text.char_indices().nth(EXCERPT_CHARS) {
        None => format!("{text:?}"),
        Some((end, _)) => format!("{:?}… ({} bytes)", &text[..end], text.len()),
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_excerpt_shows_a_long_string_by_its_start_and_length() {
        assert_eq!(excerpt("DE-BAFA/1"), "\"DE-BAFA/1\"");
        let long = "é".repeat(500_000);
        let shown = excerpt(&long);
        assert!(shown.ends_with("… (1000000 bytes)"), "{shown}");
        assert!(shown.len() < 200, "{shown}");
    }
}
