//! How a fedctl command fails: a message for stderr and a documented exit code.

use tonic::Code;

use crate::transport;

/// fedctl's documented exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    Error = 1,
    Connection = 2,
    InvalidInput = 3,
    /// `fedctl check`: an essentially identical denial is in force.
    ConsultationRequired = 4,
    /// `fedctl screen`: the node's index had not yet read everything the node holds.
    Incomplete = 5,
}

#[derive(Debug)]
pub struct Failure {
    pub code: ExitCode,
    pub message: String,
}

impl Failure {
    pub(super) fn invalid(message: impl Into<String>) -> Self {
        Failure {
            code: ExitCode::InvalidInput,
            message: message.into(),
        }
    }
}

impl From<tonic::Status> for Failure {
    fn from(status: tonic::Status) -> Self {
        // A status the node sent has no source; one with a source failed here, in
        // transport: the node was not reached, or the connection to it was lost.
        if let Some(cause) = std::error::Error::source(&status) {
            return Failure {
                code: ExitCode::Connection,
                message: format!(
                    "{:?}: cannot reach the node, or lost it: {}",
                    status.code(),
                    transport::describe_transport_failure(cause)
                ),
            };
        }
        let code = match status.code() {
            Code::Unavailable | Code::DeadlineExceeded => ExitCode::Connection,
            Code::InvalidArgument => ExitCode::InvalidInput,
            _ => ExitCode::Error,
        };
        Failure {
            code,
            message: with_code(status.code(), status.message()),
        }
    }
}

impl From<crate::Error> for Failure {
    fn from(error: crate::Error) -> Self {
        let code = match error {
            crate::Error::Config(_) | crate::Error::InvalidArgument(_) => ExitCode::InvalidInput,
            _ => ExitCode::Error,
        };
        Failure {
            code,
            message: error.to_string(),
        }
    }
}

/// `NotFound: no denial …`. Our nodes' messages already start with the code's words
/// (`not found: …`): those are not prefixed a second time.
fn with_code(code: Code, message: &str) -> String {
    let name = format!("{code:?}");
    let mut words = String::new();
    for c in name.chars() {
        if c.is_uppercase() && !words.is_empty() {
            words.push(' ');
        }
        words.push(c.to_ascii_lowercase());
    }
    if message.starts_with(&format!("{words}:")) {
        message.to_string()
    } else {
        format!("{name}: {message}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_named_once() {
        let not_found = with_code(Code::NotFound, "not found: denials/DE-BAFA/1");
        assert_eq!(not_found, "not found: denials/DE-BAFA/1");
        let storage = with_code(Code::Unavailable, "storage: the data directory /d is full");
        assert_eq!(storage, "Unavailable: storage: the data directory /d is full");
        let invalid = with_code(Code::InvalidArgument, "invalid argument: bad token");
        assert_eq!(invalid, "invalid argument: bad token");
    }
}
