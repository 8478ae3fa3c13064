//! The TypeScript types in ui/src/bindings/ are generated from these Rust types. This test
//! fails when they are stale; `UPDATE_BINDINGS=1 cargo test -p orgdesk-core --test core bindings`
//! (or `make bindings`) rewrites them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use orgdesk_core::auth::{Session, SignInInput};
use orgdesk_core::batch::{BatchChange, BatchOutcome, Selection};
use orgdesk_core::departments::{DepartmentDetails, DepartmentNode};
use orgdesk_core::invitations::{
    GatewayStatus, InvitationCounts, InvitationQuery, InvitationRow, InvitationState,
    InviteChannel, InviteOutcome,
};
use orgdesk_core::members::{
    FormerMember, MemberDetails, MemberPage, MemberPatch, MemberQuery, NewInvitee, NewMember,
    TransferPreview, UpdateOutcome,
};
use orgdesk_core::organization::{AppStatus, OrgOverview, SetupInput};
use orgdesk_core::roles::{NewRole, Role};
use orgdesk_core::settings::Settings;
use orgdesk_core::spreadsheet::{
    ColumnMapping, ExportFormat, ExportOutcome, FileColumns, FileDrop, ImportOptions,
    ImportQuotaStatus, ImportSummary, JobProgress, Lang, SavedMapping,
};
use orgdesk_core::{CommandError, ErrorCode};
use ts_rs::{Config, TS};

/// Writes each of these types' TypeScript file (and those of the types it uses).
macro_rules! export {
    ($cfg:expr; $($ty:ty),+ $(,)?) => {
        $(<$ty>::export_all($cfg).unwrap();)+
    };
}

fn export_all(dir: &Path) {
    use orgdesk_core::{department_deletion, invitations, join, mailbox, members, team};
    let cfg = Config::new().with_out_dir(dir).with_large_int("number");
    export!(&cfg;
        // The app, signing in and the organization.
        CommandError, ErrorCode, AppStatus, Session, SetupInput, SignInInput, OrgOverview,
        // Departments.
        DepartmentNode, DepartmentDetails, department_deletion::DepartmentDeletion,
        // Members.
        MemberQuery, MemberPage, MemberDetails, NewMember, NewInvitee, MemberPatch,
        UpdateOutcome, TransferPreview, members::RemoveOutcome, FormerMember,
        members::SetPasswordInput, members::ChangeOwnPasswordInput,
        Selection, BatchChange, BatchOutcome,
        // Roles and settings.
        Role, NewRole, Settings,
        // Invitations, password resets and the gateway.
        InvitationRow, GatewayStatus, invitations::PasswordResetSent, invitations::InvitationPage,
        InvitationQuery, invitations::InvitationBatchOutcome, InvitationCounts, InviteOutcome,
        InviteChannel, InvitationState,
        // Join requests and the join link.
        join::JoinRequestRow, join::JoinRequestPage, join::JoinRequestFilter, join::JoinPlacement,
        join::JoinLinkView, join::JoinLinkInput,
        // The mailbox.
        mailbox::MailSummary, mailbox::MailMessage,
        // Spreadsheets.
        Lang, ImportOptions, ColumnMapping, FileColumns, SavedMapping, ImportSummary,
        ImportQuotaStatus, JobProgress, ExportOutcome, ExportFormat, FileDrop,
        // Team mode.
        team::TeamStatus, team::TeamDevice, team::TeamEnrollment, team::JoinTeamInput,
        team::RefusedChange,
    );
    export_password_policy(dir);
}

/// Passwords, usernames and the problems the shared rule finds with them: the window's own
/// check (ui/src/password.ts, which answers as the admin types) is tested against every case.
const PASSWORD_CASES: &[(&str, &str)] = &[
    ("", ""),
    ("Ab1!", ""),
    ("Abcdef1!", ""),
    ("abcdefgh", ""),
    ("abcdEFGH", ""),
    ("abcdEF12", ""),
    ("abcd12!?", ""),
    ("aB1!aB1!", ""),
    (
        "Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!",
        "",
    ),
    (
        "Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!x",
        "",
    ),
    ("xxADAxx1!", "ada"),
    ("Str0ng!pass", "ada"),
    ("Str0ng!pass", " Pass "),
    ("Abcdefg1", "ab"),
    ("Pässwörd1", ""),
    ("Ünïcödé!x", ""),
    ("abcdefg\u{0663}A", ""),
    ("abcdefg\u{00B2}A", ""),
    ("abcdefgh\u{2163}A", ""),
    ("ABCDEFG\u{00AA}1", ""),
    ("abcdefgh 1A", ""),
    ("abcdefgh\u{00A0}1A", ""),
    ("abcdefgh\u{FEFF}1A", ""),
    ("日本語のパスワード1!", ""),
    ("ÀÉÎÕÜabc", ""),
];

fn export_password_policy(dir: &Path) {
    use orgdesk_rules::password::{check_policy, MAX_LEN, MIN_LEN};
    let cases: Vec<String> = PASSWORD_CASES
        .iter()
        .map(|(password, username)| {
            let problems: Vec<&str> = check_policy(password, Some(username))
                .into_iter()
                .map(|p| p.code())
                .collect();
            // Every character outside ASCII as a \u escape: the cases hold invisible ones.
            serde_json::to_string(&(password, username, problems))
                .unwrap()
                .chars()
                .map(|c| match c {
                    ' '..='~' => c.to_string(),
                    _ => c
                        .encode_utf16(&mut [0; 2])
                        .iter()
                        .map(|u| format!("\\u{u:04X}"))
                        .collect(),
                })
                .collect::<String>()
        })
        .collect();
    let limits = format!(
        "// Generated from crates/rules (the password policy) by `make bindings`. Do not edit.\n\
         // The cases the rule answered are in passwordCases.json.\n\n\
         export const PASSWORD_MIN = {MIN_LEN};\n\
         export const PASSWORD_MAX = {MAX_LEN};\n\
         export const USERNAME_MIN = {};\n\
         export const USERNAME_MAX = {};\n",
        orgdesk_rules::username::MIN_LEN,
        orgdesk_rules::username::MAX_LEN,
    );
    // Data for the UI's test, one case a line: [password, username, the problems found].
    let cases = format!("[\n  {}\n]\n", cases.join(",\n  "));
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("passwordPolicy.ts"), limits).unwrap();
    std::fs::write(dir.join("passwordCases.json"), cases).unwrap();
}

fn read_dir(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .map(|it| {
            it.filter_map(Result::ok)
                .filter(|e| {
                    e.path()
                        .extension()
                        .is_some_and(|x| x == "ts" || x == "json")
                })
                .map(|e| {
                    (
                        e.file_name().to_string_lossy().into_owned(),
                        std::fs::read_to_string(e.path()).unwrap(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn bindings_are_fresh() {
    let committed: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/bindings");
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        let _ = std::fs::remove_dir_all(&committed);
        export_all(&committed);
        return;
    }
    let fresh = tempfile::tempdir().unwrap();
    export_all(fresh.path());
    let want = read_dir(fresh.path());
    let have = read_dir(&committed);
    assert!(!want.is_empty());
    let stale: Vec<&String> = want
        .keys()
        .chain(have.keys())
        .filter(|k| want.get(*k) != have.get(*k))
        .collect();
    assert!(
        stale.is_empty(),
        "ui/src/bindings is stale ({stale:?}); run `make bindings` and commit the result"
    );
}
