use orgdesk_core::auth::SignInInput;
use orgdesk_core::members::MemberQuery;
use orgdesk_core::roles::NewRole;
use orgdesk_core::{CoreError, Directory, ErrorCode};

use crate::join_requests::id_of;
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
    newer[9] = 4;
    let m = refused(&newer);
    assert!(
        m.contains("format version 4") && m.contains("reads versions 1 to 3"),
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

/// `snapshot` (of a directory without join requests, member events or invitations) written
/// as `version` wrote it: version 1's content ends after the id floors, version 2's after the
/// join requests.
fn as_version(snapshot: &[u8], version: u16) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut content = Vec::new();
    flate2::read::DeflateDecoder::new(&snapshot[90..])
        .read_to_end(&mut content)
        .unwrap();
    let later_parts = match version {
        1 => ["invitations", "member events", "join requests"].as_slice(),
        2 => ["invitations", "member events"].as_slice(),
        _ => panic!("version {version}"),
    };
    for part in later_parts {
        assert_eq!(content.pop(), Some(0), "an empty part of {part}");
    }
    let mut out = snapshot[..90].to_vec();
    out[8..10].copy_from_slice(&version.to_be_bytes());
    out[82..90].copy_from_slice(&(content.len() as u64).to_be_bytes());
    let mut z = flate2::write::DeflateEncoder::new(out, flate2::Compression::default());
    z.write_all(&content).unwrap();
    z.finish().unwrap()
}

#[test]
fn a_snapshot_carries_the_join_requests_and_one_of_version_1_or_2_still_loads() {
    let (mut d, old) = seeded();
    for version in [1, 2] {
        let older = as_version(&old, version);
        let (copy, _) = Directory::load_snapshot(&scratch_db(), &older).unwrap();
        assert_eq!(
            copy.directory_checksum().unwrap(),
            d.directory_checksum().unwrap(),
            "version {version}"
        );
        assert!(copy.join_requests(false).unwrap().is_empty());
    }

    // Waiting, rejected (its password hash kept, so that it can still be approved) and
    // approved requests come along.
    crate::join_requests::add_requests(&mut d, &["noa", "omar", "pia"]);
    let a = admin(&d);
    d.decide_join_request(&a, id_of(&d, "omar"), false).unwrap();
    d.decide_join_request(&a, id_of(&d, "pia"), true).unwrap();
    let snapshot = d.write_snapshot(43).unwrap();
    let (mut copy, _) = Directory::load_snapshot(&scratch_db(), &snapshot).unwrap();
    assert_eq!(
        copy.join_requests(false).unwrap(),
        d.join_requests(false).unwrap()
    );
    let a = admin(&copy);
    let omar = copy
        .decide_join_request(&a, id_of(&copy, "omar"), true)
        .unwrap();
    assert_eq!(copy.find_member("omar").ok(), omar);
}

#[test]
fn a_waiting_registration_that_is_none_is_refused_on_load() {
    let (d, _) = seeded();
    let wait = |event: &str| {
        d.connection()
            .execute(
                "INSERT OR REPLACE INTO team_member_events (event_id, waiting_for, event, parked_seq)
                 VALUES ('e9', 'inv_x', ?1, 3)",
                [event],
            )
            .unwrap();
        d.write_snapshot(43).unwrap()
    };
    let registered = serde_json::json!({
        "seq": 9, "id": "e9", "at": 1, "kind": "registered", "invitation_id": "inv_x",
        "account_id": "acc_x", "username": "xu", "password_hash": "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"
    });
    let (copy, _) =
        Directory::load_snapshot(&scratch_db(), &wait(&registered.to_string())).unwrap();
    let waiting: String = crate::value(
        &copy,
        "SELECT waiting_for FROM team_member_events WHERE event_id = 'e9'",
    );
    assert_eq!(waiting, "inv_x");
    let mut other = registered.clone();
    other["invitation_id"] = "inv_y".into();
    for bad in [
        "{\"not\": \"an event\"}".to_owned(),
        other.to_string(),
        serde_json::json!({"seq": 9, "id": "e9", "at": 1, "kind": "signed_in",
                           "account_id": "acc_x", "username": "xu"})
        .to_string(),
    ] {
        assert!(
            refused(&wait(&bad)).contains("waiting for its invitation"),
            "{bad}"
        );
    }
}
