package dev.streamsr.serve;

import dev.streamsr.kafka.CompactedView;
import dev.streamsr.kafka.KafkaSettings;
import dev.streamsr.kafka.Topics;
import dev.streamsr.stream.SourceStatus;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/**
 * The latest {@link SourceStatus} of every stream, read from {@code streamsr.status} from the start
 * (it is compacted) without a consumer group: every serve instance sees everything.
 */
public final class SourceBoard implements AutoCloseable {
    private final CompactedView<SourceStatus> view;

    public SourceBoard(KafkaSettings kafka) {
        view = new CompactedView<>(kafka, Topics.STATUS, "source-board", SourceBoard::parse);
    }

    public SourceBoard start() {
        view.start();
        return this;
    }

    public Optional<SourceStatus> get(String stream) {
        return view.get(stream);
    }

    public Map<String, SourceStatus> all() {
        return view.all();
    }

    private static SourceStatus parse(byte[] json) {
        try {
            return SourceStatus.fromJson(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        view.close();
    }
}
