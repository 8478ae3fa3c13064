//! What the directory holds that an import looks things up in: its departments and roles,
//! and its members by employee ID, username, email and mobile, read once before validation.

use super::{Ctx, Existing, HashMap, ImportOptions};
use crate::rows::row_into;
use crate::spreadsheet::read::RawCell;
use crate::spreadsheet::template::{paths_by_id, PathParts};
use crate::spreadsheet::SheetResult;
use crate::store::Directory;
use crate::types::{fold_key, DepartmentId, MemberId, RoleId};

impl Ctx {
    pub(super) fn load(d: &Directory, opts: &ImportOptions) -> SheetResult<Self> {
        let (create_missing, lang) = (opts.create_missing_departments, opts.lang);
        let conn = &d.conn;
        let root = d.root_department()?;
        let root_name = d.organization_name()?;
        let paths = paths_by_id(conn, PathParts::Keys)?;
        let mut depts = HashMap::with_capacity_and_hasher(paths.len() + 1, Default::default());
        for (id, path) in paths {
            depts.insert(path, id);
        }
        // The organization's own name also means the root.
        depts.entry(fold_key(&root_name)).or_insert(root);
        let mut roles = HashMap::default();
        let (mut member_role, mut super_admin) = (RoleId(0), RoleId(0));
        for r in conn
            .prepare("SELECT id, name_key, builtin FROM roles")?
            .query_map([], |r| {
                Ok((
                    r.get::<_, RoleId>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                ))
            })?
        {
            let (id, key, builtin) = r?;
            match builtin.as_deref() {
                Some("member") => member_role = id,
                Some("super_admin") => super_admin = id,
                _ => {}
            }
            roles.insert(key, id);
        }
        let mut members: Vec<Existing> = conn
            .prepare(
                "SELECT id, name, username, email, mobile, employee_id, org_email, work_location, status
                 FROM members ORDER BY id",
            )?
            .query_map([], |r| {
                Ok(row_into!(r => Existing {
                    id, name, username, email, mobile, employee_id, org_email, work_location, status;
                    positions: Vec::new(),
                    roles: Vec::new(),
                }))
            })?
            .collect::<Result<_, _>>()?;
        let at: HashMap<MemberId, usize> =
            members.iter().enumerate().map(|(i, m)| (m.id, i)).collect();
        let mut stmt = conn.prepare(
            "SELECT member_id, department_id, title FROM positions ORDER BY member_id, is_primary DESC, sort_order",
        )?;
        for r in stmt.query_map([], |r| {
            Ok((
                r.get::<_, MemberId>(0)?,
                r.get::<_, DepartmentId>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })? {
            let (m, dpt, t) = r?;
            if let Some(i) = at.get(&m) {
                members[*i].positions.push((dpt, t));
            }
        }
        let mut stmt = conn
            .prepare("SELECT member_id, role_id FROM member_roles ORDER BY member_id, role_id")?;
        for r in stmt.query_map([], |r| {
            Ok((r.get::<_, MemberId>(0)?, r.get::<_, RoleId>(1)?))
        })? {
            let (m, role) = r?;
            if let Some(i) = at.get(&m) {
                members[*i].roles.push(role);
            }
        }
        let mut ctx = Ctx {
            region: d.default_region()?,
            root,
            depts,
            roles,
            member_role,
            super_admin,
            by_eid: HashMap::default(),
            eid_zeros: HashMap::default(),
            by_user: HashMap::default(),
            by_email: HashMap::default(),
            by_mobile: HashMap::default(),
            members: Vec::new(),
            create_missing,
            lang,
            by_super_admin: opts.by_super_admin,
        };
        for (i, m) in members.iter().enumerate() {
            if let Some(e) = &m.employee_id {
                ctx.by_eid.insert(fold_key(e), i);
                if e.starts_with('0') && e.bytes().all(|b| b.is_ascii_digit()) {
                    let bare = e.trim_start_matches('0');
                    ctx.eid_zeros
                        .insert(if bare.is_empty() { "0" } else { bare }.to_owned(), i);
                }
            }
            if let Some(u) = &m.username {
                ctx.by_user.insert(u.to_ascii_lowercase(), i);
            }
            if let Some(e) = &m.email {
                ctx.by_email.insert(e.to_lowercase(), i);
            }
            if let Some(p) = &m.mobile {
                ctx.by_mobile.insert(p.clone(), i);
            }
        }
        ctx.members = members;
        Ok(ctx)
    }

    /// The directory's employee ID that `id` is once its leading zeros are gone, when the cell
    /// held a number (a spreadsheet drops the zeros of "00123" typed into a number cell) and
    /// no member has `id` itself: matching it would change that member's ID, or add a second
    /// person.
    pub(super) fn lost_zeros(&self, id: &str, cell: Option<&RawCell>) -> Option<&str> {
        if !matches!(cell, Some(RawCell::Int(_) | RawCell::Float(_)))
            || self.by_eid.contains_key(&fold_key(id))
        {
            return None;
        }
        let i = *self.eid_zeros.get(id)?;
        self.members[i].employee_id.as_deref()
    }
}
