package dev.streamsr.bench;

import dev.streamsr.engine.Engine;
import dev.streamsr.engine.EngineBuffers;
import dev.streamsr.engine.Engines;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH benchmark of one engine call, the same loop as {@code streamsr bench engine}. Run with
 * {@code scripts/jmh.sh} (add {@code -prof gc} for heap bytes per call: gc.alloc.rate.norm).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
// A large stack: with the default 1 MB the forked JMH JVM died in native code (SIGSEGV, no hs_err).
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xss16m"})
public class EngineJmh {
    @Param({"streamsr-tiny-x4", "bicubic-x4"})
    public String model;

    @Param({"320x180"})
    public String size;

    @Param({"1"})
    public int batch;

    private Engine engine;
    private EngineBuffers buffers;

    @Setup(Level.Trial)
    public void open() {
        String[] wh = size.split("x");
        int w = Integer.parseInt(wh[0]);
        int h = Integer.parseInt(wh[1]);
        engine = Engines.open("auto", Engines.resolveModel(model), 0);
        buffers = engine.buffers(batch, h, w);
        byte[] frame = new byte[buffers.frameBytes()];
        new Random(1).nextBytes(frame);
        for (int i = 0; i < batch; i++) {
            buffers.lr().put(i * frame.length, frame);
            buffers.prevLr().put(i * frame.length, frame);
        }
    }

    @Benchmark
    public void call() {
        engine.run(buffers);
        buffers.swapLatents();
    }

    @TearDown(Level.Trial)
    public void close() {
        engine.close();
    }
}
