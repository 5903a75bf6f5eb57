//! ARCHITECTURE.md's rules about the browser edge, checked on the source: the UI's modules import
//! each other without a circle, and only the two transport files post messages between the page
//! and the worker.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn source(relative: &str) -> (PathBuf, Vec<PathBuf>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files.sort();
    (root, files)
}

/// `ui/trace/page.rs` → `trace::page`; `ui/trace/mod.rs` → `trace`; `ui/mod.rs` → ``.
fn module_of(root: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(root).unwrap_or(file).with_extension("");
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .filter(|part| part != "mod")
        .collect();
    parts.join("::")
}

/// The UI modules a file names through `crate::ui::…` (the longest path that is a module).
fn imports(text: &str, modules: &BTreeSet<String>, own: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (at, _) in text.match_indices("crate::ui::") {
        let rest = &text[at + "crate::ui::".len()..];
        let path: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        let parts: Vec<&str> = path.split("::").filter(|p| !p.is_empty()).collect();
        let module = (1..=parts.len())
            .rev()
            .map(|n| parts[..n].join("::"))
            .find(|candidate| modules.contains(candidate));
        if let Some(module) = module.filter(|m| m != own) {
            found.insert(module);
        }
    }
    found
}

fn find_circle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|n| n == node) {
            let mut circle = path[start..].to_vec();
            circle.push(node.to_owned());
            return Some(circle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(circle) = visit(next, graph, path, done) {
                return Some(circle);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_ui_modules_import_each_other_without_a_circle() {
    let (root, files) = source("src/ui");
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(&root, f)).collect();
    assert!(modules.contains("trace::waterfall") && modules.contains("context"));
    let graph: BTreeMap<String, BTreeSet<String>> = files
        .iter()
        .map(|file| {
            let module = module_of(&root, file);
            let text = std::fs::read_to_string(file).unwrap_or_default();
            let found = imports(&text, &modules, &module);
            (module, found)
        })
        .collect();
    assert!(
        graph["trace::waterfall"].contains("common::virtual_list"),
        "imports are found"
    );
    assert_eq!(find_circle(&graph), None);
    assert!(
        graph["context"].is_empty(),
        "context is a leaf: {:?}",
        graph["context"]
    );
}

#[test]
fn a_circle_is_found_when_there_is_one() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec![]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.into_iter().map(str::to_owned).collect()))
    .collect();
    assert_eq!(
        find_circle(&graph),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
}

#[test]
fn only_the_transport_files_post_messages_between_page_and_worker() {
    let (root, files) = source("src");
    let posting: Vec<String> = files
        .iter()
        .filter(|file| {
            let text = std::fs::read_to_string(file).unwrap_or_default();
            text.contains("post_message")
        })
        .map(|file| {
            file.strip_prefix(&root)
                .unwrap_or(file)
                .display()
                .to_string()
        })
        .collect();
    // The page and the worker; the worker's tabs channel; the worker and its helper;
    // the embedded page and its host.
    assert_eq!(
        posting,
        [
            "embed/frame.rs",
            "engine/helper.rs",
            "engine/worker.rs",
            "ui/bridge.rs"
        ],
        "postMessage between page and worker belongs to ui/bridge.rs and engine/worker.rs"
    );
}
