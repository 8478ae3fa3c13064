//! The local mail catcher: with the embedded gateway, invitation mail is written as .eml
//! files into a folder of the app's data, and the admin reads it from the app. This module
//! lists and reads that folder; it never follows a path outside it.

use std::path::Path;

use mail_parser::MessageParser;
use serde::Serialize;
use ts_rs::TS;

use crate::error::{CoreError, CoreResult};

/// One message in the list, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MailSummary {
    /// The file's name inside the mail folder: the handle for [`read_mail`].
    pub file: String,
    pub to: String,
    pub subject: String,
    /// Milliseconds since the epoch (the file's time).
    #[ts(type = "number")]
    pub received_at: i64,
}

/// One message, as plain text (the HTML part is not rendered: the text part says the same).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MailMessage {
    pub file: String,
    pub from: String,
    pub to: String,
    pub subject: String,
    #[ts(type = "number")]
    pub received_at: i64,
    pub text: String,
    /// The http(s) links found in the text, in order.
    pub links: Vec<String>,
}

fn address_list(a: Option<&mail_parser::Address<'_>>) -> String {
    a.map(|a| {
        a.iter()
            .map(|addr| match (addr.name(), addr.address()) {
                (Some(n), Some(e)) => format!("{n} <{e}>"),
                (None, Some(e)) => e.to_owned(),
                (Some(n), None) => n.to_owned(),
                (None, None) => String::new(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    })
    .unwrap_or_default()
}

fn received_at(meta: &std::fs::Metadata) -> i64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The newest `limit` messages in `dir` (an absent folder is an empty mailbox).
pub fn list_mail(dir: &Path, limit: usize) -> CoreResult<Vec<MailSummary>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_error(dir, e)),
    };
    let mut files: Vec<(i64, String)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            if !name.ends_with(".eml") {
                return None;
            }
            let meta = e.metadata().ok()?;
            Some((received_at(&meta), name))
        })
        .collect();
    files.sort_by(|a, b| b.cmp(a));
    files.truncate(limit);
    let parser = MessageParser::default();
    Ok(files
        .into_iter()
        .filter_map(|(at, name)| {
            let raw = std::fs::read(dir.join(&name)).ok()?;
            let msg = parser.parse_headers(&raw)?;
            Some(MailSummary {
                to: address_list(msg.to()),
                subject: msg.subject().unwrap_or_default().to_owned(),
                file: name,
                received_at: at,
            })
        })
        .collect())
}

/// Reads one message by its file name (as [`list_mail`] gave it).
pub fn read_mail(dir: &Path, file: &str) -> CoreResult<MailMessage> {
    let plain = !file.is_empty()
        && file.ends_with(".eml")
        && !file.contains(['/', '\\'])
        && !file.starts_with('.');
    if !plain {
        return Err(CoreError::NotFound("There is no such message.".into()));
    }
    let path = dir.join(file);
    let raw = match std::fs::read(&path) {
        Ok(r) => r,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(CoreError::NotFound(
                "This message is no longer in the mail folder.".into(),
            ))
        }
        Err(e) => return Err(io_error(&path, e)),
    };
    let at = std::fs::metadata(&path)
        .map(|m| received_at(&m))
        .unwrap_or(0);
    let msg = MessageParser::default()
        .parse(&raw)
        .ok_or_else(|| CoreError::Internal("This message could not be read.".into()))?;
    let text = msg.body_text(0).map(|t| t.into_owned()).unwrap_or_default();
    let links = text
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| matches!(c, '<' | '>' | '(' | ')' | '"' | ',')))
        .filter(|w| w.starts_with("http://") || w.starts_with("https://"))
        .map(str::to_owned)
        .collect();
    Ok(MailMessage {
        file: file.to_owned(),
        from: address_list(msg.from()),
        to: address_list(msg.to()),
        subject: msg.subject().unwrap_or_default().to_owned(),
        received_at: at,
        text,
        links,
    })
}

/// Finds the message whose Message-ID is `message_id` (with or without its angle brackets),
/// newest first among the last [`FIND_LIMIT`] messages.
pub fn find_mail(dir: &Path, message_id: &str) -> CoreResult<MailMessage> {
    let wanted = message_id
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>');
    let gone = || {
        CoreError::NotFound(
            "This message is no longer in the mail folder (it may have been deleted).".into(),
        )
    };
    if wanted.is_empty() {
        return Err(gone());
    }
    let parser = MessageParser::default();
    for summary in list_mail(dir, FIND_LIMIT)? {
        let Ok(raw) = std::fs::read(dir.join(&summary.file)) else {
            continue;
        };
        let found = parser
            .parse_headers(&raw)
            .and_then(|m| m.message_id().map(|id| id == wanted))
            .unwrap_or(false);
        if found {
            return read_mail(dir, &summary.file);
        }
    }
    Err(gone())
}

/// How many of the newest messages [`find_mail`] looks through.
pub const FIND_LIMIT: usize = 5_000;

fn io_error(path: &Path, e: std::io::Error) -> CoreError {
    CoreError::Internal(format!(
        "The mail folder {} could not be read ({e}).",
        path.display()
    ))
}
