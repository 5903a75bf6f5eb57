//! An agent graph drawn: where each node's box goes, each edge's curve and label, and what a
//! node's spans are as a filter (the trace search marks them).

use crate::analysis::agent_graph::{AgentGraph, EdgeKind};
use crate::present::format;

/// A box's width and height, px.
pub const NODE_WIDTH: f64 = 160.0;
/// See [`NODE_WIDTH`].
pub const NODE_HEIGHT: f64 = 40.0;
/// Room between layers and between rows, px.
const COLUMN: f64 = 250.0;
const ROW: f64 = 60.0;
const MARGIN: f64 = 8.0;

/// A node's box.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeBox {
    /// Its top-left corner, px.
    pub x: f64,
    /// See `x`.
    pub y: f64,
    /// Its name, cut to fit.
    pub title: String,
    /// Its kind, how many spans, how long in all (`TOOL · 2× · 1.2s`).
    pub subtitle: String,
}

/// An edge's curve and its label.
#[derive(Clone, Debug, PartialEq)]
pub struct EdgeLine {
    /// The SVG path.
    pub path: String,
    /// Where the label goes, px.
    pub label_x: f64,
    /// See `label_x`.
    pub label_y: f64,
    /// `3× · 1.20s` (times, and the time spent in the target), or `hands off 1×`.
    pub label: String,
}

/// The whole drawing.
#[derive(Clone, Debug, PartialEq)]
pub struct Drawing {
    /// Its size, px.
    pub width: f64,
    /// See `width`.
    pub height: f64,
    /// Per node of the graph, in its order.
    pub nodes: Vec<NodeBox>,
    /// Per edge of the graph, in its order.
    pub edges: Vec<EdgeLine>,
}

/// The graph laid out: layers left to right, rows top to bottom; an edge leaves a box's right
/// side and enters the target's left side, through its waypoints' slots in the layers between
/// (a curve below both when it goes back left).
pub fn drawing(graph: &AgentGraph) -> Drawing {
    let at = |layer: u32, row: u32| {
        (
            MARGIN + f64::from(layer) * COLUMN,
            MARGIN + f64::from(row) * ROW,
        )
    };
    let nodes: Vec<NodeBox> = (graph.nodes.iter())
        .map(|node| {
            let (x, y) = at(node.layer, node.row);
            let count = node.spans.len();
            let times = match count {
                0 => String::new(),
                n => format!(" · {n}× · {}", format::duration(node.nanos)),
            };
            NodeBox {
                x,
                y,
                title: crate::analysis::preview(&node.name, 22),
                subtitle: format!("{}{times}", node.kind),
            }
        })
        .collect();
    let edges = (graph.edges.iter())
        .map(|edge| {
            let (from, to) = (&nodes[edge.from as usize], &nodes[edge.to as usize]);
            let (x1, y1) = (from.x + NODE_WIDTH, from.y + NODE_HEIGHT / 2.0);
            let (x2, y2) = (to.x, to.y + NODE_HEIGHT / 2.0);
            let path = match x2 > x1 {
                true => {
                    let first_layer = graph.nodes[edge.from as usize].layer + 1;
                    let mut path = format!("M{x1},{y1}");
                    let mut last = (x1, y1);
                    for (i, &row) in edge.waypoints.iter().enumerate() {
                        let (x, y) = at(first_layer + i as u32, row);
                        let y = y + NODE_HEIGHT / 2.0;
                        path.push_str(&curve(last, (x, y)));
                        path.push_str(&format!(" L{},{y}", x + NODE_WIDTH));
                        last = (x + NODE_WIDTH, y);
                    }
                    path.push_str(&curve(last, (x2, y2)));
                    path
                }
                // Back to the left (or within a layer): around, below both boxes.
                false => {
                    let below = from.y.max(to.y) + NODE_HEIGHT + ROW / 3.0;
                    format!(
                        "M{x1},{y1} C{},{below} {},{below} {x2},{y2}",
                        x1 + 40.0,
                        x2 - 40.0
                    )
                }
            };
            let label = match edge.kind {
                EdgeKind::Call => format!("{}× · {}", edge.count, format::duration(edge.nanos)),
                EdgeKind::Handoff => format!("hands off {}×", edge.count),
            };
            // The label over the first stretch, where the edge leaves its source.
            let (lx, ly) = match edge.waypoints.first() {
                Some(&row) if x2 > x1 => {
                    let (x, y) = at(graph.nodes[edge.from as usize].layer + 1, row);
                    (x, y + NODE_HEIGHT / 2.0)
                }
                _ => (x2, y2),
            };
            EdgeLine {
                path,
                label_x: (x1 + lx) / 2.0,
                label_y: (y1 + ly) / 2.0 - 4.0,
                label,
            }
        })
        .collect();
    let width = (graph.nodes.iter().map(|n| n.layer).max())
        .map_or(0.0, |l| at(l, 0).0 + NODE_WIDTH + MARGIN);
    let waypoint_rows = graph.edges.iter().flat_map(|e| e.waypoints.iter().copied());
    let height = (graph.nodes.iter().map(|n| n.row).chain(waypoint_rows).max())
        .map_or(0.0, |r| at(0, r).1 + NODE_HEIGHT + ROW / 2.0 + MARGIN);
    Drawing {
        width,
        height,
        nodes,
        edges,
    }
}

/// A curve from `from` to `to`, leaving and arriving level: ` C… x,y`.
fn curve((x1, y1): (f64, f64), (x2, y2): (f64, f64)) -> String {
    let bend = (x2 - x1) / 2.0;
    format!(" C{},{y1} {},{y2} {x2},{y2}", x1 + bend, x2 - bend)
}

/// The trace search that marks `spans`: `span_id in ['…', …]`.
pub fn filter_of(spans: &[String]) -> String {
    let ids: Vec<String> = spans.iter().map(|id| format!("'{id}'")).collect();
    format!("span_id in [{}]", ids.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::agent_graph::{GraphEdge, GraphNode};

    fn node(name: &str, layer: u32, row: u32, spans: usize) -> GraphNode {
        GraphNode {
            kind: "AGENT".into(),
            name: name.into(),
            spans: (0..spans).map(|i| format!("{i:016x}")).collect(),
            nanos: 1_500_000_000,
            layer,
            row,
        }
    }

    #[test]
    fn an_edge_over_a_layer_runs_through_its_waypoint_slot() {
        let edge = |from, to, waypoints| GraphEdge {
            from,
            to,
            kind: EdgeKind::Call,
            count: 1,
            nanos: 0,
            waypoints,
        };
        let graph = AgentGraph {
            nodes: vec![node("a", 0, 0, 1), node("b", 1, 0, 1), node("c", 2, 0, 1)],
            edges: vec![edge(0, 1, vec![]), edge(1, 2, vec![]), edge(0, 2, vec![1])],
        };
        let d = drawing(&graph);
        // Through row 1 of layer 1, under b: in at its left, out at its right.
        let slot_y = 8.0 + ROW + NODE_HEIGHT / 2.0;
        assert!(
            d.edges[2]
                .path
                .contains(&format!(" L{},{slot_y}", 8.0 + COLUMN + NODE_WIDTH)),
            "{}",
            d.edges[2].path
        );
        assert!(
            d.edges[2]
                .path
                .contains(&format!("{},{slot_y}", 8.0 + COLUMN))
        );
        assert!(d.height >= slot_y + NODE_HEIGHT / 2.0);
        assert_eq!(d.edges[0].path.matches('C').count(), 1);
    }

    #[test]
    fn boxes_go_by_layer_and_row_and_edges_run_right_or_around_below() {
        let graph = AgentGraph {
            nodes: vec![
                node("Triage agent", 0, 0, 1),
                node("a rather long weather agent name", 1, 1, 2),
            ],
            edges: vec![
                GraphEdge {
                    from: 0,
                    to: 1,
                    kind: EdgeKind::Handoff,
                    count: 1,
                    nanos: 0,
                    waypoints: Vec::new(),
                },
                GraphEdge {
                    from: 1,
                    to: 0,
                    kind: EdgeKind::Call,
                    count: 3,
                    nanos: 1_200_000_000,
                    waypoints: Vec::new(),
                },
            ],
        };
        let d = drawing(&graph);
        assert_eq!((d.nodes[0].x, d.nodes[0].y), (8.0, 8.0));
        assert_eq!((d.nodes[1].x, d.nodes[1].y), (258.0, 68.0));
        assert_eq!(d.nodes[1].title, "a rather long weather …");
        assert_eq!(d.nodes[1].subtitle, "AGENT · 2× · 1.50s");
        assert_eq!(d.edges[0].label, "hands off 1×");
        assert!(d.edges[0].path.starts_with("M168,28 C213,28"));
        assert_eq!(d.edges[1].label, "3× · 1.20s");
        assert!(
            d.edges[1].path.contains("C458,"),
            "back to the left goes around: {}",
            d.edges[1].path
        );
        assert_eq!((d.width, d.height), (426.0, 146.0));
        assert_eq!(
            filter_of(&graph.nodes[1].spans),
            "span_id in ['0000000000000000', '0000000000000001']"
        );
    }
}
