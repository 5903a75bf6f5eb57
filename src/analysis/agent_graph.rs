//! Agents at a glance: who called whom, and who handed off to whom, in one trace or over many.
//!
//! Nodes are the spans that take part as actors — agents, tools, model calls (by model),
//! retrievers, embedders, rerankers, guardrails — grouped by kind and name (*aggregated*) or one
//! per span (*expanded*); the spans between them (chains, turns) are walked through. An edge goes
//! from a node's nearest actor ancestor to it (*call*), or from an agent to the agent it handed off
//! to (*hand-off*: OpenAI Agents' `handoff to …` spans, OpenInference's `graph.node.parent_id`,
//! and an agent span's links to another agent's span, in any of the traces drawn);
//! each edge counts its occurrences and the time spent in its target. Kinds are the normalized
//! ones read at ingest, so OpenInference and the GenAI conventions draw the same graph.
//!
//! The layout is layered, left to right (Sugiyama's method, simply): a node's layer is its longest
//! path from a root over edges that do not close a cycle; an edge that spans several layers gets a
//! waypoint in each layer between, which takes a row there as a node does, so no edge crosses a
//! box; each layer is ordered by the mean position of its neighbours in the layer before (two
//! sweeps), which removes most crossings in graphs of this size.

use hashbrown::HashMap;
use serde::{Deserialize, Serialize};

use crate::analysis::NO_ROW;
use crate::analysis::Trace;
use crate::model::{Arena, OiKind, Span, SpanId, TraceId};

/// An edge's meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EdgeKind {
    /// The target ran inside the source.
    Call,
    /// The source agent handed the conversation to the target agent.
    Handoff,
}

/// One node: an actor, or a group of them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GraphNode {
    /// Its kind (`AGENT`, `TOOL`, `LLM`, …).
    pub kind: String,
    /// Its name: the agent's or tool's, the model's, else the span's.
    pub name: String,
    /// The spans it stands for (hex ids).
    pub spans: Vec<String>,
    /// Time spent in them, ns.
    pub nanos: u64,
    /// Its layer (left to right) and its place in the layer (top to bottom).
    pub layer: u32,
    /// See `layer`.
    pub row: u32,
}

/// One edge.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GraphEdge {
    /// Source and target, as indices of [`AgentGraph::nodes`].
    pub from: u32,
    /// See `from`.
    pub to: u32,
    /// Call or hand-off.
    pub kind: EdgeKind,
    /// How many times.
    pub count: u32,
    /// Time spent in the target over those times, ns.
    pub nanos: u64,
    /// The rows it passes through in each layer between its source's and its target's, in order
    /// (none when they are neighbours, or when it goes back left).
    pub waypoints: Vec<u32>,
}

/// The graph of some traces.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AgentGraph {
    /// The nodes, by layer then row.
    pub nodes: Vec<GraphNode>,
    /// The edges.
    pub edges: Vec<GraphEdge>,
}

/// Most waypoint stand-ins laid out in one graph.
const MAX_STAND_INS: usize = 5_000;

/// What OpenAI Agents names a hand-off span.
const HANDOFF: &str = "handoff to ";

/// The agent graph of `traces`: one node per kind and name (`expanded`: per span).
pub fn agent_graph(arena: &Arena, traces: &[&Trace], expanded: bool) -> AgentGraph {
    let mut graph = Builder::default();
    // Agents' spans, and the spans agents link to: hand-offs once every trace is walked.
    let mut agent_of_span: HashMap<(TraceId, SpanId), u32> = HashMap::new();
    let mut linked: Vec<((TraceId, SpanId), u32)> = Vec::new();
    for trace in traces {
        // The nearest actor above each span of the trace (by its tree row), as node indices.
        let mut actor_of_row: Vec<Option<u32>> = vec![None; trace.tree.span.len()];
        for (row, &index) in trace.tree.span.iter().enumerate() {
            let span = &arena.spans()[index as usize];
            let parent = trace.tree.parent.get(row).copied().unwrap_or(NO_ROW);
            let above = (parent != NO_ROW)
                .then(|| actor_of_row.get(parent as usize).copied().flatten())
                .flatten();
            let duration = span.end_unix_nanos.saturating_sub(span.start_unix_nanos);
            if let Some(target) = arena
                .str(span.name)
                .strip_prefix(HANDOFF)
                .filter(|_| span.oi_kind == OiKind::Tool)
            {
                // A hand-off: from the agent that made it to the agent named.
                let to = graph.node(OiKind::Agent, target, None);
                if let Some(from) = above {
                    graph.edge(from, to, EdgeKind::Handoff, 0);
                }
                actor_of_row[row] = above;
                continue;
            }
            let Some(name) = actor_name(arena, span) else {
                actor_of_row[row] = above;
                continue;
            };
            let node = graph.node(span.oi_kind, &name, expanded.then_some(index));
            graph.member(node, span.span_id.to_string(), duration);
            if let Some(from) = above {
                graph.edge(from, node, EdgeKind::Call, duration);
            }
            if span.oi_kind == OiKind::Agent {
                agent_of_span.insert((span.trace_id, span.span_id), node);
                let links = arena.links(span.links).iter();
                linked.extend(links.map(|l| ((l.trace_id, l.span_id), node)));
            }
            if let Some(parent) = text(arena, span, &["graph.node.parent_id"]) {
                let from = graph.node(OiKind::Agent, &parent, None);
                if from != node && !graph.has_edge(from, node, EdgeKind::Handoff) {
                    graph.edge(from, node, EdgeKind::Handoff, 0);
                }
            }
            actor_of_row[row] = Some(node);
        }
    }
    for (span, to) in linked {
        match agent_of_span.get(&span) {
            Some(&from) if from != to => graph.edge(from, to, EdgeKind::Handoff, 0),
            _ => {}
        }
    }
    graph.laid_out()
}

/// The name a span takes part under, if it is an actor.
fn actor_name(arena: &Arena, span: &Span) -> Option<String> {
    let name = match span.oi_kind {
        OiKind::Agent => text(arena, span, &["agent.name", "gen_ai.agent.name"]),
        OiKind::Tool => text(arena, span, &["tool.name", "gen_ai.tool.name"]),
        OiKind::Llm | OiKind::Embedding => arena.call(span).and_then(|call| {
            [call.request_model, call.response_model]
                .into_iter()
                .map(|model| arena.str(model))
                .find(|model| !model.is_empty())
                .map(str::to_owned)
        }),
        OiKind::Retriever | OiKind::Reranker | OiKind::Guardrail => None,
        OiKind::Chain | OiKind::Evaluator | OiKind::Prompt | OiKind::Unknown => return None,
    };
    Some(name.unwrap_or_else(|| arena.str(span.name).to_owned()))
}

/// The first of `keys` that `span` has as text.
fn text(arena: &Arena, span: &Span, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|key| {
        let key = arena.strings().lookup(key)?;
        arena
            .attribute_str(span.attributes, key)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    })
}

#[derive(Default)]
struct Builder {
    nodes: Vec<GraphNode>,
    by_key: HashMap<(OiKind, String, Option<u32>), u32>,
    edges: Vec<GraphEdge>,
    by_edge: HashMap<(u32, u32, EdgeKind), usize>,
}

impl Builder {
    /// The node of `kind` and `name` (and `span`, expanded), made if new.
    fn node(&mut self, kind: OiKind, name: &str, span: Option<u32>) -> u32 {
        let key = (kind, name.to_owned(), span);
        if let Some(&node) = self.by_key.get(&key) {
            return node;
        }
        let node = self.nodes.len() as u32;
        self.nodes.push(GraphNode {
            kind: kind.name().to_owned(),
            name: name.to_owned(),
            spans: Vec::new(),
            nanos: 0,
            layer: 0,
            row: 0,
        });
        self.by_key.insert(key, node);
        node
    }

    fn member(&mut self, node: u32, span: String, nanos: u64) {
        let node = &mut self.nodes[node as usize];
        node.spans.push(span);
        node.nanos += nanos;
    }

    fn has_edge(&self, from: u32, to: u32, kind: EdgeKind) -> bool {
        self.by_edge.contains_key(&(from, to, kind))
    }

    fn edge(&mut self, from: u32, to: u32, kind: EdgeKind, nanos: u64) {
        let at = *self.by_edge.entry((from, to, kind)).or_insert_with(|| {
            self.edges.push(GraphEdge {
                from,
                to,
                kind,
                count: 0,
                nanos: 0,
                waypoints: Vec::new(),
            });
            self.edges.len() - 1
        });
        self.edges[at].count += 1;
        self.edges[at].nanos += nanos;
    }

    /// Layers (longest path over edges that close no cycle), rows (ordered by the mean row of
    /// their neighbours in the layer before), then nodes sorted by layer and row.
    fn laid_out(mut self) -> AgentGraph {
        let n = self.nodes.len();
        let mut outgoing: Vec<Vec<u32>> = vec![Vec::new(); n];
        for edge in &self.edges {
            outgoing[edge.from as usize].push(edge.to);
        }
        // Depth-first from every node in order: an edge to a node on the stack closes a cycle.
        let mut state = vec![0_u8; n];
        let mut order = Vec::with_capacity(n);
        let mut forward: Vec<(u32, u32)> = Vec::new();
        for start in 0..n {
            if state[start] != 0 {
                continue;
            }
            let mut stack = vec![(start, 0_usize)];
            state[start] = 1;
            while let Some(&mut (node, ref mut next)) = stack.last_mut() {
                match outgoing[node].get(*next).copied() {
                    Some(to) => {
                        *next += 1;
                        match state[to as usize] {
                            0 => {
                                forward.push((node as u32, to));
                                state[to as usize] = 1;
                                stack.push((to as usize, 0));
                            }
                            2 => forward.push((node as u32, to)),
                            _ => {}
                        }
                    }
                    None => {
                        state[node] = 2;
                        order.push(node);
                        stack.pop();
                    }
                }
            }
        }
        // Reverse post-order is a topological order of the forward edges.
        let mut forward_from: Vec<Vec<u32>> = vec![Vec::new(); n];
        for &(from, to) in &forward {
            forward_from[from as usize].push(to);
        }
        let mut layer = vec![0_u32; n];
        for &node in order.iter().rev() {
            for &to in &forward_from[node] {
                layer[to as usize] = layer[to as usize].max(layer[node] + 1);
            }
        }
        // Waypoints: a stand-in node in each layer a forward edge passes over, chained.
        let mut links: Vec<(usize, usize)> = Vec::new();
        let mut stand_ins: Vec<Vec<usize>> = vec![Vec::new(); self.edges.len()];
        let forward: hashbrown::HashSet<(u32, u32)> = forward.into_iter().collect();
        for (e, edge) in self.edges.iter().enumerate() {
            let (from, to) = (edge.from as usize, edge.to as usize);
            if !forward.contains(&(edge.from, edge.to)) {
                continue;
            }
            let mut last = from;
            // Past the bound (a long chain of hand-offs, one node per span) the rest are drawn
            // as plain curves: stand-ins grow as the square of such a chain.
            let passes = layer[to].saturating_sub(layer[from] + 1) as usize;
            let room = layer.len() - n + passes <= MAX_STAND_INS;
            for passed in (layer[from] + 1..layer[to]).filter(|_| room) {
                let stand_in = layer.len();
                layer.push(passed);
                stand_ins[e].push(stand_in);
                links.push((last, stand_in));
                last = stand_in;
            }
            links.push((last, to));
        }
        let all = layer.len();
        let layers = layer.iter().max().map_or(0, |&l| l + 1);
        let mut incoming: Vec<Vec<usize>> = vec![Vec::new(); all];
        for &(from, to) in &links {
            incoming[to].push(from);
        }
        let mut by_layer: Vec<Vec<usize>> = vec![Vec::new(); layers as usize];
        for node in 0..all {
            by_layer[layer[node] as usize].push(node);
        }
        let mut rows: Vec<f64> = (0..all).map(|i| i as f64).collect();
        for _ in 0..2 {
            for nodes in by_layer.iter().skip(1) {
                for &node in nodes {
                    let above = &incoming[node];
                    if !above.is_empty() {
                        rows[node] =
                            above.iter().map(|&from| rows[from]).sum::<f64>() / above.len() as f64;
                    }
                }
            }
        }
        let mut placed: Vec<usize> = (0..all).collect();
        placed.sort_by(|&a, &b| {
            (layer[a], rows[a], a)
                .partial_cmp(&(layer[b], rows[b], b))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        let mut row_of = vec![0_u32; all];
        let mut next_row: HashMap<u32, u32> = HashMap::new();
        for &node in &placed {
            let row = next_row.entry(layer[node]).or_default();
            row_of[node] = *row;
            *row += 1;
        }
        let real: Vec<usize> = placed.into_iter().filter(|&node| node < n).collect();
        let mut new_index = vec![0_u32; n];
        for (position, &old) in real.iter().enumerate() {
            new_index[old] = position as u32;
            self.nodes[old].layer = layer[old];
            self.nodes[old].row = row_of[old];
        }
        let mut nodes: Vec<Option<GraphNode>> = self.nodes.into_iter().map(Some).collect();
        let nodes = real.iter().filter_map(|&old| nodes[old].take()).collect();
        for (edge, stand_ins) in self.edges.iter_mut().zip(stand_ins) {
            edge.from = new_index[edge.from as usize];
            edge.to = new_index[edge.to as usize];
            edge.waypoints = stand_ins.into_iter().map(|s| row_of[s]).collect();
        }
        AgentGraph {
            nodes,
            edges: self.edges,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Traces;
    use crate::testutil::fixture;

    fn graph_of(files: &[&str], expanded: bool) -> AgentGraph {
        let mut arena = Arena::default();
        for file in files {
            crate::ingest::load(&mut arena, file, &fixture(&format!("genai/{file}")));
        }
        let traces = Traces::assemble(&arena);
        let all: Vec<&Trace> = traces.all().iter().collect();
        agent_graph(&arena, &all, expanded)
    }

    /// Edges as `from -kind(count)-> to`, by node name.
    fn edges(graph: &AgentGraph) -> Vec<String> {
        let mut said: Vec<String> = (graph.edges.iter())
            .map(|e| {
                let (from, to) = (&graph.nodes[e.from as usize], &graph.nodes[e.to as usize]);
                format!("{} -{:?}({})-> {}", from.name, e.kind, e.count, to.name)
            })
            .collect();
        said.sort();
        said
    }

    #[test]
    fn an_edge_over_a_layer_passes_beside_the_box_there() {
        let mut graph = Builder::default();
        let a = graph.node(OiKind::Agent, "A", None);
        let b = graph.node(OiKind::Agent, "B", None);
        let c = graph.node(OiKind::Tool, "C", None);
        let d = graph.node(OiKind::Tool, "D", None);
        graph.edge(a, b, EdgeKind::Call, 1);
        graph.edge(b, c, EdgeKind::Call, 1);
        graph.edge(a, c, EdgeKind::Call, 1);
        graph.edge(a, d, EdgeKind::Call, 1);
        let laid = graph.laid_out();
        let named = |name: &str| laid.nodes.iter().find(|n| n.name == name).unwrap();
        assert_eq!(
            (named("A").layer, named("B").layer, named("C").layer),
            (0, 1, 2)
        );
        let index = |name: &str| laid.nodes.iter().position(|n| n.name == name).unwrap() as u32;
        let long = (laid.edges.iter())
            .find(|e| e.from == index("A") && e.to == index("C"))
            .unwrap();
        assert_eq!(long.waypoints.len(), 1, "one layer passed over");
        let taken: Vec<u32> = (laid.nodes.iter())
            .filter(|n| n.layer == 1)
            .map(|n| n.row)
            .collect();
        assert!(!taken.contains(&long.waypoints[0]), "{taken:?} {long:?}");
        assert!(
            laid.edges
                .iter()
                .filter(|e| e != &long)
                .all(|e| e.waypoints.is_empty())
        );
    }

    #[test]
    fn an_agent_linking_to_another_agents_span_is_handed_off_to() {
        let mut arena = Arena::default();
        use crate::testutil::TestValue::Str;
        let planner = [
            ("openinference.span.kind", Str("AGENT")),
            ("agent.name", Str("Planner")),
        ];
        let writer = [
            ("openinference.span.kind", Str("AGENT")),
            ("agent.name", Str("Writer")),
        ];
        let first = crate::testutil::TestSpan {
            trace: 1,
            id: 10,
            name: "planner",
            end: 10,
            attributes: &planner,
            ..Default::default()
        };
        crate::testutil::push(&mut arena, first);
        let second = crate::testutil::TestSpan {
            trace: 2,
            id: 20,
            name: "writer",
            start: 20,
            end: 30,
            attributes: &writer,
            links: &[(1, 10)],
            ..Default::default()
        };
        crate::testutil::push(&mut arena, second);
        let traces = Traces::assemble(&arena);
        let all: Vec<&Trace> = traces.all().iter().collect();
        assert_eq!(
            edges(&agent_graph(&arena, &all, false)),
            ["Planner -Handoff(1)-> Writer"]
        );
    }

    #[test]
    fn the_triage_agent_hands_off_to_the_weather_agent_which_calls_its_tool() {
        let graph = graph_of(&["openai-agents-01.otlp.pb"], false);
        assert_eq!(
            edges(&graph),
            [
                "Agent workflow -Call(1)-> Triage agent",
                "Agent workflow -Call(1)-> Weather agent",
                "Triage agent -Call(1)-> gpt-4o-mini-2024-07-18",
                "Triage agent -Handoff(1)-> Weather agent",
                "Weather agent -Call(1)-> get_weather",
                "Weather agent -Call(2)-> gpt-4.1-mini-2025-04-14",
            ]
        );
        let kinds: Vec<(&str, &str)> = graph
            .nodes
            .iter()
            .map(|n| (n.name.as_str(), n.kind.as_str()))
            .collect();
        assert!(
            kinds.contains(&("get_weather", "TOOL")) && kinds.contains(&("Weather agent", "AGENT"))
        );
        // Left to right: the workflow, the agents, then what they called.
        let layer = |name: &str| graph.nodes.iter().find(|n| n.name == name).map(|n| n.layer);
        assert_eq!(layer("Agent workflow"), Some(0));
        assert!(
            layer("Triage agent") < layer("Weather agent"),
            "the hand-off goes right"
        );
        assert!(layer("Weather agent") < layer("get_weather"));
        // Nodes come in layer order, rows counted per layer.
        assert!(
            graph
                .nodes
                .windows(2)
                .all(|w| (w[0].layer, w[0].row) < (w[1].layer, w[1].row))
        );
    }

    #[test]
    fn the_genai_conventions_draw_their_agents_and_tools_too() {
        assert_eq!(
            edges(&graph_of(&["pydantic-ai-01.otlp.pb"], false)),
            [
                "weather_agent -Call(1)-> get_weather",
                "weather_agent -Call(2)-> gpt-4o-mini"
            ]
        );
        assert_eq!(
            edges(&graph_of(&["vercel-ai-01.otlp.pb"], false)),
            [
                "weather-chat -Call(1)-> get_weather",
                "weather-chat -Call(2)-> gpt-4o"
            ]
        );
        // One model call alone: one node, nothing between.
        let single = graph_of(&["otelv2-latest-01.otlp.pb"], false);
        assert_eq!((single.nodes.len(), single.edges.len()), (1, 0));
    }

    #[test]
    fn a_project_graph_sums_its_runs_and_an_expanded_one_has_a_node_per_span() {
        let two = graph_of(
            &["openai-agents-01.otlp.pb", "openai-agents-02.otlp.pb"],
            false,
        );
        let one = graph_of(&["openai-agents-01.otlp.pb"], false);
        let count = |graph: &AgentGraph, line: &str| {
            edges(graph).iter().find(|e| e.starts_with(line)).cloned()
        };
        assert_eq!(
            count(&one, "Triage agent -Handoff"),
            Some("Triage agent -Handoff(1)-> Weather agent".into())
        );
        // The two runs (a hand-off, then a chat-completions agent) share the workflow and the
        // tool: their nodes stand for both runs' spans.
        let spans = |name: &str| {
            two.nodes
                .iter()
                .find(|n| n.name == name)
                .map(|n| n.spans.len())
        };
        assert_eq!(
            (spans("Agent workflow"), spans("get_weather")),
            (Some(2), Some(2))
        );
        assert!(count(&two, "Weather agent (chat completions) -Call(2)-> gpt-4o").is_some());
        let expanded = graph_of(&["openai-agents-01.otlp.pb"], true);
        let models = expanded
            .nodes
            .iter()
            .filter(|n| n.name == "gpt-4.1-mini-2025-04-14")
            .count();
        assert_eq!(models, 2, "one node per call");
    }
}
