use orgdesk_core::mailbox::{list_mail, read_mail};
use orgdesk_core::CoreError;

const MAIL: &str = "From: Orgdesk <noreply@localhost>\r
To: =?utf-8?b?5ZCz5a2Q?= <wu@example.com>\r
Subject: =?utf-8?q?Ann_invites_you_to_join_Acme_=E9=9B=86=E5=9B=A2?=\r
MIME-Version: 1.0\r
Content-Type: multipart/alternative; boundary=\"b\"\r
\r
--b\r
Content-Type: text/plain; charset=utf-8\r
Content-Transfer-Encoding: quoted-printable\r
\r
Open this link to accept or decline:=0D\r
http://127.0.0.1:4000/i/abc=\r
def\r
--b\r
Content-Type: text/html; charset=utf-8\r
\r
<p>Open <a href=\"http://127.0.0.1:4000/i/abcdef\">this link</a></p>\r
--b--\r
";

#[test]
fn lists_newest_first_and_reads_the_text_part_with_its_links() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("1-a.eml"), MAIL).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not mail").unwrap();
    let list = list_mail(dir.path(), 10).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].file, "1-a.eml");
    assert_eq!(list[0].to, "吳子 <wu@example.com>");
    assert_eq!(list[0].subject, "Ann invites you to join Acme 集团");

    let m = read_mail(dir.path(), "1-a.eml").unwrap();
    assert!(m.text.contains("Open this link"), "{}", m.text);
    assert_eq!(m.links, ["http://127.0.0.1:4000/i/abcdef"]);
    assert_eq!(m.from, "Orgdesk <noreply@localhost>");
}

#[test]
fn a_missing_folder_is_an_empty_mailbox_and_paths_outside_it_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    assert!(list_mail(&dir.path().join("absent"), 10)
        .unwrap()
        .is_empty());
    std::fs::write(dir.path().join("secret.eml"), MAIL).unwrap();
    let inner = dir.path().join("mail");
    std::fs::create_dir(&inner).unwrap();
    for name in [
        "../secret.eml",
        "/etc/passwd",
        "..\\secret.eml",
        ".hidden.eml",
        "x.txt",
        "",
    ] {
        assert!(
            matches!(read_mail(&inner, name), Err(CoreError::NotFound(_))),
            "{name} must be refused"
        );
    }
}
