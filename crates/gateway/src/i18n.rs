//! The two languages of the pages and mail: English and Simplified Chinese.
//!
//! Strings are looked up by key; `{name}` placeholders are filled in Rust and the result is
//! escaped by the template like any other user text.

use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    /// The `lang` attribute and `?lang=` value.
    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Zh => "zh-CN",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_lowercase();
        if s == "en" || s.starts_with("en-") {
            Some(Self::En)
        } else if s == "zh" || s.starts_with("zh-") {
            Some(Self::Zh)
        } else {
            None
        }
    }

    /// The best of our languages for an `Accept-Language` header (highest q wins; ties keep
    /// the header's order); English when nothing matches.
    pub fn negotiate(accept_language: Option<&str>) -> Self {
        let Some(header) = accept_language else {
            return Self::En;
        };
        let mut best: Option<(f32, Self)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("");
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if let Some(lang) = Self::parse(tag) {
                if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                    best = Some((q, lang));
                }
            }
        }
        best.map_or(Self::En, |(_, l)| l)
    }

    pub fn other(self) -> Self {
        match self {
            Self::En => Self::Zh,
            Self::Zh => Self::En,
        }
    }

    /// The language's own name, for the switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Self::En => "English",
            Self::Zh => "简体中文",
        }
    }

    /// The text for `key`; the key itself if it is missing (a test checks none are).
    pub fn t(self, key: &str) -> &'static str {
        self.tables()
            .into_iter()
            .flatten()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| *v)
            .unwrap_or_else(|| {
                tracing::warn!(key, "missing translation");
                ""
            })
    }

    /// Every string, for templates (`{{ t.key }}`).
    pub fn table(self) -> BTreeMap<&'static str, &'static str> {
        self.tables().into_iter().flatten().copied().collect()
    }

    /// The general strings, then the member pages' ones (crate::i18n_member).
    fn tables(self) -> [&'static [(&'static str, &'static str)]; 2] {
        match self {
            Self::En => [EN, crate::i18n_member::EN],
            Self::Zh => [ZH, crate::i18n_member::ZH],
        }
    }

    /// How many strings there are (a repeated key would make `table` shorter).
    #[cfg(test)]
    pub fn table_len(self) -> usize {
        self.tables().iter().map(|t| t.len()).sum()
    }
}

/// Fills `{name}` placeholders in one pass, so a value containing `{…}` is never re-expanded.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                let name = &after[..end];
                match values.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => out.push_str(&rest[start..start + end + 2]),
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

const EN: &[(&str, &str)] = &[
    ("invite_heading", "{inviter} invites you to join {organization}"),
    ("invite_greeting", "Hello {name},"),
    ("invite_body", "You have been invited to join {organization} on Orgdesk."),
    ("department", "Department"),
    ("position", "Position"),
    ("expires", "This invitation expires on {date}."),
    ("join_now", "Join now"),
    ("decline", "Decline"),
    ("register_title", "Create your account"),
    ("register_intro", "Choose a username and password to join {organization}."),
    ("username", "Username"),
    ("username_hint", "3–32 characters: letters, digits, dot, underscore or hyphen."),
    ("password", "Password"),
    ("password_hint", "8–64 characters with at least three of: lowercase letters, uppercase letters, digits, symbols."),
    ("password_confirm", "Repeat the password"),
    ("create_account", "Create account"),
    ("fix_problems", "Please correct the following:"),
    ("err_username_format", "The username must be 3–32 characters: letters, digits, dot, underscore or hyphen."),
    ("err_username_taken", "This username is already taken. Please choose another."),
    ("err_password_length", "The password must be 8–64 characters long."),
    ("err_password_classes", "The password must mix at least three of: lowercase letters, uppercase letters, digits, symbols."),
    ("err_password_contains_username", "The password must not contain the username."),
    ("err_password_mismatch", "The two passwords do not match."),
    ("decline_title", "Decline the invitation?"),
    ("decline_intro", "{inviter} will be told that you declined to join {organization}."),
    ("decline_confirm", "Yes, decline"),
    ("back", "Back"),
    ("registered_title", "Welcome to {organization}"),
    ("registered_body", "Your account {username} has been created. An administrator of {organization} will finish setting it up."),
    ("declined_title", "Invitation declined"),
    ("declined_body", "You declined to join {organization}. You can close this page."),
    ("expired_title", "This invitation has expired"),
    ("expired_body", "The link was valid until {date}. Ask {inviter} to send you a new invitation."),
    ("used_title", "This invitation has already been used"),
    ("used_registered_body", "An account was already created with this link. If it was you, sign in with your username; if not, tell {inviter} at once."),
    ("used_declined_body", "This invitation was declined. If you changed your mind, ask {inviter} to invite you again."),
    ("cancelled_title", "This invitation was cancelled"),
    ("cancelled_body", "{inviter} withdrew the invitation to join {organization}. Contact them if you think this is a mistake."),
    ("replaced_title", "This link has been replaced"),
    ("replaced_body", "A newer invitation was sent to you. Please use the link in the most recent message."),
    ("unknown_title", "This link is not valid"),
    ("unknown_body", "Check that you opened the whole link from the message, or ask the person who invited you to send a new invitation."),
    ("csrf_title", "This form has expired"),
    ("csrf_body", "Go back, reload the page and submit the form again."),
    ("rate_title", "Too many attempts"),
    ("rate_body", "Please wait a minute and try again."),
    ("error_title", "Something went wrong"),
    ("error_body", "The page could not be shown. Please try again in a few minutes."),
    ("not_found_title", "Page not found"),
    ("mail_subject", "{inviter} invites you to join {organization}"),
    ("mail_link_intro", "Open this link to accept or decline:"),
    ("mail_ignore", "If you did not expect this invitation, you can ignore this message."),
    ("language", "Language"),
];

const ZH: &[(&str, &str)] = &[
    ("invite_heading", "{inviter} 邀请您加入 {organization}"),
    ("invite_greeting", "{name}，您好："),
    ("invite_body", "您受邀通过 Orgdesk 加入 {organization}。"),
    ("department", "部门"),
    ("position", "职位"),
    ("expires", "此邀请将于 {date} 失效。"),
    ("join_now", "立即加入"),
    ("decline", "拒绝"),
    ("register_title", "创建您的账号"),
    ("register_intro", "设置用户名和密码以加入 {organization}。"),
    ("username", "用户名"),
    ("username_hint", "3–32 个字符：字母、数字、点、下划线或连字符。"),
    ("password", "密码"),
    ("password_hint", "8–64 个字符，至少包含小写字母、大写字母、数字、符号中的三类。"),
    ("password_confirm", "再次输入密码"),
    ("create_account", "创建账号"),
    ("fix_problems", "请修正以下问题："),
    ("err_username_format", "用户名须为 3–32 个字符：字母、数字、点、下划线或连字符。"),
    ("err_username_taken", "该用户名已被使用，请另选一个。"),
    ("err_password_length", "密码长度须为 8–64 个字符。"),
    ("err_password_classes", "密码须至少包含小写字母、大写字母、数字、符号中的三类。"),
    ("err_password_contains_username", "密码不能包含用户名。"),
    ("err_password_mismatch", "两次输入的密码不一致。"),
    ("decline_title", "确定拒绝邀请？"),
    ("decline_intro", "{inviter} 将收到您拒绝加入 {organization} 的通知。"),
    ("decline_confirm", "确定拒绝"),
    ("back", "返回"),
    ("registered_title", "欢迎加入 {organization}"),
    ("registered_body", "您的账号 {username} 已创建。{organization} 的管理员将完成后续设置。"),
    ("declined_title", "已拒绝邀请"),
    ("declined_body", "您已拒绝加入 {organization}。现在可以关闭此页面。"),
    ("expired_title", "此邀请已过期"),
    ("expired_body", "该链接的有效期至 {date}。请联系 {inviter} 重新发送邀请。"),
    ("used_title", "此邀请已被使用"),
    ("used_registered_body", "已有账号通过此链接创建。如果是您本人，请用您的用户名登录；如果不是，请立即告知 {inviter}。"),
    ("used_declined_body", "此邀请已被拒绝。如果您改变了主意，请联系 {inviter} 重新邀请。"),
    ("cancelled_title", "此邀请已被取消"),
    ("cancelled_body", "{inviter} 已撤回加入 {organization} 的邀请。如有疑问，请与其联系。"),
    ("replaced_title", "此链接已被替换"),
    ("replaced_body", "您已收到一封更新的邀请，请使用最新消息中的链接。"),
    ("unknown_title", "此链接无效"),
    ("unknown_body", "请确认您打开的是消息中的完整链接，或请邀请人重新发送邀请。"),
    ("csrf_title", "表单已失效"),
    ("csrf_body", "请返回并刷新页面后重新提交。"),
    ("rate_title", "尝试次数过多"),
    ("rate_body", "请稍等一分钟后再试。"),
    ("error_title", "出现了问题"),
    ("error_body", "页面暂时无法显示，请几分钟后再试。"),
    ("not_found_title", "页面不存在"),
    ("mail_subject", "{inviter} 邀请您加入 {organization}"),
    ("mail_link_intro", "打开以下链接接受或拒绝邀请："),
    ("mail_ignore", "如果您没有预期收到此邀请，请忽略本邮件。"),
    ("language", "语言"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_every_key() {
        let en: Vec<_> = EN.iter().map(|(k, _)| *k).collect();
        let zh: Vec<_> = ZH.iter().map(|(k, _)| *k).collect();
        assert_eq!(en, zh);
    }

    #[test]
    fn negotiation_prefers_the_highest_quality() {
        assert_eq!(Lang::negotiate(None), Lang::En);
        assert_eq!(Lang::negotiate(Some("zh-CN,zh;q=0.9,en;q=0.8")), Lang::Zh);
        assert_eq!(Lang::negotiate(Some("fr, en;q=0.5, zh;q=0.7")), Lang::Zh);
        assert_eq!(Lang::negotiate(Some("de")), Lang::En);
    }

    #[test]
    fn fill_does_not_re_expand_values() {
        assert_eq!(
            fill("{a} and {b}", &[("a", "{b}"), ("b", "x")]),
            "{b} and x"
        );
        assert_eq!(fill("{missing} {", &[]), "{missing} {");
    }
}
