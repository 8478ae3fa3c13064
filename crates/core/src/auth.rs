//! Signing in to the console: password check, the growing delay after repeated failures,
//! and the session that makes the signed-in admin the actor of every change.

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::audit::Actor;
use crate::error::{CoreError, CoreResult};
use crate::password;
use crate::store::Directory;
use crate::types::MemberId;

/// Failures allowed before each further attempt must wait.
pub const FREE_FAILURES: i64 = 5;
/// The first wait; it doubles with each further failure, up to [`MAX_DELAY_SECS`].
pub const FIRST_DELAY_SECS: i64 = 5;
pub const MAX_DELAY_SECS: i64 = 15 * 60;

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SignInInput {
    pub username: String,
    pub password: String,
}

/// The signed-in admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    #[ts(type = "number")]
    pub member_id: MemberId,
    pub name: String,
    pub username: String,
    pub roles: Vec<String>,
    pub is_initial_admin: bool,
    pub organization_name: String,
    /// An admin set this password and asked for a new one: the window asks for it before
    /// anything else.
    pub must_change_password: bool,
}

impl Session {
    pub fn actor(&self) -> Actor {
        Actor::member(self.member_id, self.name.clone())
    }
}

/// How far an admin's roles reach. The window, the command line and the changes a team's
/// computers apply ask the same question, here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AdminRank {
    /// Any admin: edits departments and members.
    Admin,
    /// Also changes what holds for the whole organization: Settings, the gateway in use.
    SuperAdmin,
}

impl AdminRank {
    /// The rank the roles named give, if any.
    pub fn of_roles<S: AsRef<str>>(names: &[S]) -> Option<Self> {
        let holds = |role: &str| names.iter().any(|r| r.as_ref() == role);
        if holds("Super Admin") {
            Some(Self::SuperAdmin)
        } else if holds("Admin") {
            Some(Self::Admin)
        } else {
            None
        }
    }
}

/// How long the next attempt must wait after `failures` consecutive failures.
pub fn delay_secs(failures: i64) -> i64 {
    if failures < FREE_FAILURES {
        return 0;
    }
    let doublings = (failures - FREE_FAILURES).min(20) as u32;
    (FIRST_DELAY_SECS << doublings).min(MAX_DELAY_SECS)
}

impl Directory {
    /// Checks the credentials of an admin. Unknown usernames and wrong passwords get the
    /// same answer and cost the same time.
    pub fn sign_in(&mut self, input: &SignInInput) -> CoreResult<Session> {
        if !self.is_initialized()? {
            return Err(CoreError::NotInitialized);
        }
        let key = input.username.trim().to_ascii_lowercase();
        let now = self.now_ms();
        let failures: Option<(i64, i64)> = self
            .conn
            .query_row(
                "SELECT failures, last_at FROM sign_in_failures WHERE username_key = ?1",
                [&key],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((n, last_at)) = failures {
            let wait_until = last_at + delay_secs(n) * 1000;
            if now < wait_until {
                let secs = ((wait_until - now) + 999) / 1000;
                return Err(CoreError::TooManyAttempts {
                    retry_after_secs: secs as u32,
                });
            }
        }
        let row: Option<(MemberId, String, String, Option<String>, String)> = self
            .conn
            .query_row(
                "SELECT id, name, username, password_hash, status FROM members WHERE username_key = ?1",
                [&key],
                |r| crate::rows::columns(r),
            )
            .optional()?;
        let hash = row
            .as_ref()
            .and_then(|r| r.3.clone())
            .unwrap_or_else(|| password::decoy_hash().to_owned());
        let ok =
            password::verify(&input.password, &hash) && row.as_ref().is_some_and(|r| r.3.is_some());
        let Some((id, name, username, _, status)) = row.filter(|_| ok) else {
            self.conn.execute(
                "INSERT INTO sign_in_failures (username_key, failures, last_at) VALUES (?1, 1, ?2)
                 ON CONFLICT (username_key) DO UPDATE SET failures = failures + 1, last_at = excluded.last_at",
                params![key, now],
            )?;
            return Err(CoreError::InvalidCredentials);
        };
        self.conn.execute(
            "DELETE FROM sign_in_failures WHERE username_key = ?1",
            [&key],
        )?;
        if status != "enabled" {
            return Err(CoreError::Forbidden(
                "This account is not enabled. Ask another admin to enable it.".into(),
            ));
        }
        let roles = self.member_role_names(id)?;
        if AdminRank::of_roles(&roles).is_none() {
            return Err(CoreError::Forbidden(
                "This account has no admin role, so it cannot sign in to the console.".into(),
            ));
        }
        self.conn.execute(
            "UPDATE members SET last_login_at = ?1 WHERE id = ?2",
            params![now, id],
        )?;
        Ok(Session {
            member_id: id,
            name,
            username,
            roles,
            is_initial_admin: self.initial_admin_id()? == id,
            organization_name: self.organization_name()?,
            must_change_password: self.must_change_password(id)?,
        })
    }

    /// The member as the actor of a change that needs `needed`: refused unless they are
    /// enabled and their roles reach that far (a Super Admin may do what an Admin may).
    pub fn admin_actor(&self, id: MemberId, needed: AdminRank) -> CoreResult<Actor> {
        let (name, status): (String, String) = self
            .conn
            .query_row(
                "SELECT name, status FROM members WHERE id = ?1",
                [id],
                |r| crate::rows::columns(r),
            )
            .optional()?
            .ok_or_else(|| CoreError::NotFound(format!("Member {id} does not exist.")))?;
        let rank = AdminRank::of_roles(&self.member_role_names(id)?);
        if status != "enabled" || rank.is_none() {
            return Err(CoreError::Forbidden(format!(
                "{name} is not an enabled admin."
            )));
        }
        if rank < Some(needed) {
            return Err(CoreError::Forbidden(format!(
                "Only a Super Admin can do this, and {name} is an Admin."
            )));
        }
        Ok(Actor::member(id, name))
    }

    pub fn member_role_names(&self, id: MemberId) -> CoreResult<Vec<String>> {
        let mut stmt = self.conn.prepare(
            "SELECT r.name FROM member_roles mr JOIN roles r ON r.id = mr.role_id
             WHERE mr.member_id = ?1 ORDER BY r.id",
        )?;
        let names = stmt
            .query_map([id], |r| r.get(0))?
            .collect::<Result<Vec<String>, _>>()?;
        Ok(names)
    }

    /// Refreshes a session's names (after a rename, say).
    pub fn refresh_session(&self, s: &Session) -> CoreResult<Session> {
        let (name, username): (String, String) = self.conn.query_row(
            "SELECT name, username FROM members WHERE id = ?1",
            [s.member_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(Session {
            member_id: s.member_id,
            name,
            username,
            roles: self.member_role_names(s.member_id)?,
            is_initial_admin: self.initial_admin_id()? == s.member_id,
            organization_name: self.organization_name()?,
            must_change_password: self.must_change_password(s.member_id)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_grows_after_five_failures_and_is_capped() {
        for (failures, wait) in [
            (4, 0),
            (5, 5),
            (6, 10),
            (7, 20),
            (30, MAX_DELAY_SECS),
            (1000, MAX_DELAY_SECS),
        ] {
            assert_eq!(delay_secs(failures), wait, "after {failures} failures");
        }
    }
}
