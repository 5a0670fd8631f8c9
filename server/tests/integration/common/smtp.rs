//! A real SMTP sink: speaks enough SMTP (EHLO/HELO, AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP,
//! QUIT) for lettre to deliver to it, and keeps every message with the user who authenticated.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// A received message.
#[derive(Clone, Debug)]
pub struct Received {
    pub recipients: Vec<String>,
    pub data: String,
    /// (user, password) given with AUTH PLAIN on that connection, if any.
    pub login: Option<(String, String)>,
}

#[derive(Clone)]
pub struct SmtpSink {
    pub port: u16,
    pub messages: Arc<Mutex<Vec<Received>>>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let messages = Arc::new(Mutex::new(Vec::new()));
        let store = messages.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let store = store.clone();
                tokio::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let mut lines = BufReader::new(read).lines();
                    let _ = write.write_all(b"220 sink ESMTP\r\n").await;
                    let mut recipients = Vec::new();
                    let mut login = None;
                    while let Ok(Some(line)) = lines.next_line().await {
                        let upper = line.to_ascii_uppercase();
                        let reply: &[u8] = if upper.starts_with("EHLO") {
                            b"250-sink\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n"
                        } else if upper.starts_with("AUTH PLAIN ") {
                            login = plain_credentials(&line[11..]);
                            if login.is_some() {
                                b"235 2.7.0 accepted\r\n"
                            } else {
                                b"535 5.7.8 bad credentials\r\n"
                            }
                        } else if upper.starts_with("HELO")
                            || upper.starts_with("MAIL")
                            || upper.starts_with("NOOP")
                        {
                            b"250 OK\r\n"
                        } else if upper.starts_with("RSET") {
                            recipients.clear();
                            b"250 OK\r\n"
                        } else if upper.starts_with("RCPT") {
                            recipients.push(
                                line[8..]
                                    .trim()
                                    .trim_matches(|c| c == '<' || c == '>')
                                    .to_string(),
                            );
                            b"250 OK\r\n"
                        } else if upper.starts_with("DATA") {
                            let _ = write.write_all(b"354 go ahead\r\n").await;
                            let mut data = String::new();
                            while let Ok(Some(line)) = lines.next_line().await {
                                if line == "." {
                                    break;
                                }
                                data.push_str(line.strip_prefix('.').unwrap_or(&line));
                                data.push_str("\r\n");
                            }
                            store.lock().unwrap().push(Received {
                                recipients: std::mem::take(&mut recipients),
                                data,
                                login: login.clone(),
                            });
                            b"250 queued\r\n"
                        } else if upper.starts_with("QUIT") {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            break;
                        } else {
                            b"500 unknown\r\n"
                        };
                        if write.write_all(reply).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
        SmtpSink { port, messages }
    }

    pub fn all(&self) -> Vec<Received> {
        self.messages.lock().unwrap().clone()
    }

    /// Messages to `recipient` whose subject starts with `prefix`.
    pub fn matching(&self, recipient: &str, prefix: &str) -> Vec<Received> {
        self.all()
            .into_iter()
            .filter(|m| m.recipients.iter().any(|r| r == recipient))
            .filter(|m| subject(&m.data).is_some_and(|s| s.starts_with(prefix)))
            .collect()
    }
}

/// (user, password) of an AUTH PLAIN argument: base64 of "authzid\0user\0password".
fn plain_credentials(argument: &str) -> Option<(String, String)> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(argument.trim())
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let mut parts = text.split('\0');
    let _authzid = parts.next()?;
    Some((parts.next()?.to_string(), parts.next()?.to_string()))
}

/// Decoded subject (lettre encodes non-ASCII subjects as RFC 2047 words).
pub fn subject(data: &str) -> Option<String> {
    let mut lines = data.split("\r\n");
    let mut value = None;
    while let Some(line) = lines.next() {
        if let Some(rest) = line.strip_prefix("Subject: ") {
            let mut full = rest.to_string();
            for next in lines.by_ref() {
                if next.starts_with(' ') || next.starts_with('\t') {
                    full.push_str(next);
                } else {
                    break;
                }
            }
            value = Some(decode_words(&full));
            break;
        }
    }
    value
}

fn decode_words(value: &str) -> String {
    use base64::Engine as _;
    let mut out = String::new();
    let mut previous_encoded = false;
    for word in value.split_whitespace() {
        let decoded = word
            .strip_prefix("=?utf-8?b?")
            .or_else(|| word.strip_prefix("=?UTF-8?B?"))
            .and_then(|inner| {
                base64::engine::general_purpose::STANDARD
                    .decode(inner.trim_end_matches("?="))
                    .ok()
            })
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
        // RFC 2047: white space between two encoded words is not part of the text.
        if !out.is_empty() && (!previous_encoded || decoded.is_none()) {
            out.push(' ');
        }
        previous_encoded = decoded.is_some();
        out.push_str(decoded.as_deref().unwrap_or(word));
    }
    out
}

/// The decoded `text/calendar` part of a message and its METHOD parameter.
pub fn calendar_part(data: &str) -> Option<(String, String)> {
    use base64::Engine as _;
    let start = data.find("Content-Type: text/calendar")?;
    let header_line = &data[start..start + data[start..].find("\r\n")?];
    let method = header_line
        .split("method=")
        .nth(1)?
        .split(';')
        .next()?
        .trim()
        .to_string();
    let body_start = start + data[start..].find("\r\n\r\n")? + 4;
    let body_end = body_start
        + data[body_start..]
            .find("\r\n--")
            .unwrap_or(data.len() - body_start);
    let encoded: String = data[body_start..body_end].split("\r\n").collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    Some((method, String::from_utf8(bytes).ok()?))
}
