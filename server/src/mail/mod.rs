//! E-mail delivery: the outbox worker sends queued rows through SMTP (lettre) or, without an
//! SMTP URL, writes them as `.eml` files into an outbox folder — never silently dropped.

pub mod reminders;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use app::backend::db::outbox::{self, PendingMail};
use app::backend::AppState;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// Where e-mails go.
pub enum Transport {
    /// An SMTP server.
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// `.eml` files in a folder.
    Folder(PathBuf),
}

/// The SMTP transport of a URL (see [`Mailer::new`]), with a precise message when it is wrong.
pub fn smtp_transport(url: &str) -> anyhow::Result<AsyncSmtpTransport<Tokio1Executor>> {
    if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
        anyhow::bail!(
            "unsupported SMTP URL {}: expected smtp://host:port, smtp://host:port?tls=required, \
             or smtps://host:port, optionally with user:password@",
            redact(url)
        );
    }
    AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
        .map(|builder| builder.timeout(Some(Duration::from_secs(30))).build())
        .map_err(|error| anyhow::anyhow!("invalid SMTP URL {}: {error}", redact(url)))
}

/// The URL without its password, for messages and logs.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Sends e-mails.
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
}

impl Mailer {
    /// An SMTP mailer, or a folder mailer when `smtp_url` is None. The URL is one of
    /// - `smtp://host[:port]`: plain SMTP (a local relay, a test sink), port 25 by default;
    /// - `smtp://host[:port]?tls=required`: STARTTLS, refused if the server cannot (port 587);
    /// - `smtp://host[:port]?tls=opportunistic`: STARTTLS when the server offers it;
    /// - `smtps://host[:port]`: TLS from the first byte (port 465);
    ///
    /// each with optional `user:password@` (percent-encoded) for SMTP authentication.
    pub fn new(smtp_url: Option<&str>, outbox_dir: PathBuf, from: &str) -> anyhow::Result<Mailer> {
        let transport = match smtp_url {
            Some(url) => Transport::Smtp(smtp_transport(url)?),
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

fn build_message(mailer: &Mailer, mail: &PendingMail) -> anyhow::Result<Message> {
    let builder = Message::builder()
        .from(mailer.from.clone())
        .to(mail.recipient.parse()?)
        .subject(mail.subject.clone());
    let text = SinglePart::builder()
        .header(ContentType::TEXT_PLAIN)
        .body(mail.body_text.clone());
    Ok(match (&mail.ics_method, &mail.ics_text) {
        (Some(method), Some(ics)) => {
            // The part's method parameter equals the body's METHOD (RFC 6047 §2.4).
            let content_type =
                ContentType::parse(&format!("text/calendar; charset=UTF-8; method={method}"))?;
            builder.multipart(
                MultiPart::mixed().singlepart(text).singlepart(
                    SinglePart::builder()
                        .header(content_type)
                        .header(ContentTransferEncoding::Base64)
                        .body(ics.clone()),
                ),
            )?
        }
        _ => builder.singlepart(text)?,
    })
}

/// How long a worker may hold a claimed row before another may take it.
const CLAIM_LEASE: chrono::Duration = chrono::Duration::minutes(5);

/// Claims the rows due for delivery and sends them; returns how many were sent. Rows claimed
/// by another worker are left alone; a failure is retried later with back-off.
pub async fn deliver_pending(state: &AppState, mailer: &Mailer) -> usize {
    let mut sent = 0;
    loop {
        let claimed = match outbox::claim(&state.db, 20, CLAIM_LEASE).await {
            Ok(claimed) => claimed,
            Err(error) => {
                tracing::error!(%error, "cannot claim outbox rows");
                return sent;
            }
        };
        if claimed.is_empty() {
            return sent;
        }
        for mail in claimed {
            let result = match build_message(mailer, &mail) {
                Ok(message) => mailer.send(mail.id, message).await,
                Err(error) => Err(error),
            };
            match result {
                Ok(()) => {
                    sent += 1;
                    if let Err(error) = outbox::mark_sent(&state.db, mail.id).await {
                        tracing::error!(%error, id = mail.id, "cannot mark e-mail as sent");
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, id = mail.id, attempts = mail.attempts + 1, "e-mail delivery failed");
                    if let Err(error) =
                        outbox::mark_failed(&state.db, &mail, &error.to_string()).await
                    {
                        tracing::error!(%error, id = mail.id, "cannot record a failed delivery");
                    }
                }
            }
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_with_tls_and_credentials_are_understood() {
        for url in [
            "smtp://127.0.0.1:2525",
            "smtp://relay.example.test",
            "smtp://concerto%40example.test:s%3Acret@smtp.example.test:587?tls=required",
            "smtp://smtp.example.test?tls=opportunistic",
            "smtps://concerto:secret@smtp.example.test",
        ] {
            assert!(smtp_transport(url).is_ok(), "{url}");
        }
    }

    #[test]
    fn a_wrong_smtp_url_gets_a_precise_message_without_the_password() {
        let error = smtp_transport("http://user:hunter2@smtp.example.test")
            .err()
            .unwrap()
            .to_string();
        assert!(error.contains("expected smtp://host:port"), "{error}");
        assert!(!error.contains("hunter2"), "{error}");
        assert!(error.contains("user:***@smtp.example.test"), "{error}");
        let error = smtp_transport("smtp://user:hunter2@relay.example.test?tls=sometimes")
            .err()
            .unwrap()
            .to_string();
        assert!(error.contains("invalid SMTP URL"), "{error}");
        assert!(!error.contains("hunter2"), "{error}");
    }
}
