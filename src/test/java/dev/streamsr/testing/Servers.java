package dev.streamsr.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;

/** Real servers the tests run on 127.0.0.1, and the free ports they listen on. */
public final class Servers {
    private Servers() {
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** nginx with Debian's RTMP module, application {@code live}, in the foreground; returns once it listens. */
    public static Process nginxRtmp(Path dir, int port) throws IOException, InterruptedException {
        Path conf = dir.resolve("nginx.conf");
        Files.createDirectories(dir.resolve("logs"));
        Files.writeString(conf, """
                load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
                daemon off;
                master_process off;
                pid %1$s/nginx.pid;
                error_log %1$s/logs/error.log info;
                events { worker_connections 64; }
                rtmp { server { listen 127.0.0.1:%2$d; application live { live on; } } }
                """.formatted(dir, port));
        Process p = new ProcessBuilder("nginx", "-p", dir.toString(), "-c", conf.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("nginx-" + System.nanoTime() + ".log").toFile()).start();
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                return p;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        p.destroy();
        throw new AssertionError("nginx did not listen on " + port);
    }
}
