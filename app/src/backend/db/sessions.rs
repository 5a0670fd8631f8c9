//! Server-side sessions, sign-in throttling, trusted devices, and their purge.
//!
//! Throttling never locks an account's owner out: every attempt first reserves a row in
//! `sign_in_attempts` (counted as a failure until the password proves right), inside a write
//! transaction that checks two budgets, so parallel guesses cannot exceed them:
//! - per client address, all accounts together ([`CLIENT_FREE_FAILURES`]);
//! - per account, for browsers the account does not trust ([`ACCOUNT_FREE_FAILURES`]); a browser
//!   where the account signed in before carries a device cookie ([`DEVICE_COOKIE`]) that exempts
//!   it from this one.
//!
//! Once a budget is spent, the next attempt waits [`FIRST_WAIT`] after the latest failure, twice
//! as long after each further failure, at most [`LONGEST_WAIT`].

use std::net::IpAddr;

use super::{on_db, Db, Instant};
use crate::backend::security::{random_token, token_hash};
use crate::domain::ids::{OrgId, UserId};
use crate::domain::role::Role;
use chrono::{DateTime, Duration, Utc};

/// A session ends after this long without a request.
pub const IDLE_TIMEOUT: Duration = Duration::hours(4);
/// A session ends this long after sign-in, whatever happens.
pub const ABSOLUTE_TIMEOUT: Duration = Duration::hours(12);
/// Failed sign-ins an account takes from browsers it does not trust before they must wait.
pub const ACCOUNT_FREE_FAILURES: i64 = 5;
/// Failed sign-ins a client address makes (all accounts together) before it must wait.
pub const CLIENT_FREE_FAILURES: i64 = 20;
/// How long a failure counts; older attempts are purged.
pub const FAILURE_MEMORY: Duration = Duration::hours(24);
/// The wait once a budget is spent; it doubles with each further failure.
pub const FIRST_WAIT: Duration = Duration::minutes(5);
/// The longest wait.
pub const LONGEST_WAIT: Duration = Duration::hours(1);
/// The cookie of a trusted browser (HttpOnly; only its SHA-256 is stored).
pub const DEVICE_COOKIE: &str = "concerto_device";
/// A browser stays trusted this long after its last successful sign-in.
pub const DEVICE_LIFETIME: Duration = Duration::days(90);

/// Creates a session and returns the cookie value (a fresh random id at every sign-in).
pub async fn create(
    db: &Db,
    user_id: UserId,
    organisation_id: Option<OrgId>,
) -> sqlx::Result<String> {
    let token = random_token();
    let created = Utc::now();
    on_db!(db, c => sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, organisation_id, created_at, last_seen_at, expires_at)
         VALUES ($1, $2, $3, $4, $4, $5)",
    )
    .bind(token_hash(&token))
    .bind(user_id)
    .bind(organisation_id)
    .bind(Instant(created))
    .bind(Instant(created + ABSOLUTE_TIMEOUT))
    .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    Ok(token)
}

/// One row of [`resolve_viewer`]: the session and its user, with one of their active
/// memberships (none: NULLs).
type SessionViewerRow = (
    UserId,
    Option<OrgId>,
    Instant,
    Instant,
    String,
    String,
    bool,
    Option<OrgId>,
    Option<String>,
    Option<Role>,
);

/// Resolves a cookie value to the signed-in person in one query (session, account and active
/// memberships together: every request does this). A session ends after [`IDLE_TIMEOUT`]
/// without a request (the idle clock is refreshed at most once a minute, to keep reads cheap)
/// and [`ABSOLUTE_TIMEOUT`] after sign-in; an ended one is deleted.
pub async fn resolve_viewer(
    db: &Db,
    token: &str,
) -> sqlx::Result<Option<crate::domain::principal::Viewer>> {
    use crate::domain::principal::{Membership, Viewer};
    let hash = token_hash(token);
    let rows: Vec<SessionViewerRow> = on_db!(db, c => sqlx::query_as(
        "SELECT s.user_id, s.organisation_id, s.last_seen_at, s.expires_at,
                u.display_name, u.email, u.is_admin, o.id, o.name, m.role
         FROM sessions s
         JOIN users u ON u.id = s.user_id
         LEFT JOIN memberships m ON m.user_id = u.id AND m.status = 'active'
         LEFT JOIN organisations o ON o.id = m.organisation_id
         WHERE s.id_hash = $1
         ORDER BY o.name",
    )
    .bind(&hash)
    .fetch_all(&mut *c).await)?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let (user_id, session_org, last_seen, expires_at) = (first.0, first.1, first.2 .0, first.3 .0);
    let (display_name, email, is_admin) = (first.4.clone(), first.5.clone(), first.6);
    let now_instant = Utc::now();
    if expires_at <= now_instant || last_seen + IDLE_TIMEOUT <= now_instant {
        delete(db, token).await?;
        return Ok(None);
    }
    if now_instant - last_seen > Duration::minutes(1) {
        on_db!(db, c => sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
            .bind(Instant(now_instant))
            .bind(&hash)
            .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    }
    let memberships: Vec<Membership> = rows
        .into_iter()
        .filter_map(|row| {
            Some(Membership {
                organisation_id: row.7?,
                organisation_name: row.8?,
                role: row.9?,
            })
        })
        .collect();
    let current = session_org
        .and_then(|id| memberships.iter().find(|m| m.organisation_id == id))
        .or(memberships.first())
        .cloned();
    Ok(Some(Viewer {
        user_id,
        display_name,
        email,
        is_admin,
        current,
        memberships,
    }))
}

/// Ends a session.
pub async fn delete(db: &Db, token: &str) -> sqlx::Result<()> {
    on_db!(db, c => sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(token_hash(token))
        .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    Ok(())
}

/// Changes the session's current organisation.
pub async fn set_organisation(db: &Db, token: &str, organisation_id: OrgId) -> sqlx::Result<()> {
    on_db!(db, c => sqlx::query("UPDATE sessions SET organisation_id = $1 WHERE id_hash = $2")
        .bind(organisation_id)
        .bind(token_hash(token))
        .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    Ok(())
}

/// One sign-in attempt: who tries, from where.
#[derive(Clone, Copy, Debug)]
pub struct Attempt<'a> {
    /// The e-mail typed, normalised.
    pub email: &'a str,
    /// The client address, as [`client_key`] writes it.
    pub client: &'a str,
    /// The browser's anti-forgery cookie: tells this browser's failures from others'.
    pub browser: &'a str,
    /// The browser's device cookie, if any.
    pub device: Option<&'a str>,
}

/// The answer to [`reserve`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reservation {
    /// The attempt is recorded (as a failure until [`signed_in`]): check the password.
    Granted,
    /// Too many failures: refused without checking the password, for this long still.
    Refused {
        /// Whole minutes left (at least 1).
        minutes: i64,
    },
}

/// How a client address counts: an IPv4 address, or the /64 network of an IPv6 one (what one
/// subscriber usually gets).
pub fn client_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// How long is left to wait after `failures` failures, the latest at `latest`, for a budget of
/// `free` failures.
fn wait_left(failures: i64, latest: Option<Instant>, free: i64, now: DateTime<Utc>) -> Duration {
    let Some(latest) = latest.filter(|_| failures >= free) else {
        return Duration::zero();
    };
    let doublings = (failures - free).min(12) as u32;
    let wait = (FIRST_WAIT * 2i32.pow(doublings)).min(LONGEST_WAIT);
    (latest.0 + wait - now).max(Duration::zero())
}

/// Reserves an attempt before the password is checked, atomically: in one write transaction
/// (SQLite serialises writers; `BEGIN IMMEDIATE` takes the write lock first), counts the
/// client's and the account's failures and, within budget, records the attempt as a failure.
pub async fn reserve(db: &Db, attempt: &Attempt<'_>) -> sqlx::Result<Reservation> {
    let account = token_hash(attempt.email);
    let mut tx = db.begin_write().await?;
    // Read the clock once the write lock is held, so attempts are stamped in the order they pass.
    let now = Utc::now();
    let since = Instant(now - FAILURE_MEMORY);
    let trusted = match attempt.device {
        Some(device) => {
            let (count,): (i64,) = on_db!(&mut tx, c => sqlx::query_as(
                "SELECT COUNT(*) FROM trusted_devices d JOIN users u ON u.id = d.user_id
                 WHERE d.token_hash = $1 AND u.email = $2 AND d.expires_at > $3",
            )
            .bind(token_hash(device))
            .bind(attempt.email)
            .bind(Instant(now))
            .fetch_one(&mut *c).await)?;
            count > 0
        }
        None => false,
    };
    let (failures, latest): (i64, Option<Instant>) = on_db!(&mut tx, c => sqlx::query_as(
        "SELECT COUNT(*), MAX(attempted_at) FROM sign_in_attempts
         WHERE client = $1 AND attempted_at > $2",
    )
    .bind(attempt.client)
    .bind(since)
    .fetch_one(&mut *c).await)?;
    let mut wait = wait_left(failures, latest, CLIENT_FREE_FAILURES, now);
    if !trusted {
        let (failures, latest): (i64, Option<Instant>) = on_db!(&mut tx, c => sqlx::query_as(
            "SELECT COUNT(*), MAX(attempted_at) FROM sign_in_attempts
             WHERE account = $1 AND trusted = FALSE AND attempted_at > $2",
        )
        .bind(&account)
        .bind(since)
        .fetch_one(&mut *c).await)?;
        wait = wait.max(wait_left(failures, latest, ACCOUNT_FREE_FAILURES, now));
    }
    if wait > Duration::zero() {
        drop(tx);
        let minutes = (wait.num_seconds() + 59) / 60;
        return Ok(Reservation::Refused {
            minutes: minutes.max(1),
        });
    }
    on_db!(&mut tx, c => sqlx::query(
        "INSERT INTO sign_in_attempts (account, client, browser, trusted, attempted_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&account)
    .bind(attempt.client)
    .bind(token_hash(attempt.browser))
    .bind(trusted)
    .bind(Instant(now))
    .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    tx.commit().await?;
    Ok(Reservation::Granted)
}

/// After the password proved right: forgets this browser's failures for the account (the
/// reservation included) and trusts the browser for the account. Returns the new device cookie
/// value: a fresh token at each sign-in, which also carries the browser's trust by other accounts
/// (a device token someone else knew is worth nothing afterwards).
pub async fn signed_in(db: &Db, attempt: &Attempt<'_>, user_id: UserId) -> sqlx::Result<String> {
    let token = random_token();
    let hash = token_hash(&token);
    let now = Utc::now();
    let mut tx = db.begin().await?;
    on_db!(&mut tx, c => sqlx::query("DELETE FROM sign_in_attempts WHERE account = $1 AND browser = $2")
        .bind(token_hash(attempt.email))
        .bind(token_hash(attempt.browser))
        .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    if let Some(old) = attempt.device {
        let old = token_hash(old);
        on_db!(&mut tx, c => sqlx::query("DELETE FROM trusted_devices WHERE token_hash = $1 AND user_id = $2")
            .bind(&old)
            .bind(user_id)
            .execute(&mut *c).await.map(|done| done.rows_affected()))?;
        on_db!(&mut tx, c => sqlx::query("UPDATE trusted_devices SET token_hash = $1 WHERE token_hash = $2")
            .bind(&hash)
            .bind(&old)
            .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    }
    on_db!(&mut tx, c => sqlx::query(
        "INSERT INTO trusted_devices (token_hash, user_id, created_at, expires_at)
         VALUES ($1, $2, $3, $4)",
    )
    .bind(&hash)
    .bind(user_id)
    .bind(Instant(now))
    .bind(Instant(now + DEVICE_LIFETIME))
    .execute(&mut *c).await.map(|done| done.rows_affected()))?;
    tx.commit().await?;
    Ok(token)
}

/// What [`purge`] deleted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Purged {
    /// Sign-in attempts older than [`FAILURE_MEMORY`].
    pub attempts: u64,
    /// Sessions past either expiry.
    pub sessions: u64,
    /// Trusted devices past their lifetime.
    pub devices: u64,
}

/// Deletes what no longer counts at `now`: old sign-in attempts, ended sessions, expired
/// trusted devices.
pub async fn purge(db: &Db, now: DateTime<Utc>) -> sqlx::Result<Purged> {
    async fn delete(db: &Db, sql: &str, instants: &[DateTime<Utc>]) -> sqlx::Result<u64> {
        on_db!(db, c => {
            let mut query = sqlx::query(sql);
            for instant in instants {
                query = query.bind(Instant(*instant));
            }
            query.execute(&mut *c).await.map(|done| done.rows_affected())
        })
    }
    Ok(Purged {
        attempts: delete(
            db,
            "DELETE FROM sign_in_attempts WHERE attempted_at <= $1",
            &[now - FAILURE_MEMORY],
        )
        .await?,
        sessions: delete(
            db,
            "DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2",
            &[now, now - IDLE_TIMEOUT],
        )
        .await?,
        devices: delete(
            db,
            "DELETE FROM trusted_devices WHERE expires_at <= $1",
            &[now],
        )
        .await?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clients_count_by_address_or_ipv6_network() {
        assert_eq!(client_key("203.0.113.7".parse().unwrap()), "203.0.113.7");
        assert_eq!(
            client_key("::ffff:203.0.113.7".parse().unwrap()),
            "203.0.113.7"
        );
        assert_eq!(
            client_key("2001:db8:1:2:aaaa::1".parse().unwrap()),
            client_key("2001:db8:1:2:bbbb::9".parse().unwrap())
        );
        assert_eq!(
            client_key("2001:db8:1:2::1".parse().unwrap()),
            "2001:db8:1:2::/64"
        );
    }

    #[test]
    fn waits_start_at_the_budget_double_and_stop_at_the_cap() {
        let now = Utc::now();
        let latest = Instant(now);
        let wait = |failures| wait_left(failures, Some(latest), 5, now);
        assert_eq!(wait(4), Duration::zero());
        assert_eq!(wait(5), FIRST_WAIT);
        assert_eq!(wait(6), FIRST_WAIT * 2);
        assert_eq!(wait(7), FIRST_WAIT * 4);
        assert_eq!(wait(40), LONGEST_WAIT);
        let long_ago = Instant(now - Duration::hours(2));
        assert_eq!(wait_left(40, Some(long_ago), 5, now), Duration::zero());
    }
}
