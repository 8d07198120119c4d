use leptos::prelude::get_configuration;
use server::config::{redact, Config};
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

const USAGE: &str = "usage: server [serve | migrate | help]
  serve    apply migrations and serve Cadence (the default)
  migrate  apply migrations and exit
Configuration comes from the environment (and a .env file): DATABASE_URL (required),
CADENCE_ADDR (default 127.0.0.1:3000), CADENCE_LOG, CADENCE_SECURE_COOKIES,
CADENCE_DB_MAX_CONNECTIONS.";

#[tokio::main]
async fn main() -> ExitCode {
    let _ = dotenvy::dotenv();
    let command = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "serve".to_owned());
    if matches!(command.as_str(), "help" | "-h" | "--help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    if !matches!(command.as_str(), "serve" | "migrate") {
        eprintln!("unknown command {command:?}\n{USAGE}");
        return ExitCode::from(2);
    }
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
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .init();

    match run(&command, config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: &str, config: Config) -> Result<(), String> {
    let pool = server::lazy_pool(&config.database_url, config.db_max_connections)
        .map_err(|e| format!("DATABASE_URL {}: {e}", redact(&config.database_url)))?;
    server::migrate(&pool).await.map_err(|e| {
        format!(
            "applying migrations to {}: {e}",
            redact(&config.database_url)
        )
    })?;
    if command == "migrate" {
        println!("migrations applied");
        return Ok(());
    }

    let mut leptos_options = get_configuration(None)
        .map_err(|e| format!("Leptos configuration: {e}"))?
        .leptos_options;
    leptos_options.site_addr = config.addr;
    let app = server::router(server::AppState {
        leptos_options,
        pool,
    });

    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!("Cadence is listening on http://{addr}");
    println!("Cadence is ready: open http://{addr}/");
    axum::serve(listener, app)
        .with_graceful_shutdown(server::shutdown_signal())
        .await
        .map_err(|e| format!("server error: {e}"))
}
