//! The redaction step: which rules take secrets out (built-in ones, attribute keys dropped,
//! the user's own patterns), what they would change in the selection (a preview, per rule, with
//! examples), and the rules as a file to download or open. The engine holds the rules in use
//! and keeps them; export, share and send apply them when secrets are to be taken out.

use std::rc::Rc;

use yew::platform::spawn_local;
use yew::prelude::*;

use crate::engine::messages::Query;
use crate::engine::protocol::{RedactionPreview, SpanSelection};
use crate::present::format;
use crate::present::redaction::{patterns_text, read_keys, read_patterns, rule_title};
use crate::redact::{Rule, Rules};
use crate::ui::common::download::save_text;
use crate::ui::common::input::value_of;
use crate::ui::query::{use_engine, use_query};

/// The dialog's properties.
#[derive(Properties, PartialEq)]
pub struct RedactionDialogProps {
    /// What a preview looks at.
    pub selection: SpanSelection,
    /// Closes it.
    pub on_close: Callback<()>,
}

/// The rules, their preview, and the rules file.
#[component]
pub(crate) fn RedactionDialog(props: &RedactionDialogProps) -> Html {
    let engine = use_engine();
    let kept = use_query((), |_| Query::redaction_rules());
    let rules = use_state(|| None::<Rules>);
    let preview = use_state(|| None::<Rc<RedactionPreview>>);
    if let (None, Some(Ok(kept))) = (&*rules, &kept) {
        rules.set(Some((**kept).clone()));
    }
    let current = (*rules).clone().unwrap_or_default();
    // Every change applies (and is kept) at once; a preview then says what it changes.
    let apply = {
        let (engine, rules, preview) = (engine.clone(), rules.clone(), preview.clone());
        Callback::from(move |next: Rules| {
            if let Some(engine) = &engine {
                engine.set_rules(next.clone());
            }
            preview.set(None);
            rules.set(Some(next));
        })
    };
    let run_preview = {
        let (engine, preview, selection) =
            (engine.clone(), preview.clone(), props.selection.clone());
        Callback::from(move |_: MouseEvent| {
            let (Some(engine), preview, selection) =
                (engine.clone(), preview.clone(), selection.clone())
            else {
                return;
            };
            spawn_local(async move {
                if let Ok(answer) = engine.ask(Query::redaction_preview(selection)).await {
                    preview.set(Some(Rc::new(*answer)));
                }
            });
        })
    };
    let close = props.on_close.reform(|_: MouseEvent| ());
    html! {
        <div class="dialog-backdrop">
            <div class="dialog redaction" role="dialog" aria-label="Redaction rules" data-testid="redaction-dialog">
                <header><h2>{"Take secrets out"}</h2><button class="button small" onclick={close} data-testid="redaction-close" aria-label="Close">{"×"}</button></header>
                <RulesForm rules={current} on_change={apply} on_preview={run_preview} />
                if let Some(preview) = &*preview { <PreviewTable preview={preview.clone()} /> }
            </div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct RulesFormProps {
    rules: Rules,
    on_change: Callback<Rules>,
    on_preview: Callback<MouseEvent>,
}

/// The rules as controls: the built-in ones, keys to drop, the user's patterns; the file.
#[component]
fn RulesForm(props: &RulesFormProps) -> Html {
    let problem = use_state(|| None::<String>);
    let current = &props.rules;
    let toggle = |rule: Rule| {
        let (apply, current) = (props.on_change.clone(), current.clone());
        Callback::from(move |_: Event| {
            let mut next = current.clone();
            match next.rules.contains(&rule) {
                true => next.rules.retain(|r| *r != rule),
                false => next.rules.push(rule),
            }
            apply.emit(next);
        })
    };
    let keys = {
        let (apply, current) = (props.on_change.clone(), current.clone());
        Callback::from(move |event: Event| {
            apply.emit(Rules {
                drop_keys: read_keys(&value_of(&event)),
                ..current.clone()
            })
        })
    };
    let patterns = {
        let (apply, current, problem) = (props.on_change.clone(), current.clone(), problem.clone());
        Callback::from(move |event: Event| match read_patterns(&value_of(&event)) {
            Ok(patterns) => {
                problem.set(None);
                apply.emit(Rules {
                    patterns,
                    ..current.clone()
                });
            }
            Err(why) => problem.set(Some(why)),
        })
    };
    let download = {
        let current = current.clone();
        Callback::from(move |_: MouseEvent| {
            save_text(
                &current.write(),
                "plume-redaction-rules.json",
                "application/json",
            )
        })
    };
    let on_problem = {
        let problem = problem.clone();
        Callback::from(move |why| problem.set(Some(why)))
    };
    html! {
        <>
            { for Rule::ALL.iter().map(|&rule| html! {
                <label class="check"><input type="checkbox" checked={current.rules.contains(&rule)} onchange={toggle(rule)}
                    data-rule={rule.label()} />{" "}{ rule_title(rule) }</label>
            }) }
            <label>{"Attributes to drop whole, one key per line (* for any part)"}
                <textarea rows="2" data-testid="redaction-keys" value={current.drop_keys.join("\n")} onchange={keys} /></label>
            <label>{"Your patterns, one per line: name = regular expression"}
                <textarea rows="2" data-testid="redaction-patterns" placeholder="ticket = TICKET-\\d+" value={patterns_text(&current.patterns)} onchange={patterns} /></label>
            if let Some(problem) = &*problem { <p class="problem error">{ problem.clone() }</p> }
            <div class="actions">
                <button class="button small" data-testid="redaction-preview" onclick={props.on_preview.clone()}>{"Preview"}</button>
                <button class="button small" data-testid="redaction-download" onclick={download}>{"Download the rules"}</button>
                <OpenRules on_open={props.on_change.clone()} {on_problem} />
            </div>
        </>
    }
}

#[derive(Properties, PartialEq)]
struct OpenRulesProps {
    on_open: Callback<Rules>,
    on_problem: Callback<String>,
}

/// Opens a rules file (`plume convert --redact RULES` reads the same).
#[component]
fn OpenRules(props: &OpenRulesProps) -> Html {
    let (on_open, on_problem) = (props.on_open.clone(), props.on_problem.clone());
    let onchange = Callback::from(move |event: Event| {
        let Some(file) = event
            .target_dyn_into::<web_sys::HtmlInputElement>()
            .and_then(|i| i.files())
            .and_then(|f| f.get(0))
        else {
            return;
        };
        let (on_open, on_problem) = (on_open.clone(), on_problem.clone());
        spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text()).await;
            let text = text.ok().and_then(|t| t.as_string()).unwrap_or_default();
            // Whether its patterns read is the engine's to say (the preview tells).
            match serde_json::from_str::<Rules>(&text) {
                Ok(rules) => on_open.emit(rules),
                Err(why) => on_problem.emit(format!("the rules file does not read: {why}")),
            }
        });
    });
    html! {
        <label class="button small">{"Open a rules file"}
            <input type="file" accept=".json,application/json" class="hidden" data-testid="redaction-open-file" {onchange} /></label>
    }
}

#[derive(Properties, PartialEq)]
struct PreviewTableProps {
    preview: Rc<RedactionPreview>,
}

/// Per rule: how many values in how many spans, and a few examples side by side.
#[component]
fn PreviewTable(props: &PreviewTableProps) -> Html {
    let RedactionPreview { preview, problem } = &*props.preview;
    if let Some(problem) = problem {
        return html! { <p class="problem error" data-testid="redaction-problem">{ problem.clone() }</p> };
    }
    html! {
        <div data-testid="redaction-result">
            <p class="muted">{ format!("In {} spans and log records: {}", format::count(preview.spans),
                match (preview.rules.is_empty(), preview.dropped) {
                    (true, 0) => "nothing to take out.".to_owned(),
                    (_, 0) => "these would be replaced.".to_owned(),
                    (_, dropped) => format!("these would be replaced, and {dropped} attributes dropped."),
                }) }</p>
            <table class="kv redaction-preview">
                { for preview.rules.iter().map(|rule| html! {
                    <tr data-testid="redaction-rule" data-rule={rule.rule.clone()}>
                        <th>{ rule.rule.clone() }</th>
                        <td class="num">{ format!("{} in {} spans", format::count(rule.values), format::count(rule.spans)) }</td>
                        <td>{ for rule.examples.iter().map(|(before, after)| html! {
                            <div class="example"><span class="before">{ before.clone() }</span>{" → "}<span class="after">{ after.clone() }</span></div>
                        }) }</td>
                    </tr>
                }) }
            </table>
        </div>
    }
}

/// The button's properties.
#[derive(Properties, PartialEq)]
pub struct RedactionRulesButtonProps {
    /// What a preview looks at.
    pub selection: SpanSelection,
}

/// *Rules and preview…*: opens the dialog.
#[component]
pub(crate) fn RedactionRulesButton(props: &RedactionRulesButtonProps) -> Html {
    let open = use_state(|| false);
    let (show, hide) = (open.clone(), open.clone());
    html! {
        <>
            <button type="button" class="button small" data-testid="redaction-open" onclick={move |_| show.set(true)}
                    title="Which rules take secrets out, your own patterns, and what they would change here">{"Rules and preview…"}</button>
            if *open {
                <RedactionDialog selection={props.selection.clone()} on_close={Callback::from(move |()| hide.set(false))} />
            }
        </>
    }
}
