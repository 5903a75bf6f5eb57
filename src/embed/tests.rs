use super::*;

#[test]
fn a_standalone_page_keeps_traces_unless_told_memory() {
    let page = PageOptions::from_query("");
    assert!(!page.embedded && page.storage && page.drop && !page.compact);
    assert!(!PageOptions::from_query("?memory").storage);
    assert!(!PageOptions::from_query("?a=1&memory=").storage);
}

#[test]
fn an_embedded_page_keeps_nothing_and_takes_no_drops_unless_asked() {
    let page = PageOptions::from_query("?embed");
    assert!(page.embedded && !page.storage && !page.drop && !page.compact);
    let asked = PageOptions::from_query("embed=1&persist&drop&compact");
    assert!(asked.storage && asked.drop && asked.compact);
}

#[test]
fn only_the_own_origin_and_listed_ones_are_obeyed() {
    let own = "https://plume.example";
    let page = PageOptions::from_query(
        "?embed&origins=https%3A%2F%2Fdash.example%2F,http://127.0.0.1:9000&origins=https://b.example",
    );
    assert_eq!(
        page.origins,
        [
            "https://dash.example",
            "http://127.0.0.1:9000",
            "https://b.example"
        ]
    );
    for origin in [own, "https://dash.example", "http://127.0.0.1:9000"] {
        assert!(page.obeys(origin, own), "{origin}");
    }
    for origin in [
        "https://evil.example",
        "https://dash.example.evil.example",
        "http://dash.example",
        "http://127.0.0.1:9001",
        "null",
        "",
    ] {
        assert!(!page.obeys(origin, own), "{origin}");
    }
    assert!(
        !PageOptions::from_query("?embed&origins=null").obeys("null", "null"),
        "an opaque origin is nobody"
    );
}

#[test]
fn a_url_fragment_names_the_file_the_trace_and_the_span() {
    let link = LinkedFile::from_fragment(
        "#url=http%3A%2F%2F127.0.0.1%3A9000%2Fruns%2Fmy%20run.otlp.json%3Fsig%3D1&trace=3a34&span=2b55&title=Eval%20run%207",
    )
    .expect("a link");
    assert_eq!(
        link.url,
        "http://127.0.0.1:9000/runs/my run.otlp.json?sig=1"
    );
    assert_eq!(link.name(), "my run.otlp.json");
    assert_eq!(link.title.as_deref(), Some("Eval run 7"));
    assert_eq!(
        link.route(),
        Some(Route::Trace {
            trace_id: "3a34".into(),
            span_id: Some("2b55".into())
        })
    );
    let bare = LinkedFile::from_fragment("url=samples/a.pb").expect("a link");
    assert_eq!((bare.name().as_str(), bare.route()), ("a.pb", None));
    assert_eq!(LinkedFile::from_fragment("#/trace/3a34"), None);
    assert_eq!(LinkedFile::from_fragment("#url="), None);
}

#[test]
fn the_host_hears_what_each_of_its_loads_came_to_once_it_is_done() {
    let mut loads = HostLoads::default();
    let then = Route::Trace {
        trace_id: "3a34".into(),
        span_id: None,
    };
    loads.start(4, Some(then.clone()));
    let result = |spans, traces, errors: usize| FileResult {
        file: "f".into(),
        format: None,
        spans,
        traces,
        evaluations: 0,
        logs: Default::default(),
        price_models: None,
        errors: vec!["bad".into(); errors],
        warnings: Vec::new(),
    };
    loads.file_done(4, &result(10, 2, 0));
    loads.file_done(4, &result(3, 1, 2));
    loads.file_done(5, &result(100, 1, 0));
    assert_eq!(loads.batch_done(5), None, "not the host's");
    assert_eq!(
        loads.batch_done(4),
        Some((
            Loaded {
                spans: 13,
                traces: 3,
                errors: 2
            },
            Some(then)
        ))
    );
    assert_eq!(loads.batch_done(4), None, "told once");
}
