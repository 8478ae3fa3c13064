//! `orgdesk gateway show|use|builtin`: which gateway the directory uses, the same choice the
//! window's Settings make between the built-in gateway and a remote one. The remote one's
//! token goes to the system keyring exactly as the window stores it, and only after the
//! gateway has answered with it.

use std::io::BufRead;

use clap::Subcommand;
use orgdesk_core::{CommandError, CoreError, Directory, ErrorCode};
use serde::Serialize;
use tauri::async_runtime::block_on;

use crate::cli_output::{to_json, Output};
use crate::gateway_link::{
    check_remote, choose_builtin, choose_remote, chosen_remote, keyring_forget, link_secret,
    refuse_gateway_change_in_team, store_token, PORT_KEY,
};

#[derive(Debug, Subcommand)]
pub enum GatewayCommand {
    /// Show which gateway is used: mode, address, whether a token is stored (never the
    /// token) and whether the gateway answers with it.
    Show {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Use the remote gateway at URL (https://, or http:// on this computer). The token is
    /// read from the first line of standard input and checked against the gateway first: a
    /// gateway that does not answer, or refuses the token, exits 1 with the reason and
    /// nothing changes. An open window takes the change at its next start.
    Use {
        /// The gateway's address.
        url: String,
        /// Read the organization's API token from the first line of standard input.
        #[arg(long, required = true)]
        token_stdin: bool,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Use the built-in gateway, which runs inside the Orgdesk window; the remote gateway's
    /// token is removed from the keyring.
    Builtin {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// What `show` reports; `use` and `builtin` report the same after their change.
#[derive(Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
struct Shown {
    /// `built-in`, `remote`, or `team` (a remote gateway reached with this computer's own
    /// device credential, on a computer enrolled in a team).
    mode: &'static str,
    url: Option<String>,
    token_stored: bool,
    /// Whether the gateway answered with the stored token; `None` for the built-in gateway,
    /// which runs only inside the window.
    reachable: Option<bool>,
    /// Why it did not answer, or where the built-in gateway runs.
    note: Option<String>,
}

pub fn gateway(d: &mut Directory, c: GatewayCommand) -> Output {
    let json = match c {
        GatewayCommand::Show { json } => json,
        GatewayCommand::Use { url, json, .. } => {
            refuse_gateway_change_in_team(d)?;
            let token = token_from_stdin()?;
            let url = block_on(check_remote(&url, &token))?;
            block_on(store_token(&url, &token))?;
            let old = chosen_remote(d)?;
            choose_remote(d, &url)?;
            if let Some(old) = old.filter(|old| *old != url) {
                block_on(keyring_forget(&old));
            }
            json
        }
        GatewayCommand::Builtin { json } => {
            refuse_gateway_change_in_team(d)?;
            if let Some(old) = choose_builtin(d)? {
                block_on(keyring_forget(&old));
            }
            json
        }
    };
    let shown = block_on(read_choice(d))?;
    if json {
        return to_json(&shown);
    }
    Ok(text(&shown))
}

fn token_from_stdin() -> Result<String, CommandError> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| CoreError::Internal(format!("Standard input could not be read: {e}")))?;
    let token = line.trim().to_owned();
    if token.is_empty() {
        return Err(CommandError::new(
            ErrorCode::Validation,
            "token: give the organization's API token on the first line of standard input.",
        ));
    }
    Ok(token)
}

async fn read_choice(d: &Directory) -> Result<Shown, CommandError> {
    let Some(url) = chosen_remote(d)? else {
        let port = d.local_value(PORT_KEY)?;
        return Ok(Shown {
            mode: "built-in",
            url: port.map(|p| format!("http://127.0.0.1:{p}")),
            token_stored: false,
            reachable: None,
            note: Some(
                "On this computer only: the built-in gateway runs only while the Orgdesk window \
                 is open, sends nothing (it keeps each message on this computer) and makes links \
                 that open only here; its token is never stored."
                    .into(),
            ),
        });
    };
    let in_team = d.team_device_account()?.is_some();
    let (mode, token_stored, reachable, note) = match link_secret(&url, in_team).await {
        Err(why) => (
            "remote",
            false,
            Some(false),
            Some(format!(
                "No token for {url} in the system keyring ({why}). Give it again with \
                 `orgdesk gateway use {url} --token-stdin`."
            )),
        ),
        Ok((secret, token)) => match check_remote(&url, &token).await {
            Ok(_) => (secret.link_mode(), true, Some(true), None),
            Err(e) => (secret.link_mode(), true, Some(false), Some(reason(&e))),
        },
    };
    Ok(Shown {
        mode,
        url: Some(url),
        token_stored,
        reachable,
        note,
    })
}

/// A refusal's message with the reasons of its details.
fn reason(e: &CommandError) -> String {
    std::iter::once(e.message.as_str())
        .chain(e.details.iter().map(|d| d.reason.as_str()))
        .collect::<Vec<_>>()
        .join(" ")
}

fn text(s: &Shown) -> String {
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    let mut out = format!(
        "mode       {}\nurl        {}\ntoken      {}\nreachable  {}",
        match s.mode {
            "built-in" => "on this computer only (the built-in gateway)",
            "team" => "team (this computer's own credential)",
            other => other,
        },
        s.url.as_deref().unwrap_or("—"),
        if s.token_stored {
            "stored in the system keyring"
        } else {
            "none stored"
        },
        s.reachable.map(yes_no).unwrap_or("only inside the window"),
    );
    if let Some(note) = &s.note {
        out.push_str(&format!("\n{note}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_names_every_field_and_never_a_token() {
        let remote = Shown {
            mode: "remote",
            url: Some("https://gw.example.org".into()),
            token_stored: true,
            reachable: Some(false),
            note: Some("The gateway refused this token.".into()),
        };
        assert_eq!(
            text(&remote),
            "mode       remote\nurl        https://gw.example.org\n\
             token      stored in the system keyring\nreachable  no\n\
             The gateway refused this token."
        );
        let team = Shown {
            mode: "team",
            reachable: Some(true),
            note: None,
            ..remote
        };
        assert_eq!(
            text(&team),
            "mode       team (this computer's own credential)\nurl        https://gw.example.org\n\
             token      stored in the system keyring\nreachable  yes"
        );
        let builtin = Shown {
            mode: "built-in",
            url: None,
            token_stored: false,
            reachable: None,
            note: None,
        };
        assert_eq!(
            text(&builtin),
            "mode       on this computer only (the built-in gateway)\nurl        —\n\
             token      none stored\nreachable  only inside the window"
        );
    }
}
