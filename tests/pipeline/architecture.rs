//! The import graph has no circles: between the crate's top-level modules, and between the
//! modules inside each of them (the window's `state`, `events`, `jobs`, panels...). Read from
//! the sources: every `crate::` and `super::` path outside tests.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Module = Vec<String>;

/// Every module of `src/` with its source (tests cut off) and whether it is a `mod.rs`-like file.
fn modules() -> BTreeMap<Module, (String, bool)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = BTreeMap::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(&root).unwrap().with_extension("");
            let mut parts: Module = relative
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            let is_parent = matches!(
                parts.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            );
            if is_parent {
                parts.pop();
            }
            let source = std::fs::read_to_string(&path).unwrap();
            let source = source
                .split("#[cfg(test)]")
                .next()
                .unwrap_or_default()
                .to_string();
            out.insert(parts, (source, is_parent));
        }
    }
    out
}

/// The paths a source refers to, as modules (`crate::a::b::C` and `super::x`).
fn references(module: &Module, source: &str, is_parent: bool) -> Vec<Module> {
    let mut refs = Vec::new();
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == ':';
    for (prefix, base) in [
        ("crate::", Vec::new()),
        (
            "super::",
            if is_parent {
                module.clone()
            } else {
                module[..module.len().saturating_sub(1)].to_vec()
            },
        ),
    ] {
        let mut rest = source;
        while let Some(at) = rest.find(prefix) {
            let before = rest[..at].chars().last();
            rest = &rest[at + prefix.len()..];
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let path: String = rest.chars().take_while(|&c| ident(c)).collect();
            let mut parts: Vec<&str> = path.split("::").filter(|p| !p.is_empty()).collect();
            let mut target = base.clone();
            while parts.first() == Some(&"super") {
                parts.remove(0);
                target.pop();
            }
            target.extend(parts.iter().map(|p| p.to_string()));
            refs.push(target);
        }
    }
    refs
}

/// A cycle in `graph`, if there is one.
fn cycle(graph: &BTreeMap<Module, BTreeSet<Module>>) -> Option<Vec<Module>> {
    fn visit(
        node: &Module,
        graph: &BTreeMap<Module, BTreeSet<Module>>,
        path: &mut Vec<Module>,
        done: &mut BTreeSet<Module>,
    ) -> Option<Vec<Module>> {
        if let Some(k) = path.iter().position(|n| n == node) {
            return Some(path[k..].to_vec());
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.clone());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.clone());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_import_graph_has_no_circles() {
    let modules = modules();
    assert!(modules.len() > 50, "found {} modules", modules.len());
    // The module a path lands in: the longest known prefix.
    let resolve = |path: &Module| -> Option<Module> {
        (1..=path.len())
            .rev()
            .map(|k| path[..k].to_vec())
            .find(|m| modules.contains_key(m))
    };
    for depth in [1, 2] {
        let mut graph: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
        for (module, (source, is_parent)) in &modules {
            if module.is_empty() {
                continue;
            }
            for target in references(module, source, *is_parent) {
                let Some(target) = resolve(&target) else {
                    continue;
                };
                let (from, to) = (
                    module[..module.len().min(depth)].to_vec(),
                    target[..target.len().min(depth)].to_vec(),
                );
                // A parent module re-exporting its children is not a dependency back.
                if from != to && !(to.len() < from.len() && from.starts_with(&to)) {
                    graph.entry(from).or_default().insert(to);
                }
            }
        }
        assert_eq!(
            cycle(&graph),
            None,
            "a circle between modules at depth {depth}"
        );
    }
}
