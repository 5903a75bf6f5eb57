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
            span_id: Some("2b55".into()),
            search: None,
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
        search: None,
    };
    loads.start(4, Some(then.clone()));
    let result = |spans, traces, errors: usize| FileResult {
        spans,
        traces,
        errors: vec!["bad".into(); errors],
        ..FileResult::empty("f")
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

#[test]
fn a_page_in_a_frame_is_embedded_whatever_its_query_says() {
    let own = "https://plume.example";
    let framed_by = |origins: &[&str]| Framing {
        framed: true,
        ancestors: Some(origins.iter().map(|o| (*o).to_owned()).collect()),
    };
    let standalone = PageOptions::from_query("");
    let alone = standalone.powers(own, &Framing::default());
    assert_eq!(alone.database.as_deref(), Some("plume"));
    assert!(alone.settings && alone.delete && alone.send);
    let memory = PageOptions::from_query("?memory").powers(own, &Framing::default());
    assert!(memory.database.is_none() && !memory.settings);
    // `index.html#/` framed by a same-site page: nothing kept is shown, nothing offered.
    let framed = standalone.powers(own, &framed_by(&["https://other.plume.example"]));
    assert!(framed.database.is_none() && !framed.settings && !framed.delete && !framed.send);
    let framed = standalone.powers(own, &framed_by(&[own]));
    assert!(
        framed.database.is_none() && !framed.delete,
        "even by its own origin"
    );

    // A listed host (it lists itself: any page can) keeps in a database of its own, never in
    // the user's.
    let persist =
        PageOptions::from_query("?embed&persist&origins=https%3A%2F%2Fdash.example&delete&send");
    let listed = persist.powers(own, &framed_by(&["https://dash.example"]));
    assert_eq!(
        listed.database.as_deref(),
        Some("plume@https://dash.example")
    );
    assert!(!listed.settings && listed.delete && listed.send);
    let nested = persist.powers(
        own,
        &framed_by(&["https://dash.example", "https://evil.example"]),
    );
    assert!(nested.database.is_none(), "every ancestor must be trusted");
    let unknown = Framing {
        framed: true,
        ancestors: None,
    };
    let unknown = persist.powers(own, &unknown);
    assert!(
        unknown.database.is_none(),
        "a browser that does not say: none"
    );
    let not_listed = PageOptions::from_query("?embed&persist");
    let elsewhere = not_listed.powers(own, &framed_by(&["https://dash.example"]));
    assert!(elsewhere.database.is_none());
    let at_home = not_listed.powers(own, &framed_by(&[own]));
    assert_eq!(at_home.database, Some(format!("plume@{own}")));
    let plain = PageOptions::from_query("?embed").powers(own, &framed_by(&[own]));
    assert!(plain.database.is_none() && !plain.delete && !plain.send && !plain.settings);
}

#[test]
fn links_fetch_only_http_https_and_data_urls() {
    for url in [
        "https://x.example/a.json",
        "HTTP://x/a",
        "data:application/json,{}",
        "samples/openai-01.otlp.pb",
        "/runs/7.json?at=1:2",
        "a%3Ab.json",
    ] {
        assert_eq!(fetchable(url), Ok(()), "{url}");
    }
    for url in [
        "file:///etc/passwd",
        "blob:https://x/1",
        "javascript:alert(1)",
        "ftp://x/a",
    ] {
        assert!(fetchable(url).is_err(), "{url}");
    }
}

#[test]
fn a_host_message_reads_as_one_instruction() {
    let read = |message: serde_json::Value| {
        Instruction::read(
            &message,
            || "bytes",
            |url| format!("https://plume.example/{url}"),
        )
    };
    let bytes = read(
        serde_json::json!({"buffer": [1, 2], "text": "ignored", "fileName": "a.pb",
        "select": {"traceId": "3a34", "spanId": ""}, "title": "Run 7", "theme": "dark"}),
    );
    assert_eq!(bytes.load, Some((Load::Bytes("bytes"), "a.pb".into())));
    assert_eq!(
        bytes.select,
        Some(Route::Trace {
            trace_id: "3a34".into(),
            span_id: None,
            search: None,
        })
    );
    assert_eq!(
        (bytes.title.as_deref(), bytes.theme.as_deref()),
        (Some("Run 7"), Some("dark"))
    );
    let text = read(serde_json::json!({"text": "{}", "fileName": ""}));
    assert_eq!(
        text.load,
        Some((Load::Text("{}".into()), "trace.json".into()))
    );
    let url = read(serde_json::json!({"url": "runs/my%20run.json", "select": "3a34"}));
    assert_eq!(
        url.load,
        Some((
            Load::Url("https://plume.example/runs/my%20run.json".into()),
            "my run.json".into()
        ))
    );
    assert_eq!(url.select, None, "select must be an object");
    let nothing = read(serde_json::json!({"buffer": "no", "url": 7, "title": ["x"]}));
    assert_eq!(
        nothing,
        Instruction {
            load: None,
            select: None,
            title: None,
            theme: None
        }
    );
}

#[test]
fn a_page_plume_serve_served_loads_from_it_and_keeps_nothing_in_the_browser() {
    let served = PageOptions::from_query("").served_by(Some("api/".into()));
    assert_eq!(served.server.as_deref(), Some("api/"));
    assert!(!served.storage);
    let own = served.powers("http://127.0.0.1:6006", &Framing::default());
    assert_eq!(own.database, None);
    assert!(!own.settings);
    let static_page = PageOptions::from_query("").served_by(None);
    assert!(static_page.storage && static_page.server.is_none());
}

#[test]
fn the_token_plume_serve_printed_is_read_then_left_out_of_the_address() {
    let query = "?memory&token=s3cret%2Bx&compact";
    let options = PageOptions::from_query(query);
    assert_eq!(options.server_token.as_deref(), Some("s3cret+x"));
    assert_eq!(PageOptions::without_token(query), "?memory&compact");
    assert_eq!(PageOptions::without_token("?token=a"), "");
    assert_eq!(PageOptions::without_token("?tokens=a"), "?tokens=a");
    assert_eq!(PageOptions::from_query("?token=").server_token, None);
}

#[test]
fn a_share_files_page_writes_nothing_and_sends_nothing() {
    let shared = PageOptions::from_query("").in_share_file();
    let powers = shared.powers("null", &Framing::default());
    assert_eq!(powers.database, None);
    assert!(!powers.settings && !powers.send);
    assert!(shared.drop, "other files may still be dropped on it");
}
