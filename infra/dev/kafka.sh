#!/usr/bin/env bash
# Local single-node Apache Kafka (KRaft, broker+controller in one JVM) for tests
# and people. No Docker on these machines, so the official broker jars are
# resolved from Maven Central with mvn and run with the system JDK.
#
#   infra/dev/kafka.sh provision   resolve jars into .cache/kafka/<version>/libs (once)
#   infra/dev/kafka.sh start       provision if needed, format storage if needed, start, wait
#   infra/dev/kafka.sh stop        stop the broker started from this repo
#   infra/dev/kafka.sh status      exit 0 and print KAFKA_BROKERS=... if running
#   infra/dev/kafka.sh reset       stop and delete the data dir (topics, offsets)
#
# Env: RISKGATE_DEV_KAFKA_PORT (client port, default 9192; controller = port+1),
#      RISKGATE_DEV_KAFKA_HEAP (default 768m), RISKGATE_DEV_KAFKA_START_TIMEOUT (s, default 90),
#      RISKGATE_DEV_KAFKA_FRESH=1 (start from an empty data dir; test-all.sh uses it),
#      RISKGATE_DEV_KAFKA_BOOT_NICE (CPU weight of the broker's session while it starts and stops,
#      as nice(1) counts; back to 0 once it answers, which needs root; default 10 as root, else 0).
set -euo pipefail
RISKGATE_LOG_TAG=kafka
# shellcheck source=infra/dev/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Pinned. 3.9.x is the last line that still speaks the old protocol versions
# kafkajs 2.2.4 uses (Kafka 4.0 removed them, KIP-896). Bump only together with
# a green test/infra/kafka-compat.test.ts.
KAFKA_VERSION=3.9.1
SCALA_BINARY=2.13
# Kafka 3.9 is built against slf4j 1.7.36 and ships slf4j-reload4j in its tarball;
# the Maven artifact does not pull a binding in, so we add the same one.
SLF4J_VERSION=1.7.36
DEPENDENCY_PLUGIN_VERSION=3.8.1

PORT=${RISKGATE_DEV_KAFKA_PORT:-9192}
CONTROLLER_PORT=$((PORT + 1))
HEAP=${RISKGATE_DEV_KAFKA_HEAP:-768m}
START_TIMEOUT=${RISKGATE_DEV_KAFKA_START_TIMEOUT:-90}
# Only root can give the weight back once the broker answers (RLIMIT_NICE): for anyone else the
# broker would stay light for good, and tests wait on it; so the default lowers it for root only.
if (($(id -u) == 0)); then BOOT_NICE=${RISKGATE_DEV_KAFKA_BOOT_NICE:-10}; else BOOT_NICE=${RISKGATE_DEV_KAFKA_BOOT_NICE:-0}; fi

DIST_DIR="$RISKGATE_REPO/.cache/kafka/$KAFKA_VERSION"
LIBS_DIR="$DIST_DIR/libs"
STAMP="$DIST_DIR/.provisioned"
RUN_DIR="$RISKGATE_REPO/.cache/dev/kafka"
DATA_DIR="$RUN_DIR/data"
PIDFILE="$RUN_DIR/kafka.pid"
LOGFILE="$RUN_DIR/server.log"
PROPS="$RUN_DIR/server.properties"
LOG4J="$RUN_DIR/log4j.properties"
BROKERS="127.0.0.1:$PORT"

provisioned() {
  [[ -f $STAMP && $(<"$STAMP") == "kafka_${SCALA_BINARY}:${KAFKA_VERSION} slf4j-reload4j:${SLF4J_VERSION}" ]]
}

provision() {
  if provisioned; then
    log "Kafka $KAFKA_VERSION already provisioned in ${LIBS_DIR#"$RISKGATE_REPO"/} ($(find "$LIBS_DIR" -name '*.jar' | wc -l) jars)"
    return 0
  fi
  command -v mvn >/dev/null || die "mvn not found. Install it with: apt-get install -y maven (needs a JDK 17: apt-get install -y openjdk-17-jre-headless)"
  command -v java >/dev/null || die "java not found. Install it with: apt-get install -y openjdk-17-jre-headless"
  log "provisioning Kafka $KAFKA_VERSION (kafka_$SCALA_BINARY) from Maven Central into ${LIBS_DIR#"$RISKGATE_REPO"/} ..."
  local started=$SECONDS
  mkdir -p "$DIST_DIR"
  # A throwaway pom whose only job is to let the dependency plugin resolve the
  # broker's runtime classpath (transitively) and copy it into one folder.
  cat >"$DIST_DIR/pom.xml" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>riskgate.dev</groupId>
  <artifactId>kafka-broker-classpath</artifactId>
  <version>$KAFKA_VERSION</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_$SCALA_BINARY</artifactId>
      <version>$KAFKA_VERSION</version>
    </dependency>
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-reload4j</artifactId>
      <version>$SLF4J_VERSION</version>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-dependency-plugin</artifactId>
        <version>$DEPENDENCY_PLUGIN_VERSION</version>
      </plugin>
    </plugins>
  </build>
</project>
POM
  # Copy into a temp dir and rename, so an interrupted run never looks provisioned.
  rm -rf "$LIBS_DIR.tmp"
  local mvn_log="$DIST_DIR/mvn.log"
  if ! mvn -B -q -f "$DIST_DIR/pom.xml" \
    dependency:copy-dependencies \
    -DincludeScope=runtime \
    -DoutputDirectory="$LIBS_DIR.tmp" >"$mvn_log" 2>&1; then
    tail -n 40 "$mvn_log" >&2
    die "mvn could not resolve Kafka $KAFKA_VERSION (full log: $mvn_log)"
  fi
  [[ -f "$LIBS_DIR.tmp/kafka_$SCALA_BINARY-$KAFKA_VERSION.jar" ]] || die "mvn finished but kafka_$SCALA_BINARY-$KAFKA_VERSION.jar is missing in $LIBS_DIR.tmp"
  rm -rf "$LIBS_DIR"
  mv "$LIBS_DIR.tmp" "$LIBS_DIR"
  printf '%s\n' "kafka_${SCALA_BINARY}:${KAFKA_VERSION} slf4j-reload4j:${SLF4J_VERSION}" >"$STAMP"
  log "provisioned $(find "$LIBS_DIR" -name '*.jar' | wc -l) jars in $((SECONDS - started))s"
}

running() {
  pid_alive "$PIDFILE" && grep -q 'kafka\.Kafka' "/proc/$(<"$PIDFILE")/cmdline" 2>/dev/null
}

write_config() {
  mkdir -p "$RUN_DIR"
  # Sized for a 2-core dev box: one node, replication 1, few threads, tiny
  # internal topics (50 offsets partitions would slow the first group join).
  cat >"$PROPS" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA_DIR
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=true
delete.topic.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=2
background.threads=2
num.recovery.threads.per.data.dir=1
num.replica.fetchers=1
log.cleaner.threads=1
log.retention.hours=24
log.segment.bytes=16777216
PROPS
  cat >"$LOG4J" <<'LOG4J'
# Everything to stdout, which kafka.sh redirects into server.log.
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.log.LogCleaner=WARN
log4j.logger.org.apache.kafka.storage.internals.log=WARN
log4j.logger.kafka.log=WARN
LOG4J
}

java_opts() {
  # Small heap, serial-ish pauses kept short; exit rather than limp on OOM. A dev broker on two
  # shared cores: the client compiler only and one GC thread of each kind (a boot costs about a third
  # less CPU; these loads never need C2's peak).
  printf '%s\n' "-Xms256m" "-Xmx$HEAP" "-XX:+UseG1GC" "-XX:MaxGCPauseMillis=20" \
    "-XX:TieredStopAtLevel=1" "-XX:ParallelGCThreads=1" "-XX:ConcGCThreads=1" \
    "-XX:+ExitOnOutOfMemoryError" "-Djava.awt.headless=true" \
    "-Dlog4j.configuration=file:$LOG4J" "-Dkafka.logs.dir=$RUN_DIR"
}

wait_ready() {
  local pid=$1 deadline=$((SECONDS + START_TIMEOUT)) probe
  probe="$(dirname "${BASH_SOURCE[0]}")/kafka-ready.mjs"
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 40 "$LOGFILE" >&2 || true
      rm -f "$PIDFILE"
      die "Kafka exited during start-up (log: $LOGFILE)"
    fi
    if grep -q 'Kafka Server started' "$LOGFILE" 2>/dev/null && port_open "$PORT"; then
      break
    fi
    sleep 0.25
  done
  ((SECONDS < deadline)) || {
    tail -n 40 "$LOGFILE" >&2 || true
    die "Kafka did not report 'Kafka Server started' within ${START_TIMEOUT}s (log: $LOGFILE)"
  }
  # The log line says the server is up; a real metadata round trip through the
  # client the project uses says it answers. Skipped before npm ci has run.
  if [[ -d "$RISKGATE_REPO/node_modules/kafkajs" ]]; then
    local left=$((deadline - SECONDS))
    ((left > 5)) || left=5
    (cd "$RISKGATE_REPO" && node "$probe" "$BROKERS" "$left") ||
      die "Kafka is up but did not answer a kafkajs metadata request (log: $LOGFILE)"
  fi
}

start() {
  if running; then
    log "Kafka already running (pid $(<"$PIDFILE")) on $BROKERS"
    echo "KAFKA_BROKERS=$BROKERS"
    return 0
  fi
  if port_open "$PORT" || port_open "$CONTROLLER_PORT"; then
    die "port $PORT or $CONTROLLER_PORT on 127.0.0.1 is taken by another process (not ours). Set RISKGATE_DEV_KAFKA_PORT to use other ports."
  fi
  provision
  if [[ ${RISKGATE_DEV_KAFKA_FRESH:-0} == 1 && -d $DATA_DIR ]]; then
    log "fresh start requested: deleting $DATA_DIR"
    rm -rf "$DATA_DIR"
  fi
  write_config
  local started=$SECONDS
  local -a opts
  mapfile -t opts < <(java_opts)
  if [[ ! -f "$DATA_DIR/meta.properties" ]]; then
    # KRaft needs its log dir formatted with a cluster id once.
    local cluster_id
    : >"$RUN_DIR/format.log"
    cluster_id=$(java "${opts[@]}" -cp "$LIBS_DIR/*" kafka.tools.StorageTool random-uuid 2>>"$RUN_DIR/format.log" | tail -n 1)
    [[ -n $cluster_id ]] || die "StorageTool random-uuid printed nothing (see $RUN_DIR/format.log)"
    java "${opts[@]}" -cp "$LIBS_DIR/*" kafka.tools.StorageTool format \
      -t "$cluster_id" -c "$PROPS" --ignore-formatted >>"$RUN_DIR/format.log" 2>&1 ||
      die "formatting $DATA_DIR failed (see $RUN_DIR/format.log)"
    log "formatted $DATA_DIR (cluster id $cluster_id)"
  fi
  : >"$LOGFILE"
  # In a session of its own, as Redis (daemonize) and the stack's services are, so the broker
  # outlives the calling shell and the scheduler weighs it as one session among the others. While it
  # boots (about 70 threads and 3-8 s of CPU on two cores, more the more partitions its data dir
  # holds) it weighs less: started in the caller's session at full weight, a restart from the
  # kafka-outage scenario starved the co-located scoring API, which degraded and shed checkouts.
  start_detached_at "$BOOT_NICE" "$PIDFILE" "$LOGFILE" java "${opts[@]}" -cp "$LIBS_DIR/*" kafka.Kafka "$PROPS"
  local pid
  pid=$(<"$PIDFILE")
  log "started Kafka $KAFKA_VERSION (pid $pid), waiting for it to answer on $BROKERS ..."
  wait_ready "$pid"
  if ((BOOT_NICE != 0)) && ! cpu_weight "$pid" 0; then
    log "could not give the broker its full CPU weight back (that needs root): it runs at nice $BOOT_NICE; RISKGATE_DEV_KAFKA_BOOT_NICE=0 starts it at full weight"
  fi
  log "Kafka ready on $BROKERS in $((SECONDS - started))s (log: ${LOGFILE#"$RISKGATE_REPO"/})"
  echo "KAFKA_BROKERS=$BROKERS"
}

status() {
  if running; then
    log "running (pid $(<"$PIDFILE")), Kafka $KAFKA_VERSION, data ${DATA_DIR#"$RISKGATE_REPO"/}"
    echo "KAFKA_BROKERS=$BROKERS"
    return 0
  fi
  log "not running"
  return 1
}

stop() {
  if [[ -s $PIDFILE ]] && ! running; then
    rm -f "$PIDFILE"
  fi
  # Shutting down (a checkpoint per partition) weighs as little as booting; see start().
  if [[ -s $PIDFILE ]]; then cpu_weight "$(<"$PIDFILE")" "$BOOT_NICE" || true; fi
  # A combined broker+controller shuts down in a few seconds; allow more on a busy box.
  stop_pid "$PIDFILE" "Kafka" 45
}

case "${1:-}" in
provision) provision ;;
start) start ;;
stop) stop ;;
status) status ;;
reset)
  stop
  rm -rf "$DATA_DIR"
  log "deleted ${DATA_DIR#"$RISKGATE_REPO"/}"
  ;;
*)
  echo "usage: $0 provision|start|stop|status|reset" >&2
  exit 2
  ;;
esac
