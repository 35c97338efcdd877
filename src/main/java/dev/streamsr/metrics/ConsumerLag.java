package dev.streamsr.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code streamsr_consumer_lag{group,topic,partition}}: records between a group's committed
 * offset and the last committed record of each partition, read through the admin client.
 * The clients' own records-lag only exists while a partition is assigned and only in the
 * process that holds it; this is the view from outside that an autoscaler and an alert need.
 */
public final class ConsumerLag implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConsumerLag.class);
    private final Admin admin;
    private final List<String> groups;
    private final MultiGauge gauge;
    private final ScheduledExecutorService timer;

    public ConsumerLag(Properties adminConfig, List<String> groups, Duration every, MeterRegistry registry) {
        this.admin = Admin.create(adminConfig);
        this.groups = List.copyOf(groups);
        this.gauge = Meters.consumerLag(registry);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon(true).name("consumer-lag").unstarted(r));
        timer.scheduleWithFixedDelay(this::refreshQuietly, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Lag per partition of every group, as of now. */
    public Map<String, Map<TopicPartition, Long>> measure() throws Exception {
        Map<String, Map<TopicPartition, Long>> out = new HashMap<>();
        for (String group : groups) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            committed.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
            var ends = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(10, TimeUnit.SECONDS);
            Map<TopicPartition, Long> lag = new HashMap<>();
            committed.forEach((tp, offset) -> {
                if (offset != null && ends.containsKey(tp)) {
                    lag.put(tp, Math.max(0, ends.get(tp).offset() - offset.offset()));
                }
            });
            out.put(group, lag);
        }
        return out;
    }

    private void refreshQuietly() {
        try {
            List<MultiGauge.Row<?>> rows = new ArrayList<>();
            measure().forEach((group, lags) -> lags.forEach((tp, lag) -> rows.add(MultiGauge.Row.of(
                    Tags.of("group", group, "topic", tp.topic(), "partition", Integer.toString(tp.partition())), lag))));
            gauge.register(rows, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // Keep the last values rather than report zero lag while the broker is unreachable.
            log.debug("consumer lag not measured: {}", e.toString());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        admin.close(Duration.ofSeconds(2));
    }
}
