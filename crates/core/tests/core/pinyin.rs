//! Chinese names are found by their pinyin (whole, initials, a prefix) and sort by it, in the
//! member list and in exports.

use orgdesk_core::members::{MemberPatch, MemberQuery, StatusFilter};
use orgdesk_core::spreadsheet::{Control, Lang};
use orgdesk_core::types::MemberId;
use orgdesk_core::Directory;

use crate::{admin, invitee, listed_names, temp_path, with_org_admin};

/// "Ann Lee" (the admin) and these members, not joined, in the root department (their emails
/// m0@example.com, m1@… hold none of the queries below).
fn directory(names: &[&str]) -> (Directory, Vec<MemberId>) {
    let (mut d, a) = with_org_admin();
    let root = d.department_tree().unwrap().id;
    let ids = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            d.add_invitee(&a, &invitee(name, &format!("m{i}@example.com"), root))
                .unwrap()
        })
        .collect();
    (d, ids)
}

fn names(d: &Directory, search: Option<&str>) -> Vec<String> {
    let q = MemberQuery {
        search: search.map(Into::into),
        status: StatusFilter::All,
        limit: 100,
        ..Default::default()
    };
    listed_names(d, q)
}

const PEOPLE: &[&str] = &[
    "Zhou Xun",
    "王芳",
    "Zhang",
    "张伟",
    "李娜",
    "Alice 张",
    "章伟",
    "曾小军",
];

#[test]
fn chinese_names_are_found_by_pinyin_whole_initials_and_prefix() {
    let (d, _) = directory(PEOPLE);
    let cases: &[(&str, &[&str])] = &[
        ("zhangwei", &["张伟", "章伟"]),
        ("zw", &["张伟", "章伟"]),
        ("ZW", &["张伟", "章伟"]),
        ("zhangw", &["张伟", "章伟"]),
        ("zhang", &["Alice 张", "Zhang", "张伟", "章伟"]),
        ("wangfang", &["王芳"]),
        ("wf", &["王芳"]),
        ("lina", &["李娜"]),
        // A family name takes its surname reading: 曾 is "zeng" here, not "ceng".
        ("zengxiaojun", &["曾小军"]),
        ("zxj", &["曾小军"]),
        // Names keep being found by their own text, mixed ones too.
        ("张", &["Alice 张", "张伟"]),
        ("Alice 张", &["Alice 张"]),
        ("alice", &["Alice 张"]),
        ("alicezhang", &["Alice 张"]),
        ("az", &["Alice 张"]),
        // Latin names are not given initials: "Zhou Xun" is not "zx", 曾小军 is.
        ("zx", &["曾小军"]),
    ];
    for (query, expected) in cases {
        assert_eq!(names(&d, Some(query)), *expected, "search {query:?}");
    }
}

#[test]
fn chinese_names_sort_by_pinyin_among_latin_names() {
    let (d, _) = directory(PEOPLE);
    let expected = [
        "Alice 张",
        "Ann Lee",
        "李娜",
        "王芳",
        "曾小军",
        "Zhang",
        "张伟",
        "章伟",
        "Zhou Xun",
    ];
    assert_eq!(names(&d, None), expected);

    // The export lists members in the same order.
    let (_tmp, out) = temp_path("members.csv");
    let q = MemberQuery {
        status: StatusFilter::All,
        ..Default::default()
    };
    d.export_members(&q, Lang::Zh, &out, &Control::none())
        .unwrap();
    let text = std::fs::read_to_string(&out).unwrap();
    let exported: Vec<&str> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(exported, expected);
}

#[test]
fn a_renamed_member_moves_and_is_found_by_the_new_pinyin() {
    let (mut d, ids) = directory(&["张伟", "Wang Li", "Zoe"]);
    assert_eq!(names(&d, None), ["Ann Lee", "Wang Li", "张伟", "Zoe"]);
    let a = admin(&d);
    let patch = MemberPatch {
        name: Some("李伟".into()),
        ..Default::default()
    };
    d.update_member(&a, ids[0], &patch).unwrap();
    assert_eq!(names(&d, None), ["Ann Lee", "李伟", "Wang Li", "Zoe"]);
    assert_eq!(names(&d, Some("liwei")), ["李伟"]);
    assert_eq!(names(&d, Some("lw")), ["李伟"]);
    assert!(names(&d, Some("zhangwei")).is_empty());
}
