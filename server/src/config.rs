//! Command line and environment (`CONCERTO_*`).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Concerto: mental-health coordination between general practice and psychiatry.
#[derive(Debug, Parser)]
#[command(name = "concerto", version, about)]
pub struct Cli {
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options of `serve` when no subcommand is given.
    #[command(flatten)]
    pub serve: ServeConfig,
}

/// Subcommands.
// Parsed once at start-up: the size of the `Serve` variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (the default).
    Serve(ServeConfig),
    /// Apply database migrations and exit.
    Migrate(DatabaseArgs),
    /// Write a consistent copy of a SQLite database to FILE while the server keeps running
    /// (on PostgreSQL, use pg_dump).
    Backup {
        /// The copy to write (must not exist).
        file: PathBuf,
        /// Database.
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Copy every row of a SQLite database into a new, empty PostgreSQL database (both are
    /// migrated first); prints the rows copied per table.
    Copy {
        /// The SQLite database (sqlite://FILE).
        #[arg(long)]
        from: String,
        /// The PostgreSQL database (postgres://USER:PASSWORD@HOST:PORT/DATABASE).
        #[arg(long)]
        to: String,
    },
    /// Manage accounts.
    User {
        /// What to do with accounts.
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Scan JSON lines {"id", "text"} on stdin for direct identifiers; one JSON line per input
    /// on stdout: {"id", "spans": [{"start", "end", "kind", "confidence", "reason"}]} (UTF-8
    /// byte offsets; confidence CERTAIN, LIKELY or POSSIBLE; the reason in French).
    PiiScan,
    /// Measure the identifier detector on the texts of a JSON-lines file (prints MB/s).
    #[command(hide = true)]
    PiiBench {
        /// JSON lines with a "text" field.
        file: PathBuf,
    },
    /// Measure the video rooms' SFU on loopback: bots publish synthetic VP8 (~500 kbit/s) and
    /// Opus to an SFU in a child process; prints one JSON line (forwarded packets per second, the
    /// SFU's CPU and memory, loss).
    SfuBench {
        /// Rooms.
        #[arg(long, default_value_t = 1)]
        rooms: usize,
        /// Participants per room.
        #[arg(long, default_value_t = 15)]
        participants: usize,
        /// Seconds measured (after every bot receives every other).
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Participants of the first room who read only 20 packets a second per track (a weak
        /// link): the JSON then also gives the others' loss.
        #[arg(long, default_value_t = 0)]
        slow: usize,
        /// Bots publish their camera in simulcast (three layers, about 1.75 times the bytes);
        /// each one wants the speaker (its room's first participant) in the high layer and the
        /// others in the low one, as a staff's grid does.
        #[arg(long)]
        simulcast: bool,
        /// Then the same bots against Janus (Debian package `janus`, videoroom plugin), started
        /// with a throw-away configuration: its figures under `"janus"`, and the ratios.
        #[arg(long)]
        janus: bool,
        /// Measures this many times, a fresh SFU each time, and prints the run of median CPU with
        /// the range of all runs' CPU, packet rate and memory: on a small machine whose cores the
        /// bots share, the same binary's CPU varies by several points from run to run.
        #[arg(long, default_value_t = 1)]
        runs: usize,
        /// Run only the SFU, on this address, for the measuring process (internal).
        #[arg(long, hide = true)]
        serve: Option<std::net::SocketAddr>,
    },
}

/// Account commands.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account and print a one-time link to set its password.
    Add {
        /// E-mail of the new account.
        email: String,
        /// Make the account an administrator (bootstraps a fresh installation).
        #[arg(long)]
        admin: bool,
        /// Display name (defaults to the e-mail).
        #[arg(long)]
        name: Option<String>,
        /// Database and public URL.
        #[command(flatten)]
        link: LinkArgs,
    },
    /// Print a one-time link (valid 24 hours) to set a new password for an existing account;
    /// using it ends the account's sessions.
    ResetPassword {
        /// E-mail of the account.
        email: String,
        /// Database and public URL.
        #[command(flatten)]
        link: LinkArgs,
    },
}

/// Where the database is, and the public URL for printed links.
#[derive(Debug, Clone, Args)]
pub struct LinkArgs {
    /// Database.
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Public base URL used in the printed link.
    #[arg(
        long,
        env = "CONCERTO_BASE_URL",
        default_value = "http://127.0.0.1:3000"
    )]
    pub base_url: String,
}

impl LinkArgs {
    /// The link that sets a password with `token`.
    pub fn password_link(&self, token: &str) -> String {
        format!(
            "{}/mot-de-passe/{token}",
            self.base_url.trim_end_matches('/')
        )
    }
}

/// Where the database is.
#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// sqlite://FILE (created if missing, WAL mode) or postgres://USER:PASSWORD@HOST:PORT/DATABASE.
    #[arg(
        long,
        env = "CONCERTO_DATABASE_URL",
        default_value = "sqlite://data/concerto.db"
    )]
    pub database_url: String,
}

/// Server settings.
#[derive(Debug, Clone, Args)]
pub struct ServeConfig {
    /// Address to listen on.
    #[arg(long, env = "CONCERTO_BIND", default_value = "127.0.0.1:3000")]
    pub bind: SocketAddr,
    /// Database.
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Seed the demo organisation and accounts (idempotent).
    #[arg(long, env = "CONCERTO_DEMO")]
    pub demo: bool,
    /// SMTP server, e.g. smtp://127.0.0.1:2525; without it, e-mails are written to the outbox folder.
    #[arg(long, env = "CONCERTO_SMTP_URL")]
    pub smtp_url: Option<String>,
    /// Folder for e-mails when no SMTP server is configured.
    #[arg(long, env = "CONCERTO_OUTBOX_DIR", default_value = "data/outbox")]
    pub outbox_dir: PathBuf,
    /// Sender of e-mails.
    #[arg(
        long,
        env = "CONCERTO_MAIL_FROM",
        default_value = "Concerto <concerto@localhost>"
    )]
    pub mail_from: String,
    /// Public base URL (links in e-mails and calendar feeds); defaults to http://BIND.
    #[arg(long, env = "CONCERTO_BASE_URL")]
    pub base_url: Option<String>,
    /// Folder with the built site (wasm, js, css), as produced by cargo-leptos.
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: String,
    /// Seconds between two passes of the reminder task.
    #[arg(long, env = "CONCERTO_REMINDER_INTERVAL", default_value_t = 60)]
    pub reminder_interval_seconds: u64,
    /// Video rooms: media addresses, ICE servers, opening hours.
    #[command(flatten)]
    pub video: VideoArgs,
}

/// Video rooms' settings (`concerto serve`).
#[derive(Debug, Clone, clap::Args)]
pub struct VideoArgs {
    /// The address video media (UDP) binds to and announces to browsers.
    #[arg(long, env = "CONCERTO_MEDIA_IP", default_value = "127.0.0.1")]
    pub media_ip: std::net::IpAddr,
    /// UDP ports media may use, e.g. 40000-40999 (one per participant; open them in the
    /// firewall). Default: any free port.
    #[arg(long, env = "CONCERTO_MEDIA_PORTS", value_parser = parse_port_range)]
    pub media_ports: Option<(u16, u16)>,
    /// The public address announced to browsers instead of `--media-ip`, behind a 1:1 NAT.
    #[arg(long, env = "CONCERTO_PUBLIC_IP")]
    pub public_ip: Option<std::net::IpAddr>,
    /// A STUN server handed to browsers, e.g. stun:turn.example.org:3478.
    #[arg(long, env = "CONCERTO_STUN_URL")]
    pub stun_url: Option<String>,
    /// A TURN server handed to browsers, e.g. turn:turn.example.org:3478?transport=udp.
    #[arg(long, env = "CONCERTO_TURN_URL")]
    pub turn_url: Option<String>,
    /// The secret shared with the TURN server (coturn `static-auth-secret`): browsers get
    /// credentials valid for the meeting's room only, never the secret.
    #[arg(long, env = "CONCERTO_TURN_SECRET")]
    pub turn_secret: Option<String>,
    /// Minutes before a meeting's start when its video room opens.
    #[arg(long, env = "CONCERTO_ROOM_OPENS_BEFORE", default_value_t = 15)]
    pub room_opens_before_minutes: i64,
    /// Minutes after a meeting's end when its video room closes.
    #[arg(long, env = "CONCERTO_ROOM_CLOSES_AFTER", default_value_t = 60)]
    pub room_closes_after_minutes: i64,
}

impl Default for VideoArgs {
    /// Loopback, any port, no ICE servers, 15 minutes before to 1 hour after.
    fn default() -> Self {
        VideoArgs {
            media_ip: std::net::Ipv4Addr::LOCALHOST.into(),
            media_ports: None,
            public_ip: None,
            stun_url: None,
            turn_url: None,
            turn_secret: None,
            room_opens_before_minutes: 15,
            room_closes_after_minutes: 60,
        }
    }
}

/// "40000-40999" → (40000, 40999).
fn parse_port_range(text: &str) -> Result<(u16, u16), String> {
    let (low, high) = text
        .split_once('-')
        .ok_or_else(|| format!("expected a range such as 40000-40999, got {text:?}"))?;
    let low: u16 = low
        .trim()
        .parse()
        .map_err(|_| format!("bad port {low:?}"))?;
    let high: u16 = high
        .trim()
        .parse()
        .map_err(|_| format!("bad port {high:?}"))?;
    if low == 0 || high < low {
        return Err(format!("empty port range {text:?}"));
    }
    Ok((low, high))
}

impl ServeConfig {
    /// The public base URL, without trailing slash.
    pub fn base_url(&self, port: u16) -> String {
        match &self.base_url {
            Some(url) => url.trim_end_matches('/').to_string(),
            None => format!("http://{}:{port}", self.bind.ip()),
        }
    }

    /// Whether cookies get the Secure flag.
    pub fn secure_cookies(&self, port: u16) -> bool {
        self.base_url(port).starts_with("https://")
    }
}
