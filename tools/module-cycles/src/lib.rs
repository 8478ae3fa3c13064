//! The module-cycle check: for one crate, the graph of dependencies between its top-level
//! modules, and the cycles in it.
//!
//! Module `a` depends on module `b` when any file of `a` names `crate::b` (in a `use`, a `pub use`
//! or a path in code, macros' tokens included) or climbs with `super::` out of `a` to the crate
//! root and down into `b`. A name the crate root re-exports (`pub use b::Thing;` in lib.rs, then
//! `crate::Thing`) counts as a dependency on the module it comes from; the root itself is no
//! module. The module tree is followed from lib.rs / main.rs through `mod` declarations, so test
//! modules (`#[cfg(test)] mod tests;` and inline `#[cfg(test)]` items) are left out, and so are
//! files under tests/.
//!
//! `tests/workspace.rs` runs it over every crate of the workspace.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
use quote::ToTokens;

/// Where one module first refers to another: a file (as given, joined to the crate's source
/// folder) and a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    pub file: PathBuf,
    pub line: usize,
}

/// The dependencies between one crate target's top-level modules.
#[derive(Debug, Default)]
pub struct ModuleGraph {
    /// The top-level modules, declared in lib.rs or main.rs.
    pub modules: BTreeSet<String>,
    /// `(from, to)` → the first reference found.
    pub edges: BTreeMap<(String, String), Reference>,
}

/// At most this many cycles are listed for one crate; the count says how many more there are.
const MAX_CYCLES: usize = 200;

impl ModuleGraph {
    /// Every elementary cycle, each starting at its smallest module name, in order; at most
    /// [`MAX_CYCLES`] (with `true` when there were more).
    pub fn cycles(&self) -> (Vec<Vec<String>>, bool) {
        let nodes: Vec<&String> = self.modules.iter().collect();
        let index = |name: &str| nodes.iter().position(|n| n.as_str() == name);
        let mut next: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
        for (from, to) in self.edges.keys() {
            if let (Some(f), Some(t)) = (index(from), index(to)) {
                if f != t {
                    next[f].push(t);
                }
            }
        }
        let mut cycles = Vec::new();
        let mut truncated = false;
        for start in 0..nodes.len() {
            let mut path = vec![start];
            let mut on_path = vec![false; nodes.len()];
            on_path[start] = true;
            search(
                start,
                start,
                &next,
                &mut path,
                &mut on_path,
                &mut |cycle: &[usize]| {
                    if cycles.len() == MAX_CYCLES {
                        truncated = true;
                        return false;
                    }
                    let mut names: Vec<String> = cycle.iter().map(|&i| nodes[i].clone()).collect();
                    names.push(nodes[start].clone());
                    cycles.push(names);
                    true
                },
            );
            if truncated {
                break;
            }
        }
        (cycles, truncated)
    }

    /// The cycles as text, one per line as `crate: a -> b -> a`, each edge's reference under it.
    /// Empty when there is no cycle.
    pub fn describe_cycles(&self, crate_name: &str, base: &Path) -> String {
        let (cycles, truncated) = self.cycles();
        let mut out = String::new();
        for cycle in &cycles {
            let _ = writeln!(out, "{crate_name}: {}", cycle.join(" -> "));
            for pair in cycle.windows(2) {
                let reference = &self.edges[&(pair[0].clone(), pair[1].clone())];
                let file = reference.file.strip_prefix(base).unwrap_or(&reference.file);
                let _ = writeln!(
                    out,
                    "    {} -> {}: {}:{}",
                    pair[0],
                    pair[1],
                    file.display(),
                    reference.line
                );
            }
        }
        if truncated {
            let _ = writeln!(out, "{crate_name}: … and more cycles, not listed");
        }
        out
    }
}

/// Depth-first search for paths back to `start` through modules numbered above it (so each
/// cycle is found once, from its smallest module). `found` returns false to stop.
fn search(
    start: usize,
    at: usize,
    next: &[Vec<usize>],
    path: &mut Vec<usize>,
    on_path: &mut [bool],
    found: &mut dyn FnMut(&[usize]) -> bool,
) -> bool {
    for &to in &next[at] {
        if to == start {
            if !found(path) {
                return false;
            }
        } else if to > start && !on_path[to] {
            path.push(to);
            on_path[to] = true;
            let go_on = search(start, to, next, path, on_path, found);
            on_path[to] = false;
            path.pop();
            if !go_on {
                return false;
            }
        }
    }
    true
}

/// The module graph of the crate target whose root file is `root` (lib.rs or main.rs).
pub fn module_graph(root: &Path) -> Result<ModuleGraph, String> {
    let file = parse(root)?;
    let dir = root.parent().unwrap_or(Path::new("")).to_path_buf();
    let mut graph = ModuleGraph::default();
    // The top-level modules and the names the root brings in from them.
    let mut declared = Vec::new();
    let mut root_uses = Vec::new();
    for item in &file.items {
        if test_only(item_attrs(item)) {
            continue;
        }
        match item {
            syn::Item::Mod(m) => {
                graph.modules.insert(m.ident.to_string());
                declared.push(m);
            }
            syn::Item::Use(u) => root_uses.push(u),
            _ => {}
        }
    }
    let mut reexports = BTreeMap::new();
    for u in root_uses {
        let mut leaves = Vec::new();
        use_leaves(&u.tree, Vec::new(), &mut leaves);
        for (segments, name) in leaves {
            let first = segments
                .iter()
                .find(|s| *s != "crate" && *s != "self")
                .cloned();
            if let Some(first) = first.filter(|f| graph.modules.contains(f)) {
                reexports.insert(name, first);
            }
        }
    }
    let names = Names {
        modules: graph.modules.clone(),
        reexports,
    };
    for m in declared {
        let top = m.ident.to_string();
        let mut walker = Walker {
            names: &names,
            top: &top,
            edges: &mut graph.edges,
        };
        walker.module(m, root, &dir, &[])?;
    }
    Ok(graph)
}

/// What a name right under the crate root stands for.
struct Names {
    modules: BTreeSet<String>,
    /// A name the root brings in with `use` / `pub use` → the top-level module it comes from.
    reexports: BTreeMap<String, String>,
}

impl Names {
    fn top_module(&self, name: &str) -> Option<&str> {
        if let Some(m) = self.modules.get(name) {
            return Some(m);
        }
        self.reexports.get(name).map(String::as_str)
    }
}

/// Walks the files and inline modules of one top-level module, noting its references.
struct Walker<'a> {
    names: &'a Names,
    top: &'a str,
    edges: &'a mut BTreeMap<(String, String), Reference>,
}

impl Walker<'_> {
    /// Module `m`, declared in `file` (whose own child modules live in `dir`), nested inside the
    /// modules `outer` (below the top-level one; empty for the top-level module itself).
    fn module(
        &mut self,
        m: &syn::ItemMod,
        file: &Path,
        dir: &Path,
        outer: &[String],
    ) -> Result<(), String> {
        let name = m.ident.to_string();
        let mut depth_path: Vec<String> = outer.to_vec();
        depth_path.push(name.clone());
        if let Some((_, items)) = &m.content {
            return self.items(items, file, &dir.join(&name), &depth_path);
        }
        let (path, child_dir) = match path_attr(&m.attrs) {
            Some(p) => {
                let path = file.parent().unwrap_or(Path::new("")).join(p);
                let child_dir = path.with_extension("");
                (path, child_dir)
            }
            None => {
                let flat = dir.join(format!("{name}.rs"));
                if flat.exists() {
                    (flat, dir.join(&name))
                } else {
                    (dir.join(&name).join("mod.rs"), dir.join(&name))
                }
            }
        };
        let parsed = parse(&path)?;
        self.items(&parsed.items, &path, &child_dir, &depth_path)
    }

    /// The items of a module at `depth_path` (the top-level module first), found in `file`.
    fn items(
        &mut self,
        items: &[syn::Item],
        file: &Path,
        dir: &Path,
        depth_path: &[String],
    ) -> Result<(), String> {
        for item in items {
            if test_only(item_attrs(item)) {
                continue;
            }
            match item {
                syn::Item::Mod(m) => self.module(m, file, dir, depth_path)?,
                syn::Item::Impl(i) => {
                    for inner in &i.items {
                        if !test_only(impl_item_attrs(inner)) {
                            self.tokens(inner.to_token_stream(), file, depth_path.len());
                        }
                    }
                    let mut head = i.clone();
                    head.items.clear();
                    self.tokens(head.to_token_stream(), file, depth_path.len());
                }
                other => self.tokens(other.to_token_stream(), file, depth_path.len()),
            }
        }
        Ok(())
    }

    /// Notes every `crate::x` and every `super::` that climbs to the root in `tokens`, read in a
    /// module `depth` levels below the root.
    fn tokens(&mut self, tokens: TokenStream, file: &Path, depth: usize) {
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        let mut i = 0;
        while i < trees.len() {
            match &trees[i] {
                TokenTree::Group(g) => self.tokens(g.stream(), file, depth),
                TokenTree::Ident(id) if id == "crate" && path_sep(&trees, i + 1) => {
                    let line = id.span().start().line;
                    i = self.below_root(&trees, i + 3, file, line);
                    continue;
                }
                TokenTree::Ident(id) if id == "super" && !after_path_sep(&trees, i) => {
                    let line = id.span().start().line;
                    let mut climbed = 0;
                    let mut j = i;
                    while matches!(&trees.get(j), Some(TokenTree::Ident(s)) if s == "super")
                        && path_sep(&trees, j + 1)
                    {
                        climbed += 1;
                        j += 3;
                    }
                    if climbed >= depth && climbed > 0 {
                        i = self.below_root(&trees, j, file, line);
                        continue;
                    }
                    i = j.max(i + 1);
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
    }

    /// The path continues right under the crate root at `trees[at]`: a name, or a `{…}` group
    /// of a `use`. Returns where to go on reading.
    fn below_root(&mut self, trees: &[TokenTree], at: usize, file: &Path, line: usize) -> usize {
        match trees.get(at) {
            Some(TokenTree::Ident(name)) => {
                self.refer(&name.to_string(), file, line);
                at + 1
            }
            Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace => {
                let inner: Vec<TokenTree> = g.stream().into_iter().collect();
                let mut first = true;
                for tree in &inner {
                    match tree {
                        TokenTree::Punct(p) if p.as_char() == ',' => first = true,
                        TokenTree::Ident(name) if first => {
                            first = false;
                            let line = name.span().start().line;
                            self.refer(&name.to_string(), file, line);
                        }
                        _ => first = false,
                    }
                }
                at + 1
            }
            _ => at,
        }
    }

    fn refer(&mut self, name: &str, file: &Path, line: usize) {
        let Some(to) = self.names.top_module(name) else {
            return;
        };
        if to == self.top {
            return;
        }
        self.edges
            .entry((self.top.to_string(), to.to_string()))
            .or_insert_with(|| Reference {
                file: file.to_path_buf(),
                line,
            });
    }
}

/// `trees[at]` and `trees[at + 1]` are the two colons of `::`.
fn path_sep(trees: &[TokenTree], at: usize) -> bool {
    matches!(
        (trees.get(at), trees.get(at + 1)),
        (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)))
            if a.as_char() == ':' && a.spacing() == Spacing::Joint && b.as_char() == ':'
    )
}

/// `trees[at]` comes right after a `::` (so it is not the start of a path).
fn after_path_sep(trees: &[TokenTree], at: usize) -> bool {
    at >= 2 && path_sep(trees, at - 2)
}

fn parse(path: &Path) -> Result<syn::File, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    syn::parse_file(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Each name a `use` tree brings in, with the path segments leading to it (globs bring in no
/// name of their own).
fn use_leaves(tree: &syn::UseTree, prefix: Vec<String>, out: &mut Vec<(Vec<String>, String)>) {
    match tree {
        syn::UseTree::Path(p) => {
            let mut prefix = prefix;
            prefix.push(p.ident.to_string());
            use_leaves(&p.tree, prefix, out);
        }
        syn::UseTree::Name(n) => {
            let mut segments = prefix;
            segments.push(n.ident.to_string());
            out.push((segments, n.ident.to_string()));
        }
        syn::UseTree::Rename(r) => {
            let mut segments = prefix;
            segments.push(r.ident.to_string());
            out.push((segments, r.rename.to_string()));
        }
        syn::UseTree::Group(g) => {
            for tree in &g.items {
                use_leaves(tree, prefix.clone(), out);
            }
        }
        syn::UseTree::Glob(_) => {}
    }
}

fn path_attr(attrs: &[syn::Attribute]) -> Option<String> {
    attrs.iter().find_map(|a| match &a.meta {
        syn::Meta::NameValue(nv) if nv.path.is_ident("path") => match &nv.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value()),
            _ => None,
        },
        _ => None,
    })
}

/// The attributes of `$item`, a `syn::$kind` enum, whose variants named here each hold a struct
/// with `attrs`; any other variant has none this check reads.
macro_rules! attrs_of {
    ($item:expr, $kind:ident: $($variant:ident),+) => {{
        use syn::$kind as Kind;
        match $item {
            $(Kind::$variant(i) => &i.attrs,)+
            _ => &[],
        }
    }};
}

fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    attrs_of!(item, Item: Const, Enum, ExternCrate, Fn, ForeignMod, Impl, Macro, Mod, Static,
        Struct, Trait, TraitAlias, Type, Union, Use)
}

fn impl_item_attrs(item: &syn::ImplItem) -> &[syn::Attribute] {
    attrs_of!(item, ImplItem: Const, Fn, Type, Macro)
}

/// The item is compiled only for tests: one of its `#[cfg(…)]` is false whenever `test` is.
fn test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        let syn::Meta::List(list) = &a.meta else {
            return false;
        };
        if !list.path.is_ident("cfg") {
            return false;
        }
        list.parse_args::<syn::Meta>()
            .map(|predicate| eval_without_test(&predicate) == Some(false))
            .unwrap_or(false)
    })
}

/// `all` (`decisive` false) or `any` (`decisive` true) of values that may be unknown: the
/// decisive value when one of them has it, the other when all have that, else unknown.
fn settled_by(values: &[Option<bool>], decisive: bool) -> Option<bool> {
    if values.contains(&Some(decisive)) {
        Some(decisive)
    } else if values.iter().all(|v| *v == Some(!decisive)) {
        Some(!decisive)
    } else {
        None
    }
}

/// A `cfg` predicate with `test` false: `Some(false)` when surely false, `Some(true)` when surely
/// true, `None` when it depends on something else.
fn eval_without_test(meta: &syn::Meta) -> Option<bool> {
    match meta {
        syn::Meta::Path(p) if p.is_ident("test") => Some(false),
        syn::Meta::List(list) => {
            let args = list
                .parse_args_with(
                    syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated,
                )
                .ok()?;
            let values: Vec<Option<bool>> = args.iter().map(eval_without_test).collect();
            if list.path.is_ident("not") {
                values.first().copied().flatten().map(|v| !v)
            } else if list.path.is_ident("all") {
                settled_by(&values, false)
            } else if list.path.is_ident("any") {
                settled_by(&values, true)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// One package of a workspace: its name and the root files of its targets with modules
/// (src/lib.rs, src/main.rs, or the `[lib]` path).
#[derive(Debug)]
pub struct Package {
    pub name: String,
    pub roots: Vec<PathBuf>,
}

/// The workspace's packages, read from its Cargo.toml's `members` (plain paths and `dir/*`).
pub fn workspace_packages(workspace: &Path) -> Result<Vec<Package>, String> {
    let manifest = read(&workspace.join("Cargo.toml"))?;
    let members_line = manifest
        .lines()
        .find(|l| l.trim_start().starts_with("members"))
        .ok_or("no workspace members")?;
    let mut dirs = Vec::new();
    for member in members_line.split('"').skip(1).step_by(2) {
        if let Some(parent) = member.strip_suffix("/*") {
            let mut found: Vec<PathBuf> = fs::read_dir(workspace.join(parent))
                .map_err(|e| format!("{parent}: {e}"))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.join("Cargo.toml").exists())
                .collect();
            found.sort();
            dirs.extend(found);
        } else {
            dirs.push(workspace.join(member));
        }
    }
    dirs.iter().map(|dir| package(dir)).collect()
}

fn package(dir: &Path) -> Result<Package, String> {
    let manifest = read(&dir.join("Cargo.toml"))?;
    let mut section = String::new();
    let mut name = None;
    let mut lib_path = None;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            section = line.to_string();
        } else if let Some((key, value)) = line.split_once('=') {
            let value = value.trim().trim_matches('"').to_string();
            match (section.as_str(), key.trim()) {
                ("[package]", "name") => name = Some(value),
                ("[lib]", "path") => lib_path = Some(dir.join(value)),
                _ => {}
            }
        }
    }
    let name = name.ok_or_else(|| format!("{}: no package name", dir.display()))?;
    let src = match &lib_path {
        Some(p) => p.parent().unwrap_or(dir).to_path_buf(),
        None => dir.join("src"),
    };
    let mut roots: Vec<PathBuf> = lib_path.into_iter().collect();
    for file in ["lib.rs", "main.rs"] {
        let path = src.join(file);
        if path.exists() && !roots.contains(&path) {
            roots.push(path);
        }
    }
    Ok(Package { name, roots })
}

fn read(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests;
