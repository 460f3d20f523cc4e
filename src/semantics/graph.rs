//! The order of evaluation. Values and rows may be written in any order, so they are
//! sorted by what they read. The nodes are a value's rules (not the value as a whole),
//! so `growth[year] = growth[2013] * 1.02 ^ (year - 2013)` with `growth[2013]` given is
//! no cycle. The walk is depth-first with an explicit stack, so that a long chain of
//! definitions cannot exhaust the call stack. A cycle is reported name by name, each
//! step labelled where the formula reads the next name.

use rustc_hash::FxHashMap as HashMap;

use super::program::{At, Node, Program, Reference, RowId, RuleKey, SectionId, ValueId};
use crate::diagnostic::{Code, Diagnostic, Span};

/// Everything to evaluate, dependencies first; members of a cycle are left out.
pub fn evaluation_order(program: &Program) -> (Vec<Node>, Vec<Diagnostic>) {
    Graph::new(program).sort(program)
}

struct Edge {
    to: usize,
    span: Span,
}

struct Graph {
    nodes: Vec<Node>,
    edges: Vec<Vec<Edge>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mark {
    Unvisited,
    OnPath,
    Done,
    InCycle,
}

/// Where each node is in the graph's list: rules by look-up, rows and sections by
/// arithmetic, since they follow the rules in order (a million rows need no map).
struct Positions {
    rules: HashMap<Node, usize>,
    first_row: usize,
    first_section: usize,
    sections: usize,
}

impl Positions {
    fn of(nodes: &[Node], program: &Program) -> Self {
        let first_row = nodes.len() - program.rows.len() - program.sections.len();
        Positions {
            rules: nodes[..first_row]
                .iter()
                .enumerate()
                .map(|(i, node)| (*node, i))
                .collect(),
            first_row,
            first_section: first_row + program.rows.len(),
            sections: program.sections.len(),
        }
    }

    fn get(&self, node: Node) -> Option<usize> {
        match node {
            Node::Rule(..) => self.rules.get(&node).copied(),
            Node::Row(row) => {
                (self.first_row + row.0 < self.first_section).then_some(self.first_row + row.0)
            }
            Node::Section(section) => {
                (section.0 < self.sections).then_some(self.first_section + section.0)
            }
        }
    }
}

impl Graph {
    fn new(program: &Program) -> Self {
        let mut nodes = Vec::new();
        for (index, value) in program.values.iter().enumerate() {
            nodes.extend(
                value
                    .keyed_rules()
                    .map(|(key, _)| Node::Rule(ValueId(index), key)),
            );
        }
        nodes.extend((0..program.rows.len()).map(|index| Node::Row(RowId(index))));
        nodes.extend((0..program.sections.len()).map(|index| Node::Section(SectionId(index))));
        let position = Positions::of(&nodes, program);

        let mut edges: Vec<Vec<Edge>> = nodes.iter().map(|_| Vec::new()).collect();
        for (from, node) in nodes.iter().enumerate() {
            let formula = match *node {
                Node::Rule(value, key) => program.value(value).rule(key).map(|rule| &rule.formula),
                Node::Row(row) => program.row(row).formula.as_deref(),
                Node::Section(section) => {
                    let section = program.section(section);
                    for row in &section.rows {
                        if let Some(to) = position.get(Node::Row(*row)) {
                            edges[from].push(Edge {
                                to,
                                span: section.span,
                            });
                        }
                    }
                    None
                }
            };
            let Some(formula) = formula else {
                continue;
            };
            let node = *node;
            formula.for_each_reference(&mut |reference, at, span| {
                let targets = match reference {
                    Reference::Row(row) => vec![Node::Row(row)],
                    Reference::Section(section) => vec![Node::Section(section)],
                    Reference::Value(value) => program
                        .value(value)
                        .rules_read_at(at)
                        .into_iter()
                        .map(|key| Node::Rule(value, key))
                        .collect(),
                };
                for target in targets {
                    // An earlier year of itself (`level[year - 1]`) is computed before
                    // the year that reads it: years are evaluated in order.
                    let earlier = matches!(at, At::Shifted(years) if years < 0);
                    if earlier && target == node {
                        continue;
                    }
                    if let Some(to) = position.get(target) {
                        edges[from].push(Edge { to, span });
                    }
                }
            });
        }
        Graph { nodes, edges }
    }

    fn sort(&self, program: &Program) -> (Vec<Node>, Vec<Diagnostic>) {
        let mut marks = vec![Mark::Unvisited; self.nodes.len()];
        let mut order = Vec::with_capacity(self.nodes.len());
        let mut diagnostics = Vec::new();
        // (node, index of the next edge to follow); one vector for every walk.
        let mut path: Vec<(usize, usize)> = Vec::new();
        for start in 0..self.nodes.len() {
            if marks[start] != Mark::Unvisited {
                continue;
            }
            path.clear();
            path.push((start, 0));
            marks[start] = Mark::OnPath;
            while let Some((node, next_edge)) = path.last_mut() {
                let node = *node;
                let Some(edge) = self.edges[node].get(*next_edge) else {
                    path.pop();
                    if marks[node] == Mark::OnPath {
                        marks[node] = Mark::Done;
                        order.push(self.nodes[node]);
                    }
                    continue;
                };
                *next_edge += 1;
                match marks[edge.to] {
                    Mark::Unvisited => {
                        marks[edge.to] = Mark::OnPath;
                        path.push((edge.to, 0));
                    }
                    Mark::OnPath => {
                        let cycle_start = path.iter().position(|(n, _)| *n == edge.to).unwrap_or(0);
                        let cycle: Vec<usize> =
                            path[cycle_start..].iter().map(|(n, _)| *n).collect();
                        diagnostics.push(self.cycle_diagnostic(program, &cycle));
                        for member in cycle {
                            marks[member] = Mark::InCycle;
                        }
                    }
                    Mark::Done | Mark::InCycle => {}
                }
            }
        }
        (order, diagnostics)
    }

    fn cycle_diagnostic(&self, program: &Program, cycle: &[usize]) -> Diagnostic {
        let names: Vec<String> = cycle.iter().map(|node| self.name(program, *node)).collect();
        let first = names.first().cloned().unwrap_or_default();
        let (message, help) = if cycle.len() == 1 {
            (
                format!("{first} is computed from itself"),
                format!("{first} must be an input, or be computed from other rows and values"),
            )
        } else {
            let path = names
                .iter()
                .chain(std::iter::once(&first))
                .cloned()
                .collect::<Vec<_>>();
            (
                format!(
                    "{first} is computed from itself, through {}",
                    names[1..].join(", ")
                ),
                format!(
                    "the cycle is {}; one of these must be an input or be computed from something else",
                    path.join(" → ")
                ),
            )
        };
        let mut diagnostic = Diagnostic::error(Code::NameCycle, message);
        for (i, node) in cycle.iter().enumerate() {
            let next = cycle[(i + 1) % cycle.len()];
            let span = self.edges[*node]
                .iter()
                .find(|edge| edge.to == next)
                .map(|edge| edge.span)
                .unwrap_or_default();
            let label = format!("{} reads {}", names[i], names[(i + 1) % names.len()]);
            diagnostic = if i == 0 {
                diagnostic.at(span, label)
            } else {
                diagnostic.with_label(span, label)
            };
        }
        diagnostic.with_help(help)
    }

    fn name(&self, program: &Program, node: usize) -> String {
        match self.nodes[node] {
            Node::Rule(value, key) => {
                let name = &program.value(value).name;
                match key {
                    RuleKey::Scalar => format!("`{name}`"),
                    RuleKey::Year(year) => format!("`{name}[{year}]`"),
                    RuleKey::EveryYear => format!("`{name}[year]`"),
                }
            }
            Node::Row(id) => {
                let row = program.row(id);
                match &row.name {
                    Some(name) => format!("`{name}`"),
                    None => format!("\"{}\"", row.label),
                }
            }
            Node::Section(id) => {
                let section = program.section(id);
                match &section.name {
                    Some(name) => format!("`{name}`"),
                    None => format!("\"{}\"", section.label),
                }
            }
        }
    }
}
