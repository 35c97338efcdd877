package dev.streamsr.ingest;

import dev.streamsr.frame.AudioFrame;
import dev.streamsr.frame.EndOfStream;
import dev.streamsr.frame.Frame;
import dev.streamsr.frame.StreamId;
import dev.streamsr.stream.Source;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * One connection to a camera shared by the region streams cut from it: the source is decoded once,
 * at its full size, and every decoded picture goes to each region stream's own pipeline, which
 * crops, scales and converts its part; the audio goes to each region stream as it is. The
 * connection is made, and reconnected with back-off, by an ordinary {@link StreamIngest} of the
 * camera under the decoder's own id.
 */
final class SharedDecoder implements FrameSink {
    private final StreamIngest camera;
    private final Thread thread;
    private final List<Consumer<Frame>> pictures = new CopyOnWriteArrayList<>();
    private final List<Consumer<AudioFrame>> sounds = new CopyOnWriteArrayList<>();
    private final List<Runnable> endings = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicBoolean started = new java.util.concurrent.atomic.AtomicBoolean();

    SharedDecoder(StreamId id, Source source, IngestSettings settings, MeterRegistry registry) {
        // Full size: each region is cut from the decoded picture before anything scales it.
        this.camera = new StreamIngest(new Source(id, source.uri(), source.kind(), source.loop()), settings.withMaxInputSize(null), this, registry);
        this.thread = Thread.ofPlatform().name("ingest-" + id).daemon(true).unstarted(camera);
    }

    StreamIngest camera() {
        return camera;
    }

    /** Connects to the camera once: called when the first region stream's pipeline takes pictures, so it sees the first one. */
    private void start() {
        if (started.compareAndSet(false, true)) {
            thread.start();
        }
    }

    void stop() {
        camera.stop();
        if (!started.get()) {
            return;
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Every decoded picture, until the returned action is run. The first subscriber starts the
     * decoder: started before it, a finite source's first picture could go to nobody (RegionIT saw
     * 89 of 90 frames once).
     */
    Runnable onPicture(Consumer<Frame> to) {
        pictures.add(to);
        start();
        return () -> pictures.remove(to);
    }

    /** Told when the camera's stream ends (a finite source), until the returned action is run. */
    Runnable onEnd(Runnable to) {
        endings.add(to);
        return () -> endings.remove(to);
    }

    /** Every audio frame, until the returned action is run. */
    Runnable onAudio(Consumer<AudioFrame> to) {
        sounds.add(to);
        return () -> sounds.remove(to);
    }

    @Override
    public void publish(Frame frame) {
        pictures.forEach(p -> p.accept(frame));
    }

    @Override
    public void audio(AudioFrame audio) {
        sounds.forEach(s -> s.accept(audio));
    }

    @Override
    public void end(EndOfStream end) {
        // A finite source is over: so is each region stream. (A live camera that drops is reconnected and never ends.)
        endings.forEach(Runnable::run);
    }
}
