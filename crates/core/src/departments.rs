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

        let mut direct: HashMap<DepartmentId, u32> = HashMap::new();
        let mut total: HashMap<DepartmentId, u32> = HashMap::new();
        let mut stmt = self.conn.prepare(
            "SELECT p.member_id, p.department_id FROM positions p JOIN members m ON m.id = p.member_id
             WHERE m.status IN ('enabled', 'disabled', 'not_joined') ORDER BY p.member_id",
        )?;
        let positions = stmt
            .query_map([], |r| {
                Ok((r.get::<_, MemberId>(0)?, r.get::<_, DepartmentId>(1)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut seen: Vec<DepartmentId> = Vec::new();
        let mut i = 0;
        while i < positions.len() {
            let member = positions[i].0;
            seen.clear();
            while i < positions.len() && positions[i].0 == member {
                let dept = positions[i].1;
                *direct.entry(dept).or_default() += 1;
                let mut cur = Some(dept);
                while let Some(d) = cur {
                    if !seen.contains(&d) {
                        seen.push(d);
                    }
                    cur = parent.get(&d).copied().flatten();
                }
                i += 1;
            }
            for d in &seen {
                *total.entry(*d).or_default() += 1;
            }
        }

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
