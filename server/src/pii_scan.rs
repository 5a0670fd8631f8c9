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
