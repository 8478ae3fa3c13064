//! What each history entry changed, named precisely ("set primary department to
//! Sales/EMEA", "added Sales/APAC", "changed the mobile number"), read from the audit log's
//! before and after values. Departments and roles are named as they are now; one that has
//! since been deleted is named by its id.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use crate::error::CoreResult;
use crate::store::Directory;
use crate::types::DepartmentId;

/// One change a history entry made; the window words it in the admin's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum HistoryChange {
    /// A field set or cleared (`to` is none): `name`, `email`, `mobile`, `orgEmail`,
    /// `employeeId` or `workLocation`.
    Field {
        field: String,
        to: Option<String>,
    },
    /// The primary department became this one (its path).
    PrimaryDepartment {
        department: String,
    },
    DepartmentsAdded {
        departments: Vec<String>,
    },
    DepartmentsRemoved {
        departments: Vec<String>,
    },
    /// A position's title set or cleared; no department means the primary position.
    Title {
        department: Option<String>,
        title: Option<String>,
    },
    RolesAdded {
        roles: Vec<String>,
    },
    RolesRemoved {
        roles: Vec<String>,
    },
    /// The position moved when its department was deleted.
    PositionMoved {
        from: String,
        to: String,
    },
}

const FIELDS: [&str; 6] = [
    "name",
    "email",
    "mobile",
    "orgEmail",
    "employeeId",
    "workLocation",
];

/// Names departments and roles by id, each looked up once.
pub(super) struct Names<'a> {
    dir: &'a Directory,
    departments: HashMap<i64, String>,
    roles: Option<HashMap<i64, String>>,
}

impl<'a> Names<'a> {
    pub(super) fn new(dir: &'a Directory) -> Self {
        Self {
            dir,
            departments: HashMap::new(),
            roles: None,
        }
    }

    fn department(&mut self, id: i64) -> String {
        if let Some(n) = self.departments.get(&id) {
            return n.clone();
        }
        let name = match self.dir.department_path(DepartmentId(id)) {
            Ok(p) if !p.is_empty() => p,
            // The root: its own name.
            Ok(_) => self
                .dir
                .department_details(DepartmentId(id))
                .map(|d| d.name)
                .unwrap_or_default(),
            Err(_) => format!("#{id}"),
        };
        self.departments.insert(id, name.clone());
        name
    }

    fn role(&mut self, id: i64) -> CoreResult<String> {
        if self.roles.is_none() {
            let map = self
                .dir
                .conn
                .prepare("SELECT id, name FROM roles")?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<HashMap<i64, String>, _>>()?;
            self.roles = Some(map);
        }
        let roles = self.roles.as_ref().expect("just read");
        Ok(roles.get(&id).cloned().unwrap_or_else(|| format!("#{id}")))
    }

    fn roles<'i>(&mut self, ids: impl Iterator<Item = &'i i64>) -> CoreResult<Vec<String>> {
        ids.map(|r| self.role(*r)).collect()
    }

    /// What an entry of `action` with these before and after values changed.
    pub(super) fn changes(
        &mut self,
        action: &str,
        before: Option<&Value>,
        after: Option<&Value>,
    ) -> CoreResult<Vec<HistoryChange>> {
        let (Some(before), Some(after)) = (before, after) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        if action == "member.position_moved" {
            if let (Some(from), Some(to)) =
                (text(&before["department"]), text(&after["department"]))
            {
                out.push(HistoryChange::PositionMoved { from, to });
            }
            return Ok(out);
        }
        if action != "member.edit" {
            return Ok(out);
        }
        for field in FIELDS {
            if let (Some(b), Some(a)) = (before.get(field), after.get(field)) {
                if b != a {
                    out.push(HistoryChange::Field {
                        field: field.into(),
                        to: text(a),
                    });
                }
            }
        }
        if let (Some(b), Some(a)) = (positions(before), positions(after)) {
            self.position_changes(&b, &a, &mut out);
        } else if let (Some(b), Some(a)) = (before.get("departmentId"), after.get("departmentId")) {
            // Entries written before positions were recorded whole: the new primary only.
            if let (true, Some(id)) = (b != a, a.as_i64()) {
                out.push(HistoryChange::PrimaryDepartment {
                    department: self.department(id),
                });
            }
        }
        if let (Some(b), Some(a)) = (before.get("title"), after.get("title")) {
            if b != a {
                out.push(HistoryChange::Title {
                    department: None,
                    title: text(a),
                });
            }
        }
        if let (Some(b), Some(a)) = (ids(&before["roles"]), ids(&after["roles"])) {
            let added = self.roles(a.difference(&b))?;
            let removed = self.roles(b.difference(&a))?;
            if !added.is_empty() {
                out.push(HistoryChange::RolesAdded { roles: added });
            }
            if !removed.is_empty() {
                out.push(HistoryChange::RolesRemoved { roles: removed });
            }
        }
        Ok(out)
    }

    fn position_changes(
        &mut self,
        before: &[(i64, Option<String>)],
        after: &[(i64, Option<String>)],
        out: &mut Vec<HistoryChange>,
    ) {
        let primary = after.first().map(|p| p.0);
        if primary.is_some() && primary != before.first().map(|p| p.0) {
            out.push(HistoryChange::PrimaryDepartment {
                department: self.department(primary.unwrap_or_default()),
            });
        }
        let held =
            |list: &[(i64, Option<String>)], id: i64| list.iter().find(|p| p.0 == id).cloned();
        let added: Vec<String> = after
            .iter()
            .filter(|p| held(before, p.0).is_none() && Some(p.0) != primary)
            .map(|p| self.department(p.0))
            .collect();
        let removed: Vec<String> = before
            .iter()
            .filter(|p| held(after, p.0).is_none())
            .map(|p| self.department(p.0))
            .collect();
        if !added.is_empty() {
            out.push(HistoryChange::DepartmentsAdded { departments: added });
        }
        if !removed.is_empty() {
            out.push(HistoryChange::DepartmentsRemoved {
                departments: removed,
            });
        }
        for (id, title) in after {
            let was = held(before, *id).map(|p| p.1);
            // A title given with a new department is said too; an unchanged one is not.
            let changed = match was {
                Some(old) => &old != title,
                None => title.is_some(),
            };
            if changed {
                out.push(HistoryChange::Title {
                    department: Some(self.department(*id)),
                    title: title.clone(),
                });
            }
        }
    }
}

fn text(v: &Value) -> Option<String> {
    v.as_str().map(str::to_owned)
}

fn ids(v: &Value) -> Option<BTreeSet<i64>> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_i64).collect())
}

fn positions(v: &Value) -> Option<Vec<(i64, Option<String>)>> {
    v.get("positions")?.as_array().map(|a| {
        a.iter()
            .filter_map(|p| Some((p["departmentId"].as_i64()?, text(&p["title"]))))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_old_entries_and_positions_without_a_department() {
        assert_eq!(text(&json!(null)), None);
        assert_eq!(ids(&json!([3, 1, "x"])), Some(BTreeSet::from([1, 3])));
        assert_eq!(
            positions(&json!({"positions": [{"departmentId": 2, "title": null}, {"title": "x"}]})),
            Some(vec![(2, None)])
        );
        assert_eq!(positions(&json!({"departmentId": 2})), None);
    }
}
