//! The order of evaluation. Values and rows may be written in any order, so they are
//! sorted by what they read (a depth-first walk with an explicit stack, so that a long
//! chain of definitions cannot exhaust the call stack). A cycle is reported name by
//! name, each step labelled where the formula reads the next name.

use super::program::{Program, Reference, RowId, ValueId};
use crate::diagnostic::{Code, Diagnostic, Span};

/// Everything to evaluate, dependencies first; members of a cycle are left out.
pub fn evaluation_order(program: &Program) -> (Vec<Reference>, Vec<Diagnostic>) {
    let graph = Graph::new(program);
    graph.sort(program)
}

struct Edge {
    to: usize,
    span: Span,
}

struct Graph {
    values: usize,
    edges: Vec<Vec<Edge>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mark {
    Unvisited,
    OnPath,
    Done,
    InCycle,
}

impl Graph {
    fn new(program: &Program) -> Self {
        let values = program.values.len();
        let mut edges: Vec<Vec<Edge>> = (0..values + program.rows.len())
            .map(|_| Vec::new())
            .collect();
        let node = |reference: Reference| match reference {
            Reference::Value(ValueId(i)) => i,
            Reference::Row(RowId(i)) => values + i,
        };
        for (i, value) in program.values.iter().enumerate() {
            for rule in value.rules() {
                rule.formula
                    .for_each_reference(&mut |to, span| edges[i].push(Edge { to: node(to), span }));
            }
        }
        for (i, row) in program.rows.iter().enumerate() {
            if let Some(formula) = &row.formula {
                formula.for_each_reference(&mut |to, span| {
                    edges[values + i].push(Edge { to: node(to), span });
                });
            }
        }
        Graph { values, edges }
    }

    fn reference(&self, node: usize) -> Reference {
        if node < self.values {
            Reference::Value(ValueId(node))
        } else {
            Reference::Row(RowId(node - self.values))
        }
    }

    fn sort(&self, program: &Program) -> (Vec<Reference>, Vec<Diagnostic>) {
        let mut marks = vec![Mark::Unvisited; self.edges.len()];
        let mut order = Vec::with_capacity(self.edges.len());
        let mut diagnostics = Vec::new();
        for start in 0..self.edges.len() {
            if marks[start] != Mark::Unvisited {
                continue;
            }
            // (node, index of the next edge to follow)
            let mut path: Vec<(usize, usize)> = vec![(start, 0)];
            marks[start] = Mark::OnPath;
            while let Some((node, next_edge)) = path.last_mut() {
                let node = *node;
                let Some(edge) = self.edges[node].get(*next_edge) else {
                    path.pop();
                    if marks[node] == Mark::OnPath {
                        marks[node] = Mark::Done;
                        order.push(self.reference(node));
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
        let path = names
            .iter()
            .chain(std::iter::once(&first))
            .cloned()
            .collect::<Vec<_>>()
            .join(" → ");
        let message = if cycle.len() == 1 {
            format!("{first} is computed from itself")
        } else {
            format!(
                "{first} is computed from itself, through {}",
                names[1..].join(", ")
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
        diagnostic.with_help(format!(
            "the cycle is {path}; one of these must be an input or be computed from something else"
        ))
    }

    fn name(&self, program: &Program, node: usize) -> String {
        match self.reference(node) {
            Reference::Value(id) => format!("`{}`", program.value(id).name),
            Reference::Row(id) => {
                let row = program.row(id);
                match &row.name {
                    Some(name) => format!("`{name}`"),
                    None => format!("\"{}\"", row.label),
                }
            }
        }
    }
}
