-- Chinese names sort and are found by their pinyin. SQL cannot read pinyin, so this
-- migration's hook (crates/core/src/store.rs) rewrites, in the same transaction, the
-- name_key and search_text of every member whose name has Chinese characters
-- (member_row::rebuild_name_keys); other members' keys and texts come out as they were.
SELECT 1;
