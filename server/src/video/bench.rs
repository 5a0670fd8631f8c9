//! `concerto sfu-bench`: the SFU alone in a child process (`--serve`, rooms without accounts or
//! database), bots in this one, all on loopback. Once every bot receives every other, counts
//! over `seconds`: packets the bots published and received, and the child's CPU time and memory
//! from /proc. Prints one JSON line.

use std::net::{Ipv4Addr, SocketAddr};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use app::domain::video::{Layer, RoomHours, RoomPeer};
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use std::io::{BufRead, BufReader};

use serde_json::{json, Value};

use super::bot::{self, Bot, Media};
use super::janus::{self, Janus, JanusBot};
use super::signal::{participate, small_buffers};
use super::Sfu;

/// Serves bench rooms on `address` (`GET /bench/{room}`), printing the bound port first.
pub async fn serve(address: SocketAddr) -> anyhow::Result<()> {
    let sfu = Sfu::new(super::MediaNet::on(address.ip()), RoomHours::default());
    let router = Router::new()
        .route("/bench/{room}", get(join))
        .with_state(sfu);
    let listener = tokio::net::TcpListener::bind(address).await?;
    println!("{}", listener.local_addr()?.port());
    axum::serve(listener, router).await?;
    Ok(())
}

async fn join(
    State(sfu): State<Arc<Sfu>>,
    Path(room): Path<i64>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let id = sfu.participant_id();
    let who = RoomPeer {
        id,
        name: format!("bot {id}"),
        role: "bot".into(),
        guest: false,
        media: Default::default(),
    };
    small_buffers(upgrade).on_upgrade(move |socket| participate(sfu, room, who, None, None, socket))
}

/// CPU ticks (user + system) and resident memory (KB) of a process.
fn usage(pid: u32) -> anyhow::Result<(u64, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .context("stat")?
        .1
        .split_whitespace()
        .collect();
    let ticks = fields[11].parse::<u64>()? + fields[12].parse::<u64>()?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let rss = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    Ok((ticks, rss))
}

/// Runs the benchmark `runs` times and prints one JSON line: the run of median CPU, with the
/// range of all runs' figures when there are several ([`median_run`]).
pub async fn run(shape: Shape, simulcast: bool, janus: bool, runs: usize) -> anyhow::Result<()> {
    let mut all = Vec::new();
    for _ in 0..runs.max(1) {
        all.push(run_once(shape, simulcast, janus).await?);
    }
    println!("{}", median_run(all));
    Ok(())
}

/// The figures compared across runs.
const VARYING: [&str; 3] = [
    "sfu_cpu_percent_of_one_core",
    "forwarded_packets_per_second_per_core",
    "sfu_memory_per_participant_mb",
];

/// The run of median CPU among `runs` (not empty), with `"runs"` and, for each of [`VARYING`],
/// `"<figure>_range"`: the least and the most of all runs.
fn median_run(mut runs: Vec<Value>) -> Value {
    let cpu = |run: &Value| run[VARYING[0]].as_f64().unwrap_or(f64::NAN);
    runs.sort_by(|a, b| cpu(a).total_cmp(&cpu(b)));
    let count = runs.len();
    let mut median = runs[count / 2].clone();
    if count > 1 {
        median["runs"] = json!(count);
        for field in VARYING {
            let values: Vec<f64> = runs.iter().filter_map(|run| run[field].as_f64()).collect();
            let least = values.iter().copied().fold(f64::INFINITY, f64::min);
            let most = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            median[format!("{field}_range")] = json!([least, most]);
        }
    }
    median
}

/// One measurement, with a fresh SFU child; with `janus`, the same bots against Janus
/// afterwards, whose figures go under `"janus"`.
async fn run_once(shape: Shape, simulcast: bool, janus: bool) -> anyhow::Result<Value> {
    let mut child = std::process::Command::new(std::env::current_exe()?)
        .args(["sfu-bench", "--serve", "127.0.0.1:0"])
        .env("CONCERTO_LOG", "error")
        .stdout(Stdio::piped())
        .spawn()?;
    let pid = child.id();
    let mut first_line = String::new();
    BufReader::new(child.stdout.take().context("child stdout")?).read_line(&mut first_line)?;
    let port: u16 = first_line.trim().parse().context("child port")?;
    let result = measure(pid, port, shape, simulcast).await;
    let _ = child.kill();
    let _ = child.wait();
    let mut figures = result?;
    figures["simulcast"] = json!(simulcast);
    if janus {
        let theirs = measure_janus(shape).await?;
        let ratio = |ours: &Value, field: &str| match (ours[field].as_f64(), theirs[field].as_f64())
        {
            (Some(ours), Some(theirs)) if theirs > 0.0 => {
                json!((ours / theirs * 100.0).round() / 100.0)
            }
            _ => Value::Null,
        };
        figures["cpu_ratio_to_janus"] = ratio(&figures, "sfu_cpu_percent_of_one_core");
        figures["memory_ratio_to_janus"] = ratio(&figures, "sfu_memory_per_participant_mb");
        figures["janus"] = theirs;
    }
    Ok(figures)
}

/// What a run measures.
#[derive(Clone, Copy)]
pub struct Shape {
    /// Rooms.
    pub rooms: usize,
    /// Participants per room.
    pub participants: usize,
    /// Seconds measured.
    pub seconds: u64,
    /// Slow participants in the first room.
    pub slow: usize,
}

impl Shape {
    /// The media of participant `n` of `room`: the last `slow` participants of the first room
    /// read 20 packets a second per track.
    fn media(&self, room: usize, n: usize) -> Media {
        let ssrc = 0x1000_0000 + ((room * self.participants + n) as u32) * 4;
        let mut media = Media::standard(ssrc);
        if room == 0 && n + self.slow >= self.participants {
            media.read_limit = Some(20);
        }
        media
    }
}

/// A bot as the benchmark counts it.
trait Counted {
    fn sent(&self) -> u64;
    fn received_total(&self) -> u64;
    fn receiving_video_from(&self) -> usize;
}

impl Counted for Bot {
    fn sent(&self) -> u64 {
        Bot::sent(self)
    }
    fn received_total(&self) -> u64 {
        Bot::received_total(self)
    }
    fn receiving_video_from(&self) -> usize {
        Bot::receiving_video_from(self)
    }
}

impl Counted for JanusBot {
    fn sent(&self) -> u64 {
        JanusBot::sent(self)
    }
    fn received_total(&self) -> u64 {
        JanusBot::received_total(self)
    }
    fn receiving_video_from(&self) -> usize {
        JanusBot::receiving_video_from(self)
    }
}

/// Waits until every bot receives video from every other in its room (30 s at most): the
/// milliseconds it took, and whether they all do.
async fn warm_up<B: Counted>(bots: &[(usize, B)], participants: usize) -> (u128, bool) {
    let started = Instant::now();
    let ready = || {
        bots.iter()
            .all(|(_, bot)| bot.receiving_video_from() + 1 >= participants)
    };
    while !ready() && started.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    (started.elapsed().as_millis(), ready())
}

async fn measure(pid: u32, port: u16, shape: Shape, simulcast: bool) -> anyhow::Result<Value> {
    let (_, idle_rss) = usage(pid)?;
    let mut bots: Vec<(usize, Bot)> = Vec::new();
    for room in 0..shape.rooms {
        for n in 0..shape.participants {
            let url = format!("ws://127.0.0.1:{port}/bench/{room}");
            let socket = bot::connect(&url, None)
                .await
                .map_err(|(status, body)| anyhow::anyhow!("join refused: {status} {body}"))?;
            let mut media = shape.media(room, n);
            media.simulcast = simulcast;
            let bot = Bot::join(socket, Ipv4Addr::LOCALHOST.into(), media).await?;
            bots.push((room, bot));
        }
    }
    let (warm_up_ms, all_connected) = warm_up(&bots, shape.participants).await;
    if simulcast {
        // Everyone wants the speaker (the room's first participant) in the high layer and the
        // others in the low one (the speaker sees the room's second participant in high);
        // switches settle for 2 s.
        for (room, bot) in &bots {
            let in_room: Vec<u64> = bots
                .iter()
                .filter(|(r, _)| r == room)
                .filter_map(|(_, other)| other.id())
                .collect();
            let speaker = if bot.id() == in_room.first().copied() {
                in_room.get(1)
            } else {
                in_room.first()
            };
            for id in in_room.iter().filter(|id| Some(**id) != bot.id()) {
                let layer = if Some(id) == speaker {
                    Layer::High
                } else {
                    Layer::Low
                };
                bot.wish(*id, layer);
            }
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    let mut figures = window(pid, idle_rss, &bots, shape).await?;
    figures["warm_up_ms"] = json!(warm_up_ms);
    figures["all_connected"] = json!(all_connected);
    for (_, bot) in bots {
        bot.leave().await;
    }
    Ok(figures)
}

/// The same bots (without simulcast: Janus's videoroom forwards one layer unless told which)
/// against Janus.
async fn measure_janus(shape: Shape) -> anyhow::Result<Value> {
    let janus = Janus::start().await?;
    let (_, idle_rss) = usage(janus.pid())?;
    let mut bots: Vec<(usize, JanusBot)> = Vec::new();
    for room in 0..shape.rooms {
        let room_id = 1_000 + room as u64;
        janus::create_room(janus.port, room_id, shape.participants + 1).await?;
        for n in 0..shape.participants {
            let bot = JanusBot::publish(janus.port, janus.media_ip, room_id, shape.media(room, n))
                .await?;
            bots.push((room, bot));
        }
    }
    for index in 0..bots.len() {
        let room = bots[index].0;
        let feeds: Vec<u64> = bots
            .iter()
            .enumerate()
            .filter(|(other, (r, _))| *r == room && *other != index)
            .map(|(_, (_, bot))| bot.feed)
            .collect();
        // A feed exists once its publisher's connection is up: tried again meanwhile.
        let mut attempts = 0;
        while let Err(error) = bots[index].1.subscribe(&feeds).await {
            attempts += 1;
            if attempts == 40 {
                return Err(error);
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
    let (warm_up_ms, all_connected) = warm_up(&bots, shape.participants).await;
    let mut figures = window(janus.pid(), idle_rss, &bots, shape).await?;
    figures["warm_up_ms"] = json!(warm_up_ms);
    figures["all_connected"] = json!(all_connected);
    for (_, bot) in bots {
        bot.leave().await;
    }
    Ok(figures)
}

/// Counts over `shape.seconds`: packets the bots published and received, and the server
/// process's CPU time and memory.
async fn window<B: Counted>(
    pid: u32,
    idle_rss: u64,
    bots: &[(usize, B)],
    shape: Shape,
) -> anyhow::Result<Value> {
    let Shape {
        rooms,
        participants,
        seconds,
        slow,
    } = shape;
    let sent_before: Vec<u64> = bots.iter().map(|(_, b)| b.sent()).collect();
    let received_before_each: Vec<u64> = bots.iter().map(|(_, b)| b.received_total()).collect();
    let received_before: u64 = received_before_each.iter().sum();
    let (ticks_before, _) = usage(pid)?;
    let measured = Instant::now();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    let elapsed = measured.elapsed().as_secs_f64();
    let (ticks_after, rss) = usage(pid)?;
    let received_each: Vec<u64> = bots.iter().map(|(_, b)| b.received_total()).collect();
    let received: u64 = received_each.iter().sum::<u64>() - received_before;
    // Every packet a bot published during the window should reach the others of its room.
    let sent: Vec<u64> = bots
        .iter()
        .zip(&sent_before)
        .map(|((_, b), before)| b.sent() - before)
        .collect();
    let expected_by = |receiver: usize| -> u64 {
        let room = bots[receiver].0;
        (0..bots.len())
            .filter(|&other| other != receiver && bots[other].0 == room)
            .map(|other| sent[other])
            .sum()
    };
    let expected: u64 = (0..bots.len()).map(expected_by).sum();
    // Loss of the others when some subscribers are slow: their own loss is theirs.
    let is_slow = |index: usize| bots[index].0 == 0 && index % participants + slow >= participants;
    let (mut fast_received, mut fast_expected) = (0u64, 0u64);
    for index in (0..bots.len()).filter(|&i| !is_slow(i)) {
        fast_received += received_each[index] - received_before_each[index];
        fast_expected += expected_by(index);
    }
    let ticks_per_second = 100.0; // USER_HZ on Linux
    let cpu_percent = (ticks_after - ticks_before) as f64 / ticks_per_second / elapsed * 100.0;
    let forwarded_per_second = received as f64 / elapsed;
    let loss_percent = if expected == 0 {
        100.0
    } else {
        (1.0 - received as f64 / expected as f64).max(0.0) * 100.0
    };
    let total = rooms * participants;
    Ok(json!({
        "rooms": rooms,
        "participants": total,
        "forwarded_streams": rooms * participants * (participants - 1) * 2,
        "seconds": (elapsed * 10.0).round() / 10.0,
        "forwarded_packets_per_second": forwarded_per_second.round(),
        "sfu_cpu_percent_of_one_core": (cpu_percent * 10.0).round() / 10.0,
        "forwarded_packets_per_second_per_core": if cpu_percent > 0.0 { (forwarded_per_second / (cpu_percent / 100.0)).round() } else { 0.0 },
        "loss_percent": (loss_percent * 100.0).round() / 100.0,
        "slow_subscribers": slow,
        "loss_percent_of_the_others": if fast_expected == 0 { 100.0 } else { ((1.0 - fast_received as f64 / fast_expected as f64).max(0.0) * 10_000.0).round() / 100.0 },
        "sfu_memory_mb": rss as f64 / 1024.0,
        "sfu_memory_per_participant_mb": ((rss.saturating_sub(idle_rss)) as f64 / 1024.0 / total.max(1) as f64 * 100.0).round() / 100.0,
    }))
}

#[cfg(test)]
mod tests {
    use super::median_run;
    use serde_json::json;

    #[test]
    fn several_runs_give_the_median_cpu_run_with_every_figures_range() {
        let run = |cpu: f64, rate: f64, memory: f64| {
            json!({
                "sfu_cpu_percent_of_one_core": cpu,
                "forwarded_packets_per_second_per_core": rate,
                "sfu_memory_per_participant_mb": memory,
                "loss_percent": cpu / 100.0,
            })
        };
        let one = median_run(vec![run(30.0, 70_000.0, 2.3)]);
        assert_eq!(one, run(30.0, 70_000.0, 2.3));

        let three = median_run(vec![
            run(34.0, 60_000.0, 2.2),
            run(22.0, 100_000.0, 2.4),
            run(28.0, 80_000.0, 2.3),
        ]);
        assert_eq!(three["sfu_cpu_percent_of_one_core"], 28.0);
        assert_eq!(three["loss_percent"], 0.28);
        assert_eq!(three["runs"], 3);
        assert_eq!(
            three["sfu_cpu_percent_of_one_core_range"],
            json!([22.0, 34.0])
        );
        assert_eq!(
            three["forwarded_packets_per_second_per_core_range"],
            json!([60_000.0, 100_000.0])
        );
        assert_eq!(
            three["sfu_memory_per_participant_mb_range"],
            json!([2.2, 2.4])
        );
    }
}
