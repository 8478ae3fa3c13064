//! The department tree.

use std::collections::HashMap;

use serde::Serialize;
use ts_rs::TS;

use crate::error::CoreResult;
use crate::store::Directory;
use crate::types::{DepartmentId, MemberId};

/// One node of the tree, with member counts: direct, and including sub-departments
/// (each member counted once however many positions they hold in the subtree).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DepartmentNode {
    #[ts(type = "number")]
    pub id: DepartmentId,
    #[ts(type = "number | null")]
    pub parent_id: Option<DepartmentId>,
    pub name: String,
    pub direct_members: u32,
    pub total_members: u32,
    pub children: Vec<DepartmentNode>,
}

impl Directory {
    /// The whole tree from the root, siblings in their order. Resigned members, rejected
    /// and pending requests are not counted.
    pub fn department_tree(&self) -> CoreResult<DepartmentNode> {
        let root: DepartmentId = self
            .conn
            .query_row("SELECT root_department_id FROM organization", [], |r| {
                r.get(0)
            })
            .map_err(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => crate::CoreError::NotInitialized,
                e => e.into(),
            })?;
        let mut stmt = self.conn.prepare(
            "SELECT id, parent_id, name FROM departments ORDER BY sort_order, name_key, id",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, DepartmentId>(0)?,
                    r.get::<_, Option<DepartmentId>>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let parent: HashMap<DepartmentId, Option<DepartmentId>> =
            rows.iter().map(|(id, p, _)| (*id, *p)).collect();
        // Children before parents, so counts sum bottom-up.
        let depth = |mut d: DepartmentId| {
            let mut n = 0usize;
            while let Some(Some(p)) = parent.get(&d) {
                d = *p;
                n += 1;
            }
            n
        };
        let mut order: Vec<(usize, DepartmentId)> =
            rows.iter().map(|(id, _, _)| (depth(*id), *id)).collect();
        order.sort_by_key(|o| std::cmp::Reverse(o.0));
        let order: Vec<DepartmentId> = order.into_iter().map(|(_, d)| d).collect();
        let (direct, total) = self.with_index(|idx| idx.counts(&parent, &order))?;

        let mut children: HashMap<Option<DepartmentId>, Vec<(DepartmentId, String)>> =
            HashMap::new();
        for (id, p, name) in rows {
            children.entry(p).or_default().push((id, name));
        }
        fn build(
            id: DepartmentId,
            name: String,
            parent_id: Option<DepartmentId>,
            children: &mut HashMap<Option<DepartmentId>, Vec<(DepartmentId, String)>>,
            direct: &HashMap<DepartmentId, u32>,
            total: &HashMap<DepartmentId, u32>,
        ) -> DepartmentNode {
            let kids = children.remove(&Some(id)).unwrap_or_default();
            DepartmentNode {
                id,
                parent_id,
                name,
                direct_members: direct.get(&id).copied().unwrap_or(0),
                total_members: total.get(&id).copied().unwrap_or(0),
                children: kids
                    .into_iter()
                    .map(|(cid, cname)| build(cid, cname, Some(id), children, direct, total))
                    .collect(),
            }
        }
        let root_name = self.organization_name()?;
        Ok(build(root, root_name, None, &mut children, &direct, &total))
    }
}

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::json;

use crate::audit::{self, Actor};
use crate::error::{CoreError, ErrorDetail};
use crate::rows;
use crate::types::{fold_key, DisplayName, MemberRef};

/// The details pane of one department.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DepartmentDetails {
    #[ts(type = "number")]
    pub id: DepartmentId,
    #[ts(type = "number | null")]
    pub parent_id: Option<DepartmentId>,
    pub name: String,
    /// Slash-separated from below the root ("Sales/EMEA"); empty for the root.
    pub path: String,
    pub is_root: bool,
    pub head: Option<MemberRef>,
    pub direct_members: u32,
    pub total_members: u32,
    pub sub_departments: u32,
}

/// Writes a department as the last child of `parent` (its name already checked).
pub(crate) fn insert_department(
    conn: &Connection,
    parent: DepartmentId,
    name: &str,
    now: i64,
) -> rusqlite::Result<DepartmentId> {
    let id = rows::insert(
        conn,
        "INSERT INTO departments (id, parent_id, name, name_key, sort_order, created_at)
         VALUES ((SELECT max(ifnull(max(id), 0), ifnull((SELECT id FROM id_floors WHERE name = 'departments'), 0)) + 1 FROM departments),
                 ?1, ?2, ?3, (SELECT ifnull(max(sort_order), -1) + 1 FROM departments WHERE parent_id = ?1), ?4)",
        params![parent, name, fold_key(name), now],
    )?;
    Ok(DepartmentId(id))
}

fn not_found(id: DepartmentId) -> CoreError {
    CoreError::NotFound(format!("Department {id} does not exist."))
}

fn name_taken(name: &str) -> CoreError {
    CoreError::invalid(vec![ErrorDetail::field(
        "name",
        "taken",
        format!("A department named \"{name}\" already exists here."),
    )])
}

impl Directory {
    pub(crate) fn root_department(&self) -> CoreResult<DepartmentId> {
        self.conn
            .query_row("SELECT root_department_id FROM organization", [], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or(CoreError::NotInitialized)
    }

    pub(crate) fn department_row(
        &self,
        id: DepartmentId,
    ) -> CoreResult<(Option<DepartmentId>, String)> {
        self.conn
            .query_row(
                "SELECT parent_id, name FROM departments WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or_else(|| not_found(id))
    }

    /// The ids of `id` and every department below it.
    pub fn department_subtree(&self, id: DepartmentId) -> CoreResult<Vec<DepartmentId>> {
        let mut stmt = self.conn.prepare_cached(
            "WITH RECURSIVE sub(id) AS (SELECT ?1 UNION ALL SELECT d.id FROM departments d JOIN sub ON d.parent_id = sub.id)
             SELECT id FROM sub",
        )?;
        let ids = stmt
            .query_map([id], |r| r.get(0))?
            .collect::<Result<Vec<DepartmentId>, _>>()?;
        Ok(ids)
    }

    /// "Sales/EMEA" for a department two levels below the root; "" for the root.
    pub fn department_path(&self, id: DepartmentId) -> CoreResult<String> {
        let mut parts = Vec::new();
        let mut cur = Some(id);
        while let Some(d) = cur {
            let (parent, name) = self.department_row(d)?;
            if parent.is_some() {
                parts.push(name);
            }
            cur = parent;
        }
        parts.reverse();
        Ok(parts.join("/"))
    }

    /// The sub-department of `parent` named `name` (letter case aside), if there is one.
    pub fn child_department(
        &self,
        parent: DepartmentId,
        name: &str,
    ) -> CoreResult<Option<DepartmentId>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM departments WHERE parent_id = ?1 AND name_key = ?2",
                params![parent, crate::types::fold_key(name.trim())],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Resolves a slash-separated path below the root ("" or "/" is the root). An unknown
    /// path names its first missing segment.
    pub fn resolve_department_path(&self, path: &str) -> CoreResult<DepartmentId> {
        let mut cur = self.root_department()?;
        let mut walked = Vec::new();
        for seg in path.split('/').map(str::trim).filter(|s| !s.is_empty()) {
            match self.child_department(cur, seg)? {
                Some(id) => {
                    walked.push(seg);
                    cur = id;
                }
                None => {
                    let under = if walked.is_empty() {
                        "the root department".to_owned()
                    } else {
                        format!("\"{}\"", walked.join("/"))
                    };
                    return Err(CoreError::NotFound(format!(
                        "No department \"{seg}\" under {under}."
                    )));
                }
            }
        }
        Ok(cur)
    }

    pub fn department_details(&self, id: DepartmentId) -> CoreResult<DepartmentDetails> {
        let (parent_id, name) = self.department_row(id)?;
        let head: Option<MemberRef> = self
            .conn
            .query_row(
                "SELECT m.id, m.name, m.username FROM departments d JOIN members m ON m.id = d.head_member_id WHERE d.id = ?1",
                [id],
                MemberRef::from_row,
            )
            .optional()?;
        let subtree = self.department_subtree(id)?;
        let direct_members: u32 = self.conn.query_row(
            "SELECT count(*) FROM positions p JOIN members m ON m.id = p.member_id
             WHERE p.department_id = ?1 AND m.status IN ('enabled', 'disabled', 'not_joined')",
            [id],
            |r| r.get(0),
        )?;
        let total_members = self.with_index(|idx| {
            idx.query(
                &|s| crate::index::is_active(s),
                Some(&subtree),
                None,
                0,
                Some(0),
            )
            .0
        })? as u32;
        Ok(DepartmentDetails {
            id,
            parent_id,
            path: self.department_path(id)?,
            is_root: parent_id.is_none(),
            name,
            head,
            direct_members,
            total_members,
            sub_departments: (subtree.len() - 1) as u32,
        })
    }

    /// Distinct members (not resigned, not requests) holding a position in any of `depts`.
    pub(crate) fn count_members_in(&self, depts: &[DepartmentId]) -> CoreResult<u32> {
        let list = depts
            .iter()
            .map(|d| d.0.to_string())
            .collect::<Vec<_>>()
            .join(",");
        Ok(self.conn.query_row(
            &format!(
                "SELECT count(DISTINCT p.member_id) FROM positions p JOIN members m ON m.id = p.member_id
                 WHERE p.department_id IN ({list}) AND m.status IN ('enabled', 'disabled', 'not_joined')"
            ),
            [],
            |r| r.get(0),
        )?)
    }

    fn check_sibling_name(
        tx: &Connection,
        parent: DepartmentId,
        name: &DisplayName,
        except: Option<DepartmentId>,
    ) -> CoreResult<()> {
        let clash = rows::exists(
            tx,
            "SELECT id FROM departments WHERE parent_id = ?1 AND name_key = ?2 AND id IS NOT ?3",
            params![parent, name.key(), except],
        )?;
        if clash {
            return Err(name_taken(name.as_str()));
        }
        Ok(())
    }

    /// Creates a department as the last child of `parent`.
    pub fn create_department(
        &mut self,
        actor: &Actor,
        parent: DepartmentId,
        name: &str,
    ) -> CoreResult<DepartmentId> {
        let name = DisplayName::parse("name", "Department name", name)
            .map_err(|e| CoreError::invalid(vec![e]))?;
        self.department_row(parent)?;
        let (now, tx) = self.begin()?;
        Self::check_sibling_name(&tx, parent, &name, None)?;
        let id = insert_department(&tx, parent, name.as_str(), now)?;
        audit::record(
            &tx,
            now,
            actor,
            audit::Entry::department("department.create", id, name.as_str())
                .after(json!({"name": name.as_str(), "parentId": parent})),
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// Renames a department. The root is renamed only as the organization.
    pub fn rename_department(
        &mut self,
        actor: &Actor,
        id: DepartmentId,
        name: &str,
    ) -> CoreResult<()> {
        let (parent, before) = self.department_row(id)?;
        let Some(parent) = parent else {
            return Err(CoreError::Forbidden(
                "The root department is the organization: rename it in Organization Overview."
                    .into(),
            ));
        };
        let name = DisplayName::parse("name", "Department name", name)
            .map_err(|e| CoreError::invalid(vec![e]))?;
        if before == name.as_str() {
            return Ok(());
        }
        let (now, tx) = self.begin()?;
        Self::check_sibling_name(&tx, parent, &name, Some(id))?;
        tx.execute(
            "UPDATE departments SET name = ?1, name_key = ?2 WHERE id = ?3",
            params![name.as_str(), name.key(), id],
        )?;
        audit::record(
            &tx,
            now,
            actor,
            audit::Entry::department("department.rename", id, name.as_str())
                .before(json!({"name": before}))
                .after(json!({"name": name.as_str()})),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Moves a department (with everything below it) under `new_parent`, at `index` among
    /// its new siblings (None: last). Moving it under itself or a descendant is refused.
    pub fn move_department(
        &mut self,
        actor: &Actor,
        id: DepartmentId,
        new_parent: DepartmentId,
        index: Option<usize>,
    ) -> CoreResult<()> {
        let (parent, name) = self.department_row(id)?;
        let Some(old_parent) = parent else {
            return Err(CoreError::Forbidden(
                "The root department cannot be moved.".into(),
            ));
        };
        let (_, parent_name) = self.department_row(new_parent)?;
        if self.department_subtree(id)?.contains(&new_parent) {
            return Err(CoreError::invalid(vec![ErrorDetail::field(
                "parentId",
                "cycle",
                format!("\"{name}\" cannot be moved into itself or one of its sub-departments (\"{parent_name}\")."),
            )]));
        }
        let dn = DisplayName::parse("name", "Department name", &name)
            .map_err(|e| CoreError::invalid(vec![e]))?;
        let (now, tx) = self.begin()?;
        if new_parent != old_parent {
            Self::check_sibling_name(&tx, new_parent, &dn, Some(id))?;
        }
        let mut siblings: Vec<DepartmentId> = tx
            .prepare("SELECT id FROM departments WHERE parent_id = ?1 AND id != ?2 ORDER BY sort_order, name_key, id")?
            .query_map(params![new_parent, id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let at = index.unwrap_or(siblings.len()).min(siblings.len());
        siblings.insert(at, id);
        tx.execute(
            "UPDATE departments SET parent_id = ?1 WHERE id = ?2",
            params![new_parent, id],
        )?;
        {
            let mut upd = tx.prepare("UPDATE departments SET sort_order = ?1 WHERE id = ?2")?;
            for (i, s) in siblings.iter().enumerate() {
                upd.execute(params![i as i64, s])?;
            }
        }
        audit::record(
            &tx,
            now,
            actor,
            audit::Entry::department(
                if new_parent == old_parent {
                    "department.reorder"
                } else {
                    "department.move"
                },
                id,
                &name,
            )
            .before(json!({"parentId": old_parent}))
            .after(json!({"parentId": new_parent, "index": at})),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Sets or clears the head; the head must hold a position in this department.
    pub fn set_department_head(
        &mut self,
        actor: &Actor,
        id: DepartmentId,
        head: Option<MemberId>,
    ) -> CoreResult<()> {
        let (_, name) = self.department_row(id)?;
        if let Some(m) = head {
            let in_department = rows::exists(
                &self.conn,
                "SELECT 1 FROM positions p JOIN members mm ON mm.id = p.member_id
                 WHERE p.member_id = ?1 AND p.department_id = ?2 AND mm.status IN ('enabled', 'disabled', 'not_joined')",
                params![m, id],
            )?;
            if !in_department {
                return Err(CoreError::invalid(vec![ErrorDetail::field(
                    "headId",
                    "not_in_department",
                    format!("The head of \"{name}\" must be a member of \"{name}\"."),
                )]));
            }
        }
        let before: Option<i64> = self.conn.query_row(
            "SELECT head_member_id FROM departments WHERE id = ?1",
            [id],
            |r| r.get(0),
        )?;
        let (now, tx) = self.begin()?;
        tx.execute(
            "UPDATE departments SET head_member_id = ?1 WHERE id = ?2",
            params![head, id],
        )?;
        audit::record(
            &tx,
            now,
            actor,
            audit::Entry::department("department.set_head", id, &name)
                .before(json!({"headId": before}))
                .after(json!({"headId": head})),
        )?;
        tx.commit()?;
        Ok(())
    }
}
