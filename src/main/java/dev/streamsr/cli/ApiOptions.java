package dev.streamsr.cli;

import dev.streamsr.stream.StreamRegistry;
import dev.streamsr.serve.StreamApi;
import picocli.CommandLine.Option;

/** Options of the stream management API ({@code /api/streams}). */
public final class ApiOptions {
    @Option(names = "--api-token", paramLabel = "TOKEN",
            description = "Bearer token that POST and DELETE /api/streams require (set STREAMSR_API_TOKEN rather than the command line).")
    String token;

    @Option(names = "--api-protect-reads", description = "Require the token for GET /api/streams too.")
    boolean protectReads;

    boolean enabled() {
        return token != null && !token.isBlank();
    }

    StreamApi api(StreamRegistry registry) {
        return new StreamApi(registry, token, protectReads);
    }
}
