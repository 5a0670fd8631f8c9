//! The `concerto` binary: parse the command line, then serve, migrate, back up or copy the
//! database, manage accounts (create, reset a password) or scan texts for identifiers.

use app::backend::db::users::{self, TokenPurpose};
use clap::Parser;
use concerto_server::config::{Cli, Command, UserCommand};
use concerto_server::{db, ops, pii_scan, video, Application};
use tracing_subscriber::EnvFilter;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_env("CONCERTO_LOG").unwrap_or_else(|_| {
            EnvFilter::new("info,sqlx=warn,webrtc=error,rtc=error,rtc_ice=error")
        }))
        .with_writer(std::io::stderr)
        .init();
    match cli.command {
        None => serve(cli.serve).await,
        Some(Command::Serve(config)) => serve(config).await,
        Some(Command::Migrate(database)) => {
            db::connect(&database.database_url).await?;
            eprintln!("migrations applied to {}", database.database_url);
            Ok(())
        }
        Some(Command::Backup { file, database }) => {
            let db = db::connect(&database.database_url).await?;
            ops::backup(&db, &file).await?;
            eprintln!("backup written to {}", file.display());
            Ok(())
        }
        Some(Command::Copy { from, to }) => {
            let source = db::connect(&from).await?;
            let target = db::connect(&to).await?;
            for (table, rows) in ops::copy(&source, &target).await? {
                println!("{table}: {rows} rows");
            }
            Ok(())
        }
        Some(Command::User { command }) => user(command).await,
        Some(Command::PiiBench { file }) => pii_scan::bench(&file),
        Some(Command::SfuBench {
            rooms,
            participants,
            seconds,
            slow,
            simulcast,
            janus,
            runs,
            serve,
        }) => match serve {
            Some(address) => video::bench::serve(address).await,
            None => {
                let shape = video::bench::Shape {
                    rooms,
                    participants,
                    seconds,
                    slow,
                };
                video::bench::run(shape, simulcast, janus, runs).await
            }
        },
        Some(Command::PiiScan) => {
            let stdin = std::io::stdin();
            let bad = pii_scan::scan(
                stdin.lock(),
                std::io::stdout().lock(),
                std::io::stderr().lock(),
            )?;
            if bad > 0 {
                std::process::exit(1);
            }
            Ok(())
        }
    }
}

/// `concerto user …`: accounts from the command line, each with a printed one-time link.
async fn user(command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add {
            email,
            admin,
            name,
            link,
        } => {
            let pool = db::connect(&link.database.database_url).await?;
            if !app::api::members::ssr::plausible_email(&email) {
                anyhow::bail!("invalid e-mail address: {email}");
            }
            if users::by_email(&pool, &email).await?.is_some() {
                anyhow::bail!(
                    "an account with e-mail {email} already exists; to give its owner a new \
                     link, use `concerto user reset-password {email}`"
                );
            }
            let display_name = name.unwrap_or_else(|| email.clone());
            let user_id = users::create(&pool, &email, &display_name, admin).await?;
            let token = users::create_password_token(
                &pool,
                user_id,
                TokenPurpose::Invitation,
                chrono::Duration::days(7),
            )
            .await?;
            println!("{}", link.password_link(&token));
            eprintln!(
                "account {email} created{}; the link above sets its password (valid 7 days, once)",
                if admin { " (administrator)" } else { "" }
            );
        }
        UserCommand::ResetPassword { email, link } => {
            let pool = db::connect(&link.database.database_url).await?;
            let Some(user) = users::by_email(&pool, &email).await? else {
                anyhow::bail!(
                    "no account with e-mail {email} in {}; create one with `concerto user add {email}`",
                    link.database.database_url
                );
            };
            let token = users::create_password_token(
                &pool,
                user.id,
                TokenPurpose::Reset,
                chrono::Duration::hours(24),
            )
            .await?;
            println!("{}", link.password_link(&token));
            eprintln!(
                "the link above sets a new password for {} (valid 24 hours, once); \
                 using it signs the account out everywhere",
                user.email
            );
        }
    }
    Ok(())
}

async fn serve(config: concerto_server::config::ServeConfig) -> anyhow::Result<()> {
    let application = Application::build(config).await?;
    application.run_until_stopped().await?;
    Ok(())
}
