use super::*;

fn found(text: &str) -> Vec<(Rule, &str)> {
    find(text, &Rule::ALL)
        .into_iter()
        .map(|f| (f.rule, &text[f.start..f.end]))
        .collect()
}

#[test]
fn each_rule_finds_its_secrets_and_leaves_look_alikes() {
    assert_eq!(
        found("mail ana.b+x@example.co.uk, then"),
        [(Rule::Email, "ana.b+x@example.co.uk")]
    );
    assert_eq!(
        found("card 4111 1111 1111 1111 ok"),
        [(Rule::Card, "4111 1111 1111 1111")]
    );
    assert_eq!(found("card 4111-1111-1111-1112"), []);
    assert_eq!(
        found("from 192.168.0.12:8080 and ::1 or 2001:db8::ff00:42:8329"),
        [
            (Rule::Ip, "192.168.0.12"),
            (Rule::Ip, "::1"),
            (Rule::Ip, "2001:db8::ff00:42:8329"),
        ]
    );
    assert_eq!(found("version 1.2.3.4.5, at 12:30:45, 300.1.1.1"), []);
    assert_eq!(
        found("call +44 20 7946 0958 or (415) 555-2671."),
        [
            (Rule::Phone, "+44 20 7946 0958"),
            (Rule::Phone, "(415) 555-2671"),
        ]
    );
    assert_eq!(found("order 1234567890123 cost 1,299.00"), []);
    let keys = "sk-proj-abcdefghijklmnopqrstuvwx AKIAIOSFODNN7EXAMPLE ghp_0123456789abcdefghijklmnopqrstuvwxyz \
                xoxb-1234567890-abcdefghij eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U Bearer abc.DEF-123_xyz";
    let rules: Vec<Rule> = found(keys).into_iter().map(|(rule, _)| rule).collect();
    assert_eq!(rules, [Rule::Key; 6]);
    assert_eq!(found("task-sk-1 is a skill; eyJ alone"), []);
}

#[test]
fn luhn_checks_card_numbers() {
    assert!(luhn(&[4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]));
    assert!(!luhn(&[4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2]));
}

#[test]
fn replacements_are_consistent_and_the_rest_of_the_text_stays() {
    let mut redactor = Redactor::new(Rules::default());
    let one = redactor.text("Ask ana@example.com or bo@example.com.");
    let two = redactor.text("ana@example.com again");
    assert_eq!(one, "Ask [email-1] or [email-2].");
    assert_eq!(two, "[email-1] again");
    assert_eq!(redactor.changed["email"], 3);
}

#[test]
fn json_inside_a_string_is_redacted_as_json_keys_and_all() {
    let mut redactor = Redactor::new(Rules::default());
    let text =
        r#"{"messages": [{"content": "mail me at ana@example.com"}], "api_key": "abc", "n": 3}"#;
    let out: Value = serde_json::from_str(&redactor.text(text)).expect("JSON still");
    assert_eq!(out["messages"][0]["content"], "mail me at [email-1]");
    assert_eq!(out["api_key"], "[secret-1]");
    assert_eq!(out["n"], 3);
}

#[test]
fn otlp_attributes_are_redacted_by_key_and_value_and_ids_are_kept() {
    let rules = Rules {
        drop_keys: vec!["llm.input_messages.*.message.content".into()],
        ..Rules::default()
    };
    let mut redactor = Redactor::new(rules);
    let mut document = serde_json::json!({"resourceSpans": [{"resource": {"attributes": [
    {"key": "host.ip", "value": {"stringValue": "10.1.2.3"}}]},
    "scopeSpans": [{"spans": [{
        "traceId": "00000000000000000000004155552671", "spanId": "0000000004155552",
        "name": "reply to ana@example.com",
        "attributes": [
            {"key": "http.request.header.authorization", "value": {"stringValue": "Basic dXNlcjpwYXNz"}},
            {"key": "llm.input_messages.0.message.content", "value": {"stringValue": "my card is 4111111111111111"}},
            {"key": "output.value", "value": {"stringValue": "Call +1 415 555 2671"}},
            {"key": "llm.token_count.total", "value": {"intValue": "42"}}],
        "events": [{"name": "exception", "timeUnixNano": "1700000000000000000",
            "attributes": [{"key": "exception.message", "value": {"stringValue": "no user ana@example.com"}}]}]
    }]}]}]});
    redactor.otlp_json(&mut document);
    let text = document.to_string();
    for secret in [
        "10.1.2.3",
        "ana@example.com",
        "dXNlcjpwYXNz",
        "4111111111111111",
        "415 555 2671",
    ] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    let span = &document["resourceSpans"][0]["scopeSpans"][0]["spans"][0];
    assert_eq!(span["traceId"], "00000000000000000000004155552671");
    assert_eq!(span["name"], "reply to [email-1]");
    assert_eq!(
        span["events"][0]["attributes"][0]["value"]["stringValue"],
        "no user [email-1]"
    );
    assert_eq!(
        span["attributes"].as_array().map(Vec::len),
        Some(3),
        "the dropped key is gone"
    );
    assert_eq!(span["attributes"][2]["value"]["intValue"], "42");
    assert_eq!(redactor.dropped, 1);
}

#[test]
fn key_patterns_match_parts_of_keys() {
    assert!(matches_pattern(
        "llm.input_messages.*.message.content",
        "llm.input_messages.12.message.content"
    ));
    assert!(matches_pattern("*password*", "db.password.hash"));
    assert!(!matches_pattern(
        "llm.input_messages.*.message.content",
        "llm.input_messages.0.message.role"
    ));
    assert!(matches_pattern("exact", "exact") && !matches_pattern("exact", "exactly"));
}

#[test]
fn a_rules_file_names_its_rules_and_refuses_what_it_does_not_know() {
    let rules =
        Rules::read(r#"{"rules": ["email"], "drop_keys": ["input.value"]}"#).expect("rules");
    assert_eq!(rules.rules, [Rule::Email]);
    assert_eq!(Rules::read("{}").expect("rules"), Rules::default());
    assert!(Rules::read(r#"{"rule": []}"#).is_err());
    assert!(Rules::read(r#"{"rules": ["emails"]}"#).is_err());
}

#[test]
fn the_users_patterns_replace_what_they_match_and_a_bad_one_is_named() {
    let rules = Rules::read(
        r#"{"rules": ["email"], "patterns": [{"name": "ticket", "regex": "TICKET-\\d+"}]}"#,
    )
    .expect("rules");
    let mut redactor = Redactor::new(rules.clone());
    assert_eq!(
        redactor.text("TICKET-42 from ana@example.com, see TICKET-42 and TICKET-7"),
        "[ticket-1] from [email-1], see [ticket-1] and [ticket-2]"
    );
    assert_eq!(redactor.changed["ticket"], 3);
    assert_eq!(Rules::read(&rules.write()).expect("reads back"), rules);
    let bad = Rules::read(r#"{"patterns": [{"name": "x", "regex": "(unclosed"}]}"#);
    assert!(bad.unwrap_err().contains("the pattern x does not read"));
    let unnamed = Rules::read(r#"{"patterns": [{"name": "a b", "regex": "x"}]}"#);
    assert!(unnamed.unwrap_err().contains("is not a word"));
    let builtin = Rules::read(r#"{"patterns": [{"name": "email", "regex": "x"}]}"#);
    assert!(builtin.unwrap_err().contains("is taken"));
    let twice =
        Rules::read(r#"{"patterns": [{"name": "a", "regex": "x"}, {"name": "a", "regex": "y"}]}"#);
    assert!(twice.unwrap_err().contains("is taken"));
    assert_eq!(rules.describe(), "email, ticket");
}

#[test]
fn a_preview_counts_values_and_spans_per_rule_with_examples_around_them() {
    let document = serde_json::json!({"resourceSpans": [{"scopeSpans": [{"spans": [
        {"traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b174", "startTimeUnixNano": "1", "name": "mail ana@example.com",
         "attributes": [{"key": "input.value", "value": {"stringValue": "a long preamble before the address, then ana@example.com and bo@example.com"}},
                        {"key": "api_key", "value": {"stringValue": "plain"}}]},
        {"traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b175", "startTimeUnixNano": "1", "name": "no secret here"},
        {"traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b176", "startTimeUnixNano": "1", "name": "cc ana@example.com"}
    ]}]}]});
    let mut document = document;
    let mut redactor = Redactor::new(Rules::default()).previewing();
    redactor.otlp_json(&mut document);
    let preview = redactor.preview();
    assert_eq!(preview.spans, 3);
    let email = preview
        .rules
        .iter()
        .find(|r| r.rule == "email")
        .expect("emails");
    assert_eq!((email.values, email.spans), (4, 2));
    assert_eq!(email.examples.len(), 3);
    assert_eq!(
        email.examples[0],
        ("mail ana@example.com".into(), "mail [email-1]".into())
    );
    assert_eq!(
        email.examples[1],
        (
            "…mble before the address, then ana@example.com and bo@example.com".into(),
            "…mble before the address, then [email-1] and [email-2]".into()
        )
    );
    let secret = preview
        .rules
        .iter()
        .find(|r| r.rule == "secret")
        .expect("the key");
    assert_eq!(
        secret.examples[0],
        ("api_key: plain".into(), "api_key: [secret-1]".into())
    );
    assert_eq!(redactor.summary(), "1 secret, 4 email");
}
