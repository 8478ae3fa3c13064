//! The columns of the member spreadsheet, in English and Chinese, and header matching.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The language of headers and explanations (follows the UI); the one both sides share.
pub use orgdesk_rules::Lang;

/// A column an import reads. The template has exactly these, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename = "ImportField")]
pub enum Column {
    Name,
    Username,
    Password,
    Email,
    Mobile,
    Department,
    Position,
    Role,
    EmployeeId,
    WorkLocation,
}

impl Column {
    pub const ALL: [Column; 10] = [
        Column::Name,
        Column::Username,
        Column::Password,
        Column::Email,
        Column::Mobile,
        Column::Department,
        Column::Position,
        Column::Role,
        Column::EmployeeId,
        Column::WorkLocation,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn required(self) -> bool {
        matches!(self, Column::Name | Column::Department)
    }

    /// The column's words in English and Chinese: its label, and its help in the template.
    fn words(self) -> Words {
        match self {
            Column::Name => Words { label: ("Name", "姓名"), help: ("Required. The member's display name, at most 64 characters.", "必填。成员的显示名称，最多 64 个字符。") },
            Column::Username => Words { label: ("Username", "用户名"), help: ("Letters, digits, '.', '_' and '-', 3–32 characters. With a Password the member is Enabled at once.", "字母、数字、“.”、“_”、“-”，3–32 个字符。同时填写密码时，成员立即启用。") },
            Column::Password => Words { label: ("Password", "密码"), help: ("Only with a Username. At least 8 characters mixing three of: lowercase, uppercase, digits, symbols. Rows without a password become Not Joined (to be invited).", "仅与用户名一起填写。至少 8 个字符，包含小写、大写、数字、符号中的三类。不填密码的行为“未加入”（待邀请）。") },
            Column::Email => Words { label: ("Email", "邮箱"), help: ("Personal email; a row without a password needs an Email or a Mobile.", "个人邮箱；不填密码的行需要邮箱或手机号。") },
            Column::Mobile => Words { label: ("Mobile", "手机号"), help: ("Mobile number, best with \"+\" and country code; without \"+\" it is read in the default region from Settings. Keep this column formatted as text.", "手机号，最好带“+”和国家码；不带“+”时按设置中的默认地区解析。请保持此列为文本格式。") },
            Column::Department => Words { label: ("Department", "部门"), help: ("Required. Department path below the organization, e.g. Sales/EMEA; several separated by \";\" (the first is the primary department); \"/\" is the organization itself.", "必填。组织下的部门路径，如 Sales/EMEA；多个用“;”分隔（第一个为主部门）；“/”表示组织本身。") },
            Column::Position => Words { label: ("Position", "职位"), help: ("Position title in each department, separated by \";\" in the same order as Department.", "在各部门的职位，用“;”分隔，顺序与部门一致。") },
            Column::Role => Words { label: ("Role", "角色"), help: ("Role names separated by \";\"; empty means Member for new members and no change for existing ones.", "角色名称，用“;”分隔；为空时新成员为“成员”，已有成员不变。") },
            Column::EmployeeId => Words { label: ("Employee ID", "工号"), help: ("Unique employee ID; rows are matched to existing members by Employee ID, else Username, else Email. Keep this column formatted as text.", "唯一工号；按工号、其次用户名、再次邮箱匹配已有成员。请保持此列为文本格式。") },
            Column::WorkLocation => Words { label: ("Work Location", "工作地点"), help: ("Where the member works, at most 64 characters.", "工作地点，最多 64 个字符。") },
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        let (en, zh) = self.words().label;
        lang.pick(en, zh)
    }

    /// The header as the template writes it: required columns carry a `*`.
    pub fn header(self, lang: Lang) -> String {
        format!(
            "{}{}",
            self.label(lang),
            if self.required() { "*" } else { "" }
        )
    }

    pub fn help(self, lang: Lang) -> &'static str {
        let (en, zh) = self.words().help;
        lang.pick(en, zh)
    }
}

/// A column's label and help, each as (English, Chinese).
struct Words {
    label: (&'static str, &'static str),
    help: (&'static str, &'static str),
}

/// Columns an export adds after the template's; an import ignores them.
pub(crate) const EXPORT_EXTRA: [(&str, &str); 5] = [
    ("Status", "状态"),
    ("Roles", "全部角色"),
    ("All positions", "全部职位"),
    ("Activated", "激活时间"),
    ("Last login", "最后登录"),
];

/// Columns a results file adds; an import ignores them, so the file re-imports as is.
pub(crate) const RESULT_EXTRA: [(&str, &str); 2] = [("Result", "结果"), ("Reason", "原因")];

/// Case-insensitive, trimmed, `*` ignored, inner whitespace collapsed.
pub(crate) fn normalize_header(h: &str) -> String {
    h.replace(['*', '＊'], "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The import column a header names, in English or Chinese.
pub(crate) fn match_header(h: &str) -> Option<Column> {
    let n = normalize_header(h);
    Column::ALL.into_iter().find(|c| {
        normalize_header(c.label(Lang::En)) == n || normalize_header(c.label(Lang::Zh)) == n
    })
}

/// True for the columns our own export and results files add.
pub(crate) fn is_known_extra(h: &str) -> bool {
    let n = normalize_header(h);
    EXPORT_EXTRA
        .iter()
        .chain(RESULT_EXTRA.iter())
        .any(|(en, zh)| normalize_header(en) == n || normalize_header(zh) == n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_loosely() {
        assert_eq!(match_header(" name* "), Some(Column::Name));
        assert_eq!(match_header("EMPLOYEE   id"), Some(Column::EmployeeId));
        assert_eq!(match_header("部门*"), Some(Column::Department));
        assert_eq!(match_header("工号"), Some(Column::EmployeeId));
        assert_eq!(match_header("Nickname"), None);
        assert!(is_known_extra("Result"));
        assert!(is_known_extra("all positions"));
        assert!(is_known_extra("结果"));
        assert!(is_known_extra(" 原因 "));
    }
}
