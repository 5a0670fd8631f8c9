# Shared by the benchmark scripts (sourced): start release servers, sign in, and load a path
# with wrk while reading the server processes' CPU time. The caller sets WORK (a temporary
# folder) and PIDS (an array of processes to stop at exit).
TICK=$(getconf CLK_TCK)
declare -A SERVER_OF
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
busy_ticks() { # the whole machine's busy time (user + nice + system + irq + softirq)
  awk '/^cpu / {print $2 + $3 + $4 + $7 + $8}' /proc/stat
}

start_server() { # database URL → sets SERVER (pid) and BASE
  local port; port=$(free_port)
  BASE="http://127.0.0.1:$port"
  CONCERTO_LOG=warn target/release/concerto serve --demo --bind "127.0.0.1:$port" --database-url "$1" \
    --outbox-dir "$WORK/outbox-$port" > "$WORK/server-$port.log" 2>&1 &
  SERVER=$!
  PIDS+=("$SERVER")
  for _ in $(seq 1 100); do curl -fs "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
}

sign_in() { # base, e-mail → prints the Cookie header value
  local jar="$WORK/jar-$RANDOM" token
  token=$(curl -s -c "$jar" "$1/login" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | cut -d'"' -f4)
  curl -s -b "$jar" -c "$jar" -o /dev/null --data-urlencode "email=$2" \
    --data-urlencode password=concerto-demo --data-urlencode csrf_token="$token" "$1/auth/login"
  echo "concerto_session=$(grep concerto_session "$jar" | awk '{print $7}'); concerto_csrf=$(grep concerto_csrf "$jar" | awk '{print $7}')"
}

# measure LABEL KIND COOKIE BASE...: wrk (64 connections shared by the servers, 10 s) on
# $PATH_UNDER_TEST with $WRK_SCRIPT (default: every request a different URL); prints
# requests/s, p99, the servers' CPU per request and the machine's busy time minus wrk's.
measure() { # label, database kind, cookie, then one base URL per server (each gets its own wrk)
  local label=$1 kind=$2 cookie=$3; shift 3
  local bases=("$@") before=() after=() i busy_before busy_after
  local connections=$(( 64 / ${#bases[@]} ))
  for i in "${!bases[@]}"; do before[$i]=$(ticks "${SERVER_OF[${bases[$i]}]}"); done
  busy_before=$(busy_ticks)
  local loaders=()
  for i in "${!bases[@]}"; do
    /usr/bin/time -f "%U %S" -o "$WORK/wrk-cpu-$i.txt" \
      wrk -t1 -c"$connections" -d10s --latency -s "${WRK_SCRIPT:-scripts/bench/distinct.lua}" -H "Cookie: $cookie" "${bases[$i]}$PATH_UNDER_TEST" > "$WORK/wrk-$i.txt" &
    loaders+=($!)
  done
  wait "${loaders[@]}"
  for i in "${!bases[@]}"; do after[$i]=$(ticks "${SERVER_OF[${bases[$i]}]}"); done
  busy_after=$(busy_ticks)
  local requests=0 rps=0 p99s="" server_ticks=0 wrk_seconds=0
  for i in "${!bases[@]}"; do
    requests=$(( requests + $(grep -E "^\s+[0-9]+ requests in" "$WORK/wrk-$i.txt" | awk '{print $1}') ))
    rps=$(python3 -c "print($rps + $(grep 'Requests/sec' "$WORK/wrk-$i.txt" | awk '{print $2}'))")
    p99s="$p99s $(grep -E '^\s+99%' "$WORK/wrk-$i.txt" | awk '{print $2}')"
    server_ticks=$(( server_ticks + after[$i] - before[$i] ))
    wrk_seconds=$(python3 -c "print($wrk_seconds + sum(map(float, open('$WORK/wrk-cpu-$i.txt').read().split()[-2:])))")
  done
  python3 - "$label" "$rps" "$p99s" "$server_ticks" "$(( busy_after - busy_before ))" "$wrk_seconds" "$requests" "$TICK" <<'PY'
import sys
label, rps, p99s, server, busy, wrk_seconds, requests, tick = sys.argv[1:]
per_request = lambda seconds: seconds * 1000 / max(int(requests), 1)
server_ms = per_request(int(server) / int(tick))
all_ms = per_request(int(busy) / int(tick) - float(wrk_seconds))
print(f"{label:<46} {float(rps):>6.0f} req/s  p99 {p99s.strip():>16}  server CPU {server_ms:.3f} ms/req, all but wrk {all_ms:.3f} ms/req")
PY
}
