package dev.streamsr.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;

/**
 * Every meter StreamSR defines, in one place: name, description, tags and buckets. Roles ask
 * here for the meter they record; the README's metrics table and the dashboards read these names.
 */
public final class Meters {
    public static final String FRAMES_DROPPED = "streamsr.frames.dropped";
    public static final String INGEST_FRAMES = "streamsr.ingest.frames";
    public static final String INGEST_AUDIO_FRAMES = "streamsr.ingest.audio.frames";
    public static final String INGEST_BUFFERED = "streamsr.ingest.buffered.frames";
    public static final String SOURCE_RECONNECTS = "streamsr.source.reconnects";
    public static final String SOURCE_STATE = "streamsr.source.state";
    public static final String SOURCE_LAST_FRAME_AGE = "streamsr.source.last.frame.age";
    public static final String UPSCALE_FRAMES = "streamsr.upscale.frames";
    public static final String UPSCALE_PROCESS = "streamsr.upscale.process";
    public static final String HISTORY_RESETS = "streamsr.upscale.history.resets";
    public static final String ENGINE_LATENCY = "streamsr.engine.latency";
    public static final String PACKAGE_FRAMES = "streamsr.package.frames";
    public static final String HLS_SEGMENTS = "streamsr.hls.segments";
    public static final String PLAYLIST_AGE = "streamsr.hls.playlist.age";
    public static final String AUDIO_FRAMES = "streamsr.audio.frames";
    public static final String AUDIO_DROPPED = "streamsr.audio.dropped";
    public static final String LATENCY_TO_RECORD = "streamsr.latency.ingest.to.record";
    public static final String LATENCY_TO_SEGMENT = "streamsr.latency.ingest.to.segment";
    public static final String DLQ_RECORDS = "streamsr.dlq.records";
    public static final String CONSUMER_LAG = "streamsr.consumer.lag";
    public static final String WEBRTC_VIEWERS = "streamsr.webrtc.viewers";
    public static final String WEBRTC_START = "streamsr.webrtc.start";

    /**
     * Latency buckets per stream: a dozen fixed ones rather than Micrometer's ~70 percentile
     * buckets, so a wall of cameras stays at tens of series per stream.
     */
    private static final Duration[] LATENCY_BUCKETS = Stream.of(50, 100, 250, 500, 1000, 1500, 2000, 3000, 5000, 8000, 13000, 20000, 30000)
            .map(Duration::ofMillis).toArray(Duration[]::new);

    private Meters() {
    }

    /** The one counter of frames that did not make it, per stream and reason; every role counts its drops here. */
    public static Counter framesDropped(MeterRegistry registry, String stream, String reason) {
        return Counter.builder(FRAMES_DROPPED).description("Frames dropped, by reason").tag("stream", stream).tag("reason", reason)
                .register(registry);
    }

    public static Counter ingestFrames(MeterRegistry registry, String stream) {
        return Counter.builder(INGEST_FRAMES).description("Frames published to streamsr.lr").tag("stream", stream).register(registry);
    }

    public static Counter ingestAudioFrames(MeterRegistry registry, String stream) {
        return Counter.builder(INGEST_AUDIO_FRAMES).description("AAC frames published to streamsr.audio").tag("stream", stream).register(registry);
    }

    public static <T> void ingestBuffered(MeterRegistry registry, String stream, T outbox, ToDoubleFunction<T> size) {
        Gauge.builder(INGEST_BUFFERED, outbox, size).description("Frames of a live source waiting for Kafka in ingest (bounded by --live-buffer-frames)")
                .tag("stream", stream).register(registry);
    }

    public static Counter sourceReconnects(MeterRegistry registry, String stream) {
        return Counter.builder(SOURCE_RECONNECTS).description("Source reconnect attempts").tag("stream", stream).register(registry);
    }

    /** One series per state, 1 for the current one: dashboards colour streams by it and alerts need no regex. */
    public static <T> void sourceState(MeterRegistry registry, String stream, String state, T source, ToDoubleFunction<T> isCurrent) {
        Gauge.builder(SOURCE_STATE, source, isCurrent).description("1 for the source's current state")
                .tag("stream", stream).tag("state", state).register(registry);
    }

    public static <T> void sourceLastFrameAge(MeterRegistry registry, String stream, T source, ToDoubleFunction<T> seconds) {
        Gauge.builder(SOURCE_LAST_FRAME_AGE, source, seconds).description("Seconds since the source delivered its last frame (since start before the first)")
                .baseUnit("seconds").tag("stream", stream).register(registry);
    }

    public static Counter upscaleFrames(MeterRegistry registry, String stream) {
        return Counter.builder(UPSCALE_FRAMES).description("SR frames written to streamsr.sr").tag("stream", stream).register(registry);
    }

    public static Timer upscaleProcess(MeterRegistry registry) {
        return Timer.builder(UPSCALE_PROCESS).description("Time to upscale one frame: history, engine, encode, forward")
                .publishPercentileHistogram().register(registry);
    }

    public static Counter historyResets(MeterRegistry registry, String stream) {
        return Counter.builder(HISTORY_RESETS)
                .description("Times a stream's temporal history was dropped (size change, gap, restart without changelog) and started fresh")
                .tag("stream", stream).register(registry);
    }

    /** One engine call, of {@code batch} frames: single calls from the upscaler, batched ones from the batcher. */
    public static Timer engineLatency(MeterRegistry registry, String backend, String model, int batch) {
        return Timer.builder(ENGINE_LATENCY).description("Time of one engine call")
                .tag("backend", backend).tag("model", model).tag("batch", Integer.toString(batch))
                .publishPercentileHistogram().register(registry);
    }

    public static Counter packageFrames(MeterRegistry registry, String stream, String rendition) {
        return Counter.builder(PACKAGE_FRAMES).description("Frames written to HLS").tag("stream", stream).tag("rendition", rendition).register(registry);
    }

    public static Counter hlsSegments(MeterRegistry registry, String stream, String rendition) {
        return Counter.builder(HLS_SEGMENTS).description("HLS segments written").tag("stream", stream).tag("rendition", rendition).register(registry);
    }

    public static <T> void playlistAge(MeterRegistry registry, String stream, String rendition, T output, ToDoubleFunction<T> seconds) {
        Gauge.builder(PLAYLIST_AGE, output, seconds).description("Seconds since the rendition's playlist got its last segment").baseUnit("seconds")
                .tag("stream", stream).tag("rendition", rendition).register(registry);
    }

    public static Counter audioMuxed(MeterRegistry registry, String stream) {
        return Counter.builder(AUDIO_FRAMES).description("AAC frames muxed into HLS").tag("stream", stream).register(registry);
    }

    public static Counter audioDropped(MeterRegistry registry, String stream) {
        return Counter.builder(AUDIO_DROPPED).description("AAC frames not muxed: no video to go with them").tag("stream", stream).register(registry);
    }

    /** For the sr rendition: ingest to the SR record being readable (committed) by the packager. */
    public static Timer latencyToRecord(MeterRegistry registry, String stream, String rendition) {
        return Timer.builder(LATENCY_TO_RECORD).description("Wall time from ingest to the packager reading the frame's record")
                .tag("stream", stream).tag("rendition", rendition).serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
    }

    public static Timer latencyToSegment(MeterRegistry registry, String stream, String rendition) {
        return Timer.builder(LATENCY_TO_SEGMENT).description("Wall time from ingest to the HLS segment holding the frame being written")
                .tag("stream", stream).tag("rendition", rendition).serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
    }

    public static Counter dlqRecords(MeterRegistry registry, String reason) {
        return Counter.builder(DLQ_RECORDS).description("Records sent to the dead-letter topic").tag("reason", reason).register(registry);
    }

    public static MultiGauge consumerLag(MeterRegistry registry) {
        return MultiGauge.builder(CONSUMER_LAG).description("Records a consumer group has yet to read, per partition").register(registry);
    }

    /** WebRTC viewers this process is sending to, per rendition. */
    public static <T> void webrtcViewers(MeterRegistry registry, String rendition, T feeds, ToDoubleFunction<T> count) {
        Gauge.builder(WEBRTC_VIEWERS, feeds, count).description("WebRTC (WHEP) viewers connected to this process")
                .tag("rendition", rendition).register(registry);
    }

    /** From a viewer's offer to the first key frame sent to it: how long a new viewer waits for a picture. */
    public static Timer webrtcStart(MeterRegistry registry) {
        return Timer.builder(WEBRTC_START).description("WHEP offer to the first key frame sent to the viewer")
                .publishPercentileHistogram().register(registry);
    }
}
