//! A directory edit from the command line, made directly or, on a computer enrolled in a team,
//! through the organization's change log: queued under the admin the command line acts as,
//! sent in one team round and applied when it comes back, so that every admin's directory
//! holds it. The command then says what happened: applied (what it says outside team mode),
//! refused by the log's order (what and why), or kept on this computer while the gateway
//! cannot be reached.

use orgdesk_core::audit::Actor;
use orgdesk_core::error::CoreResult;
use orgdesk_core::team::{ChangeFate, Command, Edit};
use orgdesk_core::{CommandError, Directory, ErrorCode};

use crate::cli_output::Output;
use crate::cli_sync::RoundFailed;

/// Runs one edit made by `actor` ([`Directory::edit`]): outside team mode `run` makes it
/// directly; in team mode it is tried, queued as `command`, and one team round runs. Once the
/// change is back from the log (or at once outside team mode), `say` words what it did against
/// the directory as it then stands (a new member's or department's id is read from it, not
/// from the try).
pub(crate) fn edit<T>(
    d: &mut Directory,
    actor: &Actor,
    command: impl FnOnce(&Directory) -> CoreResult<Command>,
    run: impl FnOnce(&mut Directory, &Actor) -> CoreResult<T>,
    say: impl FnOnce(&mut Directory, T) -> Output,
) -> Output {
    let made = d.edit(actor, command, run)?;
    said(d, made, say)
}

/// [`edit`] of `command` as it says ([`Directory::edit_command`]), then `say`.
pub(crate) fn edit_command(
    d: &mut Directory,
    actor: &Actor,
    command: Command,
    say: impl FnOnce(&mut Directory) -> Output,
) -> Output {
    let made = d.edit_command(actor, command)?;
    said(d, made, |d, ()| say(d))
}

/// What an edit made or queued says: at once when made, else once its change is back from
/// the log, or that it is kept on this computer.
fn said<T>(
    d: &mut Directory,
    made: Edit<T>,
    say: impl FnOnce(&mut Directory, T) -> Output,
) -> Output {
    let (tried, change_id) = match made {
        Edit::Done(done) => return say(d, done),
        Edit::Queued { tried, change_id } => (tried, change_id),
    };
    match through_log(d, &[change_id])? {
        None => say(d, tried),
        Some(kept) => Ok(kept),
    }
}

/// Runs one team round for `change_ids`, the changes this computer has just queued (an
/// import's parts, in order): None once every one is back from the log and applied, else what
/// to say of those kept on this computer. One the log refused, or this computer's credential
/// refused by the gateway, is the error.
pub(crate) fn through_log(
    d: &mut Directory,
    change_ids: &[String],
) -> Result<Option<String>, CommandError> {
    let account = d.team_device_account()?.unwrap_or_default();
    let round = crate::cli_sync::team_round_now(d, &account);
    let mut waiting = false;
    for id in change_ids {
        match d.change_fate(id)? {
            ChangeFate::Applied => {}
            ChangeFate::Refused(refused) => return Err(refused.refusal().into()),
            ChangeFate::Waiting => waiting = true,
        }
    }
    if !waiting {
        return Ok(None);
    }
    match round {
        Err(RoundFailed::TokenRefused(why)) => Err(CommandError::new(
            ErrorCode::Forbidden,
            format!(
                "The team's gateway refused this computer's credential ({why}): it was \
                 revoked, or its admin's account disabled, so the change cannot be sent from \
                 here and stays on this computer only."
            ),
        )),
        Err(RoundFailed::NotReached(why)) => Ok(Some(format!(
            "Kept on this computer; sent by the next `orgdesk sync` (the team's gateway could \
             not be reached: {why})."
        ))),
        Ok(_) => Ok(Some(
            "Kept on this computer; sent by the next `orgdesk sync`.".into(),
        )),
    }
}
