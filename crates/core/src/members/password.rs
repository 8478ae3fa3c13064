//! Passwords an admin sets: a new password for a member who has an account, optionally to be
//! changed at their next sign-in, and an admin changing their own.
//!
//! Who may set whose: any admin may set the password of a member who holds no Super Admin
//! role; only a Super Admin may set a Super Admin's (so an Admin cannot take over a Super
//! Admin's account). Nobody sets their own here: they change it with their current password
//! ([`Directory::change_own_password`]), as Google Workspace and Lark ask.
//!
//! The new hash reaches the member's own page on the gateway through the account mirror, with
//! the "must change" mark; the mark is cleared when they choose their own password, here or
//! on the gateway.

use rusqlite::params;
use serde::Deserialize;
use serde_json::json;
use ts_rs::TS;

use crate::audit::{self, Actor};
use crate::error::{CoreError, CoreResult, ErrorDetail};
use crate::member_row;
use crate::password;
use crate::store::Directory;
use crate::types::{MemberId, MemberStatus};

/// "Set password" in a member's actions.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SetPasswordInput {
    pub password: String,
    /// Ask for a new password at the member's next sign-in (the console or their own page).
    pub must_change: bool,
}

/// "Change password" for the signed-in admin.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ChangeOwnPasswordInput {
    pub current_password: String,
    pub new_password: String,
}

impl Directory {
    /// Sets a member's password. Refused for oneself, for members without an account (not
    /// joined yet, resigned) and, unless the actor is a Super Admin, for Super Admins.
    pub fn set_member_password(
        &mut self,
        actor: &Actor,
        id: MemberId,
        input: &SetPasswordInput,
    ) -> CoreResult<()> {
        self.password_target(actor, id)?;
        let hash = self.new_password_hash(id, &input.password)?;
        self.set_member_password_hashed(actor, id, &hash, input.must_change)
    }

    /// `password` as member `id`'s new password: checked against the policy (it may not hold
    /// their username) and hashed. On a computer in a team this is done where the admin types
    /// it, and the change carries only the hash.
    pub fn new_password_hash(&self, id: MemberId, password: &str) -> CoreResult<String> {
        let username = self.member_row(id)?.username;
        let problems = password::check_policy(password, username.as_deref());
        if !problems.is_empty() {
            return Err(CoreError::invalid(problems));
        }
        password::hash(password)
    }

    /// Sets a member's password to `hash`, made beforehand ([`Self::new_password_hash`]):
    /// the one writer of an admin's "Set password", made directly or applied from a team's
    /// log, with the same refusals as [`Self::set_member_password`]; the hash must be an
    /// Argon2id string within the accepted bounds.
    pub fn set_member_password_hashed(
        &mut self,
        actor: &Actor,
        id: MemberId,
        hash: &str,
        must_change: bool,
    ) -> CoreResult<()> {
        let (name, username) = self.password_target(actor, id)?;
        password::check_hash(hash).map_err(|p| CoreError::invalid(vec![p]))?;
        let (now, tx) = self.begin()?;
        tx.execute(
            "UPDATE members SET password_hash = ?2, must_change_password = ?3, updated_at = ?4
             WHERE id = ?1",
            params![id, hash, must_change, now],
        )?;
        // A password an admin set ends the wait after failed sign-ins.
        tx.execute(
            "DELETE FROM sign_in_failures WHERE username_key = ?1",
            [username.to_ascii_lowercase()],
        )?;
        audit::record(
            &tx,
            now,
            actor,
            audit::Entry::member("member.password_set", id, &name)
                .after(json!({"mustChange": must_change})),
        )?;
        tx.commit()?;
        self.touch_members(&[id]);
        Ok(())
    }

    /// Whether `actor` may set member `id`'s password: their name and username when they may.
    fn password_target(&self, actor: &Actor, id: MemberId) -> CoreResult<(String, String)> {
        let row = self.member_row(id)?;
        if actor.id == Some(id) {
            return Err(CoreError::Conflict(
                "To change your own password, use Change password in the menu under your name: \
                 it asks for your current password."
                    .into(),
            ));
        }
        let username = match (&row.username, row.status) {
            (Some(u), MemberStatus::Enabled | MemberStatus::Disabled) => u.clone(),
            (_, MemberStatus::Resigned) => {
                return Err(CoreError::Conflict(format!(
                    "{} has resigned, so there is no account to set a password for. Restore them first.",
                    row.name
                )))
            }
            _ => {
                return Err(CoreError::Conflict(format!(
                    "{} has not joined yet, so there is no account to set a password for. Send them an invitation instead.",
                    row.name
                )))
            }
        };
        self.guard_super_admin_target(actor, id, &row.name, "set their password")?;
        Ok((row.name, username))
    }

    /// The signed-in admin changes their own password: the current one must match, the new one
    /// meet the policy and differ from it. Clears "must change at next sign-in".
    pub fn change_own_password(
        &mut self,
        actor: &Actor,
        input: &ChangeOwnPasswordInput,
    ) -> CoreResult<()> {
        let Some(id) = actor.id else {
            return Err(CoreError::Forbidden("Sign in first.".into()));
        };
        let (username, hash): (Option<String>, Option<String>) = self.conn.query_row(
            "SELECT username, password_hash FROM members WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let current_ok = hash
            .as_deref()
            .is_some_and(|h| password::verify(&input.current_password, h));
        if !current_ok {
            return Err(CoreError::invalid(vec![ErrorDetail::field(
                "currentPassword",
                "wrong_password",
                "The current password is not right.",
            )]));
        }
        let mut problems = password::check_policy(&input.new_password, username.as_deref());
        if problems.is_empty() && input.new_password == input.current_password {
            problems.push(ErrorDetail::field(
                "newPassword",
                "unchanged",
                "Choose a password different from the current one.",
            ));
        }
        for p in &mut problems {
            if p.field.as_deref() == Some("password") {
                p.field = Some("newPassword".into());
            }
        }
        if !problems.is_empty() {
            return Err(CoreError::invalid(problems));
        }
        let new_hash = password::hash(&input.new_password)?;
        let (now, tx) = self.begin()?;
        member_row::write_own_password(&tx, now, actor, id, &new_hash)?;
        tx.commit()?;
        self.touch_members(&[id]);
        Ok(())
    }

    /// Whether the member must choose a new password at their next sign-in.
    pub fn must_change_password(&self, id: MemberId) -> CoreResult<bool> {
        Ok(self.conn.query_row(
            "SELECT must_change_password FROM members WHERE id = ?1",
            [id],
            |r| r.get(0),
        )?)
    }
}
