//! `plume`: the core of the Plume trace viewer on the command line.
//!
//! ```text
//! plume inspect [--json [--llm]] [--filter EXPR] [--prices FILE]... [--from SOURCE] FILE...
//!                                                what the files hold (or the spans matching)
//! plume convert FILE... [--filter EXPR] --to FORMAT -o OUT
//!                                                rewrite them as OTLP (or Phoenix span JSONL)
//! plume share FILE... [--filter EXPR] [--redact [RULES]] -o OUT.html
//!                                                one HTML file holding the viewer and the traces
//! plume fetch phoenix+http://HOST:PORT [--project P] [--trace ID]... [--filter EXPR] -o OUT
//!                                                traces from a Phoenix (Jaeger, Zipkin) server
//! plume generate --spans N --to FORMAT -o OUT    make realistic agent traces (for benchmarks)
//! plume completions bash|zsh|fish|…              the shell's completion script for plume
//! ```
//!
//! `plume --help` and `plume COMMAND --help` say the rest; clap reads the arguments, and the
//! checks it cannot make (a filter's syntax, a price file) fail the same way, with exit status 2.
//!
//! Exit status: 0 when every input was read completely, 1 when any input (or part of one) could
//! not be read — the readable rest is still counted and converted — and 2 for usage errors.

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

// The crate's bins are also built for the browser (`cargo clippy --target wasm32-unknown-unknown
// --bins`), where a command line has no place.
#[cfg(target_arch = "wasm32")]
fn main() {}

/// The command line, natively only (clap is a native-only dependency).
#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use std::io::Write as _;
    use std::path::PathBuf;
    use std::process::ExitCode;

    use clap::error::ErrorKind;
    use clap::{Args, CommandFactory as _, Parser, Subcommand, ValueEnum, ValueHint};
    use clap_complete::Shell;
    use plume::analysis::filter::Filter;
    use plume::analysis::{Overview, Traces};
    use plume::export::{self, Target};
    use plume::generate::Shape;
    use plume::ingest::{self, FileReport, IngestError};
    use plume::model::{Arena, EvalTarget, OiKind, TokenKind, Usage};
    use plume::semantics::{Meaning, PriceFile, Prices, call_cost, describe};
    use serde_json::{Value as Json, json};

    /// The core of the Plume trace viewer on the command line: what OpenTelemetry trace files
    /// hold, and their spans written again as OTLP.
    #[derive(Parser)]
    #[command(
        name = "plume",
        version,
        arg_required_else_help = true,
        // A flag or option given twice counts once, the last value winning, as before clap.
        args_override_self = true,
        after_help = "Exit status: 0 all inputs read, 1 some input (or part of one) could not be \
                      read, 2 usage error"
    )]
    struct Cli {
        #[command(subcommand)]
        command: Command,
    }

    #[derive(Subcommand)]
    enum Command {
        /// Print what the files hold, per file and in total (or only the spans a filter matches)
        ///
        /// The format detected and the spans, traces, projects, sessions, roots, missing
        /// parents, duplicates and errors found, with tokens and cost (recorded, else estimated
        /// from the price table).
        Inspect(InspectArgs),
        /// Rewrite the files as OTLP (or Phoenix span JSONL)
        ///
        /// Every span of the files, deduplicated, as spec-correct OTLP/JSON, OTLP protobuf, OTLP
        /// JSON Lines (one trace per line) or Phoenix span JSONL.
        Convert(ConvertArgs),
        /// Write one HTML file that holds the viewer and the traces, to send to anyone
        ///
        /// It opens in a browser from disk or from anywhere it is served, with no network
        /// request; what it holds is shown, and kept in that browser only if its reader asks.
        /// With --redact, secrets are taken out first (and the file says so).
        Share(ShareArgs),
        /// Fetch traces from a Phoenix, Tempo, Jaeger or Zipkin server into a file
        ///
        /// A project's (Jaeger's or Zipkin's: a service's) newest traces (in Phoenix, those a
        /// trace filter lets through; from a time on, up to --limit) or the traces named, with
        /// all their spans, written as OTLP: protobuf, or OTLP/JSON for an OUT ending in .json,
        /// JSON Lines for .jsonl; the evaluations and annotations Phoenix holds on them beside
        /// it, in OUT.evaluations.jsonl. Without -o, the server's projects (services) are
        /// listed.
        Fetch(FetchArgs),
        /// Make realistic agent traces (for benchmarks)
        ///
        /// N spans of agent traces (agents, steps, LLM calls, tools, retrievers, sub-agents)
        /// spread over T traces, in OpenInference or the OpenTelemetry GenAI conventions.
        Generate(GenerateArgs),
        /// Receive OTLP from running apps, keep it, and serve the viewer
        ///
        /// OTLP/HTTP (protobuf or JSON, gzip) at /v1/traces and /v1/logs, each request kept on
        /// disk before it is acknowledged; the viewer at /. Point an app's exporter at it:
        /// OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:6006
        Serve(ServeArgs),
        /// Print plume's completion script for a shell
        ///
        /// Save it where the shell looks for completions, e.g.
        /// `plume completions bash > ~/.local/share/bash-completion/completions/plume` or
        /// `plume completions fish > ~/.config/fish/completions/plume.fish`.
        Completions {
            /// The shell to complete in
            shell: Shell,
        },
    }

    #[derive(Args)]
    struct ServeArgs {
        /// The address to listen on (anything but loopback needs --token)
        #[arg(long, default_value = "127.0.0.1")]
        host: std::net::IpAddr,
        /// The port of the viewer and OTLP/HTTP (Phoenix's by default, so apps set up for
        /// Phoenix send here)
        #[arg(long, default_value_t = 6006)]
        port: u16,
        /// OTLP/HTTP on OTLP's own port too (0: not)
        #[arg(long, default_value_t = 4318)]
        otlp_http_port: u16,
        /// OTLP/gRPC's port (0: not)
        #[arg(long, default_value_t = 4317)]
        otlp_grpc_port: u16,
        /// Where what is received is kept [default: $XDG_DATA_HOME/plume/received, or
        /// ~/.local/share/plume/received]
        #[arg(long, value_hint = ValueHint::DirPath)]
        store: Option<PathBuf>,
        /// The viewer's built files [default: ./dist, or the dist/ of the checkout plume was
        /// built in]
        #[arg(long, value_hint = ValueHint::DirPath)]
        page: Option<PathBuf>,
        /// A token senders must give (Authorization: Bearer TOKEN)
        #[arg(long)]
        token: Option<String>,
        /// The largest request body, expanded, in MB
        #[arg(long, default_value_t = 32)]
        max_body_mb: usize,
        /// An origin (http://localhost:3000) whose pages may send here too, e.g. an app
        /// exporting from the browser; repeat for more
        #[arg(long, value_name = "ORIGIN")]
        allow_origin: Vec<String>,
    }

    #[derive(Args)]
    struct InspectArgs {
        /// Print one JSON object instead of text
        #[arg(long)]
        json: bool,
        /// With --json: every LLM call as one convention-free record (model, provider, messages
        /// with tool calls, tokens, cost)
        #[arg(long, requires = "json")]
        llm: bool,
        /// Count only the spans a Phoenix span filter matches, e.g. "span_kind == 'LLM'"
        /// (--json lists their ids)
        #[arg(long, value_name = "EXPR")]
        filter: Option<String>,
        /// A price file (the built-in table's shape) consulted before the built-in one
        #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
        prices: Vec<String>,
        /// Fetch the traces from a server first, as `plume fetch` does (phoenix+http://…,
        /// tempo+…, jaeger+…, zipkin+…), and count them with the files
        #[arg(long, value_name = "SOURCE")]
        from: Option<String>,
        #[command(flatten)]
        scope: FetchScope,
        /// The trace files to read
        #[arg(required_unless_present = "from", value_name = "FILE", value_hint = ValueHint::FilePath)]
        files: Vec<String>,
    }

    /// Which traces `fetch` (and `inspect --from`) asks a server for.
    #[derive(Args)]
    struct FetchScope {
        /// The project (Jaeger's, Zipkin's: the service; Tempo has none) [default: default]
        #[arg(long, default_value = "default")]
        project: String,
        /// A trace to fetch (hex id); repeat for more (else the project's newest)
        #[arg(long = "trace", value_name = "ID")]
        traces: Vec<String>,
        /// Only traces started at or after this time (ISO 8601, e.g. 2026-12-01T00:00:00Z)
        #[arg(long, value_name = "TIME")]
        since: Option<String>,
        /// Only traces started before this time (ISO 8601)
        #[arg(long, value_name = "TIME")]
        until: Option<String>,
        /// At most this many of the newest traces
        #[arg(long, default_value_t = 100)]
        limit: usize,
        /// Only traces with a span of this operation (Jaeger's; Zipkin's span name)
        #[arg(long, value_name = "NAME")]
        operation: Option<String>,
        /// A header sent with every request, e.g. 'Authorization: Bearer KEY'; repeat for more
        #[arg(long, value_name = "'NAME: VALUE'")]
        header: Vec<String>,
    }

    #[derive(Args)]
    struct ConvertArgs {
        /// The trace files to read
        #[arg(required = true, value_name = "FILE", value_hint = ValueHint::FilePath)]
        files: Vec<String>,
        /// Write only the spans a Phoenix span filter matches, e.g. "status_code == 'ERROR'"
        #[arg(long, value_name = "EXPR")]
        filter: Option<String>,
        /// The format to write
        #[arg(long, value_name = "FORMAT")]
        to: ConvertFormat,
        /// The file to write; '-' is stdout
        #[arg(short, long, value_name = "OUT", value_hint = ValueHint::FilePath)]
        output: String,
        /// Take secrets out first: emails, phone numbers, card numbers, IP addresses, API keys
        /// and tokens, values of secret-looking keys; or the rules of a RULES file (JSON:
        /// {"rules": ["email", …], "drop_keys": ["llm.input_messages.*.message.content"]})
        #[arg(long, value_name = "RULES", num_args = 0..=1, default_missing_value = "", value_hint = ValueHint::FilePath)]
        redact: Option<String>,
    }

    #[derive(Args)]
    struct FetchArgs {
        /// The server: phoenix+http://HOST:6006, tempo+http://HOST:3200,
        /// jaeger+http://HOST:16686, zipkin+http://HOST:9411 (or https://…)
        #[arg(value_name = "SOURCE")]
        source: String,
        #[command(flatten)]
        scope: FetchScope,
        /// Only traces this filter lets through, evaluated by the server: Phoenix's trace filter
        /// ("latency_ms > 1000"), Tempo's TraceQL ('{ span.http.status_code >= 500 }'), Jaeger's
        /// tags ('error=true http.status_code=500') or Zipkin's annotation query
        /// ('http.method=GET and error')
        #[arg(long, value_name = "EXPR")]
        filter: Option<String>,
        /// The file to write; '-' is stdout (without it, the projects are listed)
        #[arg(short, long, value_name = "OUT", value_hint = ValueHint::FilePath)]
        output: Option<String>,
    }

    #[derive(Args)]
    struct ShareArgs {
        /// The trace files (and evaluation files) to read
        #[arg(required = true, value_name = "FILE", value_hint = ValueHint::FilePath)]
        files: Vec<String>,
        /// Share only the traces with a span a Phoenix span filter matches, e.g.
        /// "status_code == 'ERROR'"
        #[arg(long, value_name = "EXPR")]
        filter: Option<String>,
        /// The HTML file to write
        #[arg(short, long, value_name = "OUT", value_hint = ValueHint::FilePath)]
        output: PathBuf,
        /// Take secrets out first (the built-in rules, or a RULES file's; see `convert`)
        #[arg(long, value_name = "RULES", num_args = 0..=1, default_missing_value = "", value_hint = ValueHint::FilePath)]
        redact: Option<String>,
        /// What the file says it is [default: the one trace's name, else the first file's name]
        #[arg(long)]
        title: Option<String>,
        /// Who shares it, as the file says
        #[arg(long)]
        by: Option<String>,
        /// The viewer's built files, with plume-share.html [default: ./dist, or the dist/ of the
        /// checkout plume was built in]
        #[arg(long, value_hint = ValueHint::DirPath)]
        page: Option<PathBuf>,
    }

    /// What `convert` writes.
    #[derive(Clone, Copy, ValueEnum)]
    enum ConvertFormat {
        /// OTLP/JSON: one request
        OtlpJson,
        /// OTLP protobuf: one request
        OtlpProto,
        /// OTLP JSON Lines: one request per trace, one per line
        #[value(name = "jsonl", alias = "otlp-jsonl")]
        OtlpJsonLines,
        /// Phoenix's spans dataframe as JSON Lines
        #[value(name = "phoenix-jsonl")]
        PhoenixJsonLines,
    }

    impl From<ConvertFormat> for Target {
        fn from(format: ConvertFormat) -> Self {
            match format {
                ConvertFormat::OtlpJson => Self::OtlpJson,
                ConvertFormat::OtlpProto => Self::OtlpProto,
                ConvertFormat::OtlpJsonLines => Self::OtlpJsonLines,
                ConvertFormat::PhoenixJsonLines => Self::PhoenixJsonLines,
            }
        }
    }

    #[derive(Args)]
    struct GenerateArgs {
        /// How many spans to write, more than 0 (digits may be grouped with '_': 1_000_000)
        #[arg(long, value_name = "N", value_parser = number::<usize>)]
        spans: usize,
        /// How many traces to spread them over
        #[arg(long, value_name = "T", value_parser = number::<usize>,
              default_value_t = Shape::default().traces)]
        traces: usize,
        /// The seed of the content
        #[arg(long, value_name = "S", value_parser = number::<u64>,
              default_value_t = Shape::default().seed)]
        seed: u64,
        /// The attribute conventions
        #[arg(long, value_enum, default_value_t = Convention::OpenInference)]
        convention: Convention,
        /// The format to write
        #[arg(long, value_name = "FORMAT")]
        to: GenerateFormat,
        /// The file to write
        #[arg(short, long, value_name = "OUT", value_hint = ValueHint::FilePath)]
        output: String,
    }

    /// A whole number, `_` allowed between digits (`1_000_000`).
    fn number<N: std::str::FromStr>(text: &str) -> Result<N, N::Err> {
        text.replace('_', "").parse()
    }

    /// The attribute conventions `generate` follows.
    #[derive(Clone, Copy, ValueEnum)]
    enum Convention {
        /// OpenInference's
        #[value(name = "openinference")]
        OpenInference,
        /// The OpenTelemetry GenAI semantic conventions
        #[value(name = "genai")]
        GenAi,
    }

    impl From<Convention> for plume::generate::Convention {
        fn from(convention: Convention) -> Self {
            match convention {
                Convention::OpenInference => Self::OpenInference,
                Convention::GenAi => Self::GenAi,
            }
        }
    }

    /// What `generate` writes.
    #[derive(Clone, Copy, ValueEnum)]
    enum GenerateFormat {
        /// OTLP protobuf
        OtlpProto,
        /// OTLP/JSON
        OtlpJson,
    }

    pub fn main() -> ExitCode {
        match run(Cli::parse().command) {
            Ok(code) => code,
            Err(Failure::Usage { command, message }) => usage_error(command, message).exit(),
            // The reader went away (`plume inspect … | head`): nothing more to say.
            Err(Failure::Output { error, .. })
                if error.kind() == std::io::ErrorKind::BrokenPipe =>
            {
                ExitCode::SUCCESS
            }
            Err(Failure::Output { target, error }) => {
                eprintln!("plume: cannot write {target}: {error}");
                ExitCode::from(1)
            }
        }
    }

    fn run(command: Command) -> Result<ExitCode, Failure> {
        match command {
            Command::Inspect(args) => inspect(args),
            Command::Convert(args) => convert(args),
            Command::Share(args) => share(args),
            Command::Fetch(args) => fetch(args),
            Command::Generate(args) => generate(args),
            Command::Serve(args) => serve(args),
            Command::Completions { shell } => completions(shell),
        }
    }

    /// Why a command stopped early.
    enum Failure {
        /// Arguments clap took that the command cannot use.
        Usage {
            /// The subcommand's name, for its usage line.
            command: &'static str,
            message: String,
        },
        /// The output could not be written.
        Output {
            /// What was being written.
            target: String,
            error: std::io::Error,
        },
    }

    /// A usage error that clap could not see, told as clap tells its own (exit status 2): the
    /// message, then `command`'s usage line.
    fn usage_error(command: &str, message: String) -> clap::Error {
        let mut plume = Cli::command();
        // Built, a subcommand's usage line reads `plume COMMAND …`.
        plume.build();
        match plume.find_subcommand_mut(command) {
            Some(subcommand) => subcommand.error(ErrorKind::ValueValidation, message),
            None => plume.error(ErrorKind::ValueValidation, message),
        }
    }

    /// Writes `bytes` to the file `output` names, or to stdout for `-`.
    fn write_output(output: &str, bytes: &[u8]) -> Result<(), Failure> {
        let written = match output {
            "-" => std::io::stdout().lock().write_all(bytes),
            path => std::fs::write(path, bytes),
        };
        written.map_err(output_error(output))
    }

    fn output_error(target: &str) -> impl FnOnce(std::io::Error) -> Failure + '_ {
        move |error| Failure::Output {
            target: target.to_owned(),
            error,
        }
    }

    /// Reads every file into one arena (a file that cannot be opened is an input error, not a
    /// usage error) and assembles the traces.
    fn load_all(files: &[String]) -> (Arena, Traces, Vec<FileReport>) {
        load_into(Arena::default(), Vec::new(), files)
    }

    /// [`load_all`], into an arena that holds something already.
    fn load_into(
        mut arena: Arena,
        mut reports: Vec<FileReport>,
        files: &[String],
    ) -> (Arena, Traces, Vec<FileReport>) {
        for file in files {
            let report = match std::fs::read(file) {
                Ok(bytes) => ingest::load(&mut arena, file, &bytes),
                Err(error) => FileReport {
                    file: file.clone(),
                    format: None,
                    compression: Vec::new(),
                    spans: 0,
                    evaluations: 0,
                    logs: 0,
                    prices: None,
                    errors: vec![IngestError {
                        file: file.clone(),
                        place: ingest::Place::file(),
                        problem: ingest::Problem::Invalid(format!("cannot read the file: {error}")),
                    }],
                    warnings: Vec::new(),
                },
            };
            reports.push(report);
        }
        let traces = Traces::assemble(&arena);
        (arena, traces, reports)
    }

    fn exit_for(reports: &[FileReport]) -> ExitCode {
        if reports.iter().all(FileReport::is_ok) {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        }
    }

    fn inspect(args: InspectArgs) -> Result<ExitCode, Failure> {
        let filter = read_filter("inspect", args.filter.as_deref())?;
        let mut prices = price_table(&args.prices)?;
        // With --from, what the server holds first, counted as if it were files read.
        let fetched = match &args.from {
            Some(source) => {
                let request = fetch_request("inspect", source, args.scope, None)?;
                match plume::sources::fetch::fetch(&request) {
                    Ok(fetched) => Some(fetched),
                    Err(problem) => {
                        eprintln!("plume: {problem}");
                        return Ok(ExitCode::from(1));
                    }
                }
            }
            None => None,
        };
        let (arena, traces, reports) = match fetched {
            Some(fetched) => load_into(fetched.arena, fetched.reports, &args.files),
            None => load_all(&args.files),
        };
        // A price table given as a file is used as `--prices` would be.
        for table in reports.iter().filter_map(|r| r.prices.clone()) {
            prices.add(table);
        }
        let (counted, matched_ids) = match &filter {
            Some(filter) => {
                let matched = filter.matching_spans(&arena, &traces, &prices);
                let ids: Vec<String> = matched
                    .iter()
                    .map(|&i| arena.spans()[i as usize].span_id.to_string())
                    .collect();
                (Counted::of_matching(&arena, &matched), Some(ids))
            }
            None => (Counted::of_all(arena, traces), None),
        };
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        let written = if args.json {
            let mut report = inspect_json(&counted, &reports, &prices);
            if let Some(ids) = matched_ids {
                report["matched_span_ids"] = json!(ids);
            }
            if args.llm {
                report["llm_spans"] = json!(llm_spans(&counted, &prices));
            }
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&report).unwrap_or_default()
            )
        } else {
            write_inspect_text(&mut out, &counted, &reports, &prices)
        };
        written.map_err(output_error("the output"))?;
        Ok(exit_for(&reports))
    }

    /// `--filter`'s expression, read (a bad one is a usage error of `command` that shows where
    /// it went wrong).
    fn read_filter(
        command: &'static str,
        expression: Option<&str>,
    ) -> Result<Option<Filter>, Failure> {
        let Some(expression) = expression else {
            return Ok(None);
        };
        let filter = Filter::parse(expression).map_err(|error| Failure::Usage {
            command,
            message: format!(
                "bad filter {expression:?} {error}\n  {expression}\n  {}^",
                " ".repeat(error.position)
            ),
        })?;
        Ok(Some(filter))
    }

    /// The built-in price table with the `--prices` files consulted before it.
    fn price_table(files: &[String]) -> Result<Prices, Failure> {
        let mut prices = Prices::builtin();
        for path in files {
            prices.add(price_file(path)?);
        }
        Ok(prices)
    }

    /// A `--prices` file, read (a file that does not read is a usage error that says why).
    fn price_file(path: &str) -> Result<PriceFile, Failure> {
        let usage = |message| Failure::Usage {
            command: "inspect",
            message,
        };
        let text = std::fs::read_to_string(path)
            .map_err(|error| usage(format!("cannot read {path}: {error}")))?;
        PriceFile::parse(&text).map_err(|error| usage(format!("{path}: {error}")))
    }

    /// What inspect counts: every span loaded, or only those a filter matched.
    struct Counted {
        arena: Arena,
        traces: Traces,
        overview: Overview,
        evaluations: usize,
        /// People's annotations (Phoenix's `HUMAN` rows), apart from evaluations.
        annotations: usize,
    }

    impl Counted {
        fn of_all(arena: Arena, traces: Traces) -> Self {
            Self {
                overview: traces.overview(),
                evaluations: arena.evaluations().len(),
                annotations: arena.annotations().len(),
                arena,
                traces,
            }
        }

        /// Tokens and cost of the counted calls of every trace (`analysis::mark_sums`).
        /// The matched spans on their own, assembled again: a span whose parent did not match
        /// counts as a root with a missing parent. Evaluations count when about a matched span.
        fn of_matching(arena: &Arena, matched: &[u32]) -> Self {
            let mut subset = Arena::default();
            let bytes = export::encode(arena, matched, Target::OtlpProto);
            ingest::load(&mut subset, "matched", &bytes);
            let logs: Vec<_> = matched
                .iter()
                .flat_map(|&i| arena.logs_of_span(&arena.spans()[i as usize]))
                .collect();
            if !logs.is_empty() {
                let bytes = export::encode_logs_proto(arena, &logs);
                ingest::load(&mut subset, "matched logs", &bytes);
            }
            let spans: hashbrown::HashSet<_> = matched
                .iter()
                .map(|&i| arena.spans()[i as usize].span_id)
                .collect();
            let about_matched = |e: &&plume::model::Evaluation| match e.target {
                EvalTarget::Span(id) | EvalTarget::Document(id, _) => spans.contains(&id),
                EvalTarget::Trace(_) => false,
            };
            let evaluations = arena.evaluations().iter().filter(about_matched).count();
            let annotations = arena.annotations().iter().filter(about_matched).count();
            let traces = Traces::assemble(&subset);
            Self {
                overview: traces.overview(),
                evaluations,
                annotations,
                arena: subset,
                traces,
            }
        }
    }

    fn problem_json(error: &IngestError) -> Json {
        let place = &error.place;
        json!({
            "file": error.file,
            "line": place.line,
            "column": place.column,
            "byte_offset": place.byte_offset,
            "json_path": place.json_path,
            "parquet_column": place.column_name,
            "row": place.row,
            "message": error.problem.to_string(),
            "text": error.to_string(),
        })
    }

    /// Token counts as `{input, output, total, cached_input, reasoning, …}`: every kind, `null`
    /// where none was recorded.
    fn tokens_json(usage: &Usage) -> Json {
        let mut object = serde_json::Map::new();
        for kind in TokenKind::ALL {
            object.insert(kind.name().to_owned(), json!(usage.reported(kind)));
        }
        Json::Object(object)
    }

    /// A conversation as `[{role, content, tool_calls: [{id, name, arguments}]}]`: `content` the
    /// text parts joined, `arguments` parsed when they are JSON.
    fn messages_json(messages: &[plume::semantics::meaning::Message]) -> Json {
        messages
            .iter()
            .map(|m| {
                let calls: Vec<Json> = m
                    .tool_calls()
                    .map(|(id, name, arguments)| {
                        // Unrecorded arguments are null; text that is not JSON stays text.
                        let parsed = match arguments {
                            "" => Json::Null,
                            text => serde_json::from_str(text)
                                .unwrap_or_else(|_| Json::String(text.into())),
                        };
                        json!({"id": id, "name": name, "arguments": parsed})
                    })
                    .collect();
                json!({
                    "role": m.role,
                    "content": m.content(),
                    "tool_calls": calls,
                    "tool_call_id": m.tool_call_id,
                    "finish_reason": m.finish_reason,
                })
            })
            .collect()
    }

    /// Every span whose kind is LLM, convention-free (`--llm`).
    fn llm_spans(counted: &Counted, prices: &Prices) -> Vec<Json> {
        let arena = &counted.arena;
        let mut out = Vec::new();
        for trace in counted.traces.all() {
            for &index in &trace.tree.span {
                let span = &arena.spans()[index as usize];
                if span.oi_kind != OiKind::Llm {
                    continue;
                }
                let meaning: Meaning = describe(arena, span);
                let cost = arena
                    .call(span)
                    .and_then(|call| call_cost(arena, call, span.start_unix_nanos, prices));
                let system: Vec<String> = meaning
                    .system
                    .iter()
                    .filter_map(|part| match part {
                        plume::semantics::meaning::Part::Text { text } => Some(text.clone()),
                        _ => None,
                    })
                    .collect();
                out.push(json!({
                    "span_id": span.span_id.to_string(),
                    "trace_id": span.trace_id.to_string(),
                    "name": arena.str(span.name),
                    "dialect": meaning.dialect.name(),
                    "operation": meaning.operation,
                    "model": meaning.response_model.clone().or(meaning.request_model.clone()),
                    "request_model": meaning.request_model,
                    "response_model": meaning.response_model,
                    "provider": meaning.provider,
                    "system_instructions": (!system.is_empty()).then(|| system.join("\n\n")),
                    "input_messages": messages_json(&meaning.input),
                    "output_messages": messages_json(&meaning.output),
                    "tools": meaning.tools.iter().map(|t| t.name.clone()).collect::<Vec<_>>(),
                    "finish_reasons": meaning.finish_reasons,
                    "tokens": tokens_json(&meaning.usage),
                    "cost_usd": cost.map(|c| c.usd.dollars()),
                    "cost_source": cost.map(|c| c.source.name()),
                }));
            }
        }
        out
    }

    fn inspect_json(counted: &Counted, reports: &[FileReport], prices: &Prices) -> Json {
        let (arena, overview) = (&counted.arena, &counted.overview);
        let (usage, cost) = counted.traces.llm_totals(&counted.arena, prices);
        let files: Vec<Json> = reports
            .iter()
            .map(|report| {
                json!({
                    "file": report.file,
                    "format": report.format.map(|f| f.name()),
                    "compression": report.compression.iter().map(|c| c.name()).collect::<Vec<_>>(),
                    "spans": report.spans,
                    "evaluations": report.evaluations,
                    "logs": report.logs,
                    "ok": report.is_ok(),
                    "errors": report.errors.iter().map(problem_json).collect::<Vec<_>>(),
                    "warnings": report.warnings.iter().map(problem_json).collect::<Vec<_>>(),
                })
            })
            .collect();
        let errors: Vec<Json> = reports
            .iter()
            .flat_map(|r| &r.errors)
            .map(problem_json)
            .collect();
        let warnings: Vec<Json> = reports
            .iter()
            .flat_map(|r| &r.warnings)
            .map(problem_json)
            .collect();
        json!({
            "spans": overview.spans,
            "traces": overview.traces,
            "projects": overview.projects.len(),
            "project_names": overview.projects.iter().map(|p| arena.str(p.name)).collect::<Vec<_>>(),
            "sessions": overview.sessions,
            "evaluations": counted.evaluations,
            "annotations": counted.annotations,
            "error_spans": overview.error_spans,
            "roots": overview.roots,
            "missing_parents": overview.missing_parents,
            "duplicates": overview.duplicates,
            "cycles": overview.cycles,
            "clock_skew": overview.outside_parent,
            "logs": counted.traces.attach(arena, arena.logs()),
            "tokens": tokens_json(&usage),
            "cost_usd": cost.is_priced().then(|| cost.usd.dollars()),
            "cost_calls": {
                "recorded": cost.recorded_calls,
                "estimated": cost.estimated_calls,
                "unpriced": cost.unpriced_calls,
            },
            "errors": errors,
            "warnings": warnings,
            "files": files,
        })
    }

    fn plural(n: u64, one: &str, many: &str) -> String {
        format!("{n} {}", if n == 1 { one } else { many })
    }

    fn write_inspect_text(
        out: &mut impl std::io::Write,
        counted: &Counted,
        reports: &[FileReport],
        prices: &Prices,
    ) -> std::io::Result<()> {
        let (arena, overview) = (&counted.arena, &counted.overview);
        for report in reports {
            let format = report.format.map_or("unreadable", |f| f.name());
            let compression: String = report
                .compression
                .iter()
                .map(|c| format!("{}, ", c.name()))
                .collect();
            let mut line = format!(
                "{}: {compression}{format}, {}",
                report.file,
                plural(report.spans as u64, "span", "spans")
            );
            if report.evaluations > 0 {
                line.push_str(&format!(
                    ", {}",
                    plural(report.evaluations as u64, "evaluation", "evaluations")
                ));
            }
            if report.logs > 0 {
                line.push_str(&format!(
                    ", {}",
                    plural(report.logs as u64, "log record", "log records")
                ));
            }
            if !report.errors.is_empty() {
                line.push_str(&format!(
                    ", {}",
                    plural(report.errors.len() as u64, "error", "errors")
                ));
            }
            writeln!(out, "{line}")?;
        }
        let projects: Vec<String> = overview
            .projects
            .iter()
            .map(|p| {
                format!(
                    "{} ({} traces, {} spans)",
                    arena.str(p.name),
                    p.traces,
                    p.spans
                )
            })
            .collect();
        let projects = match projects.is_empty() {
            true => String::new(),
            false => format!(": {}", projects.join(", ")),
        };
        writeln!(
            out,
            "total: {} in {}; {}{projects}; {}",
            plural(overview.spans, "span", "spans"),
            plural(overview.traces, "trace", "traces"),
            plural(overview.projects.len() as u64, "project", "projects"),
            plural(overview.sessions, "session", "sessions"),
        )?;
        writeln!(
            out,
            "       {}, {}, {}, {}, {} outside their parent, {}",
            plural(overview.roots, "root", "roots"),
            plural(
                overview.missing_parents,
                "missing parent",
                "missing parents"
            ),
            plural(overview.duplicates, "duplicate", "duplicates"),
            plural(overview.cycles, "parent loop", "parent loops"),
            plural(overview.outside_parent, "span", "spans"),
            plural(overview.error_spans, "error span", "error spans"),
        )?;
        let (usage, cost) = counted.traces.llm_totals(&counted.arena, prices);
        if let Some(total) = usage.total() {
            let mut line = format!(
                "       {} tokens ({} in, {} out)",
                total,
                usage.count(TokenKind::Input),
                usage.count(TokenKind::Output)
            );
            if cost.is_priced() {
                line.push_str(&format!(", ${:.6}", cost.usd.dollars()));
            }
            if cost.unpriced_calls > 0 {
                line.push_str(&format!(
                    ", {} without a price",
                    plural(u64::from(cost.unpriced_calls), "call", "calls")
                ));
            }
            writeln!(out, "{line}")?;
        }
        for report in reports {
            for error in &report.errors {
                writeln!(out, "error: {error}")?;
            }
            for warning in &report.warnings {
                writeln!(out, "warning: {warning}")?;
            }
        }
        Ok(())
    }

    /// The redaction rules: a file's, or (`""`) the built-in ones.
    fn read_rules(command: &'static str, path: &str) -> Result<plume::redact::Rules, Failure> {
        let usage = |message: String| Failure::Usage { command, message };
        match path {
            "" => Ok(plume::redact::Rules::default()),
            path => {
                let text = std::fs::read_to_string(path)
                    .map_err(|error| usage(format!("{path}: {error}")))?;
                plume::redact::Rules::read(&text).map_err(|error| usage(format!("{path}: {error}")))
            }
        }
    }

    fn convert(args: ConvertArgs) -> Result<ExitCode, Failure> {
        let ConvertArgs {
            files,
            filter,
            to,
            output,
            redact,
        } = args;
        let filter = read_filter("convert", filter.as_deref())?;
        let rules = redact
            .as_deref()
            .map(|path| read_rules("convert", path))
            .transpose()?;
        let target = Target::from(to);
        let (arena, traces, reports) = load_all(&files);
        // Every kept span (or every matching one), trace by trace in tree order: duplicates are
        // written once.
        let spans: Vec<u32> = match &filter {
            Some(filter) => filter.matching_spans(&arena, &traces, &Prices::builtin()),
            None => traces
                .all()
                .iter()
                .flat_map(|t| t.tree.span.iter().copied())
                .collect(),
        };
        let trace_count = spans
            .iter()
            .map(|&i| arena.spans()[i as usize].trace_id)
            .collect::<hashbrown::HashSet<_>>()
            .len();
        let bytes = match rules {
            Some(rules) => {
                let (bytes, redactor) = plume::redact::redacted(&arena, &spans, rules, target)
                    .map_err(|error| Failure::Output {
                        target: "the redacted spans".into(),
                        error: std::io::Error::other(error),
                    })?;
                eprintln!("redacted: {}", redactor.summary());
                bytes
            }
            None => export::encode(&arena, &spans, target),
        };
        write_output(&output, &bytes)?;
        for error in reports.iter().flat_map(|r| &r.errors) {
            eprintln!("error: {error}");
        }
        eprintln!(
            "{}: {} in {}",
            output,
            plural(spans.len() as u64, "span", "spans"),
            plural(trace_count as u64, "trace", "traces")
        );
        Ok(exit_for(&reports))
    }

    /// What `source` and `scope` (and a server `filter`) ask a server for, checked: a usage error
    /// of `command` otherwise.
    fn fetch_request(
        command: &'static str,
        source: &str,
        scope: FetchScope,
        filter: Option<String>,
    ) -> Result<plume::sources::fetch::Fetch, Failure> {
        use plume::sources::{Search, Server};
        let usage = |message: String| Failure::Usage { command, message };
        let server = Server::parse(source).map_err(usage)?;
        for (flag, time) in [("--since", &scope.since), ("--until", &scope.until)] {
            if let Some(time) = time.as_deref()
                && plume::model::parse_rfc3339_nanos(time).is_none()
            {
                return Err(usage(format!(
                    "{flag} “{time}”: write an ISO 8601 time, e.g. 2026-12-01T00:00:00Z"
                )));
            }
        }
        let headers = (scope.header.iter())
            .map(|header| match header.split_once(':') {
                Some((name, value)) if !name.trim().is_empty() => {
                    Ok((name.trim().to_owned(), value.trim().to_owned()))
                }
                _ => Err(usage(format!(
                    "--header “{header}”: write it as 'Name: value'"
                ))),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(plume::sources::fetch::Fetch {
            server,
            headers,
            search: Search {
                project: scope.project,
                operation: scope.operation,
                filter,
                since: scope.since,
                until: scope.until,
            },
            traces: scope.traces,
            limit: scope.limit,
        })
    }

    fn fetch(args: FetchArgs) -> Result<ExitCode, Failure> {
        use plume::sources::fetch;
        let request = fetch_request("fetch", &args.source, args.scope, args.filter)?;
        let Some(output) = args.output else {
            return match fetch::projects(&request.server, &request.headers) {
                Ok(names) => {
                    let mut out = std::io::stdout().lock();
                    for name in names {
                        writeln!(out, "{name}").map_err(output_error("stdout"))?;
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(problem) => {
                    eprintln!("plume: {problem}");
                    Ok(ExitCode::from(1))
                }
            };
        };
        let fetched = match fetch::fetch(&request) {
            Ok(fetched) => fetched,
            Err(problem) => {
                eprintln!("plume: {problem}");
                return Ok(ExitCode::from(1));
            }
        };
        let traces = Traces::assemble(&fetched.arena);
        let spans: Vec<u32> = (traces.all().iter())
            .flat_map(|t| t.tree.span.iter().copied())
            .collect();
        let target = match () {
            _ if output.ends_with(".jsonl") => Target::OtlpJsonLines,
            _ if output.ends_with(".json") => Target::OtlpJson,
            _ => Target::OtlpProto,
        };
        let bytes = export::encode(&fetched.arena, &spans, target);
        write_output(&output, &bytes)?;
        // OTLP has no place for evaluations: what Phoenix held on the spans goes beside them,
        // as JSON Lines that `plume inspect OUT OUT.evaluations.jsonl` (or a drop) reads back.
        let evaluations = export::encode_evaluations(&fetched.arena, &spans, str::to_owned);
        if !evaluations.is_empty() && output != "-" {
            let beside = format!("{output}.evaluations.jsonl");
            std::fs::write(&beside, evaluations.as_bytes()).map_err(output_error(&beside))?;
            eprintln!("{beside}: what Phoenix holds on them (evaluations and annotations)");
        }
        for error in fetched.reports.iter().flat_map(|r| &r.errors) {
            eprintln!("error: {error}");
        }
        eprintln!(
            "{output}: {} in {} (of {} asked for)",
            plural(spans.len() as u64, "span", "spans"),
            plural(traces.all().len() as u64, "trace", "traces"),
            fetched.traces.len()
        );
        Ok(exit_for(&fetched.reports))
    }

    fn share(args: ShareArgs) -> Result<ExitCode, Failure> {
        use plume::share::{SHELL, ShareInfo, page, redaction_job, share};
        let usage = |message: String| Failure::Usage {
            command: "share",
            message,
        };
        let filter = read_filter("share", args.filter.as_deref())?;
        let rules = args
            .redact
            .as_deref()
            .map(|path| read_rules("share", path))
            .transpose()?;
        let viewer = args
            .page
            .or_else(|| {
                let exe = std::env::current_exe().ok();
                plume::serve::default_page(std::env::current_dir().ok(), exe)
            })
            .ok_or_else(|| {
                usage("no built viewer found: build it with ./dev build, or give --page DIR".into())
            })?;
        let shell = std::fs::read_to_string(viewer.join(SHELL)).map_err(|error| {
            usage(format!(
                "{}: {error} (the viewer is built without it: build it again)",
                viewer.join(SHELL).display()
            ))
        })?;
        let (arena, traces, reports) = load_all(&args.files);
        // Whole traces, in tree order: a filter picks the traces that have a matching span.
        let chosen: hashbrown::HashSet<_> = match &filter {
            Some(filter) => filter
                .matching_spans(&arena, &traces, &Prices::builtin())
                .iter()
                .map(|&i| arena.spans()[i as usize].trace_id)
                .collect(),
            None => traces.all().iter().map(|t| t.summary.trace_id).collect(),
        };
        let shared_traces: Vec<_> = (traces.all().iter())
            .filter(|t| chosen.contains(&t.summary.trace_id))
            .collect();
        let spans: Vec<u32> = (shared_traces.iter())
            .flat_map(|t| t.tree.span.iter().copied())
            .collect();
        let title = args
            .title
            .unwrap_or_else(|| match shared_traces.as_slice() {
                [one] => one
                    .tree
                    .span
                    .first()
                    .map(|&root| arena.str(arena.spans()[root as usize].name).to_owned())
                    .unwrap_or_default(),
                _ => args.files[0]
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
            });
        // The command line runs natively, where the clock is there to read.
        #[expect(clippy::disallowed_methods)]
        let made = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|since| plume::model::format_rfc3339_nanos(since.as_nanos() as u64))
            .ok();
        let info = ShareInfo {
            title,
            by: args.by,
            made,
            ..ShareInfo::default()
        };
        let failed = |error: String| Failure::Output {
            target: "the redacted spans".into(),
            error: std::io::Error::other(error),
        };
        let redacted = rules
            .map(|rules| plume::redact::job::run(&redaction_job(&arena, &spans, &info, rules)))
            .transpose()
            .map_err(failed)?;
        let shared = share(&arena, &spans, redacted.as_ref(), info).map_err(failed)?;
        let gzipped: Vec<Vec<u8>> = (shared.files.iter())
            .map(|file| plume::export::gzip(&file.content, flate2::Compression::best()))
            .collect();
        let html = page(&shell, &shared, &gzipped).map_err(usage)?;
        let output = args.output.display().to_string();
        std::fs::write(&args.output, html).map_err(output_error(&output))?;
        for error in reports.iter().flat_map(|r| &r.errors) {
            eprintln!("error: {error}");
        }
        if let Some(rules) = &shared.info.redacted {
            eprintln!("redacted: {rules}");
        }
        eprintln!(
            "{output}: {} in {}",
            plural(shared.info.spans as u64, "span", "spans"),
            plural(shared.info.traces as u64, "trace", "traces")
        );
        Ok(exit_for(&reports))
    }

    fn serve(args: ServeArgs) -> Result<ExitCode, Failure> {
        use plume::serve::{default_page, default_store, disk::Disk, http};
        let usage = |message: String| Failure::Usage {
            command: "serve",
            message,
        };
        if !args.host.is_loopback() && args.token.is_none() {
            return Err(usage(format!(
                "listening on {} lets other machines send: give --token TOKEN, which every \
                 sender must then present",
                args.host
            )));
        }
        let env = |name| std::env::var_os(name).map(PathBuf::from);
        let store = args
            .store
            .or_else(|| default_store(env("XDG_DATA_HOME"), env("HOME")))
            .ok_or_else(|| usage("no home folder to keep data in: give --store DIR".into()))?;
        let exe = std::env::current_exe().ok();
        let page = args
            .page
            .or_else(|| default_page(std::env::current_dir().ok(), exe))
            .ok_or_else(|| {
                usage("no built viewer found: start it with ./dev live (which builds it), or give --page DIR".into())
            })?;
        let disk =
            Disk::open(&store, 64 << 20).map_err(output_error(&store.display().to_string()))?;
        let at = |port: u16| (port != 0).then(|| std::net::SocketAddr::new(args.host, port));
        let options = http::Options {
            address: std::net::SocketAddr::new(args.host, args.port),
            otlp_http: at(args.otlp_http_port),
            otlp_grpc: at(args.otlp_grpc_port),
            page,
            max_body: args.max_body_mb << 20,
            token: args.token,
            allow_origins: args.allow_origin,
        };
        let runtime = tokio::runtime::Runtime::new().map_err(output_error("the server"))?;
        let also = |name: &str, address: Option<std::net::SocketAddr>| {
            address.map_or(String::new(), |address| format!("; {name} on {address}"))
        };
        println!(
            "plume: serving http://{} — the viewer, and OTLP/HTTP at /v1/traces and /v1/logs{}{}; \
             keeping what arrives in {}",
            options.address,
            also("OTLP/HTTP", options.otlp_http),
            also("OTLP/gRPC", options.otlp_grpc),
            store.display()
        );
        if let Some(token) = &options.token {
            // The page asks for what is kept with the token it was opened with.
            println!(
                "plume: open http://{}/?token={token} (senders give Authorization: Bearer {token})",
                options.address
            );
        }
        let address = options.address.to_string();
        runtime
            .block_on(http::run(disk, options))
            .map_err(output_error(&address))?;
        Ok(ExitCode::SUCCESS)
    }

    fn generate(args: GenerateArgs) -> Result<ExitCode, Failure> {
        if args.spans == 0 {
            return Err(Failure::Usage {
                command: "generate",
                message: "generate needs --spans N (N > 0)".into(),
            });
        }
        let shape = Shape {
            spans: args.spans,
            traces: args.traces,
            seed: args.seed,
            convention: args.convention.into(),
        };
        let output = args.output;
        let file = std::fs::File::create(&output).map_err(output_error(&output))?;
        let mut out = std::io::BufWriter::new(file);
        let written = match args.to {
            GenerateFormat::OtlpJson => plume::generate::write_json(shape, &mut out),
            GenerateFormat::OtlpProto => plume::generate::write_proto(shape, &mut out),
        };
        written
            .and_then(|()| out.flush())
            .map_err(output_error(&output))?;
        Ok(ExitCode::SUCCESS)
    }

    fn completions(shell: Shell) -> Result<ExitCode, Failure> {
        // Made whole before it is written: clap_complete panics when a write fails, and a
        // closed pipe is no reason to.
        let mut script = Vec::new();
        clap_complete::generate(shell, &mut Cli::command(), "plume", &mut script);
        std::io::stdout()
            .lock()
            .write_all(&script)
            .map_err(output_error("the output"))?;
        Ok(ExitCode::SUCCESS)
    }
}
