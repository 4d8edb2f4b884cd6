#!/bin/bash
# Start (if stopped) the shared infrastructure: RabbitMQ, MariaDB, PostgreSQL, Redis.
# Works with or without systemd (containers and CI machines often have none).
set -uo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  local port=$1 name=$2
  for _ in $(seq 1 60); do port_open "$port" && return 0; sleep 1; done
  echo "services.sh: $name did not open port $port" >&2
  return 1
}

start_rabbitmq() {
  port_open 5672 && return 0
  echo "starting RabbitMQ"
  rabbitmq-server -detached >/dev/null 2>&1 || service rabbitmq-server start >/dev/null 2>&1
  wait_port 5672 RabbitMQ
}

start_mariadb() {
  port_open 3306 && return 0
  echo "starting MariaDB"
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd >/dev/null 2>&1 \
    || service mariadb start >/dev/null 2>&1
  wait_port 3306 MariaDB
}

start_postgresql() {
  port_open 5432 && return 0
  echo "starting PostgreSQL"
  local version
  version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)"
  [ -n "$version" ] && pg_ctlcluster --skip-systemctl-redirect "$version" main start >/dev/null 2>&1
  wait_port 5432 PostgreSQL
  # Local clients (tests, devstack) connect over TCP as postgres without a password.
  local hba="/etc/postgresql/$version/main/pg_hba.conf"
  if [ -f "$hba" ] && ! grep -q "cirrostack" "$hba"; then
    sed -i '1i host all all 127.0.0.1/32 trust # cirrostack\nhost all all ::1/128 trust # cirrostack' "$hba"
    pg_ctlcluster --skip-systemctl-redirect "$version" main reload >/dev/null 2>&1
  fi
}

start_redis() {
  port_open 6379 && return 0
  echo "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    >/dev/null 2>&1
  wait_port 6379 Redis
}

case "${1:-start}" in
  start) start_rabbitmq && start_mariadb && start_postgresql && start_redis ;;
  *) echo "usage: $0 start" >&2; exit 2 ;;
esac
