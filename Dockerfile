# The operator image: one jar, started as `operator` (the reconciler, plus health and metrics) or `api` (the lease
# API). The Helm chart (helm/sandbox-pool) runs both from this image. The sandbox image is sandbox/Dockerfile.
#
#   docker build -t sandboxpool/operator:0.1.0 .
#
# Runtime contract kept by the chart: user 65532, read-only root filesystem, writable /tmp (an emptyDir).

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build
# The POM alone first: its dependencies stay in a cached layer until pom.xml changes.
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B package -DskipTests

FROM eclipse-temurin:17-jre
COPY --from=build /build/target/sandbox-pool.jar /opt/sandbox-pool/sandbox-pool.jar
# The JVM writes only to /tmp (hsperfdata, Netty's native libraries): the chart mounts an emptyDir there so the root
# filesystem can stay read-only. The heap follows the container's memory limit. Serial collector, small initial heap
# and C1 only: a small footprint and no minutes of C2 compilation for I/O-bound work (see ./sandboxpool, JVM_DEFAULTS).
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=/tmp -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xms24m -Xss512k"
# A numeric non-root user (no passwd entry needed), so runAsNonRoot can verify it.
USER 65532:65532
# The one writable directory, for anything written relative to the working directory.
WORKDIR /tmp
EXPOSE 8080 8081
ENTRYPOINT ["java", "-jar", "/opt/sandbox-pool/sandbox-pool.jar"]
CMD ["operator"]
