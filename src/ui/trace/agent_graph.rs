//! A trace's agent graph: its agents, tools and model calls, who called whom and who handed off
//! to whom ([`crate::analysis::agent_graph`]), drawn as SVG; a project's, summed over its traces.
//! On a trace, a node (clicked, or Enter on it) marks its spans in the tree and timeline through
//! the trace search, which shows the filter.

use yew::prelude::*;

use crate::engine::messages::Query;
use crate::engine::protocol::SpanSelection;
use crate::present::agent_graph::{NODE_HEIGHT, NODE_WIDTH, drawing, filter_of};
use crate::ui::query::{shown, use_query};

/// The graph's properties.
#[derive(Properties, PartialEq)]
pub struct AgentGraphViewProps {
    /// The traces drawn: a trace, a project, what a filter shows.
    pub selection: SpanSelection,
    /// The loads version.
    pub version: u32,
    /// Marks spans: runs this filter as the trace's search (none: nodes only say).
    #[prop_or_default]
    pub on_mark: Option<Callback<String>>,
}

/// See the module docs.
#[component]
pub(crate) fn AgentGraphView(props: &AgentGraphViewProps) -> Html {
    let expanded = use_state(|| false);
    let answer = use_query(
        (props.selection.clone(), *expanded, props.version),
        |(selection, expanded, _)| Query::agent_graph(selection.clone(), *expanded),
    );
    let graph = match shown(
        answer,
        html! { <p class="muted">{"Drawing the agents…"}</p> },
    ) {
        Ok(graph) => graph,
        Err(instead) => return instead,
    };
    if graph.edges.is_empty() && graph.nodes.len() < 2 {
        return html! { <p class="muted agent-graph" data-testid="agent-graph">{"No agents or tools in this trace: nothing calls anything."}</p> };
    }
    let d = drawing(&graph);
    let toggle = {
        let expanded = expanded.clone();
        Callback::from(move |_: MouseEvent| expanded.set(!*expanded))
    };
    let name = |index: u32| graph.nodes[index as usize].name.clone();
    html! {
        <section class="agent-graph" data-testid="agent-graph" aria-label="Agent graph">
            <button class="button small" onclick={toggle} aria-pressed={expanded.to_string()} data-testid="agent-graph-expanded">
                { if *expanded { "One node per kind and name" } else { "One node per span" } }
            </button>
            <div class="agent-graph-scroll">
                <svg width={d.width.to_string()} height={d.height.to_string()} role="img" aria-label="Who called and handed off to whom">
                    { for graph.edges.iter().zip(&d.edges).map(|(edge, line)| html! {
                        <g class={classes!("agent-edge", format!("{:?}", edge.kind).to_lowercase())} data-testid="agent-edge"
                           data-from={name(edge.from)} data-to={name(edge.to)} data-count={edge.count.to_string()}>
                            <path d={line.path.clone()} />
                            <text x={line.label_x.to_string()} y={line.label_y.to_string()}>{ line.label.clone() }</text>
                        </g>
                    }) }
                    { for graph.nodes.iter().zip(&d.nodes).map(|(node, place)| {
                        let filter = filter_of(&node.spans);
                        let mark = props.on_mark.clone().map(|mark| { let filter = filter.clone(); Callback::from(move |_: MouseEvent| mark.emit(filter.clone())) });
                        let onkeydown = props.on_mark.clone().map(|mark| Callback::from(move |event: KeyboardEvent| if event.key() == "Enter" { mark.emit(filter.clone()) }));
                        html! {
                            <g class={classes!("agent-node", node.kind.to_lowercase())} data-testid="agent-node" data-name={node.name.clone()}
                               data-kind={node.kind.clone()} tabindex={props.on_mark.is_some().then_some("0")} role={props.on_mark.is_some().then_some("button")} onclick={mark} {onkeydown}
                               aria-label={format!("{} {}: mark its spans", node.kind, node.name)}>
                                <title>{ node.name.clone() }</title>
                                <rect x={place.x.to_string()} y={place.y.to_string()} width={NODE_WIDTH.to_string()} height={NODE_HEIGHT.to_string()} rx="6" />
                                <text x={(place.x + 8.0).to_string()} y={(place.y + 16.0).to_string()} class="title">{ place.title.clone() }</text>
                                <text x={(place.x + 8.0).to_string()} y={(place.y + 32.0).to_string()} class="sub">{ place.subtitle.clone() }</text>
                            </g>
                        }
                    }) }
                </svg>
            </div>
        </section>
    }
}
