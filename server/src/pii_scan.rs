//! `concerto pii-scan`: JSON lines in, JSON lines out (see the command's help).

use std::io::{BufRead, Write};

use app::domain::pii::find_identifiers;
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
struct Input {
    id: serde_json::Value,
    text: String,
}

#[derive(Serialize)]
struct Span {
    start: usize,
    end: usize,
    kind: &'static str,
    /// "CERTAIN", "LIKELY" or "POSSIBLE".
    confidence: &'static str,
    /// Why, in French ("après « Mme »", "clé NIR valide"…).
    reason: String,
}

#[derive(Serialize)]
struct Output {
    id: serde_json::Value,
    spans: Vec<Span>,
}

/// Scans `input` line by line into `output`; bad lines are reported on `errors` with their line
/// number and skipped. Returns the number of bad lines.
pub fn scan(
    input: impl BufRead,
    mut output: impl Write,
    mut errors: impl Write,
) -> std::io::Result<usize> {
    let mut bad = 0;
    for (index, line) in input.lines().enumerate() {
        let number = index + 1;
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Input>(&line) {
            Ok(input) => {
                let spans = find_identifiers(&input.text)
                    .into_iter()
                    .map(|f| Span {
                        start: f.start,
                        end: f.end,
                        kind: f.kind.code(),
                        confidence: f.confidence.code(),
                        reason: f.reason.into_owned(),
                    })
                    .collect();
                serde_json::to_writer(
                    &mut output,
                    &Output {
                        id: input.id,
                        spans,
                    },
                )?;
                output.write_all(b"\n")?;
            }
            Err(error) => {
                bad += 1;
                writeln!(
                    errors,
                    "line {number}: expected a JSON object {{\"id\": …, \"text\": \"…\"}}: {error}"
                )?;
            }
        }
    }
    output.flush()?;
    Ok(bad)
}

/// Prints the detector's throughput over the texts of a JSON-lines file, on one core, and the
/// time to scan a 10 KB text (what the editor does on a keystroke).
pub fn bench(path: &std::path::Path) -> anyhow::Result<()> {
    let texts: Vec<String> = std::fs::read_to_string(path)?
        .lines()
        .filter_map(|line| serde_json::from_str::<Input>(line).ok())
        .map(|input| input.text)
        .collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    let start = std::time::Instant::now();
    let mut rounds = 0;
    let mut findings = 0;
    while start.elapsed() < std::time::Duration::from_secs(2) {
        for text in &texts {
            findings += find_identifiers(text).len();
        }
        rounds += 1;
    }
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "identifier detector: {} texts, {:.1} KB, {rounds} rounds, {:.1} MB/s on one core ({findings} findings)",
        texts.len(),
        bytes as f64 / 1000.0,
        (bytes * rounds) as f64 / seconds / 1e6
    );
    let mut ten_kb = String::new();
    for text in texts.iter().cycle() {
        if ten_kb.len() >= 10_000 {
            break;
        }
        ten_kb.push_str(text);
        ten_kb.push(' ');
    }
    let start = std::time::Instant::now();
    let runs = 200;
    for _ in 0..runs {
        std::hint::black_box(find_identifiers(std::hint::black_box(&ten_kb)));
    }
    println!(
        "identifier detector: {:.3} ms per 10 KB text (native)",
        start.elapsed().as_secs_f64() * 1000.0 / runs as f64
    );
    Ok(())
}
