//! src-tauri/commands.txt is the one list of the app's commands: build.rs makes their
//! permissions and the invoke handler from it. These tests hold the other places to it and
//! name every command one of them lacks or has beyond the list.

use std::collections::BTreeSet;
use std::path::Path;

fn read(path: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `module::function` of every command, in the list's order.
fn listed() -> Vec<String> {
    read("src-tauri/commands.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// The commands' names, as the window invokes them.
fn names() -> Vec<String> {
    listed()
        .iter()
        .map(|p| p.rsplit("::").next().unwrap().to_owned())
        .collect()
}

/// Fails naming each command `found` in `place` lacks, or has beyond the list.
fn agree(place: &str, expected: &[String], found: &[String]) {
    let expected: BTreeSet<&str> = expected.iter().map(String::as_str).collect();
    let found: BTreeSet<&str> = found.iter().map(String::as_str).collect();
    let problems: Vec<String> = expected
        .difference(&found)
        .map(|c| format!("{place} lacks the command `{c}`"))
        .chain(
            found
                .difference(&expected)
                .map(|c| format!("{place} has `{c}`, which src-tauri/commands.txt does not list")),
        )
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_list_names_each_command_once() {
    let names = names();
    let unique: BTreeSet<&String> = names.iter().collect();
    assert_eq!(unique.len(), names.len(), "a command is listed twice");
    assert!(names.len() > 50, "the list was not read: {names:?}");
}

/// The commands a source file defines: each `#[tauri::command]` function, and each entry of a
/// `directory_commands!` block (`read name(…`, `act …`, `logged …`). The macro's own template,
/// whose name is `$name`, is none.
fn commands_in(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut lines = text.lines();
    let mut in_entries = false;
    while let Some(line) = lines.next() {
        if line.starts_with("directory_commands! {") {
            in_entries = true;
        } else if in_entries && line.starts_with('}') {
            in_entries = false;
        } else if in_entries {
            // An entry starts `<how> <name>(`; its other lines (doc comments, arguments, the
            // call) start otherwise.
            let is_name =
                |w: &str| !w.is_empty() && w.chars().all(|c| c.is_alphanumeric() || c == '_');
            let entry = line
                .trim_start()
                .split_once(' ')
                .and_then(|(how, rest)| Some((how, rest.split_once('(')?.0)));
            if let Some((_, name)) = entry.filter(|(how, name)| is_name(how) && is_name(name)) {
                found.push(name.to_owned());
            }
        } else if line.trim() == "#[tauri::command]" {
            let name = lines
                .by_ref()
                .find_map(|l| l.split_once("fn ").map(|(_, rest)| rest))
                .and_then(|rest| rest.split(['(', '<']).next())
                .unwrap();
            if !name.starts_with('$') {
                found.push(name.to_owned());
            }
        }
    }
    found
}

#[test]
fn commands_are_found_in_both_forms() {
    let text = "#[tauri::command]\npub async fn plain(state: Dir<'_>) -> Answer<()> {\n}\n\n\
                directory_commands! {\n    read one() -> () = |d| d.one();\n    \
                /// Its doc.\n    act two(id: i64) -> () =\n        |d, a| d.two(a, id);\n    \
                logged three(\n        ids: Vec<i64>\n    ) -> () = |d, a| d.three(a, &ids);\n}\n";
    assert_eq!(commands_in(text), ["plain", "one", "two", "three"]);
    let template = "        #[tauri::command]\n        pub async fn $name(state: Dir<'_>) -> A {\n";
    assert!(commands_in(template).is_empty());
}

/// Every command under src-tauri/src/commands/ is listed, in its own module (a listed one that
/// does not exist already fails the build of the handler).
#[test]
fn every_command_function_is_listed() {
    fn visit(dir: &Path, module: &str, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let stem = path.file_stem().unwrap().to_str().unwrap().to_owned();
            let inner = if module.is_empty() {
                stem.clone()
            } else {
                format!("{module}::{stem}")
            };
            if path.is_dir() {
                visit(&path, &inner, out);
                continue;
            }
            let here = if stem == "mod" { module } else { &inner };
            let text = std::fs::read_to_string(&path).unwrap();
            out.extend(
                commands_in(&text)
                    .iter()
                    .map(|name| format!("{here}::{name}")),
            );
        }
    }
    let mut found = Vec::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    visit(&root.join("src-tauri/src/commands"), "", &mut found);
    agree("src-tauri/src/commands/", &listed(), &found);
}

/// capabilities/default.json grants each listed command (`allow-<command>`, in the list's
/// order) and the core's event permissions. `UPDATE_COMMANDS=1` writes the grants.
#[test]
fn capabilities_grant_every_command() {
    const PATH: &str = "capabilities/default.json";
    let text = read(PATH);
    let caps: serde_json::Value = serde_json::from_str(&text).unwrap();
    let permissions: Vec<&str> = caps["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    // Plugin and core permissions (`core:event:…`) are not app commands.
    let (others, granted): (Vec<&str>, Vec<&str>) =
        permissions.into_iter().partition(|p| p.contains(':'));
    let listing: Vec<String> = names()
        .iter()
        .map(|n| format!("allow-{}", n.replace('_', "-")))
        .chain(others.iter().map(|p| p.to_string()))
        .map(|p| format!("    \"{p}\""))
        .collect();
    let start = text.find("\"permissions\": [").unwrap() + "\"permissions\": [".len();
    let end = start + text[start..].find("\n  ]").unwrap();
    let wanted = format!(
        "{}\n{}{}",
        &text[..start],
        listing.join(",\n"),
        &text[end..]
    );
    if std::env::var_os("UPDATE_COMMANDS").is_some() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        std::fs::write(root.join(PATH), &wanted).unwrap();
        return;
    }
    let granted: Vec<String> = granted
        .iter()
        .map(|p| p.trim_start_matches("allow-").replace('-', "_"))
        .collect();
    agree(PATH, &names(), &granted);
    assert!(
        text == wanted,
        "{PATH} grants the commands in another order than src-tauri/commands.txt; \
         `UPDATE_COMMANDS=1 cargo test -p orgdesk --lib commands` writes them"
    );
}

/// ui/src/api.ts calls each command (`call("<command>"`), and nothing else.
#[test]
fn the_ui_calls_every_command() {
    let api = read("ui/src/api.ts");
    let called: Vec<String> = api
        .split("call(\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_owned())
        .collect();
    agree("ui/src/api.ts", &names(), &called);
}

/// docs/ui-contract.md describes each command in a `| command | args | returns |` table.
#[test]
fn the_ui_contract_describes_every_command() {
    let contract = read("docs/ui-contract.md");
    let mut described = Vec::new();
    let mut in_table = false;
    for line in contract.lines() {
        if !line.starts_with('|') {
            in_table = false;
        } else if line.starts_with("| command |") {
            in_table = true;
        } else if in_table && !line.starts_with("|---") {
            let first_cell = line.split('|').nth(1).unwrap_or("");
            described.extend(first_cell.split('`').skip(1).step_by(2).map(str::to_owned));
        }
    }
    agree("docs/ui-contract.md", &names(), &described);
}

/// The build script writes `permissions/autogenerated/<command>.toml` for each listed command
/// (only when a file's text changes). The files are kept in the repository: created by the first
/// build of a fresh clone, inside the folder the build script watches, they made the next build
/// run the script and compile the app again. A command dropped from the list leaves its file
/// behind, which this names.
#[test]
fn the_generated_permissions_match_the_list() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("permissions/autogenerated");
    let generated: Vec<String> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .map(|file| file.strip_suffix(".toml").unwrap_or(&file).to_owned())
        .collect();
    agree("permissions/autogenerated", &names(), &generated);
}
