//! The `concerto` server: configuration, start-up, HTTP routes that are not server functions,
//! calendar feeds, e-mail, background tasks. Tests build the same [`Application`] the binary
//! runs, on port 0 with a fresh database.

// Leptos view types nest deeply (the video room island).
#![recursion_limit = "256"]

pub mod calendar;
pub mod cases;
pub mod config;
pub mod db;
pub mod demo;
pub mod http;
pub mod mail;
pub mod meetings;
pub mod ops;
pub mod pii_scan;
pub mod staff;
pub mod static_files;
pub mod upkeep;
pub mod video;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use app::backend::{AppState, Settings};
use app::{shell, App};
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tokio::net::TcpListener;
use tokio::sync::Notify;

use crate::config::ServeConfig;
use crate::mail::Mailer;

/// A built, bound, migrated application, ready to serve.
pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
    mailer: Arc<Mailer>,
    reminder_interval: Duration,
    port: u16,
    live_stop: tokio::sync::watch::Sender<bool>,
}

impl Application {
    /// Binds (port 0 picks a free port), opens and migrates the database, seeds demo data when
    /// asked, and builds the routes.
    pub async fn build(config: ServeConfig) -> anyhow::Result<Application> {
        let db = db::connect(&config.database.database_url).await?;
        if config.demo {
            demo::seed(&db).await?;
        }
        let listener = TcpListener::bind(config.bind).await?;
        let port = listener.local_addr()?.port();
        let leptos_options = LeptosOptions::builder()
            .output_name("concerto")
            .site_root(config.site_root.as_str())
            .site_pkg_dir("pkg")
            .site_addr(config.bind)
            .build();
        let room_hours = app::domain::video::RoomHours {
            before_minutes: config.video.room_opens_before_minutes,
            after_minutes: config.video.room_closes_after_minutes,
        };
        let state = AppState {
            db,
            settings: Arc::new(Settings {
                base_url: config.base_url(port),
                secure_cookies: config.secure_cookies(port),
                room_hours,
                ice: app::backend::IceSettings {
                    stun_url: config.video.stun_url.clone(),
                    turn_url: config.video.turn_url.clone(),
                    turn_secret: config.video.turn_secret.clone(),
                },
            }),
            mail_wakeup: Arc::new(Notify::new()),
            leptos_options,
        };
        let mailer = Arc::new(Mailer::new(
            config.smtp_url.as_deref(),
            config.outbox_dir.clone(),
            &config.mail_from,
        )?);
        static_files::write_name_lists(&config.site_root);
        static_files::precompress(&config.site_root);
        let (live_stop, stopping) = tokio::sync::watch::channel(false);
        let sfu = video::Sfu::new(
            video::MediaNet {
                ip: config.video.media_ip,
                ports: config.video.media_ports,
                public_ip: config.video.public_ip,
            },
            room_hours,
        );
        let router = routes(state.clone(), &config.site_root)
            .layer(axum::Extension(staff::LiveStop(stopping)))
            .layer(axum::Extension(sfu));
        Ok(Application {
            listener,
            router,
            state,
            mailer,
            reminder_interval: Duration::from_secs(config.reminder_interval_seconds.max(1)),
            live_stop,
            port,
        })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The shared state (tests use its pool).
    pub fn state(&self) -> AppState {
        self.state.clone()
    }

    /// Serves until Ctrl-C or SIGTERM, then finishes in-flight requests.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `shutdown` completes (graceful), with the mail and reminder workers.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let worker = tokio::spawn(mail::run_worker(self.state.clone(), self.mailer.clone()));
        let reminders = tokio::spawn(mail::reminders::run(
            self.state.clone(),
            self.reminder_interval,
        ));
        let upkeep = tokio::spawn(meetings::run(self.state.clone()));
        let purge = tokio::spawn(upkeep::run(self.state.clone()));
        let overdue = tokio::spawn(cases::run(self.state.clone()));
        let listener = self.listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        tracing::info!(port = self.port, "Concerto is listening");
        // Live session streams end when shutdown starts (graceful shutdown waits for them).
        let live_stop = self.live_stop;
        let shutdown = async move {
            shutdown.await;
            let _ = live_stop.send(true);
        };
        // The TCP peer's address is what sign-in throttling counts per client.
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        let result = axum::serve(listener, service)
            .with_graceful_shutdown(shutdown)
            .await;
        worker.abort();
        reminders.abort();
        upkeep.abort();
        purge.abort();
        overdue.abort();
        // Deliver what is already queued before leaving.
        mail::deliver_pending(&self.state, &self.mailer).await;
        self.state.db.close().await;
        result
    }
}

fn routes(state: AppState, site_root: &str) -> Router {
    let leptos_routes = generate_route_list(App);
    let context_state = state.clone();
    let shell_options = state.leptos_options.clone();
    Router::new()
        .route("/healthz", get(http::healthz))
        .route("/auth/login", post(http::auth::login))
        .route("/auth/logout", post(http::auth::logout))
        .route("/auth/organisation", post(http::auth::switch_organisation))
        .route(
            "/meetings/{id}/invite.ics",
            get(calendar::feeds::meeting_invite),
        )
        .route("/meetings/{id}/live", get(staff::live))
        .route("/meetings/{id}/video", get(video::signal::video))
        .route("/invitation/video", get(video::signal::guest_video))
        .route("/invitation/{token}", get(video::guests::claim))
        .route("/me/calendar.ics", get(calendar::feeds::my_calendar))
        .route("/calendar/{file}", get(calendar::feeds::token_calendar))
        .leptos_routes_with_context(
            &state,
            leptos_routes,
            move || provide_context(context_state.clone()),
            move || shell(shell_options.clone()),
        )
        .fallback_service(static_files::service(site_root))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            http::context::request_context,
        ))
        .with_state(state)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
