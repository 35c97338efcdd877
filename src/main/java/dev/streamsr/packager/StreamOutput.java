package dev.streamsr.packager;

import dev.streamsr.frame.AudioFrame;
import dev.streamsr.frame.Fps;
import dev.streamsr.frame.Frame;
import dev.streamsr.frame.StreamId;
import dev.streamsr.frame.WallClock;
import dev.streamsr.media.AccessUnit;
import dev.streamsr.media.H264Codecs;
import dev.streamsr.metrics.Meters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stream's rendition on disk: its access units into a playlist of segments, a new timeline
 * (HLS discontinuity) when the size changes or audio arrives, the status file players and
 * {@code /streams} read, and its meters.
 */
final class StreamOutput {
    private static final Logger log = LoggerFactory.getLogger(StreamOutput.class);
    /** Until a stream says its frame rate: 30 fps. */
    private static final long DEFAULT_FRAME_NANOS = 33_333_333L;

    private final StreamId stream;
    private final Rendition rendition;
    private final HlsSettings hls;
    private final AccessUnits units;
    /** Null for a rendition without audio. */
    private final AudioInterleaver audio;
    private final MeterRegistry registry;
    private final Counter frames;
    private final Counter awaitKeyframe;
    private final Counter segments;
    private final Timer arrival;
    private final Timer latency;
    private HlsWriter writer;
    private LivePlaylist playlist;
    private int width;
    private int height;
    private Fps fps;
    private long frameCount;
    /** RFC 6381 codec of the video, from the first key frame's SPS of the current writer. */
    private String videoCodec;
    private boolean muxesAudio;
    private long lastStatusMs;
    private volatile long lastSegmentMs;

    /** Null unless the stream's upscaled rendition is also pushed to a server; the registry can change it while the stream plays. */
    private Restream restream;

    StreamOutput(StreamId stream, Rendition rendition, HlsSettings hls, AccessUnits units, boolean withAudio, MeterRegistry registry,
                 Restream restream) {
        this.restream = restream;
        this.stream = stream;
        this.rendition = rendition;
        this.hls = hls;
        this.units = units;
        this.registry = registry;
        String id = stream.value();
        String name = rendition.dirName();
        this.audio = withAudio ? new AudioInterleaver(Meters.audioMuxed(registry, id), Meters.audioDropped(registry, id),
                a -> {
                    if (this.restream != null) {
                        this.restream.audio(a.payload(), a.ptsNanos(), a.durationNanos());
                    }
                }) : null;
        this.frames = Meters.packageFrames(registry, id, name);
        this.awaitKeyframe = Meters.framesDropped(registry, id, "await-keyframe");
        this.segments = Meters.hlsSegments(registry, id, name);
        this.arrival = Meters.latencyToRecord(registry, id, name);
        this.latency = Meters.latencyToSegment(registry, id, name);
    }

    void audio(AudioFrame a) {
        if (audio != null) {
            audio.offer(a, writer);
        }
    }

    void write(Frame frame) {
        arrival.record(WallClock.nowNanos() - frame.ingestNanos(), TimeUnit.NANOSECONDS);
        AccessUnit au = units.of(frame);
        if (au == null) {
            return;
        }
        if (writer != null && (width != frame.width() || height != frame.height())) {
            // A new size needs a new SPS; start a fresh pipeline so h264parse and the muxer follow.
            log.info("stream {}: {} rendition changes size {}x{} -> {}x{}; new timeline (HLS discontinuity)", stream,
                    rendition.dirName(), width, height, frame.width(), frame.height());
            closeWriter(true);
        } else if (writer != null && audio != null && au.keyframe() && !writer.hasAudio() && audio.waitingFrom(frame.ptsNanos())) {
            log.info("stream {}: audio arrived; new timeline with audio from seq {}", stream, frame.seq());
            closeWriter(true);
        }
        if (writer == null) {
            if (!au.keyframe()) {
                awaitKeyframe.increment();
                return;
            }
            open(frame);
        }
        if (au.keyframe() && videoCodec == null) {
            videoCodec = H264Codecs.of(au.data()).orElse(null);
        }
        writer.push(au.data(), frame.ptsNanos(), au.keyframe(), frame.ingestNanos());
        if (restream != null) {
            restream.video(au.data(), frame.ptsNanos(), au.keyframe());
        }
        if (writer.hasAudio() && audio.afterVideo(writer, frame.ptsNanos())) {
            log.warn("stream {}: no audio for {} ms of video; going on without audio", stream, AudioInterleaver.GAP_NS / 1_000_000);
        }
        frameCount++;
        frames.increment();
    }

    private void open(Frame frame) {
        Path dir = hls.streamDir(stream.value(), rendition);
        if (playlist == null) {
            playlist = LivePlaylist.open(dir, hls);
        }
        playlist.discontinuity();
        boolean withAudio = audio != null && audio.waitingFrom(frame.ptsNanos());
        writer = new HlsWriter(dir, hls, playlist, frame.fps().frameNanos(DEFAULT_FRAME_NANOS), withAudio, new HlsWriter.SegmentListener() {
            @Override
            public void written(long ingestNanos) {
                latency.record(WallClock.nowNanos() - ingestNanos, TimeUnit.NANOSECONDS);
            }

            @Override
            public void segmentClosed() {
                segments.increment();
                lastSegmentMs = System.currentTimeMillis();
            }
        });
        if (lastSegmentMs == 0) {
            lastSegmentMs = System.currentTimeMillis();
            Meters.playlistAge(registry, stream.value(), rendition.dirName(), this, x -> (System.currentTimeMillis() - x.lastSegmentMs) / 1000.0);
        }
        width = frame.width();
        height = frame.height();
        fps = frame.fps();
        videoCodec = null; // a new encoder may have a new profile or level
        muxesAudio = withAudio;
        if (restream != null) {
            restream.restart(withAudio);
        }
        log.info("stream {}: packaging {} rendition {}x{}{} to {} from segment {}", stream, rendition.dirName(), width, height,
                withAudio ? " with audio" : "", dir, playlist.nextIndex());
    }

    /** Where the upscaled rendition is also pushed, or null. */
    String target() {
        return restream == null ? null : restream.uri();
    }

    /** Pushes to another target from the next key frame on (null: stops pushing). */
    void retarget(Restream next) {
        if (restream != null) {
            restream.close();
        }
        restream = next;
        if (next != null) {
            next.restart(muxesAudio);
        }
        log.info("stream {}: restream {}", stream, next == null ? "stopped" : "now to " + dev.streamsr.stream.Credentials.mask(next.uri()));
    }

    /** The stream ended (or this packager stops): the last segment is written and the playlist gets #EXT-X-ENDLIST. */
    void end() {
        closeWriter(true);
        try {
            if (playlist != null) {
                playlist.end();
            }
        } catch (RuntimeException e) {
            log.warn("stream {}: cannot end {} playlist: {}", stream, rendition.dirName(), e.getMessage());
        }
        units.close();
        if (restream != null) {
            restream.close();
        }
        if (playlist != null) {
            writeStatus("ended");
        }
        log.info("stream {}: {} rendition finished, {} frames", stream, rendition.dirName(), frameCount);
    }

    /** After a failure: releases the pipelines without finishing the segment. */
    void abort() {
        closeWriter(false);
        units.close();
        if (restream != null) {
            restream.close();
        }
    }

    /** Rewrites the status file of a live output at most once a second, or now when {@code force}. */
    void status(long nowMs, boolean force) {
        if (writer != null && (force || nowMs - lastStatusMs >= 1000)) {
            writeStatus("live");
        }
    }

    private void closeWriter(boolean finish) {
        if (writer == null) {
            return;
        }
        try {
            if (finish) {
                writer.finish();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("stream {}: finishing {} playlist: {}", stream, rendition.dirName(), e.getMessage());
        } finally {
            writer.close();
            writer = null;
        }
    }

    private void writeStatus(String state) {
        lastStatusMs = System.currentTimeMillis();
        try {
            Path dir = hls.streamDir(stream.value(), rendition);
            Files.createDirectories(dir);
            String codecs = videoCodec == null ? null : muxesAudio ? videoCodec + ",mp4a.40.2" : videoCodec;
            new RenditionStatus(stream.value(), rendition.dirName(), state, width, height, fps == null ? null : fps.toString(), frameCount,
                    lastStatusMs, codecs, playlist == null ? 0 : playlist.peakBitsPerSecond()).writeTo(dir);
        } catch (IOException e) {
            log.warn("stream {}: cannot write status: {}", stream, e.toString());
        }
    }
}
