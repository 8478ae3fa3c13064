//! An in-memory index of the member list, so that search, filters, counts and paging stay
//! within a few milliseconds at 100,000 members.
//!
//! SQLite stays the record; this is a cache the [`Directory`](crate::Directory) owns and
//! keeps current: single-member changes patch it, bulk changes drop it and the next read
//! rebuilds it (about 0.1 s at 100k members). The searchable text of every member, folded
//! for case and accents, is laid out in one buffer in list order, so a query is one SIMD
//! substring scan over a few megabytes, and the matches come out already sorted by name.

use std::collections::HashMap;

use memchr::memmem;
use rusqlite::Connection;

use crate::error::CoreResult;
use crate::rows::row_into;
use crate::types::{fold_search, DepartmentId, MemberId, MemberStatus};

struct Entry {
    id: MemberId,
    status: MemberStatus,
    name_key: String,
    search: String,
}

#[derive(Default)]
pub(crate) struct MemberIndex {
    /// Sorted by (name_key, id): the list order.
    entries: Vec<Entry>,
    /// The folded search text of every entry, each followed by a 0 byte.
    buf: Vec<u8>,
    /// `starts[i]` is where entry i begins in `buf`; one extra at the end.
    starts: Vec<u32>,
    /// False after a patch: `buf`, `starts` and `max_id` are rebuilt before the next search.
    laid_out: bool,
    /// The highest member id among the entries (0 when there are none).
    max_id: i64,
    /// Departments of each member, primary first.
    positions: HashMap<MemberId, Vec<DepartmentId>>,
    /// Members of each department (any position).
    by_department: HashMap<DepartmentId, Vec<MemberId>>,
}

/// The statuses the default list ("all") shows and the tree counts.
pub(crate) fn is_active(s: MemberStatus) -> bool {
    matches!(
        s,
        MemberStatus::Enabled | MemberStatus::Disabled | MemberStatus::NotJoined
    )
}

fn load_entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<Entry> {
    Ok(row_into!(r => Entry { id, status, name_key, search }))
}

impl MemberIndex {
    pub(crate) fn build(conn: &Connection) -> CoreResult<Self> {
        let mut idx = MemberIndex::default();
        let mut stmt = conn.prepare(
            "SELECT id, status, name_key, search_text FROM members ORDER BY name_key, id",
        )?;
        idx.entries = stmt.query_map([], load_entry)?.collect::<Result<_, _>>()?;
        let mut stmt = conn.prepare("SELECT member_id, department_id FROM positions ORDER BY member_id, is_primary DESC, sort_order")?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, MemberId>(0)?, r.get::<_, DepartmentId>(1)?))
        })?;
        for row in rows {
            let (m, d) = row?;
            idx.positions.entry(m).or_default().push(d);
            idx.by_department.entry(d).or_default().push(m);
        }
        idx.lay_out();
        Ok(idx)
    }

    fn lay_out(&mut self) {
        let total: usize = self.entries.iter().map(|e| e.search.len() + 1).sum();
        self.buf = Vec::with_capacity(total);
        self.starts = Vec::with_capacity(self.entries.len() + 1);
        for e in &self.entries {
            self.starts.push(self.buf.len() as u32);
            self.buf.extend_from_slice(e.search.as_bytes());
            self.buf.push(0);
        }
        self.starts.push(self.buf.len() as u32);
        self.max_id = self.entries.iter().map(|e| e.id.0).max().unwrap_or(0);
        self.laid_out = true;
    }

    /// Re-reads one member from the store (or forgets them when they are gone).
    pub(crate) fn refresh(&mut self, conn: &Connection, id: MemberId) -> CoreResult<()> {
        if let Some(i) = self.entries.iter().position(|e| e.id == id) {
            self.entries.remove(i);
        }
        if let Some(old) = self.positions.remove(&id) {
            for d in old {
                if let Some(v) = self.by_department.get_mut(&d) {
                    v.retain(|m| *m != id);
                }
            }
        }
        let entry = conn
            .query_row(
                "SELECT id, status, name_key, search_text FROM members WHERE id = ?1",
                [id],
                load_entry,
            )
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })?;
        if let Some(e) = entry {
            let at = self
                .entries
                .partition_point(|x| (x.name_key.as_str(), x.id) < (e.name_key.as_str(), e.id));
            self.entries.insert(at, e);
            let mut stmt = conn.prepare_cached(
                "SELECT department_id FROM positions WHERE member_id = ?1 ORDER BY is_primary DESC, sort_order",
            )?;
            let depts = stmt
                .query_map([id], |r| r.get::<_, DepartmentId>(0))?
                .collect::<Result<Vec<_>, _>>()?;
            for d in &depts {
                self.by_department.entry(*d).or_default().push(id);
            }
            self.positions.insert(id, depts);
        }
        self.laid_out = false;
        Ok(())
    }

    /// Members matching the filters, in list order: how many in all, and the ids of the
    /// `limit` from `offset` (all of them when `limit` is None).
    pub(crate) fn query(
        &mut self,
        status: &dyn Fn(MemberStatus) -> bool,
        departments: Option<&[DepartmentId]>,
        search: Option<&str>,
        offset: usize,
        limit: Option<usize>,
    ) -> (usize, Vec<MemberId>) {
        if !self.laid_out {
            self.lay_out();
        }
        let allowed: Option<Vec<u64>> = departments.map(|depts| {
            let max = self.max_id.max(0) as usize;
            let mut bits = vec![0u64; max / 64 + 1];
            for d in depts {
                for m in self.by_department.get(d).map(Vec::as_slice).unwrap_or(&[]) {
                    let i = m.0 as usize;
                    if i / 64 < bits.len() {
                        bits[i / 64] |= 1 << (i % 64);
                    }
                }
            }
            bits
        });
        let end = limit.map(|l| offset.saturating_add(l));
        let mut total = 0usize;
        let mut page = Vec::new();
        let mut take = |e: &Entry| {
            if let Some(bits) = &allowed {
                let i = e.id.0 as usize;
                if bits.get(i / 64).is_none_or(|w| w & (1 << (i % 64)) == 0) {
                    return;
                }
            }
            if !status(e.status) {
                return;
            }
            if total >= offset && end.is_none_or(|end| total < end) {
                page.push(e.id);
            }
            total += 1;
        };
        let needle: Option<String> = search
            .map(|s| {
                fold_search(s.trim())
                    .chars()
                    .filter(|c| !c.is_control())
                    .collect::<String>()
            })
            .filter(|s| !s.is_empty());
        match needle {
            None => self.entries.iter().for_each(&mut take),
            Some(needle) => {
                // One hit per member is enough: after a hit, go on from the next member.
                let finder = memmem::Finder::new(needle.as_bytes());
                let mut cursor = 0usize;
                let mut pos = 0usize;
                while let Some(off) = finder.find(&self.buf[pos..]) {
                    let at = pos + off;
                    while self.starts[cursor + 1] as usize <= at {
                        cursor += 1;
                    }
                    take(&self.entries[cursor]);
                    pos = self.starts[cursor + 1] as usize;
                }
            }
        }
        (total, page)
    }

    /// Direct and distinct-in-subtree member counts per department, given each
    /// department's parent. Only members in the list ("active") count.
    pub(crate) fn counts(
        &self,
        parent: &HashMap<DepartmentId, Option<DepartmentId>>,
        order_leaves_first: &[DepartmentId],
    ) -> (HashMap<DepartmentId, u32>, HashMap<DepartmentId, u32>) {
        let active: HashMap<MemberId, bool> = self
            .entries
            .iter()
            .map(|e| (e.id, is_active(e.status)))
            .collect();
        let is_on = |m: &MemberId| active.get(m).copied().unwrap_or(false);
        let mut direct: HashMap<DepartmentId, u32> =
            HashMap::with_capacity(self.by_department.len());
        for (d, ms) in &self.by_department {
            direct.insert(*d, ms.iter().filter(|m| is_on(m)).count() as u32);
        }
        // Sum bottom-up, then subtract the double counts of members holding several
        // positions in one subtree.
        let mut total: HashMap<DepartmentId, i64> = HashMap::with_capacity(parent.len());
        for d in order_leaves_first {
            let own = i64::from(direct.get(d).copied().unwrap_or(0));
            let sum = *total.entry(*d).or_insert(0) + own;
            total.insert(*d, sum);
            if let Some(Some(p)) = parent.get(d) {
                *total.entry(*p).or_insert(0) += sum;
            }
        }
        let mut seen: HashMap<DepartmentId, u32> = HashMap::new();
        for (m, depts) in &self.positions {
            if depts.len() < 2 || !is_on(m) {
                continue;
            }
            seen.clear();
            for d in depts {
                let mut cur = Some(*d);
                while let Some(x) = cur {
                    *seen.entry(x).or_insert(0) += 1;
                    cur = parent.get(&x).copied().flatten();
                }
            }
            for (d, n) in &seen {
                if *n > 1 {
                    *total.entry(*d).or_insert(0) -= i64::from(*n - 1);
                }
            }
        }
        let total = total
            .into_iter()
            .map(|(d, n)| (d, n.max(0) as u32))
            .collect();
        (direct, total)
    }
}
