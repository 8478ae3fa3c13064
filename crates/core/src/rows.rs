//! Reading query results: every row a query answers, and a row read into a tuple or a struct.

use rusqlite::{Connection, Params, Row};

/// Every row `sql` answers for `params`, each read by `read`, in the order SQLite gives them.
/// The statement is kept in the connection's cache for the next call.
pub(crate) fn all<T>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
    read: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params, read)?;
    rows.collect()
}

/// Whether `sql` answers any row for `params`.
pub(crate) fn exists(conn: &Connection, sql: &str, params: impl Params) -> rusqlite::Result<bool> {
    conn.prepare_cached(sql)?.exists(params)
}

/// The first column of the one row `sql` answers for `params`, if it answers one.
pub(crate) fn first<T: rusqlite::types::FromSql>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
) -> rusqlite::Result<Option<T>> {
    use rusqlite::OptionalExtension;
    conn.prepare_cached(sql)?
        .query_row(params, |r| r.get(0))
        .optional()
}

/// Runs the INSERT `sql` with `params` and answers the new row's id.
pub(crate) fn insert(conn: &Connection, sql: &str, params: impl Params) -> rusqlite::Result<i64> {
    conn.execute(sql, params)?;
    Ok(conn.last_insert_rowid())
}

/// The row's first columns, in the order the query selects them, as a tuple:
/// `let (id, name): (i64, String) = columns(r)?;`.
pub(crate) fn columns<'a, T>(r: &'a Row<'a>) -> rusqlite::Result<T>
where
    T: TryFrom<&'a Row<'a>, Error = rusqlite::Error>,
{
    T::try_from(r)
}

/// Builds a struct from a query's row. The fields listed first take the row's columns, one
/// each, in the order the query selects them; the fields after a `;` are set as written.
///
/// `row_into!(r => Role { id, name, description, builtin, members })` reads `id` from the
/// first column, `name` from the second, and so on.
macro_rules! row_into {
    ($row:expr => $ty:ident {
        $($field:ident),+ $(,)?
        $(; $($name:ident: $value:expr),+ $(,)?)?
    }) => {{
        let row: &rusqlite::Row<'_> = $row;
        let mut column = 0;
        $ty {
            $($field: {
                column += 1;
                row.get(column - 1)?
            },)+
            $($($name: $value,)+)?
        }
    }};
}
pub(crate) use row_into;
