//! A snapshot of the directory's shared content: how a computer that joins a team gets the
//! directory. It carries exactly what the checksum (`crate::checksum`) digests — the
//! organization, departments, members and positions, roles and who holds them, former members
//! and the organization-wide settings — the floors below which no member or department id is
//! given again (`id_floors`: every computer must give the next ids alike), the join requests
//! (`join_requests`: not content the checksum digests, but what a later `join.request` or
//! `join.decide` change of the log finds on every other computer), and the change log
//! position it was taken at, which becomes the loaded directory's cursor. What each computer
//! keeps for itself (sign-in failures, queues, history, the import log) is not in it, and the keys and search text derived from a member's fields are made again on
//! load, by the same rules as every other write.
//!
//! Since version 3 it also carries the gateway's member events the log took (applied, and
//! registrations waiting for their invitation's gateway id: `team_member_events`), so that a
//! late copy of one is passed over on the loaded computer too and a waiting one is applied
//! there with the others (each checked on load to be a registration about the invitation it
//! waits for), and the invitations such a registration goes through (never a link, nor the
//! work only the sending computer has). A version rather than an optional part: the parts
//! follow one another with nothing naming them, so an older build would call the snapshot
//! damaged where it now names the versions it reads.
//!
//! Format (version 3): `ORGDSNAP`, the version (u16), the change log position (u64), the
//! directory's digest (64 hex characters), the content's length (u64), all big-endian, then the
//! content compressed with deflate. The content is every part's rows in the checksum's order,
//! then the id floors, the join requests, the member events and the invitations (version 1
//! ends after the id floors: it loads with no join requests; version 2 after the join
//! requests: it loads with no member events and no invitations),
//! each row a `1` byte and its values (a tag — 0 null, 1 integer as i64 little-endian, 2 text
//! as a u32 little-endian length and UTF-8 bytes), each part closed by a `0` byte.
//!
//! The gateway relays snapshots, so loading one trusts nothing in it: the header, the length,
//! every value's kind against the column's declared type, the settings' keys, the schema's
//! checks and foreign keys, and in the end the digest of what was loaded. A refused snapshot
//! leaves no file behind.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use flate2::{bufread::DeflateDecoder, write::DeflateEncoder, Compression};
use rusqlite::types::{Value, ValueRef};
use rusqlite::{params_from_iter, Connection, Params};

use crate::checksum::{shared_setting_keys, Part, PARTS, SHARED_SETTINGS, SHARED_SETTINGS_QUERY};
use crate::error::{CoreError, CoreResult, SnapshotProblem};
use crate::member_row::Fields;
use crate::store::Directory;
use crate::types::fold_key;

const MAGIC: &[u8; 8] = b"ORGDSNAP";
/// The format version this build writes; it reads this one and every one since
/// [`OLDEST_SNAPSHOT_VERSION`].
pub const SNAPSHOT_VERSION: u16 = 3;
/// The oldest format version this build reads.
pub const OLDEST_SNAPSHOT_VERSION: u16 = 1;
/// The first format version that carries the join requests.
const JOIN_REQUESTS_SINCE: u16 = 2;
/// The first format version that carries the member events the log took and the invitations.
const MEMBER_EVENTS_SINCE: u16 = 3;
const DIGEST_LEN: usize = 64;
const HEADER_LEN: usize = MAGIC.len() + 2 + 8 + DIGEST_LEN + 8;
/// More content than this is refused before it is inflated (a snapshot of 100,000 members
/// holds some 25 MB).
const MAX_CONTENT_BYTES: u64 = 4 << 30;

/// The id floors: not content the checksum digests, but what makes ids alike from here on.
const ID_FLOORS: Part = Part::new("id_floors", "name, id", "name");

/// The join requests, waiting, rejected and approved, with the password hash a waiting or
/// rejected one keeps (a later approval makes the member with it; the `join.request` change
/// that brought it carried the same hash). Not content the checksum digests, but what a
/// later change of the log finds on every other computer: a decision names a request by the
/// gateway's id, and a request recorded already is passed over.
const JOIN_REQUESTS: Part = Part::new(
    "join_requests",
    "id, gateway_id, via, name, email, mobile, employee_id, work_location, username,
     password_hash, state, problem, member_id, requested_at, decided_at, decided_by,
     account_id",
    "id",
);

/// The gateway's member events the log took (`team_member_events`): applied, or a
/// registration waiting for its invitation's gateway id, with the event as the gateway sent
/// it. Not content the checksum digests, but what a later copy of the same event, or the
/// `invitation.linked` a waiting registration waits for, finds on every other computer.
/// Whether this computer's own change parked it is each computer's own, and not carried.
const MEMBER_EVENTS: Part = Part::new(
    "team_member_events",
    "event_id, waiting_for, event, parked_seq",
    "event_id",
);

/// The invitations, as far as the log makes them alike: whom, how, by whom and when, the
/// gateway's id and expiry, the state and the reason of a failure, and whether the log told
/// the gateway's id. Not content the checksum digests, but what a registration applied after
/// the snapshot's position goes through, and what the Invitations screen lists. What only the
/// sending computer holds (the link, the work it still has for the gateway, a kept message)
/// is not carried: a loaded computer has nothing to send. A state the feed moved (delivered,
/// opened …) is the writer's, which the loaded computer's own feed then moves on.
const INVITATIONS: Part = Part::new(
    "invitations",
    "id, member_id, channel, recipient, state, idempotency_key, gateway_id, expires_at,
     invited_by, inviter_name, created_at, updated_at, last_error, locale,
     linked_in_log",
    "id",
);

const END: u8 = 0;
const ROW: u8 = 1;
const NULL: u8 = 0;
const INTEGER: u8 = 1;
const TEXT: u8 = 2;

impl Directory {
    /// The directory's shared content as a snapshot taken at change log position `at_seq`.
    pub fn write_snapshot(&self, at_seq: u64) -> CoreResult<Vec<u8>> {
        // One read transaction: the rows and the digest are of the same moment.
        let tx = self.conn.unchecked_transaction()?;
        let mut content = Vec::new();
        for part in &PARTS {
            write_rows(&tx, &part.select(), [], &mut content)?;
        }
        write_rows(
            &tx,
            SHARED_SETTINGS_QUERY,
            [shared_setting_keys()],
            &mut content,
        )?;
        write_rows(&tx, &ID_FLOORS.select(), [], &mut content)?;
        write_rows(&tx, &JOIN_REQUESTS.select(), [], &mut content)?;
        write_rows(&tx, &MEMBER_EVENTS.select(), [], &mut content)?;
        write_rows(&tx, &INVITATIONS.select(), [], &mut content)?;
        let digest = self.directory_checksum()?.digest;
        drop(tx);

        let mut out = Vec::with_capacity(HEADER_LEN + content.len() / 3);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&SNAPSHOT_VERSION.to_be_bytes());
        out.extend_from_slice(&at_seq.to_be_bytes());
        out.extend_from_slice(digest.as_bytes());
        out.extend_from_slice(&(content.len() as u64).to_be_bytes());
        let mut z = DeflateEncoder::new(out, Compression::new(3));
        z.write_all(&content)
            .and_then(|_| z.finish())
            .map_err(|e| CoreError::Internal(format!("The snapshot could not be compressed: {e}")))
    }

    /// Creates a new directory file at `path` from `snapshot` and answers it with the change
    /// log position the snapshot was taken at. Refuses a file that exists already and a
    /// snapshot that is malformed, truncated, of another format version or whose content does
    /// not load to its digest; nothing is written then.
    pub fn load_snapshot(path: &Path, snapshot: &[u8]) -> CoreResult<(Directory, u64)> {
        if path.exists() {
            return Err(SnapshotProblem::FileExists(path.display().to_string()).into());
        }
        let envelope = Envelope::open(snapshot)?;
        let partial = sibling(path, ".loading");
        remove_database(&partial);
        let loaded = Directory::open(&partial).and_then(|mut d| {
            d.fill(&envelope)?;
            if d.directory_checksum()?.digest.as_bytes() != envelope.digest {
                return Err(
                    SnapshotProblem::Damaged("its content does not match its digest").into(),
                );
            }
            d.conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
            Ok(())
        });
        let placed = loaded.and_then(|()| place(&partial, path));
        remove_database(&partial);
        placed?;
        Ok((Directory::open(path)?, envelope.at_seq))
    }

    /// Writes the envelope's content into this new directory, in one transaction, its change
    /// log cursor at the envelope's position.
    fn fill(&mut self, envelope: &Envelope) -> CoreResult<()> {
        let at_seq = i64::try_from(envelope.at_seq)
            .map_err(|_| SnapshotProblem::Damaged("its change log position is out of range"))?;
        let tx = self.conn.transaction()?;
        // The organization names its root department and first admin, departments their
        // heads: the foreign keys are checked once everything is in.
        tx.pragma_update(None, "defer_foreign_keys", "ON")?;
        // The built-in roles the migrations made come again with their ids.
        tx.execute("DELETE FROM roles", [])?;
        let mut rows = Reader(&envelope.content);
        for part in &PARTS {
            let count = load_part(&tx, part, &mut rows)?;
            if part.table == "organization" && count != 1 {
                return Err(SnapshotProblem::Damaged("it holds no organization").into());
            }
        }
        load_settings(&tx, &mut rows)?;
        load_part(&tx, &ID_FLOORS, &mut rows)?;
        if envelope.version >= JOIN_REQUESTS_SINCE {
            load_part(&tx, &JOIN_REQUESTS, &mut rows)?;
        }
        if envelope.version >= MEMBER_EVENTS_SINCE {
            load_part(&tx, &MEMBER_EVENTS, &mut rows)?;
            check_waiting_registrations(&tx)?;
            load_part(&tx, &INVITATIONS, &mut rows)?;
        }
        tx.execute("UPDATE team_cursor SET applied_seq = ?1", [at_seq])?;
        if !rows.0.is_empty() {
            return Err(SnapshotProblem::Damaged("there is more after its content").into());
        }
        tx.commit().map_err(|source| SnapshotProblem::Refused {
            part: "references",
            source,
        })?;
        self.drop_index();
        Ok(())
    }
}

/// A snapshot's header, checked, and its content, inflated.
struct Envelope {
    version: u16,
    at_seq: u64,
    digest: [u8; DIGEST_LEN],
    content: Vec<u8>,
}

impl Envelope {
    fn open(bytes: &[u8]) -> Result<Self, SnapshotProblem> {
        if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
            return Err(SnapshotProblem::NotASnapshot);
        }
        let mut header = Reader(&bytes[MAGIC.len()..]);
        let version = u16::from_be_bytes(header.array()?);
        if !(OLDEST_SNAPSHOT_VERSION..=SNAPSHOT_VERSION).contains(&version) {
            return Err(SnapshotProblem::Version {
                found: version,
                oldest: OLDEST_SNAPSHOT_VERSION,
                newest: SNAPSHOT_VERSION,
            });
        }
        let at_seq = u64::from_be_bytes(header.array()?);
        let digest: [u8; DIGEST_LEN] = header.array()?;
        if !digest
            .iter()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
        {
            return Err(SnapshotProblem::Damaged("its digest is not a digest"));
        }
        let len = u64::from_be_bytes(header.array()?);
        if len > MAX_CONTENT_BYTES {
            return Err(SnapshotProblem::Damaged(
                "it claims more content than any directory holds",
            ));
        }
        let mut z = DeflateDecoder::new(header.0);
        let mut content = Vec::new();
        (&mut z)
            .take(len + 1)
            .read_to_end(&mut content)
            .map_err(|_| SnapshotProblem::Damaged("its content cannot be inflated"))?;
        if (content.len() as u64) < len {
            return Err(SnapshotProblem::Truncated);
        }
        if content.len() as u64 > len || !z.get_ref().is_empty() {
            return Err(SnapshotProblem::Damaged("there is more after its content"));
        }
        Ok(Self {
            version,
            at_seq,
            digest,
            content,
        })
    }
}

/// Reads the content front to back; running out is a truncated snapshot.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], SnapshotProblem> {
        if self.0.len() < n {
            return Err(SnapshotProblem::Truncated);
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], SnapshotProblem> {
        Ok(self.take(N)?.try_into().expect("N bytes taken"))
    }

    fn byte(&mut self) -> Result<u8, SnapshotProblem> {
        Ok(self.array::<1>()?[0])
    }

    fn value(&mut self) -> Result<Value, SnapshotProblem> {
        match self.byte()? {
            NULL => Ok(Value::Null),
            INTEGER => Ok(Value::Integer(i64::from_le_bytes(self.array()?))),
            TEXT => {
                let len = u32::from_le_bytes(self.array()?) as usize;
                let text = std::str::from_utf8(self.take(len)?)
                    .map_err(|_| SnapshotProblem::Damaged("a text is not UTF-8"))?;
                Ok(Value::Text(text.to_owned()))
            }
            _ => Err(SnapshotProblem::Damaged("a value has an unknown kind")),
        }
    }

    /// The next row of `width` values, or None at the part's end.
    fn row(&mut self, width: usize) -> Result<Option<Vec<Value>>, SnapshotProblem> {
        match self.byte()? {
            END => Ok(None),
            ROW => (0..width)
                .map(|_| self.value())
                .collect::<Result<_, _>>()
                .map(Some),
            _ => Err(SnapshotProblem::Damaged("a row is not where one should be")),
        }
    }
}

fn write_rows<P: Params>(
    conn: &Connection,
    sql: &str,
    params: P,
    out: &mut Vec<u8>,
) -> CoreResult<()> {
    let mut stmt = conn.prepare(sql)?;
    let columns = stmt.column_count();
    let mut rows = stmt.query(params)?;
    while let Some(row) = rows.next()? {
        out.push(ROW);
        for i in 0..columns {
            match row.get_ref(i)? {
                ValueRef::Null => out.push(NULL),
                ValueRef::Integer(n) => {
                    out.push(INTEGER);
                    out.extend_from_slice(&n.to_le_bytes());
                }
                ValueRef::Text(t) => {
                    out.push(TEXT);
                    out.extend_from_slice(&(t.len() as u32).to_le_bytes());
                    out.extend_from_slice(t);
                }
                // No column of the content holds these.
                ValueRef::Real(_) | ValueRef::Blob(_) => {
                    return Err(CoreError::Internal(format!(
                        "The directory holds a value of an unexpected kind ({sql})."
                    )))
                }
            }
        }
    }
    out.push(END);
    Ok(())
}

/// What a value of a column may be: its declared type, and null only where allowed.
struct Column {
    integer: bool,
    nullable: bool,
}

fn columns_of(conn: &Connection, part: &Part) -> CoreResult<Vec<Column>> {
    let declared: Vec<(String, String, bool, bool)> = conn
        .prepare(&format!(
            "SELECT name, type, \"notnull\", pk FROM pragma_table_info('{}')",
            part.table
        ))?
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, i64>(3)? > 0))
        })?
        .collect::<Result<_, _>>()?;
    part.columns
        .split(',')
        .map(str::trim)
        .map(|name| {
            let (_, ty, not_null, pk) = declared.iter().find(|c| c.0 == name).ok_or_else(|| {
                CoreError::Internal(format!("No column {name} in {}.", part.table))
            })?;
            Ok(Column {
                integer: ty.eq_ignore_ascii_case("INTEGER"),
                nullable: !not_null && !pk,
            })
        })
        .collect()
}

fn check_kinds(columns: &[Column], row: &[Value]) -> Result<(), SnapshotProblem> {
    let fits = columns.iter().zip(row).all(|(c, v)| match v {
        Value::Null => c.nullable,
        Value::Integer(_) => c.integer,
        Value::Text(_) => !c.integer,
        _ => false,
    });
    if fits {
        Ok(())
    } else {
        Err(SnapshotProblem::Damaged(
            "a value is not of its column's kind",
        ))
    }
}

/// Loads one part's rows; answers how many.
fn load_part(conn: &Connection, part: &Part, rows: &mut Reader<'_>) -> CoreResult<u64> {
    let columns = columns_of(conn, part)?;
    let derived = derived_columns(part.table);
    let width = columns.len() + derived.len();
    let sql = format!(
        "INSERT INTO {} ({}{}) VALUES ({})",
        part.table,
        part.columns,
        derived.iter().map(|c| format!(", {c}")).collect::<String>(),
        vec!["?"; width].join(", ")
    );
    let mut insert = conn.prepare(&sql)?;
    let refused = |source| SnapshotProblem::Refused {
        part: part.table,
        source,
    };
    let mut count = 0;
    while let Some(mut row) = rows.row(columns.len())? {
        check_kinds(&columns, &row)?;
        derive(part.table, &mut row);
        insert.execute(params_from_iter(&row)).map_err(refused)?;
        count += 1;
    }
    Ok(count)
}

/// The columns the core derives from a part's content, written beside it.
fn derived_columns(table: &str) -> &'static [&'static str] {
    match table {
        "departments" | "roles" => &["name_key"],
        "members" => &[
            "name_key",
            "username_key",
            "email_key",
            "employee_id_key",
            "search_text",
            "updated_at",
        ],
        _ => &[],
    }
}

/// Appends the values of [`derived_columns`] to a row of `table` whose kinds are checked.
fn derive(table: &str, row: &mut Vec<Value>) {
    let text = |v: &Value| match v {
        Value::Text(s) => Some(s.clone()),
        _ => None,
    };
    match table {
        "departments" => row.push(Value::Text(fold_key(&text(&row[2]).unwrap_or_default()))),
        "roles" => row.push(Value::Text(fold_key(&text(&row[1]).unwrap_or_default()))),
        "members" => {
            // The order of `checksum::PARTS`'s member columns.
            let name = text(&row[1]).unwrap_or_default();
            let [username, email, mobile, employee_id, work_location, org_email] =
                [2, 4, 5, 6, 7, 8].map(|i| text(&row[i]));
            let d = Fields {
                name: &name,
                username: username.as_deref(),
                email: email.as_deref(),
                mobile: mobile.as_deref(),
                employee_id: employee_id.as_deref(),
                org_email: org_email.as_deref(),
                work_location: work_location.as_deref(),
            }
            .derived();
            let created_at = row[11].clone();
            let opt = |s: Option<String>| s.map_or(Value::Null, Value::Text);
            row.extend([
                Value::Text(d.name_key),
                opt(d.username_key),
                opt(d.email_key),
                opt(d.employee_id_key),
                Value::Text(d.search_text),
                created_at,
            ]);
        }
        _ => {}
    }
}

/// Each registration the snapshot says waits for its invitation's gateway id is one, about
/// that invitation, under its own id: what `invitation.linked` will apply.
fn check_waiting_registrations(conn: &Connection) -> CoreResult<()> {
    let waiting: Vec<(String, String, String)> = crate::rows::all(
        conn,
        "SELECT event_id, waiting_for, event FROM team_member_events WHERE event IS NOT NULL",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let well_made = waiting.iter().all(|(event_id, gateway_id, event)| {
        crate::invitations::waiting_registration(event, event_id, gateway_id).is_some()
    });
    if well_made {
        Ok(())
    } else {
        Err(SnapshotProblem::Damaged("a registration waiting for its invitation is not one").into())
    }
}

/// The organization-wide settings: only those keys, over the defaults the migrations wrote.
fn load_settings(conn: &Connection, rows: &mut Reader<'_>) -> CoreResult<()> {
    let mut upsert =
        conn.prepare("INSERT OR REPLACE INTO settings (key, value) VALUES (?1, ?2)")?;
    while let Some(row) = rows.row(2)? {
        match (&row[0], &row[1]) {
            (Value::Text(key), Value::Text(_)) if SHARED_SETTINGS.contains(&key.as_str()) => {
                upsert.execute(params_from_iter(&row)).map_err(|source| {
                    SnapshotProblem::Refused {
                        part: "settings",
                        source,
                    }
                })?;
            }
            _ => {
                return Err(
                    SnapshotProblem::Damaged("a setting is not one of the organization's").into(),
                )
            }
        }
    }
    Ok(())
}

/// `path` with `suffix` added to its file name.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

/// Removes a database file and its write-ahead log, if there.
fn remove_database(path: &Path) {
    for p in [
        path.to_owned(),
        sibling(path, "-wal"),
        sibling(path, "-shm"),
    ] {
        let _ = std::fs::remove_file(p);
    }
}

/// Puts the loaded file at `path`, never over a file that appeared there meanwhile.
fn place(partial: &Path, path: &Path) -> CoreResult<()> {
    let placed = match std::fs::hard_link(partial, path) {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(SnapshotProblem::FileExists(path.display().to_string()).into())
        }
        // A file system without hard links: nothing is there (checked first), so a rename.
        Err(_) if !path.exists() => std::fs::rename(partial, path),
        other => other,
    };
    placed.map_err(|e| {
        CoreError::Internal(format!(
            "The directory file {} could not be written: {e}",
            path.display()
        ))
    })
}
