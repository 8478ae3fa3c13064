//! A generator of realistic directories (departments up to six levels, members with Latin,
//! accented and Chinese names), for benchmarks and demos. Deterministic for a given seed.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rusqlite::{params, OptionalExtension};

use crate::error::CoreResult;
use crate::store::Directory;
use crate::types::{fold_key, DepartmentId};

const GIVEN: &[&str] = &[
    "Ann", "Bob", "Chloé", "David", "Émile", "Fatima", "George", "Hana", "Ivan", "José", "Kai",
    "Lena", "Mateo", "Nora", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tomás", "Uma", "Viktor",
    "Wei", "Xavier", "Yuki", "Zoë", "Åsa", "Noël", "Björn", "Siân",
];
const FAMILY: &[&str] = &[
    "Smith",
    "García",
    "Müller",
    "Rossi",
    "Dubois",
    "Kowalski",
    "Nakamura",
    "Kim",
    "Nguyen",
    "Silva",
    "Johansson",
    "O'Brien",
    "Novák",
    "Yilmaz",
    "Ivanova",
    "Patel",
    "Cohen",
    "Haddad",
    "Løvland",
    "Peña",
];
const ZH_FAMILY: &[&str] = &["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周"];
const ZH_GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超",
    "秀英", "小明", "建华",
];
const DEPT_WORDS: &[&str] = &[
    "Sales",
    "Engineering",
    "Finance",
    "Operations",
    "Marketing",
    "Support",
    "Legal",
    "Research",
    "Platform",
    "Design",
    "Data",
    "Security",
    "Logistics",
    "Procurement",
    "People",
    "Quality",
    "销售部",
    "研发部",
    "财务部",
    "市场部",
];
const TITLES: &[&str] = &[
    "Engineer",
    "Manager",
    "Analyst",
    "Designer",
    "Director",
    "Specialist",
    "Associate",
    "工程师",
    "经理",
];
const PLACES: &[&str] = &[
    "Berlin",
    "Shanghai",
    "New York",
    "São Paulo",
    "London",
    "Tokyo",
    "北京",
    "Paris",
];

/// Adds `departments` departments (up to six levels below the root) and `members` members
/// to an initialized directory, in one transaction.
pub fn seed(d: &mut Directory, departments: usize, members: usize, seed: u64) -> CoreResult<()> {
    let mut rng = StdRng::seed_from_u64(seed);
    let root = d.root_department()?;
    let now = d.now_ms();
    let tx = d.conn.transaction()?;
    // (id, depth)
    let mut depts: Vec<(DepartmentId, usize)> = vec![(root, 0)];
    {
        let mut ins = tx.prepare(
            "INSERT INTO departments (parent_id, name, name_key, sort_order, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for i in 0..departments {
            // Prefer shallow parents so the tree is bushy, never deeper than six levels.
            let (parent, depth) = loop {
                let cand = depts[rng.random_range(0..depts.len().min(1 + i / 3 + 1))];
                if cand.1 < 6 {
                    break cand;
                }
            };
            let name = format!(
                "{} {}",
                DEPT_WORDS[rng.random_range(0..DEPT_WORDS.len())],
                i + 1
            );
            ins.execute(params![parent, name, fold_key(&name), i as i64, now])?;
            depts.push((DepartmentId(tx.last_insert_rowid()), depth + 1));
        }
    }
    {
        let mut ins = tx.prepare(
            "INSERT INTO members (name, name_key, username, username_key, email, email_key, mobile, employee_id,
                                  employee_id_key, work_location, status, created_at, activated_at, updated_at, search_text)
             VALUES (?1, ?2, ?3, ?3, ?4, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?10, ?11)",
        )?;
        let mut pos = tx.prepare(
            "INSERT INTO positions (member_id, department_id, title, is_primary, sort_order) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        // Everyone has the built-in Member role (if the directory has one), looked up once.
        let member_role: Option<i64> = tx
            .query_row("SELECT id FROM roles WHERE builtin = 'member'", [], |r| {
                r.get(0)
            })
            .optional()?;
        let mut role =
            tx.prepare("INSERT INTO member_roles (member_id, role_id) VALUES (?1, ?2)")?;
        for i in 0..members {
            let chinese = rng.random_range(0..4) == 0;
            let name = if chinese {
                format!(
                    "{}{}",
                    ZH_FAMILY[rng.random_range(0..ZH_FAMILY.len())],
                    ZH_GIVEN[rng.random_range(0..ZH_GIVEN.len())]
                )
            } else {
                format!(
                    "{} {}",
                    GIVEN[rng.random_range(0..GIVEN.len())],
                    FAMILY[rng.random_range(0..FAMILY.len())]
                )
            };
            let username = format!("user{i:06}");
            let email = format!("{username}@example.com");
            let mobile = format!("+1415{:07}", 1_000_000 + i);
            let employee_id = format!("E{:06}", i + 1);
            let status = match rng.random_range(0..100) {
                0..=84 => "enabled",
                85..=92 => "not_joined",
                93..=96 => "disabled",
                _ => "resigned",
            };
            let (name_key, search) = crate::member_row::Fields {
                name: &name,
                username: Some(&username),
                email: Some(&email),
                mobile: Some(&mobile),
                employee_id: Some(&employee_id),
                org_email: None,
                work_location: None,
            }
            .name_key_and_search_text();
            ins.execute(params![
                name,
                name_key,
                username,
                email,
                mobile,
                employee_id,
                employee_id.to_lowercase(),
                PLACES[rng.random_range(0..PLACES.len())],
                status,
                now,
                search
            ])?;
            let id = tx.last_insert_rowid();
            let first = depts[rng.random_range(1..depts.len().max(2).min(depts.len()))].0;
            pos.execute(params![
                id,
                first,
                TITLES[rng.random_range(0..TITLES.len())],
                true,
                0
            ])?;
            if rng.random_range(0..10) == 0 {
                let second = depts[rng.random_range(0..depts.len())].0;
                if second != first {
                    pos.execute(params![id, second, Option::<String>::None, false, 1])?;
                }
            }
            if let Some(role_id) = member_role {
                role.execute([id, role_id])?;
            }
        }
    }
    tx.commit()?;
    d.drop_index();
    Ok(())
}
