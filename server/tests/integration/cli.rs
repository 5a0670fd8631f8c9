//! The `concerto` binary's commands: `pii-scan` round trip, `user add`, `user reset-password`,
//! `migrate`.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::common::test_database_url_blocking;

fn concerto() -> Command {
    Command::new(env!("CARGO_BIN_EXE_concerto"))
}

fn add_admin(database_url: &str) -> std::process::Output {
    concerto()
        .args([
            "user",
            "add",
            "--admin",
            "chef@cpts.test",
            "--database-url",
            database_url,
        ])
        .output()
        .unwrap()
}

/// The link a successful `user` command printed on stdout.
fn printed_link(output: std::process::Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

#[test]
fn pii_scan_reads_json_lines_and_reports_bad_ones() {
    let mut child = concerto()
        .arg("pii-scan")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let input = concat!(
        "{\"id\": \"a\", \"text\": \"Joignable au 06 12 34 56 78 le soir.\"}\n",
        "this is not json\n",
        "{\"id\": 7, \"text\": \"Sous escitalopram 10 mg, PHQ-9 à 14.\"}\n",
    );
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        !output.status.success(),
        "a bad line makes the exit code non-zero"
    );
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("line 2"), "{stderr}");
    let lines: Vec<serde_json::Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["id"], "a");
    let span = &lines[0]["spans"][0];
    assert_eq!(span["kind"], "PHONE");
    let text = "Joignable au 06 12 34 56 78 le soir.";
    let (start, end) = (
        span["start"].as_u64().unwrap() as usize,
        span["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&text[start..end], "06 12 34 56 78");
    // Each span says how sure the detector is, and why.
    assert!(
        ["CERTAIN", "LIKELY", "POSSIBLE"].contains(&span["confidence"].as_str().unwrap()),
        "{span}"
    );
    assert!(!span["reason"].as_str().unwrap().is_empty(), "{span}");
    assert_eq!(lines[1]["id"], 7);
    assert_eq!(lines[1]["spans"].as_array().unwrap().len(), 0);
}

#[test]
fn user_add_bootstraps_an_administrator_with_a_one_time_link() {
    let dir = tempfile::tempdir().unwrap();
    let url = test_database_url_blocking(&dir);
    let link = printed_link(add_admin(&url));
    assert!(
        link.starts_with("http://127.0.0.1:3000/mot-de-passe/"),
        "{link}"
    );
    let again = add_admin(&url);
    assert!(
        !again.status.success(),
        "a second account with the same e-mail is refused"
    );
    let migrate = concerto()
        .args(["migrate", "--database-url", &url])
        .output()
        .unwrap();
    assert!(migrate.status.success());
}

#[test]
fn reset_password_prints_a_link_for_an_account_and_refuses_unknown_e_mails() {
    let dir = tempfile::tempdir().unwrap();
    let url = test_database_url_blocking(&dir);
    assert!(add_admin(&url).status.success());
    let again = add_admin(&url);
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(
        stderr.contains("concerto user reset-password chef@cpts.test"),
        "an existing account points to reset-password: {stderr}"
    );
    let reset = |email: &str| {
        concerto()
            .args([
                "user",
                "reset-password",
                email,
                "--database-url",
                &url,
                "--base-url",
                "https://concerto.cpts.test/",
            ])
            .output()
            .unwrap()
    };
    let link = printed_link(reset("chef@cpts.test"));
    assert!(
        link.starts_with("https://concerto.cpts.test/mot-de-passe/"),
        "{link}"
    );
    let unknown = reset("inconnu@cpts.test");
    assert_eq!(unknown.status.code(), Some(1));
    assert!(unknown.stdout.is_empty(), "no link printed");
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        stderr.contains("no account with e-mail inconnu@cpts.test"),
        "{stderr}"
    );
}
