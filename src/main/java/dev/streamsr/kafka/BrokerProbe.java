package dev.streamsr.kafka;

import dev.streamsr.metrics.Health;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * Whether the Kafka cluster answers, within a bound. At start a role waits for it once and fails
 * with one line naming the servers it tried; afterwards it is the {@code kafka} part of health.
 */
public final class BrokerProbe implements Health.Probe, AutoCloseable {
    private final String servers;
    private final Duration bound;
    private final Admin admin;

    public BrokerProbe(KafkaSettings kafka, Duration bound) {
        this.servers = kafka.bootstrapServers();
        this.bound = bound;
        Properties p = kafka.admin();
        int ms = (int) Math.max(1_000, bound.toMillis());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms);
        // An unreachable broker is reported by health once; the client's own warning per reconnect would repeat it every second.
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 10_000);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "streamsr-health");
        this.admin = Admin.create(p);
    }

    /** Waits until the cluster answers; otherwise one line that says what was tried and where to look. */
    public static void await(KafkaSettings kafka, Duration bound) {
        try (BrokerProbe probe = new BrokerProbe(kafka, bound)) {
            Health.Check c = probe.check();
            if (!c.ready()) {
                throw new IllegalStateException("Kafka is not reachable at " + kafka.bootstrapServers() + " (waited "
                        + bound.toSeconds() + " s: " + c.detail().get("error") + "); check --bootstrap-servers and --kafka-config, "
                        + "or start a broker with 'streamsr kafka'");
            }
        }
    }

    @Override
    public Health.Check check() {
        try {
            var cluster = admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) bound.toMillis()));
            int nodes = cluster.nodes().get(bound.toMillis() + 1_000, TimeUnit.MILLISECONDS).size();
            return Health.Check.up("reachable", Map.of("servers", servers, "brokers", nodes));
        } catch (ExecutionException e) {
            return unreachable(e.getCause());
        } catch (TimeoutException e) {
            return unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unreachable(e);
        }
    }

    private Health.Check unreachable(Throwable cause) {
        String why = cause instanceof org.apache.kafka.common.errors.TimeoutException || cause instanceof TimeoutException
                ? "no answer within " + bound.toSeconds() + " s" : cause.getClass().getSimpleName() + ": " + cause.getMessage();
        return Health.Check.notReady("unreachable", Map.of("servers", servers, "error", why));
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(1));
    }
}
