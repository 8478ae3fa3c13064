//! The two languages of the pages and mail: English and Simplified Chinese.
//!
//! Strings are looked up by key; `{name}` placeholders are filled in Rust and the result is
//! escaped by the template like any other user text.

use std::sync::OnceLock;

mod member;

/// English or Simplified Chinese; the one language type both sides share.
pub use orgdesk_rules::Lang;

/// What the gateway says in each language.
pub trait Texts: Copy {
    /// The text for `key`; the key itself if it is missing (a test checks none are).
    fn t(self, key: &str) -> &'static str;

    /// Every string, as the templates take it (`{{ t.key }}`), laid out once a language:
    /// laying out the whole table again for every page was most of the work of rendering one.
    fn table(self) -> minijinja::Value;
}

impl Texts for Lang {
    fn t(self, key: &str) -> &'static str {
        tables(self)
            .into_iter()
            .flatten()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| *v)
            .unwrap_or_else(|| {
                tracing::warn!(key, "missing translation");
                ""
            })
    }

    fn table(self) -> minijinja::Value {
        static TABLES: OnceLock<[minijinja::Value; 2]> = OnceLock::new();
        let [en, zh] = TABLES.get_or_init(|| {
            [Lang::En, Lang::Zh].map(|lang| {
                let table: std::collections::BTreeMap<_, _> =
                    tables(lang).into_iter().flatten().copied().collect();
                minijinja::Value::from_serialize(table)
            })
        });
        self.pick(en, zh).clone()
    }
}

/// The general strings, then the member pages' ones (`member.rs`).
fn tables(lang: Lang) -> [&'static [(&'static str, &'static str)]; 2] {
    lang.pick([EN, member::EN], [ZH, member::ZH])
}

/// How many strings there are (a repeated key would make `table` shorter).
#[cfg(test)]
pub fn table_len(lang: Lang) -> usize {
    tables(lang).iter().map(|t| t.len()).sum()
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
    ("accept_link", "I already have an account — sign in"),
    ("accept_title", "Sign in to accept"),
    ("accept_intro", "Accept the invitation to join {organization} with the account you already have on this gateway: sign in with its username and password."),
    ("accept_submit", "Sign in and join"),
    ("accept_username_taken", "Someone in {organization} already has the username {username}. Create a new account with another username instead."),
    ("accept_back", "Back to the invitation"),
    ("accept_done_body", "You have joined {organization} with your account {username}. An administrator of {organization} will finish setting it up."),
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
    ("code_title", "Join an organization"),
    ("code_intro", "Enter the organization code you were given."),
    ("code_label", "Organization code"),
    ("code_hint", "8 letters and digits, for example ABCD2345."),
    ("code_submit", "Continue"),
    ("err_code_wrong", "This code is not valid. Check it and try again."),
    ("code_locked_title", "Too many wrong codes"),
    ("code_locked_body", "For your security, codes from your network cannot be checked until {date}. Please try again after that."),
    ("join_heading", "Join {organization}"),
    ("join_intro_approval", "Fill in your details to ask to join {organization}. An administrator will review your request."),
    ("join_intro_open", "Fill in your details to join {organization}."),
    ("join_name", "Full name"),
    ("join_email", "Email"),
    ("join_mobile", "Mobile number"),
    ("join_mobile_hint", "In international format, for example +8613800138000."),
    ("join_employee_id", "Employee ID"),
    ("join_work_location", "Work location"),
    ("join_submit_approval", "Send request"),
    ("join_submit_open", "Join"),
    ("err_join_name", "Please enter your name (up to 64 characters)."),
    ("err_join_email", "Please enter a valid email address."),
    ("err_join_mobile", "Please enter the mobile number in international format: + and the country code, then the number."),
    ("err_join_employee_id", "Please enter your employee ID (up to 64 characters)."),
    ("err_join_work_location", "Please enter your work location (up to 200 characters)."),
    ("join_requested_title", "Request sent — waiting for the administrator's approval"),
    ("join_requested_body", "Your request to join {organization} as {username} has been sent. You can sign in once an administrator approves it."),
    ("joined_title", "You have joined {organization}"),
    ("joined_body", "Your account {username} is ready."),
    ("join_status_keep", "Keep this link to see what was decided:"),
    ("join_status_pending_title", "Your request is waiting for approval"),
    ("join_status_pending_body", "An administrator of {organization} has not decided on your request yet. Please check again later."),
    ("join_status_approved_title", "Your request was approved"),
    ("join_status_approved_body", "You have joined {organization} as {username}."),
    ("join_status_rejected_title", "Your request was not approved"),
    ("join_status_rejected_body", "An administrator of {organization} declined your request. Contact the organization if you think this is a mistake."),
    ("join_expired_title", "This join link has expired"),
    ("join_expired_body", "The link and code were valid until {date}. Ask the organization for a new link or code."),
    ("join_unknown_title", "This join link is not valid"),
    ("join_unknown_body", "It may have been replaced or switched off. Ask the organization for its current link or code."),
    ("sms_invitation", "{inviter} invites you to join {organization} on Orgdesk: {link} (expires {date})"),
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
    ("too_large_title", "What you sent is too large"),
    ("too_large_body", "The form was larger than the gateway accepts. Go back, shorten what you typed and submit it again."),
    ("slow_title", "What you sent arrived too slowly"),
    ("slow_body", "The connection was too slow to receive the form in time. Go back and submit it again."),
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
    ("accept_link", "我已有账号 — 登录"),
    ("accept_title", "登录以接受邀请"),
    ("accept_intro", "使用您在此网关上已有的账号接受加入 {organization} 的邀请：请输入该账号的用户名和密码。"),
    ("accept_submit", "登录并加入"),
    ("accept_username_taken", "{organization} 中已有人使用用户名 {username}。请改用其他用户名创建新账号。"),
    ("accept_back", "返回邀请"),
    ("accept_done_body", "您已使用账号 {username} 加入 {organization}。{organization} 的管理员将完成后续设置。"),
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
    ("code_title", "加入组织"),
    ("code_intro", "请输入您获得的组织代码。"),
    ("code_label", "组织代码"),
    ("code_hint", "8 位字母和数字，例如 ABCD2345。"),
    ("code_submit", "继续"),
    ("err_code_wrong", "此代码无效，请检查后重试。"),
    ("code_locked_title", "错误次数过多"),
    ("code_locked_body", "为了安全，在 {date} 之前无法校验来自您所在网络的代码。请在此之后再试。"),
    ("join_heading", "加入 {organization}"),
    ("join_intro_approval", "填写您的信息以申请加入 {organization}，管理员将审核您的申请。"),
    ("join_intro_open", "填写您的信息以加入 {organization}。"),
    ("join_name", "姓名"),
    ("join_email", "邮箱"),
    ("join_mobile", "手机号"),
    ("join_mobile_hint", "请使用国际格式，例如 +8613800138000。"),
    ("join_employee_id", "工号"),
    ("join_work_location", "工作地点"),
    ("join_submit_approval", "提交申请"),
    ("join_submit_open", "加入"),
    ("err_join_name", "请输入您的姓名（不超过 64 个字符）。"),
    ("err_join_email", "请输入有效的邮箱地址。"),
    ("err_join_mobile", "请以国际格式输入手机号：+ 和国家代码，然后是号码。"),
    ("err_join_employee_id", "请输入您的工号（不超过 64 个字符）。"),
    ("err_join_work_location", "请输入您的工作地点（不超过 200 个字符）。"),
    ("join_requested_title", "申请已提交，等待管理员审批"),
    ("join_requested_body", "您以 {username} 加入 {organization} 的申请已提交。管理员批准后即可登录。"),
    ("joined_title", "您已加入 {organization}"),
    ("joined_body", "您的账号 {username} 已可使用。"),
    ("join_status_keep", "请保存此链接以查看审批结果："),
    ("join_status_pending_title", "您的申请正在等待审批"),
    ("join_status_pending_body", "{organization} 的管理员尚未处理您的申请，请稍后再来查看。"),
    ("join_status_approved_title", "您的申请已通过"),
    ("join_status_approved_body", "您已以 {username} 加入 {organization}。"),
    ("join_status_rejected_title", "您的申请未通过"),
    ("join_status_rejected_body", "{organization} 的管理员拒绝了您的申请。如有疑问，请与该组织联系。"),
    ("join_expired_title", "此加入链接已过期"),
    ("join_expired_body", "该链接和代码的有效期至 {date}。请向该组织索取新的链接或代码。"),
    ("join_unknown_title", "此加入链接无效"),
    ("join_unknown_body", "它可能已被替换或关闭。请向该组织索取当前的链接或代码。"),
    ("sms_invitation", "{inviter} 邀请您通过 Orgdesk 加入 {organization}：{link}（{date} 前有效）"),
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
    ("too_large_title", "提交的内容过大"),
    ("too_large_body", "表单超出了网关接受的大小。请返回，缩短填写的内容后重新提交。"),
    ("slow_title", "提交的内容到达太慢"),
    ("slow_body", "连接太慢，表单未能及时收到。请返回后重新提交。"),
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
    fn fill_does_not_re_expand_values() {
        assert_eq!(
            fill("{a} and {b}", &[("a", "{b}"), ("b", "x")]),
            "{b} and x"
        );
        assert_eq!(fill("{missing} {", &[]), "{missing} {");
    }
}
