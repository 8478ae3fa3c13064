//! The body of one change of the log: a command with the time its author made it, written as
//! `{"format": 1, "at": …, "kind": …, "args": {…}}` and read back from whatever a device sent.

use serde_json::{Map, Value};

use super::Command;
use crate::error::{CoreError, CoreResult, ErrorDetail};

/// The format of the bodies this version writes and reads. A body of another format is
/// refused, so a new format is used only once every computer of the team reads it.
pub const FORMAT: u32 = 1;

/// A command with the time its author made it: the body of one change of the log.
#[derive(Debug, Clone)]
pub struct TeamCommand {
    /// When the author made it, in ms since the epoch: the time every computer applies it
    /// under (the history's time, a new member's creation time …).
    pub at: i64,
    pub command: Command,
}

impl TeamCommand {
    /// The body as the log carries it: `{"format": 1, "at": …, "kind": …, "args": {…}}`.
    pub fn to_body(&self) -> CoreResult<Map<String, Value>> {
        let written = serde_json::to_value(&self.command)
            .map_err(|e| CoreError::Internal(format!("A change could not be written: {e}")))?;
        let Some((kind, args)) = written.as_object().and_then(|o| o.iter().next()) else {
            return Err(CoreError::Internal(
                "A change was not written as its kind and arguments.".into(),
            ));
        };
        let mut body = Map::new();
        body.insert("format".into(), FORMAT.into());
        body.insert("at".into(), self.at.into());
        body.insert("kind".into(), kind.clone().into());
        body.insert("args".into(), args.clone());
        Ok(body)
    }

    /// Reads a body from the log. Any device of the organization could have sent anything,
    /// so every problem is a refusal naming its field, never a panic.
    pub fn from_body(body: &Map<String, Value>) -> Result<Self, ErrorDetail> {
        let size = serde_json::to_string(body).map(|s| s.len()).unwrap_or(0);
        if size > orgdesk_protocol::MAX_CHANGE_BODY_BYTES {
            return Err(ErrorDetail::field(
                "body",
                "too_large",
                format!("The change is {size} bytes, more than a change may hold."),
            ));
        }
        if let Some(other) = body
            .keys()
            .find(|k| !["format", "at", "kind", "args"].contains(&k.as_str()))
        {
            return Err(ErrorDetail::field(
                other,
                "unknown_field",
                "A change holds only its format, time, kind and arguments.",
            ));
        }
        match body.get("format") {
            Some(v) if v.as_u64() == Some(u64::from(FORMAT)) => {}
            Some(v) => {
                return Err(ErrorDetail::field(
                    "format",
                    "unknown_format",
                    format!("The change is written in format {v}, which this version of Orgdesk does not read."),
                ))
            }
            None => {
                return Err(ErrorDetail::field(
                    "format",
                    "required",
                    "The change does not say its format.",
                ))
            }
        }
        let at = match body.get("at").and_then(Value::as_i64) {
            Some(at) if at >= 0 => at,
            _ => {
                return Err(ErrorDetail::field(
                    "at",
                    "invalid",
                    "The change does not say when it was made, in milliseconds.",
                ))
            }
        };
        let Some(kind) = body.get("kind").and_then(Value::as_str) else {
            return Err(ErrorDetail::field(
                "kind",
                "required",
                "The change does not say what kind of change it is.",
            ));
        };
        let args = body.get("args").cloned().unwrap_or(Value::Null);
        let mut tagged = Map::new();
        tagged.insert(kind.to_owned(), args);
        let command: Command =
            serde_path_to_error::deserialize(Value::Object(tagged)).map_err(|e| {
                let path = e.path().to_string();
                // The path starts with the kind: what follows it is inside `args`.
                let field = match path.strip_prefix(kind) {
                    _ if path == "." => "kind".to_owned(),
                    Some("") => "args".to_owned(),
                    Some(rest) => format!("args{rest}"),
                    None => "kind".to_owned(),
                };
                ErrorDetail::field(&field, "invalid", e.into_inner().to_string())
            })?;
        command.check()?;
        Ok(Self { at, command })
    }
}
