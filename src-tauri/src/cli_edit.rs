//! A directory edit from the command line, made directly or, on a computer enrolled in a team,
//! through the organization's change log: queued under the admin the command line acts as,
//! sent in one team round and applied when it comes back, so that every admin's directory
//! holds it. The command then says what happened: applied (what it says outside team mode),
//! refused by the log's order (what and why), or kept on this computer while the gateway
//! cannot be reached.

use orgdesk_core::audit::Actor;
use orgdesk_core::error::CoreResult;
use orgdesk_core::team::Command;
use orgdesk_core::{CommandError, Directory, ErrorCode};

use crate::cli_sync::RoundFailed;

/// Runs one edit made by `actor`. Outside team mode `run` makes it directly. In team mode the
/// edit is first tried (`run`, undone: what the core or the admin's role refuses is refused at
/// once, with the same error), then `command` is queued and one team round runs; once the
/// change is back from the log, `say` words the tried result against the directory as it then
/// stands (a new member's or department's id is read from it, not from the try).
pub(crate) fn edit<T>(
    d: &mut Directory,
    actor: &Actor,
    command: impl FnOnce(&Directory) -> CoreResult<Command>,
    run: impl FnOnce(&mut Directory, &Actor) -> CoreResult<T>,
    say: impl FnOnce(&mut Directory, T) -> Result<String, CommandError>,
) -> Result<String, CommandError> {
    let Some(account) = d.team_device_account()? else {
        let done = run(d, actor)?;
        return say(d, done);
    };
    let tried = d.preview(|d| run(d, actor))?;
    let command = command(d)?;
    let change_id = d.queue_command(actor, command)?;
    let round = crate::cli_sync::team_round_now(d, &account);
    if let Some(refused) = d
        .my_refused_changes()?
        .into_iter()
        .find(|r| r.change_id == change_id)
    {
        return Err(CommandError::new(
            ErrorCode::Conflict,
            format!(
                "The team's change log refused it: {}. {}",
                refused.what, refused.reason
            ),
        ));
    }
    if d.pending_commands()?
        .iter()
        .any(|p| p.change_id == change_id)
    {
        return match round {
            Err(RoundFailed::TokenRefused(why)) => Err(CommandError::new(
                ErrorCode::Forbidden,
                format!(
                    "The team's gateway refused this computer's credential ({why}): it was \
                     revoked, or its admin's account disabled, so the change cannot be sent \
                     from here and stays on this computer only."
                ),
            )),
            Err(RoundFailed::NotReached(why)) => Ok(format!(
                "Kept on this computer; sent by the next `orgdesk sync` (the team's gateway \
                 could not be reached: {why})."
            )),
            Ok(_) => Ok("Kept on this computer; sent by the next `orgdesk sync`.".into()),
        };
    }
    say(d, tried)
}

/// Refuses, on a computer enrolled in a team, an edit that has no kind of change in the team's
/// log yet (`what`): made here alone, it would leave this directory unlike the others.
pub(crate) fn refuse_in_team(d: &Directory, what: &str) -> Result<(), CommandError> {
    if d.team_device_account()?.is_none() {
        return Ok(());
    }
    Err(CommandError::new(
        ErrorCode::Conflict,
        format!(
            "This computer is in a team, and {what} is not yet a change the team's log carries: \
             made here alone, it would leave this directory unlike the other admins', so it is \
             refused."
        ),
    ))
}
