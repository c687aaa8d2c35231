//! The crate's modules import each other one way only: no module reaches, through any chain of
//! `crate::` paths, back to itself. Top-level modules are the nodes, and `lint`'s checks are
//! nodes of their own, since they share code through `lint::analysis`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src is readable") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The node a file belongs to: its top-level module, or `lint/<check>` inside `lint`.
fn node_of(relative: &Path) -> Option<String> {
    let parts: Vec<String> = relative
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    match parts.as_slice() {
        [only] if only == "lib" || only == "main" => None,
        [lint, check, ..] if lint == "lint" && check != "mod" => Some(format!("lint/{check}")),
        [first, ..] => Some(first.clone()),
        [] => None,
    }
}

/// The code of a file that is compiled into the library, less tests and comments.
fn code(text: &str) -> String {
    let without_tests = text.split("#[cfg(test)]").next().unwrap_or("");
    without_tests
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The nodes a file's code names: `crate::x` (and `crate::lint::x` for lint's checks), and
/// `super::x` inside `lint`.
fn references(code: &str, node: &str) -> BTreeSet<String> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut found = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        let first = ident(&code[i + "crate::".len()..]);
        if first == "lint" {
            let rest = &code[i + "crate::lint::".len().min(code.len())..];
            found.insert(format!("lint/{}", ident(rest)));
        } else if first.chars().next().is_some_and(char::is_lowercase) {
            found.insert(first);
        }
    }
    if node.starts_with("lint/") {
        for (i, _) in code.match_indices("super::") {
            found.insert(format!("lint/{}", ident(&code[i + "super::".len()..])));
        }
    }
    found
}

#[test]
fn modules_import_each_other_one_way() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let relative = file.strip_prefix(&src).expect("under src");
        let Some(node) = node_of(relative) else {
            continue;
        };
        let text = std::fs::read_to_string(file).expect("a source file");
        let refs = references(&code(&text), &node);
        graph.entry(node).or_default().extend(refs);
    }
    // Only edges between known nodes; `lint/x` for a name that is not a check file is `lint`.
    let nodes: BTreeSet<String> = graph.keys().cloned().collect();
    let edges: BTreeMap<String, BTreeSet<String>> = graph
        .iter()
        .map(|(from, tos)| {
            let tos = tos
                .iter()
                .map(|to| {
                    if nodes.contains(to) {
                        to.clone()
                    } else {
                        to.split('/').next().unwrap_or(to).to_string()
                    }
                })
                .filter(|to| {
                    to != from && nodes.contains(to) && !from.starts_with(&format!("{to}/"))
                })
                .collect();
            (from.clone(), tos)
        })
        .collect();
    assert!(edges.len() > 20, "the walk found the modules: {edges:?}");
    // Depth-first search for a path back to where it started.
    fn cycle_from(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(cycle) = cycle_from(next, edges, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for node in edges.keys() {
        let cycle = cycle_from(node, &edges, &mut Vec::new(), &mut done);
        assert!(
            cycle.is_none(),
            "import cycle: {}",
            cycle.unwrap_or_default().join(" -> ")
        );
    }
    // The layers at the bottom import nothing else from the crate.
    for leaf in ["span", "rules", "pattern", "value", "arn"] {
        assert_eq!(
            edges.get(leaf),
            Some(&BTreeSet::new()),
            "{leaf} imports {:?}",
            edges.get(leaf)
        );
    }
}
