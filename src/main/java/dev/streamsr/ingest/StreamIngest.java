package dev.streamsr.ingest;

import dev.streamsr.frame.AudioFrame;
import dev.streamsr.frame.EndOfStream;
import dev.streamsr.frame.Frame;
import dev.streamsr.frame.Tuning;
import dev.streamsr.frame.WallClock;
import dev.streamsr.media.Backoff;
import dev.streamsr.media.GstRuntime;
import dev.streamsr.stream.Credentials;
import dev.streamsr.stream.Region;
import dev.streamsr.stream.Source;
import dev.streamsr.stream.StreamState;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.freedesktop.gstreamer.Sample;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Ingests one stream: plays its source ({@link SourceRun}) again and again as its kind calls for
 * (a file once or in a loop, a live source reconnected with back-off), turns every decoded frame
 * into a {@link Frame} with a gap-free seq ({@link FrameReader}) and hands it to the
 * {@link FrameSink}; audio goes alongside ({@link AudioTap}). A failure here never touches another
 * stream.
 */
public final class StreamIngest implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(StreamIngest.class);

    private final Source source;
    private final IngestSettings settings;
    private final FrameSink sink;
    private final Backoff backoff;
    private final PtsTimeline timeline = new PtsTimeline();
    private final IngestMeters meters;
    private final FrameReader reader;
    private final SourceRun run;
    private volatile StreamState state = StreamState.STARTING;
    private volatile String lastError;
    /** The model the stream's frames ask the upscaler for; changes take effect from the next frame. */
    private volatile Tuning tuning;
    private volatile boolean stopping;
    private long seq;
    private volatile long lastFrameNanos = System.nanoTime();
    private final SharedDecoder shared;

    public StreamIngest(Source source, IngestSettings settings, FrameSink sink, MeterRegistry registry) {
        this(source, settings, sink, registry, null);
    }

    /** A region stream of {@code shared}: its pictures come from the camera's shared decoder (null: it opens its source itself). */
    StreamIngest(Source source, IngestSettings settings, FrameSink sink, MeterRegistry registry, SharedDecoder shared) {
        this.source = source;
        this.settings = settings;
        // A live source must not wait for the broker (the camera would not wait either): a bounded outbox sits between them.
        // A looped file plays at its own rate like the live stream it stands in for, and follows the same policy.
        this.sink = source.kind().live() || source.loop() ? new LiveOutbox(source.stream(), sink, settings.liveBufferFrames(), registry) : sink;
        this.backoff = new Backoff(settings.initialBackoff(), settings.maxBackoff());
        this.meters = IngestMeters.register(registry, this);
        this.reader = new FrameReader(source, settings, timeline, meters.droppedOversize());
        AudioTap audio = new AudioTap(source.stream(), timeline, this.sink, meters.audioFrames(), () -> stopping);
        this.run = new SourceRun(source, settings, audio, meters.droppedAtSource(), () -> stopping, shared);
        this.shared = shared;
    }

    public Source source() {
        return source;
    }

    public StreamState state() {
        return state;
    }

    public String lastError() {
        return lastError;
    }

    public long framesPublished() {
        return seq;
    }

    double secondsSinceLastFrame() {
        return (System.nanoTime() - lastFrameNanos) / 1e9;
    }

    /** The part of the picture this stream upscales; null for all of it. */
    public Region region() {
        return run.region();
    }

    /**
     * Moves or sets the region while the stream plays, without reconnecting the source. Refused
     * (IllegalArgumentException, with the reason) when it leaves too few pixels of the decoded picture.
     */
    public void region(Region region) {
        run.region(region);
        log.info("stream {}: region {}", source.stream(), region == null ? "whole picture" : region);
    }

    public Tuning tuning() {
        return tuning;
    }

    /** Asks the upscaler for another model from the next frame on (null: its default), without reconnecting the source. */
    public void tuning(Tuning t) {
        if (t != tuning) {
            tuning = t;
            log.info("stream {}: model {}", source.stream(), t == null ? "default" : t.id());
        }
    }

    public void stop() {
        stopping = true;
    }

    @Override
    public void run() {
        MDC.put("stream", source.stream().value());
        // A region stream gets the camera's audio as it is, under its own id.
        Runnable audioOff = shared == null ? () -> { } : shared.onAudio(a -> {
            if (!stopping) {
                sink.audio(new AudioFrame(source.stream(), a.ptsNanos(), a.durationNanos(), a.ingestNanos(), a.payload()));
                meters.audioFrames().increment();
            }
        });
        try {
            GstRuntime.ensureInitialised();
            int failures = 0;
            while (!stopping) {
                long before = seq;
                SourceRun.Outcome outcome = run.play(this::handle);
                lastError = run.error() != null ? run.error() : lastError;
                if (seq > before) {
                    failures = 0;
                }
                if (stopping || outcome == SourceRun.Outcome.STOPPED) {
                    break;
                }
                if (outcome == SourceRun.Outcome.NO_VIDEO && !source.kind().live()) {
                    // A file without video will not grow one: looping or retrying it would only hang.
                    fail(lastError);
                    return;
                }
                if (outcome == SourceRun.Outcome.ENDED && source.loop() && seq > before) {
                    log.info("stream {}: source ended after {} frames, looping", source.stream(), seq);
                    timeline.nextLoop();
                    continue;
                }
                if (outcome == SourceRun.Outcome.ENDED && !source.kind().live()) {
                    if (seq == 0 && reader.refusedOversize()) {
                        fail("every frame exceeded the largest allowed frame " + settings.limits().maxFrame()
                                + "; cap the source with --max-input-size or raise --max-frame-size");
                    } else if (seq == 0) {
                        fail("source has no video frames (is " + source.display() + " a video?)");
                    } else {
                        finish(StreamState.ENDED);
                    }
                    return;
                }
                if (!source.restartable()) {
                    fail(lastError);
                    return;
                }
                failures++;
                if (settings.maxRetries() >= 0 && failures > settings.maxRetries()) {
                    fail("giving up after " + settings.maxRetries() + " retries: " + lastError);
                    return;
                }
                state = StreamState.RECONNECTING;
                meters.reconnects().increment();
                Duration wait = backoff.delay(failures, ThreadLocalRandom.current());
                log.warn("stream {}: source {} {}; reconnect attempt {} in {} ms", source.stream(), source.display(),
                        outcome == SourceRun.Outcome.ENDED ? "ended" : "failed: " + lastError, failures, wait.toMillis());
                sleep(wait);
            }
            if (seq > 0) {
                sink.end(new EndOfStream(source.stream(), seq, WallClock.nowNanos()));
            }
            state = StreamState.STOPPED;
        } catch (RuntimeException | Error e) {
            fail(e.toString());
            log.error("stream {}: ingest crashed: {}", source.stream(), Credentials.mask(e.toString()));
        } finally {
            audioOff.run();
            if (sink instanceof LiveOutbox outbox) {
                outbox.close();
            }
            MDC.remove("stream");
        }
    }

    private void handle(Sample sample) {
        state = StreamState.PLAYING;
        Frame frame = reader.read(sample, seq, tuning);
        if (frame == null) {
            return;
        }
        sink.publish(frame);
        seq++;
        meters.frames().increment();
        lastFrameNanos = System.nanoTime();
    }

    private void fail(String why) {
        lastError = Credentials.mask(why);
        state = StreamState.FAILED;
        log.error("stream {}: source {} failed: {}", source.stream(), source.display(), lastError);
        if (seq > 0) {
            // Downstream finalises what it has; the stream is over until an operator restarts it.
            sink.end(new EndOfStream(source.stream(), seq, WallClock.nowNanos()));
        }
    }

    private void finish(StreamState end) {
        sink.end(new EndOfStream(source.stream(), seq, WallClock.nowNanos()));
        state = end;
        log.info("stream {}: source ended, {} frames published", source.stream(), seq);
    }

    private void sleep(Duration d) {
        long until = System.nanoTime() + d.toNanos();
        while (!stopping && System.nanoTime() < until) {
            try {
                Thread.sleep(Math.min(100, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopping = true;
            }
        }
    }
}
