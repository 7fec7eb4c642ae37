# Shared by the benchmark scripts (sourced, not run: scripts/bench runs bench/*.sh only): the tools
# they need, a work directory cleaned up on exit with every process started, free ports on
# 127.0.0.1, and the nginx backend every proxy benchmark puts behind the proxy (answers every
# request with a 2-byte body, keep-alive, 2 worker processes).
missing=()
for tool in haproxy nginx wrk; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if ((${#missing[@]})); then
  echo "bench: installing ${missing[*]}" >&2
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
haproxy_bin=$(command -v haproxy || echo /usr/sbin/haproxy)

work=$(mktemp -d /tmp/nodrop-bench.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# Ports in a range unlikely to be in use; the script checks each is free.
base_port=${BENCH_BASE_PORT:-28100}
next_port=$base_port
take_port() {
  while (echo >/dev/tcp/127.0.0.1/$next_port) 2>/dev/null; do next_port=$((next_port + 1)); done
  port=$next_port
  next_port=$((next_port + 1))
}

wait_listening() {
  for _ in $(seq 200); do
    (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "bench: nothing listens on port $1" >&2
  return 1
}

# Starts the nginx backend and sets backend_port.
start_nginx_backend() {
  take_port; backend_port=$port
  mkdir -p "$work/nginx"
  cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 2;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  client_body_temp_path $work/nginx;
  proxy_temp_path $work/nginx;
  fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx;
  scgi_temp_path $work/nginx;
  server {
    listen 127.0.0.1:$backend_port reuseport backlog=4096;
    location / { return 200 "ok"; }
  }
}
CONF
  "$nginx_bin" -c "$work/nginx/nginx.conf" -p "$work/nginx" &
  pids+=($!)
  wait_listening "$backend_port"
}
