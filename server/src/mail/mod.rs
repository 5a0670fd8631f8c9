//! E-mail delivery: the outbox worker sends queued rows through SMTP (lettre) or, without an
//! SMTP URL, writes them as `.eml` files into an outbox folder — never silently dropped.

pub mod reminders;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use app::backend::db::meetings as store;
use app::backend::db::outbox::{self, PendingMail};
use app::backend::AppState;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::calendar::build::{meeting_calendar, Scope};
use crate::calendar::ics::{render, Method};

/// Where e-mails go.
pub enum Transport {
    /// An SMTP server.
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// `.eml` files in a folder.
    Folder(PathBuf),
}

/// Sends e-mails.
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
}

impl Mailer {
    /// An SMTP mailer (`smtp://host:port`), or a folder mailer when `smtp_url` is None.
    pub fn new(smtp_url: Option<&str>, outbox_dir: PathBuf, from: &str) -> anyhow::Result<Mailer> {
        let transport = match smtp_url {
            Some(url) => {
                // smtp://host[:port] (plain SMTP, for a local relay or a test sink).
                let rest = url.strip_prefix("smtp://").ok_or_else(|| {
                    anyhow::anyhow!("unsupported SMTP URL {url}: expected smtp://host:port")
                })?;
                let rest = rest.trim_end_matches('/');
                let (host, port) = match rest.rsplit_once(':') {
                    Some((host, port)) => (host.to_string(), port.parse::<u16>()?),
                    None => (rest.to_string(), 25),
                };
                Transport::Smtp(
                    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
                        .port(port)
                        .build(),
                )
            }
            None => {
                std::fs::create_dir_all(&outbox_dir)?;
                Transport::Folder(outbox_dir)
            }
        };
        Ok(Mailer {
            transport,
            from: from.parse()?,
        })
    }

    async fn send(&self, id: i64, message: Message) -> anyhow::Result<()> {
        match &self.transport {
            Transport::Smtp(smtp) => {
                smtp.send(message).await?;
            }
            Transport::Folder(dir) => {
                let name = format!("{}-{id:06}.eml", chrono::Utc::now().format("%Y%m%dT%H%M%S"));
                tokio::fs::write(dir.join(name), message.formatted()).await?;
            }
        }
        Ok(())
    }
}

async fn build_message(
    state: &AppState,
    mailer: &Mailer,
    mail: &PendingMail,
) -> anyhow::Result<Message> {
    let builder = Message::builder()
        .from(mailer.from.clone())
        .to(mail.recipient.parse()?)
        .subject(mail.subject.clone());
    let text = SinglePart::builder()
        .header(ContentType::TEXT_PLAIN)
        .body(mail.body_text.clone());
    let attachment = match (mail.ics_meeting_id, mail.ics_method.as_deref()) {
        (Some(meeting_id), Some(method_name)) => match store::get(&state.pool, meeting_id).await? {
            Some(meeting) => {
                let scope = if mail.ics_scope.as_deref() == Some("series") {
                    Scope::Series
                } else {
                    Scope::Meeting
                };
                let method = if method_name == "CANCEL" {
                    Method::Cancel
                } else {
                    Method::Request
                };
                let calendar = meeting_calendar(
                    &state.pool,
                    &state.settings.base_url,
                    &meeting,
                    scope,
                    method,
                )
                .await?;
                Some((render(&calendar), method_name.to_string()))
            }
            None => None,
        },
        _ => None,
    };
    Ok(match attachment {
        None => builder.singlepart(text)?,
        Some((ics, method)) => {
            let content_type =
                ContentType::parse(&format!("text/calendar; method={method}; charset=UTF-8"))?;
            builder.multipart(
                MultiPart::mixed().singlepart(text).singlepart(
                    SinglePart::builder()
                        .header(content_type)
                        .header(ContentTransferEncoding::Base64)
                        .body(ics),
                ),
            )?
        }
    })
}

/// Delivers every pending row once; returns how many were sent.
pub async fn deliver_pending(state: &AppState, mailer: &Mailer) -> usize {
    let pending = match outbox::pending(&state.pool, 100).await {
        Ok(pending) => pending,
        Err(error) => {
            tracing::error!(%error, "cannot read the outbox");
            return 0;
        }
    };
    let mut sent = 0;
    for mail in pending {
        let result = match build_message(state, mailer, &mail).await {
            Ok(message) => mailer.send(mail.id, message).await,
            Err(error) => Err(error),
        };
        match result {
            Ok(()) => {
                sent += 1;
                if let Err(error) = outbox::mark_sent(&state.pool, mail.id).await {
                    tracing::error!(%error, id = mail.id, "cannot mark e-mail as sent");
                }
            }
            Err(error) => {
                tracing::warn!(%error, id = mail.id, attempts = mail.attempts + 1, "e-mail delivery failed");
                let _ = outbox::mark_failed(&state.pool, mail.id, &error.to_string()).await;
            }
        }
    }
    sent
}

/// Runs the delivery loop: on every wake-up, and every few seconds to retry failures.
pub async fn run_worker(state: AppState, mailer: Arc<Mailer>) {
    loop {
        deliver_pending(&state, &mailer).await;
        tokio::select! {
            _ = state.mail_wakeup.notified() => {}
            _ = tokio::time::sleep(Duration::from_secs(5)) => {}
        }
    }
}
