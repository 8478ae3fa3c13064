//! `orgdesk-gateway`: the standalone gateway server and its small admin commands.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use orgdesk_gateway::admin::{self, InitAnswers};
use orgdesk_gateway::config::state_directory;
use orgdesk_gateway::{Clock, Config, GatewayError, SystemClock};

/// The Orgdesk gateway: sends invitations and serves the pages invitees and members open.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// The configuration file (see docs/gateway.sample.toml).
    #[arg(
        long,
        short,
        global = true,
        value_name = "FILE",
        default_value = "/etc/orgdesk-gateway/gateway.toml"
    )]
    config: PathBuf,
    /// Read the pepper from this file instead of the configuration's `pepper_file` (the
    /// systemd unit passes the credential it loads: `--pepper-file %d/pepper`).
    #[arg(long, global = true, value_name = "FILE")]
    pepper_file: Option<PathBuf>,
    /// Listen here instead of the configuration's `listen` (port 0: any free port).
    #[arg(long, global = true, value_name = "ADDRESS")]
    listen: Option<std::net::SocketAddr>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server (the default).
    Serve,
    /// Register an organization and print its ID and API token (shown only once).
    CreateOrganization {
        /// The organization's name, for the logs.
        #[arg(long)]
        name: String,
    },
    /// Replace an organization's API token and print the new one; the old one stops working.
    RotateToken {
        #[arg(long, value_name = "ORGANIZATION_ID")]
        organization: String,
    },
    /// Write a configuration, the pepper beside it and the first organization, and print
    /// its API token once. Asks for what is missing when run on a terminal.
    Init {
        /// SQLite file (relative: in the state directory; the whole path is written) or
        /// postgres://user@host:port/db.
        #[arg(long, value_name = "URL")]
        db: Option<String>,
        /// The https:// address people open; left out, loopback only.
        #[arg(long, value_name = "URL")]
        public_url: Option<String>,
        /// The first organization's name.
        #[arg(long, value_name = "NAME")]
        org: Option<String>,
        /// Where a relative database path is taken (default: $STATE_DIRECTORY, else the
        /// working directory; the packaged service uses /var/lib/orgdesk-gateway).
        #[arg(long, value_name = "DIR")]
        state_dir: Option<PathBuf>,
        /// Overwrite an existing configuration file (the pepper is kept).
        #[arg(long)]
        force: bool,
    },
    /// Check the configuration, the database, the pepper and the mail server; exit 1 with
    /// the reasons when something is wrong.
    Check {
        /// Also send a test message to this address.
        #[arg(long, value_name = "ADDRESS")]
        send_test_to: Option<String>,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // Logs go to stderr (the journal under systemd), without colour unless on a terminal;
    // stdout carries only what commands print for the operator.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .init();
    match run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("orgdesk-gateway: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The configuration as the server reads it: relative paths in the state directory, the
/// pepper from `--pepper-file` when given.
fn load_config(cli: &Cli) -> orgdesk_gateway::Result<Config> {
    let mut config = Config::load(&cli.config)?;
    if let Some(dir) = state_directory() {
        config.relative_to(&dir);
    }
    if let Some(pepper) = &cli.pepper_file {
        config.pepper_file = Some(pepper.clone());
    }
    if let Some(listen) = cli.listen {
        config.listen = listen;
        config.validate()?;
    }
    Ok(config)
}

async fn run(cli: Cli) -> orgdesk_gateway::Result<ExitCode> {
    match cli.command.as_ref().unwrap_or(&Command::Serve) {
        Command::Serve => {
            let gateway = orgdesk_gateway::serve(load_config(&cli)?).await?;
            println!(
                "listening on {} ({})",
                gateway.local_addr(),
                gateway.public_url()
            );
            if let Some(at) = gateway.metrics_addr() {
                println!("metrics on http://{at}/metrics");
            }
            wait_for_stop().await;
            tracing::info!("stopping");
            gateway.shutdown().await?;
        }
        Command::CreateOrganization { name } => {
            let store = orgdesk_gateway::open_store(&load_config(&cli)?).await?;
            let creds =
                orgdesk_gateway::create_organization(store.as_ref(), name, SystemClock.now_secs())
                    .await?;
            println!("organization_id = {}", creds.organization_id);
            println!("api_token = {}", creds.api_token);
        }
        Command::RotateToken { organization } => {
            let store = orgdesk_gateway::open_store(&load_config(&cli)?).await?;
            let token = orgdesk_gateway::rotate_api_token(store.as_ref(), organization).await?;
            println!("api_token = {token}");
        }
        Command::Init {
            db,
            public_url,
            org,
            state_dir,
            force,
        } => {
            let answers = InitAnswers {
                config: cli.config.clone(),
                database: answer(
                    db,
                    "Database (a SQLite file or postgres:// URL)",
                    "gateway.db",
                )?,
                public_url: answer(
                    public_url,
                    "Public address people open (https://…; empty: this machine only)",
                    "",
                )?,
                organization: answer(org, "Organization name", "")?,
                state_dir: match state_dir.clone().or_else(state_directory) {
                    Some(dir) => dir,
                    None => std::env::current_dir()?,
                },
                force: *force,
            };
            if answers.organization.trim().is_empty() {
                eprintln!("orgdesk-gateway: --org NAME is required (the first organization)");
                return Ok(ExitCode::FAILURE);
            }
            let done = admin::init(&answers).await?;
            println!("config = {}", done.config.display());
            let pepper_note = if done.pepper_created {
                "created"
            } else {
                "kept"
            };
            println!("pepper = {} ({pepper_note})", done.pepper.display());
            println!("organization_id = {}", done.organization_id);
            println!("api_token = {}", done.api_token);
            eprintln!(
                "The API token is shown only this once: give it to the desktop \
                 (Settings → Gateway). Next: orgdesk-gateway --config {} check",
                done.config.display()
            );
        }
        Command::Check { send_test_to } => {
            let report = admin::check(
                &cli.config,
                state_directory().as_deref(),
                cli.pepper_file.as_deref(),
                send_test_to.as_deref(),
            )
            .await;
            for f in &report.findings {
                let mark = if f.ok { "ok  " } else { "FAIL" };
                println!("{mark} {}: {}", f.what, f.detail);
            }
            if !report.ok() {
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A flag's value; else, on a terminal, the operator's answer (empty: `default`); else
/// `default`.
fn answer(given: &Option<String>, question: &str, default: &str) -> Result<String, GatewayError> {
    if let Some(value) = given {
        return Ok(value.clone());
    }
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Ok(default.to_owned());
    }
    let shown = if default.is_empty() {
        String::new()
    } else {
        format!(" [{default}]")
    };
    eprint!("{question}{shown}: ");
    std::io::stderr().flush()?;
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    let line = line.trim();
    Ok(if line.is_empty() { default } else { line }.to_owned())
}

/// Ctrl-C or SIGTERM (what systemd sends).
async fn wait_for_stop() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
