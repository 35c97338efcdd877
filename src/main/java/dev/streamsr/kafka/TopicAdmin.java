package dev.streamsr.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates the topics of the data flow with the admin client; existing topics are left as they are. */
public final class TopicAdmin {
    private static final Logger log = LoggerFactory.getLogger(TopicAdmin.class);

    private TopicAdmin() {
    }

    /**
     * Returns once every partition has a leader. A producer that writes to a partition the broker
     * does not lead yet gets NOT_LEADER_OR_FOLLOWER, and an idempotent producer's retried batch can
     * then be rejected as out of sequence until the delivery timeout (measured: a 120 s stall).
     */
    static void awaitLeaders(Admin admin, List<String> topics) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            boolean ready;
            try {
                var described = admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS);
                ready = described.values().stream().flatMap(d -> d.partitions().stream())
                        .allMatch(p -> p.leader() != null && p.leader().id() >= 0);
            } catch (ExecutionException e) {
                // Just created: the metadata may not know the topic yet.
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) {
                    throw e;
                }
                ready = false;
            }
            if (ready) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("partitions of " + topics + " have no leader after 30 s");
            }
            Thread.sleep(50);
        }
    }

    public static void ensureTopics(KafkaSettings kafka, Topics topics, TopicSettings settings) {
        String maxBytes = Integer.toString(kafka.limits().maxRecordBytes());
        Map<String, String> frameConfig = Map.of(
                TopicConfig.MAX_MESSAGE_BYTES_CONFIG, maxBytes,
                TopicConfig.RETENTION_MS_CONFIG, Long.toString(settings.retentionMs()),
                TopicConfig.SEGMENT_BYTES_CONFIG, Integer.toString(Math.max(64 << 20, 4 * kafka.limits().maxRecordBytes())));
        // Dead letters are kept a week: they are evidence for an operator, not data in flight.
        Map<String, String> dlqConfig = Map.of(
                TopicConfig.MAX_MESSAGE_BYTES_CONFIG, maxBytes,
                TopicConfig.RETENTION_MS_CONFIG, Long.toString(TimeUnit.DAYS.toMillis(7)));
        List<NewTopic> wanted = new ArrayList<>();
        wanted.add(new NewTopic(topics.lr(), settings.partitions(), settings.replication()).configs(frameConfig));
        wanted.add(new NewTopic(topics.sr(), settings.partitions(), settings.replication()).configs(frameConfig));
        // Audio is small (AAC); it has the video's partitions so a stream's audio and video meet in one packager.
        wanted.add(new NewTopic(topics.audio(), settings.partitions(), settings.replication()).configs(Map.of(
                TopicConfig.RETENTION_MS_CONFIG, Long.toString(settings.retentionMs()))));
        wanted.add(new NewTopic(topics.dlq(), 1, settings.replication()).configs(dlqConfig));
        wanted.add(new NewTopic(Topics.STREAMS, Topics.STREAMS_PARTITIONS, settings.replication()).configs(Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
        wanted.add(new NewTopic(Topics.STATUS, 1, settings.replication()).configs(Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
        // Requests are worth something for a second; a minute of them is plenty for a late reader.
        wanted.add(new NewTopic(Topics.KEYFRAMES, 1, settings.replication()).configs(Map.of(
                TopicConfig.RETENTION_MS_CONFIG, "60000")));
        try (Admin admin = Admin.create(kafka.admin())) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = wanted.stream().filter(t -> !existing.contains(t.name())).toList();
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
                awaitLeaders(admin, missing.stream().map(NewTopic::name).toList());
                log.info("created topics {}", missing.stream().map(NewTopic::name).toList());
            }
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                throw new IllegalStateException("cannot create topics on " + kafka.bootstrapServers() + ": " + e.getCause().getMessage(), e.getCause());
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot create topics on " + kafka.bootstrapServers() + ": " + e.getMessage(), e);
        }
    }
}
