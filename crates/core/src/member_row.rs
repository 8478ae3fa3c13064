//! The member row's stored fields, its status column and the folded text the member index
//! searches: shared by the store (repairing old directories), the index and members, and so
//! kept below all three.

use rusqlite::types::{FromSql, FromSqlResult, ValueRef};
use rusqlite::{params, Connection, Statement};

use crate::audit::{self, Actor};
use crate::name_keys;
use crate::rows::row_into;
use crate::types::{fold_key, fold_search_into, MemberId, MemberStatus};

pub(crate) struct Row {
    pub(crate) name: String,
    pub(crate) username: Option<String>,
    pub(crate) email: Option<String>,
    pub(crate) mobile: Option<String>,
    pub(crate) employee_id: Option<String>,
    pub(crate) org_email: Option<String>,
    pub(crate) work_location: Option<String>,
    pub(crate) status: MemberStatus,
}

/// A member row's stored fields, borrowed: what the writers below take.
pub(crate) struct Fields<'a> {
    pub(crate) name: &'a str,
    pub(crate) username: Option<&'a str>,
    pub(crate) email: Option<&'a str>,
    pub(crate) mobile: Option<&'a str>,
    pub(crate) employee_id: Option<&'a str>,
    pub(crate) org_email: Option<&'a str>,
    pub(crate) work_location: Option<&'a str>,
}

impl Row {
    pub(crate) fn fields(&self) -> Fields<'_> {
        Fields {
            name: &self.name,
            username: self.username.as_deref(),
            email: self.email.as_deref(),
            mobile: self.mobile.as_deref(),
            employee_id: self.employee_id.as_deref(),
            org_email: self.org_email.as_deref(),
            work_location: self.work_location.as_deref(),
        }
    }
}

impl Fields<'_> {
    /// The folded text the member index searches: each field followed by a 0x01 byte, and
    /// after the name, when it has Chinese characters, its pinyin run together and its
    /// initials ("zhangwei", "zw").
    pub(crate) fn search_text(&self) -> String {
        self.search_text_of(name_keys::pinyin_words(self.name).as_deref())
    }

    /// The name's sort key and [`Self::search_text`], the name's pinyin worked out once for
    /// both.
    pub(crate) fn name_key_and_search_text(&self) -> (String, String) {
        let words = name_keys::pinyin_words(self.name);
        (
            name_keys::sort_key_of(self.name, words.as_deref()),
            self.search_text_of(words.as_deref()),
        )
    }

    /// [`Self::search_text`], given the name's pinyin words.
    fn search_text_of(&self, words: Option<&str>) -> String {
        let parts = [
            self.username,
            self.email,
            self.mobile,
            self.employee_id,
            self.org_email,
        ];
        let mut s = String::with_capacity(
            2 * self.name.len() + parts.iter().flatten().map(|p| p.len() + 1).sum::<usize>() + 1,
        );
        fold_search_into(&mut s, self.name);
        s.push('\u{1}');
        if let Some(words) = words {
            let (full, initials) = name_keys::search_pinyin_of(words);
            for part in [full, initials] {
                s.push_str(&part);
                s.push('\u{1}');
            }
        }
        for part in parts.into_iter().flatten() {
            fold_search_into(&mut s, part);
            s.push('\u{1}');
        }
        s
    }
}

/// What the core derives from a member's fields whenever it writes them: the name's sort key,
/// the keys the unique fields are compared by and the search text.
pub(crate) struct Derived {
    pub(crate) name_key: String,
    pub(crate) username_key: Option<String>,
    pub(crate) email_key: Option<String>,
    pub(crate) employee_id_key: Option<String>,
    pub(crate) search_text: String,
}

impl Fields<'_> {
    pub(crate) fn derived(&self) -> Derived {
        let (name_key, search_text) = self.name_key_and_search_text();
        Derived {
            name_key,
            username_key: self.username.map(str::to_ascii_lowercase),
            email_key: self.email.map(str::to_lowercase),
            employee_id_key: self.employee_id.map(fold_key),
            search_text,
        }
    }
}

/// Binds the fields an admin edits, the keys they are compared by and the search text to
/// ?1–?10, in the order both writers below name them; answers the username's key.
fn bind_edited(stmt: &mut Statement<'_>, f: &Fields<'_>) -> rusqlite::Result<Option<String>> {
    let d = f.derived();
    stmt.raw_bind_parameter(1, f.name)?;
    stmt.raw_bind_parameter(2, d.name_key)?;
    stmt.raw_bind_parameter(3, f.email)?;
    stmt.raw_bind_parameter(4, d.email_key)?;
    stmt.raw_bind_parameter(5, f.mobile)?;
    stmt.raw_bind_parameter(6, f.employee_id)?;
    stmt.raw_bind_parameter(7, d.employee_id_key)?;
    stmt.raw_bind_parameter(8, f.work_location)?;
    stmt.raw_bind_parameter(9, f.org_email)?;
    stmt.raw_bind_parameter(10, d.search_text)?;
    Ok(d.username_key)
}

/// Writes a new member row: its fields, the keys its unique fields are compared by and its
/// search text. An enabled member is activated at `now`.
pub(crate) fn insert(
    conn: &Connection,
    f: &Fields<'_>,
    status: MemberStatus,
    password_hash: Option<&str>,
    created_by: Option<MemberId>,
    now: i64,
) -> rusqlite::Result<MemberId> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO members (id, name, name_key, email, email_key, mobile, employee_id, employee_id_key,
                              work_location, org_email, search_text, username, username_key,
                              password_hash, status, created_by, created_at, activated_at, updated_at)
         VALUES ((SELECT max(ifnull(max(id), 0), ifnull((SELECT id FROM id_floors WHERE name = 'members'), 0)) + 1 FROM members),
                 ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?16)",
    )?;
    let username_key = bind_edited(&mut stmt, f)?;
    stmt.raw_bind_parameter(11, f.username)?;
    stmt.raw_bind_parameter(12, username_key)?;
    stmt.raw_bind_parameter(13, password_hash)?;
    stmt.raw_bind_parameter(14, status.as_str())?;
    stmt.raw_bind_parameter(15, created_by)?;
    stmt.raw_bind_parameter(16, now)?;
    stmt.raw_bind_parameter(17, (status == MemberStatus::Enabled).then_some(now))?;
    stmt.raw_execute()?;
    Ok(MemberId(conn.last_insert_rowid()))
}

/// Rewrites the fields an admin edits (all but the username and the status), their keys and
/// the search text.
pub(crate) fn update(
    conn: &Connection,
    id: MemberId,
    f: &Fields<'_>,
    now: i64,
) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(
        "UPDATE members SET name = ?1, name_key = ?2, email = ?3, email_key = ?4, mobile = ?5,
                employee_id = ?6, employee_id_key = ?7, work_location = ?8, org_email = ?9,
                search_text = ?10, updated_at = ?11
         WHERE id = ?12",
    )?;
    bind_edited(&mut stmt, f)?;
    stmt.raw_bind_parameter(11, now)?;
    stmt.raw_bind_parameter(12, id)?;
    stmt.raw_execute()?;
    Ok(())
}

/// Stores the password member `id` chose themselves (so nothing more is asked of them at
/// their next sign-in) and records the change in the audit log, as done by `actor`.
pub(crate) fn write_own_password(
    conn: &Connection,
    now: i64,
    actor: &Actor,
    id: MemberId,
    password_hash: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE members SET password_hash = ?2, must_change_password = 0, updated_at = ?3
         WHERE id = ?1",
        params![id, password_hash, now],
    )?;
    audit::record(
        conn,
        now,
        actor,
        audit::Entry::member("member.password_changed", id, &actor.name),
    )
}

/// Clears the headships of departments the member `?1` no longer has a position in: a head
/// who leaves a department no longer heads it.
pub(crate) const CLEAR_HEADSHIPS_LEFT: &str =
    "UPDATE departments SET head_member_id = NULL WHERE head_member_id = ?1
     AND id NOT IN (SELECT department_id FROM positions WHERE member_id = ?1)";

/// The columns [`row_from`] reads, in its order.
const ROW_COLUMNS: &str =
    "name, username, email, mobile, employee_id, org_email, work_location, status";

fn row_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok(row_into!(r => Row {
        name, username, email, mobile, employee_id, org_email, work_location, status
    }))
}

/// Reads a member's row (`QueryReturnedNoRows` when there is none).
pub(crate) fn read(conn: &Connection, id: MemberId) -> rusqlite::Result<Row> {
    conn.query_row(
        &format!("SELECT {ROW_COLUMNS} FROM members WHERE id = ?1"),
        [id],
        row_from,
    )
}

/// The status column, read as the status it names.
impl FromSql for MemberStatus {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        value.as_str().map(status_from_str)
    }
}

pub(crate) fn status_from_str(s: &str) -> MemberStatus {
    match s {
        "not_joined" => MemberStatus::NotJoined,
        "pending_approval" => MemberStatus::PendingApproval,
        "rejected" => MemberStatus::Rejected,
        "disabled" => MemberStatus::Disabled,
        "resigned" => MemberStatus::Resigned,
        _ => MemberStatus::Enabled,
    }
}

/// Recomputes a member's search text after a change made outside the edit path (the member's
/// own change reported by the gateway).
pub(crate) fn refresh_search_text(conn: &Connection, id: MemberId) -> rusqlite::Result<()> {
    let row = read(conn, id)?;
    conn.execute(
        "UPDATE members SET search_text = ?2 WHERE id = ?1",
        params![id, row.fields().search_text()],
    )?;
    Ok(())
}

/// Rewrites every member's name key and search text where they differ from what the rules
/// above make of the member's fields: migration 0009 runs it when names began to sort and be
/// found by pinyin. Reads only columns that migration 0009 finds in place.
pub(crate) fn rebuild_name_keys(conn: &Connection) -> rusqlite::Result<usize> {
    let stale: Vec<(MemberId, String, String)> = conn
        .prepare(&format!(
            "SELECT {ROW_COLUMNS}, id, name_key, search_text FROM members"
        ))?
        .query_map([], |r| {
            let row = row_from(r)?;
            let (key, search) = row.fields().name_key_and_search_text();
            let fresh = r.get_ref(9)?.as_str()? == key && r.get_ref(10)?.as_str()? == search;
            Ok((!fresh).then_some((r.get(8)?, key, search)))
        })?
        .filter_map(Result::transpose)
        .collect::<Result<_, _>>()?;
    let mut write =
        conn.prepare("UPDATE members SET name_key = ?2, search_text = ?3 WHERE id = ?1")?;
    for (id, key, search) in &stale {
        write.execute(params![id, key, search])?;
    }
    Ok(stale.len())
}

/// Whether a member other than `except` already holds `value` in `column`, one of the
/// members' unique columns (`username_key`, `email_key`, `mobile`, `gateway_account_id`).
pub(crate) fn held_by_another(
    conn: &Connection,
    column: &str,
    value: &str,
    except: MemberId,
) -> rusqlite::Result<bool> {
    conn.query_row(
        &format!("SELECT count(*) FROM members WHERE {column} = ?1 AND id <> ?2"),
        params![value, except],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n > 0)
}
