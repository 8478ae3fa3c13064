//! Unit tests of the checker on small crates written to a temporary folder.

use std::fs;
use std::path::Path;

use super::*;

/// Writes `files` (path under src/, text) and returns the folder's guard.
fn krate(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join("src").join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    dir
}

fn graph(dir: &Path) -> ModuleGraph {
    module_graph(&dir.join("src/lib.rs")).unwrap()
}

fn cycles(dir: &Path) -> Vec<String> {
    graph(dir)
        .cycles()
        .0
        .into_iter()
        .map(|c| c.join(" -> "))
        .collect()
}

#[test]
fn a_cycle_through_use_is_reported_with_a_reference_per_edge() {
    let dir = krate(&[
        ("lib.rs", "mod a;\nmod b;\n"),
        ("a.rs", "use crate::b::B;\npub struct A;\n"),
        (
            "b.rs",
            "pub struct B;\n\nfn f() -> crate::a::A { crate::a::A }\n",
        ),
    ]);
    assert_eq!(cycles(dir.path()), ["a -> b -> a"]);
    let text = graph(dir.path()).describe_cycles("demo", dir.path());
    assert_eq!(
        text,
        "demo: a -> b -> a\n    a -> b: src/a.rs:1\n    b -> a: src/b.rs:3\n"
    );
}

#[test]
fn modules_without_a_cycle_pass() {
    let dir = krate(&[
        ("lib.rs", "mod a;\nmod b;\nmod c;\npub use a::A;\n"),
        (
            "a.rs",
            "use crate::b::B;\nuse crate::c::C;\npub struct A;\n",
        ),
        ("b.rs", "use crate::c::C;\npub struct B;\n"),
        ("c.rs", "pub struct C;\n"),
    ]);
    assert!(cycles(dir.path()).is_empty());
    assert_eq!(graph(dir.path()).edges.len(), 3);
    assert_eq!(graph(dir.path()).describe_cycles("demo", dir.path()), "");
}

#[test]
fn a_long_cycle_through_nested_files_groups_and_super_is_found() {
    let dir = krate(&[
        ("lib.rs", "mod store;\nmod index;\nmod members;\n"),
        ("store.rs", "use crate::{index::Index, store as _};\n"),
        (
            "index.rs",
            "mod inner {\n    use super::super::members::Member;\n}\n",
        ),
        ("members/mod.rs", "mod list;\n"),
        (
            "members/list.rs",
            "fn f() { let _ = format!(\"{}\", crate::store::X); }\n",
        ),
    ]);
    assert_eq!(cycles(dir.path()), ["index -> members -> store -> index"]);
    let g = graph(dir.path());
    let edge = &g.edges[&("members".to_string(), "store".to_string())];
    assert!(edge.file.ends_with("src/members/list.rs"), "{edge:?}");
    assert_eq!(g.edges[&("index".into(), "members".into())].line, 2);
}

#[test]
fn a_name_the_root_re_exports_counts_as_its_module() {
    let dir = krate(&[
        (
            "lib.rs",
            "mod a;\nmod b;\npub use crate::a::A;\nuse b::{B as Bee};\n",
        ),
        ("a.rs", "pub struct A;\nfn f(_: crate::Bee) {}\n"),
        ("b.rs", "pub struct B(crate::A);\n"),
    ]);
    assert_eq!(cycles(dir.path()), ["a -> b -> a"]);
}

#[test]
fn test_modules_and_test_only_items_are_left_out() {
    let dir = krate(&[
        ("lib.rs", "mod a;\nmod b;\n#[cfg(test)]\nmod c;\n"),
        ("a.rs", "use crate::b::B;\n#[cfg(test)]\nmod tests;\n"),
        ("a/tests.rs", "use crate::b::B;\n"),
        (
            "b.rs",
            "pub struct B;\n\
             #[cfg(test)]\nmod tests { use crate::a::*; }\n\
             #[cfg(all(test, unix))]\nfn helper() { crate::a::f(); }\n\
             impl B {\n    #[cfg(test)]\n    fn t() { crate::a::f(); }\n}\n",
        ),
        ("c.rs", "use crate::a::A;\n"),
    ]);
    assert!(cycles(dir.path()).is_empty(), "{:?}", cycles(dir.path()));
}

#[test]
fn code_kept_when_test_is_off_still_counts() {
    let dir = krate(&[
        ("lib.rs", "mod a;\nmod b;\n"),
        ("a.rs", "use crate::b::B;\n"),
        ("b.rs", "#[cfg(not(test))]\nuse crate::a::A;\n#[cfg(any(test, unix))]\nfn f() { super::a::g(); }\n"),
    ]);
    assert_eq!(cycles(dir.path()), ["a -> b -> a"]);
    assert_eq!(graph(dir.path()).edges[&("b".into(), "a".into())].line, 2);
}

#[test]
fn relative_super_inside_a_module_is_no_dependency() {
    let dir = krate(&[
        ("lib.rs", "mod a;\nmod b;\n"),
        ("a/mod.rs", "mod x;\nmod y;\nuse crate::b::B;\n"),
        ("a/x.rs", "use super::y::Y;\n"),
        ("a/y.rs", "pub struct Y;\n"),
        ("b.rs", "pub struct B;\nfn f() { let b = super::b::B; }\n"),
    ]);
    assert!(cycles(dir.path()).is_empty());
    assert_eq!(graph(dir.path()).edges.len(), 1);
}

#[test]
fn every_cycle_of_a_tangle_is_listed_once() {
    let dir = krate(&[
        ("lib.rs", "mod a;\nmod b;\nmod c;\n"),
        ("a.rs", "use crate::{b::B, c::C};\n"),
        ("b.rs", "use crate::{a::A, c::C};\n"),
        ("c.rs", "use crate::a::A;\n"),
    ]);
    assert_eq!(
        cycles(dir.path()),
        ["a -> b -> a", "a -> b -> c -> a", "a -> c -> a"]
    );
}

#[test]
fn workspace_members_are_found_with_their_root_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(
        root.join("Cargo.toml"),
        "[workspace]\nmembers = [\".\", \"crates/*\"]\n\n[package]\nname = \"app\"\n\n[lib]\nname = \"app_lib\"\npath = \"shell/src/lib.rs\"\n",
    )
    .unwrap();
    fs::create_dir_all(root.join("shell/src")).unwrap();
    fs::write(root.join("shell/src/lib.rs"), "").unwrap();
    fs::write(root.join("shell/src/main.rs"), "").unwrap();
    fs::create_dir_all(root.join("crates/one/src")).unwrap();
    fs::write(
        root.join("crates/one/Cargo.toml"),
        "[package]\nname = \"one\"\n",
    )
    .unwrap();
    fs::write(root.join("crates/one/src/lib.rs"), "").unwrap();
    let packages = workspace_packages(root).unwrap();
    let names: Vec<&str> = packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["app", "one"]);
    assert_eq!(
        packages[0].roots,
        [
            root.join("shell/src/lib.rs"),
            root.join("shell/src/main.rs")
        ]
    );
    assert_eq!(packages[1].roots, [root.join("crates/one/src/lib.rs")]);
}
