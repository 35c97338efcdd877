package dev.streamsr.engine;

/**
 * Runs the super-resolution model on frame pairs. Backends load the same ONNX file and honour the
 * engine contract: uint8 NHWC frames in and out, the previous latent in, this frame's latent out.
 * An engine knows nothing of Kafka or streams; the caller keeps each stream's history.
 */
public interface Engine extends AutoCloseable {
    ModelInfo model();

    /** "onnxruntime" or "tensorrt". */
    String backend();

    /** Buffers for {@code batch} frames of {@code height x width}; the same object for the same shape. */
    EngineBuffers buffers(int batch, int height, int width);

    /** Runs one call on the buffers' inputs; outputs land in their {@code sr} and {@code latent}. */
    void run(EngineBuffers buffers);

    @Override
    void close();
}
