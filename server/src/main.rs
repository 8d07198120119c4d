use clap::{Parser, Subcommand};
use leptos::prelude::get_configuration;
use server::config::{redact, Config};
use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

// mimalloc instead of glibc's malloc: rendering a page allocates and frees many small
// strings and views, and glibc's allocator was 40% of the backlog page's server CPU.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod yardstick;

/// `server --version`: the release and the commit it was built from.
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("CADENCE_COMMIT"),
    ")"
);

/// Cadence: a self-hosted Agile/Scrum work tracker.
///
/// Configuration comes from the environment (and a .env file): DATABASE_URL (required),
/// CADENCE_ADDR (default 127.0.0.1:3000), CADENCE_LOG, CADENCE_SECURE_COOKIES,
/// CADENCE_TRUST_PROXY, CADENCE_DB_MAX_CONNECTIONS, CADENCE_REGISTRATION (open or closed).
#[derive(Debug, Parser)]
#[command(name = "server", version = VERSION)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Apply migrations and serve Cadence (the default).
    Serve,
    /// Apply migrations and exit.
    Migrate,
    /// Create an account. The password is read from standard input (one line), or asked for
    /// when standard input is a terminal. Works when registration is closed
    /// (CADENCE_REGISTRATION=closed): this is how accounts are made then.
    CreateUser {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
    /// Create a personal API token for an account and print it (it is shown only once).
    CreateToken {
        /// The account's email.
        #[arg(long)]
        email: String,
        /// A name to recognise the token by, e.g. "weekly report".
        #[arg(long)]
        name: String,
    },
    /// Set a new password for an account (read like create-user's), sign it out everywhere
    /// and revoke its API tokens.
    ResetPassword {
        #[arg(long)]
        email: String,
    },
    /// Create the demo: the article's Dunder Mifflin project with a team, an epic and its
    /// tasks, a sprint of six increments (three closed, one under way) and today's stand-up.
    /// Signs in as michael@dunder-mifflin.example. Does nothing when the demo is there.
    Demo,
    /// The benchmark's yardstick (scripts/bench-server): the backlog's page query alone,
    /// behind a bare handler on CADENCE_ADDR.
    #[command(hide = true)]
    Yardstick,
}

#[tokio::main]
async fn main() -> ExitCode {
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    let filter = EnvFilter::try_new(&config.log_filter).unwrap_or_else(|e| {
        eprintln!("ignoring the log filter {:?}: {e}", config.log_filter);
        EnvFilter::new(server::config::DEFAULT_LOG_FILTER)
    });
    // Admin commands print their own results on stdout; their logs go to stderr.
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if config.log_json {
        // One JSON object per line; the request's span (method, uri, request_id) with it.
        logs.json()
            .with_current_span(true)
            .with_span_list(false)
            .init();
    } else {
        logs.with_ansi(std::io::stderr().is_terminal()).init();
    }

    match run(cli.command.unwrap_or(Command::Serve), config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, config: Config) -> Result<(), String> {
    let pool = server::lazy_pool(
        &config.database_url,
        config.db_max_connections,
        config.db_timeouts,
    )
    .map_err(|e| format!("DATABASE_URL {}: {e}", redact(&config.database_url)))?;
    server::migrate(&pool).await.map_err(|e| {
        format!(
            "applying migrations to {}: {e}",
            redact(&config.database_url)
        )
    })?;
    use app::service::accounts;
    match command {
        Command::Migrate => {
            println!("migrations applied");
            Ok(())
        }
        Command::CreateUser { email, name } => {
            let password = read_password()?;
            let user = accounts::register(&pool, &email, &name, &password)
                .await
                .map_err(describe)?;
            println!("created account {} ({})", user.email, user.display_name);
            Ok(())
        }
        Command::CreateToken { email, name } => {
            let user = accounts::find(&pool, &email).await.map_err(describe)?;
            let token = accounts::issue_token(&pool, user.id, &name)
                .await
                .map_err(describe)?;
            println!("{}", token.token);
            eprintln!(
                "API token {:?} for {}: keep it safe, it will not be shown again",
                token.info.name, user.email
            );
            Ok(())
        }
        Command::ResetPassword { email } => {
            let password = read_password()?;
            let out = accounts::reset_password(&pool, &email, &password)
                .await
                .map_err(describe)?;
            println!(
                "password reset for {email}; signed out of {} session(s), {} API token(s) revoked",
                out.sessions, out.tokens
            );
            Ok(())
        }
        Command::Demo => {
            let demo = app::service::demo::create(&pool, &app::clock::Clock::system())
                .await
                .map_err(describe)?;
            if demo.created {
                println!("created the demo project /p/{}", demo.slug);
            } else {
                println!("the demo project /p/{} is already there", demo.slug);
            }
            println!(
                "sign in as {} with the password {:?} (a demo: not for real use)",
                demo.email, demo.password
            );
            Ok(())
        }
        Command::Serve => serve(config, pool).await,
        Command::Yardstick => yardstick::run(pool, config.addr).await,
    }
}

/// One line from stdin, or a prompt (twice, without echo) on a terminal.
fn read_password() -> Result<String, String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ").map_err(|e| e.to_string())?;
        let again = rpassword::prompt_password("Again: ").map_err(|e| e.to_string())?;
        if first != again {
            return Err("the two passwords differ".into());
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| format!("reading the password from stdin: {e}"))?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

fn describe(e: app::error::AppError) -> String {
    match e {
        app::error::AppError::Validation(fields) => fields.to_string(),
        app::error::AppError::NotFound => "no account has that email".into(),
        other => other.to_string(),
    }
}

/// Notification email: with SMTP settings, this process sends what waits (every few
/// seconds); with or without, it forgets notifications too old to email (hourly).
async fn start_email(
    config: &Config,
    pool: &sqlx::PgPool,
) -> Result<app::service::email::EmailAvailable, String> {
    use app::service::email;
    let housekeeping = pool.clone();
    tokio::spawn(async move {
        let mut hourly = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            hourly.tick().await;
            if let Err(e) = email::forget_old(&housekeeping, chrono::Utc::now()).await {
                tracing::warn!(error = %e, "forgetting old notification email failed");
            }
        }
    });
    let Some(settings) = &config.mail else {
        tracing::info!("notification email is off (CADENCE_SMTP_URL is not set)");
        return Ok(email::EmailAvailable(false));
    };
    let mailer = email::Mailer::new(settings)?;
    tracing::info!(
        smtp = %server::config::redact(&settings.smtp_url),
        from = %settings.from,
        links = %settings.public_url,
        batch_secs = settings.batch.as_secs(),
        "notification email is on"
    );
    tokio::spawn(email::run(
        pool.clone(),
        mailer,
        app::clock::Clock::system(),
        std::time::Duration::from_secs(5),
    ));
    Ok(email::EmailAvailable(true))
}

async fn serve(config: Config, pool: sqlx::PgPool) -> Result<(), String> {
    let mut leptos_options = get_configuration(None)
        .map_err(|e| format!("Leptos configuration: {e}"))?
        .leptos_options;
    leptos_options.site_addr = config.addr;
    let hub = server::live::Hub::start(pool.clone());
    let exports = server::AppState::export_limit(config.db_max_connections);
    let imports = server::Imports::new(config.import_limit_mb as usize * 1024 * 1024);
    if let Some(addr) = config.metrics_addr {
        let gauges = server::observe::Gauges {
            pool: pool.clone(),
            hub: hub.clone(),
            exports: exports.clone(),
            export_limit: server::AppState::export_permits(config.db_max_connections),
            imports: imports.clone(),
        };
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| format!("cannot listen on {addr} (CADENCE_METRICS_ADDR): {e}"))?;
        tracing::info!("metrics at http://{addr}/metrics");
        let metrics = server::observe::metrics_router(gauges);
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, metrics).await {
                tracing::warn!(error = %e, "the metrics listener stopped");
            }
        });
    }
    let email = start_email(&config, &pool).await?;
    let app = server::router(server::Shared {
        leptos_options,
        pool,
        auth: config.auth(),
        clock: app::clock::Clock::system(),
        exports,
        imports,
        timeouts: config.timeouts,
        hub: hub.clone(),
        email,
    });

    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!("Cadence is listening on http://{addr}");
    println!("Cadence is ready: open http://{addr}/");
    server::serve::raise_open_file_limit();
    // On shutdown the event streams end first, so their clients reconnect elsewhere and the
    // graceful wait is for ordinary requests only.
    let shutdown = async move {
        server::shutdown_signal().await;
        hub.close();
    };
    server::serve::serve(listener, app, config.timeouts, shutdown).await;
    Ok(())
}
