package dev.streamsr.ingest;

import dev.streamsr.metrics.Meters;
import dev.streamsr.stream.StreamState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;

/** The meters of one ingested stream: its counters, and gauges that read the stream's state. */
record IngestMeters(Counter frames, Counter droppedAtSource, Counter droppedOversize, Counter reconnects, Counter audioFrames) {
    static IngestMeters register(MeterRegistry registry, StreamIngest ingest) {
        String id = ingest.source().stream().value();
        for (StreamState s : StreamState.values()) {
            Meters.sourceState(registry, id, s.name().toLowerCase(Locale.ROOT), ingest, x -> x.state() == s ? 1 : 0);
        }
        Meters.sourceLastFrameAge(registry, id, ingest, x -> x.secondsSinceLastFrame());
        return new IngestMeters(Meters.ingestFrames(registry, id), Meters.framesDropped(registry, id, "source-overrun"),
                Meters.framesDropped(registry, id, "oversize"), Meters.sourceReconnects(registry, id), Meters.ingestAudioFrames(registry, id));
    }
}
