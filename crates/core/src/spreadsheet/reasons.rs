//! Row problems of an import in the admin's language. The field rules of `types` and
//! `password` explain themselves in English (the rest of the app shows those sentences as
//! they are); an import in Chinese says the same thing by each problem's stable `code`.

use super::columns::Lang;
use crate::error::ErrorDetail;
use crate::password;
use crate::types::MemberStatus;

/// `detail`'s reason in `lang`. `label_zh` names the field in Chinese (a member's name and a
/// department's name share the `name` rule); `input` is the text the rule was given. A code
/// without a Chinese sentence keeps its English reason (never an empty one).
pub(super) fn field_reason(lang: Lang, detail: ErrorDetail, label_zh: &str, input: &str) -> String {
    if lang == Lang::En {
        return detail.reason;
    }
    let s = input.trim();
    let zh = match (detail.field.as_deref().unwrap_or(""), detail.code.as_str()) {
        (_, "required") => format!("{label_zh}为必填项。"),
        // DisplayName: members' and departments' names.
        ("name", "too_long") => format!(
            "{label_zh}最多 64 个字符（当前为 {} 个）。",
            s.chars().count()
        ),
        ("name", "invalid_chars") => format!("{label_zh}不能包含控制字符。"),
        ("username", "too_short") => "用户名至少需要 3 个字符。".to_owned(),
        ("username", "too_long") => "用户名最多 32 个字符。".to_owned(),
        ("username", "invalid_chars") => "用户名只能包含字母、数字和“.”“_”“-”。".to_owned(),
        ("email", "invalid_email") => format!("“{s}”不是有效的邮箱地址。"),
        ("mobile", "invalid_mobile") if s.starts_with('+') => {
            format!("“{s}”不是有效的手机号。")
        }
        ("mobile", "invalid_mobile") => {
            format!("“{s}”不是有效的手机号（不带“+”的号码按设置中的默认地区解析）。")
        }
        ("employeeId", "invalid") => "工号最多 64 个字符，且只能包含可打印字符。".to_owned(),
        ("password", "too_short") => format!("密码至少需要 {} 个字符。", password::MIN_LEN),
        ("password", "too_long") => format!("密码最多 {} 个字符。", password::MAX_LEN),
        ("password", "weak") => "密码需包含小写字母、大写字母、数字、符号中的至少三类。".to_owned(),
        ("password", "contains_username") => "密码不能包含用户名。".to_owned(),
        _ => return detail.reason,
    };
    zh
}

/// A member status as the window names it in Chinese.
pub(super) fn status_zh(s: MemberStatus) -> &'static str {
    match s {
        MemberStatus::NotJoined => "未加入",
        MemberStatus::PendingApproval => "待审批",
        MemberStatus::Rejected => "已拒绝",
        MemberStatus::Enabled => "已启用",
        MemberStatus::Disabled => "已停用",
        MemberStatus::Resigned => "已离职",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{parse_employee_id, DisplayName, Email, Mobile, Username};

    fn has_cjk(s: &str) -> bool {
        s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    /// Every code the field rules can return has a Chinese sentence: none falls back.
    #[test]
    fn every_field_rule_code_is_said_in_chinese() {
        let long = "x".repeat(65);
        let mut cases: Vec<(ErrorDetail, &str)> = Vec::new();
        for raw in ["", long.as_str(), "a\u{7}b"] {
            cases.push((DisplayName::parse("name", "Name", raw).unwrap_err(), raw));
        }
        let long_user = "a".repeat(33);
        for raw in ["", "ab", long_user.as_str(), "ann lee"] {
            cases.push((Username::parse(raw).unwrap_err(), raw));
        }
        cases.push((Email::parse("email", "ann@").unwrap_err(), "ann@"));
        for raw in ["12345", "+1 555", "abc"] {
            cases.push((Mobile::parse("mobile", raw, "US").unwrap_err(), raw));
        }
        cases.push((parse_employee_id(&long).unwrap_err(), &long));
        let pw_long = "Aa1!".repeat(17);
        for (pw, user) in [
            ("", None),
            ("Ab1!", None),
            (pw_long.as_str(), None),
            ("alllowercase", None),
            ("Annabel-2024", Some("annabel")),
        ] {
            for d in password::check_policy(pw, user) {
                cases.push((d, pw));
            }
        }
        let codes: std::collections::BTreeSet<(String, String)> = cases
            .iter()
            .map(|(d, _)| (d.field.clone().unwrap_or_default(), d.code.clone()))
            .collect();
        assert_eq!(codes.len(), 15, "{codes:?}");
        for (d, input) in cases {
            let en = d.reason.clone();
            assert_eq!(field_reason(Lang::En, d.clone(), "姓名", input), en);
            let zh = field_reason(Lang::Zh, d.clone(), "姓名", input);
            assert!(has_cjk(&zh) && zh != en, "{:?}/{}: {zh}", d.field, d.code);
        }
    }

    #[test]
    fn an_unknown_code_keeps_its_english_reason() {
        let d = ErrorDetail::field("name", "something_new", "Something new.");
        assert_eq!(field_reason(Lang::Zh, d, "姓名", "x"), "Something new.");
    }
}
