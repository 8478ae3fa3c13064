use orgdesk_core::auth::SignInInput;
use orgdesk_core::members::MemberQuery;
use orgdesk_core::roles::NewRole;
use orgdesk_core::{CoreError, Directory, ErrorCode};

use crate::{admin, scratch_db, with_org, PASSWORD};

/// A directory with a tree, members with Chinese and Latin names, a role of its own and an
/// organization-wide setting, and its snapshot at change 42.
fn seeded() -> (Directory, Vec<u8>) {
    let (mut d, _) = with_org();
    orgdesk_core::seed::seed(&mut d, 40, 600, 7).unwrap();
    let a = admin(&d);
    d.create_role(
        &a,
        &NewRole {
            name: "Auditors".into(),
            description: "Read the history".into(),
        },
    )
    .unwrap();
    let mut s = d.settings().unwrap();
    s.default_region = "CN".into();
    d.update_settings(&a, &s).unwrap();
    // The newest department gone: its id is never given again, here or on a joined computer.
    let root = d.department_tree().unwrap().id;
    let temp = d.create_department(&a, root, "Temporary").unwrap();
    d.delete_department(&a, temp).unwrap();
    let snapshot = d.write_snapshot(42).unwrap();
    (d, snapshot)
}

fn search_total(d: &Directory, search: &str) -> u32 {
    d.list_members(&MemberQuery {
        search: Some(search.into()),
        limit: 10,
        ..Default::default()
    })
    .unwrap()
    .total
}

#[test]
fn a_snapshot_loads_into_a_new_file_with_the_same_content() {
    let (d, snapshot) = seeded();
    let path = scratch_db();
    let (mut copy, at_seq) = Directory::load_snapshot(&path, &snapshot).unwrap();
    assert_eq!(at_seq, 42);
    assert_eq!(copy.team_cursor().unwrap(), 42, "the log is read after it");
    assert_eq!(
        copy.directory_checksum().unwrap(),
        d.directory_checksum().unwrap()
    );
    // The search keys were made again: the same members are found, by pinyin too.
    for q in ["ann", "zh", "@", "1"] {
        assert_eq!(search_total(&copy, q), search_total(&d, q), "{q}");
    }
    // The admin signs in with the password kept in the snapshot.
    copy.sign_in(&SignInInput {
        username: "ann".into(),
        password: PASSWORD.into(),
    })
    .unwrap();
    // Both give the next department the same id.
    let (mut d, a) = (d, admin(&copy));
    let root = d.department_tree().unwrap().id;
    assert_eq!(
        copy.create_department(&a, root, "Next").unwrap(),
        d.create_department(&a, root, "Next").unwrap()
    );
    drop(copy);
    assert!(!path
        .with_file_name(format!(
            "{}.loading",
            path.file_name().unwrap().to_string_lossy()
        ))
        .exists());

    // Never over an existing file.
    let Err(e) = Directory::load_snapshot(&path, &snapshot) else {
        panic!("loaded over a file");
    };
    assert_eq!(e.code(), ErrorCode::Conflict, "{e}");
    assert!(e.to_string().contains("already exists"), "{e}");
}

fn refused(bytes: &[u8]) -> String {
    let path = scratch_db();
    let e = match Directory::load_snapshot(&path, bytes) {
        Err(e) => e,
        Ok(_) => panic!("loaded"),
    };
    assert!(matches!(e, CoreError::Snapshot(_)), "{e:?}");
    assert_eq!(e.code(), ErrorCode::Validation);
    let folder: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&*path.file_name().unwrap().to_string_lossy()))
        .collect();
    assert!(folder.is_empty(), "nothing written: {folder:?}");
    e.to_string()
}

#[test]
fn malformed_truncated_and_foreign_snapshots_are_refused_writing_nothing() {
    let (_, snapshot) = seeded();
    assert!(refused(b"").contains("not an Orgdesk directory snapshot"));
    assert!(refused(b"PK\x03\x04 a zip").contains("not an Orgdesk"));

    let mut newer = snapshot.clone();
    newer[9] = 2;
    let m = refused(&newer);
    assert!(
        m.contains("format version 2") && m.contains("reads version 1"),
        "{m}"
    );

    for cut in [12, 60, 90, snapshot.len() / 2, snapshot.len() - 1] {
        let m = refused(&snapshot[..cut]);
        assert!(
            m.contains("incomplete") || m.contains("damaged"),
            "{cut}: {m}"
        );
    }
    let mut longer = snapshot.clone();
    longer.extend_from_slice(b"more");
    assert!(refused(&longer).contains("more after its content"));

    // A digest that is not the content's.
    let mut other = snapshot.clone();
    other[18..82].copy_from_slice(&[b'a'; 64]);
    assert!(refused(&other).contains("does not match its digest"));

    // Bytes changed inside the compressed content.
    let mut flipped = snapshot.clone();
    let at = snapshot.len() - 200;
    flipped[at] ^= 0x55;
    flipped[at + 1] ^= 0xaa;
    assert!(refused(&flipped).contains("snapshot"));

    // A content length far beyond any directory.
    let mut huge = snapshot.clone();
    huge[82..90].copy_from_slice(&u64::MAX.to_be_bytes());
    assert!(refused(&huge).contains("claims more content"));
}
