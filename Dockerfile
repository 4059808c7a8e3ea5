# Parley image: build the fat jar with Maven, run it on a JRE as a non-root user.
#
#   docker build -t parley:local .
#   docker run --rm -p 8080:8080 -p 8081:8081 \
#     -e PARLEY_PERSISTENCE_DATABASE_URL=postgresql://user:password@db-host:5432/parley \
#     -e PARLEY_JWT_SECRET=... -e PARLEY_CLUSTER_ENABLED=false parley:local
#
# Several clustered nodes behind a load balancer: docker-compose.yml and docs/clustering.md.
# Configuration is environment only (PARLEY_<SECTION>_<KEY>, see conf/parley.yaml).

# ---- build ---------------------------------------------------------------------------------
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src

# Dependencies first, in their own layer: it is rebuilt only when pom.xml changes.
# go-offline misses a few plugin dependencies that the package step resolves itself, hence
# "best effort".
COPY pom.xml ./
RUN mvn -B dependency:go-offline || true

# pom.xml packs openapi.yaml and conf/parley.yaml from the project root into the jar.
COPY openapi.yaml ./
COPY conf ./conf
COPY src ./src
RUN mvn -B -DskipTests package

# ---- runtime -------------------------------------------------------------------------------
# Ubuntu-based Temurin JRE; it ships curl, which the HEALTHCHECK below uses.
FROM eclipse-temurin:17-jre

RUN groupadd --system --gid 10001 parley \
 && useradd --system --uid 10001 --gid parley --home-dir /app --no-create-home \
      --shell /usr/sbin/nologin parley \
 && mkdir -p /app/data \
 && chown parley:parley /app/data

WORKDIR /app
COPY --from=build /src/target/parley.jar /app/parley.jar

# Defaults that suit a container; everything else comes from conf/parley.yaml.
# - a fixed event-bus port (the default 0 picks a random one), so it can be exposed and
#   allowed in firewalls / network policies;
# - the embedded development PostgreSQL (used only when PARLEY_PERSISTENCE_DATABASE_URL is
#   empty) keeps its data in a directory the non-root user can write.
ENV PARLEY_CLUSTER_BUS_PORT=5901 \
    PARLEY_PERSISTENCE_EMBEDDED_DATA_DIR=/app/data/dev-db

# Numeric user, so that Kubernetes' runAsNonRoot can verify it.
USER 10001:10001

# 8080 HTTP API, 8081 WebSocket gateway, 5701 Hazelcast, 5901 event-bus transport.
EXPOSE 8080 8081 5701 5901

# Ready = the database answers over the event bus and the cluster map is reachable.
# Only meaningful on nodes with the api role; override it for gateway/persistence-only nodes.
HEALTHCHECK --interval=10s --timeout=3s --start-period=90s --retries=3 \
  CMD curl -fsS -o /dev/null "http://127.0.0.1:${PARLEY_API_PORT:-8080}/health/ready" || exit 1

# The --add-opens/--add-exports that Hazelcast wants are in the jar manifest (Add-Opens,
# Add-Exports), so none are needed here. Heap: 75% of the container's memory limit; set
# JDK_JAVA_OPTIONS (e.g. -Xmx512m, -Dhazelcast.merge.first.run.delay.seconds=30) to add or
# override JVM options; with a limit of two CPUs, add -XX:+UseSerialGC (the JVM's own pick at one
# CPU; G1, its pick at two, has the worse tail under overload there: README, "Small machines").
# Java runs as PID 1 and gets SIGTERM directly: Parley's shutdown hook undeploys the verticles
# and leaves the cluster gracefully.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75.0", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/parley.jar"]
