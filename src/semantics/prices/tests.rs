use super::*;

fn nanos(day: &str) -> u64 {
    day_nanos(day).unwrap_or_default()
}

fn usage(pairs: &[(TokenKind, u64)]) -> Usage {
    let mut usage = Usage::default();
    for &(kind, count) in pairs {
        usage.set(kind, count);
    }
    usage
}

const TODAY: &str = "2026-12-01";

#[test]
fn the_builtin_table_reads_and_cites_a_source_for_every_price() {
    let file = Prices::builtin_file().expect("prices.json reads");
    assert!(file.models.len() >= 100, "{} prices", file.models.len());
    for model in &file.models {
        let source = model.source.as_deref().unwrap_or_default();
        let url = file.sources.get(source).map(|s| s.url.as_str());
        assert!(
            url.is_some_and(|u| u.starts_with("https://")),
            "{} cites {source:?}",
            model.id
        );
        assert!(model.from.is_some(), "{} has no date", model.id);
    }
    for provider in [
        "openai",
        "anthropic",
        "google",
        "mistral",
        "deepseek",
        "xai",
        "cohere",
        "bedrock",
    ] {
        assert!(
            file.models
                .iter()
                .any(|m| m.provider.as_deref() == Some(provider)),
            "no {provider} price"
        );
    }
}

#[test]
fn ids_find_their_model_through_dates_regions_versions_and_gateways() {
    let prices = Prices::builtin();
    let at = nanos(TODAY);
    let found =
        |id: &str, provider: &str| prices.find(id, provider, at).map(|f| f.price.id.clone());
    for (recorded, provider, priced_as) in [
        ("gpt-4o-mini-2024-07-18", "openai", "gpt-4o-mini"),
        ("GPT-4o-mini", "openai", "gpt-4o-mini"),
        ("gpt-4o-2024-05-13", "openai", "gpt-4o-2024-05-13"),
        ("gpt-4o-2024-08-06", "openai", "gpt-4o"),
        ("openai/gpt-4o", "openrouter", "gpt-4o"),
        ("gpt-4.1-mini-2025-04-14", "openai", "gpt-4.1-mini"),
        (
            "claude-3-5-sonnet-20241022",
            "anthropic",
            "claude-3-5-sonnet",
        ),
        ("claude-3-5-sonnet-latest", "anthropic", "claude-3-5-sonnet"),
        (
            "us.anthropic.claude-3-5-sonnet-20241022-v2:0",
            "aws.bedrock",
            "claude-3-5-sonnet",
        ),
        (
            "anthropic.claude-3-haiku-20240307-v1:0",
            "aws.bedrock",
            "claude-3-haiku",
        ),
        (
            "claude-3-5-sonnet-v2@20241022",
            "gcp.vertex_ai",
            "claude-3-5-sonnet",
        ),
        ("claude-sonnet-4-20250514", "anthropic", "claude-sonnet-4"),
        ("models/gemini-1.5-pro-002", "gcp.gemini", "gemini-1.5-pro"),
        (
            "gemini-2.5-flash-preview-05-20",
            "google",
            "gemini-2.5-flash",
        ),
        (
            "us.amazon.nova-pro-v1:0",
            "aws.bedrock",
            "amazon.nova-pro-v1:0",
        ),
        ("mistral-large-latest", "mistral_ai", "mistral-large"),
        ("command-r-plus-08-2024", "cohere", "command-r-plus-08-2024"),
        ("deepseek-chat", "deepseek", "deepseek-chat"),
        ("grok-3", "xai", "grok-3"),
    ] {
        assert_eq!(
            found(recorded, provider).as_deref(),
            Some(priced_as),
            "{recorded}"
        );
    }
    // No neighbour's price for a model the table does not know.
    for unknown in [
        "gpt-4o-mini-transcribe-9",
        "my-finetune",
        "",
        "llama-99",
        "claude",
    ] {
        assert_eq!(found(unknown, "openai"), None, "{unknown}");
    }
}

#[test]
fn the_price_in_effect_on_the_day_of_the_call_applies() {
    let prices = Prices::builtin();
    let input = |day: &str| {
        prices
            .find("gpt-4o", "openai", nanos(day))
            .map(|f| f.price.input)
    };
    assert_eq!(input("2024-06-01"), Some(5.0));
    assert_eq!(input(TODAY), Some(2.5));
    // Before the first price: the first one.
    assert_eq!(input("2020-01-01"), Some(5.0));
}

#[test]
fn tokens_are_priced_by_kind() {
    let price = ModelPrice {
        id: "m".into(),
        provider: None,
        source: None,
        from: None,
        input: 2.0,
        output: Some(10.0),
        cached_input: Some(0.5),
        cache_write: Some(2.5),
        reasoning: None,
        audio_input: Some(40.0),
        audio_output: None,
    };
    // 1M input of which 200k cached and 100k written to the cache; 300k output.
    let parts = price.cost(&usage(&[
        (TokenKind::Input, 1_000_000),
        (TokenKind::CachedInput, 200_000),
        (TokenKind::CacheWrite, 100_000),
        (TokenKind::Output, 300_000),
        (TokenKind::Reasoning, 100_000),
    ]));
    assert!((parts.input.dollars() - 1.4).abs() < 1e-9, "{parts:?}");
    assert!((parts.cached_input.dollars() - 0.1).abs() < 1e-9);
    assert!((parts.cache_write.dollars() - 0.25).abs() < 1e-9);
    assert!(
        (parts.output.dollars() - 3.0).abs() < 1e-9,
        "reasoning billed as output"
    );
    // Anthropic's API counts cached tokens apart from input: all input is then uncached.
    let apart = price.cost(&usage(&[
        (TokenKind::Input, 100),
        (TokenKind::CachedInput, 1_000_000),
    ]));
    assert!(
        (apart.input.dollars() - 0.0002).abs() < 1e-12
            && (apart.cached_input.dollars() - 0.5).abs() < 1e-9
    );
    // Audio input priced apart when the model prices it.
    let audio = price.cost(&usage(&[
        (TokenKind::Input, 1_000_000),
        (TokenKind::AudioInput, 500_000),
    ]));
    assert!(
        (audio.input.dollars() - (1.0 + 20.0)).abs() < 1e-9,
        "{audio:?}"
    );
    // Nothing recorded costs nothing.
    assert_eq!(price.cost(&Usage::default()).total(), Usd::ZERO);
}

#[test]
fn a_users_price_file_adds_and_overrides() {
    let mut prices = Prices::builtin();
    let file = PriceFile::parse(
        r#"{"models": [
            {"id": "gpt-4o", "provider": "openai", "input": 1, "output": 1},
            {"id": "our-finetune", "input": 3, "output": 4, "from": "2025-01-01"}
        ]}"#,
    )
    .expect("reads");
    prices.add(file);
    let at = nanos(TODAY);
    let found = prices
        .find("gpt-4o-2024-08-06", "openai", at)
        .expect("priced");
    assert_eq!((found.price.input, found.from_user), (1.0, true));
    let cost = prices.cost(
        "our-finetune",
        "",
        &usage(&[
            (TokenKind::Input, 1_000_000),
            (TokenKind::Output, 1_000_000),
        ]),
        at,
    );
    assert_eq!(cost.map(|c| c.total()), Some(Usd::from_dollars(7.0)));
    assert!(
        prices
            .find("gpt-4o-mini", "openai", at)
            .is_some_and(|f| !f.from_user)
    );
}

#[test]
fn a_bad_price_file_says_what_is_wrong() {
    let error = |text: &str| PriceFile::parse(text).err().map(|e| e.to_string());
    assert!(error("[]").is_some_and(|e| e.starts_with("not a price file")));
    assert_eq!(
        error(r#"{"models": [{"id": "x", "input": -1}]}"#).as_deref(),
        Some("price of \"x\": a price is negative or not a number")
    );
    assert_eq!(
        error(r#"{"models": [{"id": "x", "input": 1, "from": "May 2024"}]}"#).as_deref(),
        Some("price of \"x\": `from` is not a YYYY-MM-DD date")
    );
    assert_eq!(
        error(r#"{"models": [{"id": " ", "input": 1}]}"#).as_deref(),
        Some("price of \" \": the id is empty")
    );
}
