//! `orgdesk-gateway`: the standalone gateway server and its small admin commands.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use orgdesk_gateway::{Clock, Config, SystemClock};

/// The Orgdesk gateway: sends invitations and serves the pages invitees and members open.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// The configuration file (see docs/gateway.sample.toml).
    #[arg(long, short, value_name = "FILE")]
    config: PathBuf,
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
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // Logs go to stderr (the journal under systemd), without colour unless on a terminal;
    // stdout carries only what commands print for the operator.
    use std::io::IsTerminal;
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .init();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("orgdesk-gateway: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> orgdesk_gateway::Result<()> {
    let config = Config::load(&cli.config)?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let gateway = orgdesk_gateway::serve(config).await?;
            println!(
                "listening on {} ({})",
                gateway.local_addr(),
                gateway.public_url()
            );
            wait_for_stop().await;
            tracing::info!("stopping");
            gateway.shutdown().await
        }
        Command::CreateOrganization { name } => {
            let store = orgdesk_gateway::open_store(&config).await?;
            let creds =
                orgdesk_gateway::create_organization(store.as_ref(), &name, SystemClock.now_secs())
                    .await?;
            println!("organization_id = {}", creds.organization_id);
            println!("api_token = {}", creds.api_token);
            Ok(())
        }
        Command::RotateToken { organization } => {
            let store = orgdesk_gateway::open_store(&config).await?;
            let token = orgdesk_gateway::rotate_api_token(store.as_ref(), &organization).await?;
            println!("api_token = {token}");
            Ok(())
        }
    }
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
