package dev.streamsr.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker in KRaft mode (broker and controller in one), running inside
 * this JVM. The only class that touches broker internals, which are not a public API.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);

    private final Path dataDir;
    private final boolean temporary;
    private final int port;
    private final int saslPort;
    private final KafkaRaftServer server;
    private final DataDirLock lock;

    /** A SCRAM-SHA-512 user for a SASL_PLAINTEXT listener beside the plaintext one. */
    public record ScramUser(String name, String password) {
    }

    private EmbeddedKafka(Path dataDir, boolean temporary, int port, int saslPort, KafkaRaftServer server, DataDirLock lock) {
        this.lock = lock;
        this.dataDir = dataDir;
        this.temporary = temporary;
        this.port = port;
        this.saslPort = saslPort;
        this.server = server;
    }

    /**
     * Starts a broker and waits until it answers. {@code dataDir} null means a temporary directory
     * deleted on close; {@code port} 0 picks a free port.
     */
    public static EmbeddedKafka start(Path dataDir, int port, FrameLimits limits) {
        return start(dataDir, port, limits, null);
    }

    /** As above, plus a SASL_PLAINTEXT/SCRAM-SHA-512 listener for {@code user} when it is not null. */
    public static EmbeddedKafka start(Path dataDir, int port, FrameLimits limits, ScramUser user) {
        return start(dataDir, port, limits, user, null);
    }

    /** A PKCS12 keystore holding the broker's key and certificate. */
    public record Tls(Path keystore, String password) {
    }

    /** With {@code tls}, the SCRAM listener is SASL_SSL: credentials and data encrypted with the given certificate. */
    public static EmbeddedKafka start(Path dataDir, int port, FrameLimits limits, ScramUser user, Tls tls) {
        long t0 = System.nanoTime();
        boolean temporary = dataDir == null;
        try {
            Path dir = temporary ? Files.createTempDirectory("streamsr-kafka-") : Files.createDirectories(dataDir);
            // Before anything touches the directory: a second broker on a live one's data corrupts its metadata log.
            DataDirLock lock = DataDirLock.acquire(dir);
            try {
                return start(dir, temporary, lock, port, limits, user, tls, t0);
            } catch (RuntimeException | IOException e) {
                lock.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the embedded broker's data directory", e);
        }
    }

    private static EmbeddedKafka start(Path dir, boolean temporary, DataDirLock lock, int port, FrameLimits limits, ScramUser user,
                                       Tls tls, long t0) throws IOException {
        int[] free = freePorts(3, port);
        int brokerPort = port == 0 ? free[0] : port;
        int controllerPort = free[1];
        int saslPort = user == null ? 0 : free[2];
        Properties props = brokerProperties(dir, brokerPort, controllerPort, limits);
        if (user != null) {
            String protocol = tls == null ? "SASL_PLAINTEXT" : "SASL_SSL";
            props.put("listeners", props.getProperty("listeners") + "," + protocol + "://127.0.0.1:" + saslPort);
            props.put("advertised.listeners", props.getProperty("advertised.listeners") + "," + protocol + "://127.0.0.1:" + saslPort);
            props.put("listener.security.protocol.map", props.getProperty("listener.security.protocol.map") + "," + protocol + ":" + protocol);
            props.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
            props.put("listener.name." + protocol.toLowerCase(java.util.Locale.ROOT) + ".scram-sha-512.sasl.jaas.config",
                    "org.apache.kafka.common.security.scram.ScramLoginModule required;");
            if (tls != null) {
                props.put("ssl.keystore.type", "PKCS12");
                props.put("ssl.keystore.location", tls.keystore().toAbsolutePath().toString());
                props.put("ssl.keystore.password", tls.password());
                props.put("ssl.key.password", tls.password());
            }
        }
        Path file = dir.resolve("server.properties");
        try (OutputStream out = Files.newOutputStream(file)) {
            props.store(out, "StreamSR embedded broker");
        }
        format(dir, file, user);
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
        server.startup();
        EmbeddedKafka kafka = new EmbeddedKafka(dir, temporary, brokerPort, saslPort, server, lock);
        kafka.awaitReady();
        log.info("embedded Kafka broker (KRaft) ready at {} in {} ms, data in {}{}", kafka.bootstrapServers(),
                (System.nanoTime() - t0) / 1_000_000, dir, temporary ? " (temporary)" : "");
        return kafka;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** The SASL_PLAINTEXT (or, with TLS, SASL_SSL) listener, when started with a SCRAM user. */
    public String saslBootstrapServers() {
        if (saslPort == 0) {
            throw new IllegalStateException("this broker has no SASL listener");
        }
        return "127.0.0.1:" + saslPort;
    }

    private static Properties brokerProperties(Path dir, int brokerPort, int controllerPort, FrameLimits limits) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", dir.resolve("logs").toString());
        // One node: every internal topic must accept replication factor 1, or exactly-once hangs silently.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("num.partitions", "1");
        p.put("auto.create.topics.enable", "false");
        p.put("message.max.bytes", Integer.toString(limits.maxRecordBytes()));
        p.put("replica.fetch.max.bytes", Integer.toString(limits.maxRecordBytes()));
        p.put("socket.request.max.bytes", Integer.toString(Math.max(104_857_600, 2 * limits.maxRecordBytes())));
        p.put("log.segment.bytes", Integer.toString(Math.max(64 << 20, 4 * limits.maxRecordBytes())));
        p.put("log.retention.check.interval.ms", "30000");
        p.put("socket.receive.buffer.bytes", Integer.toString(KafkaSettings.SOCKET_BUFFER_BYTES));
        p.put("socket.send.buffer.bytes", Integer.toString(KafkaSettings.SOCKET_BUFFER_BYTES));
        return p;
    }

    private static void format(Path dir, Path propertiesFile, ScramUser user) {
        if (Files.isRegularFile(dir.resolve("logs").resolve("meta.properties"))) {
            // Formatted by an earlier run (a persistent --data-dir): a new cluster id would be refused.
            return;
        }
        String clusterId = Uuid.randomUuid().toString();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("format", "-t", clusterId, "-c", propertiesFile.toString(), "--ignore-formatted"));
        if (user != null) {
            // SCRAM credentials are written into the metadata log at format time in KRaft.
            args.addAll(java.util.List.of("--add-scram", "SCRAM-SHA-512=[name=" + user.name() + ",password=" + user.password() + "]"));
        }
        int rc = StorageTool.execute(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8));
        if (rc != 0) {
            throw new IllegalStateException("formatting Kafka storage in " + dir + " failed: " + out.toString(StandardCharsets.UTF_8));
        }
    }

    private void awaitReady() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            admin.describeCluster().nodes().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            close();
            throw new IllegalStateException("embedded Kafka broker did not become ready: " + e.getMessage(), e);
        }
    }

    /**
     * {@code n} free ports, none equal to {@code taken}. The sockets are held open together until
     * all are picked: one at a time, the OS may hand back a port just released (CI once got the
     * same port for the controller and the SASL listener).
     */
    private static int[] freePorts(int n, int taken) throws IOException {
        java.util.List<ServerSocket> open = new java.util.ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                open.add(s);
                if (s.getLocalPort() == taken) {
                    i--;
                    continue;
                }
                ports[i] = s.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : open) {
                s.close();
            }
        }
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
        lock.close();
        if (temporary) {
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                log.warn("could not delete {}: {}", dataDir, e.toString());
            }
        }
        log.info("embedded Kafka broker stopped");
    }
}
