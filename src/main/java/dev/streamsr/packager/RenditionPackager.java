package dev.streamsr.packager;

import dev.streamsr.frame.Fps;
import dev.streamsr.frame.AudioFrame;
import dev.streamsr.frame.ContractViolation;
import dev.streamsr.frame.Decoded;
import dev.streamsr.frame.EndOfStream;
import dev.streamsr.frame.Frame;
import dev.streamsr.frame.FrameFormat;
import dev.streamsr.frame.FrameHeaders;
import dev.streamsr.frame.StreamId;
import dev.streamsr.frame.WallClock;
import dev.streamsr.kafka.DeadLetters;
import dev.streamsr.kafka.FrameLimits;
import dev.streamsr.media.AccessUnit;
import dev.streamsr.media.EncoderSettings;
import dev.streamsr.media.H264Encoder;
import dev.streamsr.metrics.Meters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Packages one rendition of every stream it is assigned: access units from {@code streamsr.sr}
 * as they are, or raw frames from {@code streamsr.lr} encoded at the source size. The SR rendition
 * also reads {@code streamsr.audio}: audio arrives ahead of the upscaled video, waits here, and is
 * handed to the muxer just ahead of the video it belongs with.
 */
final class RenditionPackager implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(RenditionPackager.class);
    /** Audio is given to the muxer up to this far ahead of the last video frame. */
    private static final long AUDIO_LEAD_NS = 500_000_000L;
    /** Video this far past the last audio, with none waiting, means the source stopped sending audio. */
    private static final long AUDIO_GAP_NS = 1_000_000_000L;
    /** Audio frames held per stream while its video is behind (~20 s of 48 kHz AAC); older ones are dropped. */
    private static final int MAX_WAITING_AUDIO = 1_000;

    private final Rendition rendition;
    private final Consumer<byte[], byte[]> consumer;
    private final String topic;
    private final String audioTopic;
    private final HlsSettings hls;
    private final EncoderSettings encoderSettings;
    private final DeadLetters deadLetters;
    private final FrameLimits limits;
    private final MeterRegistry registry;
    private final Map<StreamId, Output> outputs = new HashMap<>();
    private volatile boolean stopping;
    /** What health reads from another thread. */
    private volatile int openStreams;
    private volatile long lastPollMs = System.currentTimeMillis();
    private volatile String failure;

    /** A stream's open writer, its encoder when the rendition encodes, and what status reports. */
    private static final class Output {
        HlsWriter writer;
        LivePlaylist playlist;
        final ArrayDeque<AudioFrame> audio = new ArrayDeque<>();
        Counter audioMuxed;
        Counter audioDropped;
        H264Encoder encoder;
        int width;
        int height;
        Fps fps;
        long frameCount;
        long lastStatusMs;
        volatile long lastSegmentMs;
        Counter frames;
        Timer arrival;
    }

    /** {@code audioTopic} null: video only. */
    RenditionPackager(Rendition rendition, Consumer<byte[], byte[]> consumer, String topic, String audioTopic, HlsSettings hls,
                      EncoderSettings encoderSettings, FrameLimits limits, DeadLetters deadLetters, MeterRegistry registry) {
        this.limits = limits;
        this.rendition = rendition;
        this.consumer = consumer;
        this.topic = topic;
        this.audioTopic = audioTopic;
        this.hls = hls;
        this.encoderSettings = encoderSettings;
        this.deadLetters = deadLetters;
        this.registry = registry;
    }

    /** Null while the poll loop runs; why it ended otherwise. */
    String failure() {
        return failure;
    }

    int openStreams() {
        return openStreams;
    }

    long lastPollMs() {
        return lastPollMs;
    }

    Rendition rendition() {
        return rendition;
    }

    void stop() {
        stopping = true;
        consumer.wakeup();
    }

    @Override
    public void run() {
        List<String> topics = new ArrayList<>(List.of(topic));
        if (audioTopic != null) {
            topics.add(audioTopic);
        }
        consumer.subscribe(topics);
        try {
            while (!stopping) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    handle(r);
                }
                writeStatuses(false);
                openStreams = outputs.size();
                lastPollMs = System.currentTimeMillis();
            }
        } catch (WakeupException e) {
            if (!stopping) {
                failure = "woken up while running";
                throw e;
            }
        } catch (RuntimeException | Error e) {
            failure = e.toString();
            log.error("{} packager stopped", rendition.name().toLowerCase(), e);
            throw e;
        } finally {
            // A stop ends what is open: the last segment is written and players see #EXT-X-ENDLIST.
            // A packager that takes the stream over later continues the playlist with a discontinuity.
            outputs.forEach(this::end);
            outputs.clear();
            consumer.close();
        }
    }

    private void handle(ConsumerRecord<byte[], byte[]> r) {
        Decoded decoded = FrameHeaders.decode(r.key(), r.headers(), r.value());
        switch (decoded) {
            case Decoded.Invalid bad -> {
                // Bad LR records are the upscaler's to dead-letter; only this role's own input goes there from here.
                if (rendition == Rendition.SR) {
                    deadLetters.send(r.topic(), r.key(), r.value(), r.headers(), bad.stream(), bad.violation());
                }
            }
            case Decoded.AudioRecord a -> {
                if (audioTopic != null) {
                    audio(a.audio());
                }
            }
            case Decoded.EndRecord end -> finish(end.end());
            case Decoded.FrameRecord f -> {
                MDC.put("stream", f.frame().stream().value());
                try {
                    write(f.frame());
                } catch (RuntimeException e) {
                    log.error("stream {}: {} rendition failed at seq {}: {}", f.frame().stream(), rendition.dirName(),
                            f.frame().seq(), e.getMessage());
                    Output o = outputs.remove(f.frame().stream());
                    if (o != null) {
                        closeOutput(f.frame().stream(), o);
                    }
                } finally {
                    MDC.remove("stream");
                }
            }
        }
    }

    private Output output(StreamId stream) {
        return outputs.computeIfAbsent(stream, id -> {
            Output created = new Output();
            created.frames = frames(id);
            created.arrival = arrival(id);
            if (audioTopic != null) {
                created.audioMuxed = Meters.audioMuxed(registry, id.value());
                created.audioDropped = Meters.audioDropped(registry, id.value());
            }
            return created;
        });
    }

    private void audio(AudioFrame a) {
        Output o = output(a.stream());
        if (o.audio.size() >= MAX_WAITING_AUDIO) {
            o.audio.pollFirst();
            o.audioDropped.increment();
        }
        o.audio.addLast(a);
        if (o.writer != null && o.writer.hasAudio()) {
            feedAudio(o, o.writer.lastSourcePts() + AUDIO_LEAD_NS);
        }
    }

    /** Hands waiting audio up to {@code untilPts} to the muxer; what is older than the timeline is dropped. */
    private void feedAudio(Output o, long untilPts) {
        for (AudioFrame a = o.audio.peekFirst(); a != null && a.ptsNanos() <= untilPts; a = o.audio.peekFirst()) {
            o.audio.pollFirst();
            if (o.writer.pushAudio(a.payload(), a.ptsNanos(), a.durationNanos())) {
                o.audioMuxed.increment();
            } else {
                o.audioDropped.increment();
            }
        }
    }

    /** True when audio waits that belongs at or after {@code pts}: a writer without an audio branch should get one. */
    private static boolean audioWaiting(Output o, long pts) {
        AudioFrame last = o.audio.peekLast();
        return last != null && last.ptsNanos() >= pts;
    }

    private void write(Frame frame) {
        if (rendition == Rendition.SOURCE) {
            // The same contract checks as the upscaler, which dead-letters these records: here they are skipped and counted.
            var refused = frame.format().isRaw() ? limits.check(frame)
                    : java.util.Optional.of(new ContractViolation(ContractViolation.UNSUPPORTED_FORMAT, "expected a raw frame on " + topic
                            + ", got " + frame.format()));
            if (refused.isPresent()) {
                log.warn("stream {}: source rendition skips seq {}: {}", frame.stream(), frame.seq(), refused.get());
                dropped(frame.stream(), "invalid").increment();
                return;
            }
        }
        Output o = output(frame.stream());
        o.arrival.record(WallClock.nowNanos() - frame.ingestNanos(), TimeUnit.NANOSECONDS);
        AccessUnit au;
        if (rendition == Rendition.SR) {
            if (frame.format() != FrameFormat.H264) {
                deadLetters.send(topic, frame.stream().toKey(), frame.payload(), FrameHeaders.of(frame), frame.stream(),
                        new ContractViolation(ContractViolation.UNSUPPORTED_FORMAT, "expected H264 on " + topic + ", got " + frame.format()));
                return;
            }
            au = new AccessUnit(frame.payload(), frame.keyframe());
        } else {
            if (o.encoder != null && (o.encoder.width() != frame.width() || o.encoder.height() != frame.height()
                    || o.encoder.format() != frame.format())) {
                o.encoder.close();
                o.encoder = null;
            }
            if (o.encoder == null) {
                o.encoder = new H264Encoder(frame.format(), frame.width(), frame.height(), frame.fps(), encoderSettings);
            }
            au = o.encoder.encode(ByteBuffer.wrap(frame.payload()), frame.ptsNanos());
        }
        if (o.writer != null && (o.width != frame.width() || o.height != frame.height())) {
            // A new size needs a new SPS; start a fresh pipeline so h264parse and the muxer follow.
            log.info("stream {}: {} rendition changes size {}x{} -> {}x{}; new timeline (HLS discontinuity)", frame.stream(),
                    rendition.dirName(), o.width, o.height, frame.width(), frame.height());
            closeWriter(frame.stream(), o, true);
        } else if (o.writer != null && audioTopic != null && au.keyframe() && !o.writer.hasAudio() && audioWaiting(o, frame.ptsNanos())) {
            log.info("stream {}: audio arrived; new timeline with audio from seq {}", frame.stream(), frame.seq());
            closeWriter(frame.stream(), o, true);
        }
        if (o.writer == null) {
            if (!au.keyframe()) {
                dropped(frame.stream(), "await-keyframe").increment();
                return;
            }
            long duration = frame.fps().frameNanos(33_333_333L);
            Timer latency = latency(frame.stream());
            Counter segments = segments(frame.stream());
            Output out = o;
            var dir = hls.streamDir(frame.stream().value(), rendition);
            if (o.playlist == null) {
                o.playlist = LivePlaylist.open(dir, hls);
            }
            o.playlist.discontinuity();
            boolean withAudio = audioTopic != null && audioWaiting(o, frame.ptsNanos());
            o.writer = new HlsWriter(dir, hls, o.playlist, duration, withAudio, new HlsWriter.SegmentListener() {
                @Override
                public void written(long ingestNanos) {
                    latency.record(WallClock.nowNanos() - ingestNanos, TimeUnit.NANOSECONDS);
                }

                @Override
                public void segmentClosed() {
                    segments.increment();
                    out.lastSegmentMs = System.currentTimeMillis();
                }
            });
            if (o.lastSegmentMs == 0) {
                o.lastSegmentMs = System.currentTimeMillis();
                Meters.playlistAge(registry, frame.stream().value(), rendition.dirName(), o, x -> (System.currentTimeMillis() - x.lastSegmentMs) / 1000.0);
            }
            o.width = frame.width();
            o.height = frame.height();
            o.fps = frame.fps();
            log.info("stream {}: packaging {} rendition {}x{}{} to {} from segment {}", frame.stream(), rendition.dirName(), frame.width(),
                    frame.height(), withAudio ? " with audio" : "", dir, o.playlist.nextIndex());
        }
        o.writer.push(au.data(), frame.ptsNanos(), au.keyframe(), frame.ingestNanos());
        if (o.writer.hasAudio()) {
            feedAudio(o, frame.ptsNanos() + AUDIO_LEAD_NS);
            if (o.writer.lastAudioSourcePts() < frame.ptsNanos() - AUDIO_GAP_NS && !audioWaiting(o, frame.ptsNanos() - AUDIO_GAP_NS)) {
                // Without this the muxer would hold the video back forever, waiting for audio that is not coming.
                log.warn("stream {}: no audio for {} ms of video; going on without audio", frame.stream(), AUDIO_GAP_NS / 1_000_000);
                o.writer.endAudio();
            }
        }
        o.frameCount++;
        o.frames.increment();
    }

    private void finish(EndOfStream end) {
        Output o = outputs.remove(end.stream());
        if (o != null) {
            end(end.stream(), o);
        }
    }

    private void end(StreamId stream, Output o) {
        closeWriter(stream, o, true);
        try {
            if (o.playlist != null) {
                o.playlist.end();
            }
        } catch (RuntimeException e) {
            log.warn("stream {}: cannot end {} playlist: {}", stream, rendition.dirName(), e.getMessage());
        }
        if (o.encoder != null) {
            o.encoder.close();
        }
        if (o.playlist != null) {
            writeStatus(stream, o, "ended");
        }
        log.info("stream {}: {} rendition finished, {} frames", stream, rendition.dirName(), o.frameCount);
    }

    private void closeOutput(StreamId id, Output o) {
        closeWriter(id, o, false);
        if (o.encoder != null) {
            o.encoder.close();
        }
    }

    private void closeWriter(StreamId id, Output o, boolean finish) {
        if (o.writer == null) {
            return;
        }
        try {
            if (finish) {
                o.writer.finish();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("stream {}: finishing {} playlist: {}", id, rendition.dirName(), e.getMessage());
        } finally {
            o.writer.close();
            o.writer = null;
        }
    }

    private void writeStatuses(boolean force) {
        long now = System.currentTimeMillis();
        outputs.forEach((id, o) -> {
            if (o.writer != null && (force || now - o.lastStatusMs >= 1000)) {
                writeStatus(id, o, "live");
            }
        });
    }

    private void writeStatus(StreamId id, Output o, String state) {
        o.lastStatusMs = System.currentTimeMillis();
        try {
            var dir = hls.streamDir(id.value(), rendition);
            java.nio.file.Files.createDirectories(dir);
            new RenditionStatus(id.value(), rendition.dirName(), state, o.width, o.height, o.fps == null ? null : o.fps.toString(), o.frameCount, o.lastStatusMs).writeTo(dir);
        } catch (IOException e) {
            log.warn("stream {}: cannot write status: {}", id, e.toString());
        }
    }

    private Counter frames(StreamId stream) {
        return Meters.packageFrames(registry, stream.value(), rendition.dirName());
    }

    private Counter segments(StreamId stream) {
        return Meters.hlsSegments(registry, stream.value(), rendition.dirName());
    }

    private Counter dropped(StreamId stream, String reason) {
        return Meters.framesDropped(registry, stream.value(), reason);
    }

    /** For the sr rendition: ingest to the SR record being readable (committed) by the packager. */
    private Timer arrival(StreamId stream) {
        return Meters.latencyToRecord(registry, stream.value(), rendition.dirName());
    }

    private Timer latency(StreamId stream) {
        return Meters.latencyToSegment(registry, stream.value(), rendition.dirName());
    }
}
